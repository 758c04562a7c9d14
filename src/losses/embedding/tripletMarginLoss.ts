import * as tf from '@tensorflow/tfjs-core';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { autoChunkSize, blockwisePairLoss } from './chunking.js';
import { type DistanceName, marginOf, rowwise } from './distances.js';
import { type PairLossOptions, pairParams, readPairInputs } from './pair-options.js';
import { pairCounts, pairOperands, pairRowsBlock, pairSource } from './pairs.js';
import { gatherRows, sumRows } from './rows.js';
import { checkEmbeddingOptions, reduceTupleStats, tupleStats, tupleStatsCoefficients } from './reduction.js';

const NAME = 'tripletMarginLoss';

export interface TripletMarginLossOptions extends PairLossOptions {
  /** m: the gap wanted between the anchor–negative and the anchor–positive distance. @defaultValue `0.05` */
  margin?: number;
  /** Use the soft hinge log(1 + e^v) instead of [v]_+. @defaultValue `false` */
  smoothLoss?: boolean;
}

const PARAMS: ParamSpecs = {
  margin: { kind: 'number', default: 0.05, doc: 'm: wanted gap between d_an and d_ap (pytorch-metric-learning 2.8.1 default 0.05; 3.x: 0.2)' },
  smoothLoss: { kind: 'boolean', default: false, doc: 'soft hinge log(1 + e^v) instead of [v]_+' },
  ...pairParams('euclidean'),
};

/** The hinge (or soft hinge) of the triplet violation d_ap − d_an + m (similarities: s_an − s_ap + m). */
function tripletLoss(distance: DistanceName, ap: tf.Tensor, an: tf.Tensor, margin: number, smooth: boolean): tf.Tensor {
  const violation = tf.add(marginOf(distance, ap, an), margin);
  return smooth ? tf.softplus(violation) : tf.relu(violation);
}

/**
 * Triplet margin loss: each anchor should be closer to a positive than to a negative by a margin.
 * With a distance d (Euclidean on L2-normalised embeddings by default), per triplet (a, p, n),
 *
 *     ℓ(a, p, n) = [d_ap − d_an + m]_+            (similarities: [s_an − s_ap + m]_+)
 *
 * or log(1 + e^(d_ap − d_an + m)) with `smoothLoss`. The triplets are every (a, p, n) with p ≠ a a
 * positive and n a negative of a (pytorch-metric-learning's `triplets_per_anchor="all"`: O(N³), so use
 * `chunkSize` or a miner for large batches); pair `indices` give every triplet of a positive and a
 * negative pair that share their anchor; triplet `indices` (e.g. from `batchHardMiner`) are used as
 * they are, computed from the 3T embedding rows they name (no pairwise matrix).
 *
 * Reduction: `'mean'` (default) is the mean over triplets; `'meanNonZero'` the mean over triplets
 * with a loss > 0 (pytorch-metric-learning's default `AvgNonZeroReducer`); `'sum'` their sum;
 * `'none'` gives per anchor the sum of its triplet losses, `[N]`. Without a triplet the loss is 0.
 * A triplet that already satisfies the margin has no gradient, so training concentrates on the
 * violating ones. Defaults equal pytorch-metric-learning 2.8.1's `TripletMarginLoss` (margin 0.05,
 * `LpDistance` on normalised embeddings); 3.x changed the default margin to 0.2, the margin of its
 * `TripletMarginMiner` and FaceNet's (release notes of 3.0.0rc3, issue #466): pass `margin: 0.2`
 * for the 3.x default. Nothing else of the loss changed in 3.x.
 *
 * @param labels - Integer class labels `[N]` (or label rows `[N, L]` with `labelSimilarity`).
 * @param embeddings - Embeddings `[N, D]`.
 * @returns A scalar, or `[N]` with `reduction: 'none'`.
 *
 * @example
 * tripletMarginLoss([0, 0, 1], [[1, 0], [0.6, 0.8], [0, 1]], { margin: 0.2 }).print(); // 0.2309858
 *
 * @see F. Schroff, D. Kalenichenko, J. Philbin, "FaceNet: A Unified Embedding for Face Recognition
 *   and Clustering", CVPR 2015, https://arxiv.org/abs/1503.03832 (defaults: pytorch-metric-learning
 *   2.8.1, `losses.TripletMarginLoss`).
 */
function tripletMarginLoss_(labels: TensorInput, embeddings: TensorInput, options: TripletMarginLossOptions = {}): tf.Tensor {
  checkEmbeddingOptions(NAME, PARAMS, options);
  const { margin = 0.05, smoothLoss = false } = options;
  const { batch, x, distance, indices, chunkSize } = readPairInputs(NAME, labels, embeddings, options, 'euclidean');
  const n = batch.n;
  const reduce = (stats: tf.Tensor2D) => reduceTupleStats(NAME, stats, options);
  if (indices?.kind === 'triplets') {
    // Listed triplets, grouped by anchor so that a block of anchors holds its own triplets.
    const order = Array.from(indices.a.keys()).sort((i, j) => (indices.a[i] as number) - (indices.a[j] as number));
    const firstOf = new Int32Array(n + 1);
    for (const a of indices.a) firstOf[a + 1] = (firstOf[a + 1] as number) + 1;
    for (let r = 0; r < n; r++) firstOf[r + 1] = (firstOf[r + 1] as number) + (firstOf[r] as number);
    const perAnchor = () => {
      const counts = new Float32Array(n);
      for (const a of indices.a) counts[a] = (counts[a] as number) + 1;
      return [counts];
    };
    // The block's anchors are its own rows; the listed positives and negatives lie anywhere in x.
    return blockwisePairLoss(x, x, n, chunkSize, (rows, z, r0, r1) => {
      const b = r1 - r0;
      const listed = order.slice(firstOf[r0] as number, firstOf[r1] as number);
      const pick = (list: Int32Array, offset = 0) => Int32Array.from(listed, (k) => (list[k] as number) - offset);
      const za = gatherRows(rows, pick(indices.a, r0));
      const losses = tripletLoss(distance, rowwise(distance, za, gatherRows(z, pick(indices.p))), rowwise(distance, za, gatherRows(z, pick(indices.n))), margin, smoothLoss);
      const anchors = pick(indices.a, r0);
      const counts = new Float32Array(b);
      for (const i of anchors) counts[i] = (counts[i] as number) + 1;
      const sums = sumRows(tf.stack([losses, tf.sign(tf.relu(losses))], 1) as tf.Tensor2D, anchors, b); // [b, 2]
      return tf.concat([tf.slice(sums, [0, 0], [b, 1]), tf.tensor2d(counts, [b, 1]), tf.slice(sums, [0, 1], [b, 1])], 1) as tf.Tensor2D;
    }, reduce, tupleStatsCoefficients(NAME, perAnchor, options));
  }
  // Every (p, n) combination of each anchor's positive and negative pairs: [b, N, N] per block.
  const source = pairSource(NAME, batch, indices);
  const { left, right } = pairOperands(distance, x);
  const perAnchor = () => {
    const { pos, neg } = pairCounts(source);
    return [pos.map((p, i) => p * (neg[i] as number))];
  };
  return blockwisePairLoss(left, right, n, chunkSize ?? autoChunkSize(n, n * n), (rows, all, r0, r1) => {
    const b = r1 - r0;
    const { m, pos, neg } = pairRowsBlock(rows, all, distance, source, r0, r1);
    // Outer products per anchor (batched [n, 1] × [1, n] products) instead of broadcasting.
    const ones = tf.ones([b, 1, n]);
    const column = (v: tf.Tensor2D) => tf.matMul(tf.expandDims(v, 2), ones); // [b, n, n]: v[i, p]
    const row = (v: tf.Tensor2D) => tf.matMul(ones, tf.expandDims(v, 1), true); // [b, n, n]: v[i, n]
    const losses = tripletLoss(distance, column(m), row(m), margin, smoothLoss);
    const counts = tf.matMul(tf.expandDims(pos, 2), tf.expandDims(neg, 1));
    return tupleStats([[tf.reshape(losses, [b, n * n]), tf.reshape(counts, [b, n * n])]], { nonZero: options.reduction === 'meanNonZero' });
  }, reduce, tupleStatsCoefficients(NAME, perAnchor, options));
}

export const tripletMarginLoss = /* @__PURE__ */ tf.op({ tripletMarginLoss_ });

export const tripletMarginLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: 'tripletMarginLoss',
  family: 'embedding',
  summary: 'Triplet margin loss: anchor closer to each positive than to each negative by a margin',
  formula: 'ℓ = mean_(a,p,n) [d_ap − d_an + m]_+',
  fn: tripletMarginLoss,
  target: 'embeddingLabels',
  prediction: 'embedding',
  tasks: ['embedding'],
  params: PARAMS,
  properties: ['nonNegative', 'scaleInvariant', 'batchCoupled', 'meanOverTuples'],
  reference:
    'F. Schroff, D. Kalenichenko, J. Philbin, "FaceNet: A Unified Embedding for Face Recognition and Clustering", CVPR 2015, https://arxiv.org/abs/1503.03832; defaults of pytorch-metric-learning 2.8.1 TripletMarginLoss',
};
