import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomLabels, randomMatrix, rng, values } from '../../../test/helpers.js';
import { zLoss, zNormalize } from './zLoss.js';

// Float64 reference written from the paper's formula, sharing nothing with the loss.
function zRow(row: number[], eps: number): number[] {
  const mu = row.reduce((a, b) => a + b, 0) / row.length;
  const v = row.reduce((a, o) => a + (o - mu) ** 2, 0) / row.length;
  return row.map((o) => (o - mu) / Math.sqrt(v + eps));
}
const softplus = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
function reference(targets: number[][], logits: number[][], a = 1, b = 1, eps = 1e-6): number[] {
  return logits.map((row, i) => zRow(row, eps).reduce((s, z, c) => s + (targets[i]![c] as number) * (softplus(a * (b - z)) / a), 0));
}
// ∂ℓ/∂o = −(s/σ) [e_y − 1/C − (z_y/C) z], s = sigmoid(a(b − z_y)), from the paper.
function closedGradient(labels: number[], logits: number[][], a: number, b: number, eps: number): number[] {
  return logits.flatMap((row, i) => {
    const c = row.length;
    const mu = row.reduce((x, y) => x + y, 0) / c;
    const sigma = Math.sqrt(row.reduce((x, o) => x + (o - mu) ** 2, 0) / c + eps);
    const z = row.map((o) => (o - mu) / sigma);
    const zy = z[labels[i]!]!;
    const s = 1 / (1 + Math.exp(-a * (b - zy)));
    return z.map((zk, k) => -(s / sigma) * ((k === labels[i] ? 1 : 0) - 1 / c - (zy / c) * zk));
  });
}
const oneHot = (labels: number[], c: number) => labels.map((y) => Array.from({ length: c }, (_, k) => (k === y ? 1 : 0)));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const rows = (x: number[], c: number) => Array.from({ length: x.length / c }, (_, i) => x.slice(i * c, (i + 1) * c));
const dot = (x: number[], y: number[]) => x.reduce((s, v, i) => s + v * y[i]!, 0);

const LOGITS = [[2, 0.5, -1], [0.1, 0.2, 0.3], [-0.5, 1.5, 0]];
const LABELS = [0, 2, 1];

describe('zLoss(yTrue, logits, options)', () => {
  it('reproduces the spec values (papers-A A.8, computed there without eps)', () => {
    const z = values(zNormalize(LOGITS, { eps: 1e-12 }));
    expectClose([z[0]!, z[5]!, z[7]!], [1.224745, 1.224745, 1.372813], 2e-6, 1e-6);
    expectClose(values(zLoss(LABELS, LOGITS, { eps: 1e-12, reduction: 'none' })), [0.587075, 0.587075, 0.524015], 2e-6, 1e-6);
    expectClose(zLoss(LABELS, LOGITS, { eps: 1e-12 }).dataSync()[0]!, 0.566055, 2e-6, 1e-6);
    expectClose(zLoss(LABELS, LOGITS, { a: 0.5, b: 2, eps: 1e-12 }).dataSync()[0]!, 1.782293, 2e-6, 1e-6);
    // The default eps = 1e-6 moves the low-variance second row (σ² = 1/150) by about 1e-4 relative.
    expectClose(zLoss(LABELS, LOGITS).dataSync()[0]!, mean(reference(oneHot(LABELS, 3), LOGITS)), 1e-5);
    expect(Math.abs(zLoss(LABELS, LOGITS).dataSync()[0]! - 0.566055)).toBeGreaterThan(1e-5);
  });

  it('matches the float64 reference on random inputs for several (a, b, eps)', () => {
    const r = rng(41);
    const logits = randomMatrix(r, 48, 7, 3);
    const labels = randomLabels(r, 48, 7);
    for (const [a, b, eps] of [[1, 1, 1e-6], [0.1, 2.4, 1e-6], [0.5, 2, 1e-3], [4, -0.5, 1e-6]] as const) {
      expectClose(values(zLoss(labels, logits, { a, b, eps, reduction: 'none' })), reference(oneHot(labels, 7), logits, a, b, eps), 1e-5);
    }
  });

  it('takes one-hot rows like indices, and soft rows as the expectation Σ_c t_c ℓ(z_c)', () => {
    const r = rng(42);
    const logits = randomMatrix(r, 16, 4, 2);
    const labels = randomLabels(r, 16, 4);
    expectClose(values(zLoss(oneHot(labels, 4), logits, { reduction: 'none' })), values(zLoss(labels, logits, { reduction: 'none' })), 1e-7, 0);
    const soft = randomMatrix(r, 16, 4).map((row) => {
      const e = row.map(Math.exp);
      const s = e.reduce((x, y) => x + y, 0);
      return e.map((v) => v / s);
    });
    expectClose(values(zLoss(soft, logits, { a: 0.5, b: 1.5, reduction: 'none' })), reference(soft, logits, 0.5, 1.5), 1e-5);
  });

  it('has the closed-form gradient −(s/σ)[e_y − 1/C − (z_y/C) z] and that of the float64 reference (finite differences)', () => {
    const r = rng(43);
    const logits = randomMatrix(r, 5, 4, 2);
    const labels = randomLabels(r, 5, 4);
    for (const [a, b] of [[1, 1], [0.5, 2], [3, 0]] as const) {
      const g = values(tf.grad((z: tf.Tensor) => zLoss(labels, z, { a, b, reduction: 'sum' }))(tf.tensor(logits)));
      expectClose(g, closedGradient(labels, logits, a, b, 1e-6), 1e-4, 1e-6);
      const gm = tf.grad((z: tf.Tensor) => zLoss(labels, z, { a, b }))(tf.tensor(logits));
      const f = (x: number[]) => mean(reference(oneHot(labels, 4), rows(x, 4), a, b));
      expectClose(values(gm), numericGradient(f, logits.flat()), 1e-4, 1e-6);
    }
  });

  it('is invariant to o → αo + β (α > 0): the value, and the gradient up to the factor 1/α', () => {
    const r = rng(44);
    const logits = randomMatrix(r, 16, 5, 2);
    const labels = randomLabels(r, 16, 5);
    // Shifts leave z untouched for any eps; scales do exactly only while σ² dominates eps, so those use a tiny eps.
    for (const eps of [1e-6, 1e-12]) {
      const base = values(zLoss(labels, logits, { eps, reduction: 'none' }));
      const g0 = values(tf.grad((z: tf.Tensor) => zLoss(labels, z, { eps }))(tf.tensor(logits)));
      const moves = eps === 1e-6 ? [[1, 7], [1, -30]] : [[3, 0], [0.5, 0], [4, -2], [0.25, 5]];
      for (const [alpha, beta] of moves as [number, number][]) {
        const moved = logits.map((row) => row.map((o) => alpha * o + beta));
        expectClose(values(zLoss(labels, moved, { eps, reduction: 'none' })), base, 1e-5, 1e-6);
        const g = values(tf.grad((z: tf.Tensor) => zLoss(labels, z, { eps }))(tf.tensor(moved)));
        expectClose(g.map((v) => v * alpha), g0, 1e-4, 1e-6);
        expect(dot(g, g0) / Math.sqrt(dot(g, g) * dot(g0, g0))).toBeGreaterThan(1 - 1e-6);
      }
    }
  });

  it('departs from scale invariance with eps only by O(eps/σ²)', () => {
    // σ² = 1/150 for this row: scaling by 5 changes z by about (eps/2)(1/σ² − 1/(25σ²)) = 7e-5 relative.
    const row = [[0.1, 0.2, 0.3]];
    const z1 = values(zNormalize(row))[2]!;
    const z5 = values(zNormalize([[0.5, 1, 1.5]]))[2]!;
    expectClose(z5 / z1 - 1, 0.5e-6 * (150 - 6), 2e-2, 0);
  });

  it('keeps z_y within ±sqrt(C − 1), reached when one logit stands out', () => {
    const z = values(zNormalize([[1, 0, 0, 0], [-1, 0, 0, 0]]));
    expectClose([z[0]!, z[4]!], [Math.sqrt(3), -Math.sqrt(3)], 1e-5);
    expectClose(zLoss([0], [[1, 0, 0, 0]], { b: Math.sqrt(3), eps: 1e-12 }).dataSync()[0]!, Math.log(2), 1e-5);
  });

  it('is non-negative', () => {
    const r = rng(45);
    for (const l of values(zLoss(randomLabels(r, 32, 5), randomMatrix(r, 32, 5, 5), { a: 2, b: 0.5, reduction: 'none' }))) expect(l).toBeGreaterThanOrEqual(0);
  });

  it('stays finite, in value and gradient, at logits of ±1e4 and all-equal logits (σ = 0 → sqrt(eps))', () => {
    const z = tf.tensor([[1e4, -1e4, 0], [-1e4, 1e4, 0], [5, 5, 5], [0, 0, 0]]);
    const labels = [1, 1, 2, 0];
    const value = zLoss(labels, z, { reduction: 'none' });
    expectFinite(value);
    const g = tf.grad((x: tf.Tensor) => zLoss(labels, x, { reduction: 'sum' }))(z);
    expectFinite(g);
    const zs = Math.sqrt(1.5);
    expectClose(values(value), [softplus(1 + zs), softplus(1 - zs), softplus(1), softplus(1)], 1e-5);
    // all-equal rows: z = 0, gradient −(s/sqrt(eps)) (e_y − 1/C), large but finite
    const s = 1 / (1 + Math.exp(-1));
    expectClose(values(g).slice(6), [s / 3e-3, s / 3e-3, -2 * s / 3e-3, -2 * s / 3e-3, s / 3e-3, s / 3e-3], 1e-4);
    expectFinite(zNormalize([[3, 3, 3]]));
    expectFinite(tf.grad((x: tf.Tensor) => tf.sum(tf.mul(zNormalize(x), [1, 2, 3])))(tf.tensor([[3, 3, 3]])));
  });

  it("reduces by 'mean' (default), 'sum' and 'none' consistently, with weights as a weighted mean", () => {
    const none = values(zLoss(LABELS, LOGITS, { reduction: 'none' }));
    expectClose(zLoss(LABELS, LOGITS, { reduction: 'sum' }).dataSync()[0]!, none[0]! + none[1]! + none[2]!, 1e-6);
    expectClose(zLoss(LABELS, LOGITS).dataSync()[0]!, mean(none), 1e-6);
    const w = [1, 2, 0.5];
    expectClose(zLoss(LABELS, LOGITS, { weights: w }).dataSync()[0]!, (none[0]! + 2 * none[1]! + 0.5 * none[2]!) / 3.5, 1e-6);
    expectClose(zLoss(LABELS, LOGITS, { weights: [1, 1, 1] }).dataSync()[0]!, mean(none), 1e-6);
    expectClose(values(zLoss(LABELS, LOGITS, { weights: w, reduction: 'none' })), none.map((l, i) => l * w[i]!), 1e-6);
    expect(zLoss(LABELS, LOGITS, { a: 1, b: 1, eps: 1e-6, reduction: 'mean' }).dataSync()[0]!).toBe(zLoss(LABELS, LOGITS).dataSync()[0]!);
  });

  it('leaves ignored samples out: zero loss, zero gradient, same mean as slicing them away', () => {
    const labels = [0, -100, 1];
    expectClose(zLoss(labels, LOGITS, { ignoreIndex: -100 }).dataSync()[0]!, zLoss([0, 1], [LOGITS[0]!, LOGITS[2]!]).dataSync()[0]!, 1e-6);
    expectClose(values(zLoss(labels, LOGITS, { ignoreIndex: -100, reduction: 'none' }))[1]!, 0, 0, 0);
    const g = values(tf.grad((z: tf.Tensor) => zLoss(labels, z, { ignoreIndex: -100 }))(tf.tensor(LOGITS)));
    expectClose(g.slice(3, 6), [0, 0, 0], 0, 0);
    expectClose(zLoss([-1, -1], [[1, 2], [3, 4]], { ignoreIndex: -1 }).dataSync()[0]!, 0, 0, 0);
  });

  it('accepts labels [N, 1] and int32 tensors as class indices', () => {
    expectClose(zLoss(tf.tensor2d([[0], [2], [1]], [3, 1], 'int32'), LOGITS, { eps: 1e-12 }).dataSync()[0]!, 0.566055, 2e-6, 1e-6);
  });

  it('leaks no tensors', () => {
    const z = tf.tensor(LOGITS);
    expect(leakedTensors(() => zLoss(LABELS, z, { a: 0.5, b: 2, weights: [1, 2, 3] }))).toBe(0);
    expect(leakedTensors(() => zLoss([0, -1, 1], z, { ignoreIndex: -1 }))).toBe(0);
    expect(leakedTensors(() => tf.grad((x: tf.Tensor) => zLoss(LABELS, x))(z))).toBe(0);
    expect(leakedTensors(() => zNormalize(z))).toBe(0);
    expect(leakedTensors(() => zNormalize(LOGITS))).toBe(0);
    z.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => zLoss(LABELS, LOGITS, { a: 0 })).toThrow('zLoss: expected `a` to be a finite number > 0, got 0 (number)');
    expect(() => zLoss(LABELS, LOGITS, { b: Number.POSITIVE_INFINITY })).toThrow('zLoss: expected `b` to be a finite number, got Infinity (number)');
    expect(() => zLoss(LABELS, LOGITS, { eps: 0 })).toThrow('zLoss: expected `eps` to be a finite number > 0, got 0 (number)');
    expect(() => zLoss(LABELS, LOGITS, { ignoreIndex: 0.5 })).toThrow('zLoss: expected `ignoreIndex` to be an integer, got 0.5 (number)');
    expect(() => zLoss(LABELS, LOGITS, { labelSmoothing: 0.1 } as never)).toThrow('zLoss: expected each option to be one of a, b, eps, ignoreIndex, reduction, weights, got `labelSmoothing`');
    expect(() => zLoss([0, 1, 2, 0], LOGITS)).toThrow('zLoss: expected `yTrue` and `logits` to have the same number of rows, got [4] and [3,3]');
    expect(() => zLoss([0, 3, 1], LOGITS)).toThrow('zLoss: expected every value of `yTrue` to be an integer class index in [0, 2], got 3 at index 1');
    expect(() => zLoss([0, 1, 2], [1, 2, 3])).toThrow('zLoss: expected `logits` to have rank 2, got shape [3]');
    expect(() => zLoss([[0, 1]], [[1, 2, 3]])).toThrow("zLoss: expected `yTrue` to be class indices [1] or targets of the logits' shape [1,3], got shape [1,2]");
    expect(() => zLoss(LABELS, LOGITS, { weights: [1, 2] })).toThrow("zLoss: expected `weights` to be per sample or broadcast to the loss's shape [3], got shape [2]");
  });
});

describe('zNormalize(logits, options)', () => {
  it('standardises each row with the population variance: mean 0, mean square σ²/(σ² + eps)', () => {
    const r = rng(46);
    const logits = randomMatrix(r, 8, 6, 4);
    const z = values(zNormalize(logits));
    expectClose(z, logits.flatMap((row) => zRow(row, 1e-6)), 1e-5, 1e-6);
    for (const row of rows(z, 6)) {
      expectClose(mean(row), 0, 0, 1e-6);
      expectClose(mean(row.map((v) => v * v)), 1, 1e-5);
    }
    expectClose(values(zNormalize([2, 0.5, -1], { eps: 1e-12 })), [1.224745, 0, -1.224745], 2e-6, 1e-6);
  });

  it('is invariant to o → αo + β (α > 0) and keeps the precision of large offsets', () => {
    const base = values(zNormalize(LOGITS, { eps: 1e-12 }));
    expectClose(values(zNormalize(LOGITS.map((row) => row.map((o) => 5 * o - 3)), { eps: 1e-12 })), base, 1e-5, 1e-6);
    // E[o²] − μ² would lose all precision here in float32
    expectClose(values(zNormalize([[1000.5, 1000, 999.5]], { eps: 1e-12 })), [Math.sqrt(1.5), 0, -Math.sqrt(1.5)], 1e-5);
  });

  it('rejects bad input', () => {
    expect(() => zNormalize(LOGITS, { eps: -1 })).toThrow('zNormalize: expected `eps` to be a finite number > 0, got -1 (number)');
    expect(() => zNormalize(LOGITS, { epsilon: 1 } as never)).toThrow('zNormalize: expected each option to be one of eps, reduction, weights, got `epsilon`');
    expect(() => zNormalize([[[1, 2]]])).toThrow('zNormalize: expected `logits` to have rank 1 or 2, got shape [1,1,2]');
    expect(() => zNormalize([[]])).toThrow('zNormalize: expected `logits` to hold at least one element, got shape [1,0]');
  });
});
