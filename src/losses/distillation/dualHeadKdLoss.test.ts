import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomLabels, randomMatrix, rng, values } from '../../../test/helpers.js';
import { dualHeadKdLoss } from './dualHeadKdLoss.js';

// Float64 reference written from the DHKD objective, sharing nothing with the loss.
const logSoftmax = (row: number[], T = 1) => {
  const z = row.map((v) => v / T);
  const m = Math.max(...z);
  const lse = m + Math.log(z.reduce((a, v) => a + Math.exp(v - m), 0));
  return z.map((v) => v - lse);
};
const logCosh = (x: number) => Math.abs(x) + Math.log1p(Math.exp(-2 * Math.abs(x))) - Math.LN2;
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
interface Options {
  gamma?: number;
  alpha?: number;
  temperature?: number;
  logitLoss?: 'binaryKlNorm' | 'binaryKl';
  probKdWeight?: number;
  kdTemperature?: number;
}
function reference(teacher: number[][], main: number[][], aux: number[][], labels: number[], o: Options = {}): number[] {
  const { gamma = 1, alpha = 1, temperature: T = 2, logitLoss = 'binaryKlNorm', probKdWeight = 0, kdTemperature: Tk = 4 } = o;
  return main.map((m, i) => {
    const ce = -logSoftmax(m)[labels[i]!]!;
    const logit = aux[i]!.reduce((acc, a, k) => {
      const t = teacher[i]![k]!;
      if (logitLoss === 'binaryKlNorm') return acc + logCosh((a - t) / (2 * T));
      const p = sigmoid(t / T);
      const q = sigmoid(a / T);
      return acc + p * Math.log(p / q) + (1 - p) * Math.log((1 - p) / (1 - q));
    }, 0);
    const lp = logSoftmax(teacher[i]!, Tk);
    const lq = logSoftmax(m, Tk);
    const kd = lp.reduce((acc, l, c) => acc + Math.exp(l) * (l - lq[c]!), 0);
    return gamma * ce + alpha * T * T * logit + probKdWeight * Tk * Tk * kd;
  });
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const rows = (x: number[], c: number) => Array.from({ length: x.length / c }, (_, i) => x.slice(i * c, (i + 1) * c));

const STUDENT = [[1, 2, -1], [0.5, 0, 0.3]];
const TEACHER = [[2, 1, -2], [0, 0, 1]];
const LABELS = [0, 2];

describe('dualHeadKdLoss(teacherLogits, mainLogits, options)', () => {
  it('reproduces the spec values (papers-A A.6) through its parts', () => {
    // Auxiliary head alone (γ = 0): BinaryKL-Norm 0.231633 and BinaryKL 0.206355 at T = 2.
    expectClose(dualHeadKdLoss(TEACHER, STUDENT, { auxLogits: STUDENT, labels: LABELS, gamma: 0 }).dataSync()[0]!, 0.231633, 3e-6);
    expectClose(dualHeadKdLoss(TEACHER, STUDENT, { auxLogits: STUDENT, labels: LABELS, gamma: 0, logitLoss: 'binaryKl' }).dataSync()[0]!, 0.206355, 3e-6);
    // Main-head KD alone (γ = α = 0, w = 1): DistillKL 0.306618 at T = 4.
    expectClose(dualHeadKdLoss(TEACHER, STUDENT, { auxLogits: STUDENT, labels: LABELS, gamma: 0, alpha: 0, probKdWeight: 1 }).dataSync()[0]!, 0.306618, 2e-6);
    // Defaults: CE(main, y) + BinaryKL-Norm(aux, teacher).
    const ce = (-logSoftmax(STUDENT[0]!)[0]! - logSoftmax(STUDENT[1]!)[2]!) / 2;
    expectClose(dualHeadKdLoss(TEACHER, STUDENT, { auxLogits: STUDENT, labels: LABELS }).dataSync()[0]!, ce + 0.231633, 3e-6);
  });

  it('matches the float64 reference on random inputs over the options', () => {
    const r = rng(1);
    const [t, m, a] = [randomMatrix(r, 32, 5, 2), randomMatrix(r, 32, 5, 2), randomMatrix(r, 32, 5, 2)];
    const y = randomLabels(r, 32, 5);
    const cases: Options[] = [{}, { logitLoss: 'binaryKl' }, { gamma: 0.5, alpha: 0.1, temperature: 3 }, { probKdWeight: 0.7, kdTemperature: 2 }];
    for (const o of cases) {
      expectClose(values(dualHeadKdLoss(t, m, { ...o, auxLogits: a, labels: y, reduction: 'none' })), reference(t, m, a, y, o), 1e-5, 1e-6);
    }
  });

  it('has the gradients of the float64 reference (finite differences) for both heads', () => {
    const r = rng(3);
    const [t, m, a] = [randomMatrix(r, 3, 4, 2), randomMatrix(r, 3, 4, 2), randomMatrix(r, 3, 4, 2)];
    const y = [1, 3, 0];
    const o: Options = { probKdWeight: 0.5, alpha: 0.8 };
    const [gm, ga] = tf.grads((mm: tf.Tensor, aa: tf.Tensor) => dualHeadKdLoss(t, mm, { ...o, auxLogits: aa, labels: y }))([tf.tensor(m), tf.tensor(a)]);
    expectClose(values(gm!), numericGradient((x) => mean(reference(t, rows(x, 4), a, y, o)), m.flat()), 1e-4, 1e-6);
    expectClose(values(ga!), numericGradient((x) => mean(reference(t, m, rows(x, 4), y, o)), a.flat()), 1e-4, 1e-6);
  });

  it('splits the work: the main head gets no teacher gradient without probKdWeight, the auxiliary head no label gradient', () => {
    const r = rng(4);
    const [m, a] = [randomMatrix(r, 4, 3), randomMatrix(r, 4, 3)];
    const y = [0, 1, 2, 0];
    const gradMain = (teacher: number[][]) => values(tf.grad((x: tf.Tensor) => dualHeadKdLoss(teacher, x, { auxLogits: a, labels: y }))(tf.tensor(m)));
    expectClose(gradMain(randomMatrix(r, 4, 3)), gradMain(randomMatrix(r, 4, 3)), 0, 1e-7);
    const t = randomMatrix(r, 4, 3);
    const gradAux = (labels: number[]) => values(tf.grad((x: tf.Tensor) => dualHeadKdLoss(t, m, { auxLogits: x, labels }))(tf.tensor(a)));
    expectClose(gradAux([0, 1, 2, 0]), gradAux([2, 2, 1, 1]), 0, 1e-7);
  });

  it('is the cross-entropy alone when the auxiliary head equals the teacher', () => {
    const ce = (-logSoftmax(STUDENT[0]!)[0]! - logSoftmax(STUDENT[1]!)[2]!) / 2;
    for (const logitLoss of ['binaryKlNorm', 'binaryKl'] as const) {
      expectClose(dualHeadKdLoss(TEACHER, STUDENT, { auxLogits: TEACHER, labels: LABELS, logitLoss }).dataSync()[0]!, ce, 1e-5);
    }
  });

  it('stays finite, in value and gradient, at logits of ±1e4 and all-equal logits', () => {
    const t = tf.tensor([[1e4, -1e4, 0], [5, 5, 5]]);
    const m = tf.tensor([[-1e4, 1e4, 0], [1, 1, 1]]);
    const a = tf.tensor([[1e4, 1e4, -1e4], [0, 0, 0]]);
    for (const logitLoss of ['binaryKlNorm', 'binaryKl'] as const) {
      const o = { auxLogits: a, labels: [0, 1], logitLoss, probKdWeight: 1 };
      expectFinite(dualHeadKdLoss(t, m, { ...o, reduction: 'none' }));
      const [gm, ga] = tf.grads((mm: tf.Tensor, aa: tf.Tensor) => dualHeadKdLoss(t, mm, { ...o, auxLogits: aa }))([m, a]);
      expectFinite(gm!);
      expectFinite(ga!);
    }
  });

  it("reduces by 'mean' (default), 'sum' and 'none' consistently, and weighs samples", () => {
    const o = { auxLogits: STUDENT, labels: LABELS };
    const none = values(dualHeadKdLoss(TEACHER, STUDENT, { ...o, reduction: 'none' }));
    expectClose(dualHeadKdLoss(TEACHER, STUDENT, { ...o, reduction: 'sum' }).dataSync()[0]!, none[0]! + none[1]!, 1e-6);
    expectClose(dualHeadKdLoss(TEACHER, STUDENT, o).dataSync()[0]!, mean(none), 1e-6);
    expectClose(dualHeadKdLoss(TEACHER, STUDENT, { ...o, weights: [2, 1] }).dataSync()[0]!, (2 * none[0]! + none[1]!) / 3, 1e-6);
  });

  it('accepts labels [N, 1] and int32 tensors', () => {
    const a = dualHeadKdLoss(TEACHER, STUDENT, { auxLogits: STUDENT, labels: tf.tensor2d([[0], [2]], [2, 1], 'int32') }).dataSync()[0]!;
    expectClose(a, dualHeadKdLoss(TEACHER, STUDENT, { auxLogits: STUDENT, labels: LABELS }).dataSync()[0]!, 1e-7);
  });

  it('leaks no tensors', () => {
    const m = tf.tensor(STUDENT);
    const a = tf.tensor(STUDENT);
    const o = { labels: LABELS, probKdWeight: 0.5, weights: [1, 2] };
    expect(leakedTensors(() => dualHeadKdLoss(TEACHER, m, { ...o, auxLogits: a }))).toBe(0);
    expect(leakedTensors(() => tf.grads((mm: tf.Tensor, aa: tf.Tensor) => dualHeadKdLoss(TEACHER, mm, { ...o, auxLogits: aa }))([m, a]))).toBe(0);
    m.dispose();
    a.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    const o = { auxLogits: STUDENT, labels: LABELS };
    expect(() => dualHeadKdLoss(TEACHER, STUDENT, { labels: LABELS })).toThrow('dualHeadKdLoss: expected `auxLogits` to be given (the auxiliary head, of the shape of `mainLogits`), got undefined');
    expect(() => dualHeadKdLoss(TEACHER, STUDENT, { auxLogits: STUDENT })).toThrow('dualHeadKdLoss: expected `labels` to be given (class indices [N] for the main head), got undefined');
    expect(() => dualHeadKdLoss(TEACHER, STUDENT, { ...o, auxLogits: [[1, 2, 3]] })).toThrow('dualHeadKdLoss: expected `auxLogits` and `mainLogits` to have the same shape, got [1,3] and [2,3]');
    expect(() => dualHeadKdLoss([[1, 2, 3]], STUDENT, o)).toThrow('dualHeadKdLoss: expected `teacherLogits` and `mainLogits` to have the same shape, got [1,3] and [2,3]');
    expect(() => dualHeadKdLoss(TEACHER, STUDENT, { ...o, labels: [0, 1, 2] })).toThrow('dualHeadKdLoss: expected `labels` to hold one class index per row of `mainLogits` [2], got shape [3]');
    expect(() => dualHeadKdLoss(TEACHER, STUDENT, { ...o, labels: [0, 3] })).toThrow('dualHeadKdLoss: expected every value of `labels` to be an integer class index in [0, 2], got 3 at index 1');
    expect(() => dualHeadKdLoss(TEACHER, STUDENT, { ...o, alpha: -1 })).toThrow('dualHeadKdLoss: expected `alpha` to be a finite number >= 0, got -1 (number)');
    expect(() => dualHeadKdLoss(TEACHER, STUDENT, { ...o, logitLoss: 'kl' as never })).toThrow("dualHeadKdLoss: expected `logitLoss` to be one of 'binaryKlNorm' | 'binaryKl', got \"kl\" (string)");
    expect(() => dualHeadKdLoss(TEACHER, STUDENT, { ...o, beta: 1 } as never)).toThrow(
      'dualHeadKdLoss: expected each option to be one of auxLogits, labels, gamma, alpha, temperature, logitLoss, probKdWeight, kdTemperature, reduction, weights, got `beta`',
    );
  });
});
