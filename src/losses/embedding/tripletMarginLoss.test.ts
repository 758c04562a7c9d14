import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  type RefDistance,
  type RefPairs,
  refMargin,
  refMatrix,
  refMeanNonZero,
  refPerAnchor,
  refRows,
  refSoftplus,
  refSum,
} from '../../../test/embedding-reference.js';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomLabels, randomMatrix, rng, values } from '../../../test/helpers.js';
import { tripletMarginLoss } from './tripletMarginLoss.js';

interface Triplets {
  a: number[];
  p: number[];
  n: number[];
}

/** get_all_triplets_indices: (a, p, n) row-major, p ≠ a with a's label, n with another label. */
function allTriplets(labels: number[]): Triplets {
  const t: Triplets = { a: [], p: [], n: [] };
  labels.forEach((la, a) => {
    labels.forEach((lp, p) => {
      if (p === a || lp !== la) return;
      labels.forEach((ln, n) => {
        if (ln === la) return;
        t.a.push(a);
        t.p.push(p);
        t.n.push(n);
      });
    });
  });
  return t;
}

/** convert_to_triplets of pairs: every positive and negative pair sharing an anchor. */
function pairsToTriplets(pairs: RefPairs): Triplets {
  const t: Triplets = { a: [], p: [], n: [] };
  pairs.a1.forEach((a, i) => {
    pairs.a2.forEach((a2, j) => {
      if (a2 !== a) return;
      t.a.push(a);
      t.p.push(pairs.p[i]!);
      t.n.push(pairs.n[j]!);
    });
  });
  return t;
}

interface RefOptions {
  margin?: number;
  smoothLoss?: boolean;
  distance?: RefDistance;
  normalize?: boolean;
  triplets?: Triplets;
  weights?: number[];
}

// Float64 reference: PML's TripletMarginLoss over the listed triplets, then the reducers.
function reference(labels: number[], embeddings: number[][], o: RefOptions = {}) {
  const { margin = 0.05, smoothLoss = false, distance = 'euclidean', normalize = true } = o;
  const mat = refMatrix(embeddings, distance, normalize);
  const { a, p, n } = o.triplets ?? allTriplets(labels);
  const losses = a.map((i, k) => {
    const v = refMargin(distance, mat[i]![p[k]!]!, mat[i]![n[k]!]!) + margin;
    return smoothLoss ? refSoftplus(v) : Math.max(0, v);
  });
  const w = o.weights ?? labels.map(() => 1);
  const den = refSum(a.map((i) => w[i]!));
  return {
    losses,
    mean: den === 0 ? 0 : refSum(losses.map((l, k) => l * w[a[k]!]!)) / den,
    meanNonZero: refMeanNonZero(losses),
    sum: refSum(losses),
    none: refPerAnchor(labels.length, a, losses).map((v, i) => v * w[i]!),
  };
}

const scalar = (t: tf.Tensor) => t.dataSync()[0] as number;
const LABELS = [0, 0, 1];
const EMB = [
  [1, 0],
  [0.6, 0.8],
  [0, 1],
];

describe('tripletMarginLoss(labels, embeddings, options)', () => {
  it('reproduces a hand-computed example', () => {
    // Triplets (0,1,2): √0.8 − √2 + 0.2 < 0; (1,0,2): √0.8 − √0.4 + 0.2 > 0; anchor 2 has no positive.
    const violating = Math.sqrt(0.8) - Math.sqrt(0.4) + 0.2;
    expectClose(scalar(tripletMarginLoss(LABELS, EMB, { margin: 0.2 })), violating / 2, 1e-6);
    expectClose(scalar(tripletMarginLoss(LABELS, EMB, { margin: 0.2, reduction: 'meanNonZero' })), violating, 1e-6);
    expectClose(values(tripletMarginLoss(LABELS, EMB, { margin: 0.2, reduction: 'none' })), [0, violating, 0], 1e-6);
  });

  it('matches the float64 reference on random inputs, for every distance, reduction and the soft hinge', () => {
    const r = rng(1);
    const emb = randomMatrix(r, 14, 4);
    const labels = randomLabels(r, 14, 3);
    const cases: RefOptions[] = [
      {},
      { margin: 0.3, distance: 'squaredEuclidean' },
      { margin: 0.2, distance: 'cosine' },
      { margin: 1, distance: 'dot', normalize: false },
      { margin: 0.5, smoothLoss: true },
      { margin: -0.1, distance: 'euclidean', normalize: false },
    ];
    for (const o of cases) {
      const ref = reference(labels, emb, o);
      expectClose(scalar(tripletMarginLoss(labels, emb, o)), ref.mean, 1e-5);
      expectClose(scalar(tripletMarginLoss(labels, emb, { ...o, reduction: 'meanNonZero' })), ref.meanNonZero, 1e-5);
      expectClose(scalar(tripletMarginLoss(labels, emb, { ...o, reduction: 'sum' })), ref.sum, 1e-5);
      expectClose(values(tripletMarginLoss(labels, emb, { ...o, reduction: 'none' })), ref.none, 1e-5, 1e-5);
    }
  });

  it('uses listed triplets as they are (repeats counted), and pairs as every triplet sharing an anchor', () => {
    const r = rng(2);
    const emb = randomMatrix(r, 9, 3);
    const labels = randomLabels(r, 9, 3);
    const triplets = { a: [4, 0, 4, 2, 0], p: [1, 3, 1, 8, 5], n: [7, 2, 7, 6, 6] };
    for (const distance of ['euclidean', 'cosine', 'squaredEuclidean'] as const) {
      const ref = reference(labels, emb, { triplets, distance, margin: 0.4 });
      expectClose(scalar(tripletMarginLoss(labels, emb, { indices: triplets, distance, margin: 0.4 })), ref.mean, 1e-5);
      expectClose(values(tripletMarginLoss(labels, emb, { indices: triplets, distance, margin: 0.4, reduction: 'none' })), ref.none, 1e-5, 1e-6);
    }
    const pairs = { a1: [0, 0, 3], p: [1, 2, 4], a2: [0, 3, 3, 5], n: [5, 6, 7, 1] };
    const asTriplets = pairsToTriplets(pairs);
    expect(asTriplets.a).toEqual([0, 0, 3, 3]);
    expectClose(scalar(tripletMarginLoss(labels, emb, { indices: pairs, margin: 0.4 })), reference(labels, emb, { triplets: asTriplets, margin: 0.4 }).mean, 1e-5);
  });

  it('has the gradient of the float64 reference (finite differences), all triplets and listed ones', () => {
    const r = rng(3);
    const emb = randomMatrix(r, 6, 3);
    const labels = [0, 0, 1, 1, 2, 2];
    const triplets = { a: [0, 2, 5], p: [1, 3, 4], n: [2, 5, 0] };
    const cases: RefOptions[] = [{ margin: 0.5 }, { margin: 0.5, distance: 'cosine' }, { margin: 0.3, smoothLoss: true, distance: 'squaredEuclidean' }, { margin: 0.5, triplets }];
    for (const o of cases) {
      const { triplets: listed, ...opts } = o;
      const options = listed === undefined ? opts : { ...opts, indices: listed };
      const g = tf.grad((z: tf.Tensor) => tripletMarginLoss(labels, z, options))(tf.tensor(emb));
      const f = (x: number[]) => reference(labels, refRows(x, 3), o).mean;
      expectClose(values(g), numericGradient(f, emb.flat()), 1e-4, 1e-6);
    }
  });

  it('gives the same value and gradient chunked as unchunked, on both paths', () => {
    const r = rng(4);
    const emb = tf.tensor(randomMatrix(r, 10, 4));
    const labels = randomLabels(r, 10, 3);
    const triplets = { a: [9, 0, 5, 5, 1, 8], p: [2, 3, 4, 6, 7, 0], n: [1, 1, 2, 3, 9, 4] };
    for (const extra of [{}, { indices: triplets }]) {
      const o = { margin: 0.3, ...extra };
      const plain = scalar(tripletMarginLoss(labels, emb, o));
      const g0 = values(tf.grad((z: tf.Tensor) => tripletMarginLoss(labels, z, o))(emb));
      for (const chunkSize of [1, 3, 4, 10]) {
        expectClose(scalar(tripletMarginLoss(labels, emb, { ...o, chunkSize })), plain, 1e-6);
        expectClose(values(tf.grad((z: tf.Tensor) => tripletMarginLoss(labels, z, { ...o, chunkSize }))(emb)), g0, 1e-5, 1e-7);
      }
    }
  });

  it('stays finite, in value and gradient, for identical embeddings, one class, and no positive pairs', () => {
    const same = Array.from({ length: 6 }, () => [1, 2, -0.5]);
    const labels = [0, 0, 1, 1, 2, 2];
    for (const extra of [{}, { indices: { a: [0, 2], p: [1, 3], n: [4, 5] } }]) {
      // Every distance is 0, so every triplet costs exactly the margin.
      expectClose(scalar(tripletMarginLoss(labels, same, extra)), 0.05, 1e-6);
      expectFinite(tf.grad((z: tf.Tensor) => tripletMarginLoss(labels, z, extra))(tf.tensor(same)));
    }
    const emb = randomMatrix(rng(5), 5, 3);
    for (const y of [
      [1, 1, 1, 1, 1],
      [0, 1, 2, 3, 4],
    ]) {
      expect(scalar(tripletMarginLoss(y, emb))).toBe(0);
      expect(values(tf.grad((z: tf.Tensor) => tripletMarginLoss(y, z))(tf.tensor(emb)))).toEqual(new Array(15).fill(0));
    }
    const none = { indices: { a: [], p: [], n: [] } };
    expect(scalar(tripletMarginLoss([0, 1], [[1, 0], [0, 1]], none))).toBe(0);
    expect(values(tf.grad((z: tf.Tensor) => tripletMarginLoss([0, 1], z, none))(tf.tensor([[1, 0], [0, 1]])))).toEqual([0, 0, 0, 0]);
  });

  it('weights each triplet by its anchor', () => {
    const r = rng(6);
    const emb = randomMatrix(r, 8, 3);
    const labels = randomLabels(r, 8, 2);
    const weights = Array.from({ length: 8 }, () => r());
    expectClose(scalar(tripletMarginLoss(labels, emb, { weights, margin: 0.5 })), reference(labels, emb, { weights, margin: 0.5 }).mean, 1e-5);
  });

  it('leaks no tensors', () => {
    const emb = tf.tensor(randomMatrix(rng(7), 6, 3));
    const labels = [0, 0, 1, 1, 2, 2];
    expect(leakedTensors(() => tripletMarginLoss(labels, emb))).toBe(0);
    expect(leakedTensors(() => tf.grad((z: tf.Tensor) => tripletMarginLoss(labels, z, { chunkSize: 2 }))(emb))).toBe(0);
    expect(leakedTensors(() => tf.grad((z: tf.Tensor) => tripletMarginLoss(labels, z, { indices: { a: [0], p: [1], n: [2] }, chunkSize: 4 }))(emb))).toBe(0);
    emb.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => tripletMarginLoss(LABELS, EMB, { indices: { a: [0, 1], p: [1], n: [2, 2] } })).toThrow(
      'tripletMarginLoss: expected `indices.a` and `indices.p` to have the same length, got 2 and 1',
    );
    expect(() => tripletMarginLoss(LABELS, EMB, { indices: { a: [0], p: [1] } as never })).toThrow(
      'tripletMarginLoss: expected `indices` to be pairs {a1, p, a2, n} or triplets {a, p, n} of sample indices, got an object with keys a, p',
    );
    expect(() => tripletMarginLoss(LABELS, EMB, { indices: { a: [0], p: [1.5], n: [2] } })).toThrow(
      'tripletMarginLoss: expected every value of `indices.p` to be an integer sample index in [0, 2], got 1.5 (number) at index 0',
    );
    expect(() => tripletMarginLoss(LABELS, EMB, { margin: Number.NaN })).toThrow('tripletMarginLoss: expected `margin` to be a finite number, got NaN (number)');
    expect(() => tripletMarginLoss(LABELS, EMB, { smoothLoss: 1 as never })).toThrow('tripletMarginLoss: expected `smoothLoss` to be true or false, got 1 (number)');
    expect(() => tripletMarginLoss(LABELS, [[1, 0]])).toThrow('tripletMarginLoss: expected `labels` and `embeddings` to have the same number of rows, got [3] and [1,2]');
  });
});
