import * as tf from '@tensorflow/tfjs-core';

/**
 * Row selection and row accumulation with gradients that cost O(rows × columns). tf.gather's own
 * gradient is a segment sum, which the cpu backend computes one segment at a time (O(segments × rows
 * × columns)); here each is the other's gradient: the gradient of gathering rows is adding them back
 * with tf.scatterND (which sums repeated indices), and the gradient of that is gathering.
 */

/** The rows `x[idx[k]]`, `[t, D]`. */
export function gatherRows(x: tf.Tensor2D, idx: Int32Array): tf.Tensor2D {
  const [n, d] = x.shape;
  const op = tf.customGrad((input) => ({
    value: tf.gather(input as tf.Tensor, tf.tensor1d(idx, 'int32')),
    gradFunc: (dy) => [idx.length === 0 ? tf.zeros([n, d]) : tf.scatterND(tf.tensor2d(idx, [idx.length, 1], 'int32'), dy as tf.Tensor, [n, d])],
  }));
  return op(x) as tf.Tensor2D;
}

/** `out[i] = Σ_{k: idx[k] = i} values[k]`, `[n, K]` from values `[t, K]`. */
export function sumRows(values: tf.Tensor2D, idx: Int32Array, n: number): tf.Tensor2D {
  const k = values.shape[1];
  const op = tf.customGrad((input) => ({
    value: idx.length === 0 ? tf.zeros([n, k]) : tf.scatterND(tf.tensor2d(idx, [idx.length, 1], 'int32'), input as tf.Tensor, [n, k]),
    gradFunc: (dy) => [tf.gather(dy as tf.Tensor, tf.tensor1d(idx, 'int32'))],
  }));
  return op(values) as tf.Tensor2D;
}
