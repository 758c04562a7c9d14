import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomMatrix, rng, values } from '../../../test/helpers.js';
import { binaryKlLoss } from './binaryKlLoss.js';

// Float64 references written from the two definitions (Bernoulli KLs), sharing nothing with the loss.
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
function bernoulliKl(p: number, q: number): number {
  const a = p > 0 ? p * Math.log(p / q) : 0;
  const b = p < 1 ? (1 - p) * Math.log((1 - p) / (1 - q)) : 0;
  return a + b;
}
function reference(teacher: number[][], student: number[][], T = 2, normalized = false): number[] {
  return teacher.map((t, i) =>
    T * T * t.reduce((acc, tk, k) => {
      const sk = student[i]![k]!;
      // Norm: KL(Bern(1/2) ‖ Bern(σ((s − t)/T))), from its definition, not the log-cosh closed form.
      return acc + (normalized ? bernoulliKl(0.5, sigmoid((sk - tk) / T)) : bernoulliKl(sigmoid(tk / T), sigmoid(sk / T)));
    }, 0),
  );
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const rows = (x: number[], c: number) => Array.from({ length: x.length / c }, (_, i) => x.slice(i * c, (i + 1) * c));

const STUDENT = [[1, 2, -1], [0.5, 0, 0.3]];
const TEACHER = [[2, 1, -2], [0, 0, 1]];

describe('binaryKlLoss(teacherLogits, studentLogits, options)', () => {
  it('reproduces the spec values (papers-A A.6, T = 2)', () => {
    expectClose(binaryKlLoss(TEACHER, STUDENT).dataSync()[0]!, 0.206355, 3e-6);
    expectClose(binaryKlLoss(TEACHER, STUDENT, { normalized: true }).dataSync()[0]!, 0.231633, 3e-6);
  });

  it('BinaryKL-Norm equals T²/N Σ log cosh(Δ/(2T)) (the closed form of the spec)', () => {
    const closed = (T: number) => (T * T * STUDENT.flat().reduce((a, s, k) => a + Math.log(Math.cosh((s - TEACHER.flat()[k]!) / (2 * T))), 0)) / 2;
    for (const T of [0.5, 2, 7]) expectClose(binaryKlLoss(TEACHER, STUDENT, { normalized: true, temperature: T }).dataSync()[0]!, closed(T), 1e-5, 1e-7);
  });

  it('matches the float64 references on random inputs, both forms and several temperatures', () => {
    const r = rng(1);
    const t = randomMatrix(r, 40, 5, 3);
    const s = randomMatrix(r, 40, 5, 3);
    for (const T of [0.5, 2, 8]) {
      for (const normalized of [false, true]) {
        expectClose(values(binaryKlLoss(t, s, { temperature: T, normalized, reduction: 'none' })), reference(t, s, T, normalized), 2e-5, 1e-6);
      }
    }
  });

  it('has the gradient of the float64 reference (finite differences), both forms', () => {
    const r = rng(3);
    const t = randomMatrix(r, 3, 4, 2);
    const s = randomMatrix(r, 3, 4, 2);
    for (const normalized of [false, true]) {
      const g = values(tf.grad((z: tf.Tensor) => binaryKlLoss(t, z, { normalized, temperature: 1.5 }))(tf.tensor(s)));
      expectClose(g, numericGradient((x) => mean(reference(t, rows(x, 4), 1.5, normalized)), s.flat()), 1e-4, 1e-6);
    }
    // Closed form of the normalised gradient: (T/2) tanh((s − t)/(2T)) / N.
    const g = values(tf.grad((z: tf.Tensor) => binaryKlLoss(t, z, { normalized: true, temperature: 1.5 }))(tf.tensor(s)));
    expectClose(g, s.flat().map((sk, k) => (0.75 * Math.tanh((sk - t.flat()[k]!) / 3)) / 3), 1e-5, 1e-7);
  });

  it('is zero when the student equals the teacher, and not invariant to a shift of a row', () => {
    expectClose(values(binaryKlLoss(TEACHER, TEACHER, { reduction: 'none' })), [0, 0], 0, 1e-6);
    expectClose(values(binaryKlLoss(TEACHER, TEACHER, { normalized: true, reduction: 'none' })), [0, 0], 0, 0);
    const shifted = TEACHER.map((row) => row.map((z) => z + 1));
    expect(binaryKlLoss(TEACHER, shifted).dataSync()[0]!).toBeGreaterThan(0.1);
  });

  it('behaves like Huber in s − t: (s − t)²/8 near 0, T|s − t|/2 − T² log 2 far away (normalised)', () => {
    expectClose(binaryKlLoss([[0]], [[1e-2]], { normalized: true }).dataSync()[0]!, 1e-4 / 8, 1e-3);
    const far = 300;
    expectClose(binaryKlLoss([[0]], [[far]], { normalized: true }).dataSync()[0]!, (2 * far) / 2 - 4 * Math.LN2, 1e-6);
  });

  it('stays finite, in value and gradient, at logits of ±1e4', () => {
    const t = tf.tensor([[1e4, -1e4, 0], [-1e4, 1e4, 0]]);
    const s = tf.tensor([[-1e4, 1e4, 0], [1e4, 1e4, -1e4]]);
    for (const normalized of [false, true]) {
      const value = binaryKlLoss(t, s, { normalized, reduction: 'none' });
      expectFinite(value);
      expectFinite(tf.grad((x: tf.Tensor) => binaryKlLoss(t, x, { normalized }))(s));
      expect(values(value)[0]!).toBeGreaterThan(1e4);
    }
    // Plain form, row 1: p ≈ (1, 0, ½) against q ≈ (0, 1, ½): T² (5000 + 5000) = 4e4.
    expectClose(values(binaryKlLoss(t, s, { reduction: 'none' }))[0]!, 4e4, 1e-5);
  });

  it("reduces by 'mean' (default), 'sum' and 'none' consistently, and weighs samples", () => {
    const none = values(binaryKlLoss(TEACHER, STUDENT, { reduction: 'none' }));
    expectClose(binaryKlLoss(TEACHER, STUDENT, { reduction: 'sum' }).dataSync()[0]!, none[0]! + none[1]!, 1e-6);
    expectClose(binaryKlLoss(TEACHER, STUDENT).dataSync()[0]!, mean(none), 1e-6);
    expectClose(binaryKlLoss(TEACHER, STUDENT, { weights: [1, 3] }).dataSync()[0]!, (none[0]! + 3 * none[1]!) / 4, 1e-6);
  });

  it('accepts a single class (one logit per sample)', () => {
    expectClose(values(binaryKlLoss([[1], [-2]], [[0], [0]], { reduction: 'none' })), reference([[1], [-2]], [[0], [0]]), 1e-5);
  });

  it('leaks no tensors', () => {
    const s = tf.tensor(STUDENT);
    for (const normalized of [false, true]) {
      expect(leakedTensors(() => binaryKlLoss(TEACHER, s, { normalized }))).toBe(0);
      expect(leakedTensors(() => tf.grad((x: tf.Tensor) => binaryKlLoss(TEACHER, x, { normalized }))(s))).toBe(0);
    }
    s.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => binaryKlLoss([[1, 2]], STUDENT)).toThrow('binaryKlLoss: expected `teacherLogits` and `studentLogits` to have the same shape, got [1,2] and [2,3]');
    expect(() => binaryKlLoss([1], [1])).toThrow('binaryKlLoss: expected `studentLogits` to have rank 2, got shape [1]');
    expect(() => binaryKlLoss(TEACHER, STUDENT, { temperature: -1 })).toThrow('binaryKlLoss: expected `temperature` to be a finite number > 0, got -1 (number)');
    expect(() => binaryKlLoss(TEACHER, STUDENT, { normalized: 1 as never })).toThrow('binaryKlLoss: expected `normalized` to be true or false, got 1 (number)');
    expect(() => binaryKlLoss(TEACHER, STUDENT, { norm: true } as never)).toThrow('binaryKlLoss: expected each option to be one of temperature, normalized, reduction, weights, got `norm`');
  });
});
