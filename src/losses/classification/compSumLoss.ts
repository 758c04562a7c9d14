import * as tf from '@tensorflow/tfjs-core';
import { CLASS_TARGET_PARAMS, type ClassTargetOptions, classTargets } from '../_shared/class-targets.js';
import { softTargetNll } from '../_shared/numerics.js';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { checkOptions } from '../_shared/validate.js';

export interface CompSumLossOptions extends ClassTargetOptions, ReductionOptions {
  /**
   * τ >= 0 picks the member of the family: 0 sum-exponential, 1 cross-entropy, 1 + q generalized
   * cross-entropy, 2 mean absolute error 1 − p_y. @defaultValue `1`
   */
  tau?: number;
}

const PARAMS: ParamSpecs = {
  tau: { kind: 'number', default: 1, min: 0, doc: 'τ: 0 sum-exponential, 1 cross-entropy, 1+q generalized CE, 2 MAE (1 − p_y)' },
  ...CLASS_TARGET_PARAMS,
};

/**
 * Largest exponent (1 − τ)·nll handed to expm1 when τ < 1. e^80 ≈ 5.5e34 leaves float32 (max ≈ 3.4e38)
 * room for a sum over a few thousand such samples and for the gradient factor p_y^(τ−1) <= e^80.
 */
export const COMP_SUM_MAX_EXPONENT = 80;

/**
 * The comp-sum transform of per-sample cross-entropies: ℓ_τ = expm1((1 − τ)·nll)/(1 − τ), ℓ_1 = nll.
 * For τ < 1 the exponent is clamped at {@link COMP_SUM_MAX_EXPONENT}.
 */
export function compSumOfNll(nll: tf.Tensor, tau: number): tf.Tensor {
  if (tau === 1) return nll;
  const k = 1 - tau;
  const exponent = tf.mul(nll, k);
  return tf.div(tf.expm1(k > 0 ? tf.minimum(exponent, COMP_SUM_MAX_EXPONENT) : exponent), k);
}

/** Per-sample comp-sum losses with the shared class-target knobs applied, before reduction. */
export interface CompSumTerms {
  /** ℓ_τ per sample `[N]`. */
  losses: tf.Tensor;
  /** The logits `[N, C]` as read (float32). */
  logits: tf.Tensor2D;
  /** Per-sample weights from `classWeights` / `ignoreIndex`, for `reduce`. */
  sampleWeights: tf.Tensor1D | undefined;
}

/**
 * Reads targets and logits under the name `fn` and returns the comp-sum losses of parameter `tau`:
 * the one implementation behind compSumLoss, generalizedCrossEntropy and smoothAdversarialCompSumLoss.
 */
export function compSumTerms(fn: string, yTrue: TensorInput, logits: TensorInput, tau: number, options: ClassTargetOptions): CompSumTerms {
  const { logits: z, targets, sampleWeights } = classTargets(fn, yTrue, logits, options);
  return { losses: compSumOfNll(softTargetNll(targets, z), tau), logits: z, sampleWeights };
}

/**
 * Comp-sum loss of parameter τ (Mao, Mohri & Zhong): the τ-transform of the cross-entropy.
 *
 * With p = softmax(z) and u = Σ_{y'≠y} exp(z_y' − z_y) = 1/p_y − 1, per sample:
 *
 *     ℓ_τ = Φ_τ(u) = ((1 + u)^(1−τ) − 1)/(1 − τ)                   τ >= 0, τ ≠ 1
 *     ℓ_1 = log(1 + u)
 *
 * computed through the cross-entropy nll = logsumexp(z) − z_y = log(1 + u):
 *
 *     ℓ_τ = expm1(min((1 − τ)·nll, 80)) / (1 − τ),    ℓ_1 = nll
 *     ∂ℓ_τ/∂z = p_y^(τ−1) (p − e_y)
 *
 * Special cases: τ = 0 is the sum-exponential loss Σ_{y'≠y} e^(z_y' − z_y); τ = 1 the cross-entropy;
 * τ = 1 + q, q ∈ (0, 1], the generalized cross-entropy (1 − p_y^q)/q; τ = 2 the mean absolute error
 * 1 − p_y; τ > 2 the bounded (1 − p_y^(τ−1))/(τ − 1).
 *
 * The gradient is the cross-entropy's reweighted per sample by p_y^(τ−1): τ < 1 stresses hard samples,
 * τ > 1 discounts them, which makes the loss robust to label noise and slower to fit many classes.
 *
 * Soft or smoothed targets t enter through the soft cross-entropy nll = −Σ_c t_c log p_c, so for them
 * ℓ_τ is the τ-transform of the soft cross-entropy (for τ = 2: 1 − Π_c p_c^(t_c)), which equals the
 * formula above for one-hot targets.
 *
 * Numerics: finite for logits of any finite size. For τ < 1 the exponent (1 − τ)·nll is clamped at 80,
 * which only acts once p_y < e^(−80/(1−τ)): there the value is the constant e^80 − 1 over (1 − τ)
 * (about 5.5e34 at τ = 0) and the sample's gradient is 0. For τ >= 1 no clamp is needed.
 *
 * @param yTrue - Class indices `[N]` (or `[N, 1]`), or one-hot / soft targets `[N, C]`.
 * @param logits - Unnormalised scores `[N, C]`, C >= 2.
 * @returns A scalar, or `[N]` with `reduction: 'none'`.
 *
 * @see A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
 * ICML 2023, https://arxiv.org/abs/2304.07288
 *
 * @example
 * compSumLoss([0], [[2, 0.5, -1]], { tau: 0 }).print(); // 0.272917 = e^(−1.5) + e^(−3)
 */
function compSumLoss_(yTrue: TensorInput, logits: TensorInput, options: CompSumLossOptions = {}): tf.Tensor {
  checkOptions('compSumLoss', PARAMS, options);
  const { tau = 1 } = options;
  const { losses, sampleWeights } = compSumTerms('compSumLoss', yTrue, logits, tau, options);
  return reduce('compSumLoss', losses, options, sampleWeights);
}

export const compSumLoss = /* @__PURE__ */ tf.op({ compSumLoss_ });

export const compSumLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: 'compSumLoss',
  family: 'classification',
  summary: 'Comp-sum family of parameter τ: sum-exponential, cross-entropy, generalized CE, MAE',
  formula: 'ℓ_τ = ((1/p_y)^(1−τ) − 1)/(1 − τ) = expm1((1−τ)·CE)/(1−τ), ℓ_1 = CE = −log p_y',
  fn: compSumLoss,
  target: 'classIndex',
  prediction: 'logits',
  tasks: ['binary', 'multiclass'],
  params: PARAMS,
  properties: ['nonNegative', 'shiftInvariant'],
  reference: 'A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023, https://arxiv.org/abs/2304.07288',
  seed: 2,
};
