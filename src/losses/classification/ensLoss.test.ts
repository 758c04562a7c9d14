import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, normals, numericGradient, rng, values } from '../../../test/helpers.js';
import { ensLoss } from './ensLoss.js';

interface Knobs {
  lambda?: number;
  clipMin?: number;
  tailStart?: number;
  shift?: number;
}

// Float64 reference of the authors' 8 steps, written from the procedure, sharing nothing with the loss.
function derivatives(z: number[], eps: number[], { lambda = 0, clipMin = -1, tailStart = 1, shift = 1e-6 }: Knobs = {}): number[] {
  const bcInv = (e: number) => (lambda === 0 ? Math.exp(e) : Math.max(1 + lambda * e, 0) ** (1 / lambda));
  const r = eps.map((e) => -bcInv(e)).sort((a, b) => a - b).map((v) => Math.max(v, clipMin));
  const byMargin = z.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const g = Array<number>(z.length);
  byMargin.forEach(([, i], rank) => {
    g[i] = r[rank] as number;
  });
  return g.map((v, i) => (z[i]! > tailStart ? v / z[i]! : v) - shift);
}
const margins = (labels: number[], f: number[]) => f.map((v, i) => (2 * labels[i]! - 1) * v);
/** The surrogate with g held fixed (stop-gradient), as a function of the logits. */
const surrogate = (labels: number[], f: number[], g: number[]) => margins(labels, f).reduce((a, z, i) => a + g[i]! * z, 0) / f.length;
const float32 = (xs: number[]) => Array.from(Float32Array.from(xs));

const Z = [0.5, -1, 2, 1.5];
const EPS = [0.3, -1.2, 0.8, -0.1];
const LABELS = [1, 0, 1, 0];
const F = [0.5, 1, 2, -1.5]; // margins y·f = Z

describe('ensLoss(yTrue, logits, options)', () => {
  it('reproduces the spec values (papers-A A.4): derivatives, surrogate and gradient g/4', () => {
    const g = [-1.000001, -1.000001, -0.150598, -0.603226];
    expectClose(values(ensLoss([1, 1, 1, 1], Z, { normals: EPS, reduction: 'none' })), g.map((v, i) => v * Z[i]!), 2e-6, 1e-6);
    expectClose(ensLoss([1, 1, 1, 1], Z, { normals: EPS }).dataSync()[0]!, -0.176509, 3e-6);
    expectClose(values(tf.grad((z: tf.Tensor) => ensLoss([1, 1, 1, 1], z, { normals: EPS }))(tf.tensor(Z))), g.map((v) => v / 4), 3e-6, 1e-7);
    // Mixed labels with the same margins: the same surrogate, gradient g·y/4 with respect to f.
    expectClose(ensLoss(LABELS, F, { normals: EPS }).dataSync()[0]!, -0.176509, 3e-6);
    const gf = values(tf.grad((f: tf.Tensor) => ensLoss(LABELS, f, { normals: EPS }))(tf.tensor(F)));
    expectClose(gf, g.map((v, i) => (v * (2 * LABELS[i]! - 1)) / 4), 3e-6, 1e-7);
  });

  it('matches the float64 reference on random inputs, for several λ and knob settings', () => {
    const r = rng(31);
    const settings: Knobs[] = [{}, { lambda: 0.5 }, { lambda: -0.7 }, { lambda: 1, clipMin: -2, tailStart: 0.5, shift: 1e-3 }, { clipMin: -0.3, shift: 0 }];
    for (const knobs of settings) {
      const n = 40;
      const labels = Array.from({ length: n }, () => (r() < 0.5 ? 1 : 0));
      const f = normals(r, n).map((v) => 2 * v);
      const eps = normals(r, n);
      const g = derivatives(margins(labels, float32(f)), eps, knobs);
      const none = values(ensLoss(labels, f, { ...knobs, normals: eps, reduction: 'none' }));
      expectClose(none, margins(labels, f).map((z, i) => g[i]! * z), 1e-5, 1e-7);
      expectClose(ensLoss(labels, f, { ...knobs, normals: eps }).dataSync()[0]!, surrogate(labels, f, g), 1e-5, 1e-7);
      const grad = values(tf.grad((x: tf.Tensor) => ensLoss(labels, x, { ...knobs, normals: eps }))(tf.tensor(f)));
      expectClose(grad, g.map((v, i) => (v * (2 * labels[i]! - 1)) / n), 1e-5, 1e-9);
    }
  });

  it('has the gradient of the float64 surrogate with g held fixed (finite differences)', () => {
    const r = rng(32);
    const labels = [1, 0, 0, 1, 1, 0];
    const f = normals(r, 6).map((v) => 1.5 * v);
    const eps = normals(r, 6);
    const g = derivatives(margins(labels, float32(f)), eps);
    const grad = values(tf.grad((x: tf.Tensor) => ensLoss(labels, x, { normals: eps }))(tf.tensor(f)));
    expectClose(grad, numericGradient((x) => surrogate(labels, x, g), f), 1e-5, 1e-8);
  });

  it('samples the derivative of a convex calibrated loss: negative everywhere, non-decreasing in the margin', () => {
    const r = rng(33);
    for (const lambda of [0, 0.6, -0.6]) {
      const n = 64;
      const labels = Array.from({ length: n }, () => (r() < 0.5 ? 1 : 0));
      const f = normals(r, n).map((v) => 3 * v);
      const grad = values(tf.grad((x: tf.Tensor) => ensLoss(labels, x, { seed: 5, lambda }))(tf.tensor(f)));
      // dL/df_i = g_i y_i / n, so g_i = n y_i dL/df_i.
      const g = grad.map((v, i) => v * n * (2 * labels[i]! - 1));
      const z = margins(labels, f);
      const order = z.map((_, i) => i).sort((a, b) => z[a]! - z[b]!);
      for (let j = 0; j < n; j++) {
        const gi = g[order[j]!]!;
        expect(gi).toBeLessThan(0);
        expect(gi).toBeGreaterThanOrEqual(-1 - 1e-6 - 1e-6);
        if (j > 0) expect(gi).toBeGreaterThanOrEqual(g[order[j - 1]!]! - 1e-7);
      }
    }
  });

  it('draws ε from a seeded mulberry32 stream with Box–Muller normals: same seed, same result', () => {
    const r = rng(34);
    const labels = [1, 0, 1, 1, 0, 0, 1, 0];
    const f = normals(r, 8);
    // test/helpers' rng and normals are the documented generator (mulberry32, Box–Muller on 1 − u1, u2).
    const injected = ensLoss(labels, f, { normals: normals(rng(1234), 8), reduction: 'none' });
    expectClose(values(ensLoss(labels, f, { seed: 1234, reduction: 'none' })), values(injected), 1e-7, 0);
    const grad = (options: object) => values(tf.grad((x: tf.Tensor) => ensLoss(labels, x, options))(tf.tensor(f)));
    expect(grad({ seed: 99 })).toEqual(grad({ seed: 99 }));
    expect(grad({ seed: 99 })).not.toEqual(grad({ seed: 100 }));
  });

  it('draws new derivatives on each call without a seed (one internal stream)', () => {
    const labels = [1, 0, 1, 1, 0, 0, 1, 0];
    const f = normals(rng(35), 8);
    const grad = () => values(tf.grad((x: tf.Tensor) => ensLoss(labels, x))(tf.tensor(f)));
    const a = grad();
    const b = grad();
    expect(a).not.toEqual(b);
    for (const v of [...a, ...b]) expect(Number.isFinite(v)).toBe(true);
  });

  it('lets normals take precedence over seed', () => {
    const a = values(ensLoss(LABELS, F, { normals: EPS, seed: 3, reduction: 'none' }));
    expect(a).toEqual(values(ensLoss(LABELS, F, { normals: EPS, reduction: 'none' })));
  });

  it('gives the smallest margin the steepest derivative and ties to the earlier element first', () => {
    // Equal margins: the sorted derivatives go out by position; only the tail (z > 1) then differs.
    const eps = [-0.5, -1.5, -1];
    const g = values(ensLoss([1, 1, 1], [0.3, 0.3, 0.3], { normals: eps, reduction: 'none' })).map((v) => v / 0.3);
    expectClose(g, [-Math.exp(-0.5), -Math.exp(-1), -Math.exp(-1.5)].map((v) => v - 1e-6), 1e-6, 1e-8);
    // Distinct margins: the steepest derivative goes to the smallest margin wherever it sits.
    const h = values(ensLoss([1, 1, 1], [0.3, -0.2, 0.9], { normals: eps, reduction: 'none' }));
    expectClose(h, [-Math.exp(-1) * 0.3, -Math.exp(-0.5) * -0.2, -Math.exp(-1.5) * 0.9].map((v, i) => v - 1e-6 * [0.3, -0.2, 0.9][i]!), 1e-6, 1e-8);
  });

  it('stays finite, in value and gradient, at logits of ±1e4 and all-equal logits, and for an all-negative batch', () => {
    const cases: [number[], number[]][] = [
      [[1, 0, 1, 0], [1e4, -1e4, -1e4, 1e4]],
      [[1, 0, 1, 0], [3, 3, 3, 3]],
      [[0, 0, 0, 0], [0.2, -5, 1e4, -1e4]],
    ];
    for (const [labels, f] of cases) {
      for (const lambda of [0, 0.9, -0.9]) {
        expectFinite(ensLoss(labels, f, { seed: 8, lambda, reduction: 'none' }));
        expectFinite(tf.grad((x: tf.Tensor) => ensLoss(labels, x, { seed: 8, lambda }))(tf.tensor(f)));
      }
    }
  });

  it("reduces by 'mean' (default), 'sum' and 'none' consistently; weights give the weighted mean", () => {
    const none = values(ensLoss(LABELS, F, { normals: EPS, reduction: 'none' }));
    expectClose(ensLoss(LABELS, F, { normals: EPS, reduction: 'sum' }).dataSync()[0]!, none.reduce((a, b) => a + b, 0), 1e-6);
    expectClose(ensLoss(LABELS, F, { normals: EPS }).dataSync()[0]!, none.reduce((a, b) => a + b, 0) / 4, 1e-6);
    const w = [1, 2, 0.5, 0];
    expectClose(ensLoss(LABELS, F, { normals: EPS, weights: w }).dataSync()[0]!, none.reduce((a, v, i) => a + v * w[i]!, 0) / 3.5, 1e-6);
    expectClose(ensLoss(LABELS, F, { normals: EPS, weights: [1, 1, 1, 1] }).dataSync()[0]!, -0.176509, 3e-6);
    const explicit = { seed: 4, lambda: 0, clipMin: -1, tailStart: 1, shift: 1e-6, reduction: 'mean' as const };
    expect(values(ensLoss(LABELS, F, explicit))).toEqual(values(ensLoss(LABELS, F, { seed: 4 })));
  });

  it('accepts logits [N, 1] against labels [N], and returns the logits shape unreduced', () => {
    const col = tf.tensor2d(F, [4, 1]);
    const out = ensLoss(LABELS, col, { normals: EPS, reduction: 'none' });
    expect(out.shape).toEqual([4, 1]);
    expectClose(ensLoss(LABELS, col, { normals: EPS }).dataSync()[0]!, -0.176509, 3e-6);
    expectClose(ensLoss(tf.tensor1d(LABELS, 'int32'), F, { normals: tf.tensor1d(EPS) }).dataSync()[0]!, -0.176509, 3e-6);
  });

  it('leaks no tensors', () => {
    const f = tf.tensor(F);
    const eps = tf.tensor1d(EPS);
    expect(leakedTensors(() => ensLoss(LABELS, f, { seed: 1, weights: [1, 2, 3, 4] }))).toBe(0);
    expect(leakedTensors(() => ensLoss(LABELS, f, { normals: eps, reduction: 'none' }))).toBe(0);
    expect(leakedTensors(() => tf.grad((x: tf.Tensor) => ensLoss(LABELS, x))(f))).toBe(0);
    f.dispose();
    eps.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => ensLoss([1, 0, 1], F)).toThrow('ensLoss: expected `yTrue` and `logits` to have the same shape, got [3] and [4]');
    expect(() => ensLoss([1, 0, 2, 0], F)).toThrow('ensLoss: expected every value of `yTrue` to lie in [0, 1], got 2 at flat index 2');
    expect(() => ensLoss([[[1]]], [[[1]]])).toThrow('ensLoss: expected `logits` to have rank 1 or 2, got shape [1,1,1]');
    expect(() => ensLoss(LABELS, F, { seed: 1.5 })).toThrow('ensLoss: expected `seed` to be an integer >= 0 and <= 4294967295, got 1.5 (number)');
    expect(() => ensLoss(LABELS, F, { seed: -1 })).toThrow('ensLoss: expected `seed` to be an integer >= 0 and <= 4294967295, got -1 (number)');
    expect(() => ensLoss(LABELS, F, { seed: '7' as never })).toThrow('ensLoss: expected `seed` to be an integer >= 0 and <= 4294967295, got "7" (string)');
    expect(() => ensLoss(LABELS, F, { normals: [1, 2, 3] })).toThrow('ensLoss: expected `normals` to hold one draw per sample (4), got 3 values');
    expect(() => ensLoss(LABELS, F, { normals: [1, Number.NaN, 3, 4] })).toThrow('ensLoss: expected every value of `normals` to be a finite number, got NaN (number) at index 1');
    expect(() => ensLoss(LABELS, F, { normals: 0.5 as never })).toThrow('ensLoss: expected `normals` to be an array of 4 numbers, got 0.5 (number)');
    expect(() => ensLoss(LABELS, F, { clipMin: 0 })).toThrow('ensLoss: expected `clipMin` to be a finite number < 0, got 0 (number)');
    expect(() => ensLoss(LABELS, F, { tailStart: 0 })).toThrow('ensLoss: expected `tailStart` to be a finite number > 0, got 0 (number)');
    expect(() => ensLoss(LABELS, F, { shift: -1 })).toThrow('ensLoss: expected `shift` to be a finite number >= 0, got -1 (number)');
    expect(() => ensLoss(LABELS, F, { lambda: Number.NaN })).toThrow('ensLoss: expected `lambda` to be a finite number, got NaN (number)');
    expect(() => ensLoss(LABELS, F, { reduction: 'avg' as never })).toThrow("ensLoss: expected `reduction` to be one of 'mean' | 'sum' | 'none', got \"avg\" (string)");
    expect(() => ensLoss(LABELS, F, { sed: 1 } as never)).toThrow('ensLoss: expected each option to be one of seed, lambda, clipMin, tailStart, shift, normals, reduction, weights, got `sed`');
    expect(() => ensLoss(LABELS, F, { weights: [1, 2] })).toThrow("ensLoss: expected `weights` to be per sample or broadcast to the loss's shape [4], got shape [2]");
  });
});
