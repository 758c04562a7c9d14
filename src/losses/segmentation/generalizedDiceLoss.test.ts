import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, normals, numericGradient, rng, values } from '../../../test/helpers.js';
import { type Batch, classSums, fromFlat, groups, mean, nested, oneHot, softmaxPixels } from '../../../test/segmentation-reference.js';
import { diceLoss } from './diceLoss.js';
import { generalizedDiceLoss } from './generalizedDiceLoss.js';

// Float64 reference written from Sudre et al. with MONAI's rule for empty classes.
function reference(p: Batch, y: Batch, classes: number[], o: { aggregate?: 'perSample' | 'batch'; weightType?: 'square' | 'simple' | 'uniform' } = {}): number[] {
  const gp = groups(p, o.aggregate ?? 'perSample');
  const gy = groups(y, o.aggregate ?? 'perSample');
  return gp.map((pm, m) => {
    const stats = classes.map((c) => classSums(pm, gy[m]!, c));
    const raw = stats.map((s) => (o.weightType === 'uniform' ? 1 : o.weightType === 'simple' ? 1 / s.sumY : 1 / (s.sumY * s.sumY)));
    const finite = raw.filter(Number.isFinite);
    const biggest = finite.length > 0 ? Math.max(...finite) : 0;
    const w = raw.map((v) => (Number.isFinite(v) ? v : biggest));
    let num = 0;
    let den = 0;
    stats.forEach((s, k) => {
      num += w[k]! * s.tp;
      den += w[k]! * (s.sumP + s.sumY);
    });
    return 1 - (2 * num + 1e-5) / (den + 1e-5);
  });
}

const H = 3;
const W = 4;
function multiclassCase(seed: number, c: number, n = 2, absent?: number) {
  const r = rng(seed);
  const z = Array.from({ length: n }, () => Array.from({ length: H * W }, () => normals(r, c)));
  const labels = Array.from({ length: n }, () => Array.from({ length: H * W }, () => {
    let k = Math.floor(r() * c);
    if (k === absent) k = 0;
    return k;
  }));
  return { z, p: softmaxPixels(z), labels, y: oneHot(labels, c), mask: labels.map((im) => Array.from({ length: H }, (_, row) => im.slice(row * W, (row + 1) * W))) };
}
const none = { reduction: 'none' } as const;

describe('generalizedDiceLoss(yTrue, yPred, options)', () => {
  it('reproduces a hand-computed value (weights 1 and 1/9)', () => {
    // class 0: V 1, I 0.9, Σp 1.5; class 1: V 3, I 2.4, Σp 2.5 → 2(0.9 + 2.4/9)/(2.5 + 5.5/9) = 0.75
    const p = [[[[0.9, 0.1], [0.2, 0.8]], [[0.3, 0.7], [0.1, 0.9]]]];
    const got = generalizedDiceLoss([[[0, 1], [1, 1]]], p, { mode: 'multiclass' }).dataSync()[0]!;
    expectClose(got, 1 - (2 * (0.9 + 2.4 / 9) + 1e-5) / (2.5 + 5.5 / 9 + 1e-5), 1e-6);
  });

  it('matches the float64 reference on random inputs, each weight type, per sample and over the batch', () => {
    const mc = multiclassCase(1, 3);
    for (const aggregate of ['perSample', 'batch'] as const) {
      for (const weightType of ['square', 'simple', 'uniform'] as const) {
        const got = values(generalizedDiceLoss(mc.mask, nested(mc.z, H, W), { mode: 'multiclass', fromLogits: true, aggregate, weightType, ...none }));
        expectClose(got, reference(mc.p, mc.y, [0, 1, 2], { aggregate, weightType }), 1e-5);
      }
    }
    expectClose(values(generalizedDiceLoss(mc.mask, nested(mc.p, H, W), { mode: 'multiclass', includeBackground: false, ...none })), reference(mc.p, mc.y, [1, 2]), 1e-5);
  });

  it('gives an absent class the largest finite weight of its image, so predicting it still costs', () => {
    const mc = multiclassCase(2, 3, 2, 2); // class 2 never in the target
    const got = values(generalizedDiceLoss(mc.mask, nested(mc.p, H, W), { mode: 'multiclass', ...none }));
    expectClose(got, reference(mc.p, mc.y, [0, 1, 2]), 1e-5);
    // More probability on the absent class raises the loss.
    const worse = mc.p.map((im) => im.map(([a, b, c]) => [a! * 0.5, b! * 0.5, c! * 0.5 + 0.5]));
    const worseLoss = values(generalizedDiceLoss(mc.mask, nested(worse, H, W), { mode: 'multiclass', ...none }));
    worseLoss.forEach((v, i) => {
      expect(v).toBeGreaterThan(got[i]!);
    });
  });

  it('scores 0 for an image whose classes are all empty, whatever the prediction; one class with a target is diceLoss', () => {
    expectClose(values(generalizedDiceLoss([[[0, 0], [0, 0]]], [[[0.9, 0.4], [0.2, 0.7]]], none)), [0], 0, 1e-7);
    const r = rng(3);
    const p = [Array.from({ length: 2 }, () => Array.from({ length: 3 }, () => r()))];
    const y = [[[1, 0, 1], [0, 1, 1]]];
    // The weight cancels; the smoothing does not scale with it, so compare without smoothing.
    const zero = { smoothNumerator: 0, smoothDenominator: 0, ...none };
    expectClose(values(generalizedDiceLoss(y, p, zero)), values(diceLoss(y, p, zero)), 1e-6);
    expectClose(values(generalizedDiceLoss(y, y, none)), [0], 0, 1e-6);
  });

  it('has the gradient of the float64 reference (finite differences)', () => {
    const mc = multiclassCase(4, 3, 1);
    const flat = mc.p.flat(2);
    const g = tf.grad((x: tf.Tensor) => generalizedDiceLoss(mc.mask, x, { mode: 'multiclass' }))(tf.tensor(flat, [1, H, W, 3]));
    expectClose(values(g), numericGradient((x) => mean(reference(fromFlat(x, 1, H * W, 3), mc.y, [0, 1, 2])), flat), 1e-3, 1e-6);
  });

  it('leaves ignored pixels out, as cropping them', () => {
    const mc = multiclassCase(5, 3, 1);
    const labels = mc.labels.map((im) => im.map((k, i) => (i % W === 0 ? 9 : k)));
    const mask = labels.map((im) => Array.from({ length: H }, (_, row) => im.slice(row * W, (row + 1) * W)));
    const crop = (im: number[][]) => im.filter((_, i) => i % W !== 0);
    expectClose(values(generalizedDiceLoss(mask, nested(mc.p, H, W), { mode: 'multiclass', ignoreIndex: 9, ...none })), reference(mc.p.map(crop), mc.y.map(crop), [0, 1, 2]), 1e-5);
  });

  it('stays finite, in value and gradient, at logits of ±1e4 and with empty classes', () => {
    const z = tf.tensor([[[[1e4, -1e4, 0], [5, 5, 5]], [[-1e4, 1e4, 0], [0, 0, 0]]]]);
    expectFinite(generalizedDiceLoss([[[0, 0], [1, 0]]], z, { mode: 'multiclass', fromLogits: true }));
    expectFinite(tf.grad((x: tf.Tensor) => generalizedDiceLoss([[[0, 0], [1, 0]]], x, { mode: 'multiclass', fromLogits: true }))(z));
    expectFinite(tf.grad((x: tf.Tensor) => generalizedDiceLoss([[[0, 0], [0, 0]]], x))(tf.tensor([[[0.1, 0.2], [0.3, 0.4]]])));
  });

  it("reduces by 'mean', 'sum' and 'none' and takes per-sample weights", () => {
    const mc = multiclassCase(6, 3, 3);
    const args = [mc.mask, nested(mc.p, H, W)] as const;
    const opts = { mode: 'multiclass' } as const;
    const per = values(generalizedDiceLoss(...args, { ...opts, ...none }));
    expect(per.length).toBe(3);
    expectClose(generalizedDiceLoss(...args, { ...opts, reduction: 'sum' }).dataSync()[0]!, per[0]! + per[1]! + per[2]!, 1e-6);
    expectClose(generalizedDiceLoss(...args, opts).dataSync()[0]!, mean(per), 1e-6);
    expectClose(generalizedDiceLoss(...args, { ...opts, weights: [1, 1, 2] }).dataSync()[0]!, (per[0]! + per[1]! + 2 * per[2]!) / 4, 1e-6);
  });

  it('leaks no tensors', () => {
    const mc = multiclassCase(7, 3, 2, 2);
    const x = tf.tensor(mc.z.flat(2), [2, H, W, 3]);
    const opts = { mode: 'multiclass', fromLogits: true } as const;
    expect(leakedTensors(() => generalizedDiceLoss(mc.mask, x, opts))).toBe(0);
    expect(leakedTensors(() => tf.grad((v: tf.Tensor) => generalizedDiceLoss(mc.mask, v, opts))(x))).toBe(0);
    x.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    const p = [[[0.5, 0.5]]];
    expect(() => generalizedDiceLoss([[[1, 0]]], p, { weightType: 'cube' as never })).toThrow(
      "generalizedDiceLoss: expected `weightType` to be one of 'square' | 'simple' | 'uniform', got \"cube\" (string)",
    );
    expect(() => generalizedDiceLoss([[[1, 0]]], p, { classWeights: [1] } as never)).toThrow(
      'generalizedDiceLoss: expected each option to be one of mode, fromLogits, aggregate, includeBackground, ignoreIndex, smoothNumerator, smoothDenominator, weightType, reduction, weights, got `classWeights`',
    );
    expect(() => generalizedDiceLoss([[[1, 0]]], [[[[0.5, 0.5]]]], { mode: 'multilabel' })).toThrow('generalizedDiceLoss: expected `yTrue` and `yPred` to have the same shape, got [1,1,2] and [1,1,1,2]');
  });
});
