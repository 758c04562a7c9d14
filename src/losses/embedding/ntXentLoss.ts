import * as tf from '@tensorflow/tfjs-core';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { autoChunkSize, blockwisePairLoss } from './chunking.js';
import { repeatColumns, temperatureLogits } from './distances.js';
import { maskedLogSumExp } from './logsumexp.js';
import { type PairLossOptions, pairParams, readPairInputs } from './pair-options.js';
import { pairCounts, pairOperands, pairRowsBlock, pairSource } from './pairs.js';
import { checkEmbeddingOptions, reduceTupleStats, tupleStats, tupleStatsCoefficients } from './reduction.js';

const NAME = 'ntXentLoss';

export interface NtXentLossOptions extends PairLossOptions {
  /** τ > 0: similarities are divided by it before the softmax. @defaultValue `0.07` */
  temperature?: number;
}

const PARAMS: ParamSpecs = {
  temperature: { kind: 'number', default: 0.07, min: 0, exclusiveMin: true, doc: 'τ: temperature dividing the similarities' },
  ...pairParams('cosine'),
};

/**
 * NT-Xent / InfoNCE over the labels' positive pairs, as pytorch-metric-learning's `NTXentLoss`: one
 * softmax cross-entropy per positive pair (a, p), against the negatives of the same anchor,
 *
 *     ℓ(a, p) = −log [ e^(s_ap/τ) / (e^(s_ap/τ) + Σ_{n∈N_a} e^(s_an/τ)) ]
 *             = softplus( log Σ_{n∈N_a} e^(s_an/τ) − s_ap/τ )
 *
 * with s the cosine similarity by default (with a distance d, s = −d). The anchor's other positives
 * are not in the denominator. With two views of each sample as the only positives this is SimCLR's
 * NT-Xent; with class labels each positive pair is its own term. Small τ sharpens the softmax onto
 * the hardest negatives. A positive pair whose anchor has no negative contributes 0 (and counts).
 * Pairs are every ordered pair i ≠ j by the labels, or the explicit `indices`.
 *
 * Reduction: `'mean'` (default) is the mean over positive pairs (`MeanReducer`); `'meanNonZero'` over
 * those with a loss > 0; `'sum'` their sum; `'none'` gives per anchor the sum of its positive-pair
 * losses, `[N]`. Without a positive pair the loss is 0. Computed as a softplus of a log-sum-exp, it is
 * finite for any similarity; pytorch-metric-learning 2.x adds float32's smallest normal number inside
 * its log, which caps its value near 87.3 where its float32 ratio underflows, a case this loss
 * computes exactly (3.0.0rc2 corrected the reference with a softplus too, #758). Defaults equal
 * pytorch-metric-learning 2.8.1's (τ 0.07, cosine similarity), unchanged in 3.x.
 *
 * @param labels - Integer class labels `[N]` (or label rows `[N, L]` with `labelSimilarity`).
 * @param embeddings - Embeddings `[N, D]`.
 * @returns A scalar, or `[N]` with `reduction: 'none'`.
 *
 * @example
 * ntXentLoss([0, 0, 1], [[1, 0], [0.6, 0.8], [0, 1]]).print(); // 1.456588
 *
 * @see A. van den Oord, Y. Li, O. Vinyals, "Representation Learning with Contrastive Predictive
 *   Coding", 2018, https://arxiv.org/abs/1807.03748; T. Chen, S. Kornblith, M. Norouzi, G. Hinton,
 *   "A Simple Framework for Contrastive Learning of Visual Representations", ICML 2020,
 *   https://arxiv.org/abs/2002.05709 (defaults: pytorch-metric-learning 2.8.1, `losses.NTXentLoss`).
 */
function ntXentLoss_(labels: TensorInput, embeddings: TensorInput, options: NtXentLossOptions = {}): tf.Tensor {
  checkEmbeddingOptions(NAME, PARAMS, options);
  const { temperature = 0.07 } = options;
  const { batch, x, distance, indices, chunkSize } = readPairInputs(NAME, labels, embeddings, options, 'cosine');
  const source = pairSource(NAME, batch, indices);
  const nonZero = options.reduction === 'meanNonZero';
  const { left, right } = pairOperands(distance, x);
  const block = (rows: tf.Tensor2D, all: tf.Tensor2D, r0: number, r1: number) => {
    const { m, pos, neg } = pairRowsBlock(rows, all, distance, source, r0, r1);
    const logits = temperatureLogits(distance, m, temperature);
    const negatives = maskedLogSumExp(logits, neg, false);
    const hasNegative = tf.cast(tf.any(tf.greater(neg, 0), 1), 'float32');
    const losses = tf.softplus(tf.sub(repeatColumns(negatives, source.n), logits));
    return tupleStats([[losses, pos]], { rowScale: hasNegative, nonZero });
  };
  const coefficients = tupleStatsCoefficients(NAME, () => [pairCounts(source).pos], options);
  return blockwisePairLoss(left, right, batch.n, chunkSize ?? autoChunkSize(batch.n, batch.n), block, (stats) => reduceTupleStats(NAME, stats, options), coefficients);
}

export const ntXentLoss = /* @__PURE__ */ tf.op({ ntXentLoss_ });

export const ntXentLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: 'ntXentLoss',
  family: 'embedding',
  summary: 'NT-Xent / InfoNCE: softmax cross-entropy of each positive pair against its anchor’s negatives',
  formula: 'ℓ(a, p) = −log e^(s_ap/τ) / (e^(s_ap/τ) + Σ_n e^(s_an/τ))',
  fn: ntXentLoss,
  target: 'embeddingLabels',
  prediction: 'embedding',
  tasks: ['embedding'],
  params: PARAMS,
  properties: ['nonNegative', 'scaleInvariant', 'batchCoupled', 'meanOverTuples'],
  reference:
    'T. Chen, S. Kornblith, M. Norouzi, G. Hinton, "A Simple Framework for Contrastive Learning of Visual Representations", ICML 2020, https://arxiv.org/abs/2002.05709; defaults of pytorch-metric-learning 2.8.1 NTXentLoss',
};
