import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomMatrix, rng, values } from '../../../test/helpers.js';
import { hingeLoss } from './hingeLoss.js';

// Float64 reference written from the formula, sharing nothing with the loss: y = 2t − 1, ℓ = max(0, m − y z).
const reference = (t: number[], z: number[], margin = 1) => z.map((zi, i) => Math.max(0, margin - (2 * t[i]! - 1) * zi));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const labels01 = (r: () => number, n: number) => Array.from({ length: n }, () => (r() < 0.5 ? 1 : 0));

const Z = [0.3, -2, 1.5, -0.4];
const T = [1, 0, 0, 1];

describe('hingeLoss(yTrue, logits, options)', () => {
  it('reproduces hand-computed values', () => {
    // y = [+1, −1, −1, +1]: max(0, 1 − 0.3) = 0.7, max(0, 1 − 2) = 0, max(0, 1 + 1.5) = 2.5, max(0, 1 + 0.4) = 1.4.
    expectClose(values(hingeLoss(T, Z, { reduction: 'none' })), [0.7, 0, 2.5, 1.4], 1e-6);
    expectClose(hingeLoss([1, 0], [0.3, -2]).dataSync()[0]!, 0.35, 1e-6);
  });

  it('matches the float64 reference on random inputs for several margins, hard and soft labels', () => {
    const r = rng(41);
    const z = randomMatrix(r, 1, 200, 2)[0]!;
    const hard = labels01(r, 200);
    const soft = hard.map(() => r());
    for (const margin of [0, 0.5, 1, 2]) {
      expectClose(values(hingeLoss(hard, z, { margin, reduction: 'none' })), reference(hard, z, margin), 1e-5, 1e-6);
      expectClose(values(hingeLoss(soft, z, { margin, reduction: 'none' })), reference(soft, z, margin), 1e-5, 1e-6);
    }
  });

  it('equals tf.losses.hingeLoss ({0, 1} labels mapped to ±1), per element and reduced, for [N, K] inputs', () => {
    const r = rng(42);
    const z = tf.tensor(randomMatrix(r, 12, 3, 2));
    const t = tf.tensor(Array.from({ length: 12 }, () => labels01(r, 3)));
    expectClose(values(hingeLoss(t, z, { reduction: 'none' })), values(tf.losses.hingeLoss(t, z, undefined, tf.Reduction.NONE)), 1e-6);
    expectClose(hingeLoss(t, z).dataSync()[0]!, tf.losses.hingeLoss(t, z).dataSync()[0]!, 1e-6);
  });

  it('is zero beyond the margin, symmetric under (t, z) → (1 − t, −z), and scales with the margin', () => {
    expectClose(values(hingeLoss([1, 0, 1], [1, -1, 5], { reduction: 'none' })), [0, 0, 0], 0, 0);
    const r = rng(43);
    const z = randomMatrix(r, 1, 50, 2)[0]!;
    const t = labels01(r, 50);
    expectClose(values(hingeLoss(t.map((v) => 1 - v), z.map((v) => -v), { reduction: 'none' })), values(hingeLoss(t, z, { reduction: 'none' })), 0, 0);
    // max(0, c·m − y·c·z) = c·max(0, m − y z).
    expectClose(values(hingeLoss(t, z.map((v) => 3 * v), { margin: 3, reduction: 'none' })), values(hingeLoss(t, z, { reduction: 'none' })).map((v) => 3 * v), 1e-5, 1e-6);
  });

  it('has the gradient of the float64 reference (finite differences) away from the kink', () => {
    const r = rng(44);
    const z = randomMatrix(r, 1, 40, 2)[0]!.filter((v) => Math.abs(Math.abs(v) - 1) > 1e-2).slice(0, 24);
    const t = labels01(r, z.length);
    const g = values(tf.grad((x: tf.Tensor) => hingeLoss(t, x))(tf.tensor(z)));
    expectClose(g, numericGradient((x) => mean(reference(t, x)), z), 1e-4, 1e-7);
    expect(g.some((v) => v === 0) && g.some((v) => v !== 0)).toBe(true);
  });

  it('stays finite, in value and gradient, at logits of ±1e4', () => {
    const z = tf.tensor([1e4, -1e4, 1e4, -1e4]);
    const t = [1, 0, 0, 1];
    expectClose(values(hingeLoss(t, z, { reduction: 'none' })), [0, 0, 1e4 + 1, 1e4 + 1], 1e-6);
    const g = tf.grad((x: tf.Tensor) => hingeLoss(t, x))(z);
    expectFinite(g);
    expectClose(values(g), [0, 0, 0.25, -0.25], 1e-6, 0);
  });

  it("reduces by 'mean', 'sum' and 'none' consistently, with weights as sum(w·l)/sum(w)", () => {
    const none = reference(T, Z);
    expectClose(hingeLoss(T, Z).dataSync()[0]!, mean(none), 1e-6);
    expectClose(hingeLoss(T, Z, { reduction: 'sum' }).dataSync()[0]!, 4.6, 1e-6);
    const w = [1, 2, 0.5, 0];
    expectClose(hingeLoss(T, Z, { weights: w }).dataSync()[0]!, (0.7 + 0 + 1.25 + 0) / 3.5, 1e-6);
    expectClose(hingeLoss(T, Z, { weights: [1, 1, 1, 1] }).dataSync()[0]!, mean(none), 1e-6);
    expectClose(values(hingeLoss(T, Z, { weights: w, reduction: 'none' })), [0.7, 0, 1.25, 0], 1e-6);
    expectClose(hingeLoss(T, Z, { margin: 1 }).dataSync()[0]!, hingeLoss(T, Z).dataSync()[0]!, 0, 0);
    const a = hingeLoss([1, 0], [[0.3], [-2]], { reduction: 'none' });
    expect(a.shape).toEqual([2, 1]);
  });

  it('leaks no tensors', () => {
    const z = tf.tensor(Z);
    expect(leakedTensors(() => hingeLoss(T, z, { margin: 0.5, weights: [1, 2, 3, 4] }))).toBe(0);
    expect(leakedTensors(() => tf.grad((x: tf.Tensor) => hingeLoss(T, x))(z))).toBe(0);
    z.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => hingeLoss([1, 0, 1], [1, 2])).toThrow('hingeLoss: expected `yTrue` and `logits` to have the same shape, got [3] and [2]');
    expect(() => hingeLoss([-1, 1], [1, 2])).toThrow('hingeLoss: expected every value of `yTrue` to lie in [0, 1], got -1 at flat index 0');
    expect(() => hingeLoss([[[1]]], [[[1]]])).toThrow('hingeLoss: expected `logits` to have rank 1 or 2, got shape [1,1,1]');
    expect(() => hingeLoss(T, Z, { margin: -1 })).toThrow('hingeLoss: expected `margin` to be a finite number >= 0, got -1 (number)');
    expect(() => hingeLoss(T, Z, { margin: Number.POSITIVE_INFINITY })).toThrow('hingeLoss: expected `margin` to be a finite number >= 0, got Infinity (number)');
    expect(() => hingeLoss(T, Z, { delta: 1 } as never)).toThrow('hingeLoss: expected each option to be one of margin, reduction, weights, got `delta`');
    expect(() => hingeLoss(T, Z, { reduction: 'avg' as never })).toThrow("hingeLoss: expected `reduction` to be one of 'mean' | 'sum' | 'none', got \"avg\" (string)");
    expect(() => hingeLoss(T, Z, { weights: [1, 2] })).toThrow("hingeLoss: expected `weights` to be per sample or broadcast to the loss's shape [4], got shape [2]");
  });
});
