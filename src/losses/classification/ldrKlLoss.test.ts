import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomLabels, randomMatrix, rng, values } from '../../../test/helpers.js';
import { ldrKlLoss } from './ldrKlLoss.js';
import { softmaxCrossEntropy } from './softmaxCrossEntropy.js';

type Mode = 'none' | 'softplusMean' | 'l1Mean';

// Float64 reference written from the formulas, sharing nothing with the loss.
const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
function scores(row: number[], mode: Mode): number[] {
  if (mode === 'none') return row;
  const t = mode === 'softplusMean' ? row.map(softplus) : row;
  const m = t.reduce((a, v) => a + Math.abs(v), 0) / t.length;
  return t.map((v) => v / m);
}
function margins(row: number[], y: number, c: number, mode: Mode): number[] {
  const s = scores(row, mode);
  return s.map((v, k) => (k === y ? 0 : c) + v - (s[y] as number));
}
function reference(labels: number[], logits: number[][], c: number, lambda: number, mode: Mode = 'none'): number[] {
  return logits.map((row, i) => {
    const d = margins(row, labels[i] as number, c, mode);
    const m = Math.max(...d.map((v) => v / lambda));
    const lse = m + Math.log(d.reduce((a, v) => a + Math.exp(v / lambda - m), 0));
    return lambda * (lse - Math.log(row.length));
  });
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const rows = (x: number[], c: number) => Array.from({ length: x.length / c }, (_, i) => x.slice(i * c, (i + 1) * c));

const LOGITS = [[2, 0.5, -1], [0.1, 0.2, 0.3], [-0.5, 1.5, 0]];
const LABELS = [0, 2, 1];
const none = (options: Parameters<typeof ldrKlLoss>[2] = {}) => values(ldrKlLoss(LABELS, LOGITS, { ...options, reduction: 'none' }));

describe('ldrKlLoss(yTrue, logits, options)', () => {
  it('reproduces the spec values (papers-A A.5), raw logits', () => {
    expectClose(none({ margin: 0.1, lambda: 1 }), [-0.835003, -0.032235, -0.764883], 2e-6, 1e-6);
    expectClose(ldrKlLoss(LABELS, LOGITS, { margin: 0.1, lambda: 1 }).dataSync()[0]!, -0.54404, 2e-6);
    expectClose(ldrKlLoss(LABELS, LOGITS).dataSync()[0]!, -0.54404, 2e-6); // defaults λ = 1, c = 0.1, 'none'
    expectClose(ldrKlLoss(LABELS, LOGITS, { margin: 0.1, lambda: 10 }).dataSync()[0]!, -0.821312, 2e-6);
    expectClose(ldrKlLoss(LABELS, LOGITS, { margin: 1, lambda: 0.5 }).dataSync()[0]!, -0.012756, 2e-5, 1e-6);
  });

  it("reproduces the spec values (papers-A A.5) with the code's softplusMean normalisation", () => {
    expectClose(ldrKlLoss(LABELS, LOGITS, { margin: 0.1, lambda: 10, normalize: 'softplusMean' }).dataSync()[0]!, -0.495073, 2e-6);
    expectClose(ldrKlLoss(LABELS, LOGITS, { margin: 0.1, lambda: 1, normalize: 'softplusMean' }).dataSync()[0]!, -0.396001, 2e-6);
  });

  it('matches the float64 reference on random inputs for each normalisation and a range of λ and c', () => {
    const r = rng(11);
    const logits = randomMatrix(r, 48, 6, 3);
    const labels = randomLabels(r, 48, 6);
    for (const mode of ['none', 'softplusMean', 'l1Mean'] as const) {
      for (const [lambda, margin] of [[0.05, 0.1], [1, 0], [1, 2], [30, 0.5]] as const) {
        const got = values(ldrKlLoss(labels, logits, { lambda, margin, normalize: mode, reduction: 'none' }));
        expectClose(got, reference(labels, logits, margin, lambda, mode), 1e-5, 1e-5);
      }
    }
  });

  it('has the gradient of the float64 reference (finite differences) for each normalisation', () => {
    const r = rng(12);
    const logits = randomMatrix(r, 4, 3, 2);
    const labels = randomLabels(r, 4, 3);
    for (const [mode, lambda] of [['none', 0.7], ['softplusMean', 2], ['l1Mean', 0.5]] as const) {
      const g = tf.grad((z: tf.Tensor) => ldrKlLoss(labels, z, { lambda, margin: 0.3, normalize: mode }))(tf.tensor(logits));
      const f = (x: number[]) => mean(reference(labels, rows(x, 3), 0.3, lambda, mode));
      expectClose(values(g), numericGradient(f, logits.flat()), 1e-4, 1e-6);
    }
  });

  it('has the gradient p* − e_y, p* = softmax(d/λ), per sample (normalize none)', () => {
    const r = rng(13);
    const logits = randomMatrix(r, 5, 4, 2);
    const labels = randomLabels(r, 5, 4);
    const lambda = 0.8;
    const margin = 0.2;
    const g = values(tf.grad((z: tf.Tensor) => ldrKlLoss(labels, z, { lambda, margin, reduction: 'sum' }))(tf.tensor(logits)));
    const expected = logits.flatMap((row, i) => {
      const d = margins(row, labels[i] as number, margin, 'none');
      const e = d.map((v) => Math.exp(v / lambda));
      const z = e.reduce((a, b) => a + b, 0);
      return e.map((v, k) => v / z - (k === labels[i] ? 1 : 0));
    });
    expectClose(g, expected, 1e-5, 1e-6);
  });

  it('tends to the Crammer–Singer loss max_k d_k as λ → 0: max d − λ log K <= ψ <= max d', () => {
    const r = rng(14);
    const logits = randomMatrix(r, 32, 5, 2);
    const labels = randomLabels(r, 32, 5);
    const lambda = 1e-3;
    const got = values(ldrKlLoss(labels, logits, { lambda, margin: 0.4, reduction: 'none' }));
    logits.forEach((row, i) => {
      const cs = Math.max(...margins(row, labels[i] as number, 0.4, 'none'));
      expect(got[i]!).toBeLessThanOrEqual(cs + 1e-5);
      expect(got[i]!).toBeGreaterThanOrEqual(cs - lambda * Math.log(5) - 1e-5);
    });
  });

  it('tends to the linear mean_k d_k as λ → ∞: 0 <= ψ − mean d <= (max d − min d)²/(8λ)', () => {
    const r = rng(15);
    const logits = randomMatrix(r, 32, 5, 2);
    const labels = randomLabels(r, 32, 5);
    const lambda = 1e4;
    const got = values(ldrKlLoss(labels, logits, { lambda, margin: 0.4, reduction: 'none' }));
    // The wasm backend's log1p is log(1 + x): about λ·1e-8 absolute error at this λ (cpu: rounding only).
    const slack = tf.getBackend() === 'cpu' ? 1e-5 : 1e-3;
    logits.forEach((row, i) => {
      const d = margins(row, labels[i] as number, 0.4, 'none');
      const gap = (got[i] as number) - mean(d);
      expect(gap).toBeGreaterThanOrEqual(-slack);
      expect(gap).toBeLessThanOrEqual((Math.max(...d) - Math.min(...d)) ** 2 / (8 * lambda) + slack);
    });
  });

  it('equals λ·CE(f/λ) − λ log K with margin 0 (temperature-scaled cross-entropy)', () => {
    const r = rng(16);
    const logits = randomMatrix(r, 16, 4, 3);
    const labels = randomLabels(r, 16, 4);
    for (const lambda of [0.3, 1, 4]) {
      const ce = values(softmaxCrossEntropy(labels, logits.map((row) => row.map((v) => v / lambda)), { reduction: 'none' }));
      const got = values(ldrKlLoss(labels, logits, { lambda, margin: 0, reduction: 'none' }));
      expectClose(got, ce.map((v) => lambda * v - lambda * Math.log(4)), 1e-5, 1e-5);
    }
  });

  it('is at least −λ log K and can be negative', () => {
    const r = rng(17);
    const logits = randomMatrix(r, 64, 3, 4);
    const labels = randomLabels(r, 64, 3);
    const got = values(ldrKlLoss(labels, logits, { lambda: 2, reduction: 'none' }));
    for (const v of got) expect(v).toBeGreaterThanOrEqual(-2 * Math.log(3) - 1e-5);
    expect(Math.min(...got)).toBeLessThan(0);
  });

  it("is invariant to a per-row shift with normalize 'none' and to a positive scale with 'l1Mean'", () => {
    const shifted = LOGITS.map((row, i) => row.map((z) => z + 7 * (i + 1)));
    expectClose(none(), values(ldrKlLoss(LABELS, shifted, { reduction: 'none' })), 1e-5, 1e-6);
    const scaled = LOGITS.map((row) => row.map((z) => z * 13));
    expectClose(none({ normalize: 'l1Mean' }), values(ldrKlLoss(LABELS, scaled, { normalize: 'l1Mean', reduction: 'none' })), 1e-5, 1e-6);
  });

  it('stays finite, in value and gradient, at logits of ±1e4, all-equal and all-zero logits', () => {
    const z = tf.tensor([[1e4, -1e4, 0], [-1e4, 1e4, 0], [5, 5, 5], [0, 0, 0], [-1e4, -1e4, -1e4]]);
    const labels = [1, 1, 2, 0, 2];
    for (const normalize of ['none', 'softplusMean', 'l1Mean'] as const) {
      for (const lambda of [1e-3, 1, 1e3]) {
        expectFinite(ldrKlLoss(labels, z, { normalize, lambda, reduction: 'none' }));
        expectFinite(tf.grad((x: tf.Tensor) => ldrKlLoss(labels, x, { normalize, lambda }))(z));
      }
    }
    // Raw logits: max d − λ log K = 2e4 + c − log 3 for the first row, λ log((1 + 2 e^{c/λ})/3) for equal logits.
    const v = values(ldrKlLoss(labels, z, { lambda: 1, margin: 0.1, reduction: 'none' }));
    expectClose(v[0]!, 2e4 + 0.1 - Math.log(3), 1e-6);
    expectClose([v[2]!, v[3]!], Array(2).fill(Math.log((1 + 2 * Math.exp(0.1)) / 3)), 1e-5);
    // Rows whose normalisation mean is 0 map to zero scores, i.e. the same value as equal logits.
    expectClose(values(ldrKlLoss([0], [[0, 0, 0]], { normalize: 'l1Mean', reduction: 'none' })), [v[2]!], 1e-5);
    expectClose(values(ldrKlLoss([0], [[-1e4, -1e4, -1e4]], { normalize: 'softplusMean', reduction: 'none' })), [v[2]!], 1e-5);
  });

  it("reduces by 'mean' (default), 'sum' and 'none' consistently, and takes the weighted mean with weights", () => {
    const l = none();
    expectClose(ldrKlLoss(LABELS, LOGITS, { reduction: 'sum' }).dataSync()[0]!, l[0]! + l[1]! + l[2]!, 1e-6);
    expectClose(ldrKlLoss(LABELS, LOGITS).dataSync()[0]!, mean(l), 1e-6);
    const w = [1, 2, 0.5];
    expectClose(ldrKlLoss(LABELS, LOGITS, { weights: w }).dataSync()[0]!, (l[0]! + 2 * l[1]! + 0.5 * l[2]!) / 3.5, 1e-6);
    expectClose(ldrKlLoss(LABELS, LOGITS, { weights: [1, 1, 1] }).dataSync()[0]!, mean(l), 1e-6);
    expectClose(values(ldrKlLoss(LABELS, LOGITS, { weights: w, reduction: 'none' })), l.map((v, i) => v * w[i]!), 1e-6);
  });

  it('weighs each sample by the class weight of its label; uniform class weights change nothing', () => {
    const l = none();
    expectClose(ldrKlLoss(LABELS, LOGITS, { classWeights: [2, 1, 3] }).dataSync()[0]!, (2 * l[0]! + 3 * l[1]! + 1 * l[2]!) / 6, 1e-6);
    expectClose(ldrKlLoss(LABELS, LOGITS, { classWeights: [4, 4, 4] }).dataSync()[0]!, mean(l), 1e-6);
  });

  it('accepts one-hot rows, [N, 1] labels and int32 tensors like class indices; explicit defaults change nothing', () => {
    const oneHot = LABELS.map((y) => [0, 1, 2].map((k) => (k === y ? 1 : 0)));
    expectClose(values(ldrKlLoss(oneHot, LOGITS, { reduction: 'none' })), none(), 1e-6);
    expectClose(values(ldrKlLoss(tf.tensor2d([[0], [2], [1]], [3, 1], 'int32'), LOGITS, { reduction: 'none' })), none(), 1e-6);
    expectClose(ldrKlLoss(LABELS, LOGITS, { lambda: 1, margin: 0.1, normalize: 'none', reduction: 'mean' }).dataSync()[0]!, mean(none()), 1e-6);
  });

  it('leaks no tensors', () => {
    const z = tf.tensor(LOGITS);
    for (const normalize of ['none', 'softplusMean', 'l1Mean'] as const) {
      expect(leakedTensors(() => ldrKlLoss(LABELS, z, { normalize, classWeights: [1, 2, 3], weights: [1, 2, 3] }))).toBe(0);
      expect(leakedTensors(() => tf.grad((x: tf.Tensor) => ldrKlLoss(LABELS, x, { normalize }))(z))).toBe(0);
    }
    z.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => ldrKlLoss([0, 1, 2, 0], LOGITS)).toThrow('ldrKlLoss: expected `yTrue` and `logits` to have the same number of rows, got [4] and [3,3]');
    expect(() => ldrKlLoss([0, 3, 1], LOGITS)).toThrow('ldrKlLoss: expected every value of `yTrue` to be an integer class index in [0, 2], got 3 at index 1');
    expect(() => ldrKlLoss([0, 1, 2], [1, 2, 3])).toThrow('ldrKlLoss: expected `logits` to have rank 2, got shape [3]');
    expect(() => ldrKlLoss([0], [[1]])).toThrow('ldrKlLoss: expected `logits` to have at least 2 classes (use a sigmoid loss for one logit per sample), got shape [1,1]');
    expect(() => ldrKlLoss([[0.5, 0.5, 0]], [[1, 2, 3]])).toThrow('ldrKlLoss: expected every row of `yTrue` to be one-hot (a single 1, the rest 0) or a class index, got [0.5,0.5,0] at row 0');
    expect(() => ldrKlLoss([[1, 0, 0], [0, 0, 0]], [[1, 2, 3], [1, 2, 3]])).toThrow('ldrKlLoss: expected every row of `yTrue` to be one-hot (a single 1, the rest 0) or a class index, got [0,0,0] at row 1');
    expect(() => ldrKlLoss(LABELS, LOGITS, { lambda: 0 })).toThrow('ldrKlLoss: expected `lambda` to be a finite number > 0, got 0 (number)');
    expect(() => ldrKlLoss(LABELS, LOGITS, { lambda: Number.POSITIVE_INFINITY })).toThrow('ldrKlLoss: expected `lambda` to be a finite number > 0, got Infinity (number)');
    expect(() => ldrKlLoss(LABELS, LOGITS, { margin: -0.1 })).toThrow('ldrKlLoss: expected `margin` to be a finite number >= 0, got -0.1 (number)');
    expect(() => ldrKlLoss(LABELS, LOGITS, { normalize: 'softplus' as never })).toThrow("ldrKlLoss: expected `normalize` to be one of 'none' | 'softplusMean' | 'l1Mean', got \"softplus\" (string)");
    expect(() => ldrKlLoss(LABELS, LOGITS, { classWeights: [1, 2] })).toThrow('ldrKlLoss: expected `classWeights` to have one entry per class (3), got 2 entries');
    expect(() => ldrKlLoss(LABELS, LOGITS, { reduction: 'avg' as never })).toThrow("ldrKlLoss: expected `reduction` to be one of 'mean' | 'sum' | 'none', got \"avg\" (string)");
    expect(() => ldrKlLoss(LABELS, LOGITS, { labelSmoothing: 0.1 } as never)).toThrow('ldrKlLoss: expected each option to be one of lambda, margin, normalize, classWeights, reduction, weights, got `labelSmoothing`');
    expect(() => ldrKlLoss(LABELS, LOGITS, { weights: [1, 2] })).toThrow("ldrKlLoss: expected `weights` to be per sample or broadcast to the loss's shape [3], got shape [2]");
  });
});
