import * as tf from '@tensorflow/tfjs-core';
import { CLASS_TARGET_PARAMS, type ClassTargetOptions, classTargets } from '../_shared/class-targets.js';
import { focalFactor, logOneMinusSoftmax } from '../_shared/focal.js';
import { checkNumberOrVector } from '../_shared/number-or-vector.js';
import { logSoftmax } from '../_shared/numerics.js';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { checkOptions } from '../_shared/validate.js';

const NAME = 'softmaxFocalLoss';

export interface SoftmaxFocalLossOptions extends ClassTargetOptions, ReductionOptions {
  /** γ >= 0, the focusing parameter: 0 is plain cross-entropy; the paper recommends 2. @defaultValue `2` */
  gamma?: number;
  /**
   * α: one number >= 0 for every class, or one per class `[C]` (each >= 0), multiplying class c's term.
   * Unlike `classWeights` it scales the loss itself and stays out of the weighted mean's denominator.
   * `undefined` or `null` means no α-weighting. @defaultValue `undefined`
   */
  alpha?: number | readonly number[] | TensorInput | null;
}

const PARAMS: ParamSpecs = {
  gamma: { kind: 'number', default: 2, min: 0, doc: 'focusing parameter γ; 0 gives (α-weighted) cross-entropy, the paper uses 2' },
  alpha: { kind: 'data', type: 'number >= 0, or number[] (one per class, each >= 0)', default: null, doc: 'α_c multiplying class c’s term (a number: every class); null: none' },
  ...CLASS_TARGET_PARAMS,
};

/**
 * Softmax (multiclass) focal loss on logits.
 *
 * With p = softmax(z) and targets t (one-hot from class indices, or soft rows; smoothed to
 * t(1−ε) + ε/C), per sample:
 *
 *     ℓ_i = −Σ_c α_c · t_ic · (1 − p_ic)^γ · log p_ic          (α_c = 1 without `alpha`)
 *
 * The factor (1 − p_c)^γ shrinks the loss of samples the model already classifies confidently, so the
 * hard ones drive the gradient. The paper states the loss for the binary case; this is its usual
 * multiclass form (kornia's `focal_loss`). Libraries differ on what a scalar α means with C classes:
 * here it scales every class alike, and an array gives per-class values (e.g. [1 − α, α, …, α] for a
 * background-versus-foreground split). For γ < 1,
 * (1 − p)^γ has an infinite derivative at p = 1; it is taken as exp(γ·log(1 − p_c)), with
 * log(1 − p_c) computed from log-sum-exps, so value and gradient stay finite at logits of ±1e4 for
 * every γ >= 0. γ = 0 without `alpha` is `softmaxCrossEntropy`.
 *
 * @param yTrue - Class indices `[N]` (or `[N, 1]`), or one-hot / soft targets `[N, C]`.
 * @param logits - Unnormalised scores `[N, C]`, C >= 2.
 * @returns A scalar, or `[N]` with `reduction: 'none'`.
 *
 * @example
 * softmaxFocalLoss([0], [[2, 0.5, -1]]).print(); // 0.011093
 *
 * @see T.-Y. Lin, P. Goyal, R. Girshick, K. He, P. Dollár, Focal Loss for Dense Object Detection,
 * ICCV 2017, https://arxiv.org/abs/1708.02002
 */
function softmaxFocalLoss_(yTrue: TensorInput, logits: TensorInput, options: SoftmaxFocalLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { gamma = 2, alpha = null } = options;
  const { logits: z, targets, sampleWeights } = classTargets(NAME, yTrue, logits, options);
  const a = alpha === null ? undefined : checkNumberOrVector(NAME, 'alpha', alpha, z.shape[1], { min: 0 }, 'class');
  let perClass = tf.mul(tf.mul(targets, focalFactor(logOneMinusSoftmax(z), gamma)), logSoftmax(z));
  if (a !== undefined) perClass = tf.mul(perClass, typeof a === 'number' ? tf.scalar(a) : tf.tensor1d(a));
  return reduce(NAME, tf.neg(tf.sum(perClass, -1)), options, sampleWeights);
}

export const softmaxFocalLoss = /* @__PURE__ */ tf.op({ softmaxFocalLoss_ });

export const softmaxFocalLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'classification',
  summary: 'Softmax (multiclass) focal loss: cross-entropy down-weighted on confident samples',
  formula: 'ℓ = −Σ_c α_c t_c (1 − p_c)^γ log p_c,  p = softmax(z)',
  fn: softmaxFocalLoss,
  target: 'classIndex',
  prediction: 'logits',
  tasks: ['binary', 'multiclass'],
  params: PARAMS,
  properties: ['nonNegative', 'shiftInvariant'],
  reference: 'T.-Y. Lin, P. Goyal, R. Girshick, K. He, P. Dollár, Focal Loss for Dense Object Detection, ICCV 2017, https://arxiv.org/abs/1708.02002',
};
