import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomMatrix, rng, values } from '../../../test/helpers.js';
import { chunk, compare, type Distance, isSimilarity, log1pSumExp, mean, mix, mixtures } from '../../../test/metrix-reference.js';
import { multiSimilarityLoss } from './multiSimilarityLoss.js';
import { multiSimilarityMetrixLoss } from './multiSimilarityMetrixLoss.js';

interface Ref {
  alpha?: number;
  beta?: number;
  base?: number;
  w?: number;
  lambda: number;
  pairs?: 'both' | 'posneg' | 'anchorneg';
  positives?: 'all' | 'first';
  distance?: Distance;
  normalize?: boolean;
}
function reference(labels: number[], x: number[][], o: Ref): number[] {
  const { alpha = 2, beta = 50, base = 0.5, w = 0.4, lambda, distance = 'cosine', normalize = true } = o;
  // How far each similarity (or distance) is past the base, towards "too dissimilar" (pull) or "too similar" (push).
  const pull = (s: number) => (isSimilarity(distance) ? base - s : s - base);
  const push = (s: number) => -pull(s);
  const mixes = mixtures(labels, o.pairs, o.positives);
  return labels.map((ya, a) => {
    const pos: number[] = [];
    const neg: number[] = [];
    labels.forEach((yb, b) => {
      if (a === b) return;
      (ya === yb ? pos : neg).push(compare(x[a]!, x[b]!, distance, normalize));
    });
    const clean = log1pSumExp(pos.map((s) => alpha * pull(s)), pos.map(() => 1)) / alpha + log1pSumExp(neg.map((s) => beta * push(s)), neg.map(() => 1)) / beta;
    const mine = mixes.filter(([anchor]) => anchor === a).map(([, i, j]) => compare(x[a]!, mix(x, i, j, lambda), distance, normalize));
    if (mine.length === 0) return clean;
    const mixed = log1pSumExp(mine.map((s) => alpha * pull(s)), mine.map(() => lambda)) / alpha + log1pSumExp(mine.map((s) => beta * push(s)), mine.map(() => 1 - lambda)) / beta;
    return clean + w * mixed;
  });
}

describe('multiSimilarityMetrixLoss(labels, embeddings, options)', () => {
  const r = rng(1);
  const x = randomMatrix(r, 10, 4);
  const labels = [0, 0, 0, 1, 1, 2, 2, 3, 4, 4];

  it('matches the float64 reference (paper form ℓ + w·ℓ̃) on random inputs, per anchor and as their mean', () => {
    for (const o of [{ lambda: 0.3 }, { lambda: 0.9, pairs: 'posneg', beta: 10 }, { lambda: 0.5, pairs: 'anchorneg', w: 1 }, { lambda: 0.6, positives: 'first', base: 0.2 }] as Ref[]) {
      const options = { ...o, mixWeight: o.w } as Record<string, unknown>;
      delete options.w;
      const expected = reference(labels, x, o);
      expectClose(values(multiSimilarityMetrixLoss(labels, x, { ...options, reduction: 'none' })), expected, 1e-5, 1e-6);
      expectClose(multiSimilarityMetrixLoss(labels, x, options).dataSync()[0]!, mean(expected), 1e-5, 1e-6);
    }
  });

  it('matches the reference with a distance and unnormalised dot products', () => {
    for (const o of [{ lambda: 0.4, distance: 'euclidean', base: 1 }, { lambda: 0.4, distance: 'dot', normalize: false, beta: 5 }] as Ref[]) {
      expectClose(values(multiSimilarityMetrixLoss(labels, x, { ...o, reduction: 'none' } as Record<string, unknown>)), reference(labels, x, o), 1e-5, 1e-5);
    }
  });

  it('has the gradient of the float64 reference at fixed λ (finite differences)', () => {
    const z = randomMatrix(r, 6, 3);
    const y = [0, 0, 1, 1, 2, 3];
    const g = tf.grad((t: tf.Tensor) => multiSimilarityMetrixLoss(y, t, { lambda: 0.35, beta: 10 }))(tf.tensor(z));
    expectClose(values(g), numericGradient((f) => mean(reference(y, chunk(f, 3), { lambda: 0.35, beta: 10 })), z.flat()), 1e-3, 1e-6);
  });

  it('is multiSimilarityLoss when w = 0 (or λ gives the mixtures no weight), and draws λ by its seed', () => {
    const plain = multiSimilarityLoss(labels, x).dataSync()[0]!;
    expectClose(multiSimilarityMetrixLoss(labels, x, { mixWeight: 0, seed: 1 }).dataSync()[0]!, plain, 1e-6);
    const a = multiSimilarityMetrixLoss(labels, x, { seed: 3 }).dataSync()[0]!;
    expectClose(multiSimilarityMetrixLoss(labels, x, { seed: 3 }).dataSync()[0]!, a, 0, 0);
    expect(multiSimilarityMetrixLoss(labels, x, { seed: 4 }).dataSync()[0]!).not.toBe(a);
    expect(a).toBeGreaterThan(plain);
  });

  it('stays finite, in value and gradient, for identical embeddings, one class, no positives and ±1e4', () => {
    const cases: [number[], number[][]][] = [
      [[0, 1, 0, 1], new Array(4).fill([1, 1])],
      [[2, 2, 2], [[1, 0], [0, 1], [1, 1]]],
      [[0, 1, 2], [[1, 0], [0, 1], [1, 1]]],
      [[0, 1, 0, 1], [[1e4, 0], [0, -1e4], [-1e4, 1e4], [1e4, 1e4]]],
    ];
    for (const [y, e] of cases) {
      expectFinite(multiSimilarityMetrixLoss(y, e, { seed: 1, reduction: 'none' }));
      expectFinite(tf.grad((t: tf.Tensor) => multiSimilarityMetrixLoss(y, t, { seed: 1 }))(tf.tensor(e)));
      expectFinite(tf.grad((t: tf.Tensor) => multiSimilarityMetrixLoss(y, t, { seed: 1, distance: 'dot', normalize: false }))(tf.tensor(e)));
    }
  });

  it("reduces by 'sum', 'meanNonZero' and weighted means over anchors", () => {
    const o = { lambda: 0.3 };
    const none = values(multiSimilarityMetrixLoss(labels, x, { ...o, reduction: 'none' }));
    expectClose(multiSimilarityMetrixLoss(labels, x, { ...o, reduction: 'sum' }).dataSync()[0]!, none.reduce((a, b) => a + b, 0), 1e-5);
    expectClose(multiSimilarityMetrixLoss(labels, x, { ...o, reduction: 'meanNonZero' }).dataSync()[0]!, mean(none.filter((v) => v > 0)), 1e-5);
    const w = labels.map((_, i) => i + 1);
    expectClose(multiSimilarityMetrixLoss(labels, x, { ...o, weights: w }).dataSync()[0]!, none.reduce((s, v, i) => s + v * w[i]!, 0) / 55, 1e-5);
  });

  it('leaks no tensors', () => {
    const e = tf.tensor(x);
    expect(leakedTensors(() => multiSimilarityMetrixLoss(labels, e, { seed: 2, weights: new Array(10).fill(2) }))).toBe(0);
    expect(leakedTensors(() => tf.grad((t: tf.Tensor) => multiSimilarityMetrixLoss(labels, t, { seed: 2 }))(e))).toBe(0);
    e.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => multiSimilarityMetrixLoss([0, 1], x)).toThrow('multiSimilarityMetrixLoss: expected `labels` and `embeddings` to have the same number of rows, got [2] and [10,4]');
    expect(() => multiSimilarityMetrixLoss(labels, x, { beta: 0 })).toThrow('multiSimilarityMetrixLoss: expected `beta` to be a finite number > 0, got 0 (number)');
    expect(() => multiSimilarityMetrixLoss(labels, x, { lambda: 2 })).toThrow('multiSimilarityMetrixLoss: expected `lambda` to be a finite number >= 0 and <= 1, got 2 (number)');
    expect(() => multiSimilarityMetrixLoss(labels, x, { positives: 'some' as never })).toThrow("multiSimilarityMetrixLoss: expected `positives` to be one of 'all' | 'first', got \"some\" (string)");
    expect(() => multiSimilarityMetrixLoss(labels, x, { chunkSize: 2 } as never)).toThrow(/^multiSimilarityMetrixLoss: expected each option to be one of alpha, beta, base, .*, got `chunkSize`$/);
  });
});
