import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, normals, numericGradient, rng, values } from '../../../test/helpers.js';
import { type Batch, fromFlat, mean, nested, oneHot, perClassLoss, softmaxPixels } from '../../../test/segmentation-reference.js';
import { diceLoss } from './diceLoss.js';
import { jaccardLoss } from './jaccardLoss.js';
import { tverskyLoss } from './tverskyLoss.js';

// Float64 reference: TP = Σpy, FP = Σp(1−y), FN = Σ(1−p)y; 1 − (TP + sN)/(TP + α FP + β FN + sD).
function reference(p: Batch, y: Batch, classes: number[], alpha: number, beta: number, o: { aggregate?: 'perSample' | 'batch'; weights?: number[] } = {}): number[] {
  return perClassLoss(p, y, classes, (s) => 1 - (s.tp + 1e-5) / (s.tp + alpha * (s.sumP - s.tp) + beta * (s.sumY - s.tp) + 1e-5), o);
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
const none = { reduction: 'none' } as const;
const zero = { smoothNumerator: 0, smoothDenominator: 0 } as const;

describe('tverskyLoss(yTrue, yPred, options)', () => {
  it('reproduces the closed form of the doc example (α = 0.3 on FP, β = 0.7 on FN)', () => {
    // TP 0.8, FP 0.2, FN 0.2: TI = 0.8 / (0.8 + 0.06 + 0.14)
    expectClose(tverskyLoss([[[1, 0], [0, 0]]], [[[0.8, 0.2], [0, 0]]], { alpha: 0.3, beta: 0.7 }).dataSync()[0]!, 1 - (0.8 + 1e-5) / (1 + 1e-5), 1e-6);
  });

  it('matches the float64 reference on random inputs, binary and multiclass, per sample and over the batch', () => {
    const b = binaryCase(1);
    for (const aggregate of ['perSample', 'batch'] as const) {
      expectClose(values(tverskyLoss(nested(b.y, H, W, true), nested(b.p, H, W, true), { alpha: 0.3, beta: 0.7, aggregate, ...none })), reference(b.p, b.y, [0], 0.3, 0.7, { aggregate }), 1e-5);
    }
    const r = rng(2);
    const z = Array.from({ length: 2 }, () => Array.from({ length: H * W }, () => normals(r, 3)));
    const labels = Array.from({ length: 2 }, () => Array.from({ length: H * W }, () => Math.floor(r() * 3)));
    const mask = labels.map((im) => Array.from({ length: H }, (_, row) => im.slice(row * W, (row + 1) * W)));
    const got = values(tverskyLoss(mask, nested(z, H, W), { mode: 'multiclass', fromLogits: true, alpha: 0.8, beta: 0.1, classWeights: [1, 3, 2], ...none }));
    expectClose(got, reference(softmaxPixels(z), oneHot(labels, 3), [0, 1, 2], 0.8, 0.1, { weights: [1, 3, 2] }), 1e-5);
  });

  it('weighs false positives by α and false negatives by β', () => {
    // Only false positives: p = 1 where y = 0; only false negatives: p = 0 where y = 1.
    const y = [[[1, 1, 0, 0]]];
    const fpOnly = [[[1, 1, 1, 0]]]; // TP 2, FP 1
    const fnOnly = [[[1, 0, 0, 0]]]; // TP 1, FN 1
    expectClose(tverskyLoss(y, fpOnly, { alpha: 0.9, beta: 0.1, ...zero }).dataSync()[0]!, 1 - 2 / (2 + 0.9), 1e-6);
    expectClose(tverskyLoss(y, fnOnly, { alpha: 0.9, beta: 0.1, ...zero }).dataSync()[0]!, 1 - 1 / (1 + 0.1), 1e-6);
  });

  it('is diceLoss at α = β = 0.5 and jaccardLoss at α = β = 1 (zero smoothing)', () => {
    const b = binaryCase(3);
    const args = [nested(b.y, H, W, true), nested(b.p, H, W, true)] as const;
    expectClose(values(tverskyLoss(...args, { ...zero, ...none })), values(diceLoss(...args, { ...zero, ...none })), 1e-5);
    expectClose(values(tverskyLoss(...args, { alpha: 1, beta: 1, ...zero, ...none })), values(jaccardLoss(...args, { ...zero, ...none })), 1e-5);
    // Jaccard's smoothing enters the same way as Tversky's at α = β = 1, so they agree with smoothing too.
    expectClose(values(tverskyLoss(...args, { alpha: 1, beta: 1, ...none })), values(jaccardLoss(...args, none)), 1e-5);
  });

  it('has the gradient of the float64 reference (finite differences)', () => {
    const b = binaryCase(4, 2);
    const flat = b.p.flat(2);
    const g = tf.grad((x: tf.Tensor) => tverskyLoss(nested(b.y, H, W, true), x, { alpha: 0.3, beta: 0.7 }))(tf.tensor(flat, [2, H, W]));
    expectClose(values(g), numericGradient((x) => mean(reference(fromFlat(x, 2, H * W, 1), b.y, [0], 0.3, 0.7)), flat), 1e-3, 1e-6);
  });

  it('is 0 for a perfect prediction; empty target: 0 with an empty prediction, close to 1 otherwise', () => {
    const b = binaryCase(5);
    expectClose(values(tverskyLoss(nested(b.y, H, W, true), nested(b.y, H, W, true), { alpha: 0.2, beta: 0.9, ...none })), [0, 0, 0], 0, 1e-6);
    expectClose(tverskyLoss([[[0, 0]]], [[[0, 0]]]).dataSync()[0]!, 0, 0, 1e-7);
    expectClose(tverskyLoss([[[0, 0]]], [[[0.6, 0]]]).dataSync()[0]!, 1 - 1e-5 / (0.3 + 1e-5), 1e-6);
  });

  it('stays finite, in value and gradient, at logits of ±1e4 and with α = β = 0', () => {
    const z = tf.tensor([[[1e4, -1e4], [0, 0]]]);
    expectFinite(tf.grad((x: tf.Tensor) => tverskyLoss([[[1, 0], [0, 0]]], x, { fromLogits: true }))(z));
    // α = β = 0: TI = (TP + s)/(TP + s) = 1 everywhere, loss 0.
    expectClose(tverskyLoss([[[1, 0], [0, 0]]], [[[0.3, 0.9], [0, 0]]], { alpha: 0, beta: 0 }).dataSync()[0]!, 0, 0, 1e-6);
  });

  it("reduces by 'mean', 'sum' and 'none' and takes per-sample weights", () => {
    const b = binaryCase(6);
    const args = [nested(b.y, H, W, true), nested(b.p, H, W, true)] as const;
    const per = values(tverskyLoss(...args, none));
    expectClose(tverskyLoss(...args, { reduction: 'sum' }).dataSync()[0]!, per[0]! + per[1]! + per[2]!, 1e-6);
    expectClose(tverskyLoss(...args).dataSync()[0]!, mean(per), 1e-6);
    expectClose(tverskyLoss(...args, { weights: [1, 2, 1] }).dataSync()[0]!, (per[0]! + 2 * per[1]! + per[2]!) / 4, 1e-6);
  });

  it('leaks no tensors', () => {
    const b = binaryCase(7);
    const x = tf.tensor(b.p.flat(2), [3, H, W]);
    expect(leakedTensors(() => tverskyLoss(nested(b.y, H, W, true), x, { alpha: 0.3, beta: 0.7 }))).toBe(0);
    expect(leakedTensors(() => tf.grad((v: tf.Tensor) => tverskyLoss(nested(b.y, H, W, true), v))(x))).toBe(0);
    x.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    const p = [[[0.5, 0.5]]];
    expect(() => tverskyLoss([[[1, 0]]], p, { alpha: -0.5 })).toThrow('tverskyLoss: expected `alpha` to be a finite number >= 0, got -0.5 (number)');
    expect(() => tverskyLoss([[[1, 0]]], p, { beta: Number.NaN })).toThrow('tverskyLoss: expected `beta` to be a finite number >= 0, got NaN (number)');
    expect(() => tverskyLoss([[[1, 0]]], [[0.5, 0.5]])).toThrow('tverskyLoss: expected `yPred` to have shape [N,H,W], [N,H,W,1] or [N,D,H,W,1] in binary mode, got shape [1,2]');
    expect(() => tverskyLoss([[[1, 0]]], p, { gamma: 2 } as never)).toThrow(
      'tverskyLoss: expected each option to be one of mode, fromLogits, aggregate, classWeights, includeBackground, ignoreIndex, smoothNumerator, smoothDenominator, alpha, beta, reduction, weights, got `gamma`',
    );
  });
});
