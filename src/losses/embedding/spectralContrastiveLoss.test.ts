import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomMatrix, rng, values } from '../../../test/helpers.js';
import { spectralContrastiveLoss } from './spectralContrastiveLoss.js';

// Float64 reference written from the batch form, sharing nothing with the loss.
const dot = (u: number[], v: number[]) => u.reduce((s, x, k) => s + x * v[k]!, 0);
function perAnchor(a: number[][], b: number[][]): number[] {
  const n = a.length;
  return a.map((ai, i) => {
    let neg = 0;
    for (let j = 0; j < n; j++) if (j !== i) neg += dot(ai, b[j]!) ** 2;
    return -2 * dot(ai, b[i]!) + neg / (n - 1);
  });
}
/** −(2/B) Σ_i a_iᵀb_i + 1/(B(B−1)) Σ_{i≠j} (a_iᵀb_j)², written as the two sums of the spec. */
function batchForm(a: number[][], b: number[][]): number {
  const n = a.length;
  let pos = 0;
  let neg = 0;
  for (let i = 0; i < n; i++) {
    pos += dot(a[i]!, b[i]!);
    for (let j = 0; j < n; j++) if (i !== j) neg += dot(a[i]!, b[j]!) ** 2;
  }
  return (-2 / n) * pos + neg / (n * (n - 1));
}
const rows = (x: number[], c: number) => Array.from({ length: x.length / c }, (_, i) => x.slice(i * c, (i + 1) * c));
const scalar = (t: tf.Tensor) => t.dataSync()[0]!;

describe('spectralContrastiveLoss(viewA, viewB, options)', () => {
  it('reproduces the spec value: z = z⁺ = I_B gives −2 + 0 = −2', () => {
    for (const n of [2, 4, 7]) {
      const eye = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
      expectClose(scalar(spectralContrastiveLoss(eye, eye)), -2, 1e-7);
    }
  });

  it('matches the float64 batch form and per-anchor values on random inputs', () => {
    const r = rng(1);
    for (const [n, d] of [[32, 8], [5, 3], [2, 6]] as const) {
      const a = randomMatrix(r, n, d, 0.7);
      const b = randomMatrix(r, n, d, 0.7);
      expectClose(values(spectralContrastiveLoss(a, b, { reduction: 'none' })), perAnchor(a, b), 1e-5, 1e-6);
      expectClose(scalar(spectralContrastiveLoss(a, b)), batchForm(a, b), 1e-5, 1e-6);
    }
  });

  it('has the gradient of the float64 reference (finite differences), in both views', () => {
    const r = rng(3);
    const a = randomMatrix(r, 4, 3);
    const b = randomMatrix(r, 4, 3);
    const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => spectralContrastiveLoss(x, y))([tf.tensor(a), tf.tensor(b)]);
    expectClose(values(ga!), numericGradient((x) => batchForm(rows(x, 3), b), a.flat()), 1e-4, 1e-6);
    expectClose(values(gb!), numericGradient((x) => batchForm(a, rows(x, 3)), b.flat()), 1e-4, 1e-6);
  });

  it('is invariant to a common rotation of both views, and changes with their scale', () => {
    const r = rng(4);
    const a = randomMatrix(r, 6, 2);
    const b = randomMatrix(r, 6, 2);
    const [c, s] = [Math.cos(0.7), Math.sin(0.7)];
    const rot = (z: number[][]) => z.map(([x, y]) => [c * x! - s * y!, s * x! + c * y!]);
    expectClose(scalar(spectralContrastiveLoss(rot(a), rot(b))), scalar(spectralContrastiveLoss(a, b)), 1e-5, 1e-6);
    const scaled = (z: number[][]) => z.map((row) => row.map((v) => 2 * v));
    expectClose(scalar(spectralContrastiveLoss(scaled(a), scaled(b))), batchForm(scaled(a), scaled(b)), 1e-5, 1e-6);
    expect(Math.abs(scalar(spectralContrastiveLoss(scaled(a), scaled(b))) - scalar(spectralContrastiveLoss(a, b)))).toBeGreaterThan(0.1);
  });

  it('has the closed-form gradient −(2/B) b_i + 2/(B(B − 1)) Σ_{j≠i} (a_iᵀ b_j) b_j in a_i', () => {
    const r = rng(6);
    const a = randomMatrix(r, 5, 3);
    const b = randomMatrix(r, 5, 3);
    const n = 5;
    const closed = a.flatMap((ai, i) =>
      ai.map((_, k) => {
        let g = (-2 / n) * b[i]![k]!;
        for (let j = 0; j < n; j++) if (j !== i) g += ((2 / (n * (n - 1))) * dot(ai, b[j]!)) * b[j]![k]!;
        return g;
      }),
    );
    expectClose(values(tf.grad((x: tf.Tensor) => spectralContrastiveLoss(x, b))(tf.tensor(a))), closed, 1e-5, 1e-6);
  });

  it('is unbounded below when B <= D: a = b = s·I gives −2s², as the doc warns', () => {
    const eye = (scale: number) => [[scale, 0, 0], [0, scale, 0], [0, 0, scale]];
    for (const scale of [1, 3, 10]) expectClose(scalar(spectralContrastiveLoss(eye(scale), eye(scale))), -2 * scale * scale, 1e-6);
  });

  it('stays finite, in value and gradient, at inputs of ±1e4', () => {
    const a = tf.tensor([[1e4, -1e4, 0], [-1e4, 1e4, 3], [1e4, 1e4, -1e4]]);
    const b = tf.tensor([[-1e4, 1e4, 0], [1e4, 1e4, 1], [0, -1e4, 2]]);
    expectFinite(spectralContrastiveLoss(a, b, { reduction: 'none' }));
    const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => spectralContrastiveLoss(x, y))([a, b]);
    expectFinite(ga!);
    expectFinite(gb!);
  });

  it("reduces by 'mean' (default), 'sum' and 'none' consistently, and weighs anchors", () => {
    const r = rng(5);
    const a = randomMatrix(r, 4, 3);
    const b = randomMatrix(r, 4, 3);
    const none = perAnchor(a, b);
    expectClose(scalar(spectralContrastiveLoss(a, b, { reduction: 'sum' })), none.reduce((s, v) => s + v, 0), 1e-5, 1e-6);
    const w = [1, 0, 2, 1];
    expectClose(scalar(spectralContrastiveLoss(a, b, { weights: w })), none.reduce((s, v, i) => s + w[i]! * v, 0) / 4, 1e-5, 1e-6);
    expectClose(values(spectralContrastiveLoss(a, b, { weights: w, reduction: 'none' })), none.map((v, i) => w[i]! * v), 1e-5, 1e-6);
  });

  it('leaks no tensors', () => {
    const a = tf.tensor([[1, 2], [3, 4], [0, 1]]);
    const b = tf.tensor([[1, 0], [2, 1], [1, 1]]);
    expect(leakedTensors(() => spectralContrastiveLoss(a, b, { weights: [1, 2, 3] }))).toBe(0);
    expect(leakedTensors(() => tf.grads((x: tf.Tensor, y: tf.Tensor) => spectralContrastiveLoss(x, y))([a, b]))).toBe(0);
    a.dispose();
    b.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => spectralContrastiveLoss([[1, 2]], [[1, 2], [3, 4]])).toThrow('spectralContrastiveLoss: expected `viewA` and `viewB` to have the same shape, got [1,2] and [2,2]');
    expect(() => spectralContrastiveLoss([[1, 2]], [[1, 2]])).toThrow('spectralContrastiveLoss: expected `viewB` to have at least 2 rows (the loss uses statistics of the batch), got shape [1,2]');
    expect(() => spectralContrastiveLoss([1, 2], [1, 2])).toThrow('spectralContrastiveLoss: expected `viewB` to have rank 2, got shape [2]');
    expect(() => spectralContrastiveLoss([[1, 2], [3, 4]], [[1, 2], [3, 4]], { mu: 1 } as never)).toThrow('spectralContrastiveLoss: expected each option to be one of reduction, weights, got `mu`');
    expect(() => spectralContrastiveLoss([[1, 2], [3, 4]], [[1, 2], [3, 4]], { weights: [1, 2, 3] })).toThrow("spectralContrastiveLoss: expected `weights` to be per sample or broadcast to the loss's shape [2], got shape [3]");
  });
});
