import * as tf from '@tensorflow/tfjs-core';
import { CLASS_TARGET_PARAMS, type ClassTargetOptions } from '../_shared/class-targets.js';
import { fail, formatValue } from '../_shared/errors.js';
import { safeNorm } from '../_shared/numerics.js';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import { type TensorInput, toFloat } from '../_shared/to-tensor.js';
import { checkOptions, checkSameShape } from '../_shared/validate.js';
import { compSumTerms } from './compSumLoss.js';

export interface SmoothAdversarialCompSumLossOptions extends ClassTargetOptions, ReductionOptions {
  /** Logits of the adversarial inputs `[N, C]`, the logits' shape; computed by the caller (e.g. PGD on the inputs). */
  adversarialLogits: TensorInput;
  /** τ of the comp-sum term (see compSumLoss). @defaultValue `1` */
  tau?: number;
  /** ν >= 0, weight of the smoothness penalty. @defaultValue `1` */
  nu?: number;
  /** Norm of the penalty: `'l2'` is ‖Δ‖₂, `'squaredL2'` is ‖Δ‖₂². @defaultValue `'l2'` */
  penalty?: 'l2' | 'squaredL2';
}

const PARAMS: ParamSpecs = {
  adversarialLogits: {
    kind: 'data',
    type: "number[][] (the logits' shape)",
    required: true,
    shape: 'likePrediction',
    doc: 'logits of adversarially perturbed inputs, computed by the caller (e.g. PGD)',
  },
  tau: { kind: 'number', default: 1, min: 0, doc: 'τ of the comp-sum term: 0 sum-exp, 1 CE, 1+q GCE, 2 MAE' },
  nu: { kind: 'number', default: 1, min: 0, doc: 'ν: weight of the penalty on ‖adversarialLogits − logits‖' },
  penalty: { kind: 'choice', default: 'l2', choices: ['l2', 'squaredL2'], doc: "norm of the penalty: 'l2' ‖Δ‖₂ or 'squaredL2' ‖Δ‖₂²" },
  ...CLASS_TARGET_PARAMS,
};

/**
 * Smooth adversarial comp-sum loss (Mao, Mohri & Zhong): a comp-sum loss on the clean logits plus a
 * penalty on how far the adversarial logits move from them.
 *
 * With z the logits of x, z' = adversarialLogits the logits of a perturbed x' (‖x' − x‖_p <= γ, chosen by
 * the caller to maximise the change), and ℓ_τ the comp-sum loss (see compSumLoss), per sample:
 *
 *     ℓ = ℓ_τ(z, y) + ν ‖z' − z‖₂          penalty 'l2' (default)
 *     ℓ = ℓ_τ(z, y) + ν ‖z' − z‖₂²         penalty 'squaredL2'
 *
 * The penalty is the smooth surrogate of the adversarial part of the robust 0-1 loss: it pulls the
 * scores of a neighbourhood of x together, as TRADES does with a KL term, while the comp-sum term fits
 * the clean label. Gradients flow into both z and z', so both may come from the model being trained.
 * The caller produces z' (e.g. by projected gradient ascent on the inputs); the loss never sees inputs.
 *
 * Unverified: the paper's abstract only says the smooth term is "related" to the comp-sum loss. The
 * form above (ν times the L2 norm of the full score difference) is recalled, not read from the paper;
 * it may instead use the squared norm or the vector of score differences, so the norm is an option.
 * Class weights and ignored samples weigh the whole per-sample value, penalty included.
 *
 * Numerics: the L2 norm has a gradient of 0, not NaN, where z' = z; finite for logits of any finite size.
 *
 * @param yTrue - Class indices `[N]` (or `[N, 1]`), or one-hot / soft targets `[N, C]`.
 * @param logits - Unnormalised scores of the clean inputs `[N, C]`, C >= 2.
 * @returns A scalar, or `[N]` with `reduction: 'none'`.
 *
 * @see A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
 * ICML 2023, https://arxiv.org/abs/2304.07288
 *
 * @example
 * smoothAdversarialCompSumLoss([0], [[2, 0.5, -1]], { adversarialLogits: [[1, 0.5, -1]] }).print();
 * // 1.241311 = 0.241311 (cross-entropy) + 1 · ‖[−1, 0, 0]‖₂
 */
function smoothAdversarialCompSumLoss_(yTrue: TensorInput, logits: TensorInput, options: SmoothAdversarialCompSumLossOptions): tf.Tensor {
  const fn = 'smoothAdversarialCompSumLoss';
  checkOptions(fn, PARAMS, options);
  // Plain-JS callers may leave the options out; the missing adversarial logits are then reported.
  const opts: Partial<SmoothAdversarialCompSumLossOptions> = options ?? {};
  const { adversarialLogits, tau = 1, nu = 1, penalty = 'l2' } = opts;
  if (adversarialLogits === undefined) {
    fail(fn, '`adversarialLogits`', "be given: logits of the logits' shape for adversarially perturbed inputs", formatValue(adversarialLogits));
  }
  const { losses, logits: z, sampleWeights } = compSumTerms(fn, yTrue, logits, tau, opts);
  const zAdv = toFloat(fn, 'adversarialLogits', adversarialLogits);
  checkSameShape(fn, 'adversarialLogits', zAdv, 'logits', z);
  const diff = tf.sub(zAdv, z);
  const distance = penalty === 'squaredL2' ? tf.sum(tf.square(diff), -1) : safeNorm(diff);
  return reduce(fn, tf.add(losses, tf.mul(distance, nu)), opts, sampleWeights);
}

export const smoothAdversarialCompSumLoss = /* @__PURE__ */ tf.op({ smoothAdversarialCompSumLoss_ });

export const smoothAdversarialCompSumLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: 'smoothAdversarialCompSumLoss',
  family: 'classification',
  summary: 'Comp-sum loss on clean logits plus ν·‖adversarial − clean logits‖₂ (adversarial robustness)',
  formula: "ℓ = ℓ_τ(z, y) + ν ‖z' − z‖₂,  z' = logits of the adversarial input",
  // Its options are required (they carry adversarialLogits); the registry supplies them from `params`.
  fn: smoothAdversarialCompSumLoss as unknown as FunctionLossSpec['fn'],
  target: 'classIndex',
  prediction: 'logits',
  tasks: ['binary', 'multiclass'],
  params: PARAMS,
  properties: ['nonNegative'],
  reference: 'A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023, https://arxiv.org/abs/2304.07288 (smooth adversarial comp-sum losses; exact penalty form unverified)',
  seed: 2,
};
