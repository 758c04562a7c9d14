import * as tf from '@tensorflow/tfjs-core';
import { fail, formatShape } from '../_shared/errors.js';
import { type TensorInput, toFloat } from '../_shared/to-tensor.js';
import { checkNotEmpty } from '../_shared/validate.js';

const NAME = 'diagGaussianKL';

/**
 * KL divergence between two diagonal Gaussians given by means and log-variances, summed over the
 * latent dimensions, per sample: the latent term of the probabilistic U-Net objective, KL between
 * the posterior q(z | x, y) and the prior p(z | x) (PULASki's `kl_divergence(posterior, prior).sum()`
 * before the sum over the batch).
 *
 * For each sample, over the latent dimensions d (σ² = exp(logvar)):
 *
 *     KL(q ‖ p) = ½ Σ_d [ logvarP_d − logvarQ_d + exp(logvarQ_d − logvarP_d)
 *                         + (μQ_d − μP_d)² · exp(−logvarP_d) − 1 ]
 *
 * It is >= 0 and 0 exactly when the two Gaussians coincide; it pulls the posterior toward the
 * prior (and the prior toward the posterior, when both are learnt), which is what keeps the
 * latent space of the prior usable for sampling at test time. Written with differences of the
 * log-variances, so no variance is formed; values stay finite while |logvar| < ~80 (float32).
 *
 * @param muQ - Means of q, `[B, ...]` (e.g. `[B, L]`; latent maps `[B, H, W, L]` are summed too),
 *   or `[L]` for one sample.
 * @param logvarQ - Log-variances of q, the same shape.
 * @param muP - Means of p, the same shape.
 * @param logvarP - Log-variances of p, the same shape.
 * @returns `[B]`, summed over every axis but the first (a scalar for `[L]`): no reduction.
 *
 * @example
 * // N(1, 1) against N(0, 1): ½(1 − 0)² = 0.5
 * diagGaussianKL([[1]], [[0]], [[0]], [[0]]).print(); // [0.5]
 *
 * @see S. A. A. Kohl et al., A Probabilistic U-Net for Segmentation of Ambiguous Images, NeurIPS
 * 2018, https://arxiv.org/abs/1806.05034; S. Chatterjee et al., PULASki, Medical Image Analysis
 * 2025, https://arxiv.org/abs/2312.15686
 */
function diagGaussianKL_(muQ: TensorInput, logvarQ: TensorInput, muP: TensorInput, logvarP: TensorInput): tf.Tensor {
  const inputs = { muQ, logvarQ, muP, logvarP };
  const [mq, lq, mp, lp] = Object.entries(inputs).map(([name, v]) => toFloat(NAME, name, v)) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
  for (const [name, t] of [['logvarQ', lq], ['muP', mp], ['logvarP', lp]] as const) {
    if (!tf.util.arraysEqual(t.shape, mq.shape)) fail(NAME, `\`muQ\` and \`${name}\``, 'have the same shape', `${formatShape(mq.shape)} and ${formatShape(t.shape)}`);
  }
  if (mq.rank === 0) fail(NAME, '`muQ`', 'have shape [B, L] (or [L] for one sample)', 'a scalar');
  checkNotEmpty(NAME, 'muQ', mq);
  const logRatio = tf.sub(lq, lp);
  const terms = tf.add(tf.sub(tf.exp(logRatio), logRatio), tf.sub(tf.mul(tf.square(tf.sub(mq, mp)), tf.exp(tf.neg(lp))), 1));
  const axes = mq.rank === 1 ? [0] : Array.from({ length: mq.rank - 1 }, (_, i) => i + 1);
  return tf.mul(0.5, tf.sum(terms, axes));
}

export const diagGaussianKL = /* @__PURE__ */ tf.op({ diagGaussianKL_ });
