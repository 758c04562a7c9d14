import * as tf from '@tensorflow/tfjs-core';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import {
  AGGREGATE_PARAMS,
  type AggregateOptions,
  classSums,
  MODE_PARAMS,
  type SegmentationInputOptions,
  scoredChannels,
  segmentationInputs,
  selectChannels,
} from '../_shared/segmentation.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { checkOptions } from '../_shared/validate.js';
import { SOFT_SKELETON_PARAMS, softSkeletonOf } from './softSkeleton.js';

const NAME = 'clDiceLoss';

export interface ClDiceLossOptions extends SegmentationInputOptions, AggregateOptions, ReductionOptions {
  /** K, the erosion steps of the soft skeletons (official code: 3). @defaultValue `3` */
  iterations?: number;
  /** s > 0, added to numerator and denominator of both ratios (official code: 1). @defaultValue `1` */
  smooth?: number;
}

const PARAMS: ParamSpecs = {
  ...MODE_PARAMS,
  ...AGGREGATE_PARAMS,
  ...SOFT_SKELETON_PARAMS,
  smooth: { kind: 'number', default: 1, min: 0, exclusiveMin: true, doc: 'added to numerator and denominator of Tprec and Tsens (official code: 1)' },
};

/**
 * Soft clDice loss (Shit et al., CVPR 2021): the harmonic mean of topology precision and topology
 * sensitivity, computed on soft skeletons (see `softSkeleton`), channels-last.
 *
 * Per image n (or over the batch with `aggregate: 'batch'`) and foreground class c, with S(·) the
 * soft skeleton with K iterations and sums over pixels:
 *
 *     Tprec = (Σ S(P)·Y + s) / (Σ S(P) + s)      (the prediction's skeleton lies inside the target)
 *     Tsens = (Σ S(Y)·P + s) / (Σ S(Y) + s)      (the target's skeleton is covered by the prediction)
 *     ℓ_nc  = 1 − 2·Tprec·Tsens / (Tprec + Tsens),     ℓ_n = mean_c ℓ_nc
 *
 * A broken centre line leaves part of the target's skeleton uncovered (Tsens drops) and a spurious
 * branch puts skeleton outside the target (Tprec drops), whatever their area: the loss sees
 * connectivity errors that Dice barely notices, which is why it improves Betti errors on tubular
 * and curvilinear structures (first of the topology losses compared on TopoMortar with accurate
 * labels). The paper trains with
 * (1 − α)·Dice loss + α·clDice, α = 0.5 (TopoMortar's "clDice"); combine with `diceLoss` for that.
 *
 * Follows the official code: K = 3, s = 1, and, in multiclass mode, channel 0 (background) left
 * out; in binary mode the one channel and in multilabel mode every channel is scored. The official
 * code sums over the whole batch and all foreground channels at once: `aggregate: 'batch'` with one
 * foreground channel is exactly that. Identical binary masks give 0 (their skeletons lie inside
 * them); an empty target and prediction give 0; with s = 1, small structures weigh less than the
 * formula without smoothing suggests.
 *
 * @param yTrue - Masks in [0, 1]: `[N,H,W]` binary, integer `[N,H,W]` or one-hot `[N,H,W,C]`
 *   multiclass, `[N,H,W,C]` multilabel; 3D adds a depth axis after N.
 * @param yPred - Probabilities (`[N,H,W]` binary, `[N,H,W,C]` otherwise), or logits with `fromLogits: true`.
 * @returns A scalar, or `[N]` with `reduction: 'none'` (`[1]` with `aggregate: 'batch'`).
 *
 * @example
 * const line = [[[0, 1, 0], [0, 1, 0], [0, 1, 0]]];
 * clDiceLoss(line, line).print(); // 0
 *
 * @see S. Shit, J. C. Paetzold, A. Sekuboyina, I. Ezhov, A. Unger, A. Zhylka, J. P. W. Pluim,
 * U. Bauer, B. H. Menze, clDice - a Novel Topology-Preserving Loss Function for Tubular Structure
 * Segmentation, CVPR 2021, https://arxiv.org/abs/2003.07311
 */
function clDiceLoss_(yTrue: TensorInput, yPred: TensorInput, options: ClDiceLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { aggregate = 'perSample', iterations = 3, smooth = 1 } = options;
  const { probs, targets, numClasses, mode } = segmentationInputs(NAME, yTrue, yPred, options);
  const channels = scoredChannels(mode, numClasses, false);
  const p = selectChannels(probs, channels, numClasses);
  const y = selectChannels(targets, channels, numClasses);
  const skeletonPred = softSkeletonOf(p, iterations);
  const skeletonTrue = softSkeletonOf(y, iterations);
  const precision = tf.div(tf.add(classSums(tf.mul(skeletonPred, y), aggregate), smooth), tf.add(classSums(skeletonPred, aggregate), smooth));
  const sensitivity = tf.div(tf.add(classSums(tf.mul(skeletonTrue, p), aggregate), smooth), tf.add(classSums(skeletonTrue, aggregate), smooth));
  const harmonic = tf.div(tf.mul(2, tf.mul(precision, sensitivity)), tf.add(precision, sensitivity));
  return reduce(NAME, tf.mean(tf.sub(1, harmonic), 1), options);
}

export const clDiceLoss = /* @__PURE__ */ tf.op({ clDiceLoss_ });

export const clDiceLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'segmentation',
  summary: 'Soft clDice (Shit et al. 2021): harmonic mean of topology precision and sensitivity on soft skeletons',
  formula: 'ℓ = 1 − 2·Tprec·Tsens/(Tprec + Tsens),  Tprec = (ΣS(P)·Y + s)/(ΣS(P) + s),  Tsens = (ΣS(Y)·P + s)/(ΣS(Y) + s)',
  fn: clDiceLoss,
  target: 'mask',
  prediction: 'probability',
  tasks: ['segmentation'],
  params: PARAMS,
  properties: ['nonNegative'],
  reference:
    'S. Shit, J. C. Paetzold, A. Sekuboyina, I. Ezhov, A. Unger, A. Zhylka, J. P. W. Pluim, U. Bauer, B. H. Menze, clDice - a Novel Topology-Preserving Loss Function for Tubular Structure Segmentation, CVPR 2021, https://arxiv.org/abs/2003.07311',
  seed: 9,
};
