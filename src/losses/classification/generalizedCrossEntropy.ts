import * as tf from '@tensorflow/tfjs-core';
import { CLASS_TARGET_PARAMS, type ClassTargetOptions } from '../_shared/class-targets.js';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { checkOptions } from '../_shared/validate.js';
import { compSumTerms } from './compSumLoss.js';

export interface GeneralizedCrossEntropyOptions extends ClassTargetOptions, ReductionOptions {
  /** q ∈ (0, 1]: q → 0 approaches the cross-entropy, q = 1 is the mean absolute error 1 − p_y. @defaultValue `0.7` */
  q?: number;
}

const PARAMS: ParamSpecs = {
  q: { kind: 'number', default: 0.7, min: 0, exclusiveMin: true, max: 1, doc: 'q: → 0 cross-entropy, 1 MAE (1 − p_y)' },
  ...CLASS_TARGET_PARAMS,
};

/**
 * Generalized cross-entropy (Zhang & Sabuncu), the comp-sum loss of parameter τ = 1 + q.
 *
 * With p = softmax(z) and nll = logsumexp(z) − z_y = −log p_y, per sample:
 *
 *     ℓ_q = (1 − p_y^q)/q = −expm1(−q·nll)/q
 *     ∂ℓ_q/∂z = p_y^q (p − e_y)
 *
 * It is bounded by 1/q, so a mislabelled sample with p_y → 0 adds at most 1/q and a vanishing gradient:
 * the loss interpolates between the cross-entropy (q → 0) and the noise-robust MAE (q = 1).
 * Computed by the comp-sum implementation with τ = 1 + q (see compSumLoss), so soft or smoothed targets
 * enter through the soft cross-entropy, and the value is finite for logits of any finite size.
 *
 * @param yTrue - Class indices `[N]` (or `[N, 1]`), or one-hot / soft targets `[N, C]`.
 * @param logits - Unnormalised scores `[N, C]`, C >= 2.
 * @returns A scalar, or `[N]` with `reduction: 'none'`.
 *
 * @see Z. Zhang, M. R. Sabuncu, "Generalized Cross Entropy Loss for Training Deep Neural Networks with
 * Noisy Labels", NeurIPS 2018, https://arxiv.org/abs/1805.07836
 * @see A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
 * ICML 2023, https://arxiv.org/abs/2304.07288 (the comp-sum family it belongs to)
 *
 * @example
 * generalizedCrossEntropy([0], [[2, 0.5, -1]], { q: 1 }).print(); // 0.214403 = 1 − p_0
 */
function generalizedCrossEntropy_(yTrue: TensorInput, logits: TensorInput, options: GeneralizedCrossEntropyOptions = {}): tf.Tensor {
  checkOptions('generalizedCrossEntropy', PARAMS, options);
  const { q = 0.7 } = options;
  const { losses, sampleWeights } = compSumTerms('generalizedCrossEntropy', yTrue, logits, 1 + q, options);
  return reduce('generalizedCrossEntropy', losses, options, sampleWeights);
}

export const generalizedCrossEntropy = /* @__PURE__ */ tf.op({ generalizedCrossEntropy_ });

export const generalizedCrossEntropySpec: FunctionLossSpec = {
  kind: 'function',
  id: 'generalizedCrossEntropy',
  family: 'classification',
  summary: 'Generalized cross-entropy (1 − p_y^q)/q, robust to label noise; comp-sum with τ = 1 + q',
  formula: 'ℓ = (1 − p_y^q)/q,  p = softmax(z)',
  fn: generalizedCrossEntropy,
  target: 'classIndex',
  prediction: 'logits',
  tasks: ['binary', 'multiclass'],
  params: PARAMS,
  properties: ['nonNegative', 'shiftInvariant'],
  reference: 'Z. Zhang, M. R. Sabuncu, "Generalized Cross Entropy Loss for Training Deep Neural Networks with Noisy Labels", NeurIPS 2018, https://arxiv.org/abs/1805.07836',
  seed: 2,
};
