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

const NAME = 'jaccardLoss';

export interface JaccardLossOptions extends SegmentationInputOptions, AggregateOptions, ClassOptions, SmoothingOptions, ReductionOptions {}

const PARAMS: ParamSpecs = { ...MODE_PARAMS, ...AGGREGATE_PARAMS, ...CLASS_PARAMS, ...SMOOTHING_PARAMS };

/**
 * Soft Jaccard (IoU) loss on probabilities, channels-last.
 *
 * Per image n (or over the batch with `aggregate: 'batch'`) and scored class c, sums over pixels i:
 *
 *     I = Σ_i p_i y_i,   U = Σ_i p_i + Σ_i y_i − I         (soft intersection and union)
 *     ℓ_nc = 1 − (I + s_N) / (U + s_D)
 *     ℓ_n  = Σ_c w_c ℓ_nc / Σ_c w_c                       (w = classWeights, default all 1)
 *
 * The soft IoU replaces set sizes by sums of probabilities, so it equals 1 − IoU on hard masks and
 * is differentiable in between; J = D / (2 − D) ties it to Dice, so both rank predictions alike,
 * but IoU punishes a given error more. Equals `tverskyLoss` with α = β = 1. Empty-target policy
 * (s_N = s_D, the default): both empty → 0; empty target with a non-empty prediction → close to 1.
 * (MONAI's `jaccard=True` doubles I in the numerator and U in the denominator, which only rescales
 * the smoothing; SMP uses one smoothing constant for both.)
 *
 * @param yTrue - Masks as in `diceLoss`: `[N,H,W]` binary, integer `[N,H,W]` or one-hot `[N,H,W,C]`
 *   multiclass, `[N,H,W,C]` multilabel; 3D adds a depth axis after N.
 * @param yPred - Probabilities (`[N,H,W]` binary, `[N,H,W,C]` otherwise), or logits with `fromLogits: true`.
 * @returns A scalar, or `[N]` with `reduction: 'none'` (`[1]` with `aggregate: 'batch'`).
 *
 * @example
 * jaccardLoss([[[1, 0], [0, 0]]], [[[0.8, 0.2], [0, 0]]]).print(); // 0.333331 (IoU 0.8 / 1.2)
 *
 * @see M. A. Rahman, Y. Wang, Optimizing Intersection-Over-Union in Deep Neural Networks for Image
 * Segmentation, ISVC 2016, https://doi.org/10.1007/978-3-319-50835-1_22
 */
function jaccardLoss_(yTrue: TensorInput, yPred: TensorInput, options: JaccardLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { smoothNumerator = 1e-5, smoothDenominator = 1e-5 } = options;
  const { intersection, sumPred, sumTrue, weights } = overlapStatistics(NAME, yTrue, yPred, options);
  const union = tf.sub(tf.add(sumPred, sumTrue), intersection);
  const iou = tf.div(tf.add(intersection, smoothNumerator), tf.add(union, smoothDenominator));
  return reduce(NAME, meanOverClasses(tf.sub(1, iou) as tf.Tensor2D, weights), options);
}

export const jaccardLoss = /* @__PURE__ */ tf.op({ jaccardLoss_ });

export const jaccardLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'segmentation',
  summary: 'Soft Jaccard (IoU) loss on probability maps, per image and class',
  formula: 'ℓ = 1 − (Σ p·y + s_N) / (Σ p + Σ y − Σ p·y + s_D), mean over classes',
  fn: jaccardLoss,
  target: 'mask',
  prediction: 'probability',
  tasks: ['segmentation'],
  params: PARAMS,
  properties: ['nonNegative'],
  reference:
    'M. A. Rahman, Y. Wang, Optimizing Intersection-Over-Union in Deep Neural Networks for Image Segmentation, ISVC 2016, https://doi.org/10.1007/978-3-319-50835-1_22',
};
