import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomLabels, randomMatrix, rng, values } from '../../../test/helpers.js';
import { softmaxCrossEntropy } from '../classification/softmaxCrossEntropy.js';
import { hyperbolicMlrLogits } from './hyperbolic.js';
import { hypCrossEntropyLoss } from './hypCrossEntropyLoss.js';

// Float64 reference: hyperbolic MLR logits from the formulas, then softmax cross-entropy.
const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * (b[i] as number), 0);
const norm = (a: number[]) => Math.sqrt(dot(a, a));
const scale = (a: number[], s: number) => a.map((v) => v * s);
function mobius(x: number[], y: number[], c: number): number[] {
  const xy = dot(x, y);
  const den = 1 + 2 * c * xy + c * c * dot(x, x) * dot(y, y);
  return x.map((v, i) => ((1 + 2 * c * xy + c * dot(y, y)) * v + (1 - c * dot(x, x)) * (y[i] as number)) / den);
}
function expmap0(u: number[], c: number): number[] {
  const n = Math.max(norm(u), 1e-5);
  return scale(u, Math.tanh(Math.sqrt(c) * n) / (Math.sqrt(c) * n));
}
function logits(x: number[], A: number[][], P: number[][], c: number): number[] {
  return A.map((a0, k) => {
    const p = expmap0(P[k] as number[], c);
    const conformal = 1 - c * dot(p, p);
    const a = scale(a0, conformal);
    const w = mobius(scale(p, -1), x, c);
    return ((2 / conformal) * norm(a) * Math.asinh((2 * Math.sqrt(c) * dot(w, a)) / ((1 - c * dot(w, w)) * norm(a)))) / Math.sqrt(c);
  });
}
function reference(labels: number[], x: number[][], A: number[][], P: number[][], c = 0.1): number[] {
  return x.map((row, i) => {
    const z = logits(row, A, P, c);
    const m = Math.max(...z);
    return m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0)) - (z[labels[i]!] as number);
  });
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const chunk = (flat: number[], d: number) => Array.from({ length: flat.length / d }, (_, i) => flat.slice(i * d, (i + 1) * d));

const A = [[1, -0.5, 0.2], [-0.3, 0.8, 0.5], [0.4, 0.4, -1]];
const P = [[0.1, 0.2, 0], [-0.3, 0.1, 0.2], [0, 0, 0.5]];

describe('hypCrossEntropyLoss(labels, embeddings, options)', () => {
  it('matches the float64 reference on random ball points, and two-class (real / spoof) heads', () => {
    const r = rng(1);
    const x = randomMatrix(r, 20, 3, 0.8);
    const labels = randomLabels(r, 20, 3);
    expectClose(values(hypCrossEntropyLoss(labels, x, { normals: A, offsets: P, reduction: 'none' })), reference(labels, x, A, P), 1e-5, 1e-5);
    const two = labels.map((y) => y % 2);
    const inner = x.map((v) => scale(v, 0.4)); // inside the ball of c = 0.5 (radius 1.41)
    expectClose(values(hypCrossEntropyLoss(two, inner, { normals: A.slice(0, 2), offsets: P.slice(0, 2), c: 0.5, reduction: 'none' })), reference(two, inner, A.slice(0, 2), P.slice(0, 2), 0.5), 1e-5, 1e-5);
  });

  it('equals softmaxCrossEntropy of hyperbolicMlrLogits, and the Euclidean 4⟨x, A⟩ logits as c → 0', () => {
    const r = rng(2);
    const x = randomMatrix(r, 8, 3, 0.5);
    const labels = randomLabels(r, 8, 3);
    const ours = hypCrossEntropyLoss(labels, x, { normals: A, offsets: P }).dataSync()[0]!;
    expectClose(ours, softmaxCrossEntropy(labels, hyperbolicMlrLogits(x, A, P)).dataSync()[0]!, 1e-6);
    const zero = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
    const euclidean = softmaxCrossEntropy(labels, tf.mul(tf.matMul(tf.tensor(x), tf.tensor(A), false, true), 4)).dataSync()[0]!;
    expectClose(hypCrossEntropyLoss(labels, x, { normals: A, offsets: zero, c: 1e-6 }).dataSync()[0]!, euclidean, 1e-3);
  });

  it("maps features with inputs: 'euclidean' as toPoincare does", () => {
    const r = rng(3);
    const x = randomMatrix(r, 6, 3, 3);
    const labels = randomLabels(r, 6, 3);
    const ball = x.map((v) => expmap0(scale(v, Math.min(1, 2 / (norm(v) + 1e-5))), 0.1));
    expectClose(values(hypCrossEntropyLoss(labels, x, { normals: A, offsets: P, inputs: 'euclidean', reduction: 'none' })), reference(labels, ball, A, P), 1e-5, 1e-5);
  });

  it('has the gradient of the float64 reference, in the embeddings and in the normals', () => {
    const r = rng(4);
    const x = randomMatrix(r, 4, 3, 0.7);
    const labels = randomLabels(r, 4, 3);
    const gx = tf.grad((z: tf.Tensor) => hypCrossEntropyLoss(labels, z, { normals: A, offsets: P }))(tf.tensor(x));
    expectClose(values(gx), numericGradient((flat) => mean(reference(labels, chunk(flat, 3), A, P)), x.flat()), 1e-3, 1e-5);
    const ga = tf.grad((a: tf.Tensor) => hypCrossEntropyLoss(labels, x, { normals: a, offsets: P }))(tf.tensor(A));
    expectClose(values(ga), numericGradient((flat) => mean(reference(labels, x, chunk(flat, 3), P)), A.flat()), 1e-3, 1e-5);
  });

  it('stays finite, in value and gradient, for embeddings far outside the ball and at the origin', () => {
    const x = [[1e4, -1e4, 0], [0, 0, 0], [-1e4, 0, 1e4]];
    for (const inputs of ['ball', 'euclidean'] as const) {
      expectFinite(hypCrossEntropyLoss([0, 1, 2], x, { normals: A, offsets: P, inputs, reduction: 'none' }));
      expectFinite(tf.grad((z: tf.Tensor) => hypCrossEntropyLoss([0, 1, 2], z, { normals: A, offsets: P, inputs }))(tf.tensor(x)));
    }
  });

  it("reduces by 'mean', 'sum', 'none', with weights, class weights, label smoothing and ignoreIndex", () => {
    const r = rng(5);
    const x = randomMatrix(r, 3, 3, 0.5);
    const labels = [0, 2, 1];
    const o = { normals: A, offsets: P };
    const none = values(hypCrossEntropyLoss(labels, x, { ...o, reduction: 'none' }));
    expectClose(hypCrossEntropyLoss(labels, x, { ...o, reduction: 'sum' }).dataSync()[0]!, none[0]! + none[1]! + none[2]!, 1e-6);
    expectClose(hypCrossEntropyLoss(labels, x, o).dataSync()[0]!, mean(none), 1e-6);
    expectClose(hypCrossEntropyLoss(labels, x, { ...o, weights: [1, 2, 0.5] }).dataSync()[0]!, (none[0]! + 2 * none[1]! + 0.5 * none[2]!) / 3.5, 1e-6);
    expectClose(hypCrossEntropyLoss(labels, x, { ...o, classWeights: [2, 1, 3] }).dataSync()[0]!, (2 * none[0]! + 3 * none[1]! + none[2]!) / 6, 1e-6);
    const z = hyperbolicMlrLogits(x, A, P);
    expectClose(hypCrossEntropyLoss(labels, x, { ...o, labelSmoothing: 0.2 }).dataSync()[0]!, softmaxCrossEntropy(labels, z, { labelSmoothing: 0.2 }).dataSync()[0]!, 1e-6);
    expectClose(hypCrossEntropyLoss([0, -1, 1], x, { ...o, ignoreIndex: -1 }).dataSync()[0]!, (none[0]! + reference([1], [x[2]!], A, P)[0]!) / 2, 1e-5);
  });

  it('leaks no tensors', () => {
    const x = tf.tensor([[0.1, 0.2, 0.3], [0.5, -0.5, 0]]);
    const a = tf.tensor(A);
    expect(leakedTensors(() => hypCrossEntropyLoss([0, 1], x, { normals: a, offsets: P, inputs: 'euclidean', weights: [1, 2], classWeights: [1, 2, 3] }))).toBe(0);
    expect(leakedTensors(() => tf.grad((z: tf.Tensor) => hypCrossEntropyLoss([0, 1], z, { normals: a, offsets: P }))(x))).toBe(0);
    tf.dispose([x, a]);
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    const x = [[0.1, 0.2, 0.3], [0.5, -0.5, 0]];
    const o = { normals: A, offsets: P };
    expect(() => hypCrossEntropyLoss([0, 1, 2], x, o)).toThrow('hypCrossEntropyLoss: expected `labels` and `embeddings` to have the same number of rows, got [3] and [2,3]');
    expect(() => hypCrossEntropyLoss([0, 3], x, o)).toThrow('hypCrossEntropyLoss: expected every value of `labels` to be an integer class index in [0, 2], got 3 at index 1');
    expect(() => hypCrossEntropyLoss([0, 1], x, { offsets: P })).toThrow('hypCrossEntropyLoss: expected `normals` to be given: a [numClasses, 3] matrix, got undefined');
    expect(() => hypCrossEntropyLoss([0, 1], x, { normals: [[1, 2], [3, 4]], offsets: P })).toThrow('hypCrossEntropyLoss: expected `normals` to be [numClasses, 3] with at least 2 classes, got shape [2,2]');
    expect(() => hypCrossEntropyLoss([0, 1], x, { normals: A, offsets: P.slice(0, 2) })).toThrow('hypCrossEntropyLoss: expected `normals` and `offsets` to have the same shape, got [3,3] and [2,3]');
    expect(() => hypCrossEntropyLoss([0, 1], x, { ...o, c: 0 })).toThrow('hypCrossEntropyLoss: expected `c` to be a finite number > 0, got 0 (number)');
    expect(() => hypCrossEntropyLoss([0, 1], x, { ...o, bias: 1 } as never)).toThrow(/^hypCrossEntropyLoss: expected each option to be one of normals, offsets, c, inputs, clipRadius, epsilon, classWeights, labelSmoothing, ignoreIndex, reduction, weights, got `bias`$/);
    expect(() => hypCrossEntropyLoss([0, 1], [0.1, 0.2], o)).toThrow('hypCrossEntropyLoss: expected `embeddings` to have rank 2, got shape [2]');
  });
});
