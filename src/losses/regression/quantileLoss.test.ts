import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, normals, numericGradient, randomMatrix, rng, values } from '../../../test/helpers.js';
import { quantileLoss } from './quantileLoss.js';

// Float64 reference from the pinball definition, sharing nothing with the loss: e = y − ŷ, ρ = τe if e >= 0 else (τ − 1)e.
const rho = (e: number, tau: number) => (e >= 0 ? tau * e : (tau - 1) * e);
function reference(y: number[][], p: number[][], tau = 0.5): number[] {
  return p.map((row, i) => row.reduce((s, v, d) => s + rho((y[i]![d] as number) - v, tau), 0) / row.length);
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const column = (xs: number[]) => xs.map((v) => [v]);

describe('quantileLoss(yTrue, yPred, options)', () => {
  it("reproduces TensorFlow Addons' documented pinball_loss value (τ = 0.1: 0.475)", () => {
    // e = [−1, −1, 0, 1]: 0.9, 0.9, 0, 0.1.
    expectClose(quantileLoss([0, 0, 1, 1], [1, 1, 1, 0], { quantile: 0.1 }).dataSync()[0]!, 0.475, 1e-6);
    expectClose(values(quantileLoss([0, 0, 1, 1], [1, 1, 1, 0], { quantile: 0.1, reduction: 'none' })), [0.9, 0.9, 0, 0.1], 1e-6);
    // As a single sample of 4 outputs, the per-sample mean over the last axis is the same value.
    expectClose(values(quantileLoss([[0, 0, 1, 1]], [[1, 1, 1, 0]], { quantile: 0.1, reduction: 'none' })), [0.475], 1e-6);
  });

  it('matches the float64 reference on random [N] and [N, D] inputs for several quantiles', () => {
    const r = rng(501);
    const y = randomMatrix(r, 64, 3, 2);
    const p = randomMatrix(r, 64, 3, 2);
    const y1 = normals(r, 50).map((v) => 5 * v);
    const p1 = normals(r, 50).map((v) => 5 * v);
    for (const quantile of [0, 0.05, 0.25, 0.5, 0.9, 1]) {
      expectClose(values(quantileLoss(y, p, { quantile, reduction: 'none' })), reference(y, p, quantile), 1e-5, 1e-6);
      expectClose(values(quantileLoss(y1, p1, { quantile, reduction: 'none' })), reference(column(y1), column(p1), quantile), 1e-5, 1e-6);
    }
  });

  it('is half the absolute error at τ = 0.5, and mirrors τ ↔ 1 − τ when target and prediction swap', () => {
    const r = rng(502);
    const y = normals(r, 40);
    const p = normals(r, 40);
    expectClose(values(quantileLoss(y, p, { reduction: 'none' })), y.map((v, i) => 0.5 * Math.abs(v - p[i]!)), 1e-6, 1e-7);
    expectClose(values(quantileLoss(y, p, { quantile: 0.8, reduction: 'none' })), values(quantileLoss(p, y, { quantile: 0.2, reduction: 'none' })), 1e-6, 1e-7);
  });

  it('is minimised, for a constant prediction, at the τ-quantile of the targets', () => {
    const r = rng(503);
    const y = normals(r, 99).sort((a, b) => a - b);
    // With 99 sorted targets, the subgradient in c of Σ ρ_τ(y − c) changes sign at the k-th order statistic, k = ⌈99τ⌉.
    for (const [quantile, k] of [[0.1, 10], [0.5, 50], [0.9, 90]] as const) {
      const q = y[k - 1]!;
      const slope = (c: number) => values(tf.grad((x: tf.Tensor) => quantileLoss(y, tf.broadcastTo(x, [99]), { quantile, reduction: 'sum' }))(tf.tensor1d([c])))[0]!;
      expect(slope(q - 1e-4)).toBeLessThan(0);
      expect(slope(q + 1e-4)).toBeGreaterThan(0);
      const at = (c: number) => quantileLoss(y, new Array(99).fill(c), { quantile }).dataSync()[0]!;
      expect(at(q)).toBeLessThan(at(y[k - 3]!));
      expect(at(q)).toBeLessThan(at(y[k + 1]!));
    }
  });

  it('has the gradient of the float64 reference (finite differences) away from the kink: −τ below the target, 1 − τ above', () => {
    const r = rng(504);
    const y = randomMatrix(r, 5, 3, 2);
    const p = randomMatrix(r, 5, 3, 2);
    const quantile = 0.3;
    expect(p.flat().every((v, k) => Math.abs(v - (y.flat()[k] as number)) > 1e-3)).toBe(true);
    const g = values(tf.grad((x: tf.Tensor) => quantileLoss(y, x, { quantile }))(tf.tensor(p)));
    const f = (x: number[]) => mean(reference(y, [0, 1, 2, 3, 4].map((i) => x.slice(3 * i, 3 * i + 3)), quantile));
    expectClose(g, numericGradient(f, p.flat()), 1e-4, 1e-7);
    expectClose(g, p.flat().map((v, k) => (v < (y.flat()[k] as number) ? -quantile : 1 - quantile) / 15), 1e-5, 1e-7);
    // At e = 0 the gradient is taken as 0.
    expectClose(values(tf.grad((x: tf.Tensor) => quantileLoss([1, 2], x, { quantile }))(tf.tensor([1, 2]))), [0, 0], 0, 0);
  });

  it('is zero at the target and unchanged by a shift of both target and prediction', () => {
    const r = rng(505);
    const y = normals(r, 30).map((v) => 2 * v);
    const p = normals(r, 30).map((v) => 2 * v);
    const base = values(quantileLoss(y, p, { quantile: 0.7, reduction: 'none' }));
    expectClose(values(quantileLoss(y, y, { quantile: 0.7, reduction: 'none' })), new Array(30).fill(0), 0, 0);
    expectClose(values(quantileLoss(y.map((v) => v + 9.5), p.map((v) => v + 9.5), { quantile: 0.7, reduction: 'none' })), base, 1e-5, 1e-5);
  });

  it('stays finite, in value and gradient, at residuals of ±1e4', () => {
    const p = tf.tensor([1e4, -1e4, 0]);
    const y = [-1e4, 1e4, 0];
    const value = quantileLoss(y, p, { quantile: 0.25, reduction: 'none' });
    expectFinite(value);
    expectClose(values(value), [0.75 * 2e4, 0.25 * 2e4, 0], 1e-6);
    const g = tf.grad((x: tf.Tensor) => quantileLoss(y, x, { quantile: 0.25, reduction: 'sum' }))(p);
    expectFinite(g);
    expectClose(values(g), [0.75, -0.25, 0], 1e-6, 0);
  });

  it("reduces by 'mean', 'sum' and 'none' consistently, with weights as sum(w·l)/sum(w)", () => {
    const y = [1, 2, 3, 4];
    const p = [1.5, 0, 3, 7];
    // τ = 0.2, e = y − ŷ = [−0.5, 2, 0, −3]: 0.4, 0.4, 0, 2.4.
    const none = [0.4, 0.4, 0, 2.4];
    expectClose(values(quantileLoss(y, p, { quantile: 0.2, reduction: 'none' })), none, 1e-6);
    expectClose(quantileLoss(y, p, { quantile: 0.2 }).dataSync()[0]!, mean(none), 1e-6);
    expectClose(quantileLoss(y, p, { quantile: 0.2, reduction: 'sum' }).dataSync()[0]!, 3.2, 1e-6);
    const w = [1, 2, 0.5, 0];
    expectClose(quantileLoss(y, p, { quantile: 0.2, weights: w }).dataSync()[0]!, (0.4 + 0.8) / 3.5, 1e-6);
    expectClose(quantileLoss(y, p, { quantile: 0.2, weights: [1, 1, 1, 1] }).dataSync()[0]!, mean(none), 1e-6);
    expectClose(values(quantileLoss(y, p, { quantile: 0.2, weights: w, reduction: 'none' })), [0.4, 0.8, 0, 0], 1e-6);
    expectClose(quantileLoss(y, p, { quantile: 0.5 }).dataSync()[0]!, quantileLoss(y, p).dataSync()[0]!, 0, 0);
  });

  it('gives one value per sample for [N, D] (the mean over the last axis), and takes [N] against [N, 1]', () => {
    const none = quantileLoss([[0, 0], [1, 1]], [[1, -1], [1, 3]], { quantile: 0.25, reduction: 'none' });
    expect(none.shape).toEqual([2]);
    expectClose(values(none), [(0.75 + 0.25) / 2, 1.5 / 2], 1e-6);
    const a = quantileLoss([1, 2], [[2], [2]], { reduction: 'none' });
    expect(a.shape).toEqual([2]);
    expectClose(values(a), [0.5, 0], 1e-6);
  });

  it('leaks no tensors', () => {
    const p = tf.tensor([[1, 2], [3, 4]]);
    expect(leakedTensors(() => quantileLoss([[0, 1], [2, 2]], p, { quantile: 0.9, weights: [1, 2] }))).toBe(0);
    expect(leakedTensors(() => tf.grad((x: tf.Tensor) => quantileLoss([[0, 1], [2, 2]], x))(p))).toBe(0);
    p.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => quantileLoss([1, 2, 3], [1, 2, 3, 4])).toThrow('quantileLoss: expected `yTrue` and `yPred` to have the same shape, got [3] and [4]');
    expect(() => quantileLoss([[[1]]], [[[1]]])).toThrow('quantileLoss: expected `yPred` to have rank 1 or 2, got shape [1,1,1]');
    expect(() => quantileLoss([], [])).toThrow('quantileLoss: expected `yPred` to hold at least one element, got shape [0]');
    expect(() => quantileLoss([1, 2], [1, 2], { quantile: 1.5 })).toThrow('quantileLoss: expected `quantile` to be a finite number >= 0 and <= 1, got 1.5 (number)');
    expect(() => quantileLoss([1, 2], [1, 2], { quantile: -0.1 })).toThrow('quantileLoss: expected `quantile` to be a finite number >= 0 and <= 1, got -0.1 (number)');
    expect(() => quantileLoss([1, 2], [1, 2], { quantile: Number.NaN })).toThrow('quantileLoss: expected `quantile` to be a finite number >= 0 and <= 1, got NaN (number)');
    expect(() => quantileLoss([1, 2], [1, 2], { tau: 0.5 } as never)).toThrow('quantileLoss: expected each option to be one of quantile, reduction, weights, got `tau`');
    expect(() => quantileLoss([1, 2], [1, 2], { reduction: 'avg' as never })).toThrow("quantileLoss: expected `reduction` to be one of 'mean' | 'sum' | 'none', got \"avg\" (string)");
    expect(() => quantileLoss([1, 2, 3], [1, 2, 3], { weights: [1, 2] })).toThrow("quantileLoss: expected `weights` to be per sample or broadcast to the loss's shape [3], got shape [2]");
  });
});
