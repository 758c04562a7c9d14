import type * as tf from '@tensorflow/tfjs-core';
import type { ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { readChunkSize } from './chunking.js';
import { checkDistance, DISTANCES, type DistanceName, prepareEmbeddings } from './distances.js';
import { type EmbeddingBatch, type LabelSimilarity, readEmbeddingBatch } from './labels.js';
import { type IndexTuple, type ReadIndices, readIndices } from './pairs.js';
import type { EmbeddingReductionOptions } from './reduction.js';

/** The options every pair- and triplet-based embedding loss shares. */
export interface PairLossOptions extends EmbeddingReductionOptions {
  /** How embeddings are compared; each loss's default is pytorch-metric-learning's. */
  distance?: DistanceName;
  /**
   * L2-normalise the embeddings first, as pytorch-metric-learning 2.8.1's distances all do. Its 3.x
   * keeps this for every distance but `DotProductSimilarity`, which became a plain dot product
   * (release notes of 3.0.0rc3, issue #670): with `distance: 'dot'`, pass `normalize: false` for the
   * 3.x default. @defaultValue `true`
   */
  normalize?: boolean;
  /** Explicit tuples (from a miner, or your own) instead of every pair of the batch. */
  indices?: IndexTuple;
  /** Which pairs are positives, for label rows such as multi-hot labels. @defaultValue equal integer labels */
  labelSimilarity?: LabelSimilarity;
  /**
   * Rows of the `[N, N]` pairwise matrix computed at a time: memory is bounded by a few
   * `[chunkSize, N]` matrices, in the forward and the backward pass. Same value and gradient up to
   * float32 rounding. With `'mean'` or `'sum'` each block's gradient is taken in the same pass as its
   * value, so chunking costs little time; with `'none'` or `'meanNonZero'` the backward pass computes
   * each block once more. The gradient of a chunked call cannot be differentiated again, and with
   * `'mean'` or `'sum'` it treats `weights` as constants.
   * @defaultValue as many rows as keep a `[chunkSize, N]` matrix within 2^24 elements (64 MiB): one
   * block for batches of up to 4096 (for `tripletMarginLoss` over all triplets, whose blocks are
   * `[chunkSize, N, N]`: up to 256)
   */
  chunkSize?: number;
}

/** Registry entries of the shared options, with the loss's own default distance. */
export function pairParams(defaultDistance: DistanceName): ParamSpecs {
  return {
    distance: {
      kind: 'choice',
      default: defaultDistance,
      choices: DISTANCES,
      doc: "how embeddings are compared: 'euclidean' / 'squaredEuclidean' distances, 'cosine' / 'dot' similarities",
    },
    normalize: {
      kind: 'boolean',
      default: true,
      doc: "L2-normalise the embeddings first (pytorch-metric-learning 2.8.1; its 3.x no longer normalises for 'dot')",
    },
    indices: { kind: 'data', type: 'pairs {a1, p, a2, n} or triplets {a, p, n} of row indices', doc: 'explicit tuples (e.g. from a miner) instead of all pairs' },
    labelSimilarity: {
      kind: 'data',
      type: 'function (labelsA [n,L], labelsB [m,L]) -> [n,m] tensor of 0/1',
      doc: 'which label rows count as similar (multi-hot labels); default: equal integer labels',
    },
    chunkSize: {
      kind: 'data',
      type: 'integer >= 1',
      default: null,
      doc: 'rows of the pairwise matrix per block (bounded memory); default: one block up to 2^24 elements per [chunkSize, N] matrix',
    },
  };
}

/** Everything a pair- or triplet-based loss needs, checked. */
export interface PairInputs {
  batch: EmbeddingBatch;
  /** The embeddings the distance compares (normalised unless `normalize: false`), `[N, D]`. */
  x: tf.Tensor2D;
  distance: DistanceName;
  indices: ReadIndices | undefined;
  chunkSize: number | undefined;
}

/** Reads `(labels, embeddings)` and the shared options of a pair- or triplet-based loss. */
export function readPairInputs(fn: string, labels: TensorInput, embeddings: TensorInput, options: PairLossOptions, defaultDistance: DistanceName): PairInputs {
  const { distance = defaultDistance, normalize = true } = options;
  checkDistance(fn, distance, normalize);
  const chunkSize = readChunkSize(fn, options.chunkSize);
  const batch = readEmbeddingBatch(fn, labels, embeddings, options.labelSimilarity);
  const indices = options.indices === undefined ? undefined : readIndices(fn, options.indices, batch.n);
  return { batch, x: prepareEmbeddings(batch.embeddings, distance, normalize), distance, indices, chunkSize };
}
