import * as tf from '@tensorflow/tfjs-core';
import { binaryTargets } from '../_shared/binary-targets.js';
import { checkHardBinary, checkIntegerValues } from '../_shared/discrete-values.js';
import { fail, formatShape } from '../_shared/errors.js';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import { gatherFlat, segmentSum } from '../_shared/segments.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import { type TensorInput, toFloat, toTensor } from '../_shared/to-tensor.js';
import { checkOptions, checkValuesInRange } from '../_shared/validate.js';

const NAME = 'mannWhitneyLoss';

export interface MannWhitneyLossOptions extends ReductionOptions {
  /**
   * Integer group id per element of `scores` (its shape, or flat), or one per row of `[Q, D]` scores
   * (`[Q]`: each query its own group). Only positive–negative pairs within a group count, and the
   * loss is one value per group, in ascending order of id. @defaultValue one group: every pair of the batch
   */
  groups?: TensorInput;
  /** Factor on the score differences (an inverse temperature for cosine scores), > 0. @defaultValue `1` */
  scale?: number;
  /**
   * Per group `[G]` (groups in ascending order of id; `[1]` or one number without `groups`): weighs
   * each group's value in 'mean', 'sum' and 'none'. Or per element (the scores' shape, `[N]` or `[N, 1]`),
   * each >= 0: pair (p, n) then weighs w_p · w_n inside its group's mean, the weighted Mann–Whitney
   * statistic. (The two readings only meet when every element is its own group, where there are no
   * pairs.) @defaultValue all ones
   */
  weights?: TensorInput;
}

const PARAMS: ParamSpecs = {
  groups: { kind: 'data', type: 'integer[] (one id per element of scores, or one per row of [Q, D] scores)', doc: 'only positive–negative pairs within a group count; one loss value per group' },
  scale: { kind: 'number', default: 1, min: 0, exclusiveMin: true, doc: 'factor on the score differences (inverse temperature)' },
};

/** Group ids per element of the flat scores, from ids per element or per row of `[Q, D]` scores. */
function readGroups(shape: readonly number[], groups: TensorInput): ArrayLike<number> {
  const g = toTensor(NAME, 'groups', groups);
  const size = shape.reduce((a, b) => a * b, 1);
  const perElement = tf.util.arraysEqual(g.shape, [...shape]) || (g.rank === 1 && g.size === size);
  const perRow = shape.length === 2 && g.rank === 1 && g.size === shape[0];
  if (!perElement && !perRow) {
    const rows = shape.length === 2 ? ` or one per row [${shape[0]}]` : '';
    fail(NAME, '`groups`', `hold one integer id per element of \`scores\` ${formatShape(shape)}${rows}`, `shape ${formatShape(g.shape)}`);
  }
  const ids = checkIntegerValues(NAME, 'groups', g);
  if (perElement) return ids;
  const columns = shape[1] as number;
  return Array.from({ length: size }, (_, i) => ids[Math.floor(i / columns)] as number);
}

/** softplus(−scale · (s_p − s_n)) = BCE(σ(scale (s_p − s_n)), 1), finite for any finite difference. */
function pairLoss(diff: tf.Tensor, scale: number): tf.Tensor {
  return tf.softplus(tf.mul(-scale, diff));
}

/** A loss of `shape` that is 0 with zero gradient yet depends on the scores, so tf.grad can run. */
function zeroLoss(scores: tf.Tensor, shape: number[]): tf.Tensor {
  return tf.mul(tf.zeros(shape), tf.sum(scores));
}

/** Positives and negatives (flat indices) of each group, groups in ascending order of id. */
interface Partition {
  pos: number[][];
  neg: number[][];
}

function partition(labels: ArrayLike<number>, ids: ArrayLike<number> | undefined): Partition {
  const order = ids === undefined ? [0] : Array.from(new Set(Array.from(ids))).sort((a, b) => a - b);
  const index = new Map(order.map((id, g) => [id, g]));
  const pos: number[][] = order.map(() => []);
  const neg: number[][] = order.map(() => []);
  for (let i = 0; i < labels.length; i++) {
    const g = ids === undefined ? 0 : (index.get(ids[i] as number) as number);
    (labels[i] === 1 ? pos : neg)[g]!.push(i);
  }
  return { pos, neg };
}

/** Σ_{p, n} w_p w_n = (Σ_p w_p)(Σ_n w_n) per group, in float64: the denominators of the group means. */
function pairTotals({ pos, neg }: Partition, w: ArrayLike<number> | undefined): number[] {
  const total = (idx: number[]) => (w === undefined ? idx.length : idx.reduce((a, i) => a + (w[i] as number), 0));
  return pos.map((p, g) => total(p) * total(neg[g]!));
}

/** One group (the whole batch): a [P, M] difference matrix over the gathered scores, never [N, N]. */
function allPairs(s: tf.Tensor1D, { pos, neg }: Partition, w: ArrayLike<number> | undefined, total: number, scale: number): tf.Tensor1D {
  const [p, n] = [pos[0]!, neg[0]!];
  const diff = tf.sub(tf.expandDims(gatherFlat(s, p), 1), tf.expandDims(gatherFlat(s, n), 0));
  let losses = pairLoss(diff, scale);
  if (w !== undefined) losses = tf.mul(losses, tf.outerProduct(tf.tensor1d(p.map((i) => w[i] as number)), tf.tensor1d(n.map((i) => w[i] as number))));
  return tf.reshape(tf.div(tf.sum(losses), total), [1]) as tf.Tensor1D;
}

/** Pairs within each group, listed once (memory O(number of pairs)), summed per group by segment. */
function groupedPairs(s: tf.Tensor1D, { pos, neg }: Partition, w: ArrayLike<number> | undefined, totals: number[], scale: number): tf.Tensor1D {
  const count = pos.reduce((a, p, g) => a + p.length * neg[g]!.length, 0);
  const pairPos = new Int32Array(count);
  const pairNeg = new Int32Array(count);
  const pairGroup = new Int32Array(count);
  let k = 0;
  pos.forEach((p, g) => {
    for (const i of p) {
      for (const j of neg[g]!) {
        pairPos[k] = i;
        pairNeg[k] = j;
        pairGroup[k] = g;
        k++;
      }
    }
  });
  const diff = tf.sub(gatherFlat(s, pairPos), gatherFlat(s, pairNeg));
  let losses = pairLoss(diff, scale);
  if (w !== undefined) losses = tf.mul(losses, tf.tensor1d(Float32Array.from(pairPos, (i, m) => (w[i] as number) * (w[pairNeg[m] as number] as number))));
  const sums = segmentSum(losses as tf.Tensor1D, pairGroup, pos.length);
  return tf.div(sums, tf.tensor1d(totals.map((t) => (t > 0 ? t : 1)))) as tf.Tensor1D;
}

/** Splits `weights` into per-element weights (pairs weigh w_p w_n) or per-group ones (for the reduction). */
function readWeights(shape: readonly number[], groupCount: number, weights: TensorInput | undefined): { element?: ArrayLike<number>; group?: tf.Tensor } {
  if (weights === undefined) return {};
  const w = toFloat(NAME, 'weights', weights);
  if ((w.rank === 1 && w.size === groupCount) || w.size === 1) return { group: w };
  const size = shape.reduce((a, b) => a * b, 1);
  const flat = w.size === size && (w.rank === 1 || (w.rank === 2 && w.shape[1] === 1));
  if (!(tf.util.arraysEqual(w.shape, [...shape]) || flat)) {
    fail(NAME, '`weights`', `be per group [${groupCount}] or per element of \`scores\` ${formatShape(shape)}`, `shape ${formatShape(w.shape)}`);
  }
  checkValuesInRange(NAME, 'weights', w, 0, Number.POSITIVE_INFINITY);
  return { element: w.dataSync() };
}

/**
 * Mann–Whitney (MW) loss: binary cross-entropy on the score differences of all positive–negative
 * pairs, a smooth upper bound on 1 − AUC.
 *
 * With positives P and negatives M of a group (the whole batch without `groups`) and scale c:
 *
 *     ℓ_g = 1 / (|P| |M|) Σ_{p ∈ P} Σ_{n ∈ M} softplus(−c (s_p − s_n))
 *         = mean over pairs of −log σ(c (s_p − s_n))
 *
 *     AoC_g = 1 − AUC_g = mean over pairs of 1[s_p ≤ s_n]  ≤  ℓ_g / ln 2        (c = 1)
 *
 * since 1[x ≤ 0] ≤ log₂(1 + e^{−x}). The gradient −c σ(−c (s_p − s_n)) per pair is largest for
 * misordered pairs and fades for pairs ordered by a wide margin, so the loss spends its effort on
 * the pairs that cost AUC; comparing across all rows of a batch (no `groups`) pushes scores onto one
 * global, thresholdable scale, which per-query losses such as InfoNCE do not.
 *
 * Pairs: without `groups`, every positive against every negative of the batch, built as a [P, M]
 * difference matrix over gathered scores (never [N, N]); with `groups`, the pairs within each group,
 * listed once, so memory is O(number of pairs). For a similarity matrix `[Q, D]` with a 0/1 mask of
 * the positives, no `groups` compares across all queries (global) and `groups: [0, 1, …, Q−1]` per
 * query.
 *
 * Reduction: ℓ_g per group; 'none' returns them `[G]` (groups in ascending order of id; `[1]`
 * without `groups`), 'mean' averages the groups that have at least one pair, 'sum' adds them;
 * per-group `weights` weigh the groups there. Per-element `weights` w instead weigh each pair by
 * w_p w_n inside its group: ℓ_g = Σ w_p w_n softplus(−c (s_p − s_n)) / Σ w_p w_n. A group without a
 * positive or without a negative (or whose pair weights sum to 0) has no pairs: its value is 0 with
 * zero gradient and it is left out of the mean; a batch without any pair gives 0.
 * Softplus keeps value and gradient finite for score differences of any finite size.
 *
 * @param yTrue - Labels in {0, 1} of the scores' shape (`[N]` against `[N, 1]` is accepted).
 * @param scores - Scores `[N]`, or `[Q, D]` (e.g. query–document similarities with a positive mask).
 * @returns A scalar, or `[G]` (`[1]` without `groups`) with `reduction: 'none'`.
 *
 * @example
 * mannWhitneyLoss([1, 0, 0], [0.9, 0.2, 0.4]).print(); // (softplus(−0.7) + softplus(−0.5)) / 2 ≈ 0.438632
 *
 * @see Sheikholeslami et al., Optimizing What Matters: AUC-Driven Learning for Robust Neural
 *   Retrieval, arXiv 2025. https://arxiv.org/abs/2510.00137 — no official code is public, and which
 *   in-batch pairs the paper compares (all queries or per query) is not verified; `groups` picks.
 */
function mannWhitneyLoss_(yTrue: TensorInput, scores: TensorInput, options: MannWhitneyLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { groups, scale = 1, weights, reduction } = options;
  const { scores: s, targets } = binaryTargets(NAME, yTrue, scores, 'scores');
  const labels = checkHardBinary(NAME, 'yTrue', targets);
  const ids = groups === undefined ? undefined : readGroups(s.shape, groups);
  const parts = partition(labels, ids);
  const { element, group } = readWeights(s.shape, parts.pos.length, weights);
  const totals = pairTotals(parts, element);
  const flat = tf.reshape(s, [s.size]) as tf.Tensor1D;
  let losses: tf.Tensor1D;
  if (totals.every((t) => t === 0)) losses = zeroLoss(flat, [totals.length]) as tf.Tensor1D;
  else if (ids === undefined) losses = allPairs(flat, parts, element, totals[0] as number, scale);
  else losses = groupedPairs(flat, parts, element, totals, scale);
  const hasPairs = tf.tensor1d(totals.map((t) => (t > 0 ? 1 : 0)));
  const reduceOptions: ReductionOptions = group === undefined ? {} : { weights: group };
  if (reduction !== undefined) reduceOptions.reduction = reduction;
  return reduce(NAME, losses, reduceOptions, hasPairs);
}

export const mannWhitneyLoss = /* @__PURE__ */ tf.op({ mannWhitneyLoss_ });

export const mannWhitneyLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'ranking',
  summary: 'Mann–Whitney loss: BCE on positive–negative score differences, a smooth bound on 1 − AUC',
  formula: 'ℓ = mean over pairs (p positive, n negative) of softplus(−c (s_p − s_n)); AoC ≤ ℓ / ln 2',
  fn: mannWhitneyLoss,
  target: 'binary',
  prediction: 'score',
  tasks: ['binary'],
  params: PARAMS,
  properties: ['nonNegative', 'batchCoupled'],
  reference: 'Sheikholeslami et al., Optimizing What Matters: AUC-Driven Learning for Robust Neural Retrieval, arXiv 2025, https://arxiv.org/abs/2510.00137',
  seed: 42,
};
