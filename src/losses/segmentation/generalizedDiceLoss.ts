import * as tf from '@tensorflow/tfjs-core';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import {
  AGGREGATE_PARAMS,
  type AggregateOptions,
  CLASS_PARAMS,
  type ClassOptions,
  classSums,
  MODE_PARAMS,
  SMOOTHING_PARAMS,
  type SegmentationInputOptions,
  type SmoothingOptions,
  scoredChannels,
  segmentationInputs,
  selectChannels,
} from '../_shared/segmentation.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { checkOptions } from '../_shared/validate.js';

const NAME = 'generalizedDiceLoss';

export const GENERALIZED_DICE_WEIGHT_TYPES = ['square', 'simple', 'uniform'] as const;

export interface GeneralizedDiceLossOptions extends SegmentationInputOptions, AggregateOptions, Omit<ClassOptions, 'classWeights'>, SmoothingOptions, ReductionOptions {
  /** Class weights from the target volume V_c = Σ y: 1/V_c² (`'square'`, the paper), 1/V_c (`'simple'`) or 1 (`'uniform'`). @defaultValue `'square'` */
  weightType?: (typeof GENERALIZED_DICE_WEIGHT_TYPES)[number];
}

const PARAMS: ParamSpecs = {
  ...MODE_PARAMS,
  ...AGGREGATE_PARAMS,
  includeBackground: CLASS_PARAMS.includeBackground!,
  ignoreIndex: CLASS_PARAMS.ignoreIndex!,
  ...SMOOTHING_PARAMS,
  weightType: {
    kind: 'choice',
    default: 'square',
    choices: GENERALIZED_DICE_WEIGHT_TYPES,
    doc: "class weights from the target volume V_c: 'square' 1/V_c² (Sudre et al.), 'simple' 1/V_c, 'uniform' 1",
  },
};

/**
 * Weights per row of target volumes `[M, C']`: 1/V², 1/V or 1; a class with V = 0 (infinite
 * weight) gets the largest finite weight of its row, or 0 when the row has none (MONAI's rule).
 */
function classVolumeWeights(volumes: tf.Tensor2D, weightType: GeneralizedDiceLossOptions['weightType']): tf.Tensor2D {
  if (weightType === 'uniform') return tf.onesLike(volumes);
  const present = tf.greater(volumes, 0);
  const safe = tf.where(present, volumes, tf.onesLike(volumes));
  const finite = tf.where(present, tf.div(1, weightType === 'simple' ? safe : tf.square(safe)), tf.zerosLike(volumes));
  const rowMax = tf.max(finite, 1, true);
  return tf.where(present, finite, tf.broadcastTo(rowMax, volumes.shape)) as tf.Tensor2D;
}

/**
 * Generalized Dice loss (Sudre et al. 2017) on probabilities, channels-last: one Dice over all
 * classes, each weighted by the inverse square of its target volume.
 *
 * Per image n (or over the batch with `aggregate: 'batch'`), scored classes c, pixels i:
 *
 *     V_c = Σ_i y_ci,   w_c = 1 / V_c²                   ('simple': 1/V_c, 'uniform': 1)
 *     ℓ_n = 1 − (2 Σ_c w_c Σ_i p_ci y_ci + s_N) / (Σ_c w_c Σ_i (p_ci + y_ci) + s_D)
 *
 * Weighting by 1/V_c² gives every class a similar share of the ratio whatever its size, so rare
 * small structures are not swamped by large ones: the correction of Dice's class imbalance the paper
 * proposes. The weights depend on the target only (no gradient flows through them).
 *
 * Empty classes: w_c = 1/0 is infinite; as in MONAI, such a class gets the largest finite weight of
 * the same image (or batch), so a false-positive prediction of an absent class still costs. An image
 * whose scored classes are all empty has no finite weight: every weight is 0 and ℓ_n = 1 − s_N/s_D
 * (0 with the default equal smoothing), whatever the prediction. With one class (binary mode) the
 * weight cancels and the loss is `diceLoss` (exactly without smoothing: s_N and s_D are not scaled
 * by the weights), except that an empty target scores 0. Because of that, with 'square' weights and
 * large objects (Σ_c w_c Σ (p + y) ≈ 2/V_c) the default smoothing of 1e-5 stops being negligible
 * from V_c ≈ 1e3 pixels on (MONAI behaves the same); lower both smoothings there.
 *
 * @param yTrue - Masks as in `diceLoss`: `[N,H,W]` binary, integer `[N,H,W]` or one-hot `[N,H,W,C]`
 *   multiclass, `[N,H,W,C]` multilabel; 3D adds a depth axis after N.
 * @param yPred - Probabilities (`[N,H,W]` binary, `[N,H,W,C]` otherwise), or logits with `fromLogits: true`.
 * @returns A scalar, or `[N]` with `reduction: 'none'` (`[1]` with `aggregate: 'batch'`).
 *
 * @example
 * generalizedDiceLoss([[[0, 1], [1, 1]]], [[[[0.9, 0.1], [0.2, 0.8]], [[0.3, 0.7], [0.1, 0.9]]]], { mode: 'multiclass' }).print(); // 0.249999
 *
 * @see C. H. Sudre, W. Li, T. Vercauteren, S. Ourselin, M. J. Cardoso, Generalised Dice overlap as a
 * deep learning loss function for highly unbalanced segmentations, DLMIA 2017,
 * https://arxiv.org/abs/1707.03237
 */
function generalizedDiceLoss_(yTrue: TensorInput, yPred: TensorInput, options: GeneralizedDiceLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { aggregate = 'perSample', includeBackground = true, smoothNumerator = 1e-5, smoothDenominator = 1e-5, weightType = 'square' } = options;
  const { probs, targets, numClasses, mode } = segmentationInputs(NAME, yTrue, yPred, options);
  const channels = scoredChannels(mode, numClasses, includeBackground);
  const p = selectChannels(probs, channels, numClasses);
  const y = selectChannels(targets, channels, numClasses);
  const intersection = classSums(tf.mul(p, y), aggregate);
  const volumes = classSums(y, aggregate);
  const sizes = tf.add(classSums(p, aggregate), volumes);
  const w = classVolumeWeights(volumes, weightType);
  const numerator = tf.add(tf.mul(2, tf.sum(tf.mul(w, intersection), 1)), smoothNumerator);
  const denominator = tf.add(tf.sum(tf.mul(w, sizes), 1), smoothDenominator);
  return reduce(NAME, tf.sub(1, tf.div(numerator, denominator)), options);
}

export const generalizedDiceLoss = /* @__PURE__ */ tf.op({ generalizedDiceLoss_ });

export const generalizedDiceLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'segmentation',
  summary: 'Generalized Dice loss (Sudre et al. 2017): one Dice over classes weighted by 1/volume²',
  formula: 'ℓ = 1 − (2 Σ_c w_c Σ p·y + s_N) / (Σ_c w_c Σ (p + y) + s_D),  w_c = 1/(Σ y_c)²',
  fn: generalizedDiceLoss,
  target: 'mask',
  prediction: 'probability',
  tasks: ['segmentation'],
  params: PARAMS,
  properties: ['nonNegative'],
  reference:
    'C. H. Sudre, W. Li, T. Vercauteren, S. Ourselin, M. J. Cardoso, Generalised Dice overlap as a deep learning loss function for highly unbalanced segmentations, DLMIA 2017, https://arxiv.org/abs/1707.03237',
};
