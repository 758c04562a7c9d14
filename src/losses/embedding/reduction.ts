import * as tf from '@tensorflow/tfjs-core';
import { fail, formatValue } from '../_shared/errors.js';
import { REDUCTIONS, type Reduction, reduce } from '../_shared/reduction.js';
import type { ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { checkOptions } from '../_shared/validate.js';

/**
 * The reductions of the embedding losses: the library's three, and `'meanNonZero'`, the mean over
 * the tuples whose loss is > 0 (pytorch-metric-learning's `AvgNonZeroReducer`).
 */
export type EmbeddingReduction = Reduction | 'meanNonZero';

const EMBEDDING_REDUCTIONS: readonly EmbeddingReduction[] = [...REDUCTIONS, 'meanNonZero'];

/** Options every embedding loss accepts. */
export interface EmbeddingReductionOptions {
  /**
   * `'mean'` (pytorch-metric-learning's `MeanReducer`: for pair losses, positive and negative pairs
   * each averaged, then added), `'meanNonZero'` (its `AvgNonZeroReducer`), `'sum'` (its
   * `SumReducer`), or `'none'` (per anchor; each loss's doc says what its rows hold).
   * @defaultValue `'mean'`
   */
  reduction?: EmbeddingReduction;
  /** Per-sample weights `[N]`: each tuple is weighted by the weight of its anchor. @defaultValue all ones */
  weights?: TensorInput;
}

/**
 * `checkOptions` for an embedding loss: the same checks, with `'meanNonZero'` also accepted as a
 * reduction (the shared check knows only 'mean' | 'sum' | 'none').
 */
export function checkEmbeddingOptions(fn: string, params: ParamSpecs, options: unknown): void {
  if (options !== null && typeof options === 'object' && !Array.isArray(options) && 'reduction' in options) {
    const reduction = (options as { reduction?: unknown }).reduction;
    if (reduction !== undefined && !EMBEDDING_REDUCTIONS.includes(reduction as EmbeddingReduction)) {
      fail(fn, '`reduction`', `be one of ${EMBEDDING_REDUCTIONS.map((r) => `'${r}'`).join(' | ')}`, formatValue(reduction));
    }
    checkOptions(fn, params, { ...options, reduction: undefined });
    return;
  }
  checkOptions(fn, params, options);
}

/** `den` where it is > 0, else 1: a mean over nothing is 0. Built with sign, which has a gradient. */
function safeDenominator(den: tf.Tensor): tf.Tensor {
  return tf.add(den, tf.sub(1, tf.sign(den)));
}

/** Per-sample weights `[n]` (all ones without `weights`), checked as the shared reduction checks them. */
export function sampleWeights(fn: string, n: number, weights: TensorInput | undefined): tf.Tensor1D {
  const ones = tf.ones([n]);
  return (weights === undefined ? ones : reduce(fn, ones, { weights, reduction: 'none' })) as tf.Tensor1D;
}

/**
 * How `'mean'` counts the anchors that have no loss term (no pair, or no positive, depending on the
 * loss): `'count'` averages over every anchor of the batch, those at loss 0 included
 * (pytorch-metric-learning 2.8.1's `MeanReducer`); `'exclude'` averages over the anchors that have a
 * term (pytorch-metric-learning 3.x).
 */
export type EmptyAnchors = 'count' | 'exclude';

export const EMPTY_ANCHORS: readonly EmptyAnchors[] = ['count', 'exclude'];

/**
 * Reduces per-element losses `[n]` (one per anchor, sample or proxy): `'meanNonZero'` is the
 * weighted mean over the elements whose loss is > 0; the other reductions are the shared ones, except
 * that with `counted` (1 for the elements that have a loss term, 0 for the others, whose loss is 0)
 * `'mean'` is the weighted mean over the counted elements only, Σ w·ℓ / Σ w·counted (0 when none is).
 */
export function reduceElements(fn: string, losses: tf.Tensor, options: EmbeddingReductionOptions, counted?: Uint8Array): tf.Tensor {
  const { reduction = 'mean', weights } = options;
  if (reduction === 'mean' && counted !== undefined) {
    const w = sampleWeights(fn, losses.shape[0] as number, weights);
    return tf.div(tf.sum(tf.mul(w, losses)), safeDenominator(tf.sum(tf.mul(w, tf.tensor1d(Float32Array.from(counted))))));
  }
  if (reduction !== 'meanNonZero') return reduce(fn, losses, { reduction, ...(weights === undefined ? {} : { weights }) });
  const w = sampleWeights(fn, losses.shape[0] as number, weights);
  return tf.div(tf.sum(tf.mul(w, losses)), safeDenominator(tf.sum(tf.mul(w, tf.sign(losses)))));
}

/**
 * Reduces per-anchor tuple statistics `[n, 3·G]`: for each of G groups of tuples (positive pairs and
 * negative pairs for pair losses, one group otherwise) the columns are the sum of the anchor's tuple
 * losses, its number of tuples, and its number of tuples with a loss > 0. With weights w (one per
 * anchor, default 1):
 *
 *     'none'         w_i Σ_g sum_ig                                 [n]
 *     'sum'          Σ_i w_i Σ_g sum_ig
 *     'mean'         Σ_g (Σ_i w_i sum_ig) / (Σ_i w_i count_ig)      each group's mean, 0 when empty
 *     'meanNonZero'  Σ_g (Σ_i w_i sum_ig) / (Σ_i w_i nonZero_ig)
 *
 * so 'mean' is the mean over tuples, not over the rows of 'none', unless every anchor has as many
 * tuples as every other.
 */
export function reduceTupleStats(fn: string, stats: tf.Tensor2D, options: EmbeddingReductionOptions): tf.Tensor {
  const { reduction = 'mean', weights } = options;
  const [n, columns] = stats.shape;
  const groups = columns / 3;
  const w = sampleWeights(fn, n, weights);
  const column = (k: number) => tf.reshape(tf.slice(stats, [0, k], [n, 1]), [n]);
  const sums = Array.from({ length: groups }, (_, g) => column(3 * g));
  if (reduction === 'none') return tf.mul(w, tf.addN(sums));
  if (reduction === 'sum') return tf.sum(tf.mul(w, tf.addN(sums)));
  const means = sums.map((sum, g) => tf.div(tf.sum(tf.mul(w, sum)), safeDenominator(tf.sum(tf.mul(w, column(3 * g + (reduction === 'mean' ? 1 : 2)))))));
  return tf.addN(means);
}

export interface TupleStatsOptions {
  /** Per-row factor `[b]` (0 or 1) of the loss columns, not of the counts: its tuples count, at loss 0. */
  rowScale?: tf.Tensor;
  /** Count the tuples with a loss > 0 (only `'meanNonZero'` reads them; else that column is 0). @defaultValue `true` */
  nonZero?: boolean;
}

/**
 * The per-anchor columns {@link reduceTupleStats} reads, from G groups of `[b, N]` tuple losses and
 * their (constant) counts: for each group, Σ_j c_ij l_ij, Σ_j c_ij and Σ_j c_ij [l_ij > 0]. The last is
 * built with sign, so it carries no gradient and needs no comparison on the gradient path.
 */
export function tupleStats(groups: readonly (readonly [tf.Tensor, tf.Tensor])[], options: TupleStatsOptions = {}): tf.Tensor2D {
  const { rowScale, nonZero = true } = options;
  const scaled = (x: tf.Tensor) => (rowScale === undefined ? x : tf.mul(x, rowScale));
  const columns = groups.flatMap(([losses, counts]) => {
    const sum = scaled(tf.sum(tf.mul(counts, losses), -1));
    return [sum, tf.sum(counts, -1), nonZero ? scaled(tf.sum(tf.mul(counts, tf.sign(tf.relu(losses))), -1)) : tf.zerosLike(sum)];
  });
  return tf.stack(columns, 1) as tf.Tensor2D;
}

/**
 * The coefficients `c` `[n, 3·G]` for which {@link reduceTupleStats} is Σ c ⊙ stats, as far as the
 * gradient goes, given each group's tuple count per anchor (`counts()[g]`, `[n]`, from the labels):
 * with `'mean'` c_i,3g = w_i / Σ_i w_i count_ig, with `'sum'` c_i,3g = w_i, and 0 in the count columns,
 * whose stats carry no gradient. Undefined for `'none'` and `'meanNonZero'`, which are not linear in
 * the stats with coefficients known before them. A chunked loss uses them to take each block's
 * gradient in the same pass as its value (see `blockwisePairLoss`).
 */
export function tupleStatsCoefficients(fn: string, counts: () => readonly Float32Array[], options: EmbeddingReductionOptions): (() => tf.Tensor2D) | undefined {
  const { reduction = 'mean', weights } = options;
  if (reduction !== 'mean' && reduction !== 'sum') return undefined;
  return () =>
    tf.tidy(() => {
      const perGroup = counts();
      const n = (perGroup[0] as Float32Array).length;
      const w = sampleWeights(fn, n, weights);
      const zeros = tf.zeros([n]);
      const columns = perGroup.flatMap((c) => {
        const lossColumn = reduction === 'sum' ? w : tf.div(w, safeDenominator(tf.sum(tf.mul(w, tf.tensor1d(c)))));
        return [lossColumn, zeros, zeros];
      });
      return tf.stack(columns, 1) as tf.Tensor2D;
    });
}

/**
 * The coefficients `c` `[n, 1]` for which {@link reduceElements} (with the same `counted`) is Σ c ⊙ ℓ:
 * `'mean'` w_i / Σ w (or / Σ w·counted), `'sum'` w_i; undefined for `'none'` and `'meanNonZero'`.
 */
export function elementCoefficients(fn: string, n: number, options: EmbeddingReductionOptions, counted?: Uint8Array): (() => tf.Tensor2D) | undefined {
  const { reduction = 'mean', weights } = options;
  if (reduction !== 'mean' && reduction !== 'sum') return undefined;
  return () =>
    tf.tidy(() => {
      const w = sampleWeights(fn, n, weights);
      if (reduction === 'sum') return tf.reshape(w, [n, 1]) as tf.Tensor2D;
      const total = tf.sum(counted === undefined ? w : tf.mul(w, tf.tensor1d(Float32Array.from(counted))));
      const den = counted === undefined ? tf.where(tf.greater(total, 0), total, tf.onesLike(total)) : safeDenominator(total);
      return tf.reshape(tf.div(w, den), [n, 1]) as tf.Tensor2D;
    });
}
