import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomLabels, randomMatrix, rng, values } from '../../../test/helpers.js';
import { compSumLoss } from './compSumLoss.js';
import { generalizedCrossEntropy } from './generalizedCrossEntropy.js';

// Float64 reference from Zhang & Sabuncu's form (1 − p_y^q)/q, with p_y^q → Π_c p_c^(q t_c) for soft rows.
function softmax(row: number[]): number[] {
  const m = Math.max(...row);
  const e = row.map((z) => Math.exp(z - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}
function reference(targets: number[][], logits: number[][], q: number): number[] {
  return logits.map((row, i) => {
    const p = softmax(row);
    const pyq = p.reduce((acc, pc, c) => acc * pc ** (q * (targets[i]![c] as number)), 1);
    return (1 - pyq) / q;
  });
}
const oneHot = (labels: number[], c: number) => labels.map((y) => Array.from({ length: c }, (_, k) => (k === y ? 1 : 0)));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const rows = (x: number[], c: number) => Array.from({ length: x.length / c }, (_, i) => x.slice(i * c, (i + 1) * c));

const LOGITS = [[2, 0.5, -1], [0.1, 0.2, 0.3], [-0.5, 1.5, 0]];
const LABELS = [0, 2, 1];

describe('generalizedCrossEntropy(yTrue, logits, options)', () => {
  it('reproduces the spec values (papers-A A.2: q = 0.5 is τ = 1.5, q = 1 is τ = 2)', () => {
    expectClose(values(generalizedCrossEntropy(LABELS, LOGITS, { q: 0.5, reduction: 'none' })), [0.227322, 0.788117, 0.284046], 2e-6, 1e-6);
    expectClose(generalizedCrossEntropy(LABELS, LOGITS, { q: 0.5 }).dataSync()[0]!, 0.433161, 2e-6, 1e-6);
    expectClose(values(generalizedCrossEntropy(LABELS, LOGITS, { q: 1, reduction: 'none' })), [0.214403, 0.632835, 0.263875], 2e-6, 1e-6);
    expectClose(generalizedCrossEntropy(LABELS, LOGITS, { q: 1 }).dataSync()[0]!, 0.370371, 2e-6, 1e-6);
  });

  it('matches the float64 reference (1 − p_y^q)/q on random inputs, index and soft labels', () => {
    const r = rng(21);
    const logits = randomMatrix(r, 48, 6, 2);
    const labels = randomLabels(r, 48, 6);
    const soft = randomMatrix(r, 48, 6).map(softmax);
    for (const q of [0.05, 0.3, 0.7, 1]) {
      expectClose(values(generalizedCrossEntropy(labels, logits, { q, reduction: 'none' })), reference(oneHot(labels, 6), logits, q), 1e-5);
      expectClose(values(generalizedCrossEntropy(soft, logits, { q, reduction: 'none' })), reference(soft, logits, q), 1e-5);
    }
    // default q = 0.7
    expectClose(values(generalizedCrossEntropy(labels, logits, { reduction: 'none' })), reference(oneHot(labels, 6), logits, 0.7), 1e-5);
  });

  it('is compSumLoss with τ = 1 + q, in value and gradient', () => {
    const r = rng(22);
    const logits = tf.tensor(randomMatrix(r, 16, 5, 2));
    const labels = randomLabels(r, 16, 5);
    for (const q of [0.25, 0.5, 0.7, 1]) {
      expectClose(values(generalizedCrossEntropy(labels, logits, { q, reduction: 'none' })), values(compSumLoss(labels, logits, { tau: 1 + q, reduction: 'none' })), 1e-6, 0);
      const g1 = tf.grad((z: tf.Tensor) => generalizedCrossEntropy(labels, z, { q }))(logits);
      const g2 = tf.grad((z: tf.Tensor) => compSumLoss(labels, z, { tau: 1 + q }))(logits);
      expectClose(values(g1), values(g2), 1e-6, 1e-9);
    }
  });

  it('approaches the cross-entropy as q → 0 and is 1 − p_y at q = 1', () => {
    const r = rng(23);
    const logits = randomMatrix(r, 16, 4, 1.5);
    const labels = randomLabels(r, 16, 4);
    const ce = values(compSumLoss(labels, logits, { tau: 1, reduction: 'none' }));
    const small = values(generalizedCrossEntropy(labels, logits, { q: 1e-3, reduction: 'none' }));
    ce.forEach((l, i) => {
      expect(Math.abs(small[i]! - l)).toBeLessThanOrEqual(6e-4 * l * l + 1e-6);
    });
    const mae = logits.map((row, i) => 1 - softmax(row)[labels[i]!]!);
    expectClose(values(generalizedCrossEntropy(labels, logits, { q: 1, reduction: 'none' })), mae, 2e-6, 1e-7);
  });

  it('is bounded by 1/q and non-negative', () => {
    const r = rng(24);
    const logits = randomMatrix(r, 32, 4, 10);
    const labels = randomLabels(r, 32, 4);
    for (const q of [0.3, 0.7]) {
      for (const l of values(generalizedCrossEntropy(labels, logits, { q, reduction: 'none' }))) {
        expect(l).toBeGreaterThanOrEqual(0);
        expect(l).toBeLessThanOrEqual(1 / q + 1e-6);
      }
    }
  });

  it('has the closed-form gradient p_y^q (p − e_y) and that of the float64 reference (finite differences)', () => {
    const r = rng(25);
    const logits = randomMatrix(r, 4, 3, 1.5);
    const labels = randomLabels(r, 4, 3);
    const soft = randomMatrix(r, 4, 3).map(softmax);
    for (const q of [0.2, 0.7, 1]) {
      const g = values(tf.grad((z: tf.Tensor) => generalizedCrossEntropy(labels, z, { q, reduction: 'sum' }))(tf.tensor(logits)));
      const closed = logits.flatMap((row, i) => {
        const p = softmax(row);
        return p.map((pc, c) => p[labels[i]!]! ** q * (pc - (c === labels[i] ? 1 : 0)));
      });
      expectClose(g, closed, 1e-5, 1e-7);
      for (const targets of [oneHot(labels, 3), soft]) {
        const gm = tf.grad((z: tf.Tensor) => generalizedCrossEntropy(targets, z, { q }))(tf.tensor(logits));
        const f = (x: number[]) => mean(reference(targets, rows(x, 3), q));
        expectClose(values(gm), numericGradient(f, logits.flat()), 1e-4, 1e-6);
      }
    }
  });

  it('is invariant to adding a constant to every logit of a row', () => {
    const shifted = LOGITS.map((row, i) => row.map((z) => z + 10 * (i + 1)));
    expectClose(values(generalizedCrossEntropy(LABELS, shifted, { reduction: 'none' })), values(generalizedCrossEntropy(LABELS, LOGITS, { reduction: 'none' })), 1e-5);
  });

  it('stays finite, in value and gradient, at logits of ±1e4 and all-equal logits', () => {
    const z = tf.tensor([[1e4, -1e4, 0], [-1e4, 1e4, 0], [5, 5, 5]]);
    const labels = [1, 1, 2];
    for (const q of [0.1, 0.7, 1]) {
      const value = generalizedCrossEntropy(labels, z, { q, reduction: 'none' });
      expectFinite(value);
      expectFinite(tf.grad((x: tf.Tensor) => generalizedCrossEntropy(labels, x, { q }))(z));
      expectClose(values(value), [1 / q, 0, (1 - (1 / 3) ** q) / q], 1e-6, 1e-7);
    }
  });

  it("reduces by 'mean' (default), 'sum' and 'none' consistently, with weights as a weighted mean", () => {
    const none = values(generalizedCrossEntropy(LABELS, LOGITS, { reduction: 'none' }));
    expectClose(generalizedCrossEntropy(LABELS, LOGITS, { reduction: 'sum' }).dataSync()[0]!, none[0]! + none[1]! + none[2]!, 1e-6);
    expectClose(generalizedCrossEntropy(LABELS, LOGITS).dataSync()[0]!, mean(none), 1e-6);
    expect(generalizedCrossEntropy(LABELS, LOGITS, { q: 0.7, reduction: 'mean' }).dataSync()[0]!).toBe(generalizedCrossEntropy(LABELS, LOGITS).dataSync()[0]!);
    const w = [1, 2, 0.5];
    expectClose(generalizedCrossEntropy(LABELS, LOGITS, { weights: w }).dataSync()[0]!, (none[0]! + 2 * none[1]! + 0.5 * none[2]!) / 3.5, 1e-6);
    expectClose(generalizedCrossEntropy(LABELS, LOGITS, { weights: [1, 1, 1] }).dataSync()[0]!, mean(none), 1e-6);
  });

  it('applies classWeights, labelSmoothing and ignoreIndex', () => {
    const none = values(generalizedCrossEntropy(LABELS, LOGITS, { reduction: 'none' }));
    expectClose(generalizedCrossEntropy(LABELS, LOGITS, { classWeights: [2, 1, 3] }).dataSync()[0]!, (2 * none[0]! + 3 * none[1]! + none[2]!) / 6, 1e-6);
    const eps = 0.2;
    const smooth = oneHot(LABELS, 3).map((row) => row.map((t) => t * (1 - eps) + eps / 3));
    expectClose(values(generalizedCrossEntropy(LABELS, LOGITS, { labelSmoothing: eps, reduction: 'none' })), reference(smooth, LOGITS, 0.7), 1e-5);
    const labels = [0, -100, 1];
    const loss = generalizedCrossEntropy(labels, LOGITS, { ignoreIndex: -100 });
    expectClose(loss.dataSync()[0]!, generalizedCrossEntropy([0, 1], [LOGITS[0]!, LOGITS[2]!]).dataSync()[0]!, 1e-6);
    const g = values(tf.grad((z: tf.Tensor) => generalizedCrossEntropy(labels, z, { ignoreIndex: -100 }))(tf.tensor(LOGITS)));
    expectClose(g.slice(3, 6), [0, 0, 0], 0, 0);
  });

  it('leaks no tensors', () => {
    const z = tf.tensor(LOGITS);
    expect(leakedTensors(() => generalizedCrossEntropy(LABELS, z, { classWeights: [1, 2, 3], labelSmoothing: 0.1, weights: [1, 2, 3] }))).toBe(0);
    expect(leakedTensors(() => tf.grad((x: tf.Tensor) => generalizedCrossEntropy(LABELS, x))(z))).toBe(0);
    z.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => generalizedCrossEntropy(LABELS, LOGITS, { q: 0 })).toThrow('generalizedCrossEntropy: expected `q` to be a finite number > 0 and <= 1, got 0 (number)');
    expect(() => generalizedCrossEntropy(LABELS, LOGITS, { q: 1.5 })).toThrow('generalizedCrossEntropy: expected `q` to be a finite number > 0 and <= 1, got 1.5 (number)');
    expect(() => generalizedCrossEntropy(LABELS, LOGITS, { tau: 1.5 } as never)).toThrow('generalizedCrossEntropy: expected each option to be one of q, classWeights, labelSmoothing, ignoreIndex, reduction, weights, got `tau`');
    expect(() => generalizedCrossEntropy([0, 1, 2, 0], LOGITS)).toThrow('generalizedCrossEntropy: expected `yTrue` and `logits` to have the same number of rows, got [4] and [3,3]');
    expect(() => generalizedCrossEntropy([0, -1, 1], LOGITS)).toThrow('generalizedCrossEntropy: expected every value of `yTrue` to be an integer class index in [0, 2], got -1 at index 1');
    expect(() => generalizedCrossEntropy([0], [[1]])).toThrow('generalizedCrossEntropy: expected `logits` to have at least 2 classes (use a sigmoid loss for one logit per sample), got shape [1,1]');
  });
});
