import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, normals, numericGradient, rng, values } from '../../../test/helpers.js';
import { type Batch, fromFlat, mean, nested, oneHot, perClassLoss, softmaxPixels } from '../../../test/segmentation-reference.js';
import { focalTverskyLoss } from './focalTverskyLoss.js';
import { tverskyLoss } from './tverskyLoss.js';

// Float64 reference: (1 − TI)^(1/γ), TI = (TP + s)/(TP + α FP + β FN + s), α on FP, β on FN.
function reference(p: Batch, y: Batch, classes: number[], o: { alpha?: number; beta?: number; gamma?: number; s?: number; aggregate?: 'perSample' | 'batch'; weights?: number[] } = {}): number[] {
  const { alpha = 0.3, beta = 0.7, gamma = 4 / 3, s = 1e-5 } = o;
  return perClassLoss(p, y, classes, (c) => (1 - (c.tp + s) / (c.tp + alpha * (c.sumP - c.tp) + beta * (c.sumY - c.tp) + s)) ** (1 / gamma), o);
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

describe('focalTverskyLoss(yTrue, yPred, options)', () => {
  it("reproduces the official code's form: pow(1 − TI, 0.75) with 0.7 on false negatives, smooth 1, whole batch", () => {
    const b = binaryCase(1);
    // nabsabraham/focal-tversky-unet: TI = (TP + 1)/(TP + 0.7·FN + 0.3·FP + 1) over the flattened batch.
    let tp = 0;
    let fn = 0;
    let fp = 0;
    b.p.forEach((im, n) => {
      im.forEach((px, i) => {
        const t = b.y[n]![i]![0]!;
        tp += t * px[0]!;
        fn += t * (1 - px[0]!);
        fp += (1 - t) * px[0]!;
      });
    });
    const official = (1 - (tp + 1) / (tp + 0.7 * fn + 0.3 * fp + 1)) ** 0.75;
    const ours = focalTverskyLoss(nested(b.y, H, W, true), nested(b.p, H, W, true), { aggregate: 'batch', smoothNumerator: 1, smoothDenominator: 1 }).dataSync()[0]!;
    expectClose(ours, official, 1e-5);
    // The doc example: TI = 0.8 / (0.8 + 0.3·0.2 + 0.7·0.2) → (1 − 0.8)^0.75.
    expectClose(focalTverskyLoss([[[1, 0], [0, 0]]], [[[0.8, 0.2], [0, 0]]]).dataSync()[0]!, (1 - (0.8 + 1e-5) / (1 + 1e-5)) ** 0.75, 1e-5);
  });

  it('matches the float64 reference on random inputs, binary and multiclass', () => {
    const b = binaryCase(2);
    expectClose(values(focalTverskyLoss(nested(b.y, H, W, true), nested(b.p, H, W, true), none)), reference(b.p, b.y, [0]), 1e-5);
    expectClose(
      values(focalTverskyLoss(nested(b.y, H, W, true), nested(b.p, H, W, true), { gamma: 0.5, alpha: 0.6, beta: 0.2, aggregate: 'batch', ...none })),
      reference(b.p, b.y, [0], { gamma: 0.5, alpha: 0.6, beta: 0.2, aggregate: 'batch' }),
      1e-5,
    );
    const r = rng(3);
    const z = Array.from({ length: 2 }, () => Array.from({ length: H * W }, () => normals(r, 3)));
    const labels = Array.from({ length: 2 }, () => Array.from({ length: H * W }, () => Math.floor(r() * 3)));
    const mask = labels.map((im) => Array.from({ length: H }, (_, row) => im.slice(row * W, (row + 1) * W)));
    expectClose(
      values(focalTverskyLoss(mask, nested(z, H, W), { mode: 'multiclass', fromLogits: true, includeBackground: false, ...none })),
      reference(softmaxPixels(z), oneHot(labels, 3), [1, 2]),
      1e-5,
    );
  });

  it('is tverskyLoss at γ = 1 (same α, β), and above it for γ > 1', () => {
    const b = binaryCase(4);
    const args = [nested(b.y, H, W, true), nested(b.p, H, W, true)] as const;
    const tv = values(tverskyLoss(...args, { alpha: 0.3, beta: 0.7, ...none }));
    expectClose(values(focalTverskyLoss(...args, { gamma: 1, ...none })), tv, 1e-6);
    values(focalTverskyLoss(...args, none)).forEach((v, i) => {
      expect(v).toBeGreaterThan(tv[i]!);
    });
  });

  it('has the gradient of the float64 reference (finite differences)', () => {
    const b = binaryCase(5, 2);
    const flat = b.p.flat(2);
    const g = tf.grad((x: tf.Tensor) => focalTverskyLoss(nested(b.y, H, W, true), x))(tf.tensor(flat, [2, H, W]));
    expectClose(values(g), numericGradient((x) => mean(reference(fromFlat(x, 2, H * W, 1), b.y, [0])), flat), 1e-3, 1e-6);
  });

  it('is 0 with a finite (zero) gradient at a perfect prediction, and finite near it and at logits of ±1e4', () => {
    const y = [[[1, 0], [0, 1]]];
    const perfect = tf.tensor([[[1, 0], [0, 1]]]);
    expectClose(focalTverskyLoss(y, perfect).dataSync()[0]!, 0, 0, 1e-6);
    const g = tf.grad((x: tf.Tensor) => focalTverskyLoss(y, x))(perfect);
    expectFinite(g);
    const near = tf.tensor([[[1 - 1e-6, 1e-6], [0, 1]]]);
    expectFinite(tf.grad((x: tf.Tensor) => focalTverskyLoss(y, x))(near));
    const z = tf.tensor([[[1e4, -1e4], [-1e4, 1e4]]]);
    expectFinite(focalTverskyLoss(y, z, { fromLogits: true }));
    expectFinite(tf.grad((x: tf.Tensor) => focalTverskyLoss(y, x, { fromLogits: true }))(z));
    expectFinite(tf.grad((x: tf.Tensor) => focalTverskyLoss([[[0, 0], [0, 0]]], x))(tf.tensor([[[0.3, 0], [0, 0.2]]])));
  });

  it("reduces by 'mean', 'sum' and 'none' and takes per-sample weights", () => {
    const b = binaryCase(6);
    const args = [nested(b.y, H, W, true), nested(b.p, H, W, true)] as const;
    const per = values(focalTverskyLoss(...args, none));
    expectClose(focalTverskyLoss(...args, { reduction: 'sum' }).dataSync()[0]!, per[0]! + per[1]! + per[2]!, 1e-6);
    expectClose(focalTverskyLoss(...args).dataSync()[0]!, mean(per), 1e-6);
    expectClose(focalTverskyLoss(...args, { weights: [0, 1, 3] }).dataSync()[0]!, (per[1]! + 3 * per[2]!) / 4, 1e-6);
  });

  it('leaks no tensors', () => {
    const b = binaryCase(7);
    const x = tf.tensor(b.p.flat(2), [3, H, W]);
    expect(leakedTensors(() => focalTverskyLoss(nested(b.y, H, W, true), x))).toBe(0);
    expect(leakedTensors(() => tf.grad((v: tf.Tensor) => focalTverskyLoss(nested(b.y, H, W, true), v))(x))).toBe(0);
    x.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    const p = [[[0.5, 0.5]]];
    expect(() => focalTverskyLoss([[[1, 0]]], p, { gamma: 0 })).toThrow('focalTverskyLoss: expected `gamma` to be a finite number > 0, got 0 (number)');
    expect(() => focalTverskyLoss([[[1, 0]]], p, { alpha: -1 })).toThrow('focalTverskyLoss: expected `alpha` to be a finite number >= 0, got -1 (number)');
    expect(() => focalTverskyLoss([[[1, 0, 1]]], p)).toThrow('focalTverskyLoss: expected `yTrue` and `yPred` to have the same shape, got [1,1,3] and [1,1,2]');
  });
});
