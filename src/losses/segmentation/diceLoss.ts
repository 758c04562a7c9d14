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

const NAME = 'diceLoss';

export interface DiceLossOptions extends SegmentationInputOptions, AggregateOptions, ClassOptions, SmoothingOptions, ReductionOptions {
  /** Square the terms of the denominator, Σp² + Σy² (V-Net; MONAI `squared_pred`). @defaultValue `false` */
  squaredDenominator?: boolean;
}

const PARAMS: ParamSpecs = {
  ...MODE_PARAMS,
  ...AGGREGATE_PARAMS,
  ...CLASS_PARAMS,
  ...SMOOTHING_PARAMS,
  squaredDenominator: { kind: 'boolean', default: false, doc: 'denominator Σp² + Σy² (V-Net, MONAI squared_pred)' },
};

/**
 * Soft Dice loss on probabilities, channels-last (MONAI `DiceLoss` with SMP's `mode`).
 *
 * Per image n (or over the batch with `aggregate: 'batch'`) and scored class c, sums over pixels i:
 *
 *     ℓ_nc = 1 − (2 Σ_i p_i y_i + s_N) / (Σ_i p_i + Σ_i y_i + s_D)
 *            (Σ p_i² + Σ y_i² in the denominator with squaredDenominator)
 *     ℓ_n  = Σ_c w_c ℓ_nc / Σ_c w_c                       (w = classWeights, default all 1)
 *
 * Dice is a ratio of overlap to size, so every image and class counts the same however small its
 * object: the reason it copes with foreground-background imbalance where pixel-wise cross-entropy
 * does not. Empty-target policy (s_N = s_D, the default): target and prediction both empty → 0;
 * empty target with a non-empty prediction → close to 1 (1 − s_N / (Σp + s_D)). With both
 * smoothings 0, an empty image and prediction give NaN. Ignored pixels (`ignoreIndex`) leave every
 * sum, which equals cropping them away.
 *
 * @param yTrue - Masks: `[N,H,W]` in {0, 1} (binary), integer class masks `[N,H,W]` or one-hot
 *   `[N,H,W,C]` (multiclass), `[N,H,W,C]` in {0, 1} (multilabel); 3D adds a depth axis after N.
 * @param yPred - Probabilities of the canonical shape (`[N,H,W]` / `[N,H,W,1]` binary, `[N,H,W,C]`
 *   otherwise), or logits with `fromLogits: true`.
 * @returns A scalar, or `[N]` (per image) with `reduction: 'none'` (`[1]` with `aggregate: 'batch'`).
 *
 * @example
 * diceLoss([[[1, 0], [0, 0]]], [[[0.8, 0.2], [0, 0]]]).print(); // 0.199999 (Dice 2·0.8 / (1 + 1) = 0.8)
 *
 * @see F. Milletari, N. Navab, S.-A. Ahmadi, V-Net: Fully Convolutional Neural Networks for
 * Volumetric Medical Image Segmentation, 3DV 2016, https://arxiv.org/abs/1606.04797
 */
function diceLoss_(yTrue: TensorInput, yPred: TensorInput, options: DiceLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { smoothNumerator = 1e-5, smoothDenominator = 1e-5, squaredDenominator = false } = options;
  const { intersection, sumPred, sumTrue, weights } = overlapStatistics(NAME, yTrue, yPred, options, squaredDenominator);
  const dice = tf.div(tf.add(tf.mul(2, intersection), smoothNumerator), tf.add(tf.add(sumPred, sumTrue), smoothDenominator));
  return reduce(NAME, meanOverClasses(tf.sub(1, dice) as tf.Tensor2D, weights), options);
}

export const diceLoss = /* @__PURE__ */ tf.op({ diceLoss_ });

export const diceLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'segmentation',
  summary: 'Soft Dice loss on probability maps, per image and class (binary, multiclass, multilabel)',
  formula: 'ℓ = 1 − (2 Σ p·y + s_N) / (Σ p + Σ y + s_D), mean over classes',
  fn: diceLoss,
  target: 'mask',
  prediction: 'probability',
  tasks: ['segmentation'],
  params: PARAMS,
  properties: ['nonNegative'],
  reference:
    'F. Milletari, N. Navab, S.-A. Ahmadi, V-Net: Fully Convolutional Neural Networks for Volumetric Medical Image Segmentation, 3DV 2016, https://arxiv.org/abs/1606.04797',
  seed: 9,
};
