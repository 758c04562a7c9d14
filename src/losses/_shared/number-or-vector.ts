import * as tf from '@tensorflow/tfjs-core';
import { fail, formatValue } from './errors.js';
import { checkNumber, describeRange, inRange } from './validate.js';

type Range = Parameters<typeof describeRange>[0];

/**
 * Reads an option that is either one number or one number per class / column (a scalar
 * `posWeight` or a `[K]` one, a scalar focal `alpha` or a per-class one). A rank-0 tensor counts
 * as a number; arrays, typed arrays and rank-1 tensors must hold `length` values within `range`.
 * `unit` names what the entries stand for in the message ('class', 'column').
 */
export function checkNumberOrVector(fn: string, name: string, value: unknown, length: number, range: Range, unit: string): number | Float32Array {
  if (value instanceof tf.Tensor && value.rank === 0) return checkNumber(fn, name, value.dataSync()[0], range);
  if (typeof value === 'number') return checkNumber(fn, name, value, range);
  const arr = value instanceof tf.Tensor && value.rank === 1 ? Array.from(value.dataSync()) : value;
  if (!(Array.isArray(arr) || (ArrayBuffer.isView(arr) && !(arr instanceof DataView)))) {
    fail(fn, `\`${name}\``, `be a number or an array of numbers, one per ${unit} (${length})`, value instanceof tf.Tensor ? `a tensor of rank ${value.rank}` : formatValue(value));
  }
  const list = Array.from(arr as ArrayLike<unknown>);
  if (list.length !== length) fail(fn, `\`${name}\``, `have one entry per ${unit} (${length})`, `${list.length} entries`);
  list.forEach((v, i) => {
    if (!inRange(v, range)) fail(fn, `\`${name}[${i}]\``, `be ${describeRange(range)}`, formatValue(v));
  });
  return Float32Array.from(list as number[]);
}
