import * as tf from '@tensorflow/tfjs-core';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { autoChunkSize, blockwisePairLoss } from './chunking.js';
import { marginOf } from './distances.js';
import { type PairLossOptions, pairParams, readPairInputs } from './pair-options.js';
import { pairCounts, pairOperands, pairRowsBlock, pairSource } from './pairs.js';
import { checkEmbeddingOptions, reduceTupleStats, tupleStats, tupleStatsCoefficients } from './reduction.js';

const NAME = 'contrastiveLoss';

export interface ContrastiveLossOptions extends PairLossOptions {
  /** m_pos: positive pairs within this distance (above this similarity) cost nothing. @defaultValue `0` */
  posMargin?: number;
  /** m_neg: negative pairs beyond this distance (below this similarity) cost nothing. @defaultValue `1` */
  negMargin?: number;
}

const PARAMS: ParamSpecs = {
  posMargin: { kind: 'number', default: 0, doc: 'm_pos: positive pairs closer than this (distance) or more similar (similarity) cost nothing' },
  negMargin: { kind: 'number', default: 1, doc: 'm_neg: negative pairs farther than this (distance) or less similar (similarity) cost nothing' },
  ...pairParams('euclidean'),
};

/**
 * Contrastive loss over the pairs of a batch: positive pairs (same label) are pulled within
 * `posMargin`, negative pairs pushed beyond `negMargin`. With a distance d (Euclidean on
 * L2-normalised embeddings by default),
 *
 *     ℓ⁺(a, p) = [d_ap − m_pos]_+          ℓ⁻(a, n) = [m_neg − d_an]_+
 *
 * and with a similarity s ('cosine', 'dot') the hinges turn round: [m_pos − s_ap]_+ and
 * [s_an − m_neg]_+ (pass e.g. posMargin 1, negMargin 0 then). The hinges are not squared (the paper
 * squares them). The pairs are every ordered pair (i, j), i ≠ j, of the batch, positive when the
 * labels are equal (or `labelSimilarity` says 1), negative otherwise; or the explicit `indices`.
 *
 * Reduction: `'mean'` (default) is the mean of the positive-pair losses plus the mean of the
 * negative-pair losses (pytorch-metric-learning with `MeanReducer`); `'meanNonZero'` averages only
 * the pair losses > 0 of each kind (its default `AvgNonZeroReducer`); `'sum'` adds every pair loss;
 * `'none'` gives, per anchor i, the sum of its pair losses, `[N]`, whose sum is `'sum'` but whose mean
 * is not `'mean'`. A kind of pair the batch lacks adds 0. Only pairs inside a margin have a gradient,
 * so the loss stops pulling once a pair is close enough and stops pushing once it is far enough.
 * Defaults equal pytorch-metric-learning 2.8.1's `ContrastiveLoss` (pos_margin 0, neg_margin 1,
 * `LpDistance` on normalised embeddings).
 *
 * @param labels - Integer class labels `[N]` (or label rows `[N, L]` with `labelSimilarity`).
 * @param embeddings - Embeddings `[N, D]`.
 * @returns A scalar, or `[N]` with `reduction: 'none'`.
 *
 * @example
 * contrastiveLoss([0, 0, 1], [[1, 0], [0.6, 0.8], [0, 1]]).print(); // 1.0781994
 *
 * @see R. Hadsell, S. Chopra, Y. LeCun, "Dimensionality Reduction by Learning an Invariant Mapping",
 *   CVPR 2006, http://yann.lecun.com/exdb/publis/pdf/hadsell-chopra-lecun-06.pdf (defaults:
 *   pytorch-metric-learning 2.8.1, `losses.ContrastiveLoss`).
 */
function contrastiveLoss_(labels: TensorInput, embeddings: TensorInput, options: ContrastiveLossOptions = {}): tf.Tensor {
  checkEmbeddingOptions(NAME, PARAMS, options);
  const { posMargin = 0, negMargin = 1 } = options;
  const { batch, x, distance, indices, chunkSize } = readPairInputs(NAME, labels, embeddings, options, 'euclidean');
  const source = pairSource(NAME, batch, indices);
  const nonZero = options.reduction === 'meanNonZero';
  const { left, right } = pairOperands(distance, x);
  const block = (rows: tf.Tensor2D, all: tf.Tensor2D, r0: number, r1: number) => {
    const { m, pos, neg } = pairRowsBlock(rows, all, distance, source, r0, r1);
    return tupleStats(
      [
        [tf.relu(marginOf(distance, m, posMargin)), pos],
        [tf.relu(marginOf(distance, negMargin, m)), neg],
      ],
      { nonZero },
    );
  };
  const coefficients = tupleStatsCoefficients(NAME, () => {
    const { pos, neg } = pairCounts(source);
    return [pos, neg];
  }, options);
  return blockwisePairLoss(left, right, batch.n, chunkSize ?? autoChunkSize(batch.n, batch.n), block, (stats) => reduceTupleStats(NAME, stats, options), coefficients);
}

export const contrastiveLoss = /* @__PURE__ */ tf.op({ contrastiveLoss_ });

export const contrastiveLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: 'contrastiveLoss',
  family: 'embedding',
  summary: 'Contrastive pair loss: positive pairs pulled within posMargin, negative pairs pushed beyond negMargin',
  formula: 'ℓ = mean_pos [d_ap − m_pos]_+ + mean_neg [m_neg − d_an]_+',
  fn: contrastiveLoss,
  target: 'embeddingLabels',
  prediction: 'embedding',
  tasks: ['embedding'],
  params: PARAMS,
  properties: ['nonNegative', 'scaleInvariant', 'batchCoupled', 'meanOverTuples'],
  reference:
    'R. Hadsell, S. Chopra, Y. LeCun, "Dimensionality Reduction by Learning an Invariant Mapping", CVPR 2006, http://yann.lecun.com/exdb/publis/pdf/hadsell-chopra-lecun-06.pdf; defaults of pytorch-metric-learning 2.8.1 ContrastiveLoss',
};
