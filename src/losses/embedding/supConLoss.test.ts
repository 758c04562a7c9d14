import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  type RefDistance,
  type RefPairs,
  refAllPairs,
  refIsSimilarity,
  refLogSumExp,
  refMatrix,
  refMean,
  refMeanNonZero,
  refRows,
  refSum,
} from '../../../test/embedding-reference.js';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomLabels, randomMatrix, rng, values } from '../../../test/helpers.js';
import { sharesAnyLabel } from './labels.js';
import { supConLoss } from './supConLoss.js';

const TINY = 2 ** -126;

interface RefOptions {
  temperature?: number;
  distance?: RefDistance;
  normalize?: boolean;
  pairs?: RefPairs;
  /** pytorch-metric-learning 2.x: 0 for a batch without negative pairs. */
  zeroWithoutNegatives?: boolean;
}

// Float64 reference: PML's SupConLoss on binary pair masks, row by row (3.x: a batch without
// negative pairs has the paper's loss; 2.x gave 0).
function reference(labels: number[], embeddings: number[][], o: RefOptions = {}): number[] {
  const { temperature = 0.1, distance = 'cosine', normalize = true } = o;
  const n = labels.length;
  const mat = refMatrix(embeddings, distance, normalize).map((row) => row.map((v) => (refIsSimilarity(distance) ? v : -v) / temperature));
  const { a1, p, a2, n: neg } = o.pairs ?? refAllPairs(labels);
  if (a1.length === 0 || (a2.length === 0 && o.zeroWithoutNegatives === true)) return labels.map(() => 0);
  const pos = mat.map(() => new Array<number>(n).fill(0));
  const negMask = mat.map(() => new Array<number>(n).fill(0));
  a1.forEach((a, k) => {
    pos[a]![p[k]!] = 1;
  });
  a2.forEach((a, k) => {
    negMask[a]![neg[k]!] = 1;
  });
  return mat.map((row, i) => {
    const shifted = row.map((v) => v - Math.max(...row));
    const kept = shifted.filter((_, j) => pos[i]![j]! + negMask[i]![j]! > 0);
    const denominator = kept.length === 0 ? 0 : refLogSumExp(kept);
    const count = refSum(pos[i]!);
    return -refSum(shifted.map((v, j) => pos[i]![j]! * (v - denominator))) / (count + TINY);
  });
}

const scalar = (t: tf.Tensor) => t.dataSync()[0] as number;

describe('supConLoss(labels, embeddings, options)', () => {
  it('reproduces a hand-computed example', () => {
    // Cosines s01 = 0.6, s02 = 0, s12 = 0.8, τ = 0.1: anchor 0 → log(1 + e^−6), anchor 1 → log(1 + e^2).
    const rows = [Math.log1p(Math.exp(-6)), Math.log1p(Math.exp(2)), 0];
    const emb = [
      [1, 0],
      [0.6, 0.8],
      [0, 1],
    ];
    expectClose(values(supConLoss([0, 0, 1], emb, { reduction: 'none' })), rows, 1e-6, 1e-7);
    expectClose(scalar(supConLoss([0, 0, 1], emb)), refMean(rows), 1e-6);
    expectClose(scalar(supConLoss([0, 0, 1], emb, { reduction: 'meanNonZero' })), (rows[0]! + rows[1]!) / 2, 1e-6);
  });

  it('matches the float64 reference on random inputs, for every distance and reduction', () => {
    const r = rng(1);
    const emb = randomMatrix(r, 14, 5);
    const labels = randomLabels(r, 14, 4);
    const cases: RefOptions[] = [{}, { temperature: 0.5 }, { distance: 'euclidean', temperature: 0.3 }, { distance: 'dot', normalize: false, temperature: 3 }];
    for (const o of cases) {
      const rows = reference(labels, emb, o);
      expectClose(values(supConLoss(labels, emb, { ...o, reduction: 'none' })), rows, 1e-5, 1e-6);
      expectClose(scalar(supConLoss(labels, emb, o)), refMean(rows), 1e-5);
      expectClose(scalar(supConLoss(labels, emb, { ...o, reduction: 'meanNonZero' })), refMeanNonZero(rows), 1e-5);
      expectClose(scalar(supConLoss(labels, emb, { ...o, reduction: 'sum' })), refSum(rows), 1e-5);
    }
  });

  it('equals the paper’s L_out on two views per sample', () => {
    const r = rng(2);
    const views = randomMatrix(r, 12, 4);
    const labels = [0, 1, 2, 0, 1, 3, 0, 1, 2, 0, 1, 3];
    const s = refMatrix(views, 'cosine');
    const tau = 0.2;
    const lOut = labels.map((y, i) => {
      const others = labels.map((_, k) => k).filter((k) => k !== i);
      const positives = others.filter((k) => labels[k] === y);
      const lse = Math.log(refSum(others.map((k) => Math.exp(s[i]![k]! / tau))));
      return -refMean(positives.map((p) => s[i]![p]! / tau - lse));
    });
    expectClose(scalar(supConLoss(labels, views, { temperature: tau })), refMean(lOut), 1e-5);
  });

  it('is 0 without any positive pair; without negatives, the paper’s loss (3.x), or 0 with zeroWithoutNegatives (2.x)', () => {
    const emb = randomMatrix(rng(3), 5, 3);
    const zeros = [0, 0, 0, 0, 0].map(() => expect.closeTo(0, 12));
    for (const zeroWithoutNegatives of [false, true]) {
      expect(values(supConLoss([0, 1, 2, 3, 4], emb, { reduction: 'none', zeroWithoutNegatives }))).toEqual(zeros);
      expectFinite(tf.grad((z: tf.Tensor) => supConLoss([0, 1, 2, 3, 4], z, { zeroWithoutNegatives }))(tf.tensor(emb)));
    }
    const same = [1, 1, 1, 1, 1];
    // One class: each anchor's softmax runs over its 4 positives alone, −mean_p log softmax_p > 0.
    const rows = reference(same, emb);
    expect(Math.min(...rows)).toBeGreaterThan(0);
    expectClose(values(supConLoss(same, emb, { reduction: 'none' })), rows, 1e-5, 1e-6);
    const g = tf.grad((z: tf.Tensor) => supConLoss(same, z))(tf.tensor(emb));
    expectClose(values(g), numericGradient((f) => refMean(reference(same, refRows(f, 3))), emb.flat()), 1e-4, 1e-6);
    expect(values(supConLoss(same, emb, { reduction: 'none', zeroWithoutNegatives: true }))).toEqual(zeros);
    expect(values(tf.grad((z: tf.Tensor) => supConLoss(same, z, { zeroWithoutNegatives: true }))(tf.tensor(emb)))).toEqual(emb.flat().map(() => 0));
  });

  it("emptyAnchors: 'exclude' averages over the anchors with a positive (3.x), 'count' over every anchor (2.8.1)", () => {
    const r = rng(9);
    const emb = randomMatrix(r, 9, 3);
    const labels = [0, 0, 0, 1, 1, 2, 3, 4, 5];
    const rows = reference(labels, emb);
    const w = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const withPositive = [1, 1, 1, 1, 1, 0, 0, 0, 0];
    const weighted = (mask: number[]) => refSum(rows.map((l, i) => w[i]! * l)) / refSum(mask.map((m, i) => w[i]! * m));
    expectClose(scalar(supConLoss(labels, emb, { emptyAnchors: 'exclude' })), refSum(rows) / 5, 1e-5);
    expectClose(scalar(supConLoss(labels, emb, { emptyAnchors: 'exclude', weights: w })), weighted(withPositive), 1e-5);
    expectClose(scalar(supConLoss(labels, emb, { emptyAnchors: 'count', weights: w })), weighted(w.map(() => 1)), 1e-5);
    expectClose(scalar(supConLoss(labels, emb, { emptyAnchors: 'count' })), refMean(rows), 1e-5);
    // Only 'mean' changes.
    for (const reduction of ['sum', 'meanNonZero', 'none'] as const) {
      expectClose(values(supConLoss(labels, emb, { emptyAnchors: 'exclude', reduction })), values(supConLoss(labels, emb, { reduction })), 1e-6, 1e-7);
    }
    const f = (x: number[]) => refSum(reference(labels, refRows(x, 3))) / 5;
    expectClose(values(tf.grad((z: tf.Tensor) => supConLoss(labels, z, { emptyAnchors: 'exclude' }))(tf.tensor(emb))), numericGradient(f, emb.flat()), 1e-4, 1e-6);
    // No anchor with a positive: 0, not 0/0.
    expect(scalar(supConLoss([0, 1, 2, 3, 4, 5, 6, 7, 8], emb, { emptyAnchors: 'exclude' }))).toBe(0);
  });

  it('uses explicit pairs as masks and multi-hot labels through labelSimilarity', () => {
    const r = rng(4);
    const emb = randomMatrix(r, 8, 3);
    const labels = randomLabels(r, 8, 3);
    const pairs = { a1: [0, 0, 2, 2], p: [1, 1, 3, 4], a2: [0, 2, 5], n: [6, 7, 7] };
    expectClose(values(supConLoss(labels, emb, { indices: pairs, reduction: 'none' })), reference(labels, emb, { pairs }), 1e-5, 1e-6);
    const multiHot = Array.from({ length: 8 }, (_, i) => [i % 2, i % 3 === 0 ? 1 : 0]);
    const ids = multiHot.map((_, i) => i);
    const shared = refAllPairs(ids, (i, j) => multiHot[i]!.some((v, k) => v === 1 && multiHot[j]![k] === 1));
    expectClose(values(supConLoss(multiHot, emb, { labelSimilarity: sharesAnyLabel, reduction: 'none' })), reference(ids, emb, { pairs: shared }), 1e-5, 1e-6);
  });

  it('has the gradient of the float64 reference (finite differences)', () => {
    const r = rng(5);
    const emb = randomMatrix(r, 6, 3);
    const labels = [0, 0, 1, 1, 2, 0];
    for (const o of [{}, { temperature: 0.5 }, { distance: 'squaredEuclidean' as const, temperature: 0.5 }]) {
      const g = tf.grad((z: tf.Tensor) => supConLoss(labels, z, o))(tf.tensor(emb));
      const f = (x: number[]) => refMean(reference(labels, refRows(x, 3), o));
      expectClose(values(g), numericGradient(f, emb.flat()), 1e-4, 1e-6);
    }
  });

  it('gives the same value and gradient chunked as unchunked', () => {
    const r = rng(6);
    const emb = tf.tensor(randomMatrix(r, 10, 4));
    const labels = randomLabels(r, 10, 3);
    const plain = values(supConLoss(labels, emb, { reduction: 'none' }));
    const g0 = values(tf.grad((z: tf.Tensor) => supConLoss(labels, z))(emb));
    for (const chunkSize of [1, 3, 9]) {
      expectClose(values(supConLoss(labels, emb, { chunkSize, reduction: 'none' })), plain, 1e-6, 1e-7);
      expectClose(values(tf.grad((z: tf.Tensor) => supConLoss(labels, z, { chunkSize }))(emb)), g0, 1e-5, 1e-7);
    }
  });

  it('stays finite, in value and gradient, for identical embeddings and tiny τ', () => {
    const same = Array.from({ length: 6 }, () => [1, -1, 0.5]);
    const labels = [0, 0, 1, 1, 2, 2];
    // All logits equal: each anchor's positive has probability 1/5.
    expectClose(scalar(supConLoss(labels, same)), Math.log(5), 1e-5);
    expectFinite(tf.grad((z: tf.Tensor) => supConLoss(labels, z))(tf.tensor(same)));
    const emb = randomMatrix(rng(7), 6, 3);
    expectFinite(supConLoss(labels, emb, { temperature: 1e-4 }));
    expectFinite(tf.grad((z: tf.Tensor) => supConLoss(labels, z, { temperature: 1e-4 }))(tf.tensor(emb)));
  });

  it('leaks no tensors', () => {
    const emb = tf.tensor(randomMatrix(rng(8), 6, 3));
    const labels = [0, 0, 1, 1, 2, 2];
    expect(leakedTensors(() => supConLoss(labels, emb, { reduction: 'meanNonZero', weights: [1, 2, 3, 4, 5, 6] }))).toBe(0);
    expect(leakedTensors(() => tf.grad((z: tf.Tensor) => supConLoss(labels, z, { chunkSize: 2 }))(emb))).toBe(0);
    emb.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    const emb = [
      [1, 0],
      [0, 1],
    ];
    expect(() => supConLoss([0, 0], emb, { temperature: -0.1 })).toThrow('supConLoss: expected `temperature` to be a finite number > 0, got -0.1 (number)');
    expect(() => supConLoss([0, 0], emb, { emptyAnchors: 'skip' as never })).toThrow(`supConLoss: expected \`emptyAnchors\` to be one of 'count' | 'exclude', got "skip" (string)`);
    expect(() => supConLoss([0, 0], emb, { zeroWithoutNegatives: 1 as never })).toThrow('supConLoss: expected `zeroWithoutNegatives` to be true or false, got 1 (number)');
    expect(() => supConLoss([0, 0], emb, { labelSimilarity: () => tf.ones([2, 3]) })).toThrow('supConLoss: expected the result of `labelSimilarity` to be a tensor of shape [2,2], got shape [2,3]');
    expect(() => supConLoss([0, 0], emb, { labelSimilarity: () => tf.fill([2, 2], 0.5) })).toThrow(
      'supConLoss: expected every value returned by `labelSimilarity` to be 0 or 1, got 0.5 at flat index 0',
    );
  });
});
