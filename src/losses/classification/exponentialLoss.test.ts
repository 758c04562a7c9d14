import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomMatrix, rng, values } from '../../../test/helpers.js';
import { exponentialLoss } from './exponentialLoss.js';

// Float64 reference written from the formula, sharing nothing with the loss: the expectation over
// y ∈ {−1, +1} with P(y = +1) = t of exp(−y z), which is exp(−(2t − 1) z) for t ∈ {0, 1}.
const reference = (t: number[], z: number[]) => z.map((zi, i) => t[i]! * Math.exp(-zi) + (1 - t[i]!) * Math.exp(zi));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const labels01 = (r: () => number, n: number) => Array.from({ length: n }, () => (r() < 0.5 ? 1 : 0));

const Z = [0.5, -1, 2, -0.3];
const T = [1, 0, 0, 1];

describe('exponentialLoss(yTrue, logits, options)', () => {
  it('reproduces hand-computed values: exp(−0.5) = 0.606531, exp(−1) = 0.367879', () => {
    expectClose(values(exponentialLoss([1, 0], [0.5, -1], { reduction: 'none' })), [0.606531, 0.367879], 2e-6);
    expectClose(exponentialLoss([1, 0], [0.5, -1]).dataSync()[0]!, 0.487205, 2e-6);
  });

  it('equals exp(−y·z) with y = 2t − 1 for {0, 1} labels, and the float64 reference for soft labels', () => {
    const r = rng(51);
    const z = randomMatrix(r, 1, 200, 3)[0]!;
    const hard = labels01(r, 200);
    expectClose(values(exponentialLoss(hard, z, { reduction: 'none' })), z.map((zi, i) => Math.exp(-(2 * hard[i]! - 1) * zi)), 1e-5, 1e-7);
    const soft = hard.map(() => r());
    expectClose(values(exponentialLoss(soft, z, { reduction: 'none' })), reference(soft, z), 1e-5, 1e-7);
    const zk = randomMatrix(r, 10, 3, 2);
    const tk = zk.map((row) => row.map(() => (r() < 0.5 ? 1 : 0)));
    expectClose(values(exponentialLoss(tk, zk, { reduction: 'none' })), zk.flatMap((row, i) => reference(tk[i]!, row)), 1e-5, 1e-7);
  });

  it('is minimised at half the log-odds, z* = ½ log(t / (1 − t)), with value 2√(t(1 − t))', () => {
    const t = [0.9, 0.3, 0.5];
    const zStar = t.map((p) => 0.5 * Math.log(p / (1 - p)));
    expectClose(values(tf.grad((x: tf.Tensor) => exponentialLoss(t, x))(tf.tensor(zStar))), [0, 0, 0], 0, 1e-6);
    expectClose(values(exponentialLoss(t, zStar, { reduction: 'none' })), t.map((p) => 2 * Math.sqrt(p * (1 - p))), 1e-6);
  });

  it('is symmetric under (t, z) → (1 − t, −z)', () => {
    const r = rng(52);
    const z = randomMatrix(r, 1, 30, 2)[0]!;
    const t = z.map(() => r());
    expectClose(values(exponentialLoss(t.map((v) => 1 - v), z.map((v) => -v), { reduction: 'none' })), values(exponentialLoss(t, z, { reduction: 'none' })), 1e-6);
  });

  it('has the gradient of the float64 reference (finite differences)', () => {
    const r = rng(53);
    const z = randomMatrix(r, 1, 12, 1.5)[0]!;
    const t = z.map(() => (r() < 0.3 ? r() : r() < 0.5 ? 1 : 0));
    const g = tf.grad((x: tf.Tensor) => exponentialLoss(t, x))(tf.tensor(z));
    expectClose(values(g), numericGradient((x) => mean(reference(t, x)), z), 1e-4, 1e-7);
  });

  it('gives 0 and a 0 gradient for correct logits of ±1e4, and overflows to Infinity (no NaN) once y·z < −88.7', () => {
    const z = tf.tensor([1e4, -1e4, 0]);
    const t = [1, 0, 1];
    expectClose(values(exponentialLoss(t, z, { reduction: 'none' })), [0, 0, 1], 0, 0);
    const g = tf.grad((x: tf.Tensor) => exponentialLoss(t, x))(z);
    expectFinite(g);
    expectClose(values(g), [0, 0, -1 / 3], 1e-6, 0);
    // The documented limit of float32: e^88 ≈ 1.65e38 is finite, e^89 is not.
    expectClose(values(exponentialLoss([1], [-88], { reduction: 'none' })), [Math.exp(88)], 1e-5);
    expect(values(exponentialLoss([1, 0], [-89, 1e4], { reduction: 'none' }))).toEqual([Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY]);
    expect(values(tf.grad((x: tf.Tensor) => exponentialLoss([1], x))(tf.tensor([-89])))).toEqual([Number.NEGATIVE_INFINITY]);
  });

  it("reduces by 'mean', 'sum' and 'none' consistently, with weights as sum(w·l)/sum(w)", () => {
    const none = reference(T, Z);
    expectClose(values(exponentialLoss(T, Z, { reduction: 'none' })), none, 1e-6);
    expectClose(exponentialLoss(T, Z).dataSync()[0]!, mean(none), 1e-6);
    expectClose(exponentialLoss(T, Z, { reduction: 'sum' }).dataSync()[0]!, none.reduce((a, b) => a + b, 0), 1e-6);
    const w = [1, 2, 0.5, 0];
    expectClose(exponentialLoss(T, Z, { weights: w }).dataSync()[0]!, (none[0]! + 2 * none[1]! + 0.5 * none[2]!) / 3.5, 1e-6);
    expectClose(exponentialLoss(T, Z, { weights: [1, 1, 1, 1] }).dataSync()[0]!, mean(none), 1e-6);
    expectClose(values(exponentialLoss(T, Z, { weights: w, reduction: 'none' })), none.map((v, i) => v * w[i]!), 1e-6);
    const a = exponentialLoss([1, 0], [[0.3], [-2]], { reduction: 'none' });
    expect(a.shape).toEqual([2, 1]);
  });

  it('leaks no tensors', () => {
    const z = tf.tensor(Z);
    expect(leakedTensors(() => exponentialLoss(T, z, { weights: [1, 2, 3, 4] }))).toBe(0);
    expect(leakedTensors(() => tf.grad((x: tf.Tensor) => exponentialLoss(T, x))(z))).toBe(0);
    z.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => exponentialLoss([1, 0, 1], [1, 2])).toThrow('exponentialLoss: expected `yTrue` and `logits` to have the same shape, got [3] and [2]');
    expect(() => exponentialLoss([-1, 1], [1, 2])).toThrow('exponentialLoss: expected every value of `yTrue` to lie in [0, 1], got -1 at flat index 0');
    expect(() => exponentialLoss([[[1]]], [[[1]]])).toThrow('exponentialLoss: expected `logits` to have rank 1 or 2, got shape [1,1,1]');
    expect(() => exponentialLoss(T, Z, { margin: 1 } as never)).toThrow('exponentialLoss: expected each option to be one of reduction, weights, got `margin`');
    expect(() => exponentialLoss(T, Z, { reduction: 'avg' as never })).toThrow("exponentialLoss: expected `reduction` to be one of 'mean' | 'sum' | 'none', got \"avg\" (string)");
    expect(() => exponentialLoss(T, Z, { weights: [1, 2] })).toThrow("exponentialLoss: expected `weights` to be per sample or broadcast to the loss's shape [4], got shape [2]");
    expect(() => exponentialLoss(T, Z, 3 as never)).toThrow('exponentialLoss: expected `options` to be an object, got 3 (number)');
  });
});
