import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  type RefDistance,
  type RefPairs,
  refAllPairs,
  refMargin,
  refMatrix,
  refMean,
  refMeanNonZero,
  refPerAnchor,
  refRows,
  refSum,
} from '../../../test/embedding-reference.js';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomLabels, randomMatrix, rng, values } from '../../../test/helpers.js';
import { contrastiveLoss } from './contrastiveLoss.js';
import { sharesAnyLabel } from './labels.js';

interface RefOptions {
  posMargin?: number;
  negMargin?: number;
  distance?: RefDistance;
  normalize?: boolean;
  pairs?: RefPairs;
  weights?: number[];
}

// Float64 reference: PML's ContrastiveLoss, one hinge per listed pair, then the reducers.
function reference(labels: number[], embeddings: number[][], o: RefOptions = {}) {
  const { posMargin = 0, negMargin = 1, distance = 'euclidean', normalize = true } = o;
  const mat = refMatrix(embeddings, distance, normalize);
  const { a1, p, a2, n } = o.pairs ?? refAllPairs(labels);
  const pos = a1.map((a, k) => Math.max(0, refMargin(distance, mat[a]![p[k]!]!, posMargin)));
  const neg = a2.map((a, k) => Math.max(0, refMargin(distance, negMargin, mat[a]![n[k]!]!)));
  const w = o.weights ?? labels.map(() => 1);
  const weightedMean = (anchors: number[], losses: number[]) => {
    const den = refSum(anchors.map((a) => w[a]!));
    return den === 0 ? 0 : refSum(losses.map((l, k) => l * w[anchors[k]!]!)) / den;
  };
  const perAnchor = refPerAnchor(labels.length, [...a1, ...a2], [...pos, ...neg]);
  return {
    mean: weightedMean(a1, pos) + weightedMean(a2, neg),
    meanNonZero: refMeanNonZero(pos) + refMeanNonZero(neg),
    sum: refSum([...pos, ...neg]),
    none: perAnchor.map((v, i) => v * w[i]!),
  };
}

const scalar = (t: tf.Tensor) => t.dataSync()[0] as number;
const LABELS = [0, 0, 1];
const EMB = [
  [1, 0],
  [0.6, 0.8],
  [0, 1],
];

describe('contrastiveLoss(labels, embeddings, options)', () => {
  it('reproduces a hand-computed example', () => {
    // d01 = √0.8, d02 = √2, d12 = √0.4: positives (0,1),(1,0) cost √0.8; negatives (1,2),(2,1) cost 1 − √0.4.
    const pos = Math.sqrt(0.8);
    const neg = 1 - Math.sqrt(0.4);
    expectClose(scalar(contrastiveLoss(LABELS, EMB)), pos + (2 * neg) / 4, 1e-6);
    expectClose(scalar(contrastiveLoss(LABELS, EMB, { reduction: 'meanNonZero' })), pos + neg, 1e-6);
    expectClose(scalar(contrastiveLoss(LABELS, EMB, { reduction: 'sum' })), 2 * pos + 2 * neg, 1e-6);
    expectClose(values(contrastiveLoss(LABELS, EMB, { reduction: 'none' })), [pos, pos + neg, neg], 1e-6);
  });

  it('matches the float64 reference on random inputs, for every distance and reduction', () => {
    const r = rng(1);
    const emb = randomMatrix(r, 20, 5);
    const labels = randomLabels(r, 20, 4);
    const cases: RefOptions[] = [
      {},
      { distance: 'squaredEuclidean', negMargin: 1.5 },
      { distance: 'cosine', posMargin: 0.9, negMargin: 0.1 },
      { distance: 'dot', normalize: false, posMargin: 2, negMargin: -1 },
      { distance: 'euclidean', normalize: false, posMargin: 0.5, negMargin: 3 },
    ];
    for (const o of cases) {
      const ref = reference(labels, emb, o);
      const { pairs: _, ...opts } = o;
      expectClose(scalar(contrastiveLoss(labels, emb, opts)), ref.mean, 1e-5);
      expectClose(scalar(contrastiveLoss(labels, emb, { ...opts, reduction: 'meanNonZero' })), ref.meanNonZero, 1e-5);
      expectClose(scalar(contrastiveLoss(labels, emb, { ...opts, reduction: 'sum' })), ref.sum, 1e-5);
      expectClose(values(contrastiveLoss(labels, emb, { ...opts, reduction: 'none' })), ref.none, 1e-5, 1e-5);
    }
  });

  it('has the gradient of the float64 reference (finite differences)', () => {
    const r = rng(2);
    const emb = randomMatrix(r, 6, 3);
    const labels = [0, 0, 1, 1, 2, 0];
    for (const o of [{}, { distance: 'cosine' as const, posMargin: 0.8, negMargin: 0.2 }, { distance: 'squaredEuclidean' as const, normalize: false, negMargin: 4 }]) {
      const g = tf.grad((z: tf.Tensor) => contrastiveLoss(labels, z, o))(tf.tensor(emb));
      const f = (x: number[]) => reference(labels, refRows(x, 3), o).mean;
      expectClose(values(g), numericGradient(f, emb.flat()), 1e-4, 1e-6);
    }
  });

  it('follows pytorch-metric-learning: a similarity turns the hinges round (pos_margin=1, neg_margin=0)', () => {
    const r = rng(3);
    const emb = randomMatrix(r, 10, 4);
    const labels = randomLabels(r, 10, 3);
    const o = { distance: 'cosine' as const, posMargin: 1, negMargin: 0 };
    expectClose(scalar(contrastiveLoss(labels, emb, o)), reference(labels, emb, o).mean, 1e-5);
    // With cosine, [1 − s_ap]_+ = 1 − s_ap and [s_an]_+ is the positive part of the similarity.
    const s = refMatrix(emb, 'cosine');
    const { a1, p, a2, n } = refAllPairs(labels);
    const expected = refMean(a1.map((a, k) => 1 - s[a]![p[k]!]!)) + refMean(a2.map((a, k) => Math.max(0, s[a]![n[k]!]!)));
    expectClose(scalar(contrastiveLoss(labels, emb, o)), expected, 1e-5);
  });

  it('uses explicit pairs, repeats counted, and triplets as their (a, p) and (a, n) pairs', () => {
    const r = rng(4);
    const emb = randomMatrix(r, 8, 3);
    const labels = randomLabels(r, 8, 3);
    const pairs = { a1: [0, 0, 3, 5], p: [1, 1, 2, 5], a2: [2, 4, 4], n: [7, 1, 1] };
    expectClose(scalar(contrastiveLoss(labels, emb, { indices: pairs })), reference(labels, emb, { pairs }).mean, 1e-5);
    expectClose(scalar(contrastiveLoss(labels, emb, { indices: pairs, reduction: 'sum' })), reference(labels, emb, { pairs }).sum, 1e-5);
    const triplets = { a: [0, 1, 1], p: [2, 3, 3], n: [4, 5, 6] };
    const asPairs = { a1: triplets.a, p: triplets.p, a2: triplets.a, n: triplets.n };
    expectClose(scalar(contrastiveLoss(labels, emb, { indices: triplets })), reference(labels, emb, { pairs: asPairs }).mean, 1e-5);
  });

  it('takes multi-hot labels through labelSimilarity', () => {
    const r = rng(5);
    const emb = randomMatrix(r, 9, 4);
    const multiHot = Array.from({ length: 9 }, (_, i) => [i % 2, i % 3 === 0 ? 1 : 0, i % 4 === 1 ? 1 : 0]);
    const share = (i: number, j: number) => multiHot[i]!.some((v, k) => v === 1 && multiHot[j]![k] === 1);
    const ids = multiHot.map((_, i) => i);
    const pairs = refAllPairs(ids, share);
    expectClose(scalar(contrastiveLoss(multiHot, emb, { labelSimilarity: sharesAnyLabel })), reference(ids, emb, { pairs }).mean, 1e-5);
  });

  it('weights each pair by its anchor: a weighted mean per kind of pair', () => {
    const r = rng(6);
    const emb = randomMatrix(r, 10, 3);
    const labels = randomLabels(r, 10, 3);
    const weights = Array.from({ length: 10 }, () => r() * 2);
    const ref = reference(labels, emb, { weights });
    expectClose(scalar(contrastiveLoss(labels, emb, { weights })), ref.mean, 1e-5);
    expectClose(values(contrastiveLoss(labels, emb, { weights, reduction: 'none' })), ref.none, 1e-5, 1e-6);
    expectClose(scalar(contrastiveLoss(labels, emb, { weights: labels.map(() => 1) })), reference(labels, emb).mean, 1e-6);
  });

  it('gives the same value and gradient chunked as unchunked', () => {
    const r = rng(7);
    const emb = tf.tensor(randomMatrix(r, 11, 4));
    const labels = randomLabels(r, 11, 3);
    const plain = scalar(contrastiveLoss(labels, emb));
    const g0 = values(tf.grad((z: tf.Tensor) => contrastiveLoss(labels, z))(emb));
    for (const chunkSize of [1, 3, 5, 11, 50]) {
      expectClose(scalar(contrastiveLoss(labels, emb, { chunkSize })), plain, 1e-6);
      expectClose(values(tf.grad((z: tf.Tensor) => contrastiveLoss(labels, z, { chunkSize }))(emb)), g0, 1e-5, 1e-7);
    }
  });

  it('stays finite, in value and gradient, for identical embeddings, one class, and no positive pairs', () => {
    const same = Array.from({ length: 5 }, () => [0.3, -1.2, 2]);
    for (const distance of ['euclidean', 'squaredEuclidean', 'cosine', 'dot'] as const) {
      const value = contrastiveLoss([0, 0, 1, 1, 2], same, { distance });
      expectFinite(value);
      expectFinite(tf.grad((z: tf.Tensor) => contrastiveLoss([0, 0, 1, 1, 2], z, { distance }))(tf.tensor(same)));
    }
    // Identical embeddings: every distance is 0, positives cost 0 and every negative costs neg_margin.
    expectClose(scalar(contrastiveLoss([0, 0, 1, 1, 2], same)), 1, 1e-6);
    const r = rng(8);
    const emb = randomMatrix(r, 6, 3);
    // One class: no negative pair, the loss is the positive-pair mean alone.
    expectClose(scalar(contrastiveLoss([2, 2, 2, 2, 2, 2], emb)), reference([2, 2, 2, 2, 2, 2], emb).mean, 1e-5);
    // No positive pair: the negative-pair mean alone.
    const distinct = [0, 1, 2, 3, 4, 5];
    expectClose(scalar(contrastiveLoss(distinct, emb)), reference(distinct, emb).mean, 1e-5);
    expectFinite(tf.grad((z: tf.Tensor) => contrastiveLoss(distinct, z))(tf.tensor(emb)));
    // A single sample has no pair at all.
    expectClose(scalar(contrastiveLoss([0], [[1, 2]])), 0, 0, 0);
  });

  it('leaks no tensors, plain, chunked and under a gradient', () => {
    const emb = tf.tensor(randomMatrix(rng(9), 7, 3));
    const labels = [0, 1, 0, 1, 2, 2, 0];
    expect(leakedTensors(() => contrastiveLoss(labels, emb, { weights: [1, 2, 1, 1, 1, 1, 1] }))).toBe(0);
    expect(leakedTensors(() => tf.grad((z: tf.Tensor) => contrastiveLoss(labels, z))(emb))).toBe(0);
    expect(leakedTensors(() => tf.grad((z: tf.Tensor) => contrastiveLoss(labels, z, { chunkSize: 2 }))(emb))).toBe(0);
    expect(leakedTensors(() => contrastiveLoss(labels, emb, { chunkSize: 3, labelSimilarity: (a, b) => tf.cast(tf.equal(a, tf.transpose(b)), 'float32') }))).toBe(0);
    emb.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => contrastiveLoss([0, 1], EMB)).toThrow('contrastiveLoss: expected `labels` and `embeddings` to have the same number of rows, got [2] and [3,2]');
    expect(() => contrastiveLoss(LABELS, [1, 2, 3])).toThrow('contrastiveLoss: expected `embeddings` to have rank 2, got shape [3]');
    expect(() => contrastiveLoss([0, 0.5, 1], EMB)).toThrow('contrastiveLoss: expected every value of `labels` to be an integer class label, got 0.5 at index 1');
    expect(() => contrastiveLoss([[0, 1], [1, 0], [1, 1]], EMB)).toThrow(
      'contrastiveLoss: expected `labels` to be integer class labels [N] (pass `labelSimilarity` to use label rows [N,L]), got shape [3,2]',
    );
    expect(() => contrastiveLoss(LABELS, EMB, { distance: 'manhattan' as never })).toThrow(
      "contrastiveLoss: expected `distance` to be one of 'euclidean' | 'squaredEuclidean' | 'cosine' | 'dot', got \"manhattan\" (string)",
    );
    expect(() => contrastiveLoss(LABELS, EMB, { distance: 'cosine', normalize: false })).toThrow(
      "contrastiveLoss: expected `normalize` to be true with distance 'cosine' (use distance 'dot' for unnormalised inner products), got false (boolean)",
    );
    expect(() => contrastiveLoss(LABELS, EMB, { chunkSize: 0 })).toThrow('contrastiveLoss: expected `chunkSize` to be an integer >= 1, got 0 (number)');
    expect(() => contrastiveLoss(LABELS, EMB, { posMargin: Number.NaN })).toThrow('contrastiveLoss: expected `posMargin` to be a finite number, got NaN (number)');
    expect(() => contrastiveLoss(LABELS, EMB, { reduction: 'avg' as never })).toThrow(
      "contrastiveLoss: expected `reduction` to be one of 'mean' | 'sum' | 'none' | 'meanNonZero', got \"avg\" (string)",
    );
    expect(() => contrastiveLoss(LABELS, EMB, { margin: 1 } as never)).toThrow(
      'contrastiveLoss: expected each option to be one of posMargin, negMargin, distance, normalize, indices, labelSimilarity, chunkSize, reduction, weights, got `margin`',
    );
    expect(() => contrastiveLoss(LABELS, EMB, { weights: [1, 2] })).toThrow("contrastiveLoss: expected `weights` to be per sample or broadcast to the loss's shape [3], got shape [2]");
    expect(() => contrastiveLoss(LABELS, EMB, { indices: { a1: [0], p: [3], a2: [], n: [] } })).toThrow(
      'contrastiveLoss: expected every value of `indices.p` to be an integer sample index in [0, 2], got 3 (number) at index 0',
    );
  });
});
