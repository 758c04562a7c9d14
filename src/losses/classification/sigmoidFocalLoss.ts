import * as tf from '@tensorflow/tfjs-core';
import { binaryTargets } from '../_shared/binary-targets.js';
import { focalFactor, logOneMinusSigmoidPt } from '../_shared/focal.js';
import { logSigmoid } from '../_shared/numerics.js';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { checkOptions } from '../_shared/validate.js';

const NAME = 'sigmoidFocalLoss';

export interface SigmoidFocalLossOptions extends ReductionOptions {
  /** γ >= 0, the focusing parameter: 0 is plain cross-entropy; the paper recommends 2. @defaultValue `2` */
  gamma?: number;
  /**
   * α ∈ [0, 1], the weight of positives (negatives weigh 1 − α); the paper pairs α = 0.25 with γ = 2.
   * `null` turns the weighting off (torchvision's `alpha < 0`, Keras's `apply_class_balancing=False`).
   * @defaultValue `0.25`
   */
  alpha?: number | null;
  /** ε: targets become `t (1 − ε) + ε / 2` before everything else, as in Keras. @defaultValue `0` */
  labelSmoothing?: number;
}

const PARAMS: ParamSpecs = {
  gamma: { kind: 'number', default: 2, min: 0, doc: 'focusing parameter γ; 0 gives (α-weighted) cross-entropy, the paper uses 2' },
  alpha: { kind: 'number', default: 0.25, min: 0, max: 1, doc: 'weight α of positives (1 − α for negatives); null turns the weighting off (torchvision: α < 0)' },
  labelSmoothing: { kind: 'number', default: 0, min: 0, max: 1, doc: 'ε: targets become t(1−ε) + ε/2' },
};

/**
 * Sigmoid focal loss on logits (binary and multi-label), as torchvision and optax `sigmoid_focal_loss`.
 *
 * With p = σ(z) and targets t ∈ [0, 1] (smoothed to t(1−ε) + ε/2), per element:
 *
 *     p_t = t·p + (1 − t)(1 − p)
 *     α_t = t·α + (1 − t)(1 − α)                       (α_t = 1 with alpha: null)
 *     ℓ  = α_t · (1 − p_t)^γ · BCE(t, z),   BCE(t, z) = −t log σ(z) − (1 − t) log σ(−z)
 *
 * The factor (1 − p_t)^γ shrinks the loss of well-classified elements, so the many easy negatives of a
 * dense detector stop dominating the gradient. (1 − p_t)^γ has an infinite derivative at p_t = 1 for
 * γ < 1; it is taken as exp(γ·log(1 − p_t)) with log(1 − p_t) from log-sigmoids, which keeps value and
 * gradient finite at logits of ±1e4 for every γ >= 0. γ = 0 with `alpha: null` is `sigmoidCrossEntropy`.
 * With `reduction: 'mean'` every element counts once (the mean runs over all N·K entries); the paper
 * instead normalises a detector's sum by its number of positive anchors, which `'sum'` and `weights` allow.
 *
 * @param yTrue - Targets in [0, 1] ({0, 1}, or soft) of the logits' shape; `[N]` against `[N, 1]` is accepted.
 * @param logits - `[N]` or `[N, 1]` (binary), or `[N, K]` (K independent labels).
 * @returns A scalar, or per-element losses of the logits' shape with `reduction: 'none'`.
 *
 * @example
 * sigmoidFocalLoss([1, 0], [2, 1]).print(); // 0.263426
 *
 * @see T.-Y. Lin, P. Goyal, R. Girshick, K. He, P. Dollár, Focal Loss for Dense Object Detection,
 * ICCV 2017, https://arxiv.org/abs/1708.02002
 */
function sigmoidFocalLoss_(yTrue: TensorInput, logits: TensorInput, options: SigmoidFocalLossOptions = {}): tf.Tensor {
  // `alpha: null` is the documented "off" switch; any other value is checked against the declared range.
  checkOptions(NAME, PARAMS, options?.alpha === null ? { ...options, alpha: undefined } : options);
  const { gamma = 2, alpha = 0.25, labelSmoothing = 0 } = options;
  const { scores: z, targets } = binaryTargets(NAME, yTrue, logits, 'logits');
  const t = labelSmoothing > 0 ? tf.add(tf.mul(targets, 1 - labelSmoothing), labelSmoothing / 2) : targets;
  const logP = logSigmoid(z);
  const logOneMinusP = logSigmoid(tf.neg(z));
  const bce = tf.neg(tf.add(tf.mul(t, logP), tf.mul(tf.sub(1, t), logOneMinusP)));
  let loss = tf.mul(focalFactor(logOneMinusSigmoidPt(t, logP, logOneMinusP), gamma), bce);
  if (alpha !== null) loss = tf.mul(loss, tf.add(tf.mul(t, alpha), tf.mul(tf.sub(1, t), 1 - alpha)));
  return reduce(NAME, loss, options);
}

export const sigmoidFocalLoss = /* @__PURE__ */ tf.op({ sigmoidFocalLoss_ });

export const sigmoidFocalLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'classification',
  summary: 'Sigmoid focal loss (Lin et al. 2017): cross-entropy down-weighted on easy elements',
  formula: 'ℓ = −α_t (1 − p_t)^γ log p_t,  p = σ(z)',
  fn: sigmoidFocalLoss,
  target: 'binary',
  prediction: 'binaryLogits',
  tasks: ['binary'],
  params: PARAMS,
  properties: ['nonNegative'],
  reference: 'T.-Y. Lin, P. Goyal, R. Girshick, K. He, P. Dollár, Focal Loss for Dense Object Detection, ICCV 2017, https://arxiv.org/abs/1708.02002',
};
