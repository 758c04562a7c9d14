import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomLabels, randomMatrix, rng, values } from '../../../test/helpers.js';
import { sigmoidFocalLoss } from './sigmoidFocalLoss.js';
import { softmaxCrossEntropy } from './softmaxCrossEntropy.js';
import { softmaxFocalLoss } from './softmaxFocalLoss.js';

// Float64 reference written from the formula, sharing nothing with the loss:
// ℓ_i = −Σ_c α_c t_ic (1 − p_ic)^γ log p_ic, with 1 − p_c summed over the other classes.
function reference(targets: number[][], logits: number[][], gamma: number, alpha: number | number[] | null = null): number[] {
  return logits.map((row, i) => {
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, z) => s + Math.exp(z - m), 0));
    return -row.reduce((s, z, c) => {
      const rest = row.reduce((acc, zk, k) => (k === c ? acc : acc + Math.exp(zk - lse)), 0);
      const a = alpha === null ? 1 : typeof alpha === 'number' ? alpha : (alpha[c] as number);
      return s + a * (targets[i]![c] as number) * rest ** gamma * (z - lse);
    }, 0);
  });
}
const oneHot = (labels: number[], c: number) => labels.map((y) => Array.from({ length: c }, (_, k) => (k === y ? 1 : 0)));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

const LOGITS = [[2, 0.5, -1], [0.1, 0.2, 0.3], [-0.5, 1.5, 0]];
const LABELS = [0, 2, 1];

describe('softmaxFocalLoss(yTrue, logits, options)', () => {
  it('reproduces the spec values at γ = 0 (papers-A A.2, cross-entropy) and a hand-computed value at γ = 2', () => {
    expectClose(values(softmaxFocalLoss(LABELS, LOGITS, { gamma: 0, reduction: 'none' })), [0.241311, 1.001943, 0.306356], 2e-6);
    expectClose(softmaxFocalLoss(LABELS, LOGITS, { gamma: 0 }).dataSync()[0]!, 0.516537, 2e-6);
    // p_0 = softmax([2, 0.5, −1])_0 = 0.785597: (1 − p_0)² · (−log p_0) = 0.214403² · 0.241311 = 0.011093.
    expectClose(softmaxFocalLoss([0], [[2, 0.5, -1]]).dataSync()[0]!, 0.011093, 2e-5);
  });

  it('matches the float64 reference on random inputs, for several γ and α, index and soft labels', () => {
    const r = rng(31);
    const logits = randomMatrix(r, 32, 5, 3);
    const labels = randomLabels(r, 32, 5);
    const soft = randomMatrix(r, 32, 5).map((row) => {
      const e = row.map(Math.exp);
      const s = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / s);
    });
    for (const gamma of [0, 0.5, 1, 2, 3.5]) {
      for (const alpha of [null, 0.25, [0.1, 0.5, 1, 2, 0]]) {
        expectClose(values(softmaxFocalLoss(labels, logits, { gamma, alpha, reduction: 'none' })), reference(oneHot(labels, 5), logits, gamma, alpha), 1e-5, 1e-8);
        expectClose(values(softmaxFocalLoss(soft, logits, { gamma, alpha, reduction: 'none' })), reference(soft, logits, gamma, alpha), 1e-5, 1e-8);
      }
    }
  });

  it('equals softmaxCrossEntropy at γ = 0 without α, with every shared knob', () => {
    const r = rng(32);
    const logits = randomMatrix(r, 24, 4, 2);
    const labels = randomLabels(r, 24, 4);
    labels[3] = -1;
    const w = Array.from({ length: 24 }, () => r());
    for (const opts of [{}, { labelSmoothing: 0.2 }, { classWeights: [1, 2, 0.5, 3] }, { ignoreIndex: -1 }, { weights: w }, { reduction: 'none' as const }, { reduction: 'sum' as const, ignoreIndex: -1, labelSmoothing: 0.1 }]) {
      const l = labels.map((y) => ('ignoreIndex' in opts ? y : Math.max(y, 0)));
      expectClose(values(softmaxFocalLoss(l, logits, { gamma: 0, ...opts })), values(softmaxCrossEntropy(l, logits, opts)), 1e-6, 1e-7);
    }
  });

  it('with two classes and α = [1 − a, a] equals sigmoidFocalLoss on the logit difference', () => {
    const r = rng(33);
    const z = randomMatrix(r, 20, 2, 3);
    const labels = randomLabels(r, 20, 2);
    for (const gamma of [0.5, 2]) {
      const soft = values(softmaxFocalLoss(labels, z, { gamma, alpha: [0.75, 0.25], reduction: 'none' }));
      const sig = values(sigmoidFocalLoss(labels, z.map(([a, b]) => b! - a!), { gamma, alpha: 0.25, reduction: 'none' }));
      expectClose(soft, sig, 1e-5, 1e-7);
    }
  });

  it('is invariant to adding a constant to every logit of a row', () => {
    const shifted = LOGITS.map((row, i) => row.map((z) => z + 10 * (i + 1)));
    for (const gamma of [0.5, 2]) {
      expectClose(values(softmaxFocalLoss(LABELS, shifted, { gamma, reduction: 'none' })), values(softmaxFocalLoss(LABELS, LOGITS, { gamma, reduction: 'none' })), 1e-5);
    }
  });

  it('has the gradient of the float64 reference (finite differences), γ = 2 and γ = 0.5', () => {
    const r = rng(34);
    const logits = randomMatrix(r, 4, 3, 2);
    const soft = oneHot(randomLabels(r, 4, 3), 3).map((row) => row.map((v) => 0.7 * v + 0.1));
    for (const [gamma, alpha] of [[2, null], [0.5, [0.2, 1, 0.6]], [1, 0.5]] as const) {
      const g = tf.grad((z: tf.Tensor) => softmaxFocalLoss(soft, z, { gamma, alpha: alpha as number[] | number | null }))(tf.tensor(logits));
      const f = (x: number[]) => mean(reference(soft, [0, 1, 2, 3].map((i) => x.slice(3 * i, 3 * i + 3)), gamma, alpha as number[] | number | null));
      expectClose(values(g), numericGradient(f, logits.flat()), 1e-4, 1e-7);
    }
  });

  it('stays finite, in value and gradient, at logits of ±1e4, all-equal logits and p = 1 in float32, for γ in {0, 0.25, 0.5, 2}', () => {
    const z = tf.tensor([[1e4, -1e4, 0], [1e4, -1e4, 0], [5, 5, 5], [20, 0, 0]]);
    const labels = [0, 1, 2, 0];
    for (const gamma of [0, 0.25, 0.5, 2]) {
      const value = softmaxFocalLoss(labels, z, { gamma, reduction: 'none' });
      expectFinite(value);
      expectClose(values(value).slice(0, 3), [0, 2e4, (2 / 3) ** gamma * Math.log(3)], 1e-6, 0);
      const g = tf.grad((x: tf.Tensor) => softmaxFocalLoss(labels, x, { gamma }))(z);
      expectFinite(g);
      // Confident and right: 0; confident and wrong: the cross-entropy slope (p − e_y)/N.
      expectClose(values(g).slice(0, 6), [0, 0, 0, 0.25, -0.25, 0], 1e-6, 0);
    }
  });

  it('weighs samples by classWeights (in the mean) and classes by α (in the value)', () => {
    const none = values(softmaxFocalLoss(LABELS, LOGITS, { reduction: 'none' }));
    const cw = [2, 1, 3];
    expectClose(softmaxFocalLoss(LABELS, LOGITS, { classWeights: cw }).dataSync()[0]!, (none[0]! * 2 + none[1]! * 3 + none[2]! * 1) / 6, 1e-6);
    expectClose(softmaxFocalLoss(LABELS, LOGITS, { classWeights: [0.5, 0.5, 0.5] }).dataSync()[0]!, mean(none), 1e-6);
    expectClose(softmaxFocalLoss(LABELS, LOGITS, { alpha: 0.5 }).dataSync()[0]!, mean(none) / 2, 1e-6);
    expectClose(values(softmaxFocalLoss(LABELS, LOGITS, { alpha: [2, 1, 3], reduction: 'none' })), [none[0]! * 2, none[1]! * 3, none[2]! * 1], 1e-6);
    expectClose(values(softmaxFocalLoss(LABELS, LOGITS, { alpha: tf.tensor1d([2, 1, 3]), reduction: 'none' })), [none[0]! * 2, none[1]! * 3, none[2]! * 1], 1e-6);
    expectClose(softmaxFocalLoss(LABELS, LOGITS, { alpha: null }).dataSync()[0]!, softmaxFocalLoss(LABELS, LOGITS).dataSync()[0]!, 0, 0);
  });

  it('smooths labels to t(1−ε) + ε/C', () => {
    const eps = 0.2;
    const smooth = oneHot(LABELS, 3).map((row) => row.map((t) => t * (1 - eps) + eps / 3));
    expectClose(values(softmaxFocalLoss(LABELS, LOGITS, { labelSmoothing: eps, gamma: 1.5, reduction: 'none' })), reference(smooth, LOGITS, 1.5), 1e-5);
  });

  it('leaves ignored samples out: zero loss, zero gradient, same mean as slicing them away', () => {
    const labels = [0, -100, 1];
    const loss = softmaxFocalLoss(labels, LOGITS, { ignoreIndex: -100, labelSmoothing: 0.1, gamma: 0.5 });
    const sliced = softmaxFocalLoss([0, 1], [LOGITS[0]!, LOGITS[2]!], { labelSmoothing: 0.1, gamma: 0.5 });
    expectClose(loss.dataSync()[0]!, sliced.dataSync()[0]!, 1e-6);
    expectClose(values(softmaxFocalLoss(labels, LOGITS, { ignoreIndex: -100, reduction: 'none' }))[1]!, 0, 0, 0);
    const g = values(tf.grad((z: tf.Tensor) => softmaxFocalLoss(labels, z, { ignoreIndex: -100, gamma: 0.5 }))(tf.tensor(LOGITS)));
    expectClose(g.slice(3, 6), [0, 0, 0], 0, 0);
    expectClose(softmaxFocalLoss([-1, -1], [[1, 2], [3, 4]], { ignoreIndex: -1 }).dataSync()[0]!, 0, 0, 0);
  });

  it("reduces by 'mean' (default), 'sum' and 'none' consistently, with weights as sum(w·l)/sum(w)", () => {
    const none = values(softmaxFocalLoss(LABELS, LOGITS, { reduction: 'none' }));
    expectClose(softmaxFocalLoss(LABELS, LOGITS, { reduction: 'sum' }).dataSync()[0]!, none[0]! + none[1]! + none[2]!, 1e-6);
    expectClose(softmaxFocalLoss(LABELS, LOGITS).dataSync()[0]!, mean(none), 1e-6);
    const w = [1, 2, 0.5];
    expectClose(softmaxFocalLoss(LABELS, LOGITS, { weights: w }).dataSync()[0]!, (none[0]! + 2 * none[1]! + 0.5 * none[2]!) / 3.5, 1e-6);
    expectClose(softmaxFocalLoss(LABELS, LOGITS, { weights: [1, 1, 1] }).dataSync()[0]!, mean(none), 1e-6);
    expectClose(softmaxFocalLoss(LABELS, LOGITS, { gamma: 2, labelSmoothing: 0 }).dataSync()[0]!, softmaxFocalLoss(LABELS, LOGITS).dataSync()[0]!, 0, 0);
  });

  it('leaks no tensors', () => {
    const z = tf.tensor(LOGITS);
    expect(leakedTensors(() => softmaxFocalLoss(LABELS, z, { alpha: [1, 2, 3], classWeights: [1, 2, 3], labelSmoothing: 0.1, weights: [1, 2, 3] }))).toBe(0);
    expect(leakedTensors(() => tf.grad((x: tf.Tensor) => softmaxFocalLoss(LABELS, x, { gamma: 0.5 }))(z))).toBe(0);
    z.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => softmaxFocalLoss([0, 1, 2, 0], LOGITS)).toThrow('softmaxFocalLoss: expected `yTrue` and `logits` to have the same number of rows, got [4] and [3,3]');
    expect(() => softmaxFocalLoss([0, 3, 1], LOGITS)).toThrow('softmaxFocalLoss: expected every value of `yTrue` to be an integer class index in [0, 2], got 3 at index 1');
    expect(() => softmaxFocalLoss([0, 1, 2], [1, 2, 3])).toThrow('softmaxFocalLoss: expected `logits` to have rank 2, got shape [3]');
    expect(() => softmaxFocalLoss(LABELS, LOGITS, { gamma: -0.5 })).toThrow('softmaxFocalLoss: expected `gamma` to be a finite number >= 0, got -0.5 (number)');
    expect(() => softmaxFocalLoss(LABELS, LOGITS, { alpha: -1 })).toThrow('softmaxFocalLoss: expected `alpha` to be a finite number >= 0, got -1 (number)');
    expect(() => softmaxFocalLoss(LABELS, LOGITS, { alpha: [1, 2] })).toThrow('softmaxFocalLoss: expected `alpha` to have one entry per class (3), got 2 entries');
    expect(() => softmaxFocalLoss(LABELS, LOGITS, { alpha: [1, Number.NaN, 2] })).toThrow('softmaxFocalLoss: expected `alpha[1]` to be a finite number >= 0, got NaN (number)');
    expect(() => softmaxFocalLoss(LABELS, LOGITS, { alpha: 'all' as never })).toThrow('softmaxFocalLoss: expected `alpha` to be a number or an array of numbers, one per class (3), got "all" (string)');
    expect(() => softmaxFocalLoss(LABELS, LOGITS, { labelSmoothing: 1.5 })).toThrow('softmaxFocalLoss: expected `labelSmoothing` to be a finite number >= 0 and <= 1, got 1.5 (number)');
    expect(() => softmaxFocalLoss(LABELS, LOGITS, { classWeights: [1, 2] })).toThrow('softmaxFocalLoss: expected `classWeights` to have one entry per class (3), got 2 entries');
    expect(() => softmaxFocalLoss(LABELS, LOGITS, { gama: 2 } as never)).toThrow('softmaxFocalLoss: expected each option to be one of gamma, alpha, classWeights, labelSmoothing, ignoreIndex, reduction, weights, got `gama`');
    expect(() => softmaxFocalLoss(LABELS, LOGITS, { reduction: 'avg' as never })).toThrow("softmaxFocalLoss: expected `reduction` to be one of 'mean' | 'sum' | 'none', got \"avg\" (string)");
    expect(() => softmaxFocalLoss(LABELS, LOGITS, { weights: [1, 2] })).toThrow("softmaxFocalLoss: expected `weights` to be per sample or broadcast to the loss's shape [3], got shape [2]");
  });
});
