import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomMatrix, rng, values } from '../../../test/helpers.js';
import { barlowTwinsLoss } from './barlowTwinsLoss.js';

// Float64 reference written from the definition (BatchNorm1d(affine=False), train mode), sharing nothing with the loss.
function standardize(z: number[][], eps: number, unbiased: boolean): number[][] {
  const n = z.length;
  const d = z[0]!.length;
  const out = z.map((row) => row.slice());
  for (let j = 0; j < d; j++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += z[i]![j]! / n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (z[i]![j]! - m) ** 2;
    v /= unbiased ? n - 1 : n;
    for (let i = 0; i < n; i++) out[i]![j] = (z[i]![j]! - m) / Math.sqrt(v + eps);
  }
  return out;
}
function parts(za: number[][], zb: number[][], eps = 1e-5, unbiased = false): { on: number; off: number } {
  const n = za.length;
  const d = za[0]!.length;
  const a = standardize(za, eps, unbiased);
  const b = standardize(zb, eps, unbiased);
  let on = 0;
  let off = 0;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let c = 0;
      for (let k = 0; k < n; k++) c += (a[k]![i]! * b[k]![j]!) / n;
      if (i === j) on += (1 - c) ** 2;
      else off += c * c;
    }
  }
  return { on, off };
}
function reference(za: number[][], zb: number[][], lambda = 0.0051, eps = 1e-5, unbiased = false): number {
  const { on, off } = parts(za, zb, eps, unbiased);
  return on + lambda * off;
}
const rows = (x: number[], c: number) => Array.from({ length: x.length / c }, (_, i) => x.slice(i * c, (i + 1) * c));
const scalar = (t: tf.Tensor) => t.dataSync()[0]!;

const ZA = [[1, 2, 0], [0, 1, 1], [2, 0, 1], [1, 1, 3]];
const NOISE = [[0.1, -0.2, 0], [0, 0.1, 0.3], [-0.1, 0, 0.2], [0.2, 0.1, -0.1]];
const ZB = ZA.map((row, i) => row.map((v, j) => v + NOISE[i]![j]!));

describe('barlowTwinsLoss(viewA, viewB, options)', () => {
  it('reproduces the spec values (papers-C §30): on-diagonal, off-diagonal and total', () => {
    const on = scalar(barlowTwinsLoss(ZA, ZB, { lambda: 0 }));
    expectClose(on, 3.896862e-4, 2e-4);
    expectClose(scalar(barlowTwinsLoss(ZA, ZB, { lambda: 1 })) - on, 0.7607577, 1e-5);
    expectClose(scalar(barlowTwinsLoss(ZA, ZB)), 4.269551e-3, 2e-5);
    // The float64 reference agrees with the spec to its printed digits.
    expectClose(parts(ZA, ZB).on, 3.896862e-4, 1e-6);
    expectClose(parts(ZA, ZB).off, 0.7607577, 1e-6);
  });

  it('matches the float64 reference on random inputs, for λ, eps and both normalisations', () => {
    const r = rng(1);
    const a = randomMatrix(r, 32, 6, 2);
    const b = a.map((row) => row.map((v) => 0.7 * v + 0.5 * (r() - 0.5)));
    for (const [lambda, eps, normalization] of [[0.0051, 1e-5, 'batchnorm'], [0.5, 1e-3, 'batchnorm'], [0.0051, 1e-5, 'unbiasedStd'], [2, 0, 'unbiasedStd']] as const) {
      expectClose(scalar(barlowTwinsLoss(a, b, { lambda, eps, normalization })), reference(a, b, lambda, eps, normalization === 'unbiasedStd'), 1e-4, 1e-6);
    }
    const c = randomMatrix(r, 16, 5);
    const d = randomMatrix(r, 16, 5);
    expectClose(scalar(barlowTwinsLoss(c, d, { lambda: 0.1 })), reference(c, d, 0.1), 1e-5);
  });

  it('has the gradient of the float64 reference (finite differences), in both views', () => {
    const r = rng(3);
    const a = randomMatrix(r, 5, 3);
    const b = randomMatrix(r, 5, 3);
    for (const normalization of ['batchnorm', 'unbiasedStd'] as const) {
      const u = normalization === 'unbiasedStd';
      const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => barlowTwinsLoss(x, y, { lambda: 0.3, normalization }))([tf.tensor(a), tf.tensor(b)]);
      expectClose(values(gb!), numericGradient((x) => reference(a, rows(x, 3), 0.3, 1e-5, u), b.flat()), 1e-3, 1e-5);
      expectClose(values(ga!), numericGradient((x) => reference(rows(x, 3), b, 0.3, 1e-5, u), a.flat()), 1e-3, 1e-5);
    }
  });

  it('is unchanged (up to eps) by per-dimension shifts and positive rescalings of either view', () => {
    const r = rng(4);
    const a = randomMatrix(r, 12, 4);
    const b = randomMatrix(r, 12, 4).map((row, i) => row.map((v, j) => v + a[i]![j]!));
    const scale = [0.5, 3, 10, 1.7];
    const shift = [-4, 2, 100, 0.3];
    const a2 = a.map((row) => row.map((v, j) => scale[j]! * v + shift[j]!));
    const b2 = b.map((row) => row.map((v, j) => v / scale[j]! - shift[j]!));
    const base = scalar(barlowTwinsLoss(a, b, { lambda: 0.2 }));
    expectClose(scalar(barlowTwinsLoss(a2, b2, { lambda: 0.2 })), base, 2e-4);
    expectClose(scalar(barlowTwinsLoss(a2, b2, { lambda: 0.2, eps: 0 })), scalar(barlowTwinsLoss(a, b, { lambda: 0.2, eps: 0 })), 1e-4);
    // Flipping the sign of one dimension in both views leaves C_ii and every C_ij² unchanged.
    const flip = (z: number[][]) => z.map((row) => row.map((v, j) => (j === 1 ? -v : v)));
    expectClose(scalar(barlowTwinsLoss(flip(a), flip(b), { lambda: 0.2 })), base, 1e-5);
    // Flipping it in one view only flips C_11 and changes the loss.
    expect(Math.abs(scalar(barlowTwinsLoss(flip(a), b, { lambda: 0.2 })) - base)).toBeGreaterThan(0.1);
  });

  it('is about 0 for identical views with decorrelated, non-constant dimensions', () => {
    const z = [[1, 1, 1], [-1, 1, -1], [1, -1, -1], [-1, -1, 1]];
    const v = scalar(barlowTwinsLoss(z, z));
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThan(1e-8);
    expectClose(v, reference(z, z), 0, 1e-9);
  });

  it('stays finite for a constant dimension (variance 0 standardises to 0 through eps)', () => {
    const a = [[1, 5], [2, 5], [3, 5], [0, 5]];
    const b = [[1.1, 2], [2.2, 2], [2.9, 2], [0.3, 2]];
    const value = barlowTwinsLoss(a, b);
    expectFinite(value);
    expectClose(scalar(value), reference(a, b), 1e-5);
    // The constant dimension contributes (1 − 0)² = 1 and nothing off the diagonal.
    expect(scalar(value)).toBeGreaterThan(1);
    const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => barlowTwinsLoss(x, y))([tf.tensor(a), tf.tensor(b)]);
    expectFinite(ga!);
    expectFinite(gb!);
    expectFinite(tf.grad((x: tf.Tensor) => barlowTwinsLoss(a, x))(tf.tensor([[1, 1], [1, 1], [1, 1], [1, 1]])));
  });

  it('stays finite, in value and gradient, at inputs of ±1e4', () => {
    const a = tf.tensor([[1e4, -1e4, 0], [-1e4, 1e4, 3], [1e4, 1e4, -1e4], [0, 0, 1e4]]);
    const b = tf.tensor([[-1e4, 1e4, 0], [1e4, 1e4, 1], [0, -1e4, 2], [1e4, 0, -1e4]]);
    expectFinite(barlowTwinsLoss(a, b));
    const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => barlowTwinsLoss(x, y))([a, b]);
    expectFinite(ga!);
    expectFinite(gb!);
  });

  it("returns one value per batch: 'mean' and 'sum' give it, 'none' gives it as [1]", () => {
    const v = scalar(barlowTwinsLoss(ZA, ZB));
    expectClose(scalar(barlowTwinsLoss(ZA, ZB, { reduction: 'sum' })), v, 1e-7);
    const none = barlowTwinsLoss(ZA, ZB, { reduction: 'none' });
    expect(none.shape).toEqual([1]);
    expectClose(values(none), [v], 1e-7);
  });

  it('weighs samples inside the batch statistics: integer weights equal repeating the rows', () => {
    const r = rng(5);
    const a = randomMatrix(r, 6, 3);
    const b = randomMatrix(r, 6, 3);
    const w = [2, 1, 1, 3, 1, 2];
    const repeat = (z: number[][]) => z.flatMap((row, i) => Array.from({ length: w[i]! }, () => row));
    expectClose(scalar(barlowTwinsLoss(a, b, { weights: w, lambda: 0.4 })), reference(repeat(a), repeat(b), 0.4), 1e-5);
    expectClose(scalar(barlowTwinsLoss(a, b, { weights: w.map((x) => 2.5 * x), lambda: 0.4 })), reference(repeat(a), repeat(b), 0.4), 1e-5);
    for (const normalization of ['batchnorm', 'unbiasedStd'] as const) {
      const plain = scalar(barlowTwinsLoss(a, b, { normalization }));
      expectClose(scalar(barlowTwinsLoss(a, b, { normalization, weights: tf.ones([6, 1]) })), plain, 1e-6);
    }
    // A zero weight removes the sample.
    expectClose(scalar(barlowTwinsLoss(a, b, { weights: [1, 1, 1, 1, 1, 0] })), reference(a.slice(0, 5), b.slice(0, 5)), 1e-5);
    const g = values(tf.grad((x: tf.Tensor) => barlowTwinsLoss(a, x, { weights: [1, 1, 1, 1, 1, 0] }))(tf.tensor(b)));
    expectClose(g.slice(15), [0, 0, 0], 0, 1e-7);
  });

  it('leaks no tensors', () => {
    const a = tf.tensor(ZA);
    const b = tf.tensor(ZB);
    for (const normalization of ['batchnorm', 'unbiasedStd'] as const) {
      expect(leakedTensors(() => barlowTwinsLoss(a, b, { normalization, weights: [1, 2, 1, 1] }))).toBe(0);
      expect(leakedTensors(() => tf.grads((x: tf.Tensor, y: tf.Tensor) => barlowTwinsLoss(x, y, { normalization }))([a, b]))).toBe(0);
    }
    a.dispose();
    b.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => barlowTwinsLoss(ZA, ZB.slice(0, 3))).toThrow('barlowTwinsLoss: expected `viewA` and `viewB` to have the same shape, got [4,3] and [3,3]');
    expect(() => barlowTwinsLoss([1, 2], [1, 2])).toThrow('barlowTwinsLoss: expected `viewB` to have rank 2, got shape [2]');
    expect(() => barlowTwinsLoss([[1, 2]], [[1, 2]])).toThrow('barlowTwinsLoss: expected `viewB` to have at least 2 rows (the loss uses statistics of the batch), got shape [1,2]');
    expect(() => barlowTwinsLoss(ZA, ZB, { lambda: -1 })).toThrow('barlowTwinsLoss: expected `lambda` to be a finite number >= 0, got -1 (number)');
    expect(() => barlowTwinsLoss(ZA, ZB, { normalization: 'layer' as never })).toThrow("barlowTwinsLoss: expected `normalization` to be one of 'batchnorm' | 'unbiasedStd', got \"layer\" (string)");
    expect(() => barlowTwinsLoss(ZA, ZB, { weights: [1, 2] })).toThrow('barlowTwinsLoss: expected `weights` to hold one weight per sample [4] (they weigh the batch statistics), got shape [2]');
    expect(() => barlowTwinsLoss(ZA, ZB, { weights: [1, -2, 1, 1] })).toThrow('barlowTwinsLoss: expected every value of `weights` to lie in [0, Infinity], got -2 at flat index 1');
    expect(() => barlowTwinsLoss(ZA, ZB, { weights: [0, 0, 0, 0] })).toThrow('barlowTwinsLoss: expected `weights` to have a positive sum, got sum 0');
    expect(() => barlowTwinsLoss(ZA, ZB, { lambd: 0.1 } as never)).toThrow('barlowTwinsLoss: expected each option to be one of lambda, eps, normalization, reduction, weights, got `lambd`');
  });
});
