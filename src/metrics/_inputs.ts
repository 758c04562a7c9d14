import * as tf from '@tensorflow/tfjs-core';
import { fail, formatShape, formatValue } from '../losses/_shared/errors.js';
import type { ParamSpecs } from '../losses/_shared/spec.js';
import type { TensorInput } from '../losses/_shared/to-tensor.js';
import { checkNumber } from '../losses/_shared/validate.js';

/**
 * Input reading shared by the metrics. Metrics compute in float64 JavaScript: tensors are read once
 * with `dataSync` and never kept, arrays and typed arrays are read as they are (no float32 round trip).
 */

/** A data argument read into float64: its values in row-major order and its shape. */
export interface NumericArray {
  values: Float64Array;
  shape: number[];
}

type ArrayLikeNumbers = ArrayLike<number> & { length: number };

function isNumberView(x: unknown): x is ArrayLikeNumbers {
  return ArrayBuffer.isView(x) && !(x instanceof DataView) && !(x instanceof BigInt64Array) && !(x instanceof BigUint64Array);
}

function isListLike(x: unknown): x is ArrayLike<unknown> {
  return Array.isArray(x) || isNumberView(x);
}

/** Reads a Tensor, number, nested array or typed array into float64 values and a shape. */
export function readArray(fn: string, name: string, x: TensorInput): NumericArray {
  if (x instanceof tf.Tensor) {
    if (x.dtype === 'string' || x.dtype === 'complex64') {
      fail(fn, `\`${name}\``, 'have a numeric dtype (float32, int32 or bool)', `${x.dtype} tensor`);
    }
    return { values: new Float64Array(x.dataSync() as ArrayLikeNumbers), shape: x.shape.slice() };
  }
  if (typeof x === 'number' || typeof x === 'boolean') return { values: Float64Array.of(Number(x)), shape: [] };
  if (isNumberView(x)) return { values: new Float64Array(x), shape: [x.length] };
  if (!Array.isArray(x)) return fail(fn, `\`${name}\``, 'be a Tensor, number or numeric array', formatValue(x));

  const shape: number[] = [];
  let first: unknown = x;
  while (isListLike(first)) {
    shape.push(first.length);
    if (first.length === 0) break;
    first = first[0];
  }
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float64Array(size);
  let k = 0;
  // The index of the node being read; copied only into an error message.
  const at: number[] = [];
  const walk = (node: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (typeof node === 'number' || typeof node === 'boolean') {
        values[k++] = Number(node);
        return;
      }
      fail(fn, `every value of \`${name}\``, 'be a number', `${formatValue(node)} at index ${formatShape(at.slice(0, depth))}`);
    }
    const expected = shape[depth] as number;
    if (!isListLike(node) || node.length !== expected) {
      const got = isListLike(node) ? `length ${node.length}` : formatValue(node);
      fail(fn, `\`${name}\``, `be a rectangular array of shape ${formatShape(shape)}`, `${got} at index ${formatShape(at.slice(0, depth))}`);
    }
    for (let i = 0; i < expected; i++) {
      at[depth] = i;
      walk(node[i], depth + 1);
    }
  };
  walk(x, 0);
  return { values, shape };
}

/**
 * Checks an options object against the parameters a metric declares: unknown keys, numbers out of
 * range, strings outside their choices and non-booleans are errors; `undefined` counts as absent.
 * (Metrics take no `reduction` or `weights`, so the losses' `checkOptions` is not used.)
 */
export function checkMetricOptions(fn: string, params: ParamSpecs, options: unknown): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) fail(fn, '`options`', 'be an object', formatValue(options));
  const known = Object.keys(params);
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const param = params[key];
    if (param === undefined) {
      fail(fn, 'each option', known.length === 0 ? 'be absent (this metric takes no options)' : `be one of ${known.join(', ')}`, `\`${key}\``);
    }
    switch (param.kind) {
      case 'number':
        checkNumber(fn, key, value, param);
        break;
      case 'boolean':
        if (typeof value !== 'boolean') fail(fn, `\`${key}\``, 'be true or false', formatValue(value));
        break;
      case 'choice':
        if (!param.choices.includes(value as string)) {
          fail(fn, `\`${key}\``, `be one of ${param.choices.map((c) => `'${c}'`).join(' | ')}`, formatValue(value));
        }
        break;
      case 'data':
        if (typeof value !== 'number' || !Number.isFinite(value)) fail(fn, `\`${key}\``, 'be a finite number', formatValue(value));
        break;
    }
  }
}

/** Whether the array is a column: `[N]` or `[N, 1]`. */
export function isColumn(a: NumericArray): boolean {
  return a.shape.length === 1 || (a.shape.length === 2 && a.shape[1] === 1);
}

/** Rows of a `[N]`, `[N, 1]` or `[N, C]` array. */
export function rows(a: NumericArray): number {
  return a.shape[0] as number;
}

/** Throws unless the array holds at least one element. */
export function checkNotEmpty(fn: string, name: string, a: NumericArray): void {
  if (a.values.length === 0) fail(fn, `\`${name}\``, 'hold at least one element', `shape ${formatShape(a.shape)}`);
}

/** Throws unless `yTrue`-like labels have shape `[N]` or `[N, 1]` and are not empty. */
export function checkLabelShape(fn: string, name: string, a: NumericArray): void {
  if (!isColumn(a)) fail(fn, `\`${name}\``, 'hold class labels of shape [N] or [N,1]', `shape ${formatShape(a.shape)}`);
  checkNotEmpty(fn, name, a);
}

/** Throws unless the two arrays have as many rows (`the same length` when both are vectors). */
export function checkSameRows(fn: string, aName: string, a: NumericArray, bName: string, b: NumericArray): void {
  if (a.shape[0] !== b.shape[0]) {
    const rule = a.shape.length === 1 && b.shape.length === 1 ? 'have the same length' : 'have the same number of rows';
    fail(fn, `\`${aName}\` and \`${bName}\``, rule, `${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
}

/** Throws unless every value is a non-negative integer (a class label), below `numClasses` when given. */
export function checkClassLabels(fn: string, name: string, values: Float64Array, numClasses?: number): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isInteger(v) || v < 0 || (numClasses !== undefined && v >= numClasses)) {
      const rule = numClasses === undefined ? 'be a non-negative integer class label' : `be an integer class index in [0, ${numClasses - 1}]`;
      fail(fn, `every value of \`${name}\``, rule, `${v} at index ${i}`);
    }
  }
}

/** Throws unless every value is 0 or 1; `why` explains, in the message, why labels must be binary. */
export function checkBinaryLabels(fn: string, name: string, values: Float64Array, why = ''): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v !== 0 && v !== 1) fail(fn, `every value of \`${name}\``, `be 0 or 1${why}`, `${v} at index ${i}`);
  }
}

/** Throws on a NaN value: a NaN score can be neither ranked nor compared with a threshold. */
export function checkNoNaN(fn: string, name: string, values: Float64Array): void {
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) fail(fn, `every value of \`${name}\``, 'be a number, not NaN', `NaN at flat index ${i}`);
  }
}

/** Throws unless every value is finite (regression targets and predictions). */
export function checkFinite(fn: string, name: string, values: Float64Array): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) fail(fn, `every value of \`${name}\``, 'be finite', `${v} at flat index ${i}`);
  }
}

/** Throws unless every value is a probability in [0, 1] (NaN included in the failures). */
export function checkProbabilities(fn: string, name: string, values: Float64Array): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!(v >= 0 && v <= 1)) {
      fail(fn, `every value of \`${name}\``, 'lie in [0, 1] (probabilities: apply a sigmoid or softmax to logits first)', `${v} at flat index ${i}`);
    }
  }
}

/** Row-wise argmax of an `[N, C]` array; the first maximum wins on ties, as `numpy.argmax`. */
export function argmaxRows(values: Float64Array, n: number, c: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestValue = values[i * c] as number;
    for (let j = 1; j < c; j++) {
      const v = values[i * c + j] as number;
      if (v > bestValue) {
        best = j;
        bestValue = v;
      }
    }
    out[i] = best;
  }
  return out;
}

/** Hard labels and predicted classes of a classification metric, checked and of equal length. */
export interface HardPredictions {
  yTrue: Float64Array;
  yPred: Float64Array;
  /** Columns of `yPred` when it held score rows `[N, C]` (then every label is below it). */
  columns: number | undefined;
}

/**
 * Reads `(yTrue, yPred)` for the metrics of hard predictions. `yTrue` holds integer labels `[N]`
 * (or `[N, 1]`). `yPred` holds predicted labels `[N]` / `[N, 1]`, or score / probability rows
 * `[N, C]` that become their argmax, or, with `threshold`, scores `[N]` that become
 * `score > threshold ? 1 : 0`. Nothing is guessed from the values.
 */
export function readHardPredictions(fn: string, yTrue: TensorInput, yPred: TensorInput, threshold: number | undefined): HardPredictions {
  const t = readArray(fn, 'yTrue', yTrue);
  const p = readArray(fn, 'yPred', yPred);
  checkLabelShape(fn, 'yTrue', t);
  if (p.shape.length !== 1 && p.shape.length !== 2) fail(fn, '`yPred`', 'have shape [N], [N,1] or [N,C]', `shape ${formatShape(p.shape)}`);
  checkNotEmpty(fn, 'yPred', p);
  checkSameRows(fn, 'yTrue', t, 'yPred', p);
  const n = rows(t);
  checkClassLabels(fn, 'yTrue', t.values);
  let columns: number | undefined;
  let predicted: Float64Array;
  if (isColumn(p)) {
    if (threshold === undefined) {
      const bad = p.values.findIndex((v) => !Number.isInteger(v) || v < 0);
      if (bad >= 0) fail(fn, 'every value of `yPred`', 'be a non-negative integer class label (pass `threshold` to read scores)', `${p.values[bad]} at index ${bad}`);
      predicted = p.values;
    } else {
      checkNoNaN(fn, 'yPred', p.values);
      predicted = p.values.map((s) => (s > threshold ? 1 : 0));
    }
  } else {
    if (threshold !== undefined) fail(fn, '`threshold`', 'be used with scores of shape [N] or [N,1]', `\`yPred\` of shape ${formatShape(p.shape)}`);
    columns = p.shape[1] as number;
    checkNoNaN(fn, 'yPred', p.values);
    predicted = new Float64Array(argmaxRows(p.values, n, columns));
  }
  if (columns !== undefined) checkClassLabels(fn, 'yTrue', t.values, columns);
  return { yTrue: t.values, yPred: predicted, columns };
}
