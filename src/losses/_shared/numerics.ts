import * as tf from '@tensorflow/tfjs-core';

/** log σ(x) = −softplus(−x), finite for every finite x (log(sigmoid(x)) is −Infinity below −88). */
export function logSigmoid(x: tf.Tensor): tf.Tensor {
  return tf.neg(tf.softplus(tf.neg(x)));
}

/**
 * Euclidean norm along the last axis whose gradient is 0, not NaN, at the origin.
 * Autodiff of sqrt(Σx²) divides by the norm, so identical embeddings would give NaN.
 */
export const safeNorm: (x: tf.Tensor) => tf.Tensor = tf.customGrad((x, save) => {
  const $x = x as tf.Tensor;
  const norm = tf.norm($x, 'euclidean', -1, true);
  (save as tf.GradSaveFunc)([$x, norm]);
  return {
    value: tf.squeeze(norm, [-1]),
    gradFunc: (dy, saved) => {
      const [xs, n] = saved as [tf.Tensor, tf.Tensor];
      const safe = tf.where(tf.equal(n, 0), tf.onesLike(n), n);
      return [tf.mul(tf.expandDims(dy as tf.Tensor, -1), tf.div(xs, safe))];
    },
  };
}) as (x: tf.Tensor) => tf.Tensor;

/**
 * log softmax along the last axis, z − logsumexp(z). Written out rather than tf.logSoftmax, whose
 * custom gradient leaks a tensor on the wasm backend.
 */
export function logSoftmax(logits: tf.Tensor): tf.Tensor {
  return tf.sub(logits, tf.logSumExp(logits, -1, true));
}

/** Row-wise negative log-likelihood of soft targets: −Σ_c t_c log softmax(z)_c, shape [N]. */
export function softTargetNll(targets: tf.Tensor, logits: tf.Tensor): tf.Tensor {
  return tf.neg(tf.sum(tf.mul(targets, logSoftmax(logits)), -1));
}
