import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomLabels, randomMatrix, rng, values } from '../../../test/helpers.js';
import { compSumLoss } from './compSumLoss.js';
import { softmaxCrossEntropy } from './softmaxCrossEntropy.js';

// Float64 reference written from the paper's form Φ_τ(u) = ((1 + u)^(1−τ) − 1)/(1 − τ), Φ_1 = log(1 + u),
// with 1 + u = 1/p_y for one-hot rows and Π_c p_c^(−t_c) for soft rows. Shares nothing with the loss.
function softmax(row: number[]): number[] {
  const m = Math.max(...row);
  const e = row.map((z) => Math.exp(z - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}
function phi(onePlusU: number, tau: number): number {
  return tau === 1 ? Math.log(onePlusU) : (onePlusU ** (1 - tau) - 1) / (1 - tau);
}
function reference(targets: number[][], logits: number[][], tau: number): number[] {
  return logits.map((row, i) => {
    const p = softmax(row);
    const onePlusU = p.reduce((acc, pc, c) => acc * pc ** -(targets[i]![c] as number), 1);
    return phi(onePlusU, tau);
  });
}
const oneHot = (labels: number[], c: number) => labels.map((y) => Array.from({ length: c }, (_, k) => (k === y ? 1 : 0)));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const rows = (x: number[], c: number) => Array.from({ length: x.length / c }, (_, i) => x.slice(i * c, (i + 1) * c));

const LOGITS = [[2, 0.5, -1], [0.1, 0.2, 0.3], [-0.5, 1.5, 0]];
const LABELS = [0, 2, 1];
const TAUS = [0, 0.5, 1, 1.5, 2, 3];

describe('compSumLoss(yTrue, logits, options)', () => {
  it('reproduces the spec values (papers-A A.2)', () => {
    const table: [number, number[], number][] = [
      [0, [0.272917, 1.723568, 0.358465], 0.784984],
      [0.5, [0.256473, 1.300647, 0.331065], 0.629395],
      [1, [0.241311, 1.001943, 0.306356], 0.516537],
      [1.5, [0.227322, 0.788117, 0.284046], 0.433161],
      [2, [0.214403, 0.632835, 0.263875], 0.370371],
    ];
    for (const [tau, perSample, m] of table) {
      expectClose(values(compSumLoss(LABELS, LOGITS, { tau, reduction: 'none' })), perSample, 2e-6, 1e-6);
      expectClose(compSumLoss(LABELS, LOGITS, { tau }).dataSync()[0]!, m, 2e-6, 1e-6);
    }
    expectClose(compSumLoss(LABELS, LOGITS, { tau: 3 }).dataSync()[0]!, 0.284358, 2e-6, 1e-6);
  });

  it('matches the float64 reference on random inputs for τ in [0, 3], index and soft labels', () => {
    const r = rng(11);
    const logits = randomMatrix(r, 48, 6, 2);
    const labels = randomLabels(r, 48, 6);
    const soft = randomMatrix(r, 48, 6).map(softmax);
    for (const tau of [...TAUS, 0.3, 1.25, 2.5]) {
      expectClose(values(compSumLoss(labels, logits, { tau, reduction: 'none' })), reference(oneHot(labels, 6), logits, tau), 1e-5);
      expectClose(values(compSumLoss(soft, logits, { tau, reduction: 'none' })), reference(soft, logits, tau), 1e-5);
    }
  });

  it('is exactly the sum-exponential loss at τ = 0, the cross-entropy at τ = 1 and 1 − p_y at τ = 2', () => {
    const r = rng(12);
    const logits = randomMatrix(r, 32, 5, 1.5);
    const labels = randomLabels(r, 32, 5);
    const sumExp = logits.map((row, i) => row.reduce((s, z, k) => (k === labels[i] ? s : s + Math.exp(z - row[labels[i]!]!)), 0));
    const ce = logits.map((row, i) => {
      const m = Math.max(...row);
      return m + Math.log(row.reduce((s, z) => s + Math.exp(z - m), 0)) - row[labels[i]!]!;
    });
    const mae = logits.map((row, i) => 1 - softmax(row)[labels[i]!]!);
    expectClose(values(compSumLoss(labels, logits, { tau: 0, reduction: 'none' })), sumExp, 2e-6, 1e-7);
    expectClose(values(compSumLoss(labels, logits, { tau: 1, reduction: 'none' })), ce, 2e-6, 1e-7);
    expectClose(values(compSumLoss(labels, logits, { tau: 2, reduction: 'none' })), mae, 2e-6, 1e-7);
    // τ = 1 is the library's cross-entropy bit for bit, and tfjs' own to float32 rounding.
    expect(values(compSumLoss(labels, logits, { reduction: 'none' }))).toEqual(values(softmaxCrossEntropy(labels, logits, { reduction: 'none' })));
    const theirs = tf.losses.softmaxCrossEntropy(tf.tensor(oneHot(labels, 5)), tf.tensor(logits));
    expectClose(compSumLoss(labels, logits).dataSync()[0]!, theirs.dataSync()[0]!, 1e-6);
  });

  it('is the generalized cross-entropy (1 − p_y^(τ−1))/(τ − 1) for τ > 1', () => {
    const r = rng(13);
    const logits = randomMatrix(r, 16, 4, 2);
    const labels = randomLabels(r, 16, 4);
    for (const tau of [1.3, 1.7, 3]) {
      const gce = logits.map((row, i) => (1 - softmax(row)[labels[i]!]! ** (tau - 1)) / (tau - 1));
      expectClose(values(compSumLoss(labels, logits, { tau, reduction: 'none' })), gce, 2e-6, 1e-7);
    }
  });

  it('is continuous at τ = 1: τ = 1 ± 1e-3 lie within (1e-3/2)·nll² of the cross-entropy, on either side', () => {
    const r = rng(14);
    const logits = randomMatrix(r, 32, 5, 1.5);
    const labels = randomLabels(r, 32, 5);
    const ce = values(compSumLoss(labels, logits, { tau: 1, reduction: 'none' }));
    const below = values(compSumLoss(labels, logits, { tau: 1 - 1e-3, reduction: 'none' }));
    const above = values(compSumLoss(labels, logits, { tau: 1 + 1e-3, reduction: 'none' }));
    ce.forEach((l, i) => {
      // expm1(k·l)/k = l + k·l²/2 + O(k²l³), so the gaps are about ±5e-4·l².
      expect(Math.abs(below[i]! - l)).toBeLessThanOrEqual(6e-4 * l * l + 1e-6);
      expect(Math.abs(above[i]! - l)).toBeLessThanOrEqual(6e-4 * l * l + 1e-6);
      expect(below[i]!).toBeGreaterThanOrEqual(l);
      expect(above[i]!).toBeLessThanOrEqual(l);
    });
    // and keep full precision there (no cancellation in expm1(k·nll)/k)
    expectClose(below, reference(oneHot(labels, 5), logits, 1 - 1e-3), 1e-5);
    expectClose(above, reference(oneHot(labels, 5), logits, 1 + 1e-3), 1e-5);
  });

  it('has the closed-form gradient p_y^(τ−1) (p − e_y) per sample', () => {
    const r = rng(15);
    const logits = randomMatrix(r, 6, 4, 1.5);
    const labels = randomLabels(r, 6, 4);
    for (const tau of TAUS) {
      const g = values(tf.grad((z: tf.Tensor) => compSumLoss(labels, z, { tau, reduction: 'sum' }))(tf.tensor(logits)));
      const expected = logits.flatMap((row, i) => {
        const p = softmax(row);
        const w = p[labels[i]!]! ** (tau - 1);
        return p.map((pc, c) => w * (pc - (c === labels[i] ? 1 : 0)));
      });
      expectClose(g, expected, 1e-5, 1e-7);
    }
  });

  it('has the gradient of the float64 reference (finite differences), index and soft labels', () => {
    const r = rng(16);
    const logits = randomMatrix(r, 4, 3, 1.5);
    const hard = oneHot(randomLabels(r, 4, 3), 3);
    const soft = randomMatrix(r, 4, 3).map(softmax);
    for (const tau of [...TAUS, 0.7]) {
      for (const targets of [hard, soft]) {
        const g = tf.grad((z: tf.Tensor) => compSumLoss(targets, z, { tau }))(tf.tensor(logits));
        const f = (x: number[]) => mean(reference(targets, rows(x, 3), tau));
        expectClose(values(g), numericGradient(f, logits.flat()), 1e-4, 1e-6);
      }
    }
  });

  it('is invariant to adding a constant to every logit of a row, and non-negative', () => {
    const shifted = LOGITS.map((row, i) => row.map((z) => z + 10 * (i + 1)));
    for (const tau of TAUS) {
      const base = values(compSumLoss(LABELS, LOGITS, { tau, reduction: 'none' }));
      expectClose(values(compSumLoss(LABELS, shifted, { tau, reduction: 'none' })), base, 1e-5);
      for (const l of base) expect(l).toBeGreaterThanOrEqual(0);
    }
  });

  it('stays finite, in value and gradient, at logits of ±1e4 and all-equal logits, for τ in {0, 0.5, 1, 1.5, 2, 3}', () => {
    const z = tf.tensor([[1e4, -1e4, 0], [-1e4, 1e4, 0], [5, 5, 5]]);
    const labels = [1, 1, 2];
    for (const tau of TAUS) {
      const value = compSumLoss(labels, z, { tau, reduction: 'none' });
      expectFinite(value);
      expectFinite(tf.grad((x: tf.Tensor) => compSumLoss(labels, x, { tau }))(z));
      const v = values(value);
      // a correct sample costs 0, three equal logits cost Φ_τ(2) = (3^(1−τ) − 1)/(1 − τ)
      expectClose(v.slice(1), [0, phi(3, tau)], 1e-6, 1e-7);
      // the wrong sample (nll = 2e4): bounded losses reach their bound, τ < 1 the clamp at exponent 80
      const wrong = tau < 1 ? Math.expm1(80) / (1 - tau) : tau === 1 ? 2e4 : 1 / (tau - 1);
      expectClose(v[0]!, wrong, 1e-6);
    }
  });

  it('clamps (1 − τ)·nll at 80 for τ < 1: constant value and zero gradient beyond, unchanged below', () => {
    // sample 0: nll ≈ 60 (< 80 at τ = 0), sample 1: nll ≈ 100 (clamped)
    const logits = [[0, 60, 0], [0, 100, 0]];
    const v = values(compSumLoss([0, 0], logits, { tau: 0, reduction: 'none' }));
    expectClose(v, [Math.exp(60) + 1, Math.expm1(80)], 1e-5);
    const g = values(tf.grad((x: tf.Tensor) => compSumLoss([0, 0], x, { tau: 0, reduction: 'sum' }))(tf.tensor(logits)));
    expectFinite(g);
    expectClose(g.slice(0, 3), [-(Math.exp(60) + 1), Math.exp(60), 1], 1e-5);
    expectClose(g.slice(3), [0, 0, 0], 0, 0);
    // at τ = 0.5 the clamp starts at nll = 160
    expectClose(compSumLoss([0], [[0, 100, 0]], { tau: 0.5 }).dataSync()[0]!, Math.expm1(50 + 0.5 * Math.log1p(2 * Math.exp(-100))) / 0.5, 1e-5);
  });

  it("reduces by 'mean' (default), 'sum' and 'none' consistently, and explicit defaults change nothing", () => {
    const none = values(compSumLoss(LABELS, LOGITS, { tau: 0.5, reduction: 'none' }));
    expectClose(compSumLoss(LABELS, LOGITS, { tau: 0.5, reduction: 'sum' }).dataSync()[0]!, none[0]! + none[1]! + none[2]!, 1e-6);
    expectClose(compSumLoss(LABELS, LOGITS, { tau: 0.5 }).dataSync()[0]!, mean(none), 1e-6);
    const explicit = compSumLoss(LABELS, LOGITS, { tau: 1, labelSmoothing: 0, reduction: 'mean' }).dataSync()[0]!;
    expect(explicit).toBe(compSumLoss(LABELS, LOGITS).dataSync()[0]!);
  });

  it('takes the weighted mean sum(w·l)/sum(w) with weights, and ones change nothing', () => {
    const none = values(compSumLoss(LABELS, LOGITS, { tau: 2, reduction: 'none' }));
    const w = [1, 2, 0.5];
    const expected = (none[0]! * 1 + none[1]! * 2 + none[2]! * 0.5) / 3.5;
    expectClose(compSumLoss(LABELS, LOGITS, { tau: 2, weights: w }).dataSync()[0]!, expected, 1e-6);
    expectClose(compSumLoss(LABELS, LOGITS, { tau: 2, weights: [1, 1, 1] }).dataSync()[0]!, mean(none), 1e-6);
    expectClose(values(compSumLoss(LABELS, LOGITS, { tau: 2, weights: w, reduction: 'none' })), none.map((l, i) => l * w[i]!), 1e-6);
  });

  it('weighs each sample by the class weight of its label', () => {
    const none = values(compSumLoss(LABELS, LOGITS, { tau: 0, reduction: 'none' }));
    const cw = [2, 1, 3];
    expectClose(compSumLoss(LABELS, LOGITS, { tau: 0, classWeights: cw }).dataSync()[0]!, (none[0]! * 2 + none[1]! * 3 + none[2]! * 1) / 6, 1e-6);
    expectClose(compSumLoss(LABELS, LOGITS, { tau: 0, classWeights: [4, 4, 4] }).dataSync()[0]!, mean(none), 1e-6);
  });

  it('smooths labels to t(1−ε) + ε/C and applies Φ_τ to the smoothed cross-entropy', () => {
    const eps = 0.2;
    const smooth = oneHot(LABELS, 3).map((row) => row.map((t) => t * (1 - eps) + eps / 3));
    for (const tau of [0, 1.5, 2]) {
      expectClose(values(compSumLoss(LABELS, LOGITS, { tau, labelSmoothing: eps, reduction: 'none' })), reference(smooth, LOGITS, tau), 1e-5);
    }
  });

  it('leaves ignored samples out: zero loss, zero gradient, same mean as slicing them away', () => {
    const labels = [0, -100, 1];
    for (const tau of [0, 2]) {
      const loss = compSumLoss(labels, LOGITS, { tau, ignoreIndex: -100, labelSmoothing: 0.1 });
      const sliced = compSumLoss([0, 1], [LOGITS[0]!, LOGITS[2]!], { tau, labelSmoothing: 0.1 });
      expectClose(loss.dataSync()[0]!, sliced.dataSync()[0]!, 1e-6);
      expectClose(values(compSumLoss(labels, LOGITS, { tau, ignoreIndex: -100, reduction: 'none' }))[1]!, 0, 0, 0);
      const g = values(tf.grad((z: tf.Tensor) => compSumLoss(labels, z, { tau, ignoreIndex: -100 }))(tf.tensor(LOGITS)));
      expectClose(g.slice(3, 6), [0, 0, 0], 0, 0);
    }
    expectClose(compSumLoss([-1, -1], [[1, 2], [3, 4]], { tau: 0, ignoreIndex: -1 }).dataSync()[0]!, 0, 0, 0);
  });

  it('accepts labels [N, 1] and int32 tensors as class indices, and binary [N, 2] logits', () => {
    expectClose(compSumLoss(tf.tensor2d([[0], [2], [1]], [3, 1], 'int32'), LOGITS, { tau: 0 }).dataSync()[0]!, 0.784984, 2e-6, 1e-6);
    // two classes at τ = 0: e^(z_other − z_y)
    expectClose(values(compSumLoss([1, 0], [[0.5, -1], [2, 3]], { tau: 0, reduction: 'none' })), [Math.exp(1.5), Math.exp(1)], 1e-6);
  });

  it('leaks no tensors', () => {
    const z = tf.tensor(LOGITS);
    for (const tau of [0, 1, 2]) {
      expect(leakedTensors(() => compSumLoss(LABELS, z, { tau, classWeights: [1, 2, 3], labelSmoothing: 0.1, weights: [1, 2, 3] }))).toBe(0);
      expect(leakedTensors(() => tf.grad((x: tf.Tensor) => compSumLoss(LABELS, x, { tau }))(z))).toBe(0);
    }
    z.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => compSumLoss(LABELS, LOGITS, { tau: -0.5 })).toThrow('compSumLoss: expected `tau` to be a finite number >= 0, got -0.5 (number)');
    expect(() => compSumLoss(LABELS, LOGITS, { tau: Number.NaN })).toThrow('compSumLoss: expected `tau` to be a finite number >= 0, got NaN (number)');
    expect(() => compSumLoss(LABELS, LOGITS, { tau: '1' as never })).toThrow('compSumLoss: expected `tau` to be a finite number >= 0, got "1" (string)');
    expect(() => compSumLoss(LABELS, LOGITS, { t: 1 } as never)).toThrow('compSumLoss: expected each option to be one of tau, classWeights, labelSmoothing, ignoreIndex, reduction, weights, got `t`');
    expect(() => compSumLoss([0, 1, 2, 0], LOGITS)).toThrow('compSumLoss: expected `yTrue` and `logits` to have the same number of rows, got [4] and [3,3]');
    expect(() => compSumLoss([0, 3, 1], LOGITS)).toThrow('compSumLoss: expected every value of `yTrue` to be an integer class index in [0, 2], got 3 at index 1');
    expect(() => compSumLoss([0, 1, 2], [1, 2, 3])).toThrow('compSumLoss: expected `logits` to have rank 2, got shape [3]');
    expect(() => compSumLoss([[0, 1]], [[1, 2, 3]])).toThrow("compSumLoss: expected `yTrue` to be class indices [1] or targets of the logits' shape [1,3], got shape [1,2]");
    expect(() => compSumLoss(LABELS, LOGITS, { labelSmoothing: 2 })).toThrow('compSumLoss: expected `labelSmoothing` to be a finite number >= 0 and <= 1, got 2 (number)');
    expect(() => compSumLoss(LABELS, LOGITS, { weights: [1, 2] })).toThrow("compSumLoss: expected `weights` to be per sample or broadcast to the loss's shape [3], got shape [2]");
    expect(() => compSumLoss(LABELS, LOGITS, { reduction: 'avg' as never })).toThrow("compSumLoss: expected `reduction` to be one of 'mean' | 'sum' | 'none', got \"avg\" (string)");
  });
});
