import * as tf from '@tensorflow/tfjs-core';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { marginSoftmaxLosses, readClassWeightInputs } from './class-weights.js';
import { checkEmbeddingOptions, type EmbeddingReductionOptions, reduceElements } from './reduction.js';

const NAME = 'cosFaceLoss';

export interface CosFaceLossOptions extends EmbeddingReductionOptions {
  /** The class weights `[D, C]`, one column per class (pytorch-metric-learning's `W`). Required. */
  classWeightsMatrix?: TensorInput;
  /** m: margin subtracted from the target cosine. @defaultValue `0.35` */
  margin?: number;
  /** s > 0: scale of the cosine logits. @defaultValue `64` */
  scale?: number;
}

export const COS_FACE_PARAMS: ParamSpecs = {
  margin: { kind: 'number', default: 0.35, doc: 'm: margin subtracted from the target cosine (the paper uses 0.25–0.45)' },
  scale: { kind: 'number', default: 64, min: 0, exclusiveMin: true, doc: 's: scale of the cosine logits' },
};

const PARAMS: ParamSpecs = {
  classWeightsMatrix: { kind: 'data', type: 'matrix [D, numClasses]', required: true, shape: 'embeddingByClass', doc: 'class weights W, one column per class' },
  ...COS_FACE_PARAMS,
};

/** The CosFace loss of a batch for a given class matrix `[D, C]`; shared with `createCosFaceLoss`. */
export function cosFaceValue(fn: string, labels: TensorInput, embeddings: TensorInput, matrix: unknown, options: CosFaceLossOptions): tf.Tensor {
  const { margin = 0.35, scale = 64 } = options;
  const inputs = readClassWeightInputs(fn, labels, embeddings, 'classWeightsMatrix', matrix);
  return reduceElements(fn, marginSoftmaxLosses(inputs, scale, (c) => tf.sub(c, margin) as tf.Tensor1D), options);
}

/**
 * CosFace, the large margin cosine loss (Wang et al.): softmax cross-entropy over the scaled cosines
 * between the normalised embedding and the normalised class weights, with m subtracted from the
 * target cosine. Per sample,
 *
 *     ℓ_i = −log [ e^(s (cos θ_y − m)) / (e^(s (cos θ_y − m)) + Σ_{j≠y} e^(s cos θ_j)) ]
 *
 * The target must beat every other class by m in cosine, a fixed gap in the normalised space that
 * plain softmax does not ask for. The class weights are passed in, `[D, C]`; `createCosFaceLoss`
 * keeps them as a trainable variable.
 *
 * Reduction over the per-sample losses, `[N]` with `'none'`; `'mean'` is pytorch-metric-learning's
 * default `MeanReducer`. Defaults equal pytorch-metric-learning 2.8.1's `CosFaceLoss` (margin 0.35,
 * scale 64).
 *
 * @param labels - Integer class indices `[N]` in [0, C).
 * @param embeddings - Embeddings `[N, D]`.
 * @returns A scalar, or `[N]` with `reduction: 'none'`.
 *
 * @example
 * const I3 = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
 * cosFaceLoss([0, 0, 1, 2], [[1, 0, 0], [0.8, 0.6, 0], [0, 1, 0], [0, 0.6, 0.8]], { classWeightsMatrix: I3 }).print(); // 4.800034
 *
 * @see H. Wang, Y. Wang, Z. Zhou, X. Ji, D. Gong, J. Zhou, Z. Li, W. Liu, "CosFace: Large Margin
 *   Cosine Loss for Deep Face Recognition", CVPR 2018, https://arxiv.org/abs/1801.09414 (defaults:
 *   pytorch-metric-learning 2.8.1, `losses.CosFaceLoss`).
 */
function cosFaceLoss_(labels: TensorInput, embeddings: TensorInput, options: CosFaceLossOptions = {}): tf.Tensor {
  checkEmbeddingOptions(NAME, PARAMS, options);
  return cosFaceValue(NAME, labels, embeddings, options.classWeightsMatrix, options);
}

export const cosFaceLoss = /* @__PURE__ */ tf.op({ cosFaceLoss_ });

export const cosFaceLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: 'cosFaceLoss',
  family: 'embedding',
  summary: 'CosFace: softmax over scaled cosines to class weights with the margin m subtracted from the target cosine',
  formula: 'ℓ = −log e^(s (cos θ_y − m)) / (e^(s (cos θ_y − m)) + Σ_{j≠y} e^(s cos θ_j))',
  fn: cosFaceLoss,
  target: 'embeddingLabels',
  prediction: 'embedding',
  tasks: ['embedding'],
  params: PARAMS,
  properties: ['nonNegative', 'scaleInvariant'],
  reference:
    'H. Wang et al., "CosFace: Large Margin Cosine Loss for Deep Face Recognition", CVPR 2018, https://arxiv.org/abs/1801.09414; defaults of pytorch-metric-learning 2.8.1 CosFaceLoss',
};
