import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomMatrix, rng, values } from '../../../test/helpers.js';
import { sigmoidCrossEntropy } from './sigmoidCrossEntropy.js';

// Float64 reference written from the formula, sharing nothing with the loss:
// ℓ = −w t log p − (1 − t) log(1 − p), p = 1 / (1 + e^{−z}), with log1p for the small side.
function logSig(x: number): number {
  return x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
}
function reference(t: number[][], z: number[][], posWeight: number[] = [], eps = 0): number[][] {
  return z.map((row, i) =>
    row.map((zi, k) => {
      const ti = (t[i]![k] as number) * (1 - eps) + eps / 2;
      const w = posWeight[k] ?? 1;
      return -w * ti * logSig(zi) - (1 - ti) * logSig(-zi);
    }),
  );
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const bits = (r: () => number, n: number, k: number) => Array.from({ length: n }, () => Array.from({ length: k }, () => (r() < 0.4 ? 1 : 0)));

const Z = [[2, -1], [0.5, 3], [-2, 0]];
const T = [[1, 0], [0, 1], [1, 1]];

describe('sigmoidCrossEntropy(yTrue, logits, options)', () => {
  it('reproduces hand-computed values: softplus(−2) = 0.126928, softplus(1) = 1.313262', () => {
    expectClose(values(sigmoidCrossEntropy([1, 0], [2, 1], { reduction: 'none' })), [0.126928, 1.313262], 2e-6);
    expectClose(sigmoidCrossEntropy([1, 0], [2, 1]).dataSync()[0]!, 0.720095, 2e-6);
  });

  it('matches the float64 reference on random multi-label inputs, hard and soft targets', () => {
    const r = rng(11);
    const z = randomMatrix(r, 40, 5, 4);
    const hard = bits(r, 40, 5);
    expectClose(values(sigmoidCrossEntropy(hard, z, { reduction: 'none' })), reference(hard, z).flat(), 1e-5, 1e-7);
    const soft = Array.from({ length: 40 }, () => Array.from({ length: 5 }, () => r()));
    expectClose(values(sigmoidCrossEntropy(soft, z, { reduction: 'none' })), reference(soft, z).flat(), 1e-5, 1e-7);
  });

  it('applies a scalar or per-column posWeight to the positive term only', () => {
    const r = rng(12);
    const z = randomMatrix(r, 30, 3, 3);
    const t = bits(r, 30, 3);
    expectClose(values(sigmoidCrossEntropy(t, z, { posWeight: [0.5, 2, 7], reduction: 'none' })), reference(t, z, [0.5, 2, 7]).flat(), 1e-5, 1e-7);
    expectClose(values(sigmoidCrossEntropy(t, z, { posWeight: 3, reduction: 'none' })), reference(t, z, [3, 3, 3]).flat(), 1e-5, 1e-7);
    expectClose(values(sigmoidCrossEntropy(t, z, { posWeight: tf.tensor1d([0.5, 2, 7]), reduction: 'none' })), reference(t, z, [0.5, 2, 7]).flat(), 1e-5, 1e-7);
    // Negatives are untouched by posWeight.
    const zeros = t.map((row) => row.map(() => 0));
    expectClose(values(sigmoidCrossEntropy(zeros, z, { posWeight: 9 })), values(sigmoidCrossEntropy(zeros, z)), 1e-6);
    expectClose(values(sigmoidCrossEntropy([1, 0], [[0.3], [-1]], { posWeight: [4], reduction: 'none' })), reference([[1], [0]], [[0.3], [-1]], [4]).flat(), 1e-5);
  });

  it('equals tf.losses.sigmoidCrossEntropy, with and without label smoothing', () => {
    const r = rng(13);
    const z = tf.tensor(randomMatrix(r, 16, 4, 2));
    const t = tf.tensor(bits(r, 16, 4));
    expectClose(sigmoidCrossEntropy(t, z).dataSync()[0]!, tf.losses.sigmoidCrossEntropy(t, z).dataSync()[0]!, 1e-6);
    const ours = sigmoidCrossEntropy(t, z, { labelSmoothing: 0.3 }).dataSync()[0]!;
    const theirs = tf.losses.sigmoidCrossEntropy(t, z, undefined, 0.3).dataSync()[0]!;
    expectClose(ours, theirs, 1e-6);
  });

  it('smooths labels to t(1−ε) + ε/2', () => {
    expectClose(values(sigmoidCrossEntropy(T, Z, { labelSmoothing: 0.2, reduction: 'none' })), reference(T, Z, [], 0.2).flat(), 1e-5);
    // ε = 1 makes every target 1/2.
    const half = T.map((row) => row.map(() => 0.5));
    expectClose(values(sigmoidCrossEntropy(T, Z, { labelSmoothing: 1, reduction: 'none' })), reference(half, Z).flat(), 1e-5);
  });

  it('has the gradient of the float64 reference (finite differences)', () => {
    const r = rng(14);
    const z = randomMatrix(r, 4, 3, 2);
    const t = bits(r, 4, 3).map((row) => row.map((v) => (v + r()) / 2));
    const opts = { posWeight: [2, 0.5, 1.5], labelSmoothing: 0.1 };
    const g = tf.grad((x: tf.Tensor) => sigmoidCrossEntropy(t, x, opts))(tf.tensor(z));
    const f = (x: number[]) => mean(reference(t, [0, 1, 2, 3].map((i) => x.slice(3 * i, 3 * i + 3)), opts.posWeight, 0.1).flat());
    expectClose(values(g), numericGradient(f, z.flat()), 1e-4, 1e-7);
    // Closed form for w = 1: (σ(z) − t) / n.
    const g1 = values(tf.grad((x: tf.Tensor) => sigmoidCrossEntropy(t, x))(tf.tensor(z)));
    expectClose(g1, z.flat().map((v, i) => (1 / (1 + Math.exp(-v)) - t.flat()[i]!) / 12), 1e-5, 1e-7);
  });

  it('stays finite, in value and gradient, at logits of ±1e4 and for a batch without positives', () => {
    const z = tf.tensor([1e4, -1e4, 1e4, -1e4, 0]);
    const t = [1, 0, 0, 1, 1];
    const value = sigmoidCrossEntropy(t, z, { reduction: 'none', posWeight: 3 });
    expectClose(values(value), [0, 0, 1e4, 3e4, 3 * Math.LN2], 1e-6);
    const g = tf.grad((x: tf.Tensor) => sigmoidCrossEntropy(t, x, { posWeight: 3 }))(z);
    expectFinite(g);
    expectClose(values(g), [0, 0, 0.2, -0.6, -0.3], 1e-6, 1e-7);
    const noPositives = sigmoidCrossEntropy([0, 0, 0], [1e4, -1e4, 2]);
    expectFinite(noPositives);
    expectFinite(tf.grad((x: tf.Tensor) => sigmoidCrossEntropy([0, 0, 0], x))(tf.tensor([1e4, -1e4, 2])));
  });

  it("reduces by 'mean' (over all elements, as Keras), 'sum' and 'none' consistently", () => {
    const none = sigmoidCrossEntropy(T, Z, { reduction: 'none' });
    expect(none.shape).toEqual([3, 2]);
    const l = values(none);
    expectClose(sigmoidCrossEntropy(T, Z).dataSync()[0]!, mean(l), 1e-6);
    expectClose(sigmoidCrossEntropy(T, Z, { reduction: 'sum' }).dataSync()[0]!, l.reduce((a, b) => a + b, 0), 1e-6);
  });

  it('takes the weighted mean sum(w·l)/sum(w) for per-sample and per-element weights', () => {
    const l = reference(T, Z);
    const w = [1, 2, 0.5];
    const perSample = (l[0]![0]! + l[0]![1]!) * 1 + (l[1]![0]! + l[1]![1]!) * 2 + (l[2]![0]! + l[2]![1]!) * 0.5;
    expectClose(sigmoidCrossEntropy(T, Z, { weights: w }).dataSync()[0]!, perSample / 7, 1e-5);
    const we = [[1, 0], [0, 3], [2, 1]];
    const perElement = l.flat().reduce((s, v, i) => s + v * we.flat()[i]!, 0) / 7;
    expectClose(sigmoidCrossEntropy(T, Z, { weights: we }).dataSync()[0]!, perElement, 1e-5);
    expectClose(sigmoidCrossEntropy(T, Z, { weights: [1, 1, 1] }).dataSync()[0]!, mean(l.flat()), 1e-6);
    expectClose(values(sigmoidCrossEntropy(T, Z, { weights: w, reduction: 'none' })), l.flatMap((row, i) => row.map((v) => v * w[i]!)), 1e-5);
  });

  it('accepts [N] labels against [N, 1] logits and the reverse, keeping the logits shape', () => {
    const a = sigmoidCrossEntropy([1, 0, 1], [[0.3], [-1], [2]], { reduction: 'none' });
    expect(a.shape).toEqual([3, 1]);
    const b = sigmoidCrossEntropy([[1], [0], [1]], [0.3, -1, 2], { reduction: 'none' });
    expect(b.shape).toEqual([3]);
    expectClose(values(a), values(b), 0, 0);
    expectClose(values(b), reference([[1], [0], [1]], [[0.3], [-1], [2]]).flat(), 1e-5);
    expectClose(sigmoidCrossEntropy(tf.tensor1d([1, 0, 1], 'int32'), [0.3, -1, 2]).dataSync()[0]!, mean(values(b)), 1e-6);
  });

  it('leaks no tensors', () => {
    const z = tf.tensor(Z);
    expect(leakedTensors(() => sigmoidCrossEntropy(T, z, { posWeight: [1, 2], labelSmoothing: 0.1, weights: [1, 2, 3] }))).toBe(0);
    expect(leakedTensors(() => tf.grad((x: tf.Tensor) => sigmoidCrossEntropy(T, x, { posWeight: 2 }))(z))).toBe(0);
    z.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => sigmoidCrossEntropy([1, 0, 1], [1, 2])).toThrow('sigmoidCrossEntropy: expected `yTrue` and `logits` to have the same shape, got [3] and [2]');
    expect(() => sigmoidCrossEntropy([[[1]]], [[[1]]])).toThrow('sigmoidCrossEntropy: expected `logits` to have rank 1 or 2, got shape [1,1,1]');
    expect(() => sigmoidCrossEntropy([], [])).toThrow('sigmoidCrossEntropy: expected `logits` to hold at least one element, got shape [0]');
    expect(() => sigmoidCrossEntropy([1, 2], [1, 2])).toThrow('sigmoidCrossEntropy: expected every value of `yTrue` to lie in [0, 1], got 2 at flat index 1');
    expect(() => sigmoidCrossEntropy(T, Z, { posWeight: 0 })).toThrow('sigmoidCrossEntropy: expected `posWeight` to be a finite number > 0, got 0 (number)');
    expect(() => sigmoidCrossEntropy(T, Z, { posWeight: [1, 2, 3] })).toThrow('sigmoidCrossEntropy: expected `posWeight` to have one entry per column (2), got 3 entries');
    expect(() => sigmoidCrossEntropy(T, Z, { posWeight: [1, -2] })).toThrow('sigmoidCrossEntropy: expected `posWeight[1]` to be a finite number > 0, got -2 (number)');
    expect(() => sigmoidCrossEntropy(T, Z, { posWeight: 'big' as never })).toThrow('sigmoidCrossEntropy: expected `posWeight` to be a number or an array of numbers, one per column (2), got "big" (string)');
    expect(() => sigmoidCrossEntropy(T, Z, { labelSmoothing: 1.5 })).toThrow('sigmoidCrossEntropy: expected `labelSmoothing` to be a finite number >= 0 and <= 1, got 1.5 (number)');
    expect(() => sigmoidCrossEntropy(T, Z, { reduction: 'avg' as never })).toThrow("sigmoidCrossEntropy: expected `reduction` to be one of 'mean' | 'sum' | 'none', got \"avg\" (string)");
    expect(() => sigmoidCrossEntropy(T, Z, { pos_weight: 2 } as never)).toThrow('sigmoidCrossEntropy: expected each option to be one of posWeight, labelSmoothing, reduction, weights, got `pos_weight`');
    expect(() => sigmoidCrossEntropy(T, Z, { weights: [1, 2, 3, 4] })).toThrow("sigmoidCrossEntropy: expected `weights` to be per sample or broadcast to the loss's shape [3,2], got shape [4]");
    expect(() => sigmoidCrossEntropy('abc' as never, Z)).toThrow('sigmoidCrossEntropy: expected `yTrue` to be a Tensor, number or numeric array, got "abc" (string)');
  });
});
