import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomLabels, randomMatrix, rng, values } from '../../../test/helpers.js';
import { softmaxCrossEntropy } from './softmaxCrossEntropy.js';

// Float64 reference written from the formula, sharing nothing with the loss.
function reference(targets: number[][], logits: number[][]): number[] {
  return logits.map((row, i) => {
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, z) => s + Math.exp(z - m), 0));
    return -row.reduce((s, z, c) => s + (targets[i]![c] as number) * (z - lse), 0);
  });
}
const oneHot = (labels: number[], c: number) => labels.map((y) => Array.from({ length: c }, (_, k) => (k === y ? 1 : 0)));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

const LOGITS = [[2, 0.5, -1], [0.1, 0.2, 0.3], [-0.5, 1.5, 0]];
const LABELS = [0, 2, 1];

describe('softmaxCrossEntropy(yTrue, logits, options)', () => {
  it('reproduces the spec values (papers-A A.2, tau = 1)', () => {
    expectClose(values(softmaxCrossEntropy(LABELS, LOGITS, { reduction: 'none' })), [0.241311, 1.001943, 0.306356], 2e-6);
    expectClose(softmaxCrossEntropy(LABELS, LOGITS).dataSync()[0]!, 0.516537, 2e-6);
  });

  it('matches the float64 reference on random inputs, index and soft labels', () => {
    const r = rng(1);
    const logits = randomMatrix(r, 64, 7, 3);
    const labels = randomLabels(r, 64, 7);
    expectClose(values(softmaxCrossEntropy(labels, logits, { reduction: 'none' })), reference(oneHot(labels, 7), logits), 1e-5);
    const soft = randomMatrix(r, 64, 7).map((row) => {
      const e = row.map(Math.exp);
      const s = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / s);
    });
    expectClose(values(softmaxCrossEntropy(soft, logits, { reduction: 'none' })), reference(soft, logits), 1e-5);
  });

  it('equals tf.losses.softmaxCrossEntropy with one-hot labels', () => {
    const r = rng(2);
    const logits = tf.tensor(randomMatrix(r, 16, 5));
    const labels = randomLabels(r, 16, 5);
    const ours = softmaxCrossEntropy(labels, logits);
    const theirs = tf.losses.softmaxCrossEntropy(tf.tensor(oneHot(labels, 5)), logits);
    expectClose(ours.dataSync()[0]!, theirs.dataSync()[0]!, 1e-6);
  });

  it('has the gradient of the float64 reference (finite differences)', () => {
    const r = rng(3);
    const logits = randomMatrix(r, 4, 3, 2);
    const targets = oneHot(randomLabels(r, 4, 3), 3);
    const g = tf.grad((z: tf.Tensor) => softmaxCrossEntropy(targets, z))(tf.tensor(logits));
    const f = (x: number[]) => mean(reference(targets, [x.slice(0, 3), x.slice(3, 6), x.slice(6, 9), x.slice(9, 12)]));
    expectClose(values(g), numericGradient(f, logits.flat()), 1e-4, 1e-6);
  });

  it('is invariant to adding a constant to every logit of a row', () => {
    const shifted = LOGITS.map((row, i) => row.map((z) => z + 10 * (i + 1)));
    expectClose(values(softmaxCrossEntropy(LABELS, shifted, { reduction: 'none' })), values(softmaxCrossEntropy(LABELS, LOGITS, { reduction: 'none' })), 1e-5);
  });

  it('stays finite, in value and gradient, at logits of ±1e4 and all-equal logits', () => {
    const z = tf.tensor([[1e4, -1e4, 0], [-1e4, 1e4, 0], [5, 5, 5]]);
    const [value, grad] = [softmaxCrossEntropy([1, 1, 2], z, { reduction: 'none' }), tf.grad((x: tf.Tensor) => softmaxCrossEntropy([1, 1, 2], x))(z)];
    expectFinite(value);
    expectFinite(grad);
    expectClose(values(value), [2e4, 0, Math.log(3)], 1e-6);
  });

  it("reduces by 'mean' (default), 'sum' and 'none' consistently", () => {
    const none = values(softmaxCrossEntropy(LABELS, LOGITS, { reduction: 'none' }));
    expectClose(softmaxCrossEntropy(LABELS, LOGITS, { reduction: 'sum' }).dataSync()[0]!, none[0]! + none[1]! + none[2]!, 1e-6);
    expectClose(softmaxCrossEntropy(LABELS, LOGITS).dataSync()[0]!, mean(none), 1e-6);
  });

  it('takes the weighted mean sum(w·l)/sum(w) with weights, and ones change nothing', () => {
    const none = values(softmaxCrossEntropy(LABELS, LOGITS, { reduction: 'none' }));
    const w = [1, 2, 0.5];
    const expected = (none[0]! * 1 + none[1]! * 2 + none[2]! * 0.5) / 3.5;
    expectClose(softmaxCrossEntropy(LABELS, LOGITS, { weights: w }).dataSync()[0]!, expected, 1e-6);
    expectClose(softmaxCrossEntropy(LABELS, LOGITS, { weights: [1, 1, 1] }).dataSync()[0]!, mean(none), 1e-6);
    expectClose(values(softmaxCrossEntropy(LABELS, LOGITS, { weights: w, reduction: 'none' })), none.map((l, i) => l * w[i]!), 1e-6);
  });

  it('weighs each sample by the class weight of its label, uniform class weights change nothing', () => {
    const none = values(softmaxCrossEntropy(LABELS, LOGITS, { reduction: 'none' }));
    const cw = [2, 1, 3];
    const expected = (none[0]! * 2 + none[1]! * 3 + none[2]! * 1) / 6;
    expectClose(softmaxCrossEntropy(LABELS, LOGITS, { classWeights: cw }).dataSync()[0]!, expected, 1e-6);
    expectClose(softmaxCrossEntropy(LABELS, LOGITS, { classWeights: [4, 4, 4] }).dataSync()[0]!, mean(none), 1e-6);
  });

  it('smooths labels to t(1−ε) + ε/C', () => {
    const eps = 0.2;
    const smooth = oneHot(LABELS, 3).map((row) => row.map((t) => t * (1 - eps) + eps / 3));
    expectClose(values(softmaxCrossEntropy(LABELS, LOGITS, { labelSmoothing: eps, reduction: 'none' })), reference(smooth, LOGITS), 1e-5);
  });

  it('leaves ignored samples out: zero loss, zero gradient, same mean as slicing them away', () => {
    const labels = [0, -100, 1];
    const loss = softmaxCrossEntropy(labels, LOGITS, { ignoreIndex: -100, labelSmoothing: 0.1 });
    const sliced = softmaxCrossEntropy([0, 1], [LOGITS[0]!, LOGITS[2]!], { labelSmoothing: 0.1 });
    expectClose(loss.dataSync()[0]!, sliced.dataSync()[0]!, 1e-6);
    expectClose(values(softmaxCrossEntropy(labels, LOGITS, { ignoreIndex: -100, reduction: 'none' }))[1]!, 0, 0, 0);
    const g = values(tf.grad((z: tf.Tensor) => softmaxCrossEntropy(labels, z, { ignoreIndex: -100 }))(tf.tensor(LOGITS)));
    expectClose(g.slice(3, 6), [0, 0, 0], 0, 0);
    expectClose(softmaxCrossEntropy([-1, -1], [[1, 2], [3, 4]], { ignoreIndex: -1 }).dataSync()[0]!, 0, 0, 0);
  });

  it('accepts labels [N, 1] and int32 tensors as class indices', () => {
    const a = softmaxCrossEntropy(tf.tensor2d([[0], [2], [1]], [3, 1], 'int32'), LOGITS).dataSync()[0]!;
    expectClose(a, 0.516537, 2e-6);
  });

  it('leaks no tensors', () => {
    const z = tf.tensor(LOGITS);
    expect(leakedTensors(() => softmaxCrossEntropy(LABELS, z, { classWeights: [1, 2, 3], labelSmoothing: 0.1, weights: [1, 2, 3] }))).toBe(0);
    expect(leakedTensors(() => tf.grad((x: tf.Tensor) => softmaxCrossEntropy(LABELS, x))(z))).toBe(0);
    z.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => softmaxCrossEntropy([0, 1, 2, 0], LOGITS)).toThrow('softmaxCrossEntropy: expected `yTrue` and `logits` to have the same number of rows, got [4] and [3,3]');
    expect(() => softmaxCrossEntropy([0, 3, 1], LOGITS)).toThrow('softmaxCrossEntropy: expected every value of `yTrue` to be an integer class index in [0, 2], got 3 at index 1');
    expect(() => softmaxCrossEntropy([0, 1.5, 1], LOGITS)).toThrow('softmaxCrossEntropy: expected every value of `yTrue` to be an integer class index in [0, 2], got 1.5 at index 1');
    expect(() => softmaxCrossEntropy([0, 1, 2], [1, 2, 3])).toThrow('softmaxCrossEntropy: expected `logits` to have rank 2, got shape [3]');
    expect(() => softmaxCrossEntropy([0], [[1]])).toThrow('softmaxCrossEntropy: expected `logits` to have at least 2 classes (use a sigmoid loss for one logit per sample), got shape [1,1]');
    expect(() => softmaxCrossEntropy([[0, 1]], [[1, 2, 3]])).toThrow("softmaxCrossEntropy: expected `yTrue` to be class indices [1] or targets of the logits' shape [1,3], got shape [1,2]");
    expect(() => softmaxCrossEntropy(LABELS, LOGITS, { labelSmoothing: 1.5 })).toThrow('softmaxCrossEntropy: expected `labelSmoothing` to be a finite number >= 0 and <= 1, got 1.5 (number)');
    expect(() => softmaxCrossEntropy(LABELS, LOGITS, { classWeights: [1, 2] })).toThrow('softmaxCrossEntropy: expected `classWeights` to have one entry per class (3), got 2 entries');
    expect(() => softmaxCrossEntropy(LABELS, LOGITS, { reduction: 'avg' as never })).toThrow("softmaxCrossEntropy: expected `reduction` to be one of 'mean' | 'sum' | 'none', got \"avg\" (string)");
    expect(() => softmaxCrossEntropy(LABELS, LOGITS, { labelSmothing: 0.1 } as never)).toThrow('softmaxCrossEntropy: expected each option to be one of classWeights, labelSmoothing, ignoreIndex, reduction, weights, got `labelSmothing`');
    expect(() => softmaxCrossEntropy(LABELS, LOGITS, { weights: [1, 2] })).toThrow("softmaxCrossEntropy: expected `weights` to be per sample or broadcast to the loss's shape [3], got shape [2]");
    expect(() => softmaxCrossEntropy('abc' as never, LOGITS)).toThrow('softmaxCrossEntropy: expected `yTrue` to be a Tensor, number or numeric array, got "abc" (string)');
    expect(() => softmaxCrossEntropy([[0.5, 0.5, 0]], [[1, 2, 3]], { ignoreIndex: 0 })).toThrow('softmaxCrossEntropy: expected `ignoreIndex` to be used with class-index labels (use `weights` to leave soft-target rows out), got soft targets of shape [1,3]');
  });
});
