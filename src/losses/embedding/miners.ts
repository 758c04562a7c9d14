import * as tf from '@tensorflow/tfjs-core';
import { fail } from '../_shared/errors.js';
import type { ParamSpecs } from '../_shared/spec.js';
import { type TensorInput, toTensor } from '../_shared/to-tensor.js';
import { checkOptions } from '../_shared/validate.js';
import { readChunkSize, rowBlocks } from './chunking.js';
import { checkDistance, DISTANCES, type DistanceName, isSimilarity, pairwise, pairwiseOfOperands, pairwiseOperand, prepareEmbeddings } from './distances.js';
import { type EmbeddingBatch, type LabelSimilarity, readEmbeddingBatch } from './labels.js';
import { allPairs, type PairSource, pairSource } from './pairs.js';

/**
 * Miners pick the informative tuples of a batch, as pytorch-metric-learning's miners do: they read
 * the embeddings (no gradient) and return row indices, which a loss takes as its `indices` option.
 * The distance matrix is computed `chunkSize` rows at a time when given, and read back row block by
 * row block, so mining needs no `[N, N]` matrix at once either. Mining runs off the gradient tape, so
 * it may be called inside the function given to `tf.grad` or `optimizer.minimize`.
 */

/** Index tuples as the miners return them. */
export interface MinedPairs {
  a1: Int32Array;
  p: Int32Array;
  a2: Int32Array;
  n: Int32Array;
}

export interface MinedTriplets {
  a: Int32Array;
  p: Int32Array;
  n: Int32Array;
}

/** Options every miner that reads embeddings takes. */
export interface MinerOptions {
  /** How embeddings are compared. @defaultValue the miner's pytorch-metric-learning default */
  distance?: DistanceName;
  /**
   * L2-normalise the embeddings first (pytorch-metric-learning 2.8.1; its 3.x no longer normalises for
   * `DotProductSimilarity`: pass `false` with `distance: 'dot'` for that). @defaultValue `true`
   */
  normalize?: boolean;
  /** Which label rows count as similar (multi-hot labels). @defaultValue equal integer labels */
  labelSimilarity?: LabelSimilarity;
  /** Rows of the distance matrix computed at a time. @defaultValue all rows */
  chunkSize?: number;
}

function minerParams(defaultDistance: DistanceName): ParamSpecs {
  return {
    distance: { kind: 'choice', default: defaultDistance, choices: DISTANCES, doc: 'how embeddings are compared' },
    normalize: { kind: 'boolean', default: true, doc: 'L2-normalise the embeddings first' },
    labelSimilarity: { kind: 'data', type: 'function (labelsA [n,L], labelsB [m,L]) -> [n,m] tensor of 0/1', doc: 'which label rows count as similar' },
    chunkSize: { kind: 'data', type: 'integer >= 1', default: null, doc: 'rows of the distance matrix per block' },
  };
}

/** checkOptions without the loss-only keys (`reduction`, `weights`). */
function checkMinerOptions(fn: string, params: ParamSpecs, options: unknown): void {
  if (options !== null && typeof options === 'object' && !Array.isArray(options)) {
    const known = Object.keys(params);
    for (const [key, value] of Object.entries(options)) {
      if (value !== undefined && !known.includes(key)) fail(fn, 'each option', `be one of ${known.join(', ')}`, `\`${key}\``);
    }
  }
  checkOptions(fn, params, options);
}

interface MinerInputs {
  batch: EmbeddingBatch;
  source: PairSource;
  similarity: boolean;
  /** Calls `visit` with each row block of the distance matrix, row-major `[r1 − r0, N]`. */
  rows(visit: (r0: number, r1: number, values: Float32Array) => void): void;
}

/**
 * Runs `body` off the gradient tape: as the forward pass of a custom-gradient op (tfjs records no
 * kernel run inside one), so mining inside a loss function under `tf.grad` or `optimizer.minimize`
 * keeps none of its distance matrices alive for the backward pass. Tensors made in `body` are freed.
 */
function untaped<T>(body: () => T): T {
  let result: T | undefined;
  const op = tf.customGrad(() => {
    result = body();
    return { value: tf.scalar(0), gradFunc: () => [] };
  });
  (op() as tf.Tensor).dispose();
  return result as T;
}

function readMinerInputs(fn: string, labels: TensorInput, embeddings: TensorInput, options: MinerOptions, defaultDistance: DistanceName): MinerInputs {
  const { distance = defaultDistance, normalize = true } = options;
  checkDistance(fn, distance, normalize);
  const chunkSize = readChunkSize(fn, options.chunkSize);
  const read = readEmbeddingBatch(fn, labels, embeddings, options.labelSimilarity);
  const batch = { ...read, embeddings: prepareEmbeddings(read.embeddings, distance, normalize) };
  return {
    batch,
    source: pairSource(fn, batch, undefined),
    similarity: isSimilarity(distance),
    rows(visit) {
      const blocks = rowBlocks(batch.n, chunkSize);
      if (blocks.length === 1) {
        visit(0, batch.n, tf.tidy(() => pairwise(distance, batch.embeddings, batch.embeddings).dataSync() as Float32Array));
        return;
      }
      // The operands of the distance matrix once, then one row block of it at a time.
      const [left, right] = tf.tidy(() => [pairwiseOperand(distance, batch.embeddings, 'left'), pairwiseOperand(distance, batch.embeddings, 'right')]) as [tf.Tensor2D, tf.Tensor2D];
      try {
        for (const [r0, r1] of blocks) {
          const values = tf.tidy(() => pairwiseOfOperands(distance, tf.slice(left, [r0, 0], [r1 - r0, left.shape[1]]), right).dataSync() as Float32Array);
          visit(r0, r1, values);
        }
      } finally {
        // A similarity's operands are the embeddings themselves, which are not ours to free.
        tf.dispose([left, right].filter((t) => t !== batch.embeddings));
      }
    },
  };
}

/**
 * Every positive and every negative pair of the batch (pytorch-metric-learning's
 * `get_all_pairs_indices`): `(a1, p)` with equal labels, `(a2, n)` with different labels, i ≠ j,
 * in row-major order. These are the pairs the pair losses use by default.
 *
 * @param labels - Integer class labels `[N]` (or label rows `[N, L]` with `labelSimilarity`).
 *
 * @example
 * allPairsMiner([0, 0, 1]); // { a1: [0, 1], p: [1, 0], a2: [0, 1, 2, 2], n: [2, 2, 0, 1] }
 */
export function allPairsMiner(labels: TensorInput, options: { labelSimilarity?: LabelSimilarity } = {}): MinedPairs {
  const fn = 'allPairsMiner';
  checkMinerOptions(fn, { labelSimilarity: minerParams('euclidean').labelSimilarity as ParamSpecs[string] }, options);
  let labelRows: EmbeddingBatch['labels'] | undefined;
  let n = 0;
  tf.tidy(() => {
    const y = toTensor(fn, 'labels', labels);
    if (y.rank === 0) fail(fn, '`labels`', 'hold one label (or label row) per sample', 'a scalar');
    const batch = readEmbeddingBatch(fn, y, tf.zeros([y.shape[0] as number, 1]), options.labelSimilarity);
    labelRows = batch.labels;
    n = batch.n;
  });
  return allPairs(fn, labelRows as EmbeddingBatch['labels'], n);
}

/**
 * Batch-hard triplets (Hermans et al.): for each anchor, its hardest positive (farthest, or least
 * similar) and its hardest negative (closest, or most similar), as pytorch-metric-learning's
 * `BatchHardMiner`. Anchors without a positive or without a negative are left out; ties go to the
 * lower index. Default distance: Euclidean on normalised embeddings.
 *
 * @param labels - Integer class labels `[N]` (or label rows `[N, L]` with `labelSimilarity`).
 * @param embeddings - Embeddings `[N, D]`; only read.
 * @returns Triplets `{a, p, n}`, one per kept anchor, for `tripletMarginLoss`'s `indices`.
 *
 * @example
 * tripletMarginLoss(labels, embeddings, { indices: batchHardMiner(labels, embeddings) });
 *
 * @see A. Hermans, L. Beyer, B. Leibe, "In Defense of the Triplet Loss for Person
 *   Re-Identification", 2017, https://arxiv.org/abs/1703.07737
 */
export function batchHardMiner(labels: TensorInput, embeddings: TensorInput, options: MinerOptions = {}): MinedTriplets {
  const fn = 'batchHardMiner';
  checkMinerOptions(fn, minerParams('euclidean'), options);
  return untaped(() => {
    const { batch, source, similarity, rows } = readMinerInputs(fn, labels, embeddings, options, 'euclidean');
    const n = batch.n;
    const a: number[] = [];
    const p: number[] = [];
    const neg: number[] = [];
    // "Harder" positive: larger distance (smaller similarity); harder negative: the reverse.
    const sign = similarity ? -1 : 1;
    rows((r0, r1, values) => {
      const { pos, neg: negMask } = source.block(r0, r1);
      for (let i = 0; i < r1 - r0; i++) {
        let bestP = -1;
        let bestN = -1;
        for (let j = 0; j < n; j++) {
          const v = sign * (values[i * n + j] as number);
          if (pos[i * n + j] && (bestP < 0 || v > sign * (values[i * n + bestP] as number))) bestP = j;
          if (negMask[i * n + j] && (bestN < 0 || v < sign * (values[i * n + bestN] as number))) bestN = j;
        }
        if (bestP >= 0 && bestN >= 0) {
          a.push(r0 + i);
          p.push(bestP);
          neg.push(bestN);
        }
      }
    });
    return { a: Int32Array.from(a), p: Int32Array.from(p), n: Int32Array.from(neg) };
  });
}

export interface SemiHardMinerOptions extends MinerOptions {
  /** m: a triplet is semi-hard when 0 < d_an − d_ap <= m (similarities: 0 < s_ap − s_an <= m). @defaultValue `0.2` */
  margin?: number;
}

/**
 * Semi-hard triplets (Schroff et al.): every triplet (a, p, n) whose negative is farther than the
 * positive but within the margin, 0 < d_an − d_ap ≤ m (similarities: 0 < s_ap − s_an ≤ m), as
 * pytorch-metric-learning's `TripletMarginMiner(margin=0.2, type_of_triplets="semihard")`, in the
 * order (a, p, n) row-major. It enumerates all N³ triplets (in JavaScript, one row block at a time).
 * Default distance: Euclidean on normalised embeddings.
 *
 * @param labels - Integer class labels `[N]` (or label rows `[N, L]` with `labelSimilarity`).
 * @param embeddings - Embeddings `[N, D]`; only read.
 * @returns Triplets `{a, p, n}` for `tripletMarginLoss`'s `indices`.
 *
 * @see F. Schroff, D. Kalenichenko, J. Philbin, "FaceNet: A Unified Embedding for Face Recognition
 *   and Clustering", CVPR 2015, https://arxiv.org/abs/1503.03832
 */
export function semiHardMiner(labels: TensorInput, embeddings: TensorInput, options: SemiHardMinerOptions = {}): MinedTriplets {
  const fn = 'semiHardMiner';
  const params: ParamSpecs = { margin: { kind: 'number', default: 0.2, doc: 'm: largest gap of a semi-hard triplet' }, ...minerParams('euclidean') };
  checkMinerOptions(fn, params, options);
  const margin = Math.fround(options.margin ?? 0.2);
  return untaped(() => {
    const { batch, source, similarity, rows } = readMinerInputs(fn, labels, embeddings, options, 'euclidean');
    const n = batch.n;
    const a: number[] = [];
    const p: number[] = [];
    const neg: number[] = [];
    rows((r0, r1, values) => {
      const { pos, neg: negMask } = source.block(r0, r1);
      for (let i = 0; i < r1 - r0; i++) {
        for (let j = 0; j < n; j++) {
          if (!pos[i * n + j]) continue;
          const ap = values[i * n + j] as number;
          for (let k = 0; k < n; k++) {
            if (!negMask[i * n + k]) continue;
            const an = values[i * n + k] as number;
            const gap = Math.fround(similarity ? ap - an : an - ap);
            if (gap > 0 && gap <= margin) {
              a.push(r0 + i);
              p.push(j);
              neg.push(k);
            }
          }
        }
      }
    });
    return { a: Int32Array.from(a), p: Int32Array.from(p), n: Int32Array.from(neg) };
  });
}

export interface MultiSimilarityMinerOptions extends MinerOptions {
  /** ε: how far inside the other kind's extreme a pair may lie and still be mined. @defaultValue `0.1` */
  epsilon?: number;
}

/**
 * Multi-similarity pair mining (Wang et al.), as pytorch-metric-learning's `MultiSimilarityMiner`:
 * with similarities, a positive pair is kept when s_ap − ε < the anchor's largest negative
 * similarity, and a negative pair when s_an + ε > its smallest positive similarity (with distances,
 * d_ap + ε > the smallest negative distance, d_an − ε < the largest positive distance). Within an
 * anchor the pairs come in ascending order of their value (ties by index). A batch without positive
 * or without negative pairs gives no pairs. Default: cosine similarity, ε = 0.1.
 *
 * @param labels - Integer class labels `[N]` (or label rows `[N, L]` with `labelSimilarity`).
 * @param embeddings - Embeddings `[N, D]`; only read.
 * @returns Pairs `{a1, p, a2, n}` for the `indices` of `multiSimilarityLoss` and the other pair losses.
 *
 * @see X. Wang, X. Han, W. Huang, D. Dong, M. R. Scott, "Multi-Similarity Loss with General Pair
 *   Weighting for Deep Metric Learning", CVPR 2019, https://arxiv.org/abs/1904.06627
 */
export function multiSimilarityMiner(labels: TensorInput, embeddings: TensorInput, options: MultiSimilarityMinerOptions = {}): MinedPairs {
  const fn = 'multiSimilarityMiner';
  const params: ParamSpecs = { epsilon: { kind: 'number', default: 0.1, doc: 'ε: slack of the mining rule' }, ...minerParams('cosine') };
  checkMinerOptions(fn, params, options);
  const epsilon = Math.fround(options.epsilon ?? 0.1);
  return untaped(() => {
    const { batch, source, similarity, rows } = readMinerInputs(fn, labels, embeddings, options, 'cosine');
    const n = batch.n;
    const out = { a1: [] as number[], p: [] as number[], a2: [] as number[], n: [] as number[] };
    const present = source.any();
    rows((r0, r1, values) => {
      if (!(present.pos && present.neg)) return;
      const { pos, neg } = source.block(r0, r1);
      for (let i = 0; i < r1 - r0; i++) {
        const row = (mask: Float32Array) => {
          const cols: number[] = [];
          for (let j = 0; j < n; j++) if (mask[i * n + j]) cols.push(j);
          return cols.sort((u, v) => (values[i * n + u] as number) - (values[i * n + v] as number) || u - v);
        };
        const positives = row(pos);
        const negatives = row(neg);
        const value = (j: number) => values[i * n + j] as number;
        // Extremes of the other kind: ±Infinity when the anchor has none, so nothing is mined.
        const maxNeg = negatives.length > 0 ? value(negatives.at(-1) as number) : Number.NEGATIVE_INFINITY;
        const minNeg = negatives.length > 0 ? value(negatives[0] as number) : Number.POSITIVE_INFINITY;
        const minPos = positives.length > 0 ? value(positives[0] as number) : Number.POSITIVE_INFINITY;
        const maxPos = positives.length > 0 ? value(positives.at(-1) as number) : Number.NEGATIVE_INFINITY;
        for (const j of positives) {
          const hard = similarity ? Math.fround(value(j) - epsilon) < maxNeg : Math.fround(value(j) + epsilon) > minNeg;
          if (hard) {
            out.a1.push(r0 + i);
            out.p.push(j);
          }
        }
        for (const j of negatives) {
          const hard = similarity ? Math.fround(value(j) + epsilon) > minPos : Math.fround(value(j) - epsilon) < maxPos;
          if (hard) {
            out.a2.push(r0 + i);
            out.n.push(j);
          }
        }
      }
    });
    return { a1: Int32Array.from(out.a1), p: Int32Array.from(out.p), a2: Int32Array.from(out.a2), n: Int32Array.from(out.n) };
  });
}
