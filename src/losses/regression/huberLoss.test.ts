import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, normals, numericGradient, randomMatrix, rng, values } from '../../../test/helpers.js';
import { huberLoss } from './huberLoss.js';

// Float64 reference written from the piecewise definition, sharing nothing with the loss.
const h = (x: number, delta: number) => (Math.abs(x) <= delta ? 0.5 * x * x : delta * (Math.abs(x) - 0.5 * delta));
function reference(y: number[][], p: number[][], delta = 1): number[] {
  return p.map((row, i) => row.reduce((s, v, d) => s + h(v - (y[i]![d] as number), delta), 0) / row.length);
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const column = (xs: number[]) => xs.map((v) => [v]);

// Keras' documented example (tf.keras.losses.Huber, delta = 1).
const Y = [[0, 1], [0, 0]];
const P = [[0.6, 0.4], [0.4, 0.6]];

describe('huberLoss(yTrue, yPred, options)', () => {
  it("reproduces Keras' documented values", () => {
    expectClose(huberLoss(Y, P).dataSync()[0]!, 0.155, 1e-6);
    expectClose(huberLoss(Y, P, { reduction: 'sum' }).dataSync()[0]!, 0.31, 1e-6);
    expectClose(values(huberLoss(Y, P, { reduction: 'none' })), [0.18, 0.13], 1e-6);
    // Keras divides the weighted sum by the batch size (0.09 with weights [1, 0]); the weighted mean here divides by sum(w).
    expectClose(huberLoss(Y, P, { weights: [1, 0], reduction: 'sum' }).dataSync()[0]! / 2, 0.09, 1e-6);
    expectClose(huberLoss(Y, P, { weights: [1, 0] }).dataSync()[0]!, 0.18, 1e-6);
  });

  it("reproduces optax's huber_loss (delta = 1) on both sides of the band", () => {
    // optax.huber_loss(predictions, targets): 0.5·x² inside, δ·(|x| − ½δ) outside.
    const p = [0, 0.5, -0.5, 1, -1, 2, -3, 10];
    expectClose(values(huberLoss(new Array(8).fill(0), p, { reduction: 'none' })), [0, 0.125, 0.125, 0.5, 0.5, 1.5, 2.5, 9.5], 1e-7);
  });

  it('matches the float64 reference on random [N] and [N, D] inputs for several deltas', () => {
    const r = rng(301);
    const y = randomMatrix(r, 64, 3, 2);
    const p = randomMatrix(r, 64, 3, 2);
    const y1 = normals(r, 50).map((v) => 3 * v);
    const p1 = normals(r, 50).map((v) => 3 * v);
    for (const delta of [0.1, 0.5, 1, 2.5, 10]) {
      expectClose(values(huberLoss(y, p, { delta, reduction: 'none' })), reference(y, p, delta), 1e-5, 1e-6);
      expectClose(values(huberLoss(y1, p1, { delta, reduction: 'none' })), reference(column(y1), column(p1), delta), 1e-5, 1e-6);
    }
  });

  it('equals tf.losses.huberLoss (delta = 1 and 2.5), which averages over every element', () => {
    const r = rng(302);
    const y = tf.tensor(randomMatrix(r, 20, 4, 2));
    const p = tf.tensor(randomMatrix(r, 20, 4, 2));
    expectClose(huberLoss(y, p).dataSync()[0]!, tf.losses.huberLoss(y, p).dataSync()[0]!, 1e-6);
    expectClose(huberLoss(y, p, { delta: 2.5 }).dataSync()[0]!, tf.losses.huberLoss(y, p, undefined, 2.5).dataSync()[0]!, 1e-6);
  });

  it('has the gradient of the float64 reference (finite differences): x inside the band, δ·sign(x) outside', () => {
    const r = rng(303);
    const y = randomMatrix(r, 5, 3, 2);
    const p = randomMatrix(r, 5, 3, 2);
    const residuals = p.flat().map((v, k) => v - (y.flat()[k] as number));
    expect(residuals.some((x) => Math.abs(x) < 1) && residuals.some((x) => Math.abs(x) > 1)).toBe(true);
    const g = values(tf.grad((x: tf.Tensor) => huberLoss(y, x))(tf.tensor(p)));
    const f = (x: number[]) => mean(reference(y, [0, 1, 2, 3, 4].map((i) => x.slice(3 * i, 3 * i + 3))));
    expectClose(g, numericGradient(f, p.flat()), 1e-4, 1e-7);
    expectClose(g, residuals.map((x) => Math.max(-1, Math.min(1, x)) / 15), 1e-5, 1e-7);
  });

  it('joins its branches at |x| = δ: both give ½δ² with slope δ', () => {
    for (const delta of [0.5, 1, 2]) {
      const at = [delta, -delta, delta * (1 - 1e-3), delta * (1 + 1e-3)];
      const v = values(huberLoss(new Array(4).fill(0), at, { delta, reduction: 'none' }));
      // Quadratic branch at δ: ½δ²; linear branch at δ: δ(δ − ½δ) = ½δ².
      expectClose(v.slice(0, 2), [0.5 * delta * delta, 0.5 * delta * delta], 1e-6);
      expectClose(v[2]!, 0.5 * (delta * (1 - 1e-3)) ** 2, 1e-5);
      expectClose(v[3]!, delta * (delta * (1 + 1e-3) - 0.5 * delta), 1e-5);
      const g = values(tf.grad((x: tf.Tensor) => huberLoss(new Array(4).fill(0), x, { delta, reduction: 'sum' }))(tf.tensor(at)));
      expectClose(g, [delta, -delta, delta * (1 - 1e-3), delta], 1e-5);
    }
  });

  it('tends to ½·squared error for large δ and to δ·(absolute error − ½δ) for small δ', () => {
    const r = rng(304);
    const y = normals(r, 20);
    const p = normals(r, 20);
    const half = y.map((v, i) => 0.5 * (p[i]! - v) ** 2);
    expectClose(values(huberLoss(y, p, { delta: 1e3, reduction: 'none' })), half, 1e-5, 1e-7);
    const delta = 1e-3;
    const linear = y.map((v, i) => delta * (Math.abs(p[i]! - v) - 0.5 * delta));
    const small = y.map((v, i) => Math.abs(p[i]! - v) <= delta);
    expect(small.some(Boolean)).toBe(false);
    expectClose(values(huberLoss(y, p, { delta, reduction: 'none' })), linear, 1e-5, 1e-9);
  });

  it('is zero at the target, symmetric in yTrue and yPred, and unchanged by a shift of both', () => {
    const r = rng(305);
    const y = normals(r, 30).map((v) => 2 * v);
    const p = normals(r, 30).map((v) => 2 * v);
    const base = values(huberLoss(y, p, { reduction: 'none' }));
    expectClose(values(huberLoss(y, y, { reduction: 'none' })), new Array(30).fill(0), 0, 0);
    expectClose(values(huberLoss(p, y, { reduction: 'none' })), base, 0, 0);
    expectClose(values(huberLoss(y.map((v) => v - 12.5), p.map((v) => v - 12.5), { reduction: 'none' })), base, 1e-5, 1e-5);
  });

  it('stays finite, in value and gradient, at residuals of ±1e4 and at zero residual', () => {
    const p = tf.tensor([1e4, -1e4, 0]);
    const y = [-1e4, 1e4, 0];
    const value = huberLoss(y, p, { reduction: 'none' });
    expectFinite(value);
    expectClose(values(value), [2e4 - 0.5, 2e4 - 0.5, 0], 1e-6);
    const g = tf.grad((x: tf.Tensor) => huberLoss(y, x, { reduction: 'sum' }))(p);
    expectFinite(g);
    expectClose(values(g), [1, -1, 0], 1e-6, 0);
  });

  it("reduces by 'mean', 'sum' and 'none' consistently, with weights as sum(w·l)/sum(w)", () => {
    const y = [1, 2, 3, 4];
    const p = [1.5, 0, 3, 7];
    const none = [0.125, 1.5, 0, 2.5];
    expectClose(values(huberLoss(y, p, { reduction: 'none' })), none, 1e-7);
    expectClose(huberLoss(y, p).dataSync()[0]!, mean(none), 1e-7);
    expectClose(huberLoss(y, p, { reduction: 'sum' }).dataSync()[0]!, 4.125, 1e-7);
    const w = [1, 2, 0.5, 0];
    expectClose(huberLoss(y, p, { weights: w }).dataSync()[0]!, (0.125 + 3) / 3.5, 1e-6);
    expectClose(huberLoss(y, p, { weights: [1, 1, 1, 1] }).dataSync()[0]!, mean(none), 1e-7);
    expectClose(values(huberLoss(y, p, { weights: w, reduction: 'none' })), [0.125, 3, 0, 0], 1e-7);
    expectClose(huberLoss(y, p, { delta: 1 }).dataSync()[0]!, huberLoss(y, p).dataSync()[0]!, 0, 0);
  });

  it('gives one value per sample for [N, D] (the mean over the last axis), and takes [N] against [N, 1]', () => {
    const none = huberLoss([[0, 0, 0], [1, 1, 1]], [[0.5, 2, 3], [1, 1, 4]], { reduction: 'none' });
    expect(none.shape).toEqual([2]);
    expectClose(values(none), [(0.125 + 1.5 + 2.5) / 3, 2.5 / 3], 1e-6);
    const a = huberLoss([1, 2, 3], [[1.5], [2], [5]], { reduction: 'none' });
    expect(a.shape).toEqual([3]);
    expectClose(values(a), [0.125, 0, 1.5], 1e-7);
  });

  it('leaks no tensors', () => {
    const p = tf.tensor([[1, 2], [3, 4]]);
    expect(leakedTensors(() => huberLoss([[0, 1], [2, 2]], p, { delta: 0.5, weights: [1, 2] }))).toBe(0);
    expect(leakedTensors(() => tf.grad((x: tf.Tensor) => huberLoss([[0, 1], [2, 2]], x))(p))).toBe(0);
    p.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => huberLoss([1, 2, 3], [1, 2, 3, 4])).toThrow('huberLoss: expected `yTrue` and `yPred` to have the same shape, got [3] and [4]');
    expect(() => huberLoss([[[1]]], [[[1]]])).toThrow('huberLoss: expected `yPred` to have rank 1 or 2, got shape [1,1,1]');
    expect(() => huberLoss([], [])).toThrow('huberLoss: expected `yPred` to hold at least one element, got shape [0]');
    expect(() => huberLoss([1, 2], [1, 2], { delta: 0 })).toThrow('huberLoss: expected `delta` to be a finite number > 0, got 0 (number)');
    expect(() => huberLoss([1, 2], [1, 2], { delta: -1 })).toThrow('huberLoss: expected `delta` to be a finite number > 0, got -1 (number)');
    expect(() => huberLoss([1, 2], [1, 2], { delta: Number.POSITIVE_INFINITY })).toThrow('huberLoss: expected `delta` to be a finite number > 0, got Infinity (number)');
    expect(() => huberLoss([1, 2], [1, 2], { delta: '1' as never })).toThrow('huberLoss: expected `delta` to be a finite number > 0, got "1" (string)');
    expect(() => huberLoss([1, 2], [1, 2], { beta: 1 } as never)).toThrow('huberLoss: expected each option to be one of delta, reduction, weights, got `beta`');
    expect(() => huberLoss([1, 2], [1, 2], { reduction: 'avg' as never })).toThrow("huberLoss: expected `reduction` to be one of 'mean' | 'sum' | 'none', got \"avg\" (string)");
    expect(() => huberLoss([1, 2, 3], [1, 2, 3], { weights: [1, 2] })).toThrow("huberLoss: expected `weights` to be per sample or broadcast to the loss's shape [3], got shape [2]");
  });
});
