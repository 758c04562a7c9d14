import * as tf from '@tensorflow/tfjs-core';
import { fail } from '../_shared/errors.js';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import {
  AGGREGATE_PARAMS,
  type AggregateOptions,
  classSums,
  MODE_PARAMS,
  type SegmentationInputOptions,
  type SegmentationMode,
  scoredChannels,
  segmentationInputs,
  selectChannels,
} from '../_shared/segmentation.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import { dilateCross2d, thin2d } from '../_shared/thinning.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { checkOptions } from '../_shared/validate.js';

const NAME = 'skeletonRecallLoss';

export interface SkeletonRecallLossOptions extends SegmentationInputOptions, AggregateOptions, ReductionOptions {
  /** s > 0, added to numerator and denominator of the recall (nnU-Net trainer: 1e-5). @defaultValue `1e-5` */
  smooth?: number;
}

const PARAMS: ParamSpecs = {
  ...MODE_PARAMS,
  ...AGGREGATE_PARAMS,
  smooth: { kind: 'number', default: 1e-5, min: 0, exclusiveMin: true, doc: 'added to numerator and denominator of the tube recall (official trainer: 1e-5)' },
};

/**
 * Tubed skeletons of hard targets `[N,H,W,C]` for the scored channels, `[N,H,W,C']`: the thinned
 * foreground, dilated twice by the 3×3 cross and kept inside the class. Multiclass: one skeleton of
 * the union of the foreground classes, split by class; binary and multilabel: one per channel.
 */
function tubedSkeletons(targets: tf.Tensor, mode: SegmentationMode, channels: readonly number[]): tf.Tensor {
  const [n, h, w, c] = targets.shape as [number, number, number, number];
  const values = targets.dataSync();
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v !== 0 && v !== 1) fail(NAME, 'every value of `yTrue`', 'be 0 or 1 (the skeleton is taken of a hard mask)', `${v} at flat index ${i}`);
  }
  const k = channels.length;
  const out = new Float32Array(n * h * w * k);
  const plane = h * w;
  const channelMask = (b: number, ch: number) => Uint8Array.from({ length: plane }, (_, i) => values[(b * plane + i) * c + ch] as number);
  const tube = (mask: Uint8Array) => dilateCross2d(thin2d(mask, h, w), h, w, 2);
  for (let b = 0; b < n; b++) {
    let shared: Uint8Array | undefined;
    if (mode === 'multiclass') {
      const foreground = Uint8Array.from({ length: plane }, (_, i) => (channels.some((ch) => values[(b * plane + i) * c + ch] === 1) ? 1 : 0));
      shared = tube(foreground);
    }
    channels.forEach((ch, j) => {
      const mask = channelMask(b, ch);
      const t = shared ?? tube(mask);
      for (let i = 0; i < plane; i++) out[(b * plane + i) * k + j] = t[i] && mask[i] ? 1 : 0;
    });
  }
  return tf.tensor(out, [n, h, w, k]);
}

/**
 * Skeleton Recall loss (Kirchhoff et al., ECCV 2024): the soft recall of a tube around the target's
 * skeleton, 2D, channels-last.
 *
 * Per image n (or over the batch with `aggregate: 'batch'`) and foreground class c, with T_c the
 * tubed skeleton of the target (computed on the CPU, no gradient) and sums over pixels:
 *
 *     T_c  = dilate_+(dilate_+(skeleton(Y_fg))) ∧ Y_c         (dilate_+: 3×3 cross)
 *     ℓ_nc = 1 − (Σ P_c·T_c + s) / (Σ T_c + s),     ℓ_n = mean_c ℓ_nc
 *
 * Recall on the thin tube rewards covering every part of the centre line, so a gap in a vessel or a
 * crack costs as much as its length, not its (small) area, at the price of a skeletonisation per
 * target instead of the soft skeletons of `clDiceLoss` per step. The official trainer adds it to
 * cross-entropy and Dice (`CE + λ·SRL`, λ = 1 on TopoMortar); the official code returns −recall, which
 * differs from 1 − recall by a constant.
 *
 * As the official code: the tube is two dilations by the 3×3 cross, masked by the target; multiclass
 * mode skeletonises the union of the foreground classes once and splits the tube by class, leaving
 * channel 0 (background) out; smoothing 1e-5. Binary mode scores the one channel, multilabel mode
 * every channel on its own skeleton. An empty target has an empty tube and scores 0.
 *
 * Skeletonisation: Guo–Hall thinning (scikit-image's `thin`); the official code uses scikit-image's
 * `skeletonize`, a lookup-table variant of Zhang–Suen. Both give one-pixel-wide, connected centre
 * lines; they can differ by a pixel near ends and junctions, which the two dilations mostly absorb.
 * Guo–Hall keeps 2-pixel-thick diagonals and small blobs that textbook Zhang–Suen deletes. 2D only.
 *
 * @param yTrue - Hard masks in {0, 1}: `[N,H,W]` binary, integer `[N,H,W]` or one-hot `[N,H,W,C]`
 *   multiclass, `[N,H,W,C]` multilabel.
 * @param yPred - Probabilities (`[N,H,W]` binary, `[N,H,W,C]` otherwise), or logits with `fromLogits: true`.
 * @returns A scalar, or `[N]` with `reduction: 'none'` (`[1]` with `aggregate: 'batch'`).
 *
 * @example
 * // a one-pixel line is its own skeleton; the tube is the line itself (kept inside the target)
 * skeletonRecallLoss([[[0, 1, 0], [0, 1, 0], [0, 1, 0]]], [[[0, 0.5, 0], [0, 1, 0], [0, 0.5, 0]]]).print(); // 0.333332
 *
 * @see Y. Kirchhoff, M. R. Rokuss, S. Roy, B. Kovacs, C. Ulrich, T. Wald, M. Zenk, P. Vollmuth,
 * J. Kleesiek, F. Isensee, K. Maier-Hein, Skeleton Recall Loss for Connectivity Conserving and
 * Resource Efficient Segmentation of Thin Tubular Structures, ECCV 2024, https://arxiv.org/abs/2404.03010
 */
function skeletonRecallLoss_(yTrue: TensorInput, yPred: TensorInput, options: SkeletonRecallLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { aggregate = 'perSample', smooth = 1e-5 } = options;
  const { probs, targets, numClasses, mode } = segmentationInputs(NAME, yTrue, yPred, options, { spatialRanks: [2] });
  const channels = scoredChannels(mode, numClasses, false);
  const tube = tubedSkeletons(targets, mode, channels);
  const p = selectChannels(probs, channels, numClasses);
  const recall = tf.div(tf.add(classSums(tf.mul(p, tube), aggregate), smooth), tf.add(classSums(tube, aggregate), smooth));
  return reduce(NAME, tf.mean(tf.sub(1, recall), 1), options);
}

export const skeletonRecallLoss = /* @__PURE__ */ tf.op({ skeletonRecallLoss_ });

export const skeletonRecallLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'segmentation',
  summary: 'Skeleton Recall (Kirchhoff et al. 2024): soft recall of a tube around the target skeleton',
  formula: 'ℓ = 1 − (Σ P·T + s) / (Σ T + s),  T = cross-dilated² skeleton(Y) ∧ Y',
  fn: skeletonRecallLoss,
  target: 'mask',
  prediction: 'probability',
  tasks: ['segmentation'],
  params: PARAMS,
  properties: ['nonNegative'],
  reference:
    'Y. Kirchhoff et al., Skeleton Recall Loss for Connectivity Conserving and Resource Efficient Segmentation of Thin Tubular Structures, ECCV 2024, https://arxiv.org/abs/2404.03010',
  seed: 9,
};
