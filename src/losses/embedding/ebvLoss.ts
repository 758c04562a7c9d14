import * as tf from '@tensorflow/tfjs-core';
import { fail, formatShape, formatValue } from '../_shared/errors.js';
import { softTargetNll } from '../_shared/numerics.js';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import { type TensorInput, toFloat } from '../_shared/to-tensor.js';
import { checkClassIndices, checkNotEmpty, checkOptions, checkRank } from '../_shared/validate.js';
import { normalizeRows } from './distances.js';
import { readEmbeddings } from './labels.js';

const NAME = 'ebvLoss';

export interface EbvLossOptions extends ReductionOptions {
  /** The equiangular basis `[C, D]`, one row per class (from `generateEquiangularBasis`). Required. */
  basis?: TensorInput | number[][];
  /** τ > 0: temperature of the cosine logits. @defaultValue `0.07` */
  tau?: number;
  /** ε: targets become t(1 − ε) + ε/C. @defaultValue `0` */
  labelSmoothing?: number;
}

const PARAMS: ParamSpecs = {
  basis: { kind: 'data', type: 'matrix [numClasses, D]', required: true, shape: 'classRows', doc: 'the equiangular basis vectors, one row per class (fixed, not trained)' },
  tau: { kind: 'number', default: 0.07, min: 0, exclusiveMin: true, doc: 'τ: temperature of the cosine logits' },
  labelSmoothing: { kind: 'number', default: 0, min: 0, max: 1, doc: 'ε: targets become t(1−ε) + ε/C (0.1 in the ImageNet recipe)' },
};

/** The basis `[C, D]` with unit rows, checked against the embedding dimension. */
function readBasis(fn: string, basis: unknown, dim: number): tf.Tensor2D {
  if (basis === undefined) fail(fn, '`basis`', `be given: a [numClasses, ${dim}] matrix (see generateEquiangularBasis)`, 'undefined');
  if (!(basis instanceof tf.Tensor || Array.isArray(basis) || ArrayBuffer.isView(basis))) fail(fn, '`basis`', `be a [numClasses, ${dim}] matrix`, formatValue(basis));
  const b = toFloat(fn, 'basis', basis as TensorInput);
  checkRank(fn, 'basis', b, [2]);
  checkNotEmpty(fn, 'basis', b);
  if (b.shape[1] !== dim) fail(fn, '`basis`', `have one column per embedding dimension, [numClasses, ${dim}]`, `shape ${formatShape(b.shape)}`);
  return normalizeRows(b as tf.Tensor2D);
}

/** Cosine similarities `[N, C]` of the normalised embeddings with the (normalised) basis vectors. */
function cosines(fn: string, embeddings: tf.Tensor2D, basis: unknown): tf.Tensor2D {
  const b = readBasis(fn, basis, embeddings.shape[1]);
  return tf.matMul(normalizeRows(embeddings), b, false, true) as tf.Tensor2D;
}

/**
 * Equiangular basis vectors (EBV) loss: softmax cross-entropy over the cosines between the
 * normalised embedding and fixed, nearly orthogonal class vectors.
 *
 * With embedding f_i, basis rows w_1..w_C (both normalised to unit length) and temperature τ:
 *
 *     z_ic = cos(f_i, w_c) / τ = f̂_i · ŵ_c / τ
 *     ℓ_i = −log softmax(z_i)_{y_i}      (with labelSmoothing ε: −Σ_c t_ic log softmax(z_i)_c)
 *
 * The classifier is not learned: the basis comes from `generateEquiangularBasis`, so every pair of
 * classes is (nearly) equally far apart on the sphere however many classes there are, and the
 * network only learns to map each sample close to its class's vector, measured by the spherical
 * (cosine) distance. A small τ sharpens the softmax so that this distance keeps shrinking. Logits
 * are bounded by 1/τ, so the loss is finite; a zero embedding stays zero (its logits are all 0)
 * and its gradient is finite. The basis is normalised row by row, so any `[C, D]` matrix works.
 *
 * @param labels - Integer class indices `[N]` (or `[N, 1]`) in [0, C).
 * @param embeddings - Embeddings `[N, D]` (the backbone's output, before normalisation).
 * @returns A scalar, or `[N]` with `reduction: 'none'`.
 *
 * @example
 * const basis = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
 * ebvLoss([0, 2], [[0.8, 0.6, 0], [0, 0.6, 0.8]], { basis }).print(); // 0.055854
 *
 * @see Y. Shen, X. Sun, X.-S. Wei, Equiangular Basis Vectors, CVPR 2023,
 * https://arxiv.org/abs/2303.11637 (official code `aassxun/Equiangular-Basis-Vectors`: τ = 0.07).
 */
function ebvLoss_(labels: TensorInput, embeddings: TensorInput, options: EbvLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { basis, tau = 0.07, labelSmoothing = 0 } = options;
  const { embeddings: x, labels: y } = readEmbeddings(NAME, labels, embeddings);
  const cos = cosines(NAME, x, basis);
  const [n, c] = cos.shape;
  if (!(y.rank === 1 || (y.rank === 2 && y.shape[1] === 1))) fail(NAME, '`labels`', 'be integer class indices [N]', `shape ${formatShape(y.shape)}`);
  checkClassIndices(NAME, 'labels', y, c);
  let targets = tf.cast(tf.oneHot(tf.cast(tf.reshape(y, [n]), 'int32'), c), 'float32');
  if (labelSmoothing > 0) targets = tf.add(tf.mul(targets, 1 - labelSmoothing), labelSmoothing / c);
  return reduce(NAME, softTargetNll(targets, tf.div(cos, tau)), options);
}

export const ebvLoss = /* @__PURE__ */ tf.op({ ebvLoss_ });

/**
 * The EBV classifier's prediction: for each embedding, the class whose basis vector is nearest on
 * the sphere (the largest cosine), `argmax_c f̂_i · ŵ_c`; the first class on ties.
 *
 * @param embeddings - Embeddings `[N, D]`.
 * @param basis - The basis `[C, D]`, one row per class.
 * @returns Class indices `[N]`, int32.
 */
export function ebvPredict(embeddings: TensorInput, basis: TensorInput | number[][]): tf.Tensor1D {
  return tf.tidy(() => {
    const x = toFloat('ebvPredict', 'embeddings', embeddings);
    checkRank('ebvPredict', 'embeddings', x, [2]);
    checkNotEmpty('ebvPredict', 'embeddings', x);
    return tf.argMax(cosines('ebvPredict', x as tf.Tensor2D, basis), 1) as tf.Tensor1D;
  });
}

export const ebvLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'embedding',
  summary: 'Equiangular basis vectors: cross-entropy over cosines to fixed, nearly orthogonal class vectors',
  formula: 'ℓ = −log softmax(f̂ Wᵀ / τ)_y,  W fixed equiangular basis, f̂ = f/‖f‖',
  fn: ebvLoss,
  target: 'embeddingLabels',
  prediction: 'embedding',
  tasks: ['embedding'],
  params: PARAMS,
  properties: ['nonNegative', 'scaleInvariant'],
  reference: 'Y. Shen, X. Sun, X.-S. Wei, "Equiangular Basis Vectors", CVPR 2023, https://arxiv.org/abs/2303.11637',
  seed: 54,
};
