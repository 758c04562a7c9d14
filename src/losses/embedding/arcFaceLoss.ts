import * as tf from '@tensorflow/tfjs-core';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { marginSoftmaxLosses, readClassWeightInputs } from './class-weights.js';
import { safeSqrt } from './distances.js';
import { checkEmbeddingOptions, type EmbeddingReductionOptions, reduceElements } from './reduction.js';

const NAME = 'arcFaceLoss';

export interface ArcFaceLossOptions extends EmbeddingReductionOptions {
  /** The class weights `[D, C]`, one column per class (pytorch-metric-learning's `W`). Required. */
  classWeightsMatrix?: TensorInput;
  /** m: additive angular margin, in degrees. @defaultValue `28.6` (≈ 0.5 rad) */
  margin?: number;
  /** s > 0: scale of the cosine logits. @defaultValue `64` */
  scale?: number;
}

export const ARC_FACE_PARAMS: ParamSpecs = {
  margin: { kind: 'number', default: 28.6, min: 0, max: 180, exclusiveMax: true, doc: 'm: additive angular margin in degrees (28.6° ≈ 0.5 rad)' },
  scale: { kind: 'number', default: 64, min: 0, exclusiveMin: true, doc: 's: scale of the cosine logits' },
};

const PARAMS: ParamSpecs = {
  classWeightsMatrix: { kind: 'data', type: 'matrix [D, numClasses]', required: true, shape: 'embeddingByClass', doc: 'class weights W, one column per class' },
  ...ARC_FACE_PARAMS,
};

/**
 * The ArcFace target logit cos(θ + m) of the target cosine c = cos θ, with the reference's
 * continuation c − m·sin m where θ > π − m. Written as c·cos m − sin θ·sin m with sin θ = √(1 − c²)
 * (clamped c; square root with a zero gradient at 0), so c = ±1 has a finite gradient, unlike acos.
 */
function arcFaceTarget(marginDegrees: number): (c: tf.Tensor1D) => tf.Tensor1D {
  const m = (marginDegrees * Math.PI) / 180;
  return (cosTarget) => {
    const c = tf.clipByValue(cosTarget, -1, 1);
    const sinTheta = safeSqrt(tf.sub(1, tf.square(c)));
    const withMargin = tf.sub(tf.mul(c, Math.cos(m)), tf.mul(sinTheta, Math.sin(m)));
    const continued = tf.sub(c, m * Math.sin(m));
    // 1 where θ <= π − m, i.e. c >= −cos m; sign keeps the comparison off the gradient path.
    const inRange = tf.sub(1, tf.sign(tf.relu(tf.neg(tf.add(c, Math.cos(m))))));
    return tf.add(tf.mul(inRange, withMargin), tf.mul(tf.sub(1, inRange), continued)) as tf.Tensor1D;
  };
}

/** The ArcFace loss of a batch for a given class matrix `[D, C]`; shared with `createArcFaceLoss`. */
export function arcFaceValue(fn: string, labels: TensorInput, embeddings: TensorInput, matrix: unknown, options: ArcFaceLossOptions): tf.Tensor {
  const { margin = 28.6, scale = 64 } = options;
  const inputs = readClassWeightInputs(fn, labels, embeddings, 'classWeightsMatrix', matrix);
  return reduceElements(fn, marginSoftmaxLosses(inputs, scale, arcFaceTarget(margin)), options);
}

/**
 * ArcFace, the additive angular margin loss (Deng et al.): softmax cross-entropy over the scaled
 * cosines between the normalised embedding and the normalised class weights, with the target angle
 * widened by m. Per sample, with θ_j the angle to class j's weight column,
 *
 *     ℓ_i = −log [ e^(s cos(θ_y + m)) / (e^(s cos(θ_y + m)) + Σ_{j≠y} e^(s cos θ_j)) ]
 *
 * and, where θ_y > π − m (cos(θ + m) would start to rise again), the target logit continues as
 * s(cos θ_y − m sin m), so it keeps falling with θ (as in the reference). The margin in angle makes
 * the decision boundary a constant geodesic gap between classes. The class weights are passed in,
 * `[D, C]`; `createArcFaceLoss` keeps them as a trainable variable. Computed from the cosine without
 * acos: finite, with a finite gradient, when an embedding coincides with its class column.
 *
 * Reduction over the per-sample losses, `[N]` with `'none'`; `'mean'` is pytorch-metric-learning's
 * default `MeanReducer`. Defaults equal pytorch-metric-learning 2.8.1's `ArcFaceLoss` (margin 28.6
 * degrees, scale 64). Its 3.x takes the margin in radians, default 0.5 = 28.648°: pass
 * `margin: 28.6479` for the 3.x default. The gradient at c = ±1 and on the continuation is the
 * cosine's own, as 3.0.4 corrected in the reference (#794).
 *
 * @param labels - Integer class indices `[N]` in [0, C).
 * @param embeddings - Embeddings `[N, D]`.
 * @returns A scalar, or `[N]` with `reduction: 'none'`.
 *
 * @example
 * arcFaceLoss([0, 1], [[1, 0], [0.6, 0.8]], { classWeightsMatrix: [[1, 0], [0, 1]] }).print(); // 5.914523
 *
 * @see J. Deng, J. Guo, N. Xue, S. Zafeiriou, "ArcFace: Additive Angular Margin Loss for Deep Face
 *   Recognition", CVPR 2019, https://arxiv.org/abs/1801.07698 (defaults: pytorch-metric-learning
 *   2.8.1, `losses.ArcFaceLoss`).
 */
function arcFaceLoss_(labels: TensorInput, embeddings: TensorInput, options: ArcFaceLossOptions = {}): tf.Tensor {
  checkEmbeddingOptions(NAME, PARAMS, options);
  return arcFaceValue(NAME, labels, embeddings, options.classWeightsMatrix, options);
}

export const arcFaceLoss = /* @__PURE__ */ tf.op({ arcFaceLoss_ });

export const arcFaceLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: 'arcFaceLoss',
  family: 'embedding',
  summary: 'ArcFace: softmax over scaled cosines to class weights with an additive angular margin on the target',
  formula: 'ℓ = −log e^(s cos(θ_y + m)) / (e^(s cos(θ_y + m)) + Σ_{j≠y} e^(s cos θ_j))',
  fn: arcFaceLoss,
  target: 'embeddingLabels',
  prediction: 'embedding',
  tasks: ['embedding'],
  params: PARAMS,
  properties: ['nonNegative', 'scaleInvariant'],
  reference:
    'J. Deng, J. Guo, N. Xue, S. Zafeiriou, "ArcFace: Additive Angular Margin Loss for Deep Face Recognition", CVPR 2019, https://arxiv.org/abs/1801.07698; defaults of pytorch-metric-learning 2.8.1 ArcFaceLoss',
};
