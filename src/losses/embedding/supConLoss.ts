import * as tf from '@tensorflow/tfjs-core';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { autoChunkSize, blockwisePairLoss } from './chunking.js';
import { repeatColumns, temperatureLogits } from './distances.js';
import { maskedLogSumExp } from './logsumexp.js';
import { type PairLossOptions, pairParams, readPairInputs } from './pair-options.js';
import { anchorsWithPairs, pairOperands, pairRowsBlock, pairSource } from './pairs.js';
import { checkEmbeddingOptions, EMPTY_ANCHORS, type EmptyAnchors, elementCoefficients, reduceElements } from './reduction.js';

const NAME = 'supConLoss';

export interface SupConLossOptions extends PairLossOptions {
  /** τ > 0: similarities are divided by it before the softmax. @defaultValue `0.1` */
  temperature?: number;
  /**
   * Give 0 for a batch without any negative pair, as pytorch-metric-learning 2.x did. By default such a
   * batch has the paper's loss, as in pytorch-metric-learning 3.x. @defaultValue `false`
   */
  zeroWithoutNegatives?: boolean;
  /**
   * Whether `'mean'` counts the anchors without positives (at loss 0): `'count'` averages over every
   * anchor (pytorch-metric-learning 2.8.1's `MeanReducer`), `'exclude'` over the anchors with a positive
   * (pytorch-metric-learning 3.x). @defaultValue `'count'`
   */
  emptyAnchors?: EmptyAnchors;
}

const PARAMS: ParamSpecs = {
  temperature: { kind: 'number', default: 0.1, min: 0, exclusiveMin: true, doc: 'τ: temperature dividing the similarities' },
  zeroWithoutNegatives: { kind: 'boolean', default: false, doc: 'loss 0 for a batch without negative pairs (pytorch-metric-learning 2.x); default: the paper’s loss (3.x)' },
  emptyAnchors: {
    kind: 'choice',
    default: 'count',
    choices: EMPTY_ANCHORS,
    doc: "'mean' over every anchor ('count', pytorch-metric-learning 2.8.1) or over the anchors with a positive ('exclude', 3.x)",
  },
  ...pairParams('cosine'),
};

/**
 * Supervised contrastive loss (Khosla et al., the "L_out" form): per anchor, the mean over its
 * positives of the log-probability of the positive in a softmax over all its pairs,
 *
 *     ℓ_i = −(1/|P_i|) Σ_{p∈P_i} log [ e^(s_ip/τ) / Σ_{k∈P_i∪N_i} e^(s_ik/τ) ]
 *
 * with s the cosine similarity by default (with a distance d, s = −d). Unlike NT-Xent the other
 * positives of the anchor are in the denominator, and one anchor's positives are averaged into one
 * term. An anchor without positives gives 0. An anchor with positives but no negatives has the
 * paper's loss, its softmax running over its positives alone, also when the whole batch holds no
 * negative pair: pytorch-metric-learning 2.x returned 0 for such a batch and 3.x corrected it
 * (`zeroWithoutNegatives: true` gives the 2.x value). Pairs are every ordered pair i ≠ j by the
 * labels, or the explicit `indices` (repeated pairs count once).
 *
 * Reduction: `'none'` gives ℓ_i, `[N]`; `'mean'` (default, `MeanReducer`) their mean over every
 * anchor (`emptyAnchors: 'exclude'`: over the anchors with a positive, as pytorch-metric-learning 3.x
 * does); `'meanNonZero'` the mean over ℓ_i > 0, which is pytorch-metric-learning's default
 * (`AvgNonZeroReducer`) and leaves out anchors without positives. Defaults follow
 * pytorch-metric-learning 2.8.1's `SupConLoss` (τ 0.1, cosine similarity) with its 3.x correction for
 * batches without negatives.
 *
 * @param labels - Integer class labels `[N]` (or label rows `[N, L]` with `labelSimilarity`).
 * @param embeddings - Embeddings `[N, D]`.
 * @returns A scalar, or `[N]` with `reduction: 'none'`.
 *
 * @example
 * supConLoss([0, 0, 1], [[1, 0], [0.6, 0.8], [0, 1]]).print(); // 0.7098013
 *
 * @see P. Khosla, P. Teterwak, C. Wang, A. Sarna, Y. Tian, P. Isola, A. Maschinot, C. Liu,
 *   D. Krishnan, "Supervised Contrastive Learning", NeurIPS 2020, https://arxiv.org/abs/2004.11362
 *   (defaults: pytorch-metric-learning 2.8.1, `losses.SupConLoss`, with the 3.x behaviour for batches
 *   without negative pairs, https://kevinmusgrave.github.io/pytorch-metric-learning/losses/supcon_loss/).
 */
function supConLoss_(labels: TensorInput, embeddings: TensorInput, options: SupConLossOptions = {}): tf.Tensor {
  checkEmbeddingOptions(NAME, PARAMS, options);
  const { temperature = 0.1, zeroWithoutNegatives = false, emptyAnchors = 'count' } = options;
  const { batch, x, distance, indices, chunkSize } = readPairInputs(NAME, labels, embeddings, options, 'cosine');
  const source = pairSource(NAME, batch, indices);
  const present = source.any();
  const active = present.pos && (present.neg || !zeroWithoutNegatives) ? 1 : 0;
  const { left, right } = pairOperands(distance, x);
  const block = (rows: tf.Tensor2D, all: tf.Tensor2D, r0: number, r1: number) => {
    const { m, pos, neg } = pairRowsBlock(rows, all, distance, source, r0, r1);
    const positives = tf.sign(pos) as tf.Tensor2D;
    const logits = temperatureLogits(distance, m, temperature);
    const denominator = maskedLogSumExp(logits, tf.sign(tf.add(positives, neg)) as tf.Tensor2D, false);
    const logProb = tf.sub(logits, repeatColumns(denominator, source.n));
    const perAnchor = tf.div(tf.sum(tf.mul(positives, logProb), 1), tf.maximum(tf.sum(positives, 1), 1));
    return tf.expandDims(tf.mul(perAnchor, -active), 1) as tf.Tensor2D;
  };
  const counted = emptyAnchors === 'exclude' && (options.reduction ?? 'mean') === 'mean' ? anchorsWithPairs(source).pos : undefined;
  const reduce = (losses: tf.Tensor2D) => reduceElements(NAME, tf.reshape(losses, [batch.n]), options, counted);
  const coefficients = elementCoefficients(NAME, batch.n, options, counted);
  return blockwisePairLoss(left, right, batch.n, chunkSize ?? autoChunkSize(batch.n, batch.n), block, reduce, coefficients);
}

export const supConLoss = /* @__PURE__ */ tf.op({ supConLoss_ });

export const supConLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: 'supConLoss',
  family: 'embedding',
  summary: 'Supervised contrastive loss: mean log-probability of each anchor’s positives in a softmax over its pairs',
  formula: 'ℓ_i = −(1/|P_i|) Σ_p log e^(s_ip/τ) / Σ_{k≠i} e^(s_ik/τ)',
  fn: supConLoss,
  target: 'embeddingLabels',
  prediction: 'embedding',
  tasks: ['embedding'],
  params: PARAMS,
  properties: ['nonNegative', 'scaleInvariant', 'batchCoupled'],
  reference:
    'P. Khosla et al., "Supervised Contrastive Learning", NeurIPS 2020, https://arxiv.org/abs/2004.11362; defaults of pytorch-metric-learning 2.8.1 SupConLoss (3.x for batches without negative pairs)',
};
