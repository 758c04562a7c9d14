import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, normals, numericGradient, randomMatrix, rng, values } from '../../../test/helpers.js';
import { meanSquaredError } from './meanSquaredError.js';

// Float64 reference written from the formula, sharing nothing with the loss: per row, the mean of (ŷ − y)².
function reference(y: number[][], p: number[][]): number[] {
  return p.map((row, i) => row.reduce((s, v, d) => s + (v - (y[i]![d] as number)) ** 2, 0) / row.length);
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const column = (xs: number[]) => xs.map((v) => [v]);

// Keras' documented example (tf.keras.losses.MeanSquaredError).
const Y = [[0, 1], [0, 0]];
const P = [[1, 1], [1, 0]];

describe('meanSquaredError(yTrue, yPred, options)', () => {
  it("reproduces Keras' documented values", () => {
    expectClose(meanSquaredError(Y, P).dataSync()[0]!, 0.5, 1e-7);
    expectClose(meanSquaredError(Y, P, { reduction: 'sum' }).dataSync()[0]!, 1.0, 1e-7);
    expectClose(values(meanSquaredError(Y, P, { reduction: 'none' })), [0.5, 0.5], 1e-7);
    // Keras divides the weighted sum by the batch size (0.25 with weights [0.7, 0.3]); this library's
    // weighted mean divides by the sum of the weights, and its weighted 'sum' over N is Keras' value.
    expectClose(meanSquaredError(Y, P, { weights: [0.7, 0.3], reduction: 'sum' }).dataSync()[0]! / 2, 0.25, 1e-6);
    expectClose(meanSquaredError(Y, P, { weights: [0.7, 0.3] }).dataSync()[0]!, 0.5, 1e-6);
  });

  it('matches the float64 reference on random [N] and [N, D] inputs', () => {
    const r = rng(101);
    const y = randomMatrix(r, 64, 3, 3);
    const p = randomMatrix(r, 64, 3, 3);
    expectClose(values(meanSquaredError(y, p, { reduction: 'none' })), reference(y, p), 1e-5, 1e-6);
    const y1 = normals(r, 50).map((v) => 10 * v + 4);
    const p1 = normals(r, 50).map((v) => 10 * v);
    expectClose(values(meanSquaredError(y1, p1, { reduction: 'none' })), reference(column(y1), column(p1)), 1e-5, 1e-6);
    expectClose(meanSquaredError(y1, p1).dataSync()[0]!, mean(reference(column(y1), column(p1))), 1e-5);
  });

  it('equals tf.losses.meanSquaredError, which averages over every element', () => {
    const r = rng(102);
    const y = tf.tensor(randomMatrix(r, 20, 4, 2));
    const p = tf.tensor(randomMatrix(r, 20, 4, 2));
    expectClose(meanSquaredError(y, p).dataSync()[0]!, tf.losses.meanSquaredError(y, p).dataSync()[0]!, 1e-6);
  });

  it('has the gradient of the float64 reference (finite differences), 2(ŷ − y)/(N·D)', () => {
    const r = rng(103);
    const y = randomMatrix(r, 5, 3, 2);
    const p = randomMatrix(r, 5, 3, 2);
    const g = values(tf.grad((x: tf.Tensor) => meanSquaredError(y, x))(tf.tensor(p)));
    const f = (x: number[]) => mean(reference(y, [0, 1, 2, 3, 4].map((i) => x.slice(3 * i, 3 * i + 3))));
    expectClose(g, numericGradient(f, p.flat()), 1e-4, 1e-7);
    expectClose(g, p.flat().map((v, k) => (2 * (v - (y.flat()[k] as number))) / 15), 1e-5, 1e-7);
  });

  it('is zero at the target, symmetric in yTrue and yPred, unchanged by a shift of both, and scales as c² with both', () => {
    const r = rng(104);
    const y = normals(r, 30);
    const p = normals(r, 30);
    const base = values(meanSquaredError(y, p, { reduction: 'none' }));
    expectClose(values(meanSquaredError(y, y, { reduction: 'none' })), new Array(30).fill(0), 0, 0);
    expectClose(values(meanSquaredError(p, y, { reduction: 'none' })), base, 0, 0);
    expectClose(values(meanSquaredError(y.map((v) => v + 7.5), p.map((v) => v + 7.5), { reduction: 'none' })), base, 1e-5, 1e-5);
    expectClose(values(meanSquaredError(y.map((v) => 3 * v), p.map((v) => 3 * v), { reduction: 'none' })), base.map((v) => 9 * v), 1e-5, 1e-6);
  });

  it('stays finite, in value and gradient, at residuals of ±1e4', () => {
    const p = tf.tensor([1e4, -1e4, 0]);
    const y = [-1e4, 1e4, 0];
    const value = meanSquaredError(y, p, { reduction: 'none' });
    expectFinite(value);
    expectClose(values(value), [4e8, 4e8, 0], 1e-6);
    const g = tf.grad((x: tf.Tensor) => meanSquaredError(y, x))(p);
    expectFinite(g);
    expectClose(values(g), [(2 * 2e4) / 3, (-2 * 2e4) / 3, 0], 1e-6);
  });

  it("reduces by 'mean', 'sum' and 'none' consistently, with weights as sum(w·l)/sum(w)", () => {
    const y = [1, 2, 3, 4];
    const p = [1.5, 0, 3, 7];
    const none = [0.25, 4, 0, 9];
    expectClose(values(meanSquaredError(y, p, { reduction: 'none' })), none, 1e-7);
    expectClose(meanSquaredError(y, p).dataSync()[0]!, mean(none), 1e-7);
    expectClose(meanSquaredError(y, p, { reduction: 'sum' }).dataSync()[0]!, 13.25, 1e-7);
    const w = [1, 2, 0.5, 0];
    expectClose(meanSquaredError(y, p, { weights: w }).dataSync()[0]!, (0.25 + 8) / 3.5, 1e-6);
    expectClose(meanSquaredError(y, p, { weights: [1, 1, 1, 1] }).dataSync()[0]!, mean(none), 1e-7);
    expectClose(values(meanSquaredError(y, p, { weights: w, reduction: 'none' })), [0.25, 8, 0, 0], 1e-7);
    expectClose(meanSquaredError(y, p, { weights: w, reduction: 'sum' }).dataSync()[0]!, 8.25, 1e-7);
  });

  it('gives one value per sample for [N, D] (the mean over the last axis), and takes [N] against [N, 1]', () => {
    const none = meanSquaredError([[0, 0, 0], [1, 1, 1]], [[1, 2, 3], [1, 1, 4]], { reduction: 'none' });
    expect(none.shape).toEqual([2]);
    expectClose(values(none), [14 / 3, 3], 1e-6);
    const a = meanSquaredError([1, 2, 3], [[1.5], [2], [2]], { reduction: 'none' });
    expect(a.shape).toEqual([3]);
    expectClose(values(a), [0.25, 0, 1], 1e-7);
    expectClose(values(meanSquaredError([[1], [2], [3]], [1.5, 2, 2], { reduction: 'none' })), [0.25, 0, 1], 1e-7);
    expectClose(meanSquaredError(tf.tensor1d([1, 2, 3], 'int32'), [1.5, 2, 2]).dataSync()[0]!, 1.25 / 3, 1e-7);
  });

  it('leaks no tensors', () => {
    const p = tf.tensor([[1, 2], [3, 4]]);
    expect(leakedTensors(() => meanSquaredError([[0, 1], [2, 2]], p, { weights: [1, 2] }))).toBe(0);
    expect(leakedTensors(() => tf.grad((x: tf.Tensor) => meanSquaredError([[0, 1], [2, 2]], x))(p))).toBe(0);
    expect(leakedTensors(() => meanSquaredError([1, 2], [[1], [2]], { reduction: 'none' }))).toBe(0);
    p.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => meanSquaredError([1, 2, 3], [1, 2, 3, 4])).toThrow('meanSquaredError: expected `yTrue` and `yPred` to have the same shape, got [3] and [4]');
    expect(() => meanSquaredError([[1, 2]], [[1, 2, 3]])).toThrow('meanSquaredError: expected `yTrue` and `yPred` to have the same shape, got [1,2] and [1,3]');
    expect(() => meanSquaredError([1, 2], [[1, 2]])).toThrow('meanSquaredError: expected `yTrue` and `yPred` to have the same shape, got [2] and [1,2]');
    expect(() => meanSquaredError([[[1]]], [[[1]]])).toThrow('meanSquaredError: expected `yPred` to have rank 1 or 2, got shape [1,1,1]');
    expect(() => meanSquaredError([], [])).toThrow('meanSquaredError: expected `yPred` to hold at least one element, got shape [0]');
    expect(() => meanSquaredError('abc' as never, [1])).toThrow('meanSquaredError: expected `yTrue` to be a Tensor, number or numeric array, got "abc" (string)');
    expect(() => meanSquaredError([1, 2], [1, 2], { delta: 1 } as never)).toThrow('meanSquaredError: expected each option to be one of reduction, weights, got `delta`');
    expect(() => meanSquaredError([1, 2], [1, 2], { reduction: 'avg' as never })).toThrow("meanSquaredError: expected `reduction` to be one of 'mean' | 'sum' | 'none', got \"avg\" (string)");
    expect(() => meanSquaredError([1, 2, 3], [1, 2, 3], { weights: [1, 2] })).toThrow("meanSquaredError: expected `weights` to be per sample or broadcast to the loss's shape [3], got shape [2]");
  });
});
