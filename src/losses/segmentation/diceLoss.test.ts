import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, normals, numericGradient, rng, values } from '../../../test/helpers.js';
import { type Batch, fromFlat, mean, nested, oneHot, perClassLoss, sigmoid, softmaxPixels } from '../../../test/segmentation-reference.js';
import { diceLoss } from './diceLoss.js';

// Float64 reference from the formula: 1 − (2 Σ p y + sN) / (Σ p + Σ y + sD) per image and class.
function reference(
  p: Batch,
  y: Batch,
  classes: number[],
  o: { aggregate?: 'perSample' | 'batch'; weights?: number[]; sN?: number; sD?: number; squared?: boolean } = {},
): number[] {
  const sN = o.sN ?? 1e-5;
  const sD = o.sD ?? 1e-5;
  return perClassLoss(p, y, classes, (s) => 1 - (2 * s.tp + sN) / ((o.squared ? s.sumP2 + s.sumY2 : s.sumP + s.sumY) + sD), o);
}

const H = 4;
const W = 5;

/** Random binary masks and probabilities, [n][pixel][1]. */
function binaryCase(seed: number, n = 3, h = H, w = W): { p: Batch; y: Batch } {
  const r = rng(seed);
  const p = Array.from({ length: n }, () => Array.from({ length: h * w }, () => [0.02 + 0.96 * r()]));
  const y = Array.from({ length: n }, () => Array.from({ length: h * w }, () => [r() < 0.4 ? 1 : 0]));
  return { p, y };
}

/** Random softmax probabilities and integer masks with c classes. */
function multiclassCase(seed: number, c: number, n = 2): { z: Batch; p: Batch; labels: number[][]; y: Batch } {
  const r = rng(seed);
  const z = Array.from({ length: n }, () => Array.from({ length: H * W }, () => normals(r, c)));
  const labels = Array.from({ length: n }, () => Array.from({ length: H * W }, () => Math.floor(r() * c)));
  return { z, p: softmaxPixels(z), labels, y: oneHot(labels, c) };
}

const labelMask = (labels: number[][]) => labels.map((image) => Array.from({ length: H }, (_, r) => image.slice(r * W, (r + 1) * W)));
const none = { reduction: 'none' } as const;

describe('diceLoss(yTrue, yPred, options)', () => {
  it('reproduces closed forms: the doc example and TopoMortar\'s −Dice with the background channel', () => {
    // 2·0.8 / (1 + 0.8 + 0.2) = 0.8
    expectClose(diceLoss([[[1, 0], [0, 0]]], [[[0.8, 0.2], [0, 0]]]).dataSync()[0]!, 1 - (1.6 + 1e-5) / (2 + 1e-5), 1e-6);
    // TopoMortar `_dice_loss`: −mean_{b,c} (2ΣPY + 1e-5)/max(ΣY + ΣP + 1e-5, 1e-8), two softmax channels.
    const { p, labels, y } = multiclassCase(5, 2);
    let topo = 0;
    for (let b = 0; b < 2; b++) {
      for (let c = 0; c < 2; c++) {
        let tp = 0;
        let den = 1e-5;
        p[b]!.forEach((px, i) => {
          tp += px[c]! * y[b]![i]![c]!;
          den += px[c]! + y[b]![i]![c]!;
        });
        topo -= (2 * tp + 1e-5) / Math.max(den, 1e-8) / 4;
      }
    }
    const ours = diceLoss(labelMask(labels), nested(p, H, W), { mode: 'multiclass' }).dataSync()[0]!;
    expectClose(ours, 1 + topo, 1e-5);
  });

  it('matches the float64 reference on random inputs in every mode and aggregation', () => {
    const bin = binaryCase(1);
    for (const aggregate of ['perSample', 'batch'] as const) {
      const got = values(diceLoss(nested(bin.y, H, W, true), nested(bin.p, H, W, true), { aggregate, ...none }));
      expectClose(got, reference(bin.p, bin.y, [0], { aggregate }), 1e-5);
    }
    const mc = multiclassCase(2, 3);
    expectClose(values(diceLoss(labelMask(mc.labels), nested(mc.p, H, W), { mode: 'multiclass', ...none })), reference(mc.p, mc.y, [0, 1, 2]), 1e-5);
    // one-hot targets give the same as the integer mask
    expectClose(values(diceLoss(nested(mc.y, H, W), nested(mc.p, H, W), { mode: 'multiclass', ...none })), reference(mc.p, mc.y, [0, 1, 2]), 1e-5);
    const ml = binaryCase(3);
    const ml2 = binaryCase(4);
    const p = ml.p.map((img, b) => img.map((px, i) => [px[0]!, ml2.p[b]![i]![0]!]));
    const y = ml.y.map((img, b) => img.map((px, i) => [px[0]!, ml2.y[b]![i]![0]!]));
    expectClose(values(diceLoss(nested(y, H, W), nested(p, H, W), { mode: 'multilabel', aggregate: 'batch', ...none })), reference(p, y, [0, 1], { aggregate: 'batch' }), 1e-5);
  });

  it('applies the sigmoid (binary) or the softmax (multiclass) with fromLogits', () => {
    const r = rng(6);
    const z = Array.from({ length: 2 }, () => Array.from({ length: H * W }, () => [2 * normals(r, 1)[0]!]));
    const { y } = binaryCase(7, 2);
    const p = z.map((img) => img.map((px) => [sigmoid(px[0]!)]));
    expectClose(values(diceLoss(nested(y, H, W, true), nested(z, H, W, true), { fromLogits: true, ...none })), reference(p, y, [0]), 1e-5);
    const mc = multiclassCase(8, 4);
    expectClose(values(diceLoss(labelMask(mc.labels), nested(mc.z, H, W), { mode: 'multiclass', fromLogits: true, ...none })), reference(mc.p, mc.y, [0, 1, 2, 3]), 1e-5);
  });

  it('has the gradient of the float64 reference (finite differences), binary and multiclass from logits', () => {
    const bin = binaryCase(9, 2, 3, 3);
    const flatP = bin.p.flat(2);
    const g = tf.grad((x: tf.Tensor) => diceLoss(nested(bin.y, 3, 3, true), x))(tf.tensor(flatP, [2, 3, 3]));
    const f = (x: number[]) => mean(reference(fromFlat(x, 2, 9, 1), bin.y, [0]));
    expectClose(values(g), numericGradient(f, flatP), 1e-3, 1e-6);

    const mc = multiclassCase(10, 3, 1);
    const flatZ = mc.z.flat(2);
    const gz = tf.grad((x: tf.Tensor) => diceLoss(labelMask(mc.labels), x, { mode: 'multiclass', fromLogits: true, squaredDenominator: true }))(tf.tensor(flatZ, [1, H, W, 3]));
    const fz = (x: number[]) => mean(reference(softmaxPixels(fromFlat(x, 1, H * W, 3)), mc.y, [0, 1, 2], { squared: true }));
    expectClose(values(gz), numericGradient(fz, flatZ), 1e-3, 1e-6);
  });

  it('is ~0 for a prediction equal to the target, and 1 − s/(Σp + s) for an empty target', () => {
    const { y } = binaryCase(11);
    expectClose(values(diceLoss(nested(y, H, W, true), nested(y, H, W, true), none)), [0, 0, 0], 0, 1e-6);
    const empty = [[[0, 0], [0, 0]]];
    // Empty-target policy: both empty → 0; empty target, non-empty prediction → close to 1.
    expectClose(diceLoss(empty, empty).dataSync()[0]!, 0, 0, 1e-7);
    expectClose(diceLoss(empty, [[[0.5, 0], [0, 0]]]).dataSync()[0]!, 1 - 1e-5 / (0.5 + 1e-5), 1e-6);
    // Without smoothing, an empty target and prediction are 0/0.
    expect(Number.isNaN(diceLoss(empty, empty, { smoothNumerator: 0, smoothDenominator: 0 }).dataSync()[0]!)).toBe(true);
  });

  it("differs per sample and over the batch as expected on a batch with one empty image", () => {
    // Image 0 is empty and predicted empty (loss 0 alone); image 1 is half right.
    const yTrue = [[[0, 0], [0, 0]], [[1, 1], [0, 0]]];
    const yPred = [[[0, 0], [0, 0]], [[1, 0], [0, 0]]];
    const perSample = values(diceLoss(yTrue, yPred, none));
    expectClose(perSample, [0, 1 - (2 + 1e-5) / (3 + 1e-5)], 1e-5, 1e-7);
    // Over the batch the empty image adds nothing to any sum: the loss of image 1 alone, once.
    const batch = diceLoss(yTrue, yPred, { aggregate: 'batch', reduction: 'none' });
    expect(batch.shape).toEqual([1]);
    expectClose(values(batch), [1 - (2 + 1e-5) / (3 + 1e-5)], 1e-5);
    // The mean per sample is half of it: the empty image counts as a perfect one.
    expectClose(diceLoss(yTrue, yPred).dataSync()[0]!, mean(perSample), 1e-6);
    expect(diceLoss(yTrue, yPred).dataSync()[0]!).toBeLessThan(values(batch)[0]! * 0.6);
  });

  it('leaves ignored pixels out: equal to cropping them, zero gradient there (multiclass and binary)', () => {
    const mc = multiclassCase(12, 3, 1);
    // Ignore the last column.
    const labels = mc.labels.map((image) => image.map((k, i) => (i % W === W - 1 ? 255 : k)));
    const masked = values(diceLoss(labelMask(labels), nested(mc.p, H, W), { mode: 'multiclass', ignoreIndex: 255, ...none }));
    const keep = (image: number[][]) => image.filter((_, i) => i % W !== W - 1);
    const croppedP = mc.p.map(keep);
    const croppedY = mc.y.map(keep);
    expectClose(masked, reference(croppedP, croppedY, [0, 1, 2]), 1e-5);
    const cropped = values(diceLoss(nested(croppedY, H, W - 1), nested(croppedP, H, W - 1), { mode: 'multiclass', ...none }));
    expectClose(masked, cropped, 1e-5);
    const g = values(tf.grad((x: tf.Tensor) => diceLoss(labelMask(labels), x, { mode: 'multiclass', ignoreIndex: 255 }))(tf.tensor(mc.p.flat(2), [1, H, W, 3])));
    for (let i = 0; i < H * W; i++) if (i % W === W - 1) expectClose(g.slice(3 * i, 3 * i + 3), [0, 0, 0], 0, 0);
    // An in-range ignoreIndex (here the background class 0) removes those pixels too.
    const noBg = values(diceLoss(labelMask(mc.labels), nested(mc.p, H, W), { mode: 'multiclass', ignoreIndex: 0, ...none }));
    const fg = (image: number[][], b: number) => image.filter((_, i) => mc.labels[b]![i] !== 0);
    expectClose(noBg, reference(mc.p.map(fg), mc.y.map(fg), [0, 1, 2]), 1e-5);
    // Binary masks with a void label.
    const bin = [[[1, 255], [0, 1]]];
    expectClose(diceLoss(bin, [[[0.9, 0.7], [0.2, 0.6]]], { ignoreIndex: 255 }).dataSync()[0]!, 1 - (2 * 1.5 + 1e-5) / (1.7 + 2 + 1e-5), 1e-6);
  });

  it('drops the background with includeBackground: false and weighs classes with classWeights', () => {
    const mc = multiclassCase(13, 3);
    const opts = { mode: 'multiclass', ...none } as const;
    expectClose(values(diceLoss(labelMask(mc.labels), nested(mc.p, H, W), { ...opts, includeBackground: false })), reference(mc.p, mc.y, [1, 2]), 1e-5);
    const w = [0.5, 2, 1];
    expectClose(values(diceLoss(labelMask(mc.labels), nested(mc.p, H, W), { ...opts, classWeights: w })), reference(mc.p, mc.y, [0, 1, 2], { weights: w }), 1e-5);
    const plain = values(diceLoss(labelMask(mc.labels), nested(mc.p, H, W), opts));
    expectClose(values(diceLoss(labelMask(mc.labels), nested(mc.p, H, W), { ...opts, classWeights: [3, 3, 3] })), plain, 1e-6);
    // Weights are scale-invariant; the weight of a dropped background is unused.
    expectClose(values(diceLoss(labelMask(mc.labels), nested(mc.p, H, W), { ...opts, classWeights: [1, 4, 2] })), values(diceLoss(labelMask(mc.labels), nested(mc.p, H, W), { ...opts, classWeights: [2, 8, 4] })), 1e-6);
    expectClose(
      values(diceLoss(labelMask(mc.labels), nested(mc.p, H, W), { ...opts, includeBackground: false, classWeights: [100, 1, 3] })),
      reference(mc.p, mc.y, [1, 2], { weights: [0, 1, 3] }),
      1e-5,
    );
  });

  it('squares the denominator terms with squaredDenominator', () => {
    const bin = binaryCase(14);
    expectClose(values(diceLoss(nested(bin.y, H, W, true), nested(bin.p, H, W, true), { squaredDenominator: true, ...none })), reference(bin.p, bin.y, [0], { squared: true }), 1e-5);
  });

  it('accepts [N,H,W,1] binary inputs, [N,H,W,1] integer masks and 3D volumes', () => {
    const bin = binaryCase(15);
    const expected = reference(bin.p, bin.y, [0]);
    expectClose(values(diceLoss(nested(bin.y, H, W), nested(bin.p, H, W), none)), expected, 1e-5);
    expectClose(values(diceLoss(nested(bin.y, H, W, true), nested(bin.p, H, W), none)), expected, 1e-5);
    const mc = multiclassCase(16, 3);
    const labels4 = tf.tensor(mc.labels.flat(), [2, H, W, 1], 'int32');
    expectClose(values(diceLoss(labels4, nested(mc.p, H, W), { mode: 'multiclass', ...none })), reference(mc.p, mc.y, [0, 1, 2]), 1e-5);
    // A volume [N, D, H, W, 1]: the same sums over D·H·W voxels as a flat image.
    const volumeP = tf.tensor(bin.p.flat(2), [3, 2, 2, W, 1]);
    const volumeY = tf.tensor(bin.y.flat(2), [3, 2, 2, W, 1]);
    expectClose(values(diceLoss(volumeY, volumeP, none)), expected, 1e-5);
  });

  it('stays finite, in value and gradient, at logits of ±1e4, all-equal logits and without positives', () => {
    const z = tf.tensor([[[1e4, -1e4], [-1e4, 1e4]], [[0, 0], [0, 0]]]);
    const y = [[[1, 0], [1, 0]], [[0, 0], [0, 0]]];
    expectFinite(diceLoss(y, z, { fromLogits: true, ...none }));
    expectFinite(tf.grad((x: tf.Tensor) => diceLoss(y, x, { fromLogits: true }))(z));
    const zc = tf.tensor([[[[1e4, -1e4, 0], [5, 5, 5]], [[-1e4, 1e4, 0], [0, 0, 0]]]]);
    expectFinite(tf.grad((x: tf.Tensor) => diceLoss([[[0, 1], [2, 1]]], x, { mode: 'multiclass', fromLogits: true }))(zc));
    expectFinite(tf.grad((x: tf.Tensor) => diceLoss([[[0, 0], [0, 0]]], x))(tf.tensor([[[0, 0.5], [1, 0]]])));
  });

  it("reduces by 'mean', 'sum' and 'none' and takes per-sample weights", () => {
    const bin = binaryCase(17);
    const yT = nested(bin.y, H, W, true);
    const yP = nested(bin.p, H, W, true);
    const per = values(diceLoss(yT, yP, none));
    expect(per.length).toBe(3);
    expectClose(diceLoss(yT, yP, { reduction: 'sum' }).dataSync()[0]!, per[0]! + per[1]! + per[2]!, 1e-6);
    expectClose(diceLoss(yT, yP).dataSync()[0]!, mean(per), 1e-6);
    const w = [1, 3, 0.5];
    expectClose(diceLoss(yT, yP, { weights: w }).dataSync()[0]!, (per[0]! + 3 * per[1]! + 0.5 * per[2]!) / 4.5, 1e-6);
    expectClose(values(diceLoss(yT, yP, { weights: w, ...none })), per.map((l, i) => l * w[i]!), 1e-6);
    expectClose(diceLoss(yT, yP, { weights: [1, 1, 1] }).dataSync()[0]!, mean(per), 1e-6);
  });

  it('leaks no tensors', () => {
    const mc = multiclassCase(18, 3);
    const x = tf.tensor(mc.z.flat(2), [2, H, W, 3]);
    const labels = labelMask(mc.labels.map((image) => image.map((k, i) => (i === 0 ? 255 : k))));
    const opts = { mode: 'multiclass', fromLogits: true, ignoreIndex: 255, classWeights: [1, 2, 3], includeBackground: false, weights: [1, 2] } as const;
    expect(leakedTensors(() => diceLoss(labels, x, opts))).toBe(0);
    expect(leakedTensors(() => tf.grad((v: tf.Tensor) => diceLoss(labels, v, opts))(x))).toBe(0);
    x.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    const p = [[[0.5, 0.5], [0.5, 0.5]]];
    const p3 = [[[[0.2, 0.3, 0.5], [1, 0, 0]], [[0, 1, 0], [0, 0, 1]]]];
    expect(() => diceLoss([[1, 0]], [[0.5, 0.5]])).toThrow('diceLoss: expected `yPred` to have shape [N,H,W], [N,H,W,1] or [N,D,H,W,1] in binary mode, got shape [1,2]');
    expect(() => diceLoss([[[1, 0]]], [[[[0.5, 0.5], [0.5, 0.5]]]])).toThrow('diceLoss: expected `yPred` to have shape [N,H,W], [N,H,W,1] or [N,D,H,W,1] in binary mode, got shape [1,1,2,2]');
    expect(() => diceLoss([[[1, 0, 1], [0, 0, 1]]], p)).toThrow('diceLoss: expected `yTrue` and `yPred` to have the same shape, got [1,2,3] and [1,2,2]');
    expect(() => diceLoss([[[1, 2], [0, 0]]], p)).toThrow('diceLoss: expected every value of `yTrue` to lie in [0, 1], got 2 at flat index 1');
    expect(() => diceLoss([[[1, 2], [0, 0]]], p, { ignoreIndex: 255 })).toThrow('diceLoss: expected every value of `yTrue` to lie in [0, 1] or equal ignoreIndex 255, got 2 at flat index 1');
    expect(() => diceLoss([[[0, 3], [1, 2]]], p3, { mode: 'multiclass' })).toThrow('diceLoss: expected every value of `yTrue` to be an integer class index in [0, 2], got 3 at index 1');
    expect(() => diceLoss([[0, 1]], p3, { mode: 'multiclass' })).toThrow("diceLoss: expected `yTrue` to be an integer mask [1,2,2] or one-hot of yPred's shape [1,2,2,3] in multiclass mode, got shape [1,2]");
    expect(() => diceLoss([[[0, 1], [1, 0]]], p, { mode: 'multiclass' })).toThrow('diceLoss: expected `yPred` to have shape [N,H,W,C] or [N,D,H,W,C] in multiclass mode, got shape [1,2,2]');
    expect(() => diceLoss([[[0, 1], [1, 0]]], [[[[0.5], [0.5]], [[0.5], [0.5]]]], { mode: 'multiclass' })).toThrow(
      "diceLoss: expected `yPred` to have at least 2 channels in multiclass mode (use mode: 'binary' for one foreground), got shape [1,2,2,1]",
    );
    expect(() => diceLoss(p3, p3, { mode: 'multilabel', ignoreIndex: 1 })).toThrow('diceLoss: expected `ignoreIndex` to be used with integer masks (binary or multiclass mode), got multilabel mode');
    expect(() => diceLoss(p3, p3, { mode: 'multiclass', ignoreIndex: 1 })).toThrow(
      'diceLoss: expected `ignoreIndex` to be used with integer masks (use `weights` or crop to leave pixels of one-hot targets out), got one-hot targets of shape [1,2,2,3]',
    );
    expect(() => diceLoss([[[0, 1], [1, 0]]], p, { ignoreIndex: 0.5 })).toThrow('diceLoss: expected `ignoreIndex` to be an integer, got 0.5 (number)');
    expect(() => diceLoss([[[0, 1], [1, 2]]], p3, { mode: 'multiclass', classWeights: [1, 2] })).toThrow('diceLoss: expected `classWeights` to have one entry per class (3), got 2 entries');
    expect(() => diceLoss([[[0, 1], [1, 2]]], p3, { mode: 'multiclass', classWeights: [5, 0, 0], includeBackground: false })).toThrow(
      'diceLoss: expected `classWeights` to give a positive weight to at least one scored class, got [5,0,0]',
    );
    expect(() => diceLoss([[[0, 1], [1, 0]]], p, { smoothNumerator: -1 })).toThrow('diceLoss: expected `smoothNumerator` to be a finite number >= 0, got -1 (number)');
    expect(() => diceLoss([[[0, 1], [1, 0]]], p, { mode: 'multi' as never })).toThrow("diceLoss: expected `mode` to be one of 'binary' | 'multiclass' | 'multilabel', got \"multi\" (string)");
    expect(() => diceLoss([[[0, 1], [1, 0]]], p, { aggregate: 'global' as never })).toThrow("diceLoss: expected `aggregate` to be one of 'perSample' | 'batch', got \"global\" (string)");
    expect(() => diceLoss([[[0, 1], [1, 0]]], p, { fromLogits: 'yes' as never })).toThrow('diceLoss: expected `fromLogits` to be true or false, got "yes" (string)');
    expect(() => diceLoss([[[0, 1], [1, 0]]], p, { smooth: 1 } as never)).toThrow(
      'diceLoss: expected each option to be one of mode, fromLogits, aggregate, classWeights, includeBackground, ignoreIndex, smoothNumerator, smoothDenominator, squaredDenominator, reduction, weights, got `smooth`',
    );
    expect(() => diceLoss([[[0, 1], [1, 0]], [[0, 1], [1, 0]]], [p[0]!, p[0]!], { aggregate: 'batch', weights: [1, 2] })).toThrow(
      "diceLoss: expected `weights` to be per sample or broadcast to the loss's shape [1], got shape [2]",
    );
    expect(() => diceLoss(tf.zeros([0, 2, 2]), tf.zeros([0, 2, 2]))).toThrow('diceLoss: expected `yPred` to hold at least one element, got shape [0,2,2]');
  });
});
