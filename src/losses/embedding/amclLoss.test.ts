import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomMatrix, rng, values } from '../../../test/helpers.js';
import { adaptiveTemperatures, amclLoss } from './amclLoss.js';

// Float64 reference of Eq. 2.1 / 2.4 with the code's Ω.
const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);
const cos = (a: number[], b: number[]) => dot(a, b) / (Math.max(Math.sqrt(dot(a, a)), 1e-12) * Math.max(Math.sqrt(dot(b, b)), 1e-12));
interface Ref {
  tauPos?: number[][];
  tauNeg?: number[][][];
  tau?: number;
  beta?: number;
  omega?: (t: number, d: number) => number;
  variant?: 'simclr' | 'infoNce';
}
function reference(A: number[][][], B: number[][][], o: Ref = {}): number[] {
  const { tau = 1, beta = 0.1, variant = 'simclr' } = o;
  const omega = o.omega ?? ((t: number, d: number) => (d / 2) * Math.log(t) + 1 / t);
  const n = A[0]!.length;
  const d = A[0]![0]!.length;
  return Array.from({ length: n }, (_, i) =>
    A.reduce((total, heads, c) => {
      const tp = o.tauPos === undefined ? tau : o.tauPos[c]![i]!;
      const s = B[c]!.map((b) => cos(heads[i]!, b));
      let value = -s[i]! / tp + beta * omega(tp, d);
      const candidates = s.map((_, k) => k).filter((k) => variant === 'infoNce' || k !== i);
      if (candidates.length > 0) {
        const best = candidates.reduce((m, k) => (s[k]! > s[m]! ? k : m), candidates[0]!);
        const tn = best === i ? tp : o.tauNeg === undefined ? tau : o.tauNeg[c]![i]![best]!;
        value += s[best]! / tn - beta * omega(tn, d);
      }
      return total + value;
    }, 0),
  );
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const chunk = (flat: number[], d: number) => Array.from({ length: flat.length / d }, (_, i) => flat.slice(i * d, (i + 1) * d));

describe('amclLoss(viewA, viewB, options)', () => {
  const r = rng(1);

  it('computes a hand-worked case: orthogonal anchors matched to themselves give −1/τ each', () => {
    const e = [[1, 0], [0, 1]];
    expectClose(values(amclLoss(e, e, { reduction: 'none' })), [-1, -1], 1e-6);
    expectClose(values(amclLoss(e, e, { temperature: 0.5, reduction: 'none' })), [-2, -2], 1e-6);
    // With different temperatures the regulariser enters: −1/τ⁺ + 0/τ⁻ + β(Ω(τ⁺) − Ω(τ⁻)), Ω(τ) = (2/2) log τ + 1/τ.
    const omega = (t: number) => Math.log(t) + 1 / t;
    const expected = -1 / 0.5 + 0.1 * (omega(0.5) - omega(2));
    expectClose(values(amclLoss(e, e, { temperaturePositive: [0.5, 0.5], temperatureNegative: [[2, 2], [2, 2]], reduction: 'none' })), [expected, expected], 1e-6);
  });

  it('matches the float64 reference on random inputs: one head, several heads with pair temperatures, Eq. 2.4', () => {
    const a = randomMatrix(r, 9, 5);
    const b = randomMatrix(r, 9, 5);
    expectClose(values(amclLoss(a, b, { reduction: 'none' })), reference([a], [b]), 1e-5, 1e-6);
    expectClose(values(amclLoss(a, b, { temperature: 0.3, beta: 0.5, reduction: 'none' })), reference([a], [b], { tau: 0.3, beta: 0.5 }), 1e-5, 1e-6);
    const heads = 3;
    const A = Array.from({ length: heads }, () => randomMatrix(r, 6, 4));
    const B = A.map((m) => m.map((row) => row.map((v) => v + 0.5 * (r() - 0.5))));
    const tauPos = Array.from({ length: heads }, () => Array.from({ length: 6 }, () => 0.2 + r()));
    const tauNeg = Array.from({ length: heads }, () => Array.from({ length: 6 }, () => Array.from({ length: 6 }, () => 0.2 + r())));
    const o = { temperaturePositive: tauPos, temperatureNegative: tauNeg };
    expectClose(values(amclLoss(A, B, { ...o, reduction: 'none' })), reference(A, B, { tauPos, tauNeg }), 1e-5, 1e-5);
    expectClose(values(amclLoss(A, B, { ...o, variant: 'infoNce', reduction: 'none' })), reference(A, B, { tauPos, tauNeg, variant: 'infoNce' }), 1e-5, 1e-5);
    const omega = (t: tf.Tensor) => tf.square(t);
    expectClose(values(amclLoss(A, B, { ...o, omega, reduction: 'none' })), reference(A, B, { tauPos, tauNeg, omega: (t) => t * t }), 1e-5, 1e-5);
  });

  it('has the gradient of the float64 reference, in the embeddings and in the temperatures', () => {
    const a = randomMatrix(r, 4, 3);
    const b = randomMatrix(r, 4, 3);
    const tauPos = [[0.5, 0.8, 1.2, 0.7]];
    const tauNeg = [Array.from({ length: 4 }, () => [0.6, 0.9, 1.1, 0.4])];
    const g = tf.grad((z: tf.Tensor) => amclLoss(a, z, { temperaturePositive: tauPos[0]!, temperatureNegative: tauNeg[0]! }))(tf.tensor(b));
    expectClose(values(g), numericGradient((f) => mean(reference([a], [chunk(f, 3)], { tauPos, tauNeg })), b.flat()), 1e-3, 1e-6);
    const gp = tf.grad((t: tf.Tensor) => amclLoss(a, b, { temperaturePositive: t, temperatureNegative: tauNeg[0]! }))(tf.tensor(tauPos[0]!));
    expectClose(values(gp), numericGradient((f) => mean(reference([a], [b], { tauPos: [f], tauNeg })), tauPos[0]!), 1e-3, 1e-6);
    const gn = tf.grad((t: tf.Tensor) => amclLoss(a, b, { temperaturePositive: tauPos[0]!, temperatureNegative: t }))(tf.tensor(tauNeg[0]!));
    expectClose(values(gn), numericGradient((f) => mean(reference([a], [b], { tauPos, tauNeg: [chunk(f, 4)] })), tauNeg[0]!.flat()), 1e-3, 1e-6);
  });

  it('trains the temperature networks through adaptiveTemperatures: τ = lo + (hi − lo)·sigmoid(g([z; z′]))', () => {
    const a = randomMatrix(r, 4, 2);
    const b = randomMatrix(r, 4, 2);
    const v = tf.variable(tf.tensor2d([[0.3], [-0.2], [0.5], [0.1]]));
    const network = (pairs: tf.Tensor2D) => tf.matMul(pairs, v);
    const { positive, negative } = adaptiveTemperatures(a, b, network);
    const sig = (x: number) => 1 / (1 + Math.exp(-x));
    const raw = (p: number[], q: number[]) => 0.3 * p[0]! - 0.2 * p[1]! + 0.5 * q[0]! + 0.1 * q[1]!;
    const lo = 1e-5;
    expectClose(values(positive), a.map((p, i) => lo + (2 - lo) * sig(raw(p, b[i]!))), 1e-5);
    expectClose(values(negative), a.flatMap((p) => b.map((q) => lo + (2 - lo) * sig(raw(p, q)))), 1e-5);
    const multi = adaptiveTemperatures([a, a], [b, b], (pairs, head) => tf.mul(tf.matMul(pairs, v), head + 1), { lo: 0.1, hi: 1 });
    expect(multi.positive.shape).toEqual([2, 4]);
    expect(multi.negative.shape).toEqual([2, 4, 4]);
    const grads = tf.variableGrads(() => {
      const t = adaptiveTemperatures(a, b, network);
      return amclLoss(a, b, { temperaturePositive: t.positive, temperatureNegative: t.negative }) as tf.Scalar;
    });
    expectFinite(grads.grads[v.name]!);
    expect(Math.max(...values(grads.grads[v.name]!).map(Math.abs))).toBeGreaterThan(0);
    tf.dispose([positive, negative, multi.positive, multi.negative, v, ...Object.values(grads.grads), grads.value]);
  });

  it('is scale invariant, and with Eq. 2.4 a positive that is already the most similar costs nothing', () => {
    const a = randomMatrix(r, 5, 3);
    const b = randomMatrix(r, 5, 3);
    expectClose(amclLoss(a, b.map((row) => row.map((x) => 4 * x))).dataSync()[0]!, amclLoss(a, b).dataSync()[0]!, 1e-5);
    const e = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
    expectClose(values(amclLoss(e, e, { variant: 'infoNce', reduction: 'none' })), [0, 0, 0], 0, 1e-6);
  });

  it('stays finite, in value and gradient, for identical rows, one sample, zero rows and ±1e4', () => {
    const cases = [
      [new Array(3).fill([1, 2]), new Array(3).fill([1, 2])],
      [[[1, 2]], [[2, 1]]],
      [[[0, 0], [1, 0]], [[0, 0], [0, 1]]],
      [[[1e4, -1e4], [-1e4, 1e4]], [[1e4, 1e4], [1e4, -1e4]]],
    ];
    for (const [a, b] of cases) {
      for (const variant of ['simclr', 'infoNce'] as const) {
        expectFinite(amclLoss(a!, b!, { variant, reduction: 'none' }));
        expectFinite(tf.grad((z: tf.Tensor) => amclLoss(a!, z, { variant }))(tf.tensor(b!)));
      }
    }
    // One sample: no negative, only the positive terms −s/τ + βΩ(τ) = −1 + 0.1·(log 1 + 1).
    expectClose(amclLoss([[1, 0]], [[1, 0]]).dataSync()[0]!, -0.9, 1e-6);
  });

  it("reduces by 'mean', 'sum', 'none' and takes weighted means", () => {
    const a = randomMatrix(r, 3, 2);
    const b = randomMatrix(r, 3, 2);
    const none = values(amclLoss(a, b, { reduction: 'none' }));
    expectClose(amclLoss(a, b, { reduction: 'sum' }).dataSync()[0]!, none[0]! + none[1]! + none[2]!, 1e-6);
    expectClose(amclLoss(a, b).dataSync()[0]!, mean(none), 1e-6);
    expectClose(amclLoss(a, b, { weights: [1, 0, 3] }).dataSync()[0]!, (none[0]! + 3 * none[2]!) / 4, 1e-6);
  });

  it('leaks no tensors', () => {
    const a = tf.tensor(randomMatrix(r, 4, 3));
    const b = tf.tensor(randomMatrix(r, 4, 3));
    expect(leakedTensors(() => amclLoss(a, b, { variant: 'infoNce', weights: [1, 2, 3, 4] }))).toBe(0);
    expect(leakedTensors(() => amclLoss(a, b, { temperaturePositive: [1, 1, 1, 1], temperatureNegative: tf.ones([4, 4]) }))).toBe(1); // the caller's tf.ones
    expect(leakedTensors(() => tf.grad((z: tf.Tensor) => amclLoss(a, z))(b))).toBe(0);
    expect(leakedTensors(() => Object.values(adaptiveTemperatures(a, b, (p) => tf.sum(p, 1))))).toBe(0);
    tf.dispose([a, b]);
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => amclLoss([[1, 2]], [[1, 2], [3, 4]])).toThrow('amclLoss: expected `viewA` and `viewB` to have the same shape, got [1,2] and [2,2]');
    expect(() => amclLoss([1, 2], [1, 2])).toThrow('amclLoss: expected `viewA` to have rank 2 or 3, got shape [2]');
    expect(() => amclLoss([[1, 2], [3, 4]], [[1, 2], [3, 4]], { temperaturePositive: [1, 2, 3] })).toThrow('amclLoss: expected `temperaturePositive` to have shape [2], got shape [3]');
    expect(() => amclLoss([[[1, 2]]], [[[1, 2]]], { temperatureNegative: [[1]] })).toThrow('amclLoss: expected `temperatureNegative` to have shape [1,1,1] (heads first), got shape [1,1]');
    expect(() => amclLoss([[1, 2]], [[1, 2]], { temperature: 0 })).toThrow('amclLoss: expected `temperature` to be a finite number > 0, got 0 (number)');
    expect(() => amclLoss([[1, 2]], [[1, 2]], { omega: 'ml' as never })).toThrow("amclLoss: expected `omega` to be one of 'code' or a function, got \"ml\" (string)");
    expect(() => amclLoss([[1, 2]], [[1, 2]], { variant: 'moco' as never })).toThrow("amclLoss: expected `variant` to be one of 'simclr' | 'infoNce', got \"moco\" (string)");
    expect(() => amclLoss([[1, 2]], [[1, 2]], { tau: 1 } as never)).toThrow(
      'amclLoss: expected each option to be one of temperaturePositive, temperatureNegative, temperature, beta, omega, variant, reduction, weights, got `tau`',
    );
    expect(() => adaptiveTemperatures([[1, 2]], [[1, 2]], 3 as never)).toThrow('adaptiveTemperatures: expected `network` to be a function (pairs [M, 2D], head) => [M] scores, got 3 (number)');
    expect(() => adaptiveTemperatures([[1, 2]], [[1, 2]], (p) => p)).toThrow('adaptiveTemperatures: expected the result of `network` to hold one score per pair (1), got shape [1,4]');
    expect(() => adaptiveTemperatures([[1, 2]], [[1, 2]], (p) => tf.sum(p, 1), { lo: 1, hi: 0.5 })).toThrow('adaptiveTemperatures: expected `hi` to be a finite number > 1, got 0.5 (number)');
  });
});
