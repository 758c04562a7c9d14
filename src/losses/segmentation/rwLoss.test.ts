import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, rng, values } from '../../../test/helpers.js';
import { rwLoss } from './rwLoss.js';

// Float64 reference written from the formula, sharing nothing with the loss: brute-force distances.
type Planes = number[][][]; // [channel][row][col]

function depth(mask: number[][]): number[][] {
  const h = mask.length;
  const w = mask[0]!.length;
  const outside: [number, number][] = [];
  mask.forEach((row, r) => { row.forEach((v, c) => { if (!v) outside.push([r, c]); }); });
  return mask.map((row, r) =>
    row.map((v, c) => {
      if (!v) return 0;
      if (outside.length === 0) return Math.min(r + 1, c + 1, h - r, w - c);
      return Math.min(...outside.map(([i, j]) => Math.hypot(r - i, c - j)));
    }),
  );
}

function referenceImage(classes: Planes, probs: Planes, keep?: number[][]): number {
  let total = 0;
  let count = 0;
  classes.forEach((mask, ch) => {
    const d = depth(mask);
    const max = Math.max(0, ...d.flat());
    mask.forEach((row, r) => {
      row.forEach((v, c) => {
        if (keep && !keep[r]![c]) return;
        const map = v ? -d[r]![c]! / max : 1;
        total += probs[ch]![r]![c]! * map;
        count++;
      });
    });
  });
  return count === 0 ? 0 : total / count;
}

/** Binary mode: channels background (1 − y, 1 − p) and foreground (y, p). */
function referenceBinary(y: number[][][], p: number[][][]): number[] {
  return y.map((img, n) => referenceImage([img.map((row) => row.map((v) => 1 - v)), img], [p[n]!.map((row) => row.map((v) => 1 - v)), p[n]!]));
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const randomMasks = (r: () => number, n: number, h: number, w: number, p = 0.4) => Array.from({ length: n }, () => Array.from({ length: h }, () => Array.from({ length: w }, () => (r() < p ? 1 : 0))));
const randomProbs = (r: () => number, n: number, h: number, w: number) => Array.from({ length: n }, () => Array.from({ length: h }, () => Array.from({ length: w }, () => 0.02 + 0.96 * r())));
/** [N,H,W,C] → [N][C][H][W]. */
const channelsFirst = (x: number[][][][]) => x.map((img) => img[0]![0]!.map((_, ch) => img.map((row) => row.map((px) => px[ch]!))));

// Official-code fixture: numpy port of TopoMortar's RegionWiseLoss.forward (softmax over two logits,
// one-hot target, the per-channel loop as written), B = 2, H = 5, W = 6. yPred is z1 − z0.
const FIXTURE_LOGITS = [
  [[-1.14, -0.08, -0.8, 0.44, 0.75, 0.0], [-1.95, -1.08, 1.48, 2.76, -0.64, 1.47], [3.68, 1.0, 1.51, 0.42, 2.0, 2.28], [1.39, 0.28, 0.49, -2.58, 0.67, 0.31], [-2.19, 0.31, 1.17, 1.62, -0.72, -0.88]],
  [[0.15, 2.74, -2.17, -0.24, -0.08, 1.29], [-1.42, -1.91, -1.97, 0.8, 0.45, 0.31], [-1.16, -0.45, -0.95, 0.04, -0.05, -0.32], [-2.3, -1.61, -0.77, 0.74, 0.3, 1.29], [1.97, -1.39, 0.84, -0.56, 1.59, -0.53]],
];
const FIXTURE_TARGET = [
  [[0, 0, 1, 0, 0, 0], [0, 1, 1, 1, 0, 0], [0, 1, 1, 1, 1, 0], [0, 0, 1, 1, 0, 0], [0, 0, 0, 0, 0, 0]],
  [[1, 1, 0, 0, 0, 0], [1, 1, 0, 0, 0, 1], [0, 0, 0, 0, 1, 1], [0, 0, 0, 0, 1, 1], [0, 0, 0, 0, 0, 0]],
];

describe('rwLoss(yTrue, yPred, options)', () => {
  it('reproduces the official code on a fixture (numpy port of TopoMortar RegionWiseLoss)', () => {
    expectClose(rwLoss(FIXTURE_TARGET, FIXTURE_LOGITS, { fromLogits: true }).dataSync()[0]!, 0.07920842894179249, 1e-5);
    expectClose(values(rwLoss(FIXTURE_TARGET, FIXTURE_LOGITS, { fromLogits: true, reduction: 'none' })), [0.07576921952937196, 0.08264763835421303], 1e-5);
  });

  it('gives the documented example', () => {
    expectClose(rwLoss([[[0, 1, 0]]], [[[0, 1, 0]]]).dataSync()[0]!, -0.5, 1e-6);
  });

  it('matches the float64 reference on random binary inputs', () => {
    const r = rng(1);
    const y = randomMasks(r, 3, 7, 9);
    const p = randomProbs(r, 3, 7, 9);
    expectClose(values(rwLoss(y, p, { reduction: 'none' })), referenceBinary(y, p), 1e-5);
    // [N,H,W,1] layout reads the same.
    const y4 = y.map((img) => img.map((row) => row.map((v) => [v])));
    const p4 = p.map((img) => img.map((row) => row.map((v) => [v])));
    expectClose(values(rwLoss(y4, p4, { reduction: 'none' })), referenceBinary(y, p), 1e-5);
  });

  it('matches the reference in multiclass mode (index and one-hot masks) and multilabel mode', () => {
    const r = rng(2);
    const [n, h, w, c] = [2, 6, 7, 3];
    const labels = Array.from({ length: n }, () => Array.from({ length: h }, () => Array.from({ length: w }, () => Math.floor(r() * c))));
    const oneHot = labels.map((img) => img.map((row) => row.map((k) => Array.from({ length: c }, (_, j) => (j === k ? 1 : 0)))));
    const logits = Array.from({ length: n }, () => Array.from({ length: h }, () => Array.from({ length: w }, () => Array.from({ length: c }, () => 2 * r() - 1))));
    const softmax = logits.map((img) => img.map((row) => row.map((z) => { const e = z.map(Math.exp); const s = e.reduce((a, b) => a + b, 0); return e.map((v) => v / s); })));
    const expected = channelsFirst(oneHot).map((classes, i) => referenceImage(classes, channelsFirst(softmax)[i]!));
    expectClose(values(rwLoss(labels, softmax, { mode: 'multiclass', reduction: 'none' })), expected, 1e-5);
    expectClose(values(rwLoss(oneHot, logits, { mode: 'multiclass', fromLogits: true, reduction: 'none' })), expected, 1e-5);
    const multi = oneHot.map((img) => img.map((row) => row.map((px) => px.map((v, j) => (j === 2 ? 1 - v : v)))));
    const probs = logits.map((img) => img.map((row) => row.map((z) => z.map(sigmoid))));
    const expectedMulti = channelsFirst(multi).map((classes, i) => referenceImage(classes, channelsFirst(probs)[i]!));
    expectClose(values(rwLoss(multi, logits, { mode: 'multilabel', fromLogits: true, reduction: 'none' })), expectedMulti, 1e-5);
  });

  it('has the gradient of the float64 reference (finite differences), from probabilities and logits', () => {
    const r = rng(3);
    const y = randomMasks(r, 2, 4, 5);
    const p = randomProbs(r, 2, 4, 5);
    const shape = [2, 4, 5];
    const unflat = (x: number[]) => Array.from({ length: 2 }, (_, n) => Array.from({ length: 4 }, (_, i) => x.slice(n * 20 + i * 5, n * 20 + i * 5 + 5)));
    const g = tf.grad((z: tf.Tensor) => rwLoss(y, z))(tf.tensor(p.flat(2), shape));
    expectClose(values(g), numericGradient((x) => mean(referenceBinary(y, unflat(x))), p.flat(2)), 1e-4, 1e-7);
    const z = p.flat(2).map((v) => Math.log(v / (1 - v)));
    const gz = tf.grad((t: tf.Tensor) => rwLoss(y, t, { fromLogits: true }))(tf.tensor(z, shape));
    expectClose(values(gz), numericGradient((x) => mean(referenceBinary(y, unflat(x.map(sigmoid)))), z), 1e-4, 1e-7);
  });

  it('rewards the core of a region most and charges every false positive 1', () => {
    // A 1×5 strip whose middle three pixels are foreground: depths 1, 2, 1 → maps −0.5, −1, −0.5.
    const y = [[[0, 1, 1, 1, 0]]];
    const g = values(tf.grad((p: tf.Tensor) => rwLoss(y, p))(tf.tensor([[[0.5, 0.5, 0.5, 0.5, 0.5]]])));
    // d/dp of (P_bg·R_bg + P_fg·R_fg)/(2·5) with P_bg = 1 − p: (R_fg − R_bg)/10.
    expectClose(g, [(1 + 1) / 10, (-0.5 - 1) / 10, (-1 - 1) / 10, (-0.5 - 1) / 10, (1 + 1) / 10], 1e-6);
    // A perfect prediction scores minus the mean normalised depth over both classes.
    expectClose(rwLoss(y, y).dataSync()[0]!, (-(0.5 + 1 + 0.5) - (1 + 1)) / 10, 1e-6);
  });

  it('uses the map 1 for an absent class and measures a class filling the image to a frame around it', () => {
    const p = [[[0.2, 0.7, 0.4], [0.1, 0.5, 0.9], [0.3, 0.6, 0.8]]];
    // Empty foreground: R_fg = 1; the background fills the 3×3 image: depth 2 at the centre, 1 elsewhere.
    const flatP = p.flat(2);
    const bgMap = [-0.5, -0.5, -0.5, -0.5, -1, -0.5, -0.5, -0.5, -0.5];
    const expected = (flatP.reduce((a, b) => a + b, 0) + flatP.reduce((a, v, i) => a + (1 - v) * bgMap[i]!, 0)) / 18;
    expectClose(rwLoss([[[0, 0, 0], [0, 0, 0], [0, 0, 0]]], p).dataSync()[0]!, expected, 1e-6);
  });

  it('stays finite, in value and gradient, at logits of ±1e4 and on empty or full targets', () => {
    const z = tf.tensor([[[1e4, -1e4, 0], [-1e4, 1e4, 3]]]);
    for (const y of [[[[1, 0, 0], [0, 1, 1]]], [[[0, 0, 0], [0, 0, 0]]], [[[1, 1, 1], [1, 1, 1]]]]) {
      expectFinite(rwLoss(y, z, { fromLogits: true }));
      expectFinite(tf.grad((t: tf.Tensor) => rwLoss(y, t, { fromLogits: true }))(z));
    }
  });

  it("reduces by 'mean' (default), 'sum' and 'none', and weighs images", () => {
    const none = values(rwLoss(FIXTURE_TARGET, FIXTURE_LOGITS, { fromLogits: true, reduction: 'none' }));
    expectClose(rwLoss(FIXTURE_TARGET, FIXTURE_LOGITS, { fromLogits: true, reduction: 'sum' }).dataSync()[0]!, none[0]! + none[1]!, 1e-6);
    expectClose(rwLoss(FIXTURE_TARGET, FIXTURE_LOGITS, { fromLogits: true, weights: [3, 1] }).dataSync()[0]!, (3 * none[0]! + none[1]!) / 4, 1e-6);
    expectClose(rwLoss(FIXTURE_TARGET, FIXTURE_LOGITS, { fromLogits: true, weights: [1, 1] }).dataSync()[0]!, mean(none), 1e-6);
  });

  it('leaves ignored pixels out of the mean with zero gradient; they count as outside every class', () => {
    const y = [[[1, 1, -1, 0, 0, 1]]];
    const p = [[[0.9, 0.6, 0.3, 0.2, 0.4, 0.7]]];
    const keep = [[1, 1, 0, 1, 1, 1]];
    const fg = [[1, 1, 0, 0, 0, 1]];
    const bg = [[0, 0, 0, 1, 1, 0]];
    const expected = referenceImage([bg, fg], [p[0]!.map((row) => row.map((v) => 1 - v)), p[0]!], keep);
    expectClose(rwLoss(y, p, { ignoreIndex: -1 }).dataSync()[0]!, expected, 1e-6);
    const g = values(tf.grad((t: tf.Tensor) => rwLoss(y, t, { ignoreIndex: -1 }))(tf.tensor(p)));
    expect(g[2]).toBe(0);
    expectClose(rwLoss([[[-1, -1]]], [[[0.3, 0.4]]], { ignoreIndex: -1 }).dataSync()[0]!, 0, 0, 0);
  });

  it('leaks no tensors', () => {
    const z = tf.tensor(FIXTURE_LOGITS);
    expect(leakedTensors(() => rwLoss(FIXTURE_TARGET, z, { fromLogits: true, weights: [1, 2] }))).toBe(0);
    expect(leakedTensors(() => tf.grad((x: tf.Tensor) => rwLoss(FIXTURE_TARGET, x, { fromLogits: true }))(z))).toBe(0);
    const y = tf.tensor([[[1, -1, 0]]]);
    const p = tf.tensor([[[0.2, 0.3, 0.4]]]);
    expect(leakedTensors(() => tf.grad((x: tf.Tensor) => rwLoss(y, x, { ignoreIndex: -1 }))(p))).toBe(0);
    tf.dispose([z, y, p]);
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => rwLoss([[[0, 1]]], [[[0.5, 0.5, 0.5]]])).toThrow('rwLoss: expected `yTrue` and `yPred` to have the same shape, got [1,1,2] and [1,1,3]');
    expect(() => rwLoss([[0, 1]], [[0.5, 0.5]])).toThrow('rwLoss: expected `yPred` to have shape [N,H,W] or [N,H,W,1] in binary mode, got shape [1,2]');
    expect(() => rwLoss([[[[[0]]]]], [[[[[0.5]]]]])).toThrow('rwLoss: expected `yPred` to have shape [N,H,W] or [N,H,W,1] in binary mode, got shape [1,1,1,1,1]');
    expect(() => rwLoss([[[0, 0.5]]], [[[0.5, 0.5]]])).toThrow('rwLoss: expected every value of `yTrue` to be 0 or 1 (the distance transform is taken of a hard mask), got 0.5 at flat index 1');
    expect(() => rwLoss([[[0, 2]]], [[[0.5, 0.5]]])).toThrow('rwLoss: expected every value of `yTrue` to lie in [0, 1], got 2 at flat index 1');
    expect(() => rwLoss([[[0, 1]]], [[[0.5, 0.5]]], { mode: 'binar' as never })).toThrow("rwLoss: expected `mode` to be one of 'binary' | 'multiclass' | 'multilabel', got \"binar\" (string)");
    expect(() => rwLoss([[[0, 1]]], [[[0.5, 0.5]]], { smooth: 1 } as never)).toThrow('rwLoss: expected each option to be one of mode, fromLogits, ignoreIndex, reduction, weights, got `smooth`');
    expect(() => rwLoss([[[0, 1]]], [[[0.5, 0.5]]], { ignoreIndex: 0.5 })).toThrow('rwLoss: expected `ignoreIndex` to be an integer, got 0.5 (number)');
  });
});
