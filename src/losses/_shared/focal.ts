import * as tf from '@tensorflow/tfjs-core';
import { stopGradient } from './stop-gradient.js';

/**
 * log(1 − p_t) for a sigmoid, where p = σ(z) and p_t = t·p + (1 − t)(1 − p) is the probability
 * given to the (soft) target t ∈ [0, 1], from log σ(z) and log σ(−z) (which the caller has anyway):
 *
 *     1 − p_t = t·σ(−z) + (1 − t)·σ(z)
 *     log(1 − p_t) = logaddexp(log t + log σ(−z), log(1 − t) + log σ(z))
 *
 * Taken in the log domain so that it stays finite (−|z| at worst) where 1 − p_t underflows to 0, at
 * well-classified extreme logits; a term with t = 0 or t = 1 enters as −Infinity and drops out
 * without a NaN, and the logits' gradient is a convex combination of σ(z) and −σ(−z).
 */
export function logOneMinusSigmoidPt(targets: tf.Tensor, logSigmoidZ: tf.Tensor, logSigmoidNegZ: tf.Tensor): tf.Tensor {
  return logAddExp(tf.add(tf.log(targets), logSigmoidNegZ), tf.add(tf.log1p(tf.neg(targets)), logSigmoidZ));
}

/**
 * log(eᵃ + eᵇ) elementwise, for a and b not both −Infinity: m + log(e^(a−m) + e^(b−m)) with
 * m = max(a, b), so that no exponent is positive. The value does not depend on m, so m is held
 * constant: the gradient is the weights e^(a−m) / Σ and e^(b−m) / Σ (½ each at a tie) without a
 * pass through the max. Elementwise, it is several times cheaper than a logsumexp over a stacked axis.
 */
function logAddExp(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const m = stopGradient(tf.maximum(a, b));
  return tf.add(m, tf.log(tf.add(tf.exp(tf.sub(a, m)), tf.exp(tf.sub(b, m)))));
}

/**
 * log(1 − softmax(z)_c) for every class of logits `[N, C]`, C >= 2, finite in value and gradient
 * for logits of any finite size. A class other than the row's arg-max has p_c <= 1/2, where
 * log1p(−p_c) is accurate; for the arg-max class, 1 − p_c is the mass of the other classes,
 * logsumexp_{k≠c} z_k − logsumexp_k z_k, which stays exact when p_c rounds to 1.
 */
export function logOneMinusSoftmax(logits: tf.Tensor2D): tf.Tensor2D {
  const c = logits.shape[1];
  const isMax = tf.cast(tf.oneHot(tf.argMax(logits, -1), c), 'bool');
  const lse = tf.logSumExp(logits, -1, true);
  const lseOthers = tf.logSumExp(tf.where(isMax, tf.fill(logits.shape, -Infinity), logits), -1, true);
  // p is zeroed at the arg-max before log1p so that the branch tf.where discards cannot send −1/0 back.
  const p = tf.where(isMax, tf.zerosLike(logits), tf.exp(tf.sub(logits, lse)));
  return tf.where(isMax, tf.broadcastTo(tf.sub(lseOthers, lse), logits.shape), tf.log1p(tf.neg(p))) as tf.Tensor2D;
}

/** The focal modulating factor (1 − p)^γ taken as exp(γ·log(1 − p)): its gradient stays finite for γ < 1 where 1 − p → 0. */
export function focalFactor(logOneMinusP: tf.Tensor, gamma: number): tf.Tensor {
  return tf.exp(tf.mul(logOneMinusP, gamma));
}
