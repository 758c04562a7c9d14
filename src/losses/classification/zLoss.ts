import * as tf from '@tensorflow/tfjs-core';
import { CLASS_TARGET_PARAMS, classTargets } from '../_shared/class-targets.js';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import type { FunctionLossSpec, NumberParam, ParamSpecs } from '../_shared/spec.js';
import { type TensorInput, toFloat } from '../_shared/to-tensor.js';
import { checkNotEmpty, checkOptions, checkRank } from '../_shared/validate.js';

const EPS_PARAM: NumberParam = { kind: 'number', default: 1e-6, min: 0, exclusiveMin: true, doc: 'added to the variance, so all-equal logits give z = 0' };

export interface ZNormalizeOptions {
  /** Added to the row variance before the square root. @defaultValue `1e-6` */
  eps?: number;
}

/** Row-wise standardisation along the last axis with the population variance (mean of squared deviations). */
function standardize(o: tf.Tensor, eps: number): tf.Tensor {
  const centred = tf.sub(o, tf.mean(o, -1, true));
  const variance = tf.mean(tf.square(centred), -1, true);
  return tf.div(centred, tf.sqrt(tf.add(variance, eps)));
}

/**
 * Z-normalisation of logits, row by row along the last axis:
 *
 *     μ = (1/C) Σ_k o_k,   σ = sqrt((1/C) Σ_k (o_k − μ)² + eps),   z_k = (o_k − μ)/σ
 *
 * The variance is the mean of squared deviations (not E[o²] − μ², which cancels in float32). z is
 * unchanged by o → αo + β for α > 0 as long as the variance dominates eps, and |z_k| <= sqrt(C − 1).
 *
 * @param logits - Scores `[N, C]` (or one row `[C]`).
 * @returns z of the logits' shape.
 *
 * @see A. de Brébisson, P. Vincent, "The Z-loss: a shift and scale invariant classification loss belonging
 * to the Spherical Family", arXiv 2016, https://arxiv.org/abs/1604.08859
 */
function zNormalize_(logits: TensorInput, options: ZNormalizeOptions = {}): tf.Tensor {
  checkOptions('zNormalize', { eps: EPS_PARAM }, options);
  const { eps = 1e-6 } = options;
  const o = toFloat('zNormalize', 'logits', logits);
  checkRank('zNormalize', 'logits', o, [1, 2]);
  checkNotEmpty('zNormalize', 'logits', o);
  return standardize(o, eps);
}

export const zNormalize = /* @__PURE__ */ tf.op({ zNormalize_ });

export interface ZLossOptions extends ReductionOptions {
  /** a > 0: sharpness of the softplus; a → ∞ gives the hinge max(0, b − z_y). @defaultValue `1` */
  a?: number;
  /** b: the margin z_y should exceed; z_y <= sqrt(C − 1), so useful values lie in [1, sqrt(C − 1)]. @defaultValue `1` */
  b?: number;
  /** Added to the row variance, so all-equal logits stay finite. @defaultValue `1e-6` */
  eps?: number;
  /** Class index whose samples get zero loss, zero gradient and leave the mean's denominator. Index labels only. */
  ignoreIndex?: number;
}

const PARAMS: ParamSpecs = {
  a: { kind: 'number', default: 1, min: 0, exclusiveMin: true, doc: 'a: softplus sharpness (paper tunes it in [0.1, 1])' },
  b: { kind: 'number', default: 1, doc: 'b: margin on z_y; |z_y| <= sqrt(C−1), so b in [1, sqrt(C−1)]' },
  eps: EPS_PARAM,
  ignoreIndex: CLASS_TARGET_PARAMS.ignoreIndex as ParamSpecs[string],
};

/**
 * Z-loss (de Brébisson & Vincent): a softplus margin loss on the z-normalised logit of the target class.
 *
 * With z = zNormalize(o) row by row (μ the row mean, σ² the row's population variance plus eps), per sample:
 *
 *     ℓ = (1/a) softplus(a (b − z_y)) = (1/a) log(1 + exp(a (b − z_y)))
 *     ∂ℓ/∂o = −(s/σ) [e_y − (1/C)·1 − (z_y/C)·z],   s = sigmoid(a (b − z_y))
 *
 * Because z is invariant to o → αo + β (α > 0), so are the loss and the direction of its gradient: the
 * logits' scale cannot be inflated to drive the loss down, and the loss depends on o only through o_y,
 * Σ_k o_k and Σ_k o_k² (the spherical family). It saturates once z_y exceeds b by a few 1/a.
 *
 * One-hot or soft targets t give the expectation Σ_c t_c ℓ(z_c), which equals the formula above for
 * one-hot rows. eps keeps all-equal logits (σ = 0) finite: there z = 0 and the gradient has size about
 * 1/sqrt(eps) (1e3 at the default), large but finite. eps makes the scale invariance exact only while the
 * row variance dominates it. Finite in value and gradient for logits of any finite size.
 *
 * @param yTrue - Class indices `[N]` (or `[N, 1]`), or one-hot (or soft) targets `[N, C]`.
 * @param logits - Unnormalised scores `[N, C]`, C >= 2.
 * @returns A scalar, or `[N]` with `reduction: 'none'`.
 *
 * @see A. de Brébisson, P. Vincent, "The Z-loss: a shift and scale invariant classification loss belonging
 * to the Spherical Family", arXiv 2016, https://arxiv.org/abs/1604.08859
 *
 * @example
 * zLoss([0], [[2, 0.5, -1]]).print(); // 0.587075 (z_0 = 1.224745)
 */
function zLoss_(yTrue: TensorInput, logits: TensorInput, options: ZLossOptions = {}): tf.Tensor {
  checkOptions('zLoss', PARAMS, options);
  const { a = 1, b = 1, eps = 1e-6 } = options;
  const { logits: o, targets, sampleWeights } = classTargets('zLoss', yTrue, logits, options);
  const z = standardize(o, eps);
  const perClass = tf.div(tf.softplus(tf.mul(tf.sub(b, z), a)), a);
  return reduce('zLoss', tf.sum(tf.mul(targets, perClass), -1), options, sampleWeights);
}

export const zLoss = /* @__PURE__ */ tf.op({ zLoss_ });

export const zLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: 'zLoss',
  family: 'classification',
  summary: 'Z-loss: softplus margin on the z-normalised target logit, shift- and scale-invariant',
  formula: 'ℓ = softplus(a(b − z_y))/a,  z = (o − mean(o))/sqrt(var(o) + eps)',
  fn: zLoss,
  target: 'classIndex',
  prediction: 'logits',
  tasks: ['binary', 'multiclass'],
  params: PARAMS,
  properties: ['nonNegative', 'shiftInvariant', 'scaleInvariant'],
  reference: 'A. de Brébisson, P. Vincent, "The Z-loss: a shift and scale invariant classification loss belonging to the Spherical Family", arXiv 2016, https://arxiv.org/abs/1604.08859',
  seed: 24,
};
