import * as tf from '@tensorflow/tfjs-core';
import { channelPlane, hardMaskValues, planesToTensor } from '../_shared/hard-masks.js';
import { criticalPixels2d } from '../_shared/homotopy-warping.js';
import { binaryPixelCrossEntropy } from '../_shared/pixel-cross-entropy.js';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import { MODE_PARAMS, segmentationInputs } from '../_shared/segmentation.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { checkOptions } from '../_shared/validate.js';
import { diceLoss } from './diceLoss.js';

const NAME = 'warpingLoss';

export const WARPING_PIXEL_LOSSES = ['ce', 'mse'] as const;
export type WarpingPixelLoss = (typeof WARPING_PIXEL_LOSSES)[number];

export interface WarpingLossOptions extends ReductionOptions {
  /** `yPred` holds logits: the sigmoid is applied first. @defaultValue `false` */
  fromLogits?: boolean;
  /** λ >= 0, the weight of the warping term (TopoMortar: 0.1, switched on after 70% of training). @defaultValue `0.1` */
  lambda?: number;
  /** Weight >= 0 of the two-channel soft Dice term (0 leaves the warping term alone). @defaultValue `1` */
  diceWeight?: number;
  /** Per-pixel loss on the critical pixels: cross-entropy (the paper and TopoMortar) or squared error. @defaultValue `'ce'` */
  pixelLoss?: WarpingPixelLoss;
  /** Foreground of the hard prediction the warps use: p > threshold (argmax of two classes: 0.5). @defaultValue `0.5` */
  threshold?: number;
}

const PARAMS: ParamSpecs = {
  fromLogits: MODE_PARAMS.fromLogits as ParamSpecs[string],
  lambda: { kind: 'number', default: 0.1, min: 0, doc: 'weight λ of the warping term (TopoMortar 0.1)' },
  diceWeight: { kind: 'number', default: 1, min: 0, doc: 'weight of the two-channel soft Dice term' },
  pixelLoss: { kind: 'choice', default: 'ce', choices: WARPING_PIXEL_LOSSES, doc: "loss on the critical pixels: 'ce' (cross-entropy) or 'mse'" },
  threshold: { kind: 'number', default: 0.5, min: 0, max: 1, exclusiveMin: true, exclusiveMax: true, doc: 'hard prediction p > threshold for the warps' },
};

/**
 * Homotopy warping loss (Hu, NeurIPS 2022) with the soft Dice term it is trained with on TopoMortar,
 * binary, 2D, channels-last.
 *
 * Per image n, with P the foreground probabilities, Y the target, P̂ = [P > threshold] the hard
 * prediction and M the critical pixels (computed on the CPU from P̂ and Y, no gradient):
 *
 *     M     = [P̂ ≠ warp(Y → P̂)] ∨ [Y ≠ warp(P̂ → Y)]
 *     warp  : flip the disagreeing pixels of the source one at a time, only while they are simple,
 *             shrinking first (pixels the goal lacks, from the source's boundary inward by distance
 *             transform), then growing (pixels the goal has, nearest first)
 *     ℓ_n   = w_D·(1 − mean_{c∈{bg,fg}} (2 Σ P_c Y_c + 1e-5)/(Σ P_c + Σ Y_c + 1e-5))
 *             + λ·(1/(H·W)) Σ_{i∈M} ce(P_i, Y_i)                 (squared error with pixelLoss 'mse')
 *
 * Flipping a simple pixel changes no component and no hole, so after both warps the pixels where
 * the masks still disagree are exactly those whose error changes the topology (a gap that breaks a
 * line, a bridge that merges two regions, a missing or spurious component): the loss spends its
 * gradient on them and ignores boundary errors that Dice already handles. Simple pixels are those
 * of Rosenfeld's criterion with the foreground 4-connected and the background 8-connected; border
 * pixels are never flipped, as in the official code.
 *
 * Differences from the official TopoMortar port, which has bugs this does not copy: it takes
 * `target[:, 0]`, the background channel of the one-hot target, as the foreground; its simple-point
 * test counts components of the 3×3 patch with the centre included, which calls an isolated pixel
 * or a one-pixel hole simple, so warps erase whole missed components and fill holes pixel by
 * pixel; and its cross-entropy of P ⊙ M against the one-hot of Y ⊙ M adds −log(1e-15) ≈ 34.5 per
 * non-critical pixel (no gradient) to the value, left out here. The cross-entropy is taken from
 * logits with `fromLogits` and from probabilities clipped to [1e-7, 1 − 1e-7] otherwise. Ties in the
 * flipping order go in raster order. Simplified from the paper: 2D binary masks only, one pass of
 * warping per step; TopoMortar switches the warping term on after 70% of the iterations (pass
 * `lambda: 0` before that).
 *
 * @param yTrue - Hard masks `[N,H,W]` (or `[N,H,W,1]`) in {0, 1}.
 * @param yPred - Foreground probabilities of the same shape, or logits with `fromLogits: true`.
 * @returns A scalar, or `[N]` with `reduction: 'none'`.
 *
 * @example
 * // a line broken at one pixel: that pixel is critical (the others only count through Dice)
 * const line = [[[0, 0, 0, 0, 0], [1, 1, 1, 1, 1], [0, 0, 0, 0, 0]]];
 * warpingLoss(line, [[[0, 0, 0, 0, 0], [0.9, 0.9, 0.2, 0.9, 0.9], [0, 0, 0, 0, 0]]], { diceWeight: 0, lambda: 1 }).print(); // −log(0.2)/15 = 0.107296
 *
 * @see X. Hu, Structure-Aware Image Segmentation with Homotopy Warping, NeurIPS 2022,
 * https://arxiv.org/abs/2112.07812; TopoMortar (J. M. Valverde et al., BMVC 2025), https://arxiv.org/abs/2503.03365
 */
function warpingLoss_(yTrue: TensorInput, yPred: TensorInput, options: WarpingLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { fromLogits = false, lambda = 0.1, diceWeight = 1, pixelLoss = 'ce', threshold = 0.5 } = options;
  const { raw, probs, targets } = segmentationInputs(NAME, yTrue, yPred, { mode: 'binary', fromLogits }, { spatialRanks: [2] });
  const target = hardMaskValues(NAME, targets, 'the warps flip pixels of a hard mask');
  const [n, h, w] = targets.shape as [number, number, number, number];
  const predicted = probs.dataSync();
  const hardPred = new Uint8Array(predicted.length);
  for (let i = 0; i < predicted.length; i++) hardPred[i] = (predicted[i] as number) > threshold ? 1 : 0;
  const predPlane = new Uint8Array(h * w);
  const targetPlane = new Uint8Array(h * w);
  const critical = planesToTensor([n, h, w, 1], (b, _, out) => {
    channelPlane(hardPred, targets.shape, b, 0, predPlane);
    channelPlane(target, targets.shape, b, 0, targetPlane);
    const m = criticalPixels2d(predPlane, targetPlane, h, w);
    for (let i = 0; i < m.length; i++) out[i] = m[i] as number;
  });
  const perPixel = pixelLoss === 'ce' ? binaryPixelCrossEntropy(targets, raw, fromLogits) : tf.square(tf.sub(probs, targets));
  let perImage = tf.mul(lambda, tf.div(tf.sum(tf.mul(critical, perPixel), [1, 2, 3]), h * w));
  if (diceWeight > 0) {
    // Background and foreground channels, as the official two-logit network scores them.
    const twoChannel = tf.concat([tf.sub(1, probs), probs], -1);
    const dice = diceLoss(tf.concat([tf.sub(1, targets), targets], -1), twoChannel, { mode: 'multiclass', reduction: 'none' });
    perImage = tf.add(perImage, tf.mul(diceWeight, dice));
  }
  return reduce(NAME, perImage, options);
}

export const warpingLoss = /* @__PURE__ */ tf.op({ warpingLoss_ });

export const warpingLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'segmentation',
  summary: 'Homotopy warping (Hu 2022): cross-entropy on the topologically critical pixels found by warping, plus soft Dice',
  formula: 'ℓ = w_D·(1 − Dice_{bg,fg}) + λ·(1/HW) Σ_{i∈M} ce(P_i, Y_i),  M = [P̂ ≠ warp(Y→P̂)] ∨ [Y ≠ warp(P̂→Y)]',
  fn: warpingLoss,
  target: 'mask',
  prediction: 'probability',
  tasks: ['segmentation'],
  params: PARAMS,
  properties: ['nonNegative'],
  reference:
    'X. Hu, Structure-Aware Image Segmentation with Homotopy Warping, NeurIPS 2022, https://arxiv.org/abs/2112.07812; as used in TopoMortar (J. M. Valverde et al., BMVC 2025, https://arxiv.org/abs/2503.03365)',
  seed: 9,
};
