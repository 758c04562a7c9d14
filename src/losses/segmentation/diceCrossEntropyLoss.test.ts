import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, normals, numericGradient, rng, values } from '../../../test/helpers.js';
import { type Batch, fromFlat, groups, mean, nested, oneHot, perClassLoss, sigmoid, softmaxPixels } from '../../../test/segmentation-reference.js';
import { diceCrossEntropyLoss } from './diceCrossEntropyLoss.js';
import { diceLoss } from './diceLoss.js';

const EPS = 1e-7;
const clip = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);

/**
 * Float64 reference: λ_CE · CE + λ_Dice · Dice per group. CE is the weighted mean over kept pixels of
 * −Σ_c y log p (multiclass, pixel weight = class weight of its label) or over pixels and channels of
 * the binary cross-entropy (channel weight). `keep[n][i]` marks kept pixels.
 */
function reference(
  p: Batch,
  y: Batch,
  o: { multiclass: boolean; classes: number[]; weights?: number[]; keep?: boolean[][]; aggregate?: 'perSample' | 'batch'; lambdaCe?: number; lambdaDice?: number },
): number[] {
  const keep = o.keep ?? p.map((im) => im.map(() => true));
  const kp = p.map((im, n) => im.filter((_, i) => keep[n]![i]));
  const ky = y.map((im, n) => im.filter((_, i) => keep[n]![i]));
  const dice = perClassLoss(kp, ky, o.classes, (s) => 1 - (2 * s.tp + 1e-5) / (s.sumP + s.sumY + 1e-5), { aggregate: o.aggregate ?? 'perSample', ...(o.weights ? { weights: o.weights } : {}) });
  const gp = groups(kp, o.aggregate ?? 'perSample');
  const gy = groups(ky, o.aggregate ?? 'perSample');
  const ce = gp.map((pm, m) => {
    let total = 0;
    let mass = 0;
    pm.forEach((px, i) => {
      const t = gy[m]![i]!;
      if (o.multiclass) {
        const w = t.reduce((a, v, c) => a + v * (o.weights?.[c] ?? 1), 0);
        total += w * -t.reduce((a, v, c) => a + v * Math.log(clip(px[c]!, EPS, 1)), 0);
        mass += w;
      } else {
        px.forEach((v, c) => {
          const w = o.weights?.[c] ?? 1;
          const q = clip(v, EPS, 1 - EPS);
          total += w * -(t[c]! * Math.log(q) + (1 - t[c]!) * Math.log(1 - q));
          mass += w;
        });
      }
    });
    return mass > 0 ? total / mass : 0;
  });
  return ce.map((c, m) => (o.lambdaCe ?? 1) * c + (o.lambdaDice ?? 1) * dice[m]!);
}

const H = 3;
const W = 4;
function multiclassCase(seed: number, c: number, n = 2) {
  const r = rng(seed);
  const z = Array.from({ length: n }, () => Array.from({ length: H * W }, () => normals(r, c)));
  const labels = Array.from({ length: n }, () => Array.from({ length: H * W }, () => Math.floor(r() * c)));
  return { z, p: softmaxPixels(z), labels, y: oneHot(labels, c), mask: labels.map((im) => Array.from({ length: H }, (_, row) => im.slice(row * W, (row + 1) * W))) };
}
function binaryCase(seed: number, n = 3, c = 1): { z: Batch; p: Batch; y: Batch } {
  const r = rng(seed);
  const z = Array.from({ length: n }, () => Array.from({ length: H * W }, () => normals(r, c).map((v) => 2 * v)));
  const y = Array.from({ length: n }, () => Array.from({ length: H * W }, () => Array.from({ length: c }, () => (r() < 0.4 ? 1 : 0))));
  return { z, p: z.map((im) => im.map((px) => px.map(sigmoid))), y };
}
const none = { reduction: 'none' } as const;

describe('diceCrossEntropyLoss(yTrue, yPred, options)', () => {
  it('reproduces the doc example and TopoMortar\'s CEDice (CE + (−Dice), two softmax channels) up to the constant 1', () => {
    const ce = (-Math.log(0.8) * 2 - Math.log(1 - EPS) * 2) / 4;
    expectClose(diceCrossEntropyLoss([[[1, 0], [0, 0]]], [[[0.8, 0.2], [0, 0]]]).dataSync()[0]!, ce + 1 - (1.6 + 1e-5) / (2 + 1e-5), 1e-6);
    // TopoMortar: Σ_c −mean_{b,h,w} Y_c log(P_c + 1e-15)  −  mean_{b,c} (2ΣPY + 1e-5)/(ΣY + ΣP + 1e-5)
    const mc = multiclassCase(1, 2);
    let topoCe = 0;
    let topoDice = 0;
    for (let c = 0; c < 2; c++) {
      let s = 0;
      mc.p.forEach((im, b) => {
        im.forEach((px, i) => {
          s -= mc.y[b]![i]![c]! * Math.log(px[c]! + 1e-15);
        });
      });
      topoCe += s / (2 * H * W);
      for (let b = 0; b < 2; b++) {
        let tp = 0;
        let den = 1e-5;
        mc.p[b]!.forEach((px, i) => {
          tp += px[c]! * mc.y[b]![i]![c]!;
          den += px[c]! + mc.y[b]![i]![c]!;
        });
        topoDice -= (2 * tp + 1e-5) / den / 4;
      }
    }
    const ours = diceCrossEntropyLoss(mc.mask, nested(mc.z, H, W), { mode: 'multiclass', fromLogits: true }).dataSync()[0]!;
    expectClose(ours, topoCe + topoDice + 1, 1e-5);
  });

  it('matches the float64 reference on random inputs in every mode, per sample and over the batch', () => {
    const b = binaryCase(2);
    for (const aggregate of ['perSample', 'batch'] as const) {
      const got = values(diceCrossEntropyLoss(nested(b.y, H, W, true), nested(b.p, H, W, true), { aggregate, ...none }));
      expectClose(got, reference(b.p, b.y, { multiclass: false, classes: [0], aggregate }), 1e-5);
    }
    const ml = binaryCase(3, 2, 3);
    expectClose(
      values(diceCrossEntropyLoss(nested(ml.y, H, W), nested(ml.z, H, W), { mode: 'multilabel', fromLogits: true, classWeights: [1, 2, 0.5], lambdaCe: 0.7, ...none })),
      reference(ml.p, ml.y, { multiclass: false, classes: [0, 1, 2], weights: [1, 2, 0.5], lambdaCe: 0.7 }),
      1e-5,
    );
    const mc = multiclassCase(4, 3);
    expectClose(
      values(diceCrossEntropyLoss(mc.mask, nested(mc.p, H, W), { mode: 'multiclass', classWeights: [0.5, 1, 3], lambdaDice: 2, ...none })),
      reference(mc.p, mc.y, { multiclass: true, classes: [0, 1, 2], weights: [0.5, 1, 3], lambdaDice: 2 }),
      1e-5,
    );
    // includeBackground: false drops channel 0 from the Dice term only.
    const noBg = values(diceCrossEntropyLoss(mc.mask, nested(mc.p, H, W), { mode: 'multiclass', includeBackground: false, ...none }));
    const ceOnly = values(diceCrossEntropyLoss(mc.mask, nested(mc.p, H, W), { mode: 'multiclass', lambdaDice: 0, ...none }));
    const diceNoBg = values(diceLoss(mc.mask, nested(mc.p, H, W), { mode: 'multiclass', includeBackground: false, ...none }));
    expectClose(noBg, ceOnly.map((c, i) => c + diceNoBg[i]!), 1e-5);
  });

  it('is the binary cross-entropy with λ_Dice = 0 and diceLoss with λ_CE = 0', () => {
    const b = binaryCase(5);
    const args = [nested(b.y, H, W, true), nested(b.z, H, W, true)] as const;
    const bce = b.z.map((im, n) => mean(im.map((px, i) => -(b.y[n]![i]![0]! * Math.log(sigmoid(px[0]!)) + (1 - b.y[n]![i]![0]!) * Math.log(sigmoid(-px[0]!))))));
    expectClose(values(diceCrossEntropyLoss(...args, { fromLogits: true, lambdaDice: 0, ...none })), bce, 1e-5);
    expectClose(values(diceCrossEntropyLoss(...args, { fromLogits: true, lambdaCe: 0, ...none })), values(diceLoss(...args, { fromLogits: true, ...none })), 1e-6);
  });

  it('has the gradient of the float64 reference (finite differences)', () => {
    const b = binaryCase(6, 2);
    const flat = b.p.flat(2);
    const g = tf.grad((x: tf.Tensor) => diceCrossEntropyLoss(nested(b.y, H, W, true), x))(tf.tensor(flat, [2, H, W]));
    expectClose(values(g), numericGradient((x) => mean(reference(fromFlat(x, 2, H * W, 1), b.y, { multiclass: false, classes: [0] })), flat), 1e-3, 1e-6);
    const mc = multiclassCase(7, 3, 1);
    const flatZ = mc.z.flat(2);
    const gz = tf.grad((x: tf.Tensor) => diceCrossEntropyLoss(mc.mask, x, { mode: 'multiclass', fromLogits: true, classWeights: [1, 2, 3] }))(tf.tensor(flatZ, [1, H, W, 3]));
    const fz = (x: number[]) => mean(reference(softmaxPixels(fromFlat(x, 1, H * W, 3)), mc.y, { multiclass: true, classes: [0, 1, 2], weights: [1, 2, 3] }));
    expectClose(values(gz), numericGradient(fz, flatZ), 1e-3, 1e-6);
  });

  it('leaves ignored pixels out of both terms: equal to cropping them, zero gradient; an all-ignored image scores 0', () => {
    const mc = multiclassCase(8, 3);
    const labels = mc.labels.map((im, n) => im.map((k, i) => (n === 0 && i >= 2 * W ? -1 : n === 1 ? -1 : k)));
    const mask = labels.map((im) => Array.from({ length: H }, (_, row) => im.slice(row * W, (row + 1) * W)));
    const keep = labels.map((im) => im.map((k) => k !== -1));
    const got = values(diceCrossEntropyLoss(mask, nested(mc.z, H, W), { mode: 'multiclass', fromLogits: true, ignoreIndex: -1, ...none }));
    expectClose(got, reference(mc.p, mc.y, { multiclass: true, classes: [0, 1, 2], keep }), 1e-5);
    expectClose(got[1]!, 0, 0, 1e-6);
    const g = values(tf.grad((x: tf.Tensor) => diceCrossEntropyLoss(mask, x, { mode: 'multiclass', fromLogits: true, ignoreIndex: -1 }))(tf.tensor(mc.z.flat(2), [2, H, W, 3])));
    expectClose(g.slice(3 * H * W), new Array(3 * H * W).fill(0), 0, 0);
    // Binary masks with a void label: the cross-entropy averages over kept pixels only.
    const yb = [[[1, 255], [0, 1]]];
    const pb = [[[0.9, 0.3], [0.2, 0.6]]];
    const ce = -(Math.log(0.9) + Math.log(0.8) + Math.log(0.6)) / 3;
    expectClose(diceCrossEntropyLoss(yb, pb, { ignoreIndex: 255 }).dataSync()[0]!, ce + 1 - (2 * 1.5 + 1e-5) / (1.7 + 2 + 1e-5), 1e-6);
  });

  it('stays finite, in value and gradient, at logits of ±1e4, all-equal logits and probabilities of exactly 0 and 1', () => {
    const z = tf.tensor([[[1e4, -1e4], [-1e4, 1e4]]]);
    const y = [[[1, 1], [0, 0]]];
    expectFinite(diceCrossEntropyLoss(y, z, { fromLogits: true }));
    expectFinite(tf.grad((x: tf.Tensor) => diceCrossEntropyLoss(y, x, { fromLogits: true }))(z));
    const zc = tf.tensor([[[[1e4, -1e4, 0], [5, 5, 5]], [[-1e4, 1e4, 0], [0, 0, 0]]]]);
    expectFinite(tf.grad((x: tf.Tensor) => diceCrossEntropyLoss([[[1, 0], [2, 1]]], x, { mode: 'multiclass', fromLogits: true }))(zc));
    const hard = tf.tensor([[[1, 0], [0, 1]]]);
    expectFinite(diceCrossEntropyLoss(y, hard));
    expectFinite(tf.grad((x: tf.Tensor) => diceCrossEntropyLoss(y, x))(hard));
    expectFinite(tf.grad((x: tf.Tensor) => diceCrossEntropyLoss([[[0, 0], [0, 0]]], x))(tf.tensor([[[0.2, 0.5], [0, 1]]])));
  });

  it("reduces by 'mean', 'sum' and 'none' and takes per-sample weights", () => {
    const b = binaryCase(9);
    const args = [nested(b.y, H, W, true), nested(b.p, H, W, true)] as const;
    const per = values(diceCrossEntropyLoss(...args, none));
    expectClose(diceCrossEntropyLoss(...args, { reduction: 'sum' }).dataSync()[0]!, per[0]! + per[1]! + per[2]!, 1e-6);
    expectClose(diceCrossEntropyLoss(...args).dataSync()[0]!, mean(per), 1e-6);
    expectClose(diceCrossEntropyLoss(...args, { weights: [1, 0, 1] }).dataSync()[0]!, (per[0]! + per[2]!) / 2, 1e-6);
    expect(diceCrossEntropyLoss(...args, { aggregate: 'batch', ...none }).shape).toEqual([1]);
  });

  it('leaks no tensors', () => {
    const mc = multiclassCase(10, 3);
    const x = tf.tensor(mc.z.flat(2), [2, H, W, 3]);
    const mask = mc.mask.map((im) => im.map((row) => row.map((k, c) => (c === 0 ? 7 : k))));
    const opts = { mode: 'multiclass', fromLogits: true, ignoreIndex: 7, classWeights: [1, 2, 3] } as const;
    expect(leakedTensors(() => diceCrossEntropyLoss(mask, x, opts))).toBe(0);
    expect(leakedTensors(() => tf.grad((v: tf.Tensor) => diceCrossEntropyLoss(mask, v, opts))(x))).toBe(0);
    const b = binaryCase(11);
    const xb = tf.tensor(b.p.flat(2), [3, H, W]);
    expect(leakedTensors(() => tf.grad((v: tf.Tensor) => diceCrossEntropyLoss(nested(b.y, H, W, true), v))(xb))).toBe(0);
    x.dispose();
    xb.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    const p = [[[0.5, 0.5]]];
    expect(() => diceCrossEntropyLoss([[[1, 0]]], p, { lambdaCe: -1 })).toThrow('diceCrossEntropyLoss: expected `lambdaCe` to be a finite number >= 0, got -1 (number)');
    expect(() => diceCrossEntropyLoss([[[1, 0]]], p, { lambdaDice: Number.POSITIVE_INFINITY })).toThrow('diceCrossEntropyLoss: expected `lambdaDice` to be a finite number >= 0, got Infinity (number)');
    expect(() => diceCrossEntropyLoss([[[1, 0]]], p, { labelSmoothing: 0.1 } as never)).toThrow(
      'diceCrossEntropyLoss: expected each option to be one of mode, fromLogits, aggregate, classWeights, includeBackground, ignoreIndex, smoothNumerator, smoothDenominator, lambdaDice, lambdaCe, reduction, weights, got `labelSmoothing`',
    );
    expect(() => diceCrossEntropyLoss([[[1, 0]]], [[[[0.5, 0.5], [0.5, 0.5]]]], { mode: 'multiclass', classWeights: [1, -1] })).toThrow(
      'diceCrossEntropyLoss: expected `classWeights[1]` to be a finite number >= 0, got -1 (number)',
    );
  });
});
