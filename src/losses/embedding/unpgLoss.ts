import * as tf from '@tensorflow/tfjs-core';
import { fail, formatValue } from '../_shared/errors.js';
import { softTargetNll } from '../_shared/numerics.js';
import { gatherFlat } from '../_shared/segments.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { checkNumber } from '../_shared/validate.js';
import { readClassWeightInputs } from './class-weights.js';
import { safeSqrt } from './distances.js';
import { checkEmbeddingOptions, type EmbeddingReductionOptions, reduceElements } from './reduction.js';

const NAME = 'unpgLoss';

/** The margin softmax UNPG extends. */
export type UnpgHead = 'cosFace' | 'arcFace';

export interface UnpgLossOptions extends EmbeddingReductionOptions {
  /** The class weights `[D, C]`, one column per class (as `cosFaceLoss`'s). Required. */
  classWeightsMatrix?: TensorInput;
  /** `'cosFace'`: target logit cos θ − m; `'arcFace'`: cos(θ + m). @defaultValue `'cosFace'` */
  head?: UnpgHead;
  /** m: CosFace's cosine margin, or ArcFace's angular margin in degrees. @defaultValue `0.35` (CosFace), `28.6479` (ArcFace, 0.5 rad) */
  margin?: number;
  /** s > 0: scale of every logit. @defaultValue `64` */
  scale?: number;
  /** w >= 0: whisker length of the box-and-whisker filter, in interquartile ranges. @defaultValue `1.5` */
  wisk?: number;
}

/** 0.5 rad, the reference's ArcFace margin, in degrees. */
const ARC_FACE_MARGIN = (0.5 * 180) / Math.PI;

const PARAMS: ParamSpecs = {
  classWeightsMatrix: { kind: 'data', type: 'matrix [D, numClasses]', required: true, shape: 'embeddingByClass', doc: 'class weights W, one column per class' },
  head: { kind: 'choice', default: 'cosFace', choices: ['cosFace', 'arcFace'], doc: "margin softmax extended: 'cosFace' (cos θ − m) or 'arcFace' (cos(θ + m))" },
  margin: {
    kind: 'number',
    default: 0.35,
    doc: "m: CosFace cosine margin (default 0.35), or ArcFace angular margin in degrees (default 28.6479 = 0.5 rad) with head 'arcFace'",
  },
  scale: { kind: 'number', default: 64, min: 0, exclusiveMin: true, doc: 's: scale of every logit' },
  wisk: { kind: 'number', default: 1.5, min: 0, doc: 'w: whisker length of the box-and-whisker filter, in interquartile ranges' },
};

/**
 * The box-and-whisker (Tukey) filter UNPG applies to the negative similarities: with the values
 * sorted, Q1 = sorted[⌊0.25 L⌋], Q3 = sorted[⌊0.75 L⌋] and IQR = Q3 − Q1, a value is kept when
 *
 *     Q1 − w·IQR <= v <= Q3 + w·IQR
 *
 * (quartiles by the reference's index rule, not interpolated). Returns one flag per value.
 *
 * @example
 * boxAndWhiskerMask([0, 0, 0.36, 0.6, 0.6, 5], 1.5); // [true, true, true, true, true, false]
 */
export function boxAndWhiskerMask(values: ArrayLike<number>, wisk = 1.5): boolean[] {
  checkNumber('boxAndWhiskerMask', 'wisk', wisk, { min: 0 });
  const list = Array.from(values);
  if (list.length === 0) return [];
  const sorted = list.slice().sort((a, b) => a - b);
  const q1 = sorted[Math.floor(0.25 * sorted.length)] as number;
  const q3 = sorted[Math.floor(0.75 * sorted.length)] as number;
  const iqr = q3 - q1;
  return list.map((v) => v >= q1 - wisk * iqr && v <= q3 + wisk * iqr);
}

/** The target logit with the margin: cos θ − m (CosFace) or cos(θ + m) (ArcFace, no continuation past π − m). */
function marginTarget(head: UnpgHead, margin: number, cosTarget: tf.Tensor1D): tf.Tensor1D {
  if (head === 'cosFace') return tf.sub(cosTarget, margin) as tf.Tensor1D;
  const m = (margin * Math.PI) / 180;
  const c = tf.clipByValue(cosTarget, -1, 1);
  // cos(θ + m) = cos θ cos m − sin θ sin m, with sin θ = √(1 − cos² θ): no acos, finite gradient at ±1.
  return tf.sub(tf.mul(c, Math.cos(m)), tf.mul(safeSqrt(tf.sub(1, tf.square(c))), Math.sin(m))) as tf.Tensor1D;
}

/**
 * UNPG, unified negative pair generation: a margin softmax (CosFace or ArcFace) whose denominator
 * also holds the batch's sample–sample negative similarities, after a box-and-whisker filter drops
 * the outliers among them. With x̂ the normalised embeddings, S = x̂x̂ᵀ, the negatives
 * sn = {S_ij : i < j, y_i ≠ y_j} (one per unordered pair) and sn' those kept by the filter,
 *
 *     z_i = (cos θ_i1, …, m(cos θ_iy), …, cos θ_iC, sn'_1, …, sn'_M)     m(c) = c − m or cos(θ + m)
 *     ℓ_i = −log softmax(s z_i)_{y_i}
 *
 * Classification losses see only sample–proxy negatives and metric losses only sample–sample ones;
 * appending the in-batch negatives to every row makes each sample also push its neighbours of
 * other classes away, and the filter keeps a few noisy pairs (mislabelled or near-duplicate faces)
 * from dominating. The filter mask is a selection (no gradient); the kept similarities pass their
 * gradient to both embeddings. Without a negative pair (one class, one sample) the loss is the plain
 * margin softmax. The ArcFace head is cos(θ + m) for every θ, as the reference computes it, without
 * `arcFaceLoss`'s continuation beyond θ = π − m; the margin is in degrees, as `arcFaceLoss` takes it.
 * Defaults: s = 64 and wisk = 1.5 (the reference's `head.zoo.yaml`; its released K-FACE models use
 * wisk = 1); m = 0.35 for CosFace (the class default of the reference; its yaml sets 0.5) and
 * 0.5 rad for ArcFace.
 *
 * Reduction over the per-sample losses, `[N]` with `'none'`, as `cosFaceLoss`.
 *
 * @param labels - Integer class indices `[N]` in [0, C).
 * @param embeddings - Embeddings `[N, D]`.
 * @returns A scalar, or `[N]` with `reduction: 'none'`.
 *
 * @example
 * const I3 = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
 * unpgLoss([0, 0, 1, 2], [[1, 0, 0], [0.8, 0.6, 0], [0, 1, 0], [0, 0.6, 0.8]], { classWeightsMatrix: I3 }).print(); // 5.388503
 *
 * @see J. Jung et al., "Unified Negative Pair Generation toward
 *   Well-discriminative Feature Space for Face Recognition", BMVC 2022, https://arxiv.org/abs/2203.11593
 *   (code: Jung-Jun-Uk/UNPG).
 */
function unpgLoss_(labels: TensorInput, embeddings: TensorInput, options: UnpgLossOptions = {}): tf.Tensor {
  checkEmbeddingOptions(NAME, PARAMS, options);
  const { head = 'cosFace', scale = 64, wisk = 1.5 } = options;
  const margin = options.margin ?? (head === 'arcFace' ? ARC_FACE_MARGIN : 0.35);
  if (head === 'arcFace' && !(margin >= 0 && margin < 180)) {
    fail(NAME, '`margin`', "be an angle in degrees >= 0 and < 180 with head 'arcFace'", formatValue(margin));
  }
  const { x, cosine, oneHot, labels: ids } = readClassWeightInputs(NAME, labels, embeddings, 'classWeightsMatrix', options.classWeightsMatrix);
  const n = ids.length;
  const cosTarget = tf.sum(tf.mul(cosine, oneHot), 1) as tf.Tensor1D;
  const shift = tf.sub(marginTarget(head, margin, cosTarget), cosTarget);
  const classLogits = tf.add(cosine, tf.mul(oneHot, tf.expandDims(shift, 1)));

  // The negative pairs (i < j, different labels) and the filter, on the values of S.
  const similarity = tf.reshape(tf.matMul(x, x, false, true), [n * n]) as tf.Tensor1D;
  const pairs: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (ids[i] !== ids[j]) pairs.push(i * n + j);
  let logits = classLogits;
  let targets = oneHot as tf.Tensor;
  if (pairs.length > 0) {
    const values = similarity.dataSync();
    const keep = boxAndWhiskerMask(
      pairs.map((k) => values[k] as number),
      wisk,
    );
    const kept = pairs.filter((_, k) => keep[k]);
    const negatives = gatherFlat(similarity, kept);
    logits = tf.concat([classLogits, tf.tile(tf.expandDims(negatives, 0), [n, 1])], 1);
    targets = tf.concat([oneHot, tf.zeros([n, kept.length])], 1);
  }
  return reduceElements(NAME, softTargetNll(targets, tf.mul(logits, scale)), options);
}

export const unpgLoss = /* @__PURE__ */ tf.op({ unpgLoss_ });

export const unpgLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: 'unpgLoss',
  family: 'embedding',
  summary: 'UNPG: CosFace / ArcFace softmax with the batch’s filtered sample–sample negative similarities added to the denominator',
  formula: 'ℓ_i = −log softmax(s · [cos θ_i with margin on y_i, sn′])_{y_i},  sn′ = box-and-whisker-filtered {x̂_i·x̂_j : i<j, y_i≠y_j}',
  fn: unpgLoss,
  target: 'embeddingLabels',
  prediction: 'embedding',
  tasks: ['embedding'],
  params: PARAMS,
  properties: ['nonNegative', 'scaleInvariant', 'batchCoupled'],
  reference:
    'J. Jung et al., "Unified Negative Pair Generation toward Well-discriminative Feature Space for Face Recognition", BMVC 2022, https://arxiv.org/abs/2203.11593',
  seed: 48,
};
