import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, normals, numericGradient, rng, values } from '../../../test/helpers.js';
import { type AnyLossOptions, anyLoss, softConfusion } from './anyLoss.js';

// Float64 reference written from the formulas in papers-A §1, sharing nothing with the loss.
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
type Metric = 'accuracy' | 'f1' | 'fbeta' | 'gmean' | 'balancedAccuracy';
interface RefOptions {
  L?: number;
  beta?: number;
  eps?: number;
  sqrt?: boolean;
  w?: number[];
}
function refConfusion(y: number[], p: number[], L = 73, w?: number[]) {
  let TP = 0;
  let FN = 0;
  let FP = 0;
  let TN = 0;
  p.forEach((pi, i) => {
    const a = sigmoid(L * (pi - 0.5));
    const wi = w === undefined ? 1 : (w[i] as number);
    const yi = y[i] as number;
    TP += wi * yi * a;
    FN += wi * yi * (1 - a);
    FP += wi * (1 - yi) * a;
    TN += wi * (1 - yi) * (1 - a);
  });
  return { TP, FN, FP, TN };
}
function refLoss(metric: Metric, y: number[], p: number[], o: RefOptions = {}): number {
  const { L = 73, beta = 1, eps = 1e-5, sqrt = true, w } = o;
  const { TP, FN, FP, TN } = refConfusion(y, p, L, w);
  const n1 = TP + FN;
  const n0 = FP + TN;
  let score: number;
  if (metric === 'accuracy') score = (TP + TN) / (n1 + n0 + eps);
  else if (metric === 'f1' || metric === 'fbeta') {
    const b2 = metric === 'f1' ? 1 : beta * beta;
    score = ((1 + b2) * TP) / ((1 + b2) * TP + b2 * FN + FP + eps);
  } else if (metric === 'gmean') {
    const r = (TP * TN) / (n1 * n0 + eps);
    score = sqrt ? Math.sqrt(r) : r;
  } else score = (n0 * TP + n1 * TN) / (2 * n1 * n0 + eps);
  return 1 - score;
}
const METRICS: Metric[] = ['accuracy', 'f1', 'fbeta', 'gmean', 'balancedAccuracy'];
const scalar = (t: tf.Tensor) => t.dataSync()[0] as number;

const P = [0.9, 0.2, 0.7, 0.4, 0.6];
const Y = [1, 0, 1, 0, 0];

describe('anyLoss(yTrue, logits, options)', () => {
  it('reproduces the spec values (papers-A A.1) at L = 73 and L = 10, all five columns', () => {
    const table: [number, number[]][] = [
      [73, [0.2, 0.2, 0.183504, 0.333333, 0.166667]],
      [10, [0.236923, 0.241254, 0.221403, 0.393787, 0.208868]],
    ];
    for (const [L, [acc, f1, gSqrt, gPlain, bacc]] of table) {
      // The spec's float64 values have no ε; with ε = 0 they are reproduced to their 6 decimals.
      const o: AnyLossOptions = { L, eps: 0, fromLogits: false };
      expectClose(scalar(anyLoss(Y, P, { ...o, metric: 'accuracy' })), acc!, 0, 1.5e-6);
      expectClose(scalar(anyLoss(Y, P, { ...o, metric: 'f1' })), f1!, 0, 1.5e-6);
      expectClose(scalar(anyLoss(Y, P, { ...o, metric: 'gmean' })), gSqrt!, 0, 1.5e-6);
      expectClose(scalar(anyLoss(Y, P, { ...o, metric: 'gmean', gmeanSqrt: false })), gPlain!, 0, 1.5e-6);
      expectClose(scalar(anyLoss(Y, P, { ...o, metric: 'balancedAccuracy' })), bacc!, 0, 1.5e-6);
    }
  });

  it('reproduces the A(p) column of A.1 through the soft confusion matrix of one positive', () => {
    const expected: [number, number[]][] = [
      [73, [1, 0, 1, 0.000675, 0.999325]],
      [10, [0.982014, 0.047426, 0.880797, 0.268941, 0.731059]],
    ];
    for (const [L, a] of expected) {
      const got = P.map((p) => scalar(softConfusion([1], [p], { L }).TP));
      expectClose(got, a, 0, 1e-6);
    }
  });

  it('matches the float64 reference on random inputs: every metric, logits and probabilities, soft labels, weights', () => {
    const r = rng(11);
    const n = 40;
    const z = normals(r, n).map((v) => 1.5 * v);
    const p = z.map(sigmoid);
    const hard = Array.from({ length: n }, () => (r() < 0.3 ? 1 : 0));
    const soft = Array.from({ length: n }, () => r());
    const w = Array.from({ length: n }, () => 2 * r());
    for (const metric of METRICS) {
      for (const L of [73, 10]) {
        for (const y of [hard, soft]) {
          const cases: [AnyLossOptions, RefOptions][] = [
            [{ metric, L }, { L }],
            [{ metric, L, beta: 2, gmeanSqrt: false, eps: 1e-3 }, { L, beta: 2, sqrt: false, eps: 1e-3 }],
            [{ metric, L, weights: w }, { L, w }],
          ];
          for (const [o, ro] of cases) {
            expectClose(scalar(anyLoss(y, z, o)), refLoss(metric, y, p, ro), 1e-5, 1e-6);
            expectClose(scalar(anyLoss(y, p, { ...o, fromLogits: false })), refLoss(metric, y, p, ro), 1e-5, 1e-6);
          }
        }
      }
    }
  });

  it('softConfusion matches the float64 reference, with and without weights', () => {
    const r = rng(12);
    const p = Array.from({ length: 30 }, () => r());
    const y = Array.from({ length: 30 }, () => (r() < 0.5 ? 1 : 0));
    const w = Array.from({ length: 30 }, () => 3 * r());
    for (const [L, weights] of [[73, undefined], [10, undefined], [10, w]] as const) {
      const c = softConfusion(y, p, weights === undefined ? { L } : { L, weights });
      const ref = refConfusion(y, p, L, weights);
      expectClose([scalar(c.TP), scalar(c.FN), scalar(c.FP), scalar(c.TN)], [ref.TP, ref.FN, ref.FP, ref.TN], 1e-5, 1e-5);
      expect(c.TP.shape).toEqual([]);
    }
  });

  it('has the closed-form gradients ∂ℓ/∂A_i of papers-A §1, chained through L·A(1 − A) (L = 10, ε = 0)', () => {
    const r = rng(13);
    const n = 12;
    const p = Array.from({ length: n }, () => 0.05 + 0.9 * r());
    const y = Array.from({ length: n }, (_, i): number => (i % 3 === 0 ? 1 : 0));
    const L = 10;
    const beta = 1.5;
    const A = p.map((pi) => sigmoid(L * (pi - 0.5)));
    const { TP, TN } = refConfusion(y, p, L);
    const n1 = y.reduce((s, v) => s + v, 0);
    const n0 = n - n1;
    const T = y.reduce((s, yi, i) => s + yi * A[i]!, 0);
    const S = beta * beta * n1 + A.reduce((s, a) => s + a, 0);
    const G = Math.sqrt((TP * TN) / (n1 * n0));
    const dA: Record<Exclude<Metric, 'f1'>, (yi: number) => number> = {
      accuracy: (yi) => -(2 * yi - 1) / n,
      fbeta: (yi) => (-(1 + beta * beta) * (yi * S - T)) / (S * S),
      balancedAccuracy: (yi) => -(yi / n1 - (1 - yi) / n0) / 2,
      gmean: (yi) => -(yi * TN - (1 - yi) * TP) / (2 * G * n1 * n0),
    };
    for (const [metric, d] of Object.entries(dA) as [Metric, (yi: number) => number][]) {
      const g = tf.grad((x: tf.Tensor) => anyLoss(y, x, { metric, L, beta, eps: 0, fromLogits: false }))(tf.tensor(p));
      const closed = y.map((yi, i) => d(yi) * L * A[i]! * (1 - A[i]!));
      expectClose(values(g), closed, 1e-4, 1e-7);
    }
  });

  it('has the gradient of the float64 reference (finite differences), every metric, logits, weights', () => {
    const r = rng(14);
    const n = 8;
    const y = [1, 0, 0, 1, 0, 1, 0, 0];
    const w = Array.from({ length: n }, () => 0.5 + r());
    // L = 10 anywhere; L = 73 on logits that keep p within 0.5 ± 0.1, away from float32 saturation.
    for (const [L, spread] of [[10, 2], [73, 0.35]] as const) {
      const z = normals(r, n).map((v) => Math.max(-spread, Math.min(spread, v * spread)));
      for (const metric of METRICS) {
        for (const weights of [undefined, w]) {
          const o: AnyLossOptions = weights === undefined ? { metric, L, beta: 2 } : { metric, L, beta: 2, weights };
          const g = tf.grad((x: tf.Tensor) => anyLoss(y, x, o))(tf.tensor(z));
          const f = (x: number[]) => refLoss(metric, y, x.map(sigmoid), weights === undefined ? { L, beta: 2 } : { L, beta: 2, w: weights });
          expectClose(values(g), numericGradient(f, z), 1e-3, 1e-6);
        }
      }
    }
  });

  it('gives exactly zero gradient to samples with p above about 0.73 at L = 73 (float32 saturation), not at L = 10', () => {
    // Sample 1 is a confident false positive (y = 0, p = 0.9), sample 3 a positive at p = 0.75.
    const y = [1, 0, 0, 1, 1, 0];
    const p = [0.7, 0.9, 0.3, 0.75, 0.4, 0.55];
    for (const metric of METRICS) {
      const g73 = values(tf.grad((x: tf.Tensor) => anyLoss(y, x, { metric, fromLogits: false }))(tf.tensor(p)));
      expect(g73[1] === 0 && g73[3] === 0).toBe(true);
      expect(Math.abs(g73[0]!)).toBeGreaterThan(0);
      expect(Math.abs(g73[5]!)).toBeGreaterThan(0);
      const g10 = values(tf.grad((x: tf.Tensor) => anyLoss(y, x, { metric, L: 10, fromLogits: false }))(tf.tensor(p)));
      for (const gi of g10) expect(Math.abs(gi)).toBeGreaterThan(1e-4);
      // The false positive is pushed down (positive gradient), the positive pushed up.
      expect(g10[1]!).toBeGreaterThan(0);
      expect(g10[3]!).toBeLessThan(0);
    }
  });

  it('is near 0 for perfect predictions and near 1 for inverted ones', () => {
    const y = [1, 0, 1, 0, 0, 1];
    const perfect = y.map((v) => (v === 1 ? 1 : 0));
    const inverted = y.map((v) => (v === 1 ? 0 : 1));
    for (const metric of METRICS) {
      expect(scalar(anyLoss(y, perfect, { metric, fromLogits: false }))).toBeLessThan(1e-5);
      expect(scalar(anyLoss(y, inverted, { metric, fromLogits: false }))).toBeGreaterThan(1 - 1e-5);
    }
  });

  it("'f1' is 'fbeta' at β = 1, fromLogits applies the sigmoid, and [N, 1] equals [N]", () => {
    const z = [1.2, -0.4, 0.3, -2, 0.8];
    expectClose(scalar(anyLoss(Y, z, { metric: 'f1' })), scalar(anyLoss(Y, z, { metric: 'fbeta', beta: 1 })), 1e-7, 0);
    const p = tf.sigmoid(tf.tensor(z));
    for (const metric of METRICS) {
      expectClose(scalar(anyLoss(Y, z, { metric, L: 10 })), scalar(anyLoss(Y, p, { metric, L: 10, fromLogits: false })), 1e-6, 0);
      const col = anyLoss(Y.map((v) => [v]), z.map((v) => [v]), { metric, L: 10 });
      expectClose(scalar(col), scalar(anyLoss(Y, z, { metric, L: 10 })), 1e-7, 0);
      expectClose(scalar(anyLoss(Y, z.map((v) => [v]), { metric, L: 10 })), scalar(col), 1e-7, 0);
    }
  });

  it('is invariant to the order of the samples (a batch-level score)', () => {
    const z = [1.2, -0.4, 0.3, -2, 0.8];
    const order = [3, 0, 4, 1, 2];
    for (const metric of METRICS) {
      const a = scalar(anyLoss(Y, z, { metric, L: 10 }));
      const b = scalar(anyLoss(order.map((i) => Y[i]!), order.map((i) => z[i]!), { metric, L: 10 }));
      expectClose(b, a, 1e-6, 0);
    }
  });

  it('accepts a custom score of the confusion matrix, with the built-in value and gradient when it is one', () => {
    const z = tf.tensor([1.2, -0.4, 0.3, -2, 0.8]);
    const accuracy = (TP: tf.Scalar, FN: tf.Scalar, FP: tf.Scalar, TN: tf.Scalar) => tf.div(tf.add(TP, TN), tf.add(tf.add(tf.add(TP, FN), tf.add(FP, TN)), 1e-5));
    expectClose(scalar(anyLoss(Y, z, { metric: accuracy, L: 10 })), scalar(anyLoss(Y, z, { metric: 'accuracy', L: 10 })), 1e-7, 0);
    const gCustom = tf.grad((x: tf.Tensor) => anyLoss(Y, x, { metric: accuracy, L: 10 }))(z);
    const gBuiltin = tf.grad((x: tf.Tensor) => anyLoss(Y, x, { metric: 'accuracy', L: 10 }))(z);
    expectClose(values(gCustom), values(gBuiltin), 1e-6, 1e-9);
    // Matthews correlation rescaled to [0, 1], a score the named metrics do not cover.
    const mcc01 = (TP: tf.Scalar, FN: tf.Scalar, FP: tf.Scalar, TN: tf.Scalar) => {
      const num = tf.sub(tf.mul(TP, TN), tf.mul(FP, FN));
      const den = tf.sqrt(tf.mul(tf.mul(tf.add(TP, FP), tf.add(TP, FN)), tf.mul(tf.add(TN, FP), tf.add(TN, FN))));
      return tf.div(tf.add(tf.div(num, den), 1), 2);
    };
    const c = refConfusion(Y, values(tf.sigmoid(z)), 10);
    const mcc = (c.TP * c.TN - c.FP * c.FN) / Math.sqrt((c.TP + c.FP) * (c.TP + c.FN) * (c.TN + c.FP) * (c.TN + c.FN));
    expectClose(scalar(anyLoss(Y, z, { metric: mcc01, L: 10 })), 1 - (mcc + 1) / 2, 1e-5, 1e-7);
  });

  it('weighs samples inside the confusion matrix: integer weights equal repeated samples, ones change nothing', () => {
    const z = [1.2, -0.4, 0.3, -2, 0.8];
    const w = [2, 1, 3, 1, 2];
    const rep = (xs: number[]) => xs.flatMap((x, i) => Array<number>(w[i]!).fill(x));
    for (const metric of METRICS) {
      const o: AnyLossOptions = { metric, L: 10 };
      expectClose(scalar(anyLoss(Y, z, { ...o, weights: w })), scalar(anyLoss(rep(Y), rep(z), o)), 1e-6, 1e-7);
      expectClose(scalar(anyLoss(Y, z, { ...o, weights: [1, 1, 1, 1, 1] })), scalar(anyLoss(Y, z, o)), 1e-7, 0);
      expectClose(scalar(anyLoss(Y, z, { ...o, weights: w.map((v) => [v]) })), scalar(anyLoss(Y, z, { ...o, weights: w })), 1e-7, 0);
      // One number weighs every sample alike: ratios of weighted counts do not change (ε = 0).
      expectClose(scalar(anyLoss(Y, z, { ...o, eps: 0, weights: 2.5 })), scalar(anyLoss(Y, z, { ...o, eps: 0 })), 1e-6, 0);
      // A zero weight removes the sample.
      const dropped = scalar(anyLoss(Y, z, { ...o, weights: [1, 1, 1, 0, 1] }));
      expectClose(dropped, scalar(anyLoss([1, 0, 1, 0], [1.2, -0.4, 0.3, 0.8], o)), 1e-6, 1e-7);
    }
  });

  it("returns one value per batch: 'none' has shape [1], 'mean' and 'sum' are that value, weights or not", () => {
    const z = [1.2, -0.4, 0.3, -2, 0.8];
    for (const weights of [undefined, [1, 2, 0.5, 1, 3]]) {
      const o: AnyLossOptions = weights === undefined ? {} : { weights };
      const none = anyLoss(Y, z, { ...o, reduction: 'none' });
      expect(none.shape).toEqual([1]);
      const mean = anyLoss(Y, z, o);
      expect(mean.shape).toEqual([]);
      expectClose(scalar(mean), scalar(none), 0, 0);
      expectClose(scalar(anyLoss(Y, z, { ...o, reduction: 'sum' })), scalar(none), 0, 0);
    }
    expectClose(scalar(anyLoss(Y, z)), scalar(anyLoss(Y, z, { metric: 'f1', L: 73, beta: 1, eps: 1e-5, gmeanSqrt: true, fromLogits: true, reduction: 'mean' })), 0, 0);
  });

  it('scores a batch without positives (or negatives) as loss 1 with zero gradient where recall is undefined', () => {
    const z = tf.tensor([0.3, -1, 2, 0.1]);
    const none = [0, 0, 0, 0];
    for (const metric of ['f1', 'fbeta', 'gmean', 'balancedAccuracy'] as const) {
      expectClose(scalar(anyLoss(none, z, { metric })), 1, 0, 0);
      const g = tf.grad((x: tf.Tensor) => anyLoss(none, x, { metric, L: 10 }))(z);
      expectFinite(g);
      expect(values(g).every((v) => v === 0)).toBe(true);
    }
    for (const metric of ['gmean', 'balancedAccuracy'] as const) {
      expectClose(scalar(anyLoss([1, 1, 1, 1], z, { metric })), 1, 0, 0);
      const g = tf.grad((x: tf.Tensor) => anyLoss([1, 1, 1, 1], x, { metric, L: 10 }))(z);
      expect(values(g).every((v) => v === 0)).toBe(true);
    }
    // F1 without negatives still rewards the positives; accuracy is defined for any batch.
    expectFinite(tf.grad((x: tf.Tensor) => anyLoss([1, 1, 1, 1], x, { metric: 'f1', L: 10 }))(z));
    const gAcc = values(tf.grad((x: tf.Tensor) => anyLoss(none, x, { metric: 'accuracy', L: 10 }))(z));
    expect(gAcc.every((v) => v > 0)).toBe(true);
  });

  it('stays finite, in value and gradient, at logits of ±1e4, all-equal logits and all-zero weights', () => {
    const y = [1, 0, 1, 0];
    const inputs = [[1e4, -1e4, -1e4, 1e4], [1e4, -1e4, 1e4, -1e4], [3, 3, 3, 3], [0, 0, 0, 0]];
    for (const metric of METRICS) {
      for (const L of [73, 10]) {
        for (const zs of inputs) {
          const z = tf.tensor(zs);
          expectFinite(anyLoss(y, z, { metric, L }));
          expectFinite(tf.grad((x: tf.Tensor) => anyLoss(y, x, { metric, L }))(z));
        }
        expectFinite(anyLoss(y, [0.2, 0.1, -0.3, 1], { metric, L, weights: [0, 0, 0, 0] }));
        expectFinite(tf.grad((x: tf.Tensor) => anyLoss(y, x, { metric, L, weights: [0, 0, 0, 0] }))(tf.tensor([0.2, 0.1, -0.3, 1])));
      }
      expectClose(scalar(anyLoss(y, [1e4, -1e4, 1e4, -1e4], { metric })), 0, 0, 1e-5);
      expectClose(scalar(anyLoss(y, [-1e4, 1e4, -1e4, 1e4], { metric })), 1, 0, 1e-5);
    }
  });

  it('leaks no tensors', () => {
    const z = tf.tensor([1.2, -0.4, 0.3, -2, 0.8]);
    const custom = (TP: tf.Scalar, _FN: tf.Scalar, FP: tf.Scalar, _TN: tf.Scalar) => tf.div(TP, tf.add(tf.add(TP, FP), 1));
    for (const metric of [...METRICS, custom]) {
      expect(leakedTensors(() => anyLoss(Y, z, { metric, weights: [1, 2, 1, 1, 1] }))).toBe(0);
      expect(leakedTensors(() => tf.grad((x: tf.Tensor) => anyLoss(Y, x, { metric, L: 10 }))(z))).toBe(0);
    }
    expect(leakedTensors(() => Object.values(softConfusion(Y, P, { weights: [1, 2, 1, 1, 1] })))).toBe(0);
    z.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => anyLoss([1, 0, 1], [0.1, 0.2])).toThrow('anyLoss: expected `yTrue` and `logits` to have the same shape, got [3] and [2]');
    expect(() => anyLoss([1, 0, 1], [0.1, 0.2], { fromLogits: false })).toThrow('anyLoss: expected `yTrue` and `probabilities` to have the same shape, got [3] and [2]');
    expect(() => anyLoss([[1, 0], [0, 1]], [[1, 2], [3, 4]])).toThrow('anyLoss: expected `logits` to have shape [N] or [N,1] (one score per sample), got shape [2,2]');
    expect(() => anyLoss([1], [[[0.5]]])).toThrow('anyLoss: expected `logits` to have rank 1 or 2, got shape [1,1,1]');
    expect(() => anyLoss([], [])).toThrow('anyLoss: expected `logits` to hold at least one element, got shape [0]');
    expect(() => anyLoss([1, 2, 0], [0.1, 0.2, 0.3])).toThrow('anyLoss: expected every value of `yTrue` to lie in [0, 1], got 2 at flat index 1');
    expect(() => anyLoss([1, 0, 0], [0.1, 1.5, 0.3], { fromLogits: false })).toThrow('anyLoss: expected every value of `probabilities` to lie in [0, 1], got 1.5 at flat index 1');
    expect(() => anyLoss(Y, P, { L: 0 })).toThrow('anyLoss: expected `L` to be a finite number > 0, got 0 (number)');
    expect(() => anyLoss(Y, P, { L: Number.POSITIVE_INFINITY })).toThrow('anyLoss: expected `L` to be a finite number > 0, got Infinity (number)');
    expect(() => anyLoss(Y, P, { metric: 'fbeta', beta: -1 })).toThrow('anyLoss: expected `beta` to be a finite number > 0, got -1 (number)');
    expect(() => anyLoss(Y, P, { eps: -1e-5 })).toThrow('anyLoss: expected `eps` to be a finite number >= 0, got -0.00001 (number)');
    expect(() => anyLoss(Y, P, { metric: 'auc' as never })).toThrow("anyLoss: expected `metric` to be one of 'accuracy' | 'f1' | 'fbeta' | 'gmean' | 'balancedAccuracy' or a function, got \"auc\" (string)");
    expect(() => anyLoss(Y, P, { gmeanSqrt: 'yes' as never })).toThrow('anyLoss: expected `gmeanSqrt` to be true or false, got "yes" (string)');
    expect(() => anyLoss(Y, P, { fromLogits: 0 as never })).toThrow('anyLoss: expected `fromLogits` to be true or false, got 0 (number)');
    expect(() => anyLoss(Y, P, { Beta: 2 } as never)).toThrow('anyLoss: expected each option to be one of metric, L, beta, eps, gmeanSqrt, fromLogits, reduction, weights, got `Beta`');
    expect(() => anyLoss(Y, P, { reduction: 'avg' as never })).toThrow("anyLoss: expected `reduction` to be one of 'mean' | 'sum' | 'none', got \"avg\" (string)");
    expect(() => anyLoss(Y, P, { weights: [1, 2] })).toThrow('anyLoss: expected `weights` to be per sample ([5] or [5,1]) or one number, got shape [2]');
    expect(() => anyLoss(Y, P, { weights: [-1, 1, 1, 1, 1] })).toThrow('anyLoss: expected every value of `weights` to lie in [0, Infinity], got -1 at flat index 0');
    expect(() => anyLoss(Y, P, { metric: () => 0.5 as never })).toThrow('anyLoss: expected the `metric` function to return a scalar tensor (a score in [0, 1]), got 0.5 (number)');
    expect(() => anyLoss(Y, P, { metric: (TP) => tf.stack([TP, TP]) })).toThrow('anyLoss: expected the `metric` function to return a scalar tensor (a score in [0, 1]), got a tensor of shape [2]');
    expect(() => anyLoss(Y, P, { metric: (TP, FN) => tf.add(TP, FN) })).toThrow('anyLoss: expected the score the `metric` function returns to lie in [0, 1], got 2');
    expect(() => softConfusion(Y, [0.1, -0.2, 0.3, 0.4, 0.5])).toThrow('softConfusion: expected every value of `probabilities` to lie in [0, 1], got -0.20000000298023224 at flat index 1');
    expect(() => softConfusion(Y, P, { L: -3 })).toThrow('softConfusion: expected `L` to be a finite number > 0, got -3 (number)');
    expect(() => softConfusion(Y, P, { reduction: 'sum' } as never)).toThrow('softConfusion: expected `reduction` to be left out (the four counts are not reduced), got "sum" (string)');
    expect(() => softConfusion(Y, P, { metric: 'f1' } as never)).toThrow('softConfusion: expected each option to be one of L, reduction, weights, got `metric`');
  });
});
