import * as tf from '@tensorflow/tfjs-core';
import { fail, formatValue } from '../_shared/errors.js';
import { type DistanceName, pairwise, pairwiseOfOperands, pairwiseOperand } from './distances.js';
import { type BatchLabels, customSimilarity, type EmbeddingBatch } from './labels.js';

/** Sample indices, one per tuple: an array, a typed array or a 1-D tensor. */
export type IndexList = readonly number[] | Int32Array | Uint32Array | Float32Array | Float64Array | tf.Tensor1D;

/**
 * Positive pairs `(a1[k], p[k])` and negative pairs `(a2[k], n[k])`: row indices into the batch,
 * as pytorch-metric-learning's `(a1, p, a2, n)` tuples. Pairs may repeat; each occurrence counts.
 */
export interface PairIndices {
  a1: IndexList;
  p: IndexList;
  a2: IndexList;
  n: IndexList;
}

/** Triplets `(a[k], p[k], n[k])`: anchor, positive, negative row indices, PML's `(a, p, n)`. */
export interface TripletIndices {
  a: IndexList;
  p: IndexList;
  n: IndexList;
}

/** What a miner returns and what the losses take as `indices`. */
export type IndexTuple = PairIndices | TripletIndices;

/** Checked index tuples. */
export type ReadIndices =
  | { kind: 'pairs'; a1: Int32Array; p: Int32Array; a2: Int32Array; n: Int32Array }
  | { kind: 'triplets'; a: Int32Array; p: Int32Array; n: Int32Array };

const TUPLE_RULE = 'be pairs {a1, p, a2, n} or triplets {a, p, n} of sample indices';

function readList(fn: string, name: string, value: unknown, n: number): Int32Array {
  let list: ArrayLike<unknown>;
  if (value instanceof tf.Tensor) {
    if (value.rank !== 1) fail(fn, `\`indices.${name}\``, 'be a 1-D list of sample indices', `a tensor of rank ${value.rank}`);
    list = value.dataSync();
  } else if (Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView))) {
    list = value as unknown as ArrayLike<unknown>;
  } else {
    return fail(fn, `\`indices.${name}\``, 'be an array of sample indices', formatValue(value));
  }
  const out = new Int32Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= n) {
      fail(fn, `every value of \`indices.${name}\``, `be an integer sample index in [0, ${n - 1}]`, `${formatValue(v)} at index ${i}`);
    }
    out[i] = v;
  }
  return out;
}

function checkSameLength(fn: string, names: readonly string[], lists: readonly Int32Array[]): void {
  for (let k = 1; k < lists.length; k++) {
    if ((lists[k] as Int32Array).length !== (lists[0] as Int32Array).length) {
      fail(fn, `\`indices.${names[0]}\` and \`indices.${names[k]}\``, 'have the same length', `${(lists[0] as Int32Array).length} and ${(lists[k] as Int32Array).length}`);
    }
  }
}

/** Reads and checks the `indices` option against a batch of `n` samples. */
export function readIndices(fn: string, value: unknown, n: number): ReadIndices {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof tf.Tensor) fail(fn, '`indices`', TUPLE_RULE, formatValue(value));
  const keys = value as Record<string, unknown>;
  if ('a1' in keys || 'a2' in keys) {
    for (const key of ['a1', 'p', 'a2', 'n']) if (!(key in keys)) fail(fn, '`indices`', TUPLE_RULE, `pairs without \`${key}\``);
    const [a1, p, a2, neg] = (['a1', 'p', 'a2', 'n'] as const).map((k) => readList(fn, k, keys[k], n)) as [Int32Array, Int32Array, Int32Array, Int32Array];
    checkSameLength(fn, ['a1', 'p'], [a1, p]);
    checkSameLength(fn, ['a2', 'n'], [a2, neg]);
    return { kind: 'pairs', a1, p, a2, n: neg };
  }
  if (!('a' in keys && 'p' in keys && 'n' in keys)) fail(fn, '`indices`', TUPLE_RULE, `an object with keys ${Object.keys(keys).join(', ') || 'none'}`);
  const [a, p, neg] = (['a', 'p', 'n'] as const).map((k) => readList(fn, k, keys[k], n)) as [Int32Array, Int32Array, Int32Array];
  checkSameLength(fn, ['a', 'p', 'n'], [a, p, neg]);
  return { kind: 'triplets', a, p, n: neg };
}

/**
 * Where the pairs of a loss come from. `block(r0, r1)` gives, for the anchors r0..r1−1 against every
 * sample, how many times each pair occurs as a positive and as a negative, row-major `[r1 − r0, N]`
 * (0/1 from labels; counts from explicit tuples, which may repeat pairs).
 */
export interface PairSource {
  readonly n: number;
  block(r0: number, r1: number): { pos: Float32Array; neg: Float32Array };
  /** Whether the batch holds at least one positive pair, and at least one negative pair. */
  any(): { pos: boolean; neg: boolean };
}

/**
 * Per anchor, its number of positive pairs and of negative pairs (repeated pairs counted as often as
 * they occur), `[N]` each, read from the source's row blocks (O(N²) work, no tensor).
 */
export function pairCounts(source: PairSource): { pos: Float32Array; neg: Float32Array } {
  const n = source.n;
  const pos = new Float32Array(n);
  const neg = new Float32Array(n);
  for (let r0 = 0; r0 < n; r0 += 256) {
    const r1 = Math.min(n, r0 + 256);
    const block = source.block(r0, r1);
    for (let i = 0; i < r1 - r0; i++) {
      let p = 0;
      let q = 0;
      for (let j = 0; j < n; j++) {
        p += block.pos[i * n + j] as number;
        q += block.neg[i * n + j] as number;
      }
      pos[r0 + i] = p;
      neg[r0 + i] = q;
    }
  }
  return { pos, neg };
}

/** Which anchors have at least one positive pair and at least one negative pair, `[N]` each (1 or 0). */
export function anchorsWithPairs(source: PairSource): { pos: Uint8Array; neg: Uint8Array } {
  const { pos, neg } = pairCounts(source);
  return { pos: Uint8Array.from(pos, (c) => (c > 0 ? 1 : 0)), neg: Uint8Array.from(neg, (c) => (c > 0 ? 1 : 0)) };
}

/** Pairs of labels: positives share a label (or the hook says 1), negatives do not; never i with i. */
function labelSource(fn: string, labels: BatchLabels, n: number): PairSource {
  const block = (r0: number, r1: number) => {
    const b = r1 - r0;
    const pos = new Float32Array(b * n);
    const neg = new Float32Array(b * n);
    const similar = labels.kind === 'custom' ? customSimilarity(fn, labels, r0, r1) : undefined;
    for (let i = 0; i < b; i++) {
      for (let j = 0; j < n; j++) {
        if (j === r0 + i) continue;
        const same = similar === undefined ? labels.values[r0 + i] === labels.values[j] : similar[i * n + j] === 1;
        if (same) pos[i * n + j] = 1;
        else neg[i * n + j] = 1;
      }
    }
    return { pos, neg };
  };
  return {
    n,
    block,
    any() {
      if (labels.kind === 'index') {
        const counts = new Map<number, number>();
        for (const v of labels.values) counts.set(v, (counts.get(v) ?? 0) + 1);
        return { pos: [...counts.values()].some((c) => c > 1), neg: counts.size > 1 };
      }
      let pos = false;
      let neg = false;
      for (let r0 = 0; r0 < n && !(pos && neg); r0 += 256) {
        const m = block(r0, Math.min(n, r0 + 256));
        pos ||= m.pos.some((v) => v > 0);
        neg ||= m.neg.some((v) => v > 0);
      }
      return { pos, neg };
    },
  };
}

/** Pairs listed by anchor: `targets[a]` holds the other ends of anchor a's pairs, repeats included. */
function byAnchor(anchors: Int32Array, others: Int32Array, n: number): number[][] {
  const lists: number[][] = Array.from({ length: n }, () => []);
  anchors.forEach((a, k) => {
    (lists[a] as number[]).push(others[k] as number);
  });
  return lists;
}

function indexSource(posAnchors: Int32Array, positives: Int32Array, negAnchors: Int32Array, negatives: Int32Array, n: number): PairSource {
  const posLists = byAnchor(posAnchors, positives, n);
  const negLists = byAnchor(negAnchors, negatives, n);
  return {
    n,
    block(r0, r1) {
      const b = r1 - r0;
      const pos = new Float32Array(b * n);
      const neg = new Float32Array(b * n);
      for (let i = 0; i < b; i++) {
        for (const j of posLists[r0 + i] as number[]) pos[i * n + j] = (pos[i * n + j] as number) + 1;
        for (const j of negLists[r0 + i] as number[]) neg[i * n + j] = (neg[i * n + j] as number) + 1;
      }
      return { pos, neg };
    },
    any: () => ({ pos: posAnchors.length > 0, neg: negAnchors.length > 0 }),
  };
}

/**
 * The pairs a pair-based loss uses: every pair of the batch by its labels, or the explicit `indices`
 * (triplets `(a, p, n)` give the pairs `(a, p)` and `(a, n)`, as in pytorch-metric-learning).
 */
export function pairSource(fn: string, batch: EmbeddingBatch, indices: ReadIndices | undefined): PairSource {
  if (indices === undefined) return labelSource(fn, batch.labels, batch.n);
  if (indices.kind === 'pairs') return indexSource(indices.a1, indices.p, indices.a2, indices.n, batch.n);
  return indexSource(indices.a, indices.p, indices.a, indices.n, batch.n);
}

/** Every positive and negative pair of a batch by its labels, in row-major order (PML's `get_all_pairs_indices`). */
export function allPairs(fn: string, labels: BatchLabels, n: number): { a1: Int32Array; p: Int32Array; a2: Int32Array; n: Int32Array } {
  const source = labelSource(fn, labels, n);
  const a1: number[] = [];
  const p: number[] = [];
  const a2: number[] = [];
  const neg: number[] = [];
  for (let r0 = 0; r0 < n; r0 += 256) {
    const r1 = Math.min(n, r0 + 256);
    const { pos, neg: negMask } = source.block(r0, r1);
    for (let i = 0; i < r1 - r0; i++) {
      for (let j = 0; j < n; j++) {
        if (pos[i * n + j]) {
          a1.push(r0 + i);
          p.push(j);
        } else if (negMask[i * n + j]) {
          a2.push(r0 + i);
          neg.push(j);
        }
      }
    }
  }
  return { a1: Int32Array.from(a1), p: Int32Array.from(p), a2: Int32Array.from(a2), n: Int32Array.from(neg) };
}

/** One row block of a pair loss: the anchors r0..r1−1 against every sample. */
export interface PairBlock {
  /** Distances or similarities `[b, N]`. */
  m: tf.Tensor2D;
  /** Positive and negative pair counts `[b, N]` (constants). */
  pos: tf.Tensor2D;
  neg: tf.Tensor2D;
}

/** The pairwise matrix of the anchors r0..r1−1 of `x` `[N, D]` with every row, and their pair counts. */
export function pairBlock(x: tf.Tensor2D, distance: DistanceName, source: PairSource, r0: number, r1: number): PairBlock {
  const b = r1 - r0;
  const m = pairwise(distance, tf.slice(x, [r0, 0], [b, x.shape[1]]), x);
  const { pos, neg } = source.block(r0, r1);
  return { m, pos: tf.tensor2d(pos, [b, source.n]), neg: tf.tensor2d(neg, [b, source.n]) };
}

/** The two operands of the pairwise matrix of a whole batch `x` `[N, D]` (see `pairwiseOperand`). */
export function pairOperands(distance: DistanceName, x: tf.Tensor2D): { left: tf.Tensor2D; right: tf.Tensor2D } {
  return { left: pairwiseOperand(distance, x, 'left'), right: pairwiseOperand(distance, x, 'right') };
}

/**
 * {@link pairBlock} from the operands: `rows` are the rows r0..r1−1 of the left operand, `right` the
 * whole right operand (as `blockwisePairRows` passes them). Same values as `pairBlock`.
 */
export function pairRowsBlock(rows: tf.Tensor2D, right: tf.Tensor2D, distance: DistanceName, source: PairSource, r0: number, r1: number): PairBlock {
  const b = r1 - r0;
  const m = pairwiseOfOperands(distance, rows, right);
  const { pos, neg } = source.block(r0, r1);
  return { m, pos: tf.tensor2d(pos, [b, source.n]), neg: tf.tensor2d(neg, [b, source.n]) };
}
