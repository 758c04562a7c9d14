import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomLabels, randomMatrix, rng, values } from '../../../test/helpers.js';
import { generateEquiangularBasis } from './ebvBasis.js';
import { ebvLoss, ebvPredict } from './ebvLoss.js';

// Float64 reference written from the definition, sharing nothing with the loss.
const unit = (v: number[]) => {
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return v.map((x) => x / norm);
};
function reference(labels: number[], embeddings: number[][], basis: number[][], tau = 0.07, eps = 0): number[] {
  const w = basis.map(unit);
  const c = w.length;
  return embeddings.map((f, i) => {
    const fh = unit(f);
    const z = w.map((wc) => wc.reduce((s, x, k) => s + x * fh[k]!, 0) / tau);
    const m = Math.max(...z);
    const lse = m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
    return z.reduce((s, zc, k) => s - ((k === labels[i] ? 1 - eps : 0) + eps / c) * (zc - lse), 0);
  });
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const rows = (x: number[], c: number) => Array.from({ length: x.length / c }, (_, i) => x.slice(i * c, (i + 1) * c));

const I3 = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
const FEATURES = [[0.8, 0.6, 0], [0, 0.6, 0.8]];

describe('ebvLoss(labels, embeddings, options)', () => {
  it('reproduces the spec value (papers-A A.12): identity basis, τ = 0.07', () => {
    expectClose(ebvLoss([0, 2], FEATURES, { basis: I3 }).dataSync()[0]!, 0.055854, 2e-5);
    expectClose(mean(reference([0, 2], FEATURES, I3)), 0.055854, 1e-5);
  });

  it('matches the float64 reference on random inputs, with a generated basis, τ and label smoothing', () => {
    const r = rng(1);
    const { basis } = generateEquiangularBasis(10, 8, { threshold: 0.4, seed: 3 });
    const x = randomMatrix(r, 40, 8, 2);
    const y = randomLabels(r, 40, 10);
    for (const [tau, eps] of [[0.07, 0], [0.5, 0], [0.1, 0.1]] as const) {
      expectClose(values(ebvLoss(y, x, { basis, tau, labelSmoothing: eps, reduction: 'none' })), reference(y, x, basis, tau, eps), 1e-5, 1e-5);
    }
    // Any [C, D] matrix: its rows are normalised.
    const raw = randomMatrix(r, 5, 8, 3);
    const y5 = randomLabels(r, 40, 5);
    expectClose(values(ebvLoss(y5, x, { basis: raw, tau: 0.3, reduction: 'none' })), reference(y5, x, raw, 0.3), 1e-5, 1e-5);
  });

  it('has the gradient of the float64 reference (finite differences)', () => {
    const r = rng(3);
    const x = randomMatrix(r, 4, 3);
    const y = [0, 1, 2, 1];
    const basis = randomMatrix(r, 3, 3);
    const g = values(tf.grad((z: tf.Tensor) => ebvLoss(y, z, { basis, tau: 0.5 }))(tf.tensor(x)));
    expectClose(g, numericGradient((v) => mean(reference(y, rows(v, 3), basis, 0.5)), x.flat()), 1e-4, 1e-6);
  });

  it('depends on the embedding only through its direction', () => {
    const scaled = FEATURES.map((row, i) => row.map((v) => v * (i + 1) * 7.5));
    expectClose(ebvLoss([0, 2], scaled, { basis: I3 }).dataSync()[0]!, ebvLoss([0, 2], FEATURES, { basis: I3 }).dataSync()[0]!, 1e-5);
    // Embedding on its class vector: the smallest value, log(1 + (C − 1) e^{−1/τ}) for an orthonormal basis.
    expectClose(ebvLoss([1], [[0, 2, 0]], { basis: I3, tau: 0.5 }).dataSync()[0]!, Math.log(1 + 2 * Math.exp(-1 / 0.5)), 1e-5);
  });

  it('stays finite, in value and gradient, at large and zero embeddings', () => {
    const x = tf.tensor([[1e4, -1e4, 0], [0, 0, 0], [-1e4, 1e4, 1e4]]);
    const value = ebvLoss([0, 1, 2], x, { basis: I3, reduction: 'none' });
    expectFinite(value);
    expectFinite(tf.grad((z: tf.Tensor) => ebvLoss([0, 1, 2], z, { basis: I3 }))(x));
    // The zero embedding has all-zero logits: log C.
    expectClose(values(value)[1]!, Math.log(3), 1e-6);
  });

  it("reduces by 'mean' (default), 'sum' and 'none' consistently, and weighs samples", () => {
    const none = values(ebvLoss([0, 2], FEATURES, { basis: I3, reduction: 'none' }));
    expectClose(ebvLoss([0, 2], FEATURES, { basis: I3, reduction: 'sum' }).dataSync()[0]!, none[0]! + none[1]!, 1e-6);
    expectClose(ebvLoss([0, 2], FEATURES, { basis: I3, weights: [3, 1] }).dataSync()[0]!, (3 * none[0]! + none[1]!) / 4, 1e-6);
  });

  it('leaks no tensors', () => {
    const x = tf.tensor(FEATURES);
    const basis = tf.tensor(I3);
    expect(leakedTensors(() => ebvLoss([0, 2], x, { basis, labelSmoothing: 0.1, weights: [1, 2] }))).toBe(0);
    expect(leakedTensors(() => tf.grad((z: tf.Tensor) => ebvLoss([0, 2], z, { basis }))(x))).toBe(0);
    expect(leakedTensors(() => ebvPredict(x, basis))).toBe(0);
    x.dispose();
    basis.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => ebvLoss([0, 2], FEATURES)).toThrow('ebvLoss: expected `basis` to be given: a [numClasses, 3] matrix (see generateEquiangularBasis), got undefined');
    expect(() => ebvLoss([0, 2], FEATURES, { basis: [[1, 0], [0, 1]] })).toThrow('ebvLoss: expected `basis` to have one column per embedding dimension, [numClasses, 3], got shape [2,2]');
    expect(() => ebvLoss([0, 2], FEATURES, { basis: 'I' as never })).toThrow('ebvLoss: expected `basis` to be a [numClasses, 3] matrix, got "I" (string)');
    expect(() => ebvLoss([0, 3], FEATURES, { basis: I3 })).toThrow('ebvLoss: expected every value of `labels` to be an integer class index in [0, 2], got 3 at index 1');
    expect(() => ebvLoss([0, 1, 2], FEATURES, { basis: I3 })).toThrow('ebvLoss: expected `labels` and `embeddings` to have the same number of rows, got [3] and [2,3]');
    expect(() => ebvLoss([0, 2], [1, 2], { basis: I3 })).toThrow('ebvLoss: expected `embeddings` to have rank 2, got shape [2]');
    expect(() => ebvLoss([0, 2], FEATURES, { basis: I3, tau: 0 })).toThrow('ebvLoss: expected `tau` to be a finite number > 0, got 0 (number)');
    expect(() => ebvLoss([0, 2], FEATURES, { basis: I3, temperature: 1 } as never)).toThrow('ebvLoss: expected each option to be one of basis, tau, labelSmoothing, reduction, weights, got `temperature`');
  });
});

describe('ebvPredict(embeddings, basis)', () => {
  it('returns the class of the nearest basis vector (largest cosine), the first on ties', () => {
    const p = ebvPredict([[0.8, 0.6, 0], [0, 0.6, 0.8], [-1, 0, 0.1], [1, 1, 0]], I3);
    expect(p.dtype).toBe('int32');
    expect(Array.from(p.dataSync())).toEqual([0, 2, 2, 0]);
  });

  it('agrees with the argmin of the spherical distance on random inputs, for any row scale of the basis', () => {
    const r = rng(5);
    const basis = randomMatrix(r, 6, 4).map((row, i) => row.map((v) => v * (i + 1)));
    const x = randomMatrix(r, 30, 4);
    const expected = x.map((f) => {
      const fh = unit(f);
      const angles = basis.map((w) => Math.acos(Math.max(-1, Math.min(1, unit(w).reduce((s, v, k) => s + v * fh[k]!, 0)))));
      return angles.indexOf(Math.min(...angles));
    });
    expect(Array.from(ebvPredict(x, basis).dataSync())).toEqual(expected);
  });

  it('rejects bad input', () => {
    expect(() => ebvPredict([[1, 0]], I3)).toThrow('ebvPredict: expected `basis` to have one column per embedding dimension, [numClasses, 2], got shape [3,3]');
    expect(() => ebvPredict([1, 0], I3)).toThrow('ebvPredict: expected `embeddings` to have rank 2, got shape [2]');
  });
});
