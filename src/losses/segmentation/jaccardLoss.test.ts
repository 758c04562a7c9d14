import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, normals, numericGradient, rng, values } from '../../../test/helpers.js';
import { type Batch, fromFlat, mean, nested, oneHot, perClassLoss, softmaxPixels } from '../../../test/segmentation-reference.js';
import { diceLoss } from './diceLoss.js';
import { jaccardLoss } from './jaccardLoss.js';

// Float64 reference: 1 − (I + sN) / (Σp + Σy − I + sD) per image and class.
function reference(p: Batch, y: Batch, classes: number[], o: { aggregate?: 'perSample' | 'batch'; weights?: number[]; sN?: number; sD?: number } = {}): number[] {
  const sN = o.sN ?? 1e-5;
  const sD = o.sD ?? 1e-5;
  return perClassLoss(p, y, classes, (s) => 1 - (s.tp + sN) / (s.sumP + s.sumY - s.tp + sD), o);
}

const H = 3;
const W = 4;
function binaryCase(seed: number, n = 3): { p: Batch; y: Batch } {
  const r = rng(seed);
  return {
    p: Array.from({ length: n }, () => Array.from({ length: H * W }, () => [0.02 + 0.96 * r()])),
    y: Array.from({ length: n }, () => Array.from({ length: H * W }, () => [r() < 0.5 ? 1 : 0])),
  };
}
function multiclassCase(seed: number, c: number, n = 2) {
  const r = rng(seed);
  const z = Array.from({ length: n }, () => Array.from({ length: H * W }, () => normals(r, c)));
  const labels = Array.from({ length: n }, () => Array.from({ length: H * W }, () => Math.floor(r() * c)));
  return { z, p: softmaxPixels(z), labels, y: oneHot(labels, c), mask: labels.map((im) => Array.from({ length: H }, (_, row) => im.slice(row * W, (row + 1) * W))) };
}
const none = { reduction: 'none' } as const;

describe('jaccardLoss(yTrue, yPred, options)', () => {
  it('reproduces the closed form of the doc example (IoU 0.8 / 1.2)', () => {
    expectClose(jaccardLoss([[[1, 0], [0, 0]]], [[[0.8, 0.2], [0, 0]]]).dataSync()[0]!, 1 - (0.8 + 1e-5) / (1.2 + 1e-5), 1e-6);
  });

  it('matches the float64 reference on random inputs, per sample and over the batch, binary and multiclass', () => {
    const b = binaryCase(1);
    for (const aggregate of ['perSample', 'batch'] as const) {
      expectClose(values(jaccardLoss(nested(b.y, H, W, true), nested(b.p, H, W, true), { aggregate, ...none })), reference(b.p, b.y, [0], { aggregate }), 1e-5);
    }
    const mc = multiclassCase(2, 3);
    expectClose(values(jaccardLoss(mc.mask, nested(mc.z, H, W), { mode: 'multiclass', fromLogits: true, ...none })), reference(mc.p, mc.y, [0, 1, 2]), 1e-5);
    expectClose(values(jaccardLoss(mc.mask, nested(mc.p, H, W), { mode: 'multiclass', includeBackground: false, classWeights: [1, 2, 5], ...none })), reference(mc.p, mc.y, [1, 2], { weights: [0, 2, 5] }), 1e-5);
  });

  it('has the gradient of the float64 reference (finite differences)', () => {
    const b = binaryCase(3, 2);
    const flat = b.p.flat(2);
    const g = tf.grad((x: tf.Tensor) => jaccardLoss(nested(b.y, H, W, true), x))(tf.tensor(flat, [2, H, W]));
    expectClose(values(g), numericGradient((x) => mean(reference(fromFlat(x, 2, H * W, 1), b.y, [0])), flat), 1e-3, 1e-6);
  });

  it('is tied to Dice by J = D / (2 − D) on hard masks and is 0 for a perfect prediction', () => {
    const b = binaryCase(4);
    const hard = b.p.map((im) => im.map((px) => [px[0]! > 0.5 ? 1 : 0]));
    const zero = { smoothNumerator: 0, smoothDenominator: 0, ...none };
    const d = values(diceLoss(nested(b.y, H, W, true), nested(hard, H, W, true), zero)).map((l) => 1 - l);
    const j = values(jaccardLoss(nested(b.y, H, W, true), nested(hard, H, W, true), zero)).map((l) => 1 - l);
    expectClose(j, d.map((v) => v / (2 - v)), 1e-5);
    expectClose(values(jaccardLoss(nested(b.y, H, W, true), nested(b.y, H, W, true), none)), [0, 0, 0], 0, 1e-6);
    // Empty-target policy: both empty → 0, empty target with a non-empty prediction → close to 1.
    expectClose(jaccardLoss([[[0, 0]]], [[[0, 0]]]).dataSync()[0]!, 0, 0, 1e-7);
    expectClose(jaccardLoss([[[0, 0]]], [[[0.4, 0]]]).dataSync()[0]!, 1 - 1e-5 / (0.4 + 1e-5), 1e-6);
  });

  it('leaves ignored pixels out, as cropping them', () => {
    const mc = multiclassCase(5, 3, 1);
    const labels = mc.labels.map((im) => im.map((k, i) => (i < W ? -1 : k)));
    const mask = labels.map((im) => Array.from({ length: H }, (_, row) => im.slice(row * W, (row + 1) * W)));
    const crop = (im: number[][]) => im.slice(W);
    expectClose(values(jaccardLoss(mask, nested(mc.p, H, W), { mode: 'multiclass', ignoreIndex: -1, ...none })), reference(mc.p.map(crop), mc.y.map(crop), [0, 1, 2]), 1e-5);
  });

  it('stays finite, in value and gradient, at logits of ±1e4 and without positives', () => {
    const z = tf.tensor([[[1e4, -1e4], [0, 0]]]);
    expectFinite(jaccardLoss([[[1, 0], [0, 0]]], z, { fromLogits: true }));
    expectFinite(tf.grad((x: tf.Tensor) => jaccardLoss([[[1, 0], [0, 0]]], x, { fromLogits: true }))(z));
    expectFinite(tf.grad((x: tf.Tensor) => jaccardLoss([[[0, 0], [0, 0]]], x))(tf.tensor([[[0, 0.3], [1, 0]]])));
  });

  it("reduces by 'mean', 'sum' and 'none' and takes per-sample weights", () => {
    const b = binaryCase(6);
    const args = [nested(b.y, H, W, true), nested(b.p, H, W, true)] as const;
    const per = values(jaccardLoss(...args, none));
    expectClose(jaccardLoss(...args, { reduction: 'sum' }).dataSync()[0]!, per[0]! + per[1]! + per[2]!, 1e-6);
    expectClose(jaccardLoss(...args).dataSync()[0]!, mean(per), 1e-6);
    expectClose(jaccardLoss(...args, { weights: [2, 0, 1] }).dataSync()[0]!, (2 * per[0]! + per[2]!) / 3, 1e-6);
    expect(jaccardLoss(...args, { aggregate: 'batch', ...none }).shape).toEqual([1]);
  });

  it('leaks no tensors', () => {
    const mc = multiclassCase(7, 3);
    const x = tf.tensor(mc.z.flat(2), [2, H, W, 3]);
    const opts = { mode: 'multiclass', fromLogits: true, classWeights: [1, 2, 3] } as const;
    expect(leakedTensors(() => jaccardLoss(mc.mask, x, opts))).toBe(0);
    expect(leakedTensors(() => tf.grad((v: tf.Tensor) => jaccardLoss(mc.mask, v, opts))(x))).toBe(0);
    x.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    const p = [[[0.5, 0.5], [0.5, 0.5]]];
    expect(() => jaccardLoss([[[1, 0]]], p)).toThrow('jaccardLoss: expected `yTrue` and `yPred` to have the same shape, got [1,1,2] and [1,2,2]');
    expect(() => jaccardLoss([[[1, -1], [0, 0]]], p)).toThrow('jaccardLoss: expected every value of `yTrue` to lie in [0, 1], got -1 at flat index 1');
    expect(() => jaccardLoss([[[1, 0], [0, 0]]], p, { smoothDenominator: -0.1 })).toThrow('jaccardLoss: expected `smoothDenominator` to be a finite number >= 0, got -0.1 (number)');
    expect(() => jaccardLoss([[[1, 0], [0, 0]]], p, { squaredDenominator: true } as never)).toThrow(
      'jaccardLoss: expected each option to be one of mode, fromLogits, aggregate, classWeights, includeBackground, ignoreIndex, smoothNumerator, smoothDenominator, reduction, weights, got `squaredDenominator`',
    );
  });
});
