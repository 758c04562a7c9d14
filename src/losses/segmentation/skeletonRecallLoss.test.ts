import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, normals, numericGradient, rng, values } from '../../../test/helpers.js';
import { type Batch, crossDilateRef, fromFlat, fromPicture, mean, nested, oneHot, softmaxPixels, thinRef } from '../../../test/segmentation-reference.js';
import { skeletonRecallLoss } from './skeletonRecallLoss.js';

const H = 8;
const W = 9;

/** Tube of a mask: thinned, dilated twice by the cross (not yet masked). */
const tubeOf = (mask: number[], h = H, w = W) => crossDilateRef(thinRef(mask, h, w), h, w, 2);

/**
 * Float64 reference from the definition: T_c = tube(foreground) ∧ Y_c (multiclass: one skeleton of
 * the union of classes `fg`; otherwise per channel), ℓ = 1 − (Σ P_c T_c + s)/(Σ T_c + s).
 */
function reference(p: Batch, y: Batch, classes: number[], o: { union?: boolean; s?: number; aggregate?: 'perSample' | 'batch'; h?: number; w?: number } = {}): number[] {
  const { s = 1e-5, h = H, w = W } = o;
  const stats = y.map((im, n) => {
    const shared = o.union ? tubeOf(im.map((px) => (classes.some((c) => px[c] === 1) ? 1 : 0)), h, w) : undefined;
    return classes.map((c) => {
      const mask = im.map((px) => px[c]!);
      const t = (shared ?? tubeOf(mask, h, w)).map((v, i) => v * mask[i]!);
      return [t.reduce((a, v, i) => a + v * p[n]![i]![c]!, 0), t.reduce((a, v) => a + v, 0)];
    });
  });
  const grouped = (o.aggregate ?? 'perSample') === 'batch' ? [stats] : stats.map((one) => [one]);
  return grouped.map((g) =>
    mean(classes.map((_, k) => {
      const hit = g.reduce((a, v) => a + v[k]![0]!, 0);
      const size = g.reduce((a, v) => a + v[k]![1]!, 0);
      return 1 - (hit + s) / (size + s);
    })),
  );
}

/** Random blob masks and probabilities. */
function binaryCase(seed: number, n = 2): { p: Batch; y: Batch } {
  const r = rng(seed);
  const y = Array.from({ length: n }, () => {
    const m = new Array<number>(H * W).fill(0);
    for (let k = 0; k < 3; k++) {
      const cy = r() * H;
      const cx = r() * W;
      const rad = 1 + 3 * r();
      for (let i = 0; i < H * W; i++) if ((Math.floor(i / W) - cy) ** 2 + ((i % W) - cx) ** 2 < rad * rad) m[i] = 1;
    }
    return m.map((v) => [v]);
  });
  const p = Array.from({ length: n }, () => Array.from({ length: H * W }, () => [0.02 + 0.96 * r()]));
  return { p, y };
}
const none = { reduction: 'none' } as const;

describe('skeletonRecallLoss(yTrue, yPred, options)', () => {
  it('is 1 + the official −recall on a hand-made line: the tube of a 1-pixel line is the line itself', () => {
    const y = [[[0, 1, 0], [0, 1, 0], [0, 1, 0]]];
    const p = [[[0.9, 0.5, 0.9], [0, 1, 0], [0, 0.5, 0]]];
    const official = -(0.5 + 1 + 0.5 + 1e-5) / (3 + 1e-5);
    expectClose(skeletonRecallLoss(y, p).dataSync()[0]!, 1 + official, 1e-6);
    // A 5-wide bar: its skeleton is the centre line, the tube (±2 rows) covers the bar's middle.
    const bar = ['.........', '.#######.', '.#######.', '.#######.', '.#######.', '.#######.', '.........'];
    const mask = fromPicture(bar);
    const tube = tubeOf(mask, 7, 9).map((v, i) => v * mask[i]!);
    // Predict only the centre row: the recall is the share of the tube on that row.
    const pred = mask.map((_, i) => (Math.floor(i / 9) === 3 ? 1 : 0));
    const expected = 1 - (tube.reduce((a, v, i) => a + v * pred[i]!, 0) + 1e-5) / (tube.reduce((a, v) => a + v, 0) + 1e-5);
    expectClose(skeletonRecallLoss(tf.tensor(mask, [1, 7, 9]), tf.tensor(pred, [1, 7, 9])).dataSync()[0]!, expected, 1e-6);
    expect(expected).toBeGreaterThan(0.3);
  });

  it('matches the float64 reference on random blobs, per sample and over the batch', () => {
    const b = binaryCase(1, 3);
    for (const aggregate of ['perSample', 'batch'] as const) {
      expectClose(values(skeletonRecallLoss(nested(b.y, H, W, true), nested(b.p, H, W, true), { aggregate, ...none })), reference(b.p, b.y, [0], { aggregate }), 1e-5);
    }
    expectClose(values(skeletonRecallLoss(nested(b.y, H, W, true), nested(b.p, H, W, true), { smooth: 1, ...none })), reference(b.p, b.y, [0], { s: 1 }), 1e-5);
  });

  it('multiclass: one skeleton of the foreground union, split by class, background left out; multilabel: one per channel', () => {
    const r = rng(2);
    const z = Array.from({ length: 2 }, () => Array.from({ length: H * W }, () => normals(r, 3)));
    // Two foreground classes side by side in blobs.
    const labels = binaryCase(3).y.map((im) => im.map((px, i) => (px[0] === 1 ? (i % W < W / 2 ? 1 : 2) : 0)));
    const mask = labels.map((im) => Array.from({ length: H }, (_, row) => im.slice(row * W, (row + 1) * W)));
    const y = oneHot(labels, 3);
    const p = softmaxPixels(z);
    expectClose(values(skeletonRecallLoss(mask, nested(z, H, W), { mode: 'multiclass', fromLogits: true, ...none })), reference(p, y, [1, 2], { union: true }), 1e-5);
    expectClose(values(skeletonRecallLoss(nested(y, H, W), nested(p, H, W), { mode: 'multilabel', ...none })), reference(p, y, [0, 1, 2]), 1e-5);
  });

  it('has the gradient of the float64 reference (finite differences): −T / (ΣT + s) per image', () => {
    const b = binaryCase(4, 2);
    const flat = b.p.flat(2);
    const g = tf.grad((x: tf.Tensor) => skeletonRecallLoss(nested(b.y, H, W, true), x))(tf.tensor(flat, [2, H, W]));
    expectClose(values(g), numericGradient((x) => mean(reference(fromFlat(x, 2, H * W, 1), b.y, [0])), flat), 1e-3, 1e-6);
  });

  it('is 0 for a prediction covering the target and for an empty target; only the tube counts', () => {
    const b = binaryCase(5, 2);
    expectClose(values(skeletonRecallLoss(nested(b.y, H, W, true), nested(b.y, H, W, true), none)), [0, 0], 0, 1e-6);
    expectClose(skeletonRecallLoss(tf.zeros([1, 4, 4]), tf.fill([1, 4, 4], 0.8)).dataSync()[0]!, 0, 0, 1e-7);
    const g = values(tf.grad((x: tf.Tensor) => skeletonRecallLoss(tf.zeros([1, 4, 4]), x))(tf.fill([1, 4, 4], 0.8)));
    expectClose(g, new Array(16).fill(0), 0, 0);
  });

  it('stays finite, in value and gradient, at logits of ±1e4 and all-equal logits', () => {
    const b = binaryCase(6, 2);
    const r = rng(7);
    const z = tf.tensor(Array.from({ length: 2 * H * W }, () => (r() < 0.5 ? 1e4 : -1e4)), [2, H, W]);
    expectFinite(skeletonRecallLoss(nested(b.y, H, W, true), z, { fromLogits: true }));
    expectFinite(tf.grad((x: tf.Tensor) => skeletonRecallLoss(nested(b.y, H, W, true), x, { fromLogits: true }))(z));
    expectFinite(tf.grad((x: tf.Tensor) => skeletonRecallLoss(nested(b.y, H, W, true), x, { fromLogits: true }))(tf.zeros([2, H, W])));
  });

  it("reduces by 'mean', 'sum' and 'none' and takes per-sample weights", () => {
    const b = binaryCase(8, 3);
    const args = [nested(b.y, H, W, true), nested(b.p, H, W, true)] as const;
    const per = values(skeletonRecallLoss(...args, none));
    expectClose(skeletonRecallLoss(...args, { reduction: 'sum' }).dataSync()[0]!, per[0]! + per[1]! + per[2]!, 1e-6);
    expectClose(skeletonRecallLoss(...args).dataSync()[0]!, mean(per), 1e-6);
    expectClose(skeletonRecallLoss(...args, { weights: [1, 2, 1] }).dataSync()[0]!, (per[0]! + 2 * per[1]! + per[2]!) / 4, 1e-6);
    expect(skeletonRecallLoss(...args, { aggregate: 'batch', ...none }).shape).toEqual([1]);
  });

  it('leaks no tensors', () => {
    const b = binaryCase(9);
    const x = tf.tensor(b.p.flat(2), [2, H, W]);
    expect(leakedTensors(() => skeletonRecallLoss(nested(b.y, H, W, true), x))).toBe(0);
    expect(leakedTensors(() => tf.grad((v: tf.Tensor) => skeletonRecallLoss(nested(b.y, H, W, true), v))(x))).toBe(0);
    x.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    const p = [[[0.5, 0.5]]];
    expect(() => skeletonRecallLoss([[[1, 0.5]]], p)).toThrow('skeletonRecallLoss: expected every value of `yTrue` to be 0 or 1 (the skeleton is taken of a hard mask), got 0.5 at flat index 1');
    expect(() => skeletonRecallLoss(tf.zeros([1, 2, 2, 2, 1]), tf.zeros([1, 2, 2, 2, 1]))).toThrow(
      'skeletonRecallLoss: expected `yPred` to have shape [N,H,W] or [N,H,W,1] in binary mode, got shape [1,2,2,2,1]',
    );
    expect(() => skeletonRecallLoss(tf.zeros([1, 2, 2, 2, 3]), tf.zeros([1, 2, 2, 2, 3]), { mode: 'multilabel' })).toThrow(
      'skeletonRecallLoss: expected `yPred` to have shape [N,H,W,C] in multilabel mode, got shape [1,2,2,2,3]',
    );
    expect(() => skeletonRecallLoss([[[1, 0]]], p, { smooth: 0 })).toThrow('skeletonRecallLoss: expected `smooth` to be a finite number > 0, got 0 (number)');
    expect(() => skeletonRecallLoss([[[1, 0]]], p, { iterations: 3 } as never)).toThrow(
      'skeletonRecallLoss: expected each option to be one of mode, fromLogits, aggregate, smooth, reduction, weights, got `iterations`',
    );
  });
});
