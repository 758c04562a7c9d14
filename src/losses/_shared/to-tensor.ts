import * as tf from '@tensorflow/tfjs-core';
import { fail, formatValue } from './errors.js';

/** What every loss and metric accepts for a data argument. */
export type TensorInput = tf.Tensor | tf.TensorLike;

function isNumericArray(x: unknown): boolean {
  if (typeof x === 'number' || typeof x === 'boolean') return true;
  if (ArrayBuffer.isView(x)) return true;
  if (!Array.isArray(x)) return false;
  // Nested arrays: checking the first leaf is enough for the type; tf.tensor checks raggedness.
  let first: unknown = x;
  while (Array.isArray(first) && first.length > 0) first = first[0];
  return Array.isArray(first) || typeof first === 'number' || typeof first === 'boolean' || ArrayBuffer.isView(first);
}

/**
 * Converts a data argument to a float32 (or int32) tensor. tfjs-core does not export its own
 * `convertToTensor`, so this is the library's single stand-in. Tensors pass through untouched;
 * arrays become new tensors, which the caller disposes (losses run inside `tf.op`, which does).
 */
export function toTensor(fn: string, name: string, x: TensorInput): tf.Tensor {
  if (x instanceof tf.Tensor) {
    if (x.dtype === 'string' || x.dtype === 'complex64') {
      fail(fn, `\`${name}\``, 'have a numeric dtype (float32, int32 or bool)', `${x.dtype} tensor`);
    }
    return x;
  }
  if (!isNumericArray(x)) fail(fn, `\`${name}\``, 'be a Tensor, number or numeric array', formatValue(x));
  try {
    return tf.tensor(x as tf.TensorLike);
  } catch (error) {
    return fail(fn, `\`${name}\``, 'be a rectangular numeric array', `an array tfjs cannot read (${(error as Error).message})`);
  }
}

/** `toTensor` followed by a cast to float32, for predictions and soft targets. */
export function toFloat(fn: string, name: string, x: TensorInput): tf.Tensor {
  const t = toTensor(fn, name, x);
  return t.dtype === 'float32' ? t : tf.cast(t, 'float32');
}
