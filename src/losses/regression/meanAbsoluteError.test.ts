import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, normals, numericGradient, randomMatrix, rng, values } from '../../../test/helpers.js';
import { meanAbsoluteError } from './meanAbsoluteError.js';

// Float64 reference written from the formula, sharing nothing with the loss: per row, the mean of |ŷ − y|.
function reference(y: number[][], p: number[][]): number[] {
  return p.map((row, i) => row.reduce((s, v, d) => s + Math.abs(v - (y[i]![d] as number)), 0) / row.length);
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const column = (xs: number[]) => xs.map((v) => [v]);

// Keras' documented example (tf.keras.losses.MeanAbsoluteError).
const Y = [[0, 1], [0, 0]];
const P = [[1, 1], [1, 0]];

describe('meanAbsoluteError(yTrue, yPred, options)', () => {
  it("reproduces Keras' documented values", () => {
    expectClose(meanAbsoluteError(Y, P).dataSync()[0]!, 0.5, 1e-7);
    expectClose(meanAbsoluteError(Y, P, { reduction: 'sum' }).dataSync()[0]!, 1.0, 1e-7);
    expectClose(values(meanAbsoluteError(Y, P, { reduction: 'none' })), [0.5, 0.5], 1e-7);
    // Keras' weighted value (0.25 with weights [0.7, 0.3]) is the weighted sum over N; the weighted mean here divides by sum(w).
    expectClose(meanAbsoluteError(Y, P, { weights: [0.7, 0.3], reduction: 'sum' }).dataSync()[0]! / 2, 0.25, 1e-6);
    expectClose(meanAbsoluteError(Y, P, { weights: [0.7, 0.3] }).dataSync()[0]!, 0.5, 1e-6);
  });

  it('matches the float64 reference on random [N] and [N, D] inputs', () => {
    const r = rng(201);
    const y = randomMatrix(r, 64, 3, 3);
    const p = randomMatrix(r, 64, 3, 3);
    expectClose(values(meanAbsoluteError(y, p, { reduction: 'none' })), reference(y, p), 1e-5, 1e-6);
    const y1 = normals(r, 50).map((v) => 10 * v + 4);
    const p1 = normals(r, 50).map((v) => 10 * v);
    expectClose(values(meanAbsoluteError(y1, p1, { reduction: 'none' })), reference(column(y1), column(p1)), 1e-5, 1e-6);
    expectClose(meanAbsoluteError(y1, p1).dataSync()[0]!, mean(reference(column(y1), column(p1))), 1e-5);
  });

  it('equals tf.losses.absoluteDifference, which averages over every element', () => {
    const r = rng(202);
    const y = tf.tensor(randomMatrix(r, 20, 4, 2));
    const p = tf.tensor(randomMatrix(r, 20, 4, 2));
    expectClose(meanAbsoluteError(y, p).dataSync()[0]!, tf.losses.absoluteDifference(y, p).dataSync()[0]!, 1e-6);
  });

  it('has the gradient of the float64 reference (finite differences) away from the kink, sign(ŷ − y)/(N·D)', () => {
    const r = rng(203);
    const y = randomMatrix(r, 5, 3, 2);
    const p = randomMatrix(r, 5, 3, 2);
    expect(p.flat().every((v, k) => Math.abs(v - (y.flat()[k] as number)) > 1e-3)).toBe(true);
    const g = values(tf.grad((x: tf.Tensor) => meanAbsoluteError(y, x))(tf.tensor(p)));
    const f = (x: number[]) => mean(reference(y, [0, 1, 2, 3, 4].map((i) => x.slice(3 * i, 3 * i + 3))));
    expectClose(g, numericGradient(f, p.flat()), 1e-4, 1e-7);
    expectClose(g, p.flat().map((v, k) => Math.sign(v - (y.flat()[k] as number)) / 15), 1e-6, 0);
  });

  it('takes the gradient 0 where the prediction equals the target (the symmetric subgradient)', () => {
    const g = values(tf.grad((x: tf.Tensor) => meanAbsoluteError([1, 2, 3], x))(tf.tensor([1, 2.5, 3])));
    expectClose(g, [0, 1 / 3, 0], 1e-7, 0);
  });

  it('is zero at the target, symmetric in yTrue and yPred, unchanged by a shift of both, and scales as c with both', () => {
    const r = rng(204);
    const y = normals(r, 30);
    const p = normals(r, 30);
    const base = values(meanAbsoluteError(y, p, { reduction: 'none' }));
    expectClose(values(meanAbsoluteError(y, y, { reduction: 'none' })), new Array(30).fill(0), 0, 0);
    expectClose(values(meanAbsoluteError(p, y, { reduction: 'none' })), base, 0, 0);
    expectClose(values(meanAbsoluteError(y.map((v) => v + 7.5), p.map((v) => v + 7.5), { reduction: 'none' })), base, 1e-5, 1e-5);
    expectClose(values(meanAbsoluteError(y.map((v) => 3 * v), p.map((v) => 3 * v), { reduction: 'none' })), base.map((v) => 3 * v), 1e-5, 1e-6);
  });

  it('is minimised, for a constant prediction, at the median of the targets', () => {
    const y = [1, 2, 3, 10, 50];
    const at = (c: number) => meanAbsoluteError(y, new Array(5).fill(c)).dataSync()[0]!;
    expect(at(3)).toBeLessThan(at(2.9));
    expect(at(3)).toBeLessThan(at(3.1));
    expectClose(at(3), (2 + 1 + 0 + 7 + 47) / 5, 1e-6);
  });

  it('stays finite, in value and gradient, at residuals of ±1e4', () => {
    const p = tf.tensor([1e4, -1e4, 0]);
    const y = [-1e4, 1e4, 0];
    const value = meanAbsoluteError(y, p, { reduction: 'none' });
    expectFinite(value);
    expectClose(values(value), [2e4, 2e4, 0], 1e-6);
    const g = tf.grad((x: tf.Tensor) => meanAbsoluteError(y, x))(p);
    expectFinite(g);
    expectClose(values(g), [1 / 3, -1 / 3, 0], 1e-6, 0);
  });

  it("reduces by 'mean', 'sum' and 'none' consistently, with weights as sum(w·l)/sum(w)", () => {
    const y = [1, 2, 3, 4];
    const p = [1.5, 0, 3, 7];
    const none = [0.5, 2, 0, 3];
    expectClose(values(meanAbsoluteError(y, p, { reduction: 'none' })), none, 1e-7);
    expectClose(meanAbsoluteError(y, p).dataSync()[0]!, mean(none), 1e-7);
    expectClose(meanAbsoluteError(y, p, { reduction: 'sum' }).dataSync()[0]!, 5.5, 1e-7);
    const w = [1, 2, 0.5, 0];
    expectClose(meanAbsoluteError(y, p, { weights: w }).dataSync()[0]!, (0.5 + 4) / 3.5, 1e-6);
    expectClose(meanAbsoluteError(y, p, { weights: [1, 1, 1, 1] }).dataSync()[0]!, mean(none), 1e-7);
    expectClose(values(meanAbsoluteError(y, p, { weights: w, reduction: 'none' })), [0.5, 4, 0, 0], 1e-7);
  });

  it('gives one value per sample for [N, D] (the mean over the last axis), and takes [N] against [N, 1]', () => {
    const none = meanAbsoluteError([[0, 0, 0], [1, 1, 1]], [[1, 2, 3], [1, 1, 4]], { reduction: 'none' });
    expect(none.shape).toEqual([2]);
    expectClose(values(none), [2, 1], 1e-6);
    const a = meanAbsoluteError([1, 2, 3], [[1.5], [2], [2]], { reduction: 'none' });
    expect(a.shape).toEqual([3]);
    expectClose(values(a), [0.5, 0, 1], 1e-7);
  });

  it('leaks no tensors', () => {
    const p = tf.tensor([[1, 2], [3, 4]]);
    expect(leakedTensors(() => meanAbsoluteError([[0, 1], [2, 2]], p, { weights: [1, 2] }))).toBe(0);
    expect(leakedTensors(() => tf.grad((x: tf.Tensor) => meanAbsoluteError([[0, 1], [2, 2]], x))(p))).toBe(0);
    p.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => meanAbsoluteError([1, 2, 3], [1, 2, 3, 4])).toThrow('meanAbsoluteError: expected `yTrue` and `yPred` to have the same shape, got [3] and [4]');
    expect(() => meanAbsoluteError([[[1]]], [[[1]]])).toThrow('meanAbsoluteError: expected `yPred` to have rank 1 or 2, got shape [1,1,1]');
    expect(() => meanAbsoluteError([], [])).toThrow('meanAbsoluteError: expected `yPred` to hold at least one element, got shape [0]');
    expect(() => meanAbsoluteError([1], 'x' as never)).toThrow('meanAbsoluteError: expected `yPred` to be a Tensor, number or numeric array, got "x" (string)');
    expect(() => meanAbsoluteError([1, 2], [1, 2], { quantile: 0.5 } as never)).toThrow('meanAbsoluteError: expected each option to be one of reduction, weights, got `quantile`');
    expect(() => meanAbsoluteError([1, 2], [1, 2], { reduction: 'median' as never })).toThrow("meanAbsoluteError: expected `reduction` to be one of 'mean' | 'sum' | 'none', got \"median\" (string)");
    expect(() => meanAbsoluteError([1, 2, 3], [1, 2, 3], { weights: [1, 2] })).toThrow("meanAbsoluteError: expected `weights` to be per sample or broadcast to the loss's shape [3], got shape [2]");
  });
});
