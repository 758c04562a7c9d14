import type * as tf from '@tensorflow/tfjs-core';
import { fail } from './errors.js';

/**
 * Reads hard binary labels: throws unless every value is exactly 0 or 1 (soft values and NaN
 * included), for losses that split a batch into positives and negatives. Returns the values.
 */
export function checkHardBinary(fn: string, name: string, t: tf.Tensor): Float32Array | Int32Array | Uint8Array {
  const values = t.dataSync() as Float32Array | Int32Array | Uint8Array;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v !== 0 && v !== 1) fail(fn, `every value of \`${name}\``, 'be 0 or 1', `${v} at flat index ${i}`);
  }
  return values;
}

/** Throws unless every value is an integer (ids of groups, queries, segments). Returns the values. */
export function checkIntegerValues(fn: string, name: string, t: tf.Tensor): Float32Array | Int32Array | Uint8Array {
  const values = t.dataSync() as Float32Array | Int32Array | Uint8Array;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isInteger(v)) fail(fn, `every value of \`${name}\``, 'be an integer', `${v} at flat index ${i}`);
  }
  return values;
}
