import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, normals, numericGradient, rng, values } from '../../../test/helpers.js';
import { type Batch, fromFlat, fromPicture, groups, mean, nested, oneHot, softmaxPixels, softSkeletonRef } from '../../../test/segmentation-reference.js';
import { clDiceLoss } from './clDiceLoss.js';
import { diceLoss } from './diceLoss.js';

const H = 6;
const W = 7;

/** Float64 reference: per group and class, 1 − 2·Tprec·Tsens/(Tprec + Tsens) on soft skeletons. */
function reference(p: Batch, y: Batch, classes: number[], o: { k?: number; s?: number; aggregate?: 'perSample' | 'batch'; h?: number; w?: number } = {}): number[] {
  const { k = 3, s = 1, h = H, w = W } = o;
  const skel = (b: Batch, c: number) => b.map((im) => softSkeletonRef(im.map((px) => px[c]!), [h, w], k));
  const perGroup: number[][] = [];
  for (const c of classes) {
    const sp = skel(p, c);
    const sy = skel(y, c);
    // Per image sums, then grouped.
    const stats = p.map((im, n) => {
      let spy = 0;
      let spSum = 0;
      let syp = 0;
      let sySum = 0;
      im.forEach((px, i) => {
        spy += sp[n]![i]! * y[n]![i]![c]!;
        spSum += sp[n]![i]!;
        syp += sy[n]![i]! * px[c]!;
        sySum += sy[n]![i]!;
      });
      return [[spy, spSum, syp, sySum]];
    });
    groups(stats, o.aggregate ?? 'perSample').forEach((g, m) => {
      const [spy, spSum, syp, sySum] = g.reduce((acc, v) => acc.map((a, i) => a + v[i]!), [0, 0, 0, 0]);
      const tprec = (spy! + s) / (spSum! + s);
      const tsens = (syp! + s) / (sySum! + s);
      perGroup[m] = [...(perGroup[m] ?? []), 1 - (2 * tprec * tsens) / (tprec + tsens)];
    });
  }
  return perGroup.map(mean);
}

function binaryCase(seed: number, n = 2): { p: Batch; y: Batch } {
  const r = rng(seed);
  return {
    p: Array.from({ length: n }, () => Array.from({ length: H * W }, () => [0.02 + 0.96 * r()])),
    y: Array.from({ length: n }, () => Array.from({ length: H * W }, () => [r() < 0.5 ? 1 : 0])),
  };
}
const none = { reduction: 'none' } as const;

describe('clDiceLoss(yTrue, yPred, options)', () => {
  it("reproduces the official soft_cldice (K = 3, smooth 1, sums over the batch and the foreground channel)", () => {
    const b = binaryCase(1, 3);
    const got = values(clDiceLoss(nested(b.y, H, W, true), nested(b.p, H, W, true), { aggregate: 'batch', ...none }));
    expect(got.length).toBe(1);
    expectClose(got, reference(b.p, b.y, [0], { aggregate: 'batch' }), 1e-5);
  });

  it('matches the float64 reference on random inputs: binary per sample, other K and s, multiclass foreground channels', () => {
    const b = binaryCase(2, 3);
    expectClose(values(clDiceLoss(nested(b.y, H, W, true), nested(b.p, H, W, true), none)), reference(b.p, b.y, [0]), 1e-5);
    expectClose(values(clDiceLoss(nested(b.y, H, W, true), nested(b.p, H, W, true), { iterations: 1, smooth: 0.1, ...none })), reference(b.p, b.y, [0], { k: 1, s: 0.1 }), 1e-5);
    const r = rng(3);
    const z = Array.from({ length: 2 }, () => Array.from({ length: H * W }, () => normals(r, 3).map((v) => 2 * v)));
    const labels = Array.from({ length: 2 }, () => Array.from({ length: H * W }, () => Math.floor(r() * 3)));
    const mask = labels.map((im) => Array.from({ length: H }, (_, row) => im.slice(row * W, (row + 1) * W)));
    // Multiclass: channel 0 (background) is left out.
    expectClose(values(clDiceLoss(mask, nested(z, H, W), { mode: 'multiclass', fromLogits: true, ...none })), reference(softmaxPixels(z), oneHot(labels, 3), [1, 2]), 1e-5);
    // Multilabel: every channel.
    const y2 = oneHot(labels, 3);
    const p2 = softmaxPixels(z);
    expectClose(values(clDiceLoss(nested(y2, H, W), nested(p2, H, W), { mode: 'multilabel', ...none })), reference(p2, y2, [0, 1, 2]), 1e-5);
  });

  it('has the gradient of the float64 reference (finite differences)', () => {
    const b = binaryCase(4, 1);
    const flat = b.p.flat(2);
    const g = tf.grad((x: tf.Tensor) => clDiceLoss(nested(b.y, H, W, true), x))(tf.tensor(flat, [1, H, W]));
    expectClose(values(g), numericGradient((x) => mean(reference(fromFlat(x, 1, H * W, 1), b.y, [0])), flat), 1e-3, 1e-6);
  });

  it('is ~0 for identical masks and for a thickened tube around a thin target, where Dice is far from 0', () => {
    const b = binaryCase(5, 3);
    expectClose(values(clDiceLoss(nested(b.y, H, W, true), nested(b.y, H, W, true), none)), [0, 0, 0], 0, 1e-6);
    const line = ['.........', '.........', '.........', '.........', '.#######.', '.........', '.........', '.........', '.........'];
    const tube = ['.........', '.........', '.........', '.........', '.........', '.........', '.........', '.........', '.........'].map((row, r) =>
      r >= 3 && r <= 5 ? '.#######.' : row,
    );
    const y = tf.tensor(fromPicture(line), [1, 9, 9]);
    const p = tf.tensor(fromPicture(tube), [1, 9, 9]);
    expectClose(clDiceLoss(y, p).dataSync()[0]!, 0, 0, 1e-6);
    expect(diceLoss(y, p).dataSync()[0]!).toBeGreaterThan(0.45); // 1 − 2·7/(7 + 21)
    // A gap in the line costs topology sensitivity: the loss rises above 0.
    const gap = fromPicture(line);
    gap[4 * 9 + 4] = 0;
    expect(clDiceLoss(y, tf.tensor(gap, [1, 9, 9])).dataSync()[0]!).toBeGreaterThan(0.02);
    // Empty target and prediction: 0.
    expectClose(clDiceLoss([[[0, 0], [0, 0]]], [[[0, 0], [0, 0]]]).dataSync()[0]!, 0, 0, 1e-7);
  });

  it('stays finite, in value and gradient, at logits of ±1e4, all-equal logits and with an empty target', () => {
    const r = rng(6);
    const z = tf.tensor(Array.from({ length: 2 * H * W }, () => (r() < 0.5 ? 1e4 : -1e4)), [2, H, W]);
    const { y } = binaryCase(7);
    expectFinite(clDiceLoss(nested(y, H, W, true), z, { fromLogits: true }));
    expectFinite(tf.grad((x: tf.Tensor) => clDiceLoss(nested(y, H, W, true), x, { fromLogits: true }))(z));
    expectFinite(tf.grad((x: tf.Tensor) => clDiceLoss(nested(y, H, W, true), x, { fromLogits: true }))(tf.zeros([2, H, W])));
    expectFinite(tf.grad((x: tf.Tensor) => clDiceLoss(tf.zeros([1, H, W]), x))(tf.fill([1, H, W], 0.7)));
  });

  it("reduces by 'mean', 'sum' and 'none' and takes per-sample weights", () => {
    const b = binaryCase(8, 3);
    const args = [nested(b.y, H, W, true), nested(b.p, H, W, true)] as const;
    const per = values(clDiceLoss(...args, none));
    expectClose(clDiceLoss(...args, { reduction: 'sum' }).dataSync()[0]!, per[0]! + per[1]! + per[2]!, 1e-6);
    expectClose(clDiceLoss(...args).dataSync()[0]!, mean(per), 1e-6);
    expectClose(clDiceLoss(...args, { weights: [3, 1, 0] }).dataSync()[0]!, (3 * per[0]! + per[1]!) / 4, 1e-6);
  });

  it('leaks no tensors', () => {
    const b = binaryCase(9);
    const x = tf.tensor(b.p.flat(2), [2, H, W]);
    expect(leakedTensors(() => clDiceLoss(nested(b.y, H, W, true), x))).toBe(0);
    expect(leakedTensors(() => tf.grad((v: tf.Tensor) => clDiceLoss(nested(b.y, H, W, true), v, { aggregate: 'batch' }))(x))).toBe(0);
    x.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    const p = [[[0.5, 0.5]]];
    expect(() => clDiceLoss([[[1, 0]]], p, { smooth: 0 })).toThrow('clDiceLoss: expected `smooth` to be a finite number > 0, got 0 (number)');
    expect(() => clDiceLoss([[[1, 0]]], p, { iterations: 2.5 })).toThrow('clDiceLoss: expected `iterations` to be an integer >= 0, got 2.5 (number)');
    expect(() => clDiceLoss([[[1, 0]]], p, { ignoreIndex: 255 } as never)).toThrow(
      'clDiceLoss: expected each option to be one of mode, fromLogits, aggregate, iterations, smooth, reduction, weights, got `ignoreIndex`',
    );
    expect(() => clDiceLoss([[[1, 0]]], [[0.5, 0.5]])).toThrow('clDiceLoss: expected `yPred` to have shape [N,H,W], [N,H,W,1] or [N,D,H,W,1] in binary mode, got shape [1,2]');
  });
});
