import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomLabels, randomMatrix, rng, values } from '../../../test/helpers.js';
import { correctnessAwareLoss } from './correctnessAwareLoss.js';

// Float64 reference written from the official objective (weights 1 − acc / acc), sharing nothing with the loss.
function confidence(row: number[], T: number): number {
  const z = row.map((v) => v / T);
  const m = Math.max(...z);
  const s = z.reduce((a, v) => a + Math.exp(v - m), 0);
  return 1 / s; // exp(max − max) / Σ exp(z − max)
}
const argmax = (row: number[]) => row.indexOf(Math.max(...row));
function perSample(labels: number[], logits: number[][], T: number[], form: 'mse' | 'bce' = 'mse'): number[] {
  return logits.map((row, i) => {
    const c = confidence(row, T[i]!);
    const a = argmax(row) === labels[i] ? 1 : 0;
    return form === 'mse' ? (c - a) ** 2 : -(a * Math.log(c) + (1 - a) * Math.log(1 - c));
  });
}
/** L_CA as the code computes it: Σ w l / Σ w with w = 1 − acc (correct) or acc (wrong). */
function reference(labels: number[], logits: number[][], T: number[], form: 'mse' | 'bce' = 'mse'): number {
  const l = perSample(labels, logits, T, form);
  const a: number[] = logits.map((row, i) => (argmax(row) === labels[i] ? 1 : 0));
  const acc = a.reduce((s, v) => s + v, 0) / a.length;
  const w = a.map((v) => (v === 1 ? 1 - acc : acc));
  return w.reduce((s, wi, i) => s + wi * l[i]!, 0) / w.reduce((s, wi) => s + wi, 0);
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const rows = (x: number[], c: number) => Array.from({ length: x.length / c }, (_, i) => x.slice(i * c, (i + 1) * c));

const LOGITS = [[2, 1, 0], [0.5, 0.4, 0], [0, 3, 0], [1, 1.2, 0]];
const LABELS = [0, 1, 1, 0];
const TEMPS = [1.5, 1, 2, 0.8];

/** Random logits, labels and temperatures where both correct and wrong predictions occur. */
function randomCase(seed: number, n = 40, c = 5) {
  const r = rng(seed);
  const logits = randomMatrix(r, n, c, 2);
  const labels = randomLabels(r, n, c).map((y, i) => (i % 3 === 0 ? argmax(logits[i]!) : y));
  const temps = Array.from({ length: n }, () => 0.3 + 2 * r());
  return { logits, labels, temps };
}

describe('correctnessAwareLoss(yTrue, logits, options)', () => {
  it('reproduces the spec values (papers-A A.10): confidences, correctness and L_CA', () => {
    const none = values(correctnessAwareLoss(LABELS, LOGITS, { temperature: TEMPS, reduction: 'none' }));
    const conf = [0.562742, 0.398189, 0.691438, 0.499518];
    const a = [1, 0, 1, 0];
    // acc = 0.5: balanced weights are all 1, so 'none' holds (ĉ − a)².
    expectClose(none, conf.map((c, i) => (c - a[i]!) ** 2), 1e-5);
    expectClose(correctnessAwareLoss(LABELS, LOGITS, { temperature: TEMPS }).dataSync()[0]!, 0.173619, 3e-6);
    expectClose(correctnessAwareLoss(LABELS, LOGITS, { temperature: tf.tensor2d(TEMPS, [4, 1]) }).dataSync()[0]!, 0.173619, 3e-6);
  });

  it('matches the official weighting (1 − acc, acc) on random inputs, both forms', () => {
    for (const seed of [1, 2]) {
      const { logits, labels, temps } = randomCase(seed);
      for (const form of ['mse', 'bce'] as const) {
        expectClose(correctnessAwareLoss(labels, logits, { temperature: temps, form }).dataSync()[0]!, reference(labels, logits, temps, form), 1e-5);
      }
      const ones = temps.map(() => 1);
      expectClose(correctnessAwareLoss(labels, logits).dataSync()[0]!, reference(labels, logits, ones), 1e-5);
      expectClose(correctnessAwareLoss(labels, logits, { temperature: 1.7 }).dataSync()[0]!, reference(labels, logits, temps.map(() => 1.7)), 1e-5);
    }
  });

  it("weighting 'none' is the plain mean of the per-sample terms", () => {
    const { logits, labels, temps } = randomCase(3);
    for (const form of ['mse', 'bce'] as const) {
      const none = values(correctnessAwareLoss(labels, logits, { temperature: temps, form, weighting: 'none', reduction: 'none' }));
      expectClose(none, perSample(labels, logits, temps, form), 1e-5, 1e-7);
      expectClose(correctnessAwareLoss(labels, logits, { temperature: temps, form, weighting: 'none' }).dataSync()[0]!, mean(perSample(labels, logits, temps, form)), 1e-5);
    }
  });

  it('has the gradient of the float64 reference (finite differences), in the logits and in the temperatures', () => {
    const { logits, labels, temps } = randomCase(4, 6, 3);
    for (const form of ['mse', 'bce'] as const) {
      const g = values(tf.grad((z: tf.Tensor) => correctnessAwareLoss(labels, z, { temperature: temps, form }))(tf.tensor(logits)));
      expectClose(g, numericGradient((x) => reference(labels, rows(x, 3), temps, form), logits.flat(), 1e-6), 1e-4, 1e-6);
      const gT = values(tf.grad((t: tf.Tensor) => correctnessAwareLoss(labels, logits, { temperature: t, form }))(tf.tensor1d(temps)));
      expectClose(gT, numericGradient((t) => reference(labels, logits, t, form), temps, 1e-6), 1e-4, 1e-6);
    }
  });

  it('raises confidence on correct and lowers it on wrong predictions (sign of the temperature gradient)', () => {
    // Sample 0 is right: a lower T (sharper softmax) helps, so dL/dT > 0; sample 1 is wrong: dL/dT < 0.
    const gT = values(tf.grad((t: tf.Tensor) => correctnessAwareLoss([0, 1], [[2, 0, 0], [2, 0, 0]], { temperature: t }))(tf.tensor1d([1, 1])));
    expect(gT[0]!).toBeGreaterThan(0);
    expect(gT[1]!).toBeLessThan(0);
  });

  it('balances the groups: a batch of 3 wrong and 1 right weighs the right one as much as the 3 wrong', () => {
    const logits = [[3, 0], [3, 0], [3, 0], [3, 0]];
    const labels = [0, 1, 1, 1];
    const l = perSample(labels, logits, [1, 1, 1, 1]);
    const expected = 0.5 * l[0]! + (0.5 * (l[1]! + l[2]! + l[3]!)) / 3;
    expectClose(correctnessAwareLoss(labels, logits).dataSync()[0]!, expected, 1e-6);
    expectClose(correctnessAwareLoss(labels, logits).dataSync()[0]!, reference(labels, logits, [1, 1, 1, 1]), 1e-6);
    const none = values(correctnessAwareLoss(labels, logits, { reduction: 'none' }));
    expectClose(none, [2 * l[0]!, (2 / 3) * l[1]!, (2 / 3) * l[2]!, (2 / 3) * l[3]!], 1e-6);
    expectClose(mean(none), expected, 1e-6);
  });

  it('weighs every sample 1 when all predictions are right (or all wrong), where the code gives 0/0', () => {
    const logits = [[3, 0, 1], [0, 2, 1]];
    for (const labels of [[0, 1], [1, 0]]) {
      expectClose(correctnessAwareLoss(labels, logits).dataSync()[0]!, mean(perSample(labels, logits, [1, 1])), 1e-6);
      expect(Number.isNaN(reference(labels, logits, [1, 1]))).toBe(true);
    }
  });

  it('is invariant to adding a constant to every logit of a row', () => {
    const shifted = LOGITS.map((row, i) => row.map((z) => z + 4 * i - 6));
    expectClose(correctnessAwareLoss(LABELS, shifted, { temperature: TEMPS }).dataSync()[0]!, 0.173619, 3e-6);
  });

  it('takes the confidence of the first maximum on ties', () => {
    // Row [1, 1, 0]: argmax 0, ĉ = e/(2e + 1); label 0 counts as correct, label 1 as wrong.
    const c = Math.E / (2 * Math.E + 1);
    expectClose(values(correctnessAwareLoss([0, 1], [[1, 1, 0], [1, 1, 0]], { weighting: 'none', reduction: 'none' })), [(c - 1) ** 2, c ** 2], 1e-6);
  });

  it('stays finite, in value and gradient, at logits of ±1e4 and all-equal logits, both forms', () => {
    const z = tf.tensor([[1e4, -1e4, 0], [-1e4, 1e4, 0], [5, 5, 5], [1e4, 1e4, -1e4]]);
    for (const form of ['mse', 'bce'] as const) {
      const value = correctnessAwareLoss([0, 0, 2, 1], z, { form, reduction: 'none' });
      expectFinite(value);
      expectFinite(tf.grad((x: tf.Tensor) => correctnessAwareLoss([0, 0, 2, 1], x, { form }))(z));
      expectFinite(tf.grad((t: tf.Tensor) => correctnessAwareLoss([0, 0, 2, 1], z, { form, temperature: t }))(tf.ones([4])));
    }
    // bce of one wrong prediction (its own group, weight 1) with 1 − ĉ ≈ e^{−2e4}: −log(1 − ĉ) = 2e4.
    const bce = values(correctnessAwareLoss([1], [[1e4, -1e4]], { form: 'bce', reduction: 'none' }));
    expectClose(bce, [2e4], 1e-6);
  });

  it("reduces by 'mean' (default), 'sum' and 'none' consistently, and weighs samples", () => {
    const { logits, labels, temps } = randomCase(5, 12, 4);
    const o = { temperature: temps };
    const none = values(correctnessAwareLoss(labels, logits, { ...o, reduction: 'none' }));
    expectClose(correctnessAwareLoss(labels, logits, { ...o, reduction: 'sum' }).dataSync()[0]!, none.reduce((a, b) => a + b, 0), 1e-5);
    expectClose(correctnessAwareLoss(labels, logits, o).dataSync()[0]!, mean(none), 1e-5);
    const ones = labels.map(() => 1);
    expectClose(correctnessAwareLoss(labels, logits, { ...o, weights: ones }).dataSync()[0]!, mean(none), 1e-6);
    // User weights multiply the balanced ones: Σ u w l / Σ u w.
    const u = labels.map((_, i) => 1 + (i % 3));
    const l = perSample(labels, logits, temps);
    const a: number[] = logits.map((row, i) => (argmax(row) === labels[i] ? 1 : 0));
    const nc = a.reduce((s, v) => s + v, 0);
    const w = a.map((v) => (v === 1 ? 12 / (2 * nc) : 12 / (2 * (12 - nc))));
    const expected = u.reduce((s, ui, i) => s + ui * w[i]! * l[i]!, 0) / u.reduce((s, ui, i) => s + ui * w[i]!, 0);
    expectClose(correctnessAwareLoss(labels, logits, { ...o, weights: u }).dataSync()[0]!, expected, 1e-5);
  });

  it('leaks no tensors', () => {
    const z = tf.tensor(LOGITS);
    const t = tf.tensor1d(TEMPS);
    for (const form of ['mse', 'bce'] as const) {
      expect(leakedTensors(() => correctnessAwareLoss(LABELS, z, { temperature: TEMPS, form, weights: [1, 2, 3, 4] }))).toBe(0);
      expect(leakedTensors(() => tf.grads((x: tf.Tensor, tt: tf.Tensor) => correctnessAwareLoss(LABELS, x, { temperature: tt, form }))([z, t]))).toBe(0);
    }
    z.dispose();
    t.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => correctnessAwareLoss([0, 1, 1], LOGITS)).toThrow('correctnessAwareLoss: expected `yTrue` to hold one class index per row of `logits` [4], got shape [3]');
    expect(() => correctnessAwareLoss([0, 1, 3, 0], LOGITS)).toThrow('correctnessAwareLoss: expected every value of `yTrue` to be an integer class index in [0, 2], got 3 at index 2');
    expect(() => correctnessAwareLoss([[1, 0, 0]], [[1, 2, 3]])).toThrow('correctnessAwareLoss: expected `yTrue` to hold one class index per row of `logits` [1], got shape [1,3]');
    expect(() => correctnessAwareLoss([0], [1, 2])).toThrow('correctnessAwareLoss: expected `logits` to have rank 2, got shape [2]');
    expect(() => correctnessAwareLoss([0], [[1]])).toThrow('correctnessAwareLoss: expected `logits` to have at least 2 classes, got shape [1,1]');
    expect(() => correctnessAwareLoss(LABELS, LOGITS, { temperature: 0 })).toThrow('correctnessAwareLoss: expected `temperature` to be a finite number > 0, got 0 (number)');
    expect(() => correctnessAwareLoss(LABELS, LOGITS, { temperature: [1, 2] })).toThrow('correctnessAwareLoss: expected `temperature` to be a number or hold one value per sample [4], got shape [2]');
    expect(() => correctnessAwareLoss(LABELS, LOGITS, { temperature: [1, 2, -1, 1] })).toThrow('correctnessAwareLoss: expected every value of `temperature` to be a finite number > 0, got -1 (number) at index 2');
    expect(() => correctnessAwareLoss(LABELS, LOGITS, { form: 'log' as never })).toThrow("correctnessAwareLoss: expected `form` to be one of 'mse' | 'bce', got \"log\" (string)");
    expect(() => correctnessAwareLoss(LABELS, LOGITS, { weighting: 'class' as never })).toThrow("correctnessAwareLoss: expected `weighting` to be one of 'balanced' | 'none', got \"class\" (string)");
    expect(() => correctnessAwareLoss(LABELS, LOGITS, { T: 1 } as never)).toThrow('correctnessAwareLoss: expected each option to be one of temperature, weighting, form, reduction, weights, got `T`');
  });
});
