import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomMatrix, rng, values } from '../../../test/helpers.js';
import { hypPairwiseConfusionLoss } from './hypPairwiseConfusionLoss.js';

// Float64 reference: the Poincaré distance in its arcosh form, halved per pair.
const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * (b[i] as number), 0);
function distance(x: number[], y: number[], c: number): number {
  const diff = x.map((v, i) => v - (y[i] as number));
  return Math.acosh(1 + (2 * c * dot(diff, diff)) / ((1 - c * dot(x, x)) * (1 - c * dot(y, y)))) / Math.sqrt(c);
}
function reference(left: number[][], right: number[][], c = 0.1): number[] {
  return left.map((l, i) => distance(l, right[i]!, c) / 2);
}
function toBall(x: number[], c: number, r: number): number[] {
  const n = Math.sqrt(dot(x, x));
  const clipped = x.map((v) => v * Math.min(1, r / (n + 1e-5)));
  const m = Math.max(Math.sqrt(dot(clipped, clipped)), 1e-5);
  return clipped.map((v) => (v * Math.tanh(Math.sqrt(c) * m)) / (Math.sqrt(c) * m));
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const chunk = (flat: number[], d: number) => Array.from({ length: flat.length / d }, (_, i) => flat.slice(i * d, (i + 1) * d));

describe('hypPairwiseConfusionLoss(left, right, options)', () => {
  it('reproduces the spec distance (papers-A A.7) as twice the per-pair value, in both forms', () => {
    expectClose(hypPairwiseConfusionLoss([[0.5, 0.2]], [[-0.3, 0.4]]).dataSync()[0]!, 1.675349 / 2, 2e-6);
    expectClose(hypPairwiseConfusionLoss([[0.5, 0.2]], [[-0.3, 0.4]], { form: 'atan' }).dataSync()[0]!, 1.602064 / 2, 2e-6);
  });

  it('matches the float64 reference on random ball points: per pair d/2, and L_PC = (1/B) Σ d with B = 2·pairs', () => {
    const r = rng(1);
    const left = randomMatrix(r, 16, 5, 0.6);
    const right = randomMatrix(r, 16, 5, 0.6);
    const expected = reference(left, right);
    expectClose(values(hypPairwiseConfusionLoss(left, right, { reduction: 'none' })), expected, 1e-5, 1e-6);
    const sumOfDistances = expected.reduce((a, b) => a + 2 * b, 0);
    expectClose(hypPairwiseConfusionLoss(left, right).dataSync()[0]!, sumOfDistances / 32, 1e-5);
    const [l3, r3] = [left, right].map((m) => m.map((v) => v.map((x) => x * 0.3))) as [number[][], number[][]];
    expectClose(values(hypPairwiseConfusionLoss(l3, r3, { c: 0.7, reduction: 'none' })), reference(l3, r3, 0.7), 1e-5, 1e-6);
  });

  it("maps Euclidean features with inputs: 'euclidean' (clip to r, exp_0)", () => {
    const r = rng(2);
    const left = randomMatrix(r, 6, 3, 3);
    const right = randomMatrix(r, 6, 3, 3);
    const ball = (m: number[][], radius: number) => m.map((v) => toBall(v, 0.1, radius));
    expectClose(values(hypPairwiseConfusionLoss(left, right, { inputs: 'euclidean', reduction: 'none' })), reference(ball(left, 2), ball(right, 2)), 1e-5, 1e-6);
    expectClose(values(hypPairwiseConfusionLoss(left, right, { inputs: 'euclidean', clipRadius: 1, reduction: 'none' })), reference(ball(left, 1), ball(right, 1)), 1e-5, 1e-6);
  });

  it('has the gradient of the float64 reference (finite differences)', () => {
    const r = rng(3);
    const left = randomMatrix(r, 3, 2, 1);
    const right = randomMatrix(r, 3, 2, 1);
    const g = tf.grad((z: tf.Tensor) => hypPairwiseConfusionLoss(left, z))(tf.tensor(right));
    expectClose(values(g), numericGradient((flat) => mean(reference(left, chunk(flat, 2))), right.flat()), 1e-3, 1e-5);
  });

  it('is 0 for identical halves, symmetric in the halves, and pulls pairs together', () => {
    const r = rng(4);
    const a = randomMatrix(r, 4, 3, 0.8);
    const b = randomMatrix(r, 4, 3, 0.8);
    expectClose(hypPairwiseConfusionLoss(a, a).dataSync()[0]!, 0, 0, 1e-3);
    expectClose(hypPairwiseConfusionLoss(a, b).dataSync()[0]!, hypPairwiseConfusionLoss(b, a).dataSync()[0]!, 1e-5);
    // A small step against the gradient lowers the loss.
    const g = tf.grad((z: tf.Tensor) => hypPairwiseConfusionLoss(a, z))(tf.tensor(b));
    const stepped = tf.sub(tf.tensor(b), tf.mul(g, 0.01));
    expect(hypPairwiseConfusionLoss(a, stepped).dataSync()[0]!).toBeLessThan(hypPairwiseConfusionLoss(a, b).dataSync()[0]!);
  });

  it('stays finite, in value and gradient, for identical rows and for points on or far outside the boundary', () => {
    const same = [[0.2, 0.1], [0, 0]];
    expectFinite(tf.grad((z: tf.Tensor) => hypPairwiseConfusionLoss(same, z))(tf.tensor(same)));
    const edge = [[3.1623, 0], [1e4, -1e4]];
    const other = [[-3.1623, 0], [-1e4, 1e4]];
    for (const form of ['artanh', 'atan'] as const) {
      expectFinite(hypPairwiseConfusionLoss(edge, other, { form, reduction: 'none' }));
      expectFinite(tf.grad((z: tf.Tensor) => hypPairwiseConfusionLoss(edge, z, { form }))(tf.tensor(other)));
    }
  });

  it("reduces by 'mean', 'sum', 'none' and takes weighted means", () => {
    const r = rng(5);
    const a = randomMatrix(r, 3, 2);
    const b = randomMatrix(r, 3, 2);
    const none = values(hypPairwiseConfusionLoss(a, b, { reduction: 'none' }));
    expectClose(hypPairwiseConfusionLoss(a, b, { reduction: 'sum' }).dataSync()[0]!, none[0]! + none[1]! + none[2]!, 1e-6);
    expectClose(hypPairwiseConfusionLoss(a, b).dataSync()[0]!, mean(none), 1e-6);
    expectClose(hypPairwiseConfusionLoss(a, b, { weights: [1, 0, 3] }).dataSync()[0]!, (none[0]! + 3 * none[2]!) / 4, 1e-6);
    expectClose(hypPairwiseConfusionLoss(a, b, { weights: [1, 1, 1] }).dataSync()[0]!, mean(none), 1e-6);
  });

  it('leaks no tensors', () => {
    const a = tf.tensor([[0.5, 0.2], [0.1, 0.1]]);
    const b = tf.tensor([[-0.3, 0.4], [0.2, -0.1]]);
    expect(leakedTensors(() => hypPairwiseConfusionLoss(a, b, { inputs: 'euclidean', weights: [1, 2] }))).toBe(0);
    expect(leakedTensors(() => tf.grad((z: tf.Tensor) => hypPairwiseConfusionLoss(a, z))(b))).toBe(0);
    tf.dispose([a, b]);
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => hypPairwiseConfusionLoss([[1, 2]], [[1, 2], [3, 4]])).toThrow('hypPairwiseConfusionLoss: expected `left` and `right` to have the same shape, got [1,2] and [2,2]');
    expect(() => hypPairwiseConfusionLoss([1, 2], [1, 2])).toThrow('hypPairwiseConfusionLoss: expected `left` to have rank 2, got shape [2]');
    expect(() => hypPairwiseConfusionLoss([[1, 2]], [[1, 2]], { c: -1 })).toThrow('hypPairwiseConfusionLoss: expected `c` to be a finite number > 0, got -1 (number)');
    expect(() => hypPairwiseConfusionLoss([[1, 2]], [[1, 2]], { form: 'tanh' as never })).toThrow("hypPairwiseConfusionLoss: expected `form` to be one of 'artanh' | 'atan', got \"tanh\" (string)");
    expect(() => hypPairwiseConfusionLoss([[1, 2]], [[1, 2]], { inputs: 'lorentz' as never })).toThrow("hypPairwiseConfusionLoss: expected `inputs` to be one of 'ball' | 'euclidean', got \"lorentz\" (string)");
    expect(() => hypPairwiseConfusionLoss([[1, 2]], [[1, 2]], { curvature: 1 } as never)).toThrow(
      'hypPairwiseConfusionLoss: expected each option to be one of form, c, inputs, clipRadius, epsilon, reduction, weights, got `curvature`',
    );
    expect(() => hypPairwiseConfusionLoss([[1, 2]], [[1, 2]], { weights: [1, 2] })).toThrow("hypPairwiseConfusionLoss: expected `weights` to be per sample or broadcast to the loss's shape [1], got shape [2]");
  });
});
