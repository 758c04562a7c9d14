import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, normals, numericGradient, randomMatrix, rng, values } from '../../../test/helpers.js';
import { logCoshLoss } from './logCoshLoss.js';

// Float64 reference from the definition, sharing nothing with the loss: log((eˣ + e⁻ˣ)/2) via Math.cosh
// (finite in float64 for the residuals used here, |x| < 700).
function reference(y: number[][], p: number[][]): number[] {
  return p.map((row, i) => row.reduce((s, v, d) => s + Math.log(Math.cosh(v - (y[i]![d] as number))), 0) / row.length);
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const column = (xs: number[]) => xs.map((v) => [v]);
const zeros = (n: number) => new Array<number>(n).fill(0);

// Keras' documented example (tf.keras.losses.LogCosh).
const Y = [[0, 1], [0, 0]];
const P = [[1, 1], [0, 0]];
const LOG_COSH_1 = Math.log(Math.cosh(1)); // 0.4337808304830272

describe('logCoshLoss(yTrue, yPred, options)', () => {
  it("reproduces Keras' documented values (0.108, 0.217, [0.217, 0])", () => {
    expectClose(logCoshLoss(Y, P).dataSync()[0]!, LOG_COSH_1 / 4, 1e-6);
    expectClose(logCoshLoss(Y, P).dataSync()[0]!, 0.108, 0, 5e-4);
    expectClose(logCoshLoss(Y, P, { reduction: 'sum' }).dataSync()[0]!, 0.217, 0, 5e-4);
    expectClose(values(logCoshLoss(Y, P, { reduction: 'none' })), [LOG_COSH_1 / 2, 0], 1e-6);
    // Keras divides the weighted sum by the batch size (0.087 with weights [0.8, 0.2]); the weighted mean here divides by sum(w).
    expectClose(logCoshLoss(Y, P, { weights: [0.8, 0.2], reduction: 'sum' }).dataSync()[0]! / 2, 0.087, 0, 5e-4);
    expectClose(logCoshLoss(Y, P, { weights: [0.8, 0.2] }).dataSync()[0]!, (0.8 * LOG_COSH_1) / 2, 1e-6);
  });

  it('matches the float64 reference on random [N] and [N, D] inputs', () => {
    const r = rng(401);
    const y = randomMatrix(r, 64, 3, 3);
    const p = randomMatrix(r, 64, 3, 3);
    expectClose(values(logCoshLoss(y, p, { reduction: 'none' })), reference(y, p), 1e-5, 1e-6);
    const y1 = normals(r, 50).map((v) => 10 * v + 4);
    const p1 = normals(r, 50).map((v) => 10 * v);
    expectClose(values(logCoshLoss(y1, p1, { reduction: 'none' })), reference(column(y1), column(p1)), 1e-5, 1e-6);
    expectClose(logCoshLoss(y1, p1).dataSync()[0]!, mean(reference(column(y1), column(p1))), 1e-5);
  });

  it('behaves as x²/2 − x⁴/12 for small |x| and as |x| − log 2 for large |x|', () => {
    // Small residuals: the float32 value is accurate to about 1e-7 absolute (the terms near log 2 cancel).
    const small = [0.3, -0.1, 0.03, -0.01, 1e-3, 0];
    expectClose(values(logCoshLoss(zeros(6), small, { reduction: 'none' })), small.map((x) => x ** 2 / 2 - x ** 4 / 12), 1e-3, 2e-7);
    // Large residuals: e^(−2|x|) is below float32 resolution beyond |x| ≈ 9.
    const large = [20, -35, 100, -1000, 1e4];
    expectClose(values(logCoshLoss(zeros(5), large, { reduction: 'none' })), large.map((x) => Math.abs(x) - Math.LN2), 1e-6, 1e-5);
    // In between it lies below both asymptotes and above |x| − log 2.
    const mid = [0.5, 1, 2, 4, -3];
    const v = values(logCoshLoss(zeros(5), mid, { reduction: 'none' }));
    mid.forEach((x, i) => {
      expect(v[i]!).toBeLessThan(Math.min(x * x / 2, Math.abs(x)));
      expect(v[i]!).toBeGreaterThan(Math.abs(x) - Math.LN2);
    });
  });

  it('has the gradient tanh(ŷ − y)/(N·D), which is that of the float64 reference (finite differences)', () => {
    const r = rng(403);
    const y = randomMatrix(r, 5, 3, 2);
    const p = randomMatrix(r, 5, 3, 2);
    const g = values(tf.grad((x: tf.Tensor) => logCoshLoss(y, x))(tf.tensor(p)));
    const f = (x: number[]) => mean(reference(y, [0, 1, 2, 3, 4].map((i) => x.slice(3 * i, 3 * i + 3))));
    expectClose(g, numericGradient(f, p.flat()), 1e-4, 1e-7);
    expectClose(g, p.flat().map((v, k) => Math.tanh(v - (y.flat()[k] as number)) / 15), 1e-5, 1e-7);
  });

  it('is zero at the target, symmetric in yTrue and yPred, and unchanged by a shift of both', () => {
    const r = rng(404);
    const y = normals(r, 30).map((v) => 2 * v);
    const p = normals(r, 30).map((v) => 2 * v);
    const base = values(logCoshLoss(y, p, { reduction: 'none' }));
    expectClose(values(logCoshLoss(y, y, { reduction: 'none' })), zeros(30), 0, 0);
    expectClose(values(logCoshLoss(p, y, { reduction: 'none' })), base, 0, 0);
    expectClose(values(logCoshLoss(y.map((v) => v + 6.25), p.map((v) => v + 6.25), { reduction: 'none' })), base, 1e-5, 1e-5);
  });

  it('stays finite, in value and gradient, at residuals of ±1e4 (where cosh overflows) and at zero residual', () => {
    const p = tf.tensor([1e4, -1e4, 100, 0]);
    const y = [-1e4, 1e4, 0, 0];
    const value = logCoshLoss(y, p, { reduction: 'none' });
    expectFinite(value);
    expectClose(values(value), [2e4 - Math.LN2, 2e4 - Math.LN2, 100 - Math.LN2, 0], 1e-6);
    const g = tf.grad((x: tf.Tensor) => logCoshLoss(y, x, { reduction: 'sum' }))(p);
    expectFinite(g);
    expectClose(values(g), [1, -1, 1, 0], 1e-6, 0);
  });

  it("reduces by 'mean', 'sum' and 'none' consistently, with weights as sum(w·l)/sum(w)", () => {
    const y = [1, 2, 3, 4];
    const p = [1.5, 0, 3, 7];
    const none = [0.5, 2, 0, 3].map((x) => Math.log(Math.cosh(x)));
    expectClose(values(logCoshLoss(y, p, { reduction: 'none' })), none, 1e-6);
    expectClose(logCoshLoss(y, p).dataSync()[0]!, mean(none), 1e-6);
    expectClose(logCoshLoss(y, p, { reduction: 'sum' }).dataSync()[0]!, none.reduce((a, b) => a + b, 0), 1e-6);
    const w = [1, 2, 0.5, 0];
    expectClose(logCoshLoss(y, p, { weights: w }).dataSync()[0]!, (none[0]! + 2 * none[1]!) / 3.5, 1e-6);
    expectClose(logCoshLoss(y, p, { weights: [1, 1, 1, 1] }).dataSync()[0]!, mean(none), 1e-6);
    expectClose(values(logCoshLoss(y, p, { weights: w, reduction: 'none' })), [none[0]!, 2 * none[1]!, 0, 0], 1e-6);
  });

  it('gives one value per sample for [N, D] (the mean over the last axis), and takes [N] against [N, 1]', () => {
    const none = logCoshLoss([[0, 0], [1, 1]], [[1, -1], [1, 3]], { reduction: 'none' });
    expect(none.shape).toEqual([2]);
    expectClose(values(none), [LOG_COSH_1, Math.log(Math.cosh(2)) / 2], 1e-6);
    const a = logCoshLoss([1, 2], [[2], [2]], { reduction: 'none' });
    expect(a.shape).toEqual([2]);
    expectClose(values(a), [LOG_COSH_1, 0], 1e-6);
  });

  it('leaks no tensors', () => {
    const p = tf.tensor([[1, 2], [3, 4]]);
    expect(leakedTensors(() => logCoshLoss([[0, 1], [2, 2]], p, { weights: [1, 2] }))).toBe(0);
    expect(leakedTensors(() => tf.grad((x: tf.Tensor) => logCoshLoss([[0, 1], [2, 2]], x))(p))).toBe(0);
    p.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => logCoshLoss([1, 2, 3], [1, 2, 3, 4])).toThrow('logCoshLoss: expected `yTrue` and `yPred` to have the same shape, got [3] and [4]');
    expect(() => logCoshLoss([[1, 2], [3, 4]], [1, 2, 3, 4])).toThrow('logCoshLoss: expected `yTrue` and `yPred` to have the same shape, got [2,2] and [4]');
    expect(() => logCoshLoss([[[1]]], [[[1]]])).toThrow('logCoshLoss: expected `yPred` to have rank 1 or 2, got shape [1,1,1]');
    expect(() => logCoshLoss([], [])).toThrow('logCoshLoss: expected `yPred` to hold at least one element, got shape [0]');
    expect(() => logCoshLoss([1, 2], [1, 2], { delta: 1 } as never)).toThrow('logCoshLoss: expected each option to be one of reduction, weights, got `delta`');
    expect(() => logCoshLoss([1, 2], [1, 2], { reduction: 'avg' as never })).toThrow("logCoshLoss: expected `reduction` to be one of 'mean' | 'sum' | 'none', got \"avg\" (string)");
    expect(() => logCoshLoss([1, 2, 3], [1, 2, 3], { weights: [1, 2] })).toThrow("logCoshLoss: expected `weights` to be per sample or broadcast to the loss's shape [3], got shape [2]");
    expect(() => logCoshLoss([1, 2], [1, 2], null as never)).toThrow('logCoshLoss: expected `options` to be an object, got null (null)');
  });
});
