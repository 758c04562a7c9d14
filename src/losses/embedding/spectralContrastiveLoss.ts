import * as tf from '@tensorflow/tfjs-core';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { readTwoViews } from '../_shared/two-views.js';
import { checkOptions } from '../_shared/validate.js';

const NAME = 'spectralContrastiveLoss';

export interface SpectralContrastiveLossOptions extends ReductionOptions {}

const PARAMS: ParamSpecs = {};

/**
 * Spectral contrastive loss (HaoChen et al.): positive pairs are pulled together by their inner
 * product, and every other pair of the batch is pushed toward orthogonality.
 *
 * With views a_i = f(x_i), b_i = f(x_i⁺) `[B, D]` (unnormalised), per anchor i:
 *
 *     ℓ_i = −2 a_iᵀ b_i + 1/(B − 1) Σ_{j≠i} (a_iᵀ b_j)²
 *     mean_i ℓ_i = −(2/B) Σ_i a_iᵀ b_i + 1/(B(B − 1)) Σ_{i≠j} (a_iᵀ b_j)²
 *
 * the batch estimate of L(f) = −2 E_{x,x⁺}[f(x)ᵀ f(x⁺)] + E_{x,x'}[(f(x)ᵀ f(x'))²]. Minimising it
 * is a low-rank factorisation of the augmentation graph's normalised adjacency matrix, so the
 * learned features span its top eigenvectors (hence "spectral"); the quadratic penalty, not a
 * softmax over negatives, keeps the features from growing without bound. The loss is negative
 * near its optimum and not scale-invariant: the embeddings' scale is part of what it learns. The
 * batch estimate leaves out the pairs j = i of the second expectation, so with B <= D it is
 * unbounded below (a = b = s·I gives −2s²): use batches larger than the embedding dimension.
 *
 * 'none' returns ℓ_i per anchor `[B]`, whose mean is the batch form above; `weights` weigh
 * anchors, not the negatives inside each anchor's sum. Finite in value and gradient for finite
 * inputs (the squared inner products are at most D²·1e16 at entries of ±1e4, far inside float32's
 * range).
 *
 * @param viewA - Embeddings f(x) `[B, D]`, B >= 2.
 * @param viewB - Embeddings f(x⁺) of the positives `[B, D]`, row i paired with row i of `viewA`.
 * @returns A scalar, or `[B]` with `reduction: 'none'`.
 *
 * @example
 * spectralContrastiveLoss([[1, 0], [0, 1]], [[1, 0], [0, 1]]).print(); // −2: aligned, orthogonal pairs
 *
 * @see J. Z. HaoChen, C. Wei, A. Gaidon, T. Ma, Provable Guarantees for Self-Supervised Deep
 * Learning with Spectral Contrastive Loss, NeurIPS 2021, https://arxiv.org/abs/2106.04156; as
 * analysed in Y. Xue, E. Gan, J. Ni, S. Joshi, B. Mirzasoleiman, Investigating the Benefits of
 * Projection Head for Representation Learning, ICLR 2024, https://arxiv.org/abs/2403.11391.
 */
function spectralContrastiveLoss_(viewA: TensorInput, viewB: TensorInput, options: SpectralContrastiveLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { a, b, n } = readTwoViews(NAME, viewA, viewB);
  const products = tf.matMul(a, b, false, true);
  const positives = tf.sum(tf.mul(a, b), 1);
  const offMask = tf.sub(1, tf.eye(n));
  const negatives = tf.div(tf.sum(tf.mul(tf.square(products), offMask), 1), n - 1);
  return reduce(NAME, tf.add(tf.mul(positives, -2), negatives), options);
}

export const spectralContrastiveLoss = /* @__PURE__ */ tf.op({ spectralContrastiveLoss_ });

export const spectralContrastiveLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'embedding',
  summary: 'Spectral contrastive loss: −2 aᵢᵀbᵢ plus the mean squared inner product with the other positives',
  formula: 'ℓ_i = −2 a_iᵀ b_i + 1/(B − 1) Σ_{j≠i} (a_iᵀ b_j)²',
  fn: spectralContrastiveLoss,
  target: 'view',
  prediction: 'embedding',
  tasks: ['embedding'],
  params: PARAMS,
  properties: ['batchCoupled'],
  reference:
    'J. Z. HaoChen, C. Wei, A. Gaidon, T. Ma, "Provable Guarantees for Self-Supervised Deep Learning with Spectral Contrastive Loss", NeurIPS 2021, https://arxiv.org/abs/2106.04156; Y. Xue et al., "Investigating the Benefits of Projection Head for Representation Learning", ICLR 2024, https://arxiv.org/abs/2403.11391',
  seed: 44,
};
