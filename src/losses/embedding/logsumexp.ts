import * as tf from '@tensorflow/tfjs-core';
import { repeatColumns } from './distances.js';

/**
 * Row maxima `[rows]` as a constant of the gradient: computed in the forward pass of a custom-gradient
 * op, so neither the maximum nor its (zero) gradient is recorded on the tape.
 */
const detachedRowMax: (x: tf.Tensor) => tf.Tensor = tf.customGrad((x) => ({
  value: tf.max(x as tf.Tensor, 1),
  gradFunc: () => [tf.zerosLike(x as tf.Tensor)],
})) as (x: tf.Tensor) => tf.Tensor;

/**
 * Row-wise log-sum-exp over the entries a (constant, label-derived) count matrix keeps, each entry
 * counted as often as its count says, `[rows]`:
 *
 *     lse_i = log( [1 +] Σ_j c_ij exp(z_ij) )        over c_ij > 0
 *
 * With `addOne` the sum includes exp(0) = 1 (pytorch-metric-learning's `logsumexp(..., add_one=True)`);
 * without it, a row that keeps nothing gives 0, as there. Excluded entries are replaced by −∞
 * before the exponential, so neither they nor their gradient can overflow, and the shift by the row
 * maximum is a constant of the gradient.
 */
export function maskedLogSumExp(z: tf.Tensor2D, counts: tf.Tensor2D, addOne: boolean): tf.Tensor1D {
  const keep = tf.greater(counts, 0);
  const rowHas = tf.any(keep, 1);
  const masked = tf.where(keep, z, tf.fill(z.shape, Number.NEGATIVE_INFINITY));
  const rowMax = detachedRowMax(masked);
  const shift = addOne ? tf.maximum(rowMax, 0) : tf.where(rowHas, rowMax, tf.zerosLike(rowMax));
  const terms = tf.sum(tf.mul(counts, tf.exp(tf.sub(masked, repeatColumns(shift, z.shape[1])))), 1);
  const total = addOne ? tf.add(terms, tf.exp(tf.neg(shift))) : tf.add(terms, tf.sub(1, tf.cast(rowHas, 'float32')));
  return tf.add(shift, tf.log(total)) as tf.Tensor1D;
}
