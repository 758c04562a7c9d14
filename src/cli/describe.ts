import type { LossSpec, ParamSpec } from '../losses/_shared/spec.js';
import { describeRange } from '../losses/_shared/validate.js';

/** What each target kind means, for `losskit info` (a kind not described here prints as its name). */
const TARGETS: Partial<Record<LossSpec['target'], string>> = {
  classIndex: 'class indices [N] (or one-hot / soft rows [N, C])',
  binary: '{0, 1} labels of the predictions\u2019 shape',
  mask: 'segmentation masks, channels-last: [N, H, W] binary, or class masks / one-hot [N, H, W, C]',
  embeddingLabels: 'one class label per embedding [N]',
  teacherLogits: 'the teacher\u2019s logits, of the student logits\u2019 shape [N, C]',
  view: 'the first view\u2019s embeddings [N, D], row i paired with row i of the second',
  real: 'real-valued targets of the predictions\u2019 shape, [N] or [N, D]',
};

/** What each prediction kind means, for `losskit info`. */
const PREDICTIONS: Partial<Record<LossSpec['prediction'], string>> = {
  logits: 'logits [N, C]',
  binaryLogits: 'one logit per sample [N]',
  probability: 'probabilities',
  score: 'one score per sample [N]',
  embedding: 'embedding rows [N, D]',
  real: 'real-valued predictions [N] or [N, D] (one value per sample: the mean over the last axis)',
};

function table(rows: string[][]): string[] {
  const widths = (rows[0] ?? []).map((_, j) => Math.max(...rows.map((r) => (r[j] ?? '').length)));
  return rows.map((r) => r.map((cell, j) => (j === r.length - 1 ? cell : cell.padEnd(widths[j] as number))).join('  ').trimEnd());
}

export interface ListOptions {
  /** Only this family; `true` groups the list by family. */
  family?: string | boolean;
  task?: string;
}

/**
 * `losskit list`: one line per registered loss (id, family, tasks, summary), optionally filtered by
 * family and task, or grouped by family.
 */
export function formatLossList(specs: readonly LossSpec[], options: ListOptions = {}): string {
  let chosen = [...specs];
  if (typeof options.family === 'string') chosen = chosen.filter((s) => s.family === options.family);
  if (options.task !== undefined) chosen = chosen.filter((s) => s.tasks.includes(options.task as LossSpec['tasks'][number]));
  if (chosen.length === 0) return 'no registered loss matches';
  const row = (s: LossSpec) => [s.id, s.family, s.tasks.join(', ') || '-', s.summary];
  if (options.family === true) {
    const families = [...new Set(chosen.map((s) => s.family))].sort();
    const lines: string[] = [];
    for (const family of families) {
      const members = chosen.filter((s) => s.family === family);
      if (lines.length > 0) lines.push('');
      lines.push(`${family} (${members.length})`, ...table(members.map((s) => [`  ${s.id}`, s.tasks.join(', ') || '-', s.summary])));
    }
    return lines.join('\n');
  }
  return table([['id', 'family', 'tasks', 'summary'], ...chosen.map(row)]).join('\n');
}

function describeParam(param: ParamSpec): [string, string, string] {
  switch (param.kind) {
    case 'number':
      return ['number', String(param.default), describeRange(param).replace(/^an? /, '')];
    case 'boolean':
      return ['boolean', String(param.default), 'true | false'];
    case 'choice':
      return ['choice', param.default, `${param.choices.join(' | ')}${param.allowsFunction ? ' | function (API only)' : ''}`];
    case 'data': {
      const given = param.shape === 'likePrediction' ? 'supplied by the arena' : param.required ? 'required' : 'optional';
      return ['data', param.default === undefined || param.default === null ? '-' : String(param.default), `${param.type} (${given})`];
    }
  }
}

/**
 * `losskit info <id>`: the formula, what the loss takes, its parameters with defaults and ranges,
 * its properties and its paper.
 */
export function formatLossInfo(spec: LossSpec): string {
  const params = Object.entries(spec.params);
  const lines = [
    `${spec.id} (${spec.family}, ${spec.kind === 'factory' ? 'stateful factory' : 'function'})`,
    `  ${spec.summary}`,
    '',
    `formula      ${spec.formula}`,
    `yTrue        ${TARGETS[spec.target] ?? spec.target}`,
    `yPred        ${PREDICTIONS[spec.prediction] ?? spec.prediction}`,
    `tasks        ${spec.tasks.join(', ') || '-'}`,
    `properties   ${spec.properties.join(', ') || '-'}`,
    '',
  ];
  if (params.length === 0) lines.push('parameters   none');
  else {
    lines.push('parameters');
    lines.push(
      ...table([['  name', 'type', 'default', 'range', 'doc'], ...params.map(([name, p]) => [`  ${name}`, ...describeParam(p), p.doc])]),
    );
  }
  lines.push('', `reference    ${spec.reference}`);
  if (spec.seed !== undefined) lines.push(`seed paper   #${spec.seed}`);
  const example = params.find(([, p]) => p.kind === 'number' || p.kind === 'choice');
  const usage = example === undefined ? spec.id : `${spec.id}:${example[0]}=${String((example[1] as { default: unknown }).default)}`;
  lines.push('', `arena        losskit arena --data <file.csv> --target <column> --losses ${usage}`);
  return lines.join('\n');
}
