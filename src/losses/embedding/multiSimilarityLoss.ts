import * as tf from '@tensorflow/tfjs-core';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { autoChunkSize, blockwisePairLoss } from './chunking.js';
import { marginOf } from './distances.js';
import { maskedLogSumExp } from './logsumexp.js';
import { type PairLossOptions, pairParams, readPairInputs } from './pair-options.js';
import { anchorsWithPairs, pairOperands, pairRowsBlock, pairSource } from './pairs.js';
import { checkEmbeddingOptions, EMPTY_ANCHORS, type EmptyAnchors, elementCoefficients, reduceElements } from './reduction.js';

const NAME = 'multiSimilarityLoss';

export interface MultiSimilarityLossOptions extends PairLossOptions {
  /** α > 0: sharpness of the positive term. @defaultValue `2` */
  alpha?: number;
  /** β > 0: sharpness of the negative term. @defaultValue `50` */
  beta?: number;
  /** λ: the similarity both terms are measured from. @defaultValue `0.5` */
  base?: number;
  /**
   * Whether `'mean'` counts the anchors without any pair (at loss 0): `'count'` averages over every
   * anchor, as pytorch-metric-learning 2.8.1 and the paper (1/m over the batch) do; `'exclude'` over the
   * anchors that have a pair, as pytorch-metric-learning 3.x does. They differ only with `indices`
   * (with labels every anchor of a batch of two or more has pairs). @defaultValue `'count'`
   */
  emptyAnchors?: EmptyAnchors;
}

const PARAMS: ParamSpecs = {
  alpha: { kind: 'number', default: 2, min: 0, exclusiveMin: true, doc: 'α: sharpness of the positive-pair term' },
  beta: { kind: 'number', default: 50, min: 0, exclusiveMin: true, doc: 'β: sharpness of the negative-pair term' },
  base: { kind: 'number', default: 0.5, doc: 'λ: similarity both terms are measured from (the paper uses 1)' },
  emptyAnchors: {
    kind: 'choice',
    default: 'count',
    choices: EMPTY_ANCHORS,
    doc: "'mean' over every anchor ('count', pytorch-metric-learning 2.8.1) or over the anchors with a pair ('exclude', 3.x)",
  },
  ...pairParams('cosine'),
};

/**
 * Multi-similarity loss (Wang et al.): a soft maximum over each anchor's positive pairs that are
 * less similar than λ and over its negative pairs that are more similar than λ. With similarities
 * S (cosine by default), per anchor i with positive pairs P_i and negative pairs N_i,
 *
 *     ℓ_i = (1/α) log[1 + Σ_{k∈P_i} e^(−α(S_ik − λ))] + (1/β) log[1 + Σ_{k∈N_i} e^(β(S_ik − λ))]
 *
 * (with a distance D, S_ik − λ becomes λ − D_ik). The log-sum-exp weighs each pair by how badly it
 * sits, the hardest pairs most, so one anchor's pairs weigh each other rather than counting equally.
 * An anchor without positives (negatives) gets 0 for that term. The pairs are every ordered pair
 * i ≠ j of the batch, or the explicit `indices` (repeated pairs count once, as in the reference);
 * the paper mines pairs first, which `multiSimilarityMiner` does.
 *
 * Reduction: `'none'` gives ℓ_i, `[N]`; `'mean'` (default, pytorch-metric-learning's
 * `MeanReducer`) is their mean over every anchor of the batch, including anchors without pairs
 * (`emptyAnchors: 'exclude'` leaves those out, as pytorch-metric-learning 3.x does);
 * `'meanNonZero'` the mean over ℓ_i > 0. Defaults equal pytorch-metric-learning 2.8.1's
 * `MultiSimilarityLoss` (α 2, β 50, base 0.5, cosine similarity, every anchor counted), which 3.x
 * keeps except for the anchors without pairs; the paper uses λ = 1.
 *
 * @param labels - Integer class labels `[N]` (or label rows `[N, L]` with `labelSimilarity`).
 * @param embeddings - Embeddings `[N, D]`.
 * @returns A scalar, or `[N]` with `reduction: 'none'`.
 *
 * @example
 * multiSimilarityLoss([0, 0, 1], [[1, 0], [0.6, 0.8], [0, 1]]).print(); // 0.3993796
 *
 * @see X. Wang, X. Han, W. Huang, D. Dong, M. R. Scott, "Multi-Similarity Loss with General Pair
 *   Weighting for Deep Metric Learning", CVPR 2019, https://arxiv.org/abs/1904.06627 (defaults:
 *   pytorch-metric-learning 2.8.1, `losses.MultiSimilarityLoss`).
 */
function multiSimilarityLoss_(labels: TensorInput, embeddings: TensorInput, options: MultiSimilarityLossOptions = {}): tf.Tensor {
  checkEmbeddingOptions(NAME, PARAMS, options);
  const { alpha = 2, beta = 50, base = 0.5, emptyAnchors = 'count' } = options;
  const { batch, x, distance, indices, chunkSize } = readPairInputs(NAME, labels, embeddings, options, 'cosine');
  const source = pairSource(NAME, batch, indices);
  const { left, right } = pairOperands(distance, x);
  const block = (rows: tf.Tensor2D, all: tf.Tensor2D, r0: number, r1: number) => {
    const { m, pos, neg } = pairRowsBlock(rows, all, distance, source, r0, r1);
    const posTerm = tf.div(maskedLogSumExp(tf.mul(marginOf(distance, m, base), alpha) as tf.Tensor2D, tf.sign(pos) as tf.Tensor2D, true), alpha);
    const negTerm = tf.div(maskedLogSumExp(tf.mul(marginOf(distance, base, m), beta) as tf.Tensor2D, tf.sign(neg) as tf.Tensor2D, true), beta);
    return tf.expandDims(tf.add(posTerm, negTerm), 1) as tf.Tensor2D;
  };
  let counted: Uint8Array | undefined;
  if (emptyAnchors === 'exclude' && (options.reduction ?? 'mean') === 'mean') {
    const has = anchorsWithPairs(source);
    counted = has.pos.map((p, i) => p | (has.neg[i] as number));
  }
  const reduce = (losses: tf.Tensor2D) => reduceElements(NAME, tf.reshape(losses, [batch.n]), options, counted);
  const coefficients = elementCoefficients(NAME, batch.n, options, counted);
  return blockwisePairLoss(left, right, batch.n, chunkSize ?? autoChunkSize(batch.n, batch.n), block, reduce, coefficients);
}

export const multiSimilarityLoss = /* @__PURE__ */ tf.op({ multiSimilarityLoss_ });

export const multiSimilarityLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: 'multiSimilarityLoss',
  family: 'embedding',
  summary: 'Multi-similarity loss: soft maxima over each anchor’s too-dissimilar positives and too-similar negatives',
  formula: 'ℓ_i = (1/α) log[1 + Σ_P e^(−α(S_ik − λ))] + (1/β) log[1 + Σ_N e^(β(S_ik − λ))]',
  fn: multiSimilarityLoss,
  target: 'embeddingLabels',
  prediction: 'embedding',
  tasks: ['embedding'],
  params: PARAMS,
  properties: ['nonNegative', 'scaleInvariant', 'batchCoupled'],
  reference:
    'X. Wang, X. Han, W. Huang, D. Dong, M. R. Scott, "Multi-Similarity Loss with General Pair Weighting for Deep Metric Learning", CVPR 2019, https://arxiv.org/abs/1904.06627; defaults of pytorch-metric-learning 2.8.1 MultiSimilarityLoss',
};
