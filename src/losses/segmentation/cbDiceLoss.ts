import * as tf from '@tensorflow/tfjs-core';
import { distanceToBackground2d } from '../_shared/distance-transform.js';
import { eulerSkeleton2d } from '../_shared/euler-skeleton.js';
import { channelPlane, hardMaskValues } from '../_shared/hard-masks.js';
import { binaryPixelCrossEntropy } from '../_shared/pixel-cross-entropy.js';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import { AGGREGATE_PARAMS, type AggregateOptions, MODE_PARAMS, segmentationInputs } from '../_shared/segmentation.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { checkOptions } from '../_shared/validate.js';
import { diceLoss } from './diceLoss.js';

const NAME = 'cbDiceLoss';

/** The smoothing of the inverse-radius skeleton weight (official `get_weights`). */
const RADIUS_SMOOTH = 1e-7;

export interface CbDiceLossOptions extends AggregateOptions, ReductionOptions {
  /** `yPred` holds logits: the sigmoid is applied first. @defaultValue `false` */
  fromLogits?: boolean;
  /** α >= 0: the Dice term weighs α/(2(α + β)). @defaultValue `1` */
  alpha?: number;
  /** β >= 0: the cbDice term weighs β/(2(α + β)). @defaultValue `1` */
  beta?: number;
  /** Weight >= 0 of the cross-entropy term (official: 0.5). @defaultValue `0.5` */
  ceWeight?: number;
  /** s > 0, added to numerator and denominator of wTprec and wTsens. @defaultValue `1` */
  smooth?: number;
  /** Rounds of the topology-preserving skeletonisation (official: 5). @defaultValue `5` */
  skeletonIterations?: number;
}

const PARAMS: ParamSpecs = {
  fromLogits: MODE_PARAMS.fromLogits as ParamSpecs[string],
  ...AGGREGATE_PARAMS,
  alpha: { kind: 'number', default: 1, min: 0, doc: 'α: the Dice term weighs α/(2(α+β))' },
  beta: { kind: 'number', default: 1, min: 0, doc: 'β: the cbDice term weighs β/(2(α+β))' },
  ceWeight: { kind: 'number', default: 0.5, min: 0, doc: 'weight of the cross-entropy term (official 0.5)' },
  smooth: { kind: 'number', default: 1, min: 0, exclusiveMin: true, doc: 'added to numerator and denominator of wTprec and wTsens' },
  skeletonIterations: { kind: 'number', default: 5, min: 1, integer: true, doc: 'rounds of the topology-preserving (Euler) skeletonisation (official 5)' },
};

/** Radius-normalised maps of one hard mask and its skeleton (official `get_weights`, 2D). */
interface RadiusMaps {
  /** min(D, R_max)/R_max on the mask (q_v before the probability). */
  depth: Float64Array;
  /** R/R_max on the skeleton, R = D there (q_sv before the probability). */
  radius: Float64Array;
  /** (1 + 1e-7)/(R/R_max + 1e-7) on the skeleton (q_s before the probability). */
  inverse: Float64Array;
  skeleton: Uint8Array;
}

function radiusMaps(mask: Uint8Array, height: number, width: number, iterations: number): RadiusMaps {
  const skeleton = eulerSkeleton2d(mask, height, width, iterations);
  const d = distanceToBackground2d(mask, height, width);
  let rMax = 1;
  for (let i = 0; i < mask.length; i++) if (skeleton[i] && (d[i] as number) > rMax) rMax = d[i] as number;
  const size = mask.length;
  const depth = new Float64Array(size);
  const radius = new Float64Array(size);
  const inverse = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    if (!mask[i]) continue;
    depth[i] = Math.min(d[i] as number, rMax) / rMax;
    if (skeleton[i]) {
      radius[i] = (d[i] as number) / rMax;
      inverse[i] = (1 + RADIUS_SMOOTH) / ((radius[i] as number) + RADIUS_SMOOTH);
    }
  }
  return { depth, radius, inverse, skeleton };
}

/**
 * The coefficients that make wTprec and wTsens functions of P, per pixel `[N,H,W,1]` (and the
 * constant of the wTsens denominator per image `[N]`), from the hard target and hard prediction.
 */
function cbCoefficients(target: Uint8Array, hardPred: Uint8Array, shape: readonly number[], iterations: number) {
  const [n, h, w] = shape as [number, number, number];
  const size = h * w;
  const coef = Array.from({ length: 5 }, () => new Float32Array(n * size));
  const [precNum, precDenSquare, precDen, sensNum, sensDen] = coef as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
  const sensConstant = new Float32Array(n);
  const y = new Uint8Array(size);
  const p = new Uint8Array(size);
  for (let b = 0; b < n; b++) {
    channelPlane(target, shape, b, 0, y);
    channelPlane(hardPred, shape, b, 0, p);
    const l = radiusMaps(y, h, w, iterations);
    const q = radiusMaps(p, h, w, iterations);
    let constant = 0;
    for (let i = 0; i < size; i++) {
      const k = b * size + i;
      if (q.skeleton[i]) {
        // Σ q_sp·q_vl: the prediction's skeleton weighted by the target's depth.
        precNum[k] = (q.inverse[i] as number) * (l.depth[i] as number);
        // combine(q_spvp, q_slvl, q_sp): the prediction's own radius off the target's skeleton.
        if (l.skeleton[i]) precDen[k] = (l.radius[i] as number) * (q.inverse[i] as number);
        else precDenSquare[k] = (q.radius[i] as number) * (q.inverse[i] as number);
      }
      if (l.skeleton[i]) {
        sensNum[k] = (l.inverse[i] as number) * (q.depth[i] as number);
        if (q.skeleton[i]) sensDen[k] = (q.radius[i] as number) * (l.inverse[i] as number);
        else constant += (l.radius[i] as number) * (l.inverse[i] as number);
      }
    }
    sensConstant[b] = constant;
  }
  const t = (a: Float32Array) => tf.tensor4d(a, [n, h, w, 1]);
  return { precNum: t(precNum), precDenSquare: t(precDenSquare), precDen: t(precDen), sensNum: t(sensNum), sensDen: t(sensDen), sensConstant: tf.tensor1d(sensConstant) };
}

/**
 * Centerline boundary Dice loss (Shi et al., MICCAI 2024) as the official code trains it on
 * TopoMortar: cross-entropy, soft Dice and the cbDice term, binary, 2D, channels-last.
 *
 * Per image n (or over the batch with `aggregate: 'batch'`), with P the foreground probabilities,
 * Y the target, P̂ = [P > 0.5], S_Y and S_P̂ their topology-preserving skeletons, D the Euclidean
 * distance transform of each mask, R = D on its skeleton and R_max = max(max R, 1) (all computed
 * on the CPU, no gradient):
 *
 *     d̂ = min(D, R_max)/R_max on the mask,   r̂ = R/R_max,   ι = (1 + 1e-7)/(r̂ + 1e-7) on the skeleton
 *     target:      q_vl = d̂_Y,      q_slvl = r̂_Y,        q_sl = ι_Y
 *     prediction:  q_vp = d̂_P̂·P,    q_spvp = r̂_P̂·P,      q_sp = ι_P̂·P
 *     wTprec = (Σ q_sp·q_vl + s) / (Σ comb(q_spvp, q_slvl, q_sp) + s)
 *     wTsens = (Σ q_sl·q_vp + s) / (Σ comb(q_slvl, q_spvp, q_sl) + s)
 *     comb(A, B, C) = A·C where A ≠ 0 and B = 0, B·C elsewhere
 *     ℓ_n = w_CE·CE + α/(2(α+β))·(1 − Dice_{bg,fg}) + β/(2(α+β))·(1 − 2·wTprec·wTsens/(wTprec + wTsens))
 *
 * Plain clDice counts every skeleton pixel alike, so a thick vessel's centre line outweighs a thin
 * one's; weighting the skeletons by the inverse of their radius and the masks by their normalised
 * depth balances structures of different calibres, and comparing the prediction's own radii with
 * the target's at the skeleton pixels penalises a centre line that runs in the right place at the
 * wrong width.
 *
 * As the official code: the skeletons are Menten et al.'s subfield scheme with Euler-characteristic
 * simple points, 5 rounds, of the hard masks; the skeleton of the prediction is the hard skeleton
 * times P; Dice has both channels (1 − p, p) with smoothing 1e-5, cross-entropy is the mean binary
 * cross-entropy (from logits with `fromLogits`, otherwise from probabilities clipped to
 * [1e-7, 1 − 1e-7] where the official code adds 1e-15); w_CE = 0.5 and α = β = 1 give 0.5, 0.25,
 * 0.25. The official code returns −Dice and −cbDice, which differ from the terms here by a constant.
 * It sums the cbDice statistics over the whole batch but scores Dice per image: `aggregate`
 * applies to both here ('batch' with one image is the official value). The cbDice term can be
 * negative (wTprec is not bounded by 1). Binary masks only (the official code reduces a multiclass
 * output to foreground against background first).
 *
 * @param yTrue - Hard masks `[N,H,W]` (or `[N,H,W,1]`) in {0, 1}.
 * @param yPred - Foreground probabilities of the same shape, or logits with `fromLogits: true`.
 * @returns A scalar, or `[N]` with `reduction: 'none'` (`[1]` with `aggregate: 'batch'`).
 *
 * @example
 * const line = [[[0, 0, 0, 0, 0], [0, 1, 1, 1, 0], [0, 0, 0, 0, 0]]];
 * cbDiceLoss(line, line, { ceWeight: 0 }).print(); // 0: skeletons, radii and masks coincide
 *
 * @see P. Shi, J. Hu, Y. Yang, Z. Gao, W. Liu, T. Ma, Centerline Boundary Dice Loss for Vascular
 * Segmentation, MICCAI 2024, https://arxiv.org/abs/2407.01517; M. J. Menten et al., A skeletonization
 * algorithm for gradient-based optimization, ICCV 2023, https://arxiv.org/abs/2309.02527
 */
function cbDiceLoss_(yTrue: TensorInput, yPred: TensorInput, options: CbDiceLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { fromLogits = false, aggregate = 'perSample', alpha = 1, beta = 1, ceWeight = 0.5, smooth = 1, skeletonIterations = 5 } = options;
  const { raw, probs, targets } = segmentationInputs(NAME, yTrue, yPred, { mode: 'binary', fromLogits }, { spatialRanks: [2] });
  const target = hardMaskValues(NAME, targets, 'the skeleton and distance transform are taken of a hard mask');
  const predicted = probs.dataSync();
  const hardPred = Uint8Array.from(predicted, (v) => (v > 0.5 ? 1 : 0));
  const c = cbCoefficients(target, hardPred, targets.shape, skeletonIterations);

  const batch = aggregate === 'batch';
  const sum = (x: tf.Tensor) => (batch ? tf.reshape(tf.sum(x), [1]) : tf.sum(x, [1, 2, 3]));
  const precision = tf.div(tf.add(sum(tf.mul(c.precNum, probs)), smooth), tf.add(tf.add(sum(tf.mul(c.precDenSquare, tf.square(probs))), sum(tf.mul(c.precDen, probs))), smooth));
  const sensConstant = batch ? tf.reshape(tf.sum(c.sensConstant), [1]) : c.sensConstant;
  const sensitivity = tf.div(tf.add(sum(tf.mul(c.sensNum, probs)), smooth), tf.add(tf.add(sensConstant, sum(tf.mul(c.sensDen, probs))), smooth));
  const cbTerm = tf.sub(1, tf.div(tf.mul(2, tf.mul(precision, sensitivity)), tf.add(precision, sensitivity)));

  const twoChannel = tf.concat([tf.sub(1, probs), probs], -1);
  const dice = diceLoss(tf.concat([tf.sub(1, targets), targets], -1), twoChannel, { mode: 'multiclass', aggregate, reduction: 'none' });
  const ce = binaryPixelCrossEntropy(targets, raw, fromLogits);
  const ceTerm = batch ? tf.reshape(tf.mean(ce), [1]) : tf.mean(ce, [1, 2, 3]);
  const total = alpha + beta;
  const [wDice, wCb] = total > 0 ? [alpha / (2 * total), beta / (2 * total)] : [0, 0];
  const perImage = tf.add(tf.add(tf.mul(ceWeight, ceTerm), tf.mul(wDice, dice)), tf.mul(wCb, cbTerm));
  return reduce(NAME, perImage, options);
}

export const cbDiceLoss = /* @__PURE__ */ tf.op({ cbDiceLoss_ });

export const cbDiceLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'segmentation',
  summary: 'Centerline boundary Dice (Shi et al. 2024): radius-weighted clDice on topology-preserving skeletons, with CE and Dice',
  formula: 'ℓ = w_CE·CE + α/(2(α+β))·(1 − Dice) + β/(2(α+β))·(1 − 2·wTprec·wTsens/(wTprec + wTsens))',
  fn: cbDiceLoss,
  target: 'mask',
  prediction: 'probability',
  tasks: ['segmentation'],
  params: PARAMS,
  properties: [],
  reference:
    'P. Shi, J. Hu, Y. Yang, Z. Gao, W. Liu, T. Ma, Centerline Boundary Dice Loss for Vascular Segmentation, MICCAI 2024, https://arxiv.org/abs/2407.01517; as used in TopoMortar (J. M. Valverde et al., BMVC 2025, https://arxiv.org/abs/2503.03365)',
  seed: 9,
};
