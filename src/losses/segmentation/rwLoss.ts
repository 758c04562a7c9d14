import * as tf from '@tensorflow/tfjs-core';
import { distanceToBackground2d } from '../_shared/distance-transform.js';
import { channelPlane, hardMaskValues, planesToTensor } from '../_shared/hard-masks.js';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import { CLASS_PARAMS, MODE_PARAMS, type SegmentationInputOptions, segmentationInputs } from '../_shared/segmentation.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { checkOptions } from '../_shared/validate.js';

const NAME = 'rwLoss';

export interface RwLossOptions extends SegmentationInputOptions, ReductionOptions {
  /** Label value of integer masks (binary and multiclass modes) whose pixels leave the mean: zero loss, zero gradient. */
  ignoreIndex?: number;
}

const PARAMS: ParamSpecs = {
  ...MODE_PARAMS,
  ignoreIndex: CLASS_PARAMS.ignoreIndex as ParamSpecs[string],
};

/**
 * The rectified region-wise map of one class mask, written into `plane`: −D/max D inside the class
 * (D: distance to the nearest pixel outside it), 1 outside.
 */
function rectifiedMap(mask: Uint8Array, height: number, width: number, plane: Float64Array): void {
  const d = distanceToBackground2d(mask, height, width);
  let max = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] && (d[i] as number) > max) max = d[i] as number;
  for (let i = 0; i < mask.length; i++) plane[i] = mask[i] ? -(d[i] as number) / max : 1;
}

/**
 * Region-wise loss with rectified region-wise maps (Valverde & Tohka 2023), as TopoMortar trains
 * with it ("RWLoss"), 2D, channels-last.
 *
 * Per image n, with D_c the Euclidean distance transform of the class mask Y_c (distance from each
 * pixel of class c to the nearest pixel outside it, computed on the CPU from the target, no
 * gradient) and the mean over the pixels i and the C' scored channels:
 *
 *     R_c(i) = −D_c(i) / max_j D_c(j)   where Y_c(i) = 1,      R_c(i) = 1   elsewhere
 *     ℓ_n    = (1 / (C'·|pixels|)) Σ_c Σ_i P_c(i) · R_c(i)
 *
 * Probability put on a class outside it costs 1 per pixel, wherever it lies; probability inside it
 * earns up to −1, most at the centre of the region, so the gradient pulls hardest on the cores of
 * the structures and evenly on every false positive. The value lies in [−1, 1] and is not zero at
 * a perfect prediction (it is then minus the mean normalised depth of the classes).
 *
 * As the official code: binary mode scores two channels, background 1 − p and foreground p (the
 * softmax over two logits of the official network), each with the map of its own class; multiclass
 * mode scores every channel; multilabel mode every channel on its own (no complement). A class
 * absent from an image has the map 1 everywhere; a class filling the image is measured to a frame
 * one pixel outside it (scipy's transform has no background to measure to there). The official
 * code writes the outside value for all channels of an image at once, which ends with the same maps.
 * Ignored pixels (`ignoreIndex`) count as outside every class for the distances and leave the mean.
 *
 * @param yTrue - Hard masks in {0, 1}: `[N,H,W]` binary, integer `[N,H,W]` or one-hot `[N,H,W,C]`
 *   multiclass, `[N,H,W,C]` multilabel.
 * @param yPred - Probabilities (`[N,H,W]` binary, `[N,H,W,C]` otherwise), or logits with `fromLogits: true`.
 * @returns A scalar, or `[N]` with `reduction: 'none'`.
 *
 * @example
 * // every pixel is at depth 1 in its class: each probability of 1 sits on a map value of −1
 * rwLoss([[[0, 1, 0]]], [[[0, 1, 0]]]).print(); // -0.5
 *
 * @see J. M. Valverde, J. Tohka, Region-wise loss for biomedical image segmentation, Pattern
 * Recognition 136, 2023, https://arxiv.org/abs/2108.01405; J. M. Valverde, M. Koga, N. Otsuka,
 * A. B. Dahl, TopoMortar: A dataset to evaluate image segmentation methods focused on topology
 * accuracy, BMVC 2025, https://arxiv.org/abs/2503.03365
 */
function rwLoss_(yTrue: TensorInput, yPred: TensorInput, options: RwLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { probs, targets, valid, mode } = segmentationInputs(NAME, yTrue, yPred, options, { spatialRanks: [2] });
  const hard = hardMaskValues(NAME, targets, 'the distance transform is taken of a hard mask');
  const [n, h, w, channels] = targets.shape as [number, number, number, number];
  const kept = valid === undefined ? undefined : hardMaskValues(NAME, valid, 'ignored pixels');
  const binary = mode === 'binary';
  const scored = binary ? 2 : channels;
  const plane = new Uint8Array(h * w);
  const map = planesToTensor([n, h, w, scored], (b, ch, out) => {
    channelPlane(hard, targets.shape, b, binary ? 0 : ch, plane);
    if (binary && ch === 0) {
      // The background class: pixels neither foreground nor ignored.
      for (let i = 0; i < plane.length; i++) plane[i] = plane[i] === 0 && (kept === undefined || kept[b * h * w + i] === 1) ? 1 : 0;
    }
    rectifiedMap(plane, h, w, out);
  });
  let p = probs;
  if (binary) {
    const background = valid === undefined ? tf.sub(1, probs) : tf.mul(tf.sub(1, probs), valid);
    p = tf.concat([background, probs], -1);
  }
  const total = tf.sum(tf.mul(p, map), [1, 2, 3]);
  let perImage: tf.Tensor;
  if (valid === undefined) perImage = tf.div(total, h * w * scored);
  else {
    // The count is read from the target side, so the comparison stays off the gradient path.
    const count = tf.mul(tf.sum(valid, [1, 2, 3]), scored);
    perImage = tf.div(total, tf.where(tf.greater(count, 0), count, tf.onesLike(count)));
  }
  return reduce(NAME, perImage, options);
}

export const rwLoss = /* @__PURE__ */ tf.op({ rwLoss_ });

export const rwLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'segmentation',
  summary: 'Region-wise loss with rectified distance maps (TopoMortar "RWLoss"): probability times a per-class map, −depth inside, 1 outside',
  formula: 'ℓ = mean_{c,i} P_c(i)·R_c(i),  R_c = −EDT(Y_c)/max EDT(Y_c) inside class c, 1 outside',
  fn: rwLoss,
  target: 'mask',
  prediction: 'probability',
  tasks: ['segmentation'],
  params: PARAMS,
  properties: [],
  reference:
    'J. M. Valverde, J. Tohka, Region-wise loss for biomedical image segmentation, Pattern Recognition 2023, https://arxiv.org/abs/2108.01405; as used in TopoMortar (Valverde et al., BMVC 2025, https://arxiv.org/abs/2503.03365)',
  seed: 9,
};
