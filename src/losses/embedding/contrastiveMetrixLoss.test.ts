import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomLabels, randomMatrix, rng, values } from '../../../test/helpers.js';
import { chunk, compare, type Distance, isSimilarity, mean, mix, mixtures } from '../../../test/metrix-reference.js';
import { contrastiveLoss } from './contrastiveLoss.js';
import { contrastiveMetrixLoss } from './contrastiveMetrixLoss.js';

interface Ref {
  posMargin?: number;
  negMargin?: number;
  w?: number;
  lambda: number;
  pairs?: 'both' | 'posneg' | 'anchorneg';
  positives?: 'all' | 'first';
  distance?: Distance;
  normalize?: boolean;
}
/** Per-group pair losses: clean positives, clean negatives, mixed positive parts, mixed negative parts (with anchors). */
function groups(labels: number[], x: number[][], o: Ref): [number, number][][] {
  const { posMargin = 0, negMargin = 0.5, w = 0.4, lambda, distance = 'euclidean', normalize = true } = o;
  const hinge = (d: number, m: number, pull: boolean) => Math.max(0, isSimilarity(distance) === pull ? m - d : d - m);
  const pos: [number, number][] = [];
  const neg: [number, number][] = [];
  labels.forEach((ya, a) => {
    labels.forEach((yb, b) => {
      if (a === b) return;
      const d = compare(x[a]!, x[b]!, distance, normalize);
      if (ya === yb) pos.push([a, hinge(d, posMargin, true)]);
      else neg.push([a, hinge(d, negMargin, false)]);
    });
  });
  const mp: [number, number][] = [];
  const mn: [number, number][] = [];
  for (const [a, i, j] of mixtures(labels, o.pairs, o.positives)) {
    const d = compare(x[a]!, mix(x, i, j, lambda), distance, normalize);
    mp.push([a, w * lambda * hinge(d, posMargin, true)]);
    mn.push([a, w * (1 - lambda) * hinge(d, negMargin, false)]);
  }
  return [pos, neg, mp, mn];
}
function referenceMean(labels: number[], x: number[][], o: Ref): number {
  return groups(labels, x, o).reduce((s, g) => s + mean(g.map(([, l]) => l)), 0);
}
function referenceNone(labels: number[], x: number[][], o: Ref): number[] {
  const out = labels.map(() => 0);
  for (const g of groups(labels, x, o)) for (const [a, l] of g) out[a] = out[a]! + l;
  return out;
}

describe('contrastiveMetrixLoss(labels, embeddings, options)', () => {
  const r = rng(1);
  const x = randomMatrix(r, 10, 4);
  const labels = [0, 0, 0, 1, 1, 2, 2, 3, 4, 4];

  it('matches the float64 reference (clean + w · mixed) on random inputs, per anchor and as the sum of group means', () => {
    for (const o of [{ lambda: 0.3 }, { lambda: 0.8, pairs: 'posneg' }, { lambda: 0.5, pairs: 'anchorneg', w: 1 }, { lambda: 0.6, positives: 'first', posMargin: 0.1, negMargin: 1 }] as Ref[]) {
      const options = { ...o, mixWeight: o.w } as Record<string, unknown>;
      delete options.w;
      expectClose(contrastiveMetrixLoss(labels, x, options).dataSync()[0]!, referenceMean(labels, x, o), 1e-5, 1e-6);
      expectClose(values(contrastiveMetrixLoss(labels, x, { ...options, reduction: 'none' })), referenceNone(labels, x, o), 1e-5, 1e-6);
    }
  });

  it('matches the reference with other distances, unnormalised embeddings and random labels', () => {
    const y = randomLabels(r, 10, 3);
    for (const o of [{ lambda: 0.4, distance: 'squaredEuclidean' }, { lambda: 0.4, distance: 'cosine', posMargin: 1, negMargin: 0 }, { lambda: 0.7, normalize: false, negMargin: 2 }] as Ref[]) {
      expectClose(contrastiveMetrixLoss(y, x, { ...o } as Record<string, unknown>).dataSync()[0]!, referenceMean(y, x, o), 1e-5, 1e-5);
    }
  });

  it('has the gradient of the float64 reference at fixed λ (finite differences)', () => {
    const z = randomMatrix(r, 6, 3);
    const y = [0, 0, 1, 1, 2, 3];
    const o: Ref = { lambda: 0.35, negMargin: 1.2 };
    const g = tf.grad((t: tf.Tensor) => contrastiveMetrixLoss(y, t, { lambda: 0.35, negMargin: 1.2 }))(tf.tensor(z));
    expectClose(values(g), numericGradient((f) => referenceMean(y, chunk(f, 3), o), z.flat()), 1e-3, 1e-6);
  });

  it('is contrastiveLoss when w = 0, and draws λ by its seed', () => {
    expectClose(contrastiveMetrixLoss(labels, x, { mixWeight: 0, seed: 1 }).dataSync()[0]!, contrastiveLoss(labels, x, { negMargin: 0.5 }).dataSync()[0]!, 1e-6);
    const a = contrastiveMetrixLoss(labels, x, { seed: 3 }).dataSync()[0]!;
    expectClose(contrastiveMetrixLoss(labels, x, { seed: 3 }).dataSync()[0]!, a, 0, 0);
    expect(contrastiveMetrixLoss(labels, x, { seed: 4 }).dataSync()[0]!).not.toBe(a);
    const rand = contrastiveMetrixLoss(labels, x, { seed: 3, pairs: 'random' }).dataSync()[0]!;
    expect(Number.isFinite(rand)).toBe(true);
  });

  it('stays finite, in value and gradient, for identical embeddings, one class, no positives and ±1e4', () => {
    const cases: [number[], number[][]][] = [
      [[0, 1, 0, 1], new Array(4).fill([1, 1])],
      [[2, 2, 2], [[1, 0], [0, 1], [1, 1]]],
      [[0, 1, 2], [[1, 0], [0, 1], [1, 1]]],
      [[0, 1, 0, 1], [[1e4, 0], [0, -1e4], [-1e4, 1e4], [1e4, 1e4]]],
    ];
    for (const [y, e] of cases) {
      for (const distance of ['euclidean', 'cosine'] as const) {
        expectFinite(contrastiveMetrixLoss(y, e, { seed: 1, distance, reduction: 'none' }));
        expectFinite(tf.grad((t: tf.Tensor) => contrastiveMetrixLoss(y, t, { seed: 1, distance }))(tf.tensor(e)));
      }
    }
    // No positives: only negatives and anchor–negative mixtures; one class: only positive pairs.
    expectClose(contrastiveMetrixLoss([0, 1, 2], [[1, 0], [0, 1], [1, 1]], { lambda: 0.5 }).dataSync()[0]!, referenceMean([0, 1, 2], [[1, 0], [0, 1], [1, 1]], { lambda: 0.5 }), 1e-5);
    expectClose(contrastiveMetrixLoss([2, 2, 2], [[1, 0], [0, 1], [1, 1]], { lambda: 0.5 }).dataSync()[0]!, referenceMean([2, 2, 2], [[1, 0], [0, 1], [1, 1]], { lambda: 0.5 }), 1e-5);
  });

  it("reduces by 'sum' (sum of 'none'), 'meanNonZero', and weights each anchor's pairs", () => {
    const o = { lambda: 0.3 };
    const none = values(contrastiveMetrixLoss(labels, x, { ...o, reduction: 'none' }));
    expectClose(contrastiveMetrixLoss(labels, x, { ...o, reduction: 'sum' }).dataSync()[0]!, none.reduce((a, b) => a + b, 0), 1e-5);
    const nonZero = groups(labels, x, o).reduce((s, g) => {
      const kept = g.filter(([, l]) => l > 0);
      return s + mean(kept.map(([, l]) => l));
    }, 0);
    expectClose(contrastiveMetrixLoss(labels, x, { ...o, reduction: 'meanNonZero' }).dataSync()[0]!, nonZero, 1e-5);
    const w = labels.map((_, i) => (i % 2 === 0 ? 2 : 0.5));
    const weighted = groups(labels, x, o).reduce((s, g) => s + (g.length === 0 ? 0 : g.reduce((t, [a, l]) => t + w[a]! * l, 0) / g.reduce((t, [a]) => t + w[a]!, 0)), 0);
    expectClose(contrastiveMetrixLoss(labels, x, { ...o, weights: w }).dataSync()[0]!, weighted, 1e-5);
    expectClose(contrastiveMetrixLoss(labels, x, { ...o, weights: new Array(10).fill(1) }).dataSync()[0]!, referenceMean(labels, x, o), 1e-5);
  });

  it('leaks no tensors', () => {
    const e = tf.tensor(x);
    expect(leakedTensors(() => contrastiveMetrixLoss(labels, e, { seed: 2, weights: new Array(10).fill(2) }))).toBe(0);
    expect(leakedTensors(() => contrastiveMetrixLoss([1, 1, 1, 1, 1, 1, 1, 1, 1, 1], e, { seed: 2 }))).toBe(0);
    expect(leakedTensors(() => tf.grad((t: tf.Tensor) => contrastiveMetrixLoss(labels, t, { seed: 2 }))(e))).toBe(0);
    e.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => contrastiveMetrixLoss([0, 1], x)).toThrow('contrastiveMetrixLoss: expected `labels` and `embeddings` to have the same number of rows, got [2] and [10,4]');
    expect(() => contrastiveMetrixLoss(labels, x, { lambda: -0.1 })).toThrow('contrastiveMetrixLoss: expected `lambda` to be a finite number >= 0 and <= 1, got -0.1 (number)');
    expect(() => contrastiveMetrixLoss(labels, x, { mixWeight: -1 })).toThrow('contrastiveMetrixLoss: expected `mixWeight` to be a finite number >= 0, got -1 (number)');
    expect(() => contrastiveMetrixLoss(labels, x, { mixAlpha: 0 })).toThrow('contrastiveMetrixLoss: expected `mixAlpha` to be a finite number > 0, got 0 (number)');
    expect(() => contrastiveMetrixLoss(labels, x, { seed: 0.5 })).toThrow('contrastiveMetrixLoss: expected `seed` to be an integer >= 0 and <= 4294967295, got 0.5 (number)');
    expect(() => contrastiveMetrixLoss(labels, x, { pairs: 'every' as never })).toThrow("contrastiveMetrixLoss: expected `pairs` to be one of 'both' | 'posneg' | 'anchorneg' | 'random', got \"every\" (string)");
    expect(() => contrastiveMetrixLoss(labels, x, { indices: { a: [0], p: [1], n: [3] } } as never)).toThrow(
      /^contrastiveMetrixLoss: expected each option to be one of posMargin, negMargin, mixWeight, mixAlpha, lambda, seed, pairs, positives, distance, normalize, labelSimilarity, reduction, weights, got `indices`$/,
    );
  });
});
