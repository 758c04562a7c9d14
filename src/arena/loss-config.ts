import { LossInputError } from '../losses/_shared/errors.js';
import type { LossSpec, ParamSpec } from '../losses/_shared/spec.js';
import { describeRange, inRange } from '../losses/_shared/validate.js';
import { getLoss } from '../registry.js';
import { NUMBER_TEXT } from './csv.js';
import { inputError } from './errors.js';
import type { ArenaTask, LossConfig } from './results.js';

/** A loss as the arena runs it: its configuration and its registry entry. */
export interface ArenaLoss {
  config: LossConfig;
  spec: LossSpec;
  /** Name of the option the arena fills with predictions on adversarial inputs (a required `likePrediction` data parameter). */
  adversarialOption?: string;
}

/** The option a factory loss is created with that holds the size of the data its sample ids index. */
const FACTORY_SIZE_OPTION = 'numSamples';

/** Splits on commas outside brackets, so `classWeights=[1,10]` stays one token. */
function tokens(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '[') depth++;
    if (ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
    } else current += ch;
  }
  out.push(current.trim());
  return out;
}

function describeParam(param: ParamSpec): string {
  switch (param.kind) {
    case 'number':
      return describeRange(param);
    case 'boolean':
      return 'true or false';
    case 'choice':
      return `one of ${param.choices.join(' | ')}`;
    case 'data':
      return `a JSON value: ${param.type}`;
  }
}

/**
 * Reads `value`, as typed on the command line, for one parameter of a loss, and checks it against the
 * parameter's declared type and range. The value goes to the loss unchanged.
 */
function parseValue(spec: LossSpec, key: string, param: ParamSpec, value: string): unknown {
  const bad = (): never => inputError(`${spec.id}: expected \`${key}\` to be ${describeParam(param)}, got ${JSON.stringify(value)}`);
  switch (param.kind) {
    case 'number': {
      const n = NUMBER_TEXT.test(value) ? Number(value) : Number.NaN;
      if (!inRange(n, param)) bad();
      return n;
    }
    case 'boolean':
      if (value !== 'true' && value !== 'false') bad();
      return value === 'true';
    case 'choice':
      if (!param.choices.includes(value)) bad();
      return value;
    case 'data': {
      if (spec.kind === 'factory' && key === FACTORY_SIZE_OPTION) {
        inputError(`${spec.id}: \`${key}\` is set by the arena (the training-set size), not on the command line`);
      }
      if (param.shape === 'likePrediction') {
        inputError(`${spec.id}: \`${key}\` is computed by the arena (predictions on inputs perturbed by --adv-eps), not set on the command line`);
      }
      try {
        return JSON.parse(value) as unknown;
      } catch {
        return bad();
      }
    }
  }
}

/** The registered loss with this id; an unknown id is an ArenaInputError naming the closest ids. */
export function findLoss(id: string): LossSpec {
  try {
    return getLoss(id);
  } catch (error) {
    if (error instanceof LossInputError) {
      // getLoss names the closest registered ids; the message reads as the arena's own.
      const near = /did you mean ([^?]*)\?/.exec(error.message)?.[1];
      return inputError(`unknown loss "${id}"${near ? ` (did you mean ${near}?)` : ''}; \`losskit list\` shows them all`);
    }
    throw error;
  }
}

/**
 * Parses `--losses`: comma-separated `id` or `id:key=value` items, where further `key=value` items
 * belong to the loss before them (`softmaxCrossEntropy,sigmoidFocalLoss:gamma=1,alpha=0.5`). Ids and
 * parameters are checked against the registry: unknown ids name the closest known ones, and values
 * outside a parameter's declared range or choices are errors that state it.
 */
export function parseLosses(text: string, lookUp: (id: string) => LossSpec = findLoss): { config: LossConfig; spec: LossSpec }[] {
  const parsed: { id: string; spec: LossSpec; pairs: [string, string][] }[] = [];
  for (const token of tokens(text)) {
    if (token === '') inputError(`--losses: empty item in "${text}"`);
    const colon = token.indexOf(':');
    const equals = token.indexOf('=');
    let pair = token;
    if (colon >= 0 && (equals < 0 || colon < equals)) {
      const id = token.slice(0, colon).trim();
      parsed.push({ id, spec: lookUp(id), pairs: [] });
      pair = token.slice(colon + 1).trim();
    } else if (equals < 0) {
      parsed.push({ id: token, spec: lookUp(token), pairs: [] });
      continue;
    }
    const current = parsed.at(-1);
    if (current === undefined) inputError(`--losses: "${token}" comes before any loss id`);
    const eq = pair.indexOf('=');
    if (eq <= 0) inputError(`--losses: expected key=value after "${current.id}:", got "${pair}"`);
    current.pairs.push([pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()]);
  }

  const seen = new Set<string>();
  return parsed.map(({ id, spec, pairs }) => {
    const options: Record<string, unknown> = {};
    for (const [key, value] of pairs) {
      const param = spec.params[key];
      if (param === undefined) {
        const known = Object.keys(spec.params);
        inputError(`${id}: expected each parameter to be one of ${known.length > 0 ? known.join(', ') : '(none: it takes no parameters)'}, got \`${key}\``);
      }
      if (key in options) inputError(`${id}: parameter \`${key}\` is given twice`);
      options[key] = parseValue(spec, key, param, value);
    }
    const key = pairs.length === 0 ? id : `${id}:${pairs.map(([k, v]) => `${k}=${v}`).join(',')}`;
    if (seen.has(key)) inputError(`--losses: "${key}" is listed twice`);
    seen.add(key);
    return { config: { key, id, options }, spec };
  });
}

/**
 * The prediction kinds the arena's models output, and the target kinds its tasks provide: class
 * indices or {0, 1} labels for classification, real values (standardised) for regression.
 */
const ARENA_PREDICTIONS: readonly string[] = ['logits', 'binaryLogits', 'probability', 'score', 'real'];
const CLASSIFICATION_TARGETS: readonly string[] = ['classIndex', 'binary'];
const REGRESSION_TARGETS: readonly string[] = ['real'];

/**
 * Checks that each loss can be trained on this task by the arena, from its registry metadata: the task
 * is among `spec.tasks`, the prediction kind is one the model can output, and every required data
 * parameter is one the arena can supply. Returns the losses with the option the arena must fill.
 */
export function checkLossesForTask(losses: { config: LossConfig; spec: LossSpec }[], task: ArenaTask): ArenaLoss[] {
  return losses.map(({ config, spec }) => {
    if (!spec.tasks.includes(task)) {
      inputError(`loss "${config.key}" does not apply to a ${task} task (its tasks: ${spec.tasks.join(', ') || 'none'})`);
    }
    if (!ARENA_PREDICTIONS.includes(spec.prediction)) {
      inputError(`loss "${config.key}" takes predictions of kind "${spec.prediction}", which the arena's models do not output`);
    }
    if (!(task === 'regression' ? REGRESSION_TARGETS : CLASSIFICATION_TARGETS).includes(spec.target)) {
      inputError(`loss "${config.key}" takes targets of kind "${spec.target}", which a ${task} task does not provide`);
    }
    let adversarialOption: string | undefined;
    for (const [key, param] of Object.entries(spec.params)) {
      if (param.kind !== 'data' || !param.required || key in config.options) continue;
      if (spec.kind === 'factory' && key === FACTORY_SIZE_OPTION) continue;
      if (param.shape === 'likePrediction' && spec.kind === 'function' && adversarialOption === undefined) adversarialOption = key;
      else inputError(`loss "${config.key}" needs \`${key}\` (${param.type}), which the arena cannot supply`);
    }
    return { config, spec, ...(adversarialOption === undefined ? {} : { adversarialOption }) };
  });
}
