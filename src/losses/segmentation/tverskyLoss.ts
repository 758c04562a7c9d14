import * as tf from '@tensorflow/tfjs-core';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import {
  AGGREGATE_PARAMS,
  type AggregateOptions,
  CLASS_PARAMS,
  type ClassOptions,
  MODE_PARAMS,
  meanOverClasses,
  overlapStatistics,
  SMOOTHING_PARAMS,
  type SegmentationInputOptions,
  type SmoothingOptions,
} from '../_shared/segmentation.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { checkOptions } from '../_shared/validate.js';

const NAME = 'tverskyLoss';

export interface TverskyLossOptions extends SegmentationInputOptions, AggregateOptions, ClassOptions, SmoothingOptions, ReductionOptions {
  /** α >= 0, the weight of the false positives Σ p(1 − y). @defaultValue `0.5` */
  alpha?: number;
  /** β >= 0, the weight of the false negatives Σ (1 − p) y. @defaultValue `0.5` */
  beta?: number;
}

const PARAMS: ParamSpecs = {
  ...MODE_PARAMS,
  ...AGGREGATE_PARAMS,
  ...CLASS_PARAMS,
  ...SMOOTHING_PARAMS,
  alpha: { kind: 'number', default: 0.5, min: 0, doc: 'weight α of the false positives Σ p(1 − y)' },
  beta: { kind: 'number', default: 0.5, min: 0, doc: 'weight β of the false negatives Σ (1 − p)y; Salehi et al. favour β = 0.7 with α = 0.3' },
};

/**
 * Tversky loss on probabilities, channels-last: Dice with separate weights on false positives and
 * false negatives.
 *
 * Per image n (or over the batch with `aggregate: 'batch'`) and scored class c, sums over pixels i:
 *
 *     TP = Σ p_i y_i,   FP = Σ p_i (1 − y_i),   FN = Σ (1 − p_i) y_i
 *     TI_nc = (TP + s_N) / (TP + α·FP + β·FN + s_D)
 *     ℓ_nc  = 1 − TI_nc,    ℓ_n = Σ_c w_c ℓ_nc / Σ_c w_c     (w = classWeights, default all 1)
 *
 * α weighs false positives and β false negatives, as in Salehi et al. (and MONAI, SMP); raising β
 * above α trades precision for recall, which helps small lesions that plain Dice under-segments.
 * α = β = 0.5 is `diceLoss` and α = β = 1 is `jaccardLoss` (exactly with zero smoothing; with
 * smoothing, up to how s_N and s_D scale). Empty-target policy (s_N = s_D): both empty → 0; empty
 * target with a non-empty prediction → close to 1.
 *
 * @param yTrue - Masks as in `diceLoss`: `[N,H,W]` binary, integer `[N,H,W]` or one-hot `[N,H,W,C]`
 *   multiclass, `[N,H,W,C]` multilabel; 3D adds a depth axis after N.
 * @param yPred - Probabilities (`[N,H,W]` binary, `[N,H,W,C]` otherwise), or logits with `fromLogits: true`.
 * @returns A scalar, or `[N]` with `reduction: 'none'` (`[1]` with `aggregate: 'batch'`).
 *
 * @example
 * tverskyLoss([[[1, 0], [0, 0]]], [[[0.8, 0.2], [0, 0]]], { alpha: 0.3, beta: 0.7 }).print(); // 0.199998
 *
 * @see S. S. M. Salehi, D. Erdogmus, A. Gholipour, Tversky loss function for image segmentation
 * using 3D fully convolutional deep networks, MLMI 2017, https://arxiv.org/abs/1706.05721
 */
function tverskyLoss_(yTrue: TensorInput, yPred: TensorInput, options: TverskyLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { alpha = 0.5, beta = 0.5, smoothNumerator = 1e-5, smoothDenominator = 1e-5 } = options;
  const ti = tverskyIndex(NAME, yTrue, yPred, options, alpha, beta, smoothNumerator, smoothDenominator);
  return reduce(NAME, meanOverClasses(tf.sub(1, ti.index) as tf.Tensor2D, ti.weights), options);
}

/** The Tversky index per image (or batch) and scored class, `[M, C']`, and the class weights. */
export function tverskyIndex(
  fn: string,
  yTrue: TensorInput,
  yPred: TensorInput,
  options: TverskyLossOptions,
  alpha: number,
  beta: number,
  smoothNumerator: number,
  smoothDenominator: number,
): { index: tf.Tensor2D; weights: Float32Array | undefined } {
  const { intersection: tp, sumPred, sumTrue, weights } = overlapStatistics(fn, yTrue, yPred, options);
  const fp = tf.sub(sumPred, tp);
  const fn_ = tf.sub(sumTrue, tp);
  const denominator = tf.add(tf.add(tf.add(tp, tf.mul(alpha, fp)), tf.mul(beta, fn_)), smoothDenominator);
  return { index: tf.div(tf.add(tp, smoothNumerator), denominator) as tf.Tensor2D, weights };
}

export const tverskyLoss = /* @__PURE__ */ tf.op({ tverskyLoss_ });

export const tverskyLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'segmentation',
  summary: 'Tversky loss: Dice with weights α on false positives and β on false negatives',
  formula: 'ℓ = 1 − (TP + s_N) / (TP + α·FP + β·FN + s_D), mean over classes',
  fn: tverskyLoss,
  target: 'mask',
  prediction: 'probability',
  tasks: ['segmentation'],
  params: PARAMS,
  properties: ['nonNegative'],
  reference:
    'S. S. M. Salehi, D. Erdogmus, A. Gholipour, Tversky loss function for image segmentation using 3D fully convolutional deep networks, MLMI 2017, https://arxiv.org/abs/1706.05721',
  seed: 9,
};
