import * as tf from '@tensorflow/tfjs-core';
import { fail, formatShape, formatValue } from './errors.js';
import { REDUCTIONS, type Reduction } from './reduction.js';
import type { NumberParam, ParamSpecs } from './spec.js';

type Range = Pick<NumberParam, 'min' | 'max' | 'exclusiveMin' | 'exclusiveMax' | 'integer'>;

/** The rule a range states, in words: `a finite number > 0 and <= 1`. */
export function describeRange(range: Range): string {
  const parts: string[] = [];
  if (range.min !== undefined) parts.push(`${range.exclusiveMin ? '>' : '>='} ${range.min}`);
  if (range.max !== undefined) parts.push(`${range.exclusiveMax ? '<' : '<='} ${range.max}`);
  const noun = range.integer ? 'an integer' : 'a finite number';
  return parts.length === 0 ? noun : `${noun} ${parts.join(' and ')}`;
}

/** Whether `value` is a number within `range`. */
export function inRange(value: unknown, range: Range): value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  if (range.integer && !Number.isInteger(value)) return false;
  if (range.min !== undefined && (range.exclusiveMin ? value <= range.min : value < range.min)) return false;
  if (range.max !== undefined && (range.exclusiveMax ? value >= range.max : value > range.max)) return false;
  return true;
}

/** Throws unless `value` is a finite number within `range`. */
export function checkNumber(fn: string, name: string, value: unknown, range: Range = {}): number {
  if (!inRange(value, range)) fail(fn, `\`${name}\``, `be ${describeRange(range)}`, formatValue(value));
  return value;
}

/** Keys every loss's options object may hold besides its own parameters. */
const COMMON_OPTIONS = ['reduction', 'weights'];

/**
 * Checks an options object against the parameters a loss declares: unknown keys (typos), numbers
 * out of range, strings outside their choices and non-booleans are errors. `data` parameters are
 * the loss's own to check. `undefined` values count as absent, so defaults apply.
 */
export function checkOptions(fn: string, params: ParamSpecs, options: unknown, extraKeys: readonly string[] = []): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    fail(fn, '`options`', 'be an object', formatValue(options));
  }
  const known = [...Object.keys(params), ...COMMON_OPTIONS, ...extraKeys];
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (key === 'reduction' && !REDUCTIONS.includes(value as Reduction)) {
      fail(fn, '`reduction`', `be one of ${REDUCTIONS.map((r) => `'${r}'`).join(' | ')}`, formatValue(value));
    }
    const param = params[key];
    if (param === undefined) {
      if (!known.includes(key)) fail(fn, 'each option', `be one of ${known.join(', ')}`, `\`${key}\``);
      continue;
    }
    switch (param.kind) {
      case 'number':
        checkNumber(fn, key, value, param);
        break;
      case 'boolean':
        if (typeof value !== 'boolean') fail(fn, `\`${key}\``, 'be true or false', formatValue(value));
        break;
      case 'choice':
        if (!(param.choices.includes(value as string) || (param.allowsFunction && typeof value === 'function'))) {
          const rule = `be one of ${param.choices.map((c) => `'${c}'`).join(' | ')}${param.allowsFunction ? ' or a function' : ''}`;
          fail(fn, `\`${key}\``, rule, formatValue(value));
        }
        break;
      case 'data':
        break;
    }
  }
}

/** Throws unless the tensor's rank is one of `ranks`. */
export function checkRank(fn: string, name: string, t: tf.Tensor, ranks: readonly number[]): void {
  if (!ranks.includes(t.rank)) {
    const rule = ranks.length === 1 ? `have rank ${ranks[0]}` : `have rank ${ranks.slice(0, -1).join(', ')} or ${ranks.at(-1)}`;
    fail(fn, `\`${name}\``, rule, `shape ${formatShape(t.shape)}`);
  }
}

/** Throws unless two tensors have the same shape. */
export function checkSameShape(fn: string, aName: string, a: tf.Tensor, bName: string, b: tf.Tensor): void {
  if (!tf.util.arraysEqual(a.shape, b.shape)) {
    fail(fn, `\`${aName}\` and \`${bName}\``, 'have the same shape', `${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
}

/** Throws unless the tensor holds at least one element. */
export function checkNotEmpty(fn: string, name: string, t: tf.Tensor): void {
  if (t.size === 0) fail(fn, `\`${name}\``, 'hold at least one element', `shape ${formatShape(t.shape)}`);
}

/**
 * Throws unless every value lies in [lo, hi]. NaN passes: data values propagate as in tfjs.
 * Reads the values back, so it is used on targets, which are small and usually on the CPU.
 */
export function checkValuesInRange(fn: string, name: string, t: tf.Tensor, lo: number, hi: number): void {
  const values = t.dataSync();
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v < lo || v > hi) fail(fn, `every value of \`${name}\``, `lie in [${lo}, ${hi}]`, `${v} at flat index ${i}`);
  }
}

/** Throws unless every value is an integer class index in [0, numClasses) or equals `ignoreIndex`. */
export function checkClassIndices(fn: string, name: string, t: tf.Tensor, numClasses: number, ignoreIndex?: number): void {
  const values = t.dataSync();
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v === ignoreIndex) continue;
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
      const rule = `be an integer class index in [0, ${numClasses - 1}]${ignoreIndex === undefined ? '' : ` or ignoreIndex ${ignoreIndex}`}`;
      fail(fn, `every value of \`${name}\``, rule, `${v} at index ${i}`);
    }
  }
}

/** Reads a number-or-array option as a Float32Array of `length` positive finite values. */
export function checkPositiveVector(fn: string, name: string, value: unknown, length: number): Float32Array {
  const arr = value instanceof tf.Tensor ? Array.from(value.dataSync()) : value;
  if (!(Array.isArray(arr) || ArrayBuffer.isView(arr))) fail(fn, `\`${name}\``, `be an array of ${length} numbers`, formatValue(value));
  const list = Array.from(arr as ArrayLike<unknown>);
  if (list.length !== length) fail(fn, `\`${name}\``, `have one entry per class (${length})`, `${list.length} entries`);
  list.forEach((v, i) => {
    if (!inRange(v, { min: 0 })) fail(fn, `\`${name}[${i}]\``, 'be a finite number >= 0', formatValue(v));
  });
  return Float32Array.from(list as number[]);
}
