import * as tf from '@tensorflow/tfjs-core';

/** log σ(x) = −softplus(−x), finite for every finite x (log(sigmoid(x)) is −Infinity below −88). */
export function logSigmoid(x: tf.Tensor): tf.Tensor {
  return tf.neg(tf.softplus(tf.neg(x)));
}

/**
 * Euclidean norm along the last axis whose gradient is 0, not NaN, at the origin.
 * Autodiff of sqrt(Σx²) divides by the norm, so identical embeddings would give NaN; here the square
 * root only ever sees positive values and zero rows are multiplied out afterwards. The 0/1 mask is
 * sign(Σx²), whose gradient tfjs defines (comparisons have none), and no tf.customGrad is used: on
 * the wasm backend its saved tensors are reported as leaked.
 */
export function safeNorm(x: tf.Tensor): tf.Tensor {
  const squared = tf.sum(tf.square(x), -1);
  const nonZero = tf.sign(squared);
  return tf.mul(nonZero, tf.sqrt(tf.add(squared, tf.sub(1, nonZero))));
}

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
