import * as tf from '@tensorflow/tfjs-core';
import { CLASS_TARGET_PARAMS, type ClassTargetOptions, classTargets } from '../_shared/class-targets.js';
import { fail, formatShape } from '../_shared/errors.js';
import { softTargetNll } from '../_shared/numerics.js';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import { type TensorInput, toFloat } from '../_shared/to-tensor.js';
import { checkClassIndices, checkOptions, checkRank } from '../_shared/validate.js';
import { DEFAULT_CURVATURE, hyperbolicMlrLogitsT } from './hyperbolic.js';
import { HYPERBOLIC_INPUT_PARAMS, toBall } from './hypPairwiseConfusionLoss.js';
import { readEmbeddings } from './labels.js';

const NAME = 'hypCrossEntropyLoss';

export interface HypCrossEntropyLossOptions extends ClassTargetOptions, ReductionOptions {
  /** A `[K, d]`: the hyperplane normal of each class (trainable). Required. */
  normals?: TensorInput;
  /** P `[K, d]`: the offset of each class's hyperplane, a tangent vector at 0 (trainable). Required. */
  offsets?: TensorInput;
  /** c > 0: curvature of the Poincaré ball (radius 1/√c). @defaultValue `0.1` */
  c?: number;
  /** `'ball'`: rows are ball points (projected inside first); `'euclidean'`: features, mapped by `toPoincare`. @defaultValue `'ball'` */
  inputs?: 'ball' | 'euclidean';
  /** r > 0: with `inputs: 'euclidean'`, features are clipped to norm r before the map. @defaultValue `2` */
  clipRadius?: number;
  /** Added to the Möbius denominators (the reference adds 1e-5). @defaultValue `0` */
  epsilon?: number;
}

const PARAMS: ParamSpecs = {
  normals: { kind: 'data', type: 'matrix [numClasses, d]', required: true, shape: 'classRows', doc: 'A: one hyperplane normal per class (trainable)' },
  offsets: { kind: 'data', type: 'matrix [numClasses, d]', required: true, shape: 'classRows', doc: 'P: one hyperplane offset per class, tangent vectors at 0 (trainable)' },
  ...HYPERBOLIC_INPUT_PARAMS,
  ...CLASS_TARGET_PARAMS,
};

function readClassMatrix(fn: string, name: string, value: unknown, dim: number): tf.Tensor2D {
  if (value === undefined) fail(fn, `\`${name}\``, `be given: a [numClasses, ${dim}] matrix`, 'undefined');
  const m = toFloat(fn, name, value as TensorInput);
  checkRank(fn, name, m, [2]);
  if (m.shape[1] !== dim || (m.shape[0] as number) < 2) fail(fn, `\`${name}\``, `be [numClasses, ${dim}] with at least 2 classes`, `shape ${formatShape(m.shape)}`);
  return m as tf.Tensor2D;
}

/**
 * Hyp-CE, the classification loss of Hyp-OC: softmax cross-entropy on the logits of hyperbolic
 * multinomial logistic regression (`hyperbolicMlrLogits`) of Poincaré embeddings,
 *
 *     p_k = exp_0(P_k)   a_k = A_k (1 − c‖p_k‖²)   λ_k = 2/(1 − c‖p_k‖²)   w = (−p_k) ⊕_c x
 *     z_k = (λ_k ‖a_k‖/√c) asinh(2√c ⟨w, a_k⟩ / ((1 − c‖w‖²)‖a_k‖))      ℓ = −log softmax(z)_y
 *
 * The logit is a signed, scaled hyperbolic distance to each class's gyroplane, so a class region
 * can wrap a compact cluster (real faces) with the other (pseudo-negatives, spoofs) around it.
 * Hyp-OC uses two classes, real (0) and spoof (1), and adds `hypPairwiseConfusionLoss` with weight 1;
 * its spoof score is softmax(z)_1. The parameters A and P are passed in (trainable variables of
 * the head, as the class weights of `cosFaceLoss`). The cross-entropy knobs (`classWeights`,
 * `labelSmoothing`, `ignoreIndex`) act as in `softmaxCrossEntropy`.
 *
 * @param labels - Class indices `[N]` in [0, K) (or soft targets `[N, K]`).
 * @param embeddings - Poincaré embeddings `[N, d]` (or features with `inputs: 'euclidean'`).
 * @returns A scalar, or `[N]` with `reduction: 'none'`.
 *
 * @example
 * hypCrossEntropyLoss([0, 1], [[0.1, 0.2], [1.2, -0.4]], { normals: [[1, 0], [-1, 0]], offsets: [[0, 0], [0.5, 0]] });
 *
 * @see K. Narayan, V. M. Patel, "Hyp-OC: Hyperbolic One Class Classification for Face
 *   Anti-Spoofing", FG 2024, https://arxiv.org/abs/2404.14406; O.-E. Ganea, G. Bécigneul,
 *   T. Hofmann, "Hyperbolic Neural Networks", NeurIPS 2018, https://arxiv.org/abs/1805.09112.
 */
function hypCrossEntropyLoss_(labels: TensorInput, embeddings: TensorInput, options: HypCrossEntropyLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { c = DEFAULT_CURVATURE, inputs = 'ball', clipRadius = 2, epsilon = 0 } = options;
  const { embeddings: x, labels: y } = readEmbeddings(NAME, labels, embeddings);
  const dim = x.shape[1];
  const normals = readClassMatrix(NAME, 'normals', options.normals, dim);
  const offsets = readClassMatrix(NAME, 'offsets', options.offsets, dim);
  if (normals.shape[0] !== offsets.shape[0]) fail(NAME, '`normals` and `offsets`', 'have the same shape', `${formatShape(normals.shape)} and ${formatShape(offsets.shape)}`);
  const numClasses = normals.shape[0];
  if (y.rank === 1 || (y.rank === 2 && y.shape[1] === 1)) checkClassIndices(NAME, 'labels', y, numClasses, options.ignoreIndex);
  const logits = hyperbolicMlrLogitsT(toBall(x, c, inputs, clipRadius, epsilon) as tf.Tensor2D, normals, offsets, c, epsilon);
  const { targets, sampleWeights } = classTargets(NAME, y, logits, options);
  return reduce(NAME, softTargetNll(targets, logits), options, sampleWeights);
}

export const hypCrossEntropyLoss = /* @__PURE__ */ tf.op({ hypCrossEntropyLoss_ });

export const hypCrossEntropyLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: 'hypCrossEntropyLoss',
  family: 'embedding',
  summary: 'Hyp-CE: softmax cross-entropy on hyperbolic MLR logits of Poincaré embeddings',
  formula: 'ℓ = −log softmax(z)_y,  z_k = (λ_k‖a_k‖/√c) asinh(2√c⟨(−p_k)⊕x, a_k⟩ / ((1 − c‖(−p_k)⊕x‖²)‖a_k‖))',
  fn: hypCrossEntropyLoss,
  target: 'embeddingLabels',
  prediction: 'embedding',
  tasks: ['embedding'],
  params: PARAMS,
  properties: ['nonNegative'],
  reference: 'K. Narayan, V. M. Patel, "Hyp-OC: Hyperbolic One Class Classification for Face Anti-Spoofing", FG 2024, https://arxiv.org/abs/2404.14406',
  seed: 14,
};
