import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomMatrix, rng, values } from '../../../test/helpers.js';
import { kdLoss } from './kdLoss.js';

// Float64 reference written from the formula, sharing nothing with the loss.
function softmax(row: number[], T: number): number[] {
  const m = Math.max(...row.map((z) => z / T));
  const e = row.map((z) => Math.exp(z / T - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}
function reference(teacher: number[][], student: number[][], T = 4): number[] {
  return teacher.map((t, i) => {
    const p = softmax(t, T);
    const q = softmax(student[i]!, T);
    return T * T * p.reduce((acc, pc, c) => acc + (pc > 0 ? pc * Math.log(pc / q[c]!) : 0), 0);
  });
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const rows = (x: number[], c: number) => Array.from({ length: x.length / c }, (_, i) => x.slice(i * c, (i + 1) * c));

const STUDENT = [[1, 2, -1], [0.5, 0, 0.3]];
const TEACHER = [[2, 1, -2], [0, 0, 1]];

describe('kdLoss(teacherLogits, studentLogits, options)', () => {
  it('reproduces the spec value (papers-A A.6, DistillKL T = 4)', () => {
    expectClose(kdLoss(TEACHER, STUDENT).dataSync()[0]!, 0.306618, 2e-6);
    expectClose(kdLoss(TEACHER, STUDENT, { temperature: 4 }).dataSync()[0]!, 0.306618, 2e-6);
  });

  it('matches the float64 reference on random inputs, for several temperatures', () => {
    const r = rng(1);
    const t = randomMatrix(r, 48, 6, 3);
    const s = randomMatrix(r, 48, 6, 3);
    for (const T of [0.5, 1, 4]) {
      expectClose(values(kdLoss(t, s, { temperature: T, reduction: 'none' })), reference(t, s, T), 1e-5, 1e-7);
    }
    // At T = 20 the KL (about 1e-3) is a sum of float32 log-probabilities (about −1.8, so rounded
    // to about 1e-7), then scaled by T² = 400: its relative error grows to about 1e-4.
    expectClose(values(kdLoss(t, s, { temperature: 20, reduction: 'none' })), reference(t, s, 20), 3e-4, 1e-6);
  });

  it('has the gradient of the float64 reference (finite differences), and T(q − p) in closed form', () => {
    const r = rng(3);
    const t = randomMatrix(r, 4, 3, 2);
    const s = randomMatrix(r, 4, 3, 2);
    const g = values(tf.grad((z: tf.Tensor) => kdLoss(t, z, { temperature: 2 }))(tf.tensor(s)));
    expectClose(g, numericGradient((x) => mean(reference(t, rows(x, 3), 2)), s.flat()), 1e-4, 1e-6);
    const closed = s.flatMap((row, i) => {
      const q = softmax(row, 2);
      const p = softmax(t[i]!, 2);
      return q.map((qc, c) => (2 * (qc - p[c]!)) / 4);
    });
    expectClose(g, closed, 1e-4, 1e-7);
  });

  it('is zero when the student equals the teacher, also up to a constant per row', () => {
    expectClose(values(kdLoss(TEACHER, TEACHER, { reduction: 'none' })), [0, 0], 0, 1e-6);
    const shifted = TEACHER.map((row, i) => row.map((z) => z + 5 * i - 3));
    expectClose(values(kdLoss(TEACHER, shifted, { reduction: 'none' })), [0, 0], 0, 1e-6);
    const g = values(tf.grad((z: tf.Tensor) => kdLoss(TEACHER, z))(tf.tensor(TEACHER)));
    expectClose(g, [0, 0, 0, 0, 0, 0], 0, 1e-6);
  });

  it('is invariant to adding a constant to a row of either logits', () => {
    const base = values(kdLoss(TEACHER, STUDENT, { reduction: 'none' }));
    const s2 = STUDENT.map((row, i) => row.map((z) => z + 7 * (i + 1)));
    const t2 = TEACHER.map((row, i) => row.map((z) => z - 4 * (i + 1)));
    expectClose(values(kdLoss(t2, s2, { reduction: 'none' })), base, 1e-5);
  });

  it('scales as T² · KL: with logits scaled by T the value is T² times the T = 1 value', () => {
    const r = rng(4);
    const t = randomMatrix(r, 8, 5);
    const s = randomMatrix(r, 8, 5);
    const T = 3;
    const tT = t.map((row) => row.map((z) => z * T));
    const sT = s.map((row) => row.map((z) => z * T));
    const atOne = values(kdLoss(t, s, { temperature: 1, reduction: 'none' }));
    expectClose(values(kdLoss(tT, sT, { temperature: T, reduction: 'none' })), atOne.map((v) => v * T * T), 1e-5, 1e-7);
  });

  it('is never negative', () => {
    const r = rng(5);
    const v = values(kdLoss(randomMatrix(r, 64, 4, 4), randomMatrix(r, 64, 4, 4), { reduction: 'none' }));
    expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
  });

  it('stays finite, in value and gradient, at logits of ±1e4 and all-equal logits', () => {
    const t = tf.tensor([[1e4, -1e4, 0], [-1e4, 1e4, 0], [5, 5, 5]]);
    const s = tf.tensor([[-1e4, 1e4, 0], [1e4, -1e4, 3], [1, 1, 1]]);
    for (const T of [1, 4]) {
      const value = kdLoss(t, s, { temperature: T, reduction: 'none' });
      expectFinite(value);
      expectFinite(tf.grad((x: tf.Tensor) => kdLoss(t, x, { temperature: T }))(s));
      // Row 1: p = e_0, log q_0 = −2e4/T − log(1 + e^{−2e4/T}...) ≈ −2e4/T, so ℓ ≈ T² · 2e4/T.
      expectClose(values(value)[0]!, T * 2e4, 1e-6);
      expectClose(values(value)[2]!, 0, 0, 1e-6);
    }
  });

  it("reduces by 'mean' (default), 'sum' and 'none' consistently, and weighs samples", () => {
    const none = values(kdLoss(TEACHER, STUDENT, { reduction: 'none' }));
    expectClose(kdLoss(TEACHER, STUDENT, { reduction: 'sum' }).dataSync()[0]!, none[0]! + none[1]!, 1e-6);
    expectClose(kdLoss(TEACHER, STUDENT).dataSync()[0]!, mean(none), 1e-6);
    expectClose(kdLoss(TEACHER, STUDENT, { weights: [3, 1] }).dataSync()[0]!, (3 * none[0]! + none[1]!) / 4, 1e-6);
    expectClose(kdLoss(TEACHER, STUDENT, { weights: [1, 1] }).dataSync()[0]!, mean(none), 1e-6);
    expectClose(values(kdLoss(TEACHER, STUDENT, { weights: [3, 1], reduction: 'none' })), [3 * none[0]!, none[1]!], 1e-6);
  });

  it('leaks no tensors', () => {
    const s = tf.tensor(STUDENT);
    expect(leakedTensors(() => kdLoss(TEACHER, s, { weights: [1, 2] }))).toBe(0);
    expect(leakedTensors(() => tf.grad((x: tf.Tensor) => kdLoss(TEACHER, x))(s))).toBe(0);
    s.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => kdLoss([[1, 2, 3]], STUDENT)).toThrow('kdLoss: expected `teacherLogits` and `studentLogits` to have the same shape, got [1,3] and [2,3]');
    expect(() => kdLoss([1, 2], [1, 2])).toThrow('kdLoss: expected `studentLogits` to have rank 2, got shape [2]');
    expect(() => kdLoss([[1], [2]], [[1], [2]])).toThrow('kdLoss: expected `studentLogits` to have at least 2 classes (columns), got shape [2,1]');
    expect(() => kdLoss(TEACHER, STUDENT, { temperature: 0 })).toThrow('kdLoss: expected `temperature` to be a finite number > 0, got 0 (number)');
    expect(() => kdLoss(TEACHER, STUDENT, { T: 2 } as never)).toThrow('kdLoss: expected each option to be one of temperature, reduction, weights, got `T`');
    expect(() => kdLoss(TEACHER, STUDENT, { weights: [1, 2, 3] })).toThrow("kdLoss: expected `weights` to be per sample or broadcast to the loss's shape [2], got shape [3]");
    expect(() => kdLoss('x' as never, STUDENT)).toThrow('kdLoss: expected `teacherLogits` to be a Tensor, number or numeric array, got "x" (string)');
  });
});
