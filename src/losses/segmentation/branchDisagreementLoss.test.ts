import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, rng, values } from '../../../test/helpers.js';
import { branchDisagreementLoss } from './branchDisagreementLoss.js';

// Float64 reference written from the formulas, sharing nothing with the loss. Views are flat pixel
// lists of channel vectors per image: [N][pixels][C].
type Views = number[][][];
type Distance = 'mse' | 'l1' | 'kl' | 'js';

const EPS = 1e-7;
const clip = (v: number) => Math.min(1, Math.max(EPS, v));
const gkl = (a: number, b: number) => clip(a) * Math.log(clip(a) / clip(b)) - clip(a) + clip(b);
const js = (a: number, b: number) => {
  const [x, y] = [clip(a), clip(b)];
  const m = (x + y) / 2;
  return 0.5 * (x * Math.log(x / m) + y * Math.log(y / m));
};

function pixel(a: number[], b: number[], distance: Distance, categorical: boolean): number {
  const c = a.length;
  if (distance === 'mse') return a.reduce((s, v, k) => s + (v - b[k]!) ** 2, 0) / c;
  if (distance === 'l1') return a.reduce((s, v, k) => s + Math.abs(v - b[k]!), 0) / c;
  const f = distance === 'kl' ? gkl : js;
  if (categorical) return a.reduce((s, v, k) => s + f(v, b[k]!), 0);
  return a.reduce((s, v, k) => s + f(v, b[k]!) + f(1 - v, 1 - b[k]!), 0) / c;
}

function reference(a: Views, b: Views, distance: Distance, categorical = false, mask?: number[][]): number[] {
  return a.map((img, n) => {
    const d = img.map((px, i) => pixel(px, b[n]![i]!, distance, categorical));
    const m = mask ? mask[n]! : d.map(() => 1);
    const total = m.reduce((s, v) => s + v, 0);
    return total === 0 ? 0 : d.reduce((s, v, i) => s + m[i]! * v, 0) / total;
  });
}

const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const softmax = (z: number[]) => {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((x, y) => x + y, 0);
  return e.map((v) => v / s);
};
/** Random [N][pixels][C] probabilities, softmax rows when `simplex`. */
function randomViews(r: () => number, n: number, pixels: number, c: number, simplex: boolean): Views {
  return Array.from({ length: n }, () => Array.from({ length: pixels }, () => {
    const z = Array.from({ length: c }, () => 3 * r() - 1.5);
    return simplex ? softmax(z) : z.map(sigmoid);
  }));
}
/** [N][pixels][C] → a [N,H,W,C] tensor. */
const toTensor4 = (v: Views, h: number, w: number) => tf.tensor(v.flat(2), [v.length, h, w, v[0]![0]!.length]);
const DISTANCES: Distance[] = ['mse', 'l1', 'kl', 'js'];

describe('branchDisagreementLoss(viewA, viewB, options)', () => {
  it('reproduces the spec: mean((pA − pB)²) over the selected channels; equal views give 0', () => {
    const a = [[[[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]]]];
    const b = [[[[0.5, 0.4, 0.1], [0.3, 0.3, 0.4]]]];
    expectClose(branchDisagreementLoss(a, b, { mode: 'multiclass' }).dataSync()[0]!, (0.04 + 0.04 + 0 + 0.04 + 0.04 + 0.16) / 6, 1e-6);
    expectClose(branchDisagreementLoss(a, b, { mode: 'multiclass', classes: [2] }).dataSync()[0]!, (0 + 0.16) / 2, 1e-6);
    expectClose(branchDisagreementLoss([[[0.2, 0.9]]], [[[0.4, 0.5]]]).dataSync()[0]!, 0.1, 1e-6);
    for (const distance of DISTANCES) expectClose(branchDisagreementLoss(a, a, { mode: 'multiclass', distance }).dataSync()[0]!, 0, 0, 1e-7);
  });

  it('matches the float64 reference for every distance in binary, multiclass and multilabel modes', () => {
    const r = rng(1);
    const [n, h, w] = [3, 4, 5];
    for (const distance of DISTANCES) {
      const a1 = randomViews(r, n, h * w, 1, false);
      const b1 = randomViews(r, n, h * w, 1, false);
      const flat3 = (v: Views) => tf.tensor(v.flat(2), [n, h, w]);
      expectClose(values(branchDisagreementLoss(flat3(a1), flat3(b1), { distance, reduction: 'none' })), reference(a1, b1, distance), 1e-5, 1e-7);
      const a3 = randomViews(r, n, h * w, 4, true);
      const b3 = randomViews(r, n, h * w, 4, true);
      expectClose(values(branchDisagreementLoss(toTensor4(a3, h, w), toTensor4(b3, h, w), { mode: 'multiclass', distance, reduction: 'none' })), reference(a3, b3, distance, true), 1e-5, 1e-7);
      const am = randomViews(r, n, h * w, 3, false);
      const bm = randomViews(r, n, h * w, 3, false);
      expectClose(values(branchDisagreementLoss(toTensor4(am, h, w), toTensor4(bm, h, w), { mode: 'multilabel', distance, reduction: 'none' })), reference(am, bm, distance), 1e-5, 1e-7);
    }
  });

  it('is symmetric in the two views for mse, l1 and js, and KL is not', () => {
    const r = rng(2);
    const a = toTensor4(randomViews(r, 2, 6, 3, true), 2, 3);
    const b = toTensor4(randomViews(r, 2, 6, 3, true), 2, 3);
    for (const distance of ['mse', 'l1', 'js'] as const) {
      expectClose(branchDisagreementLoss(a, b, { mode: 'multiclass', distance }).dataSync()[0]!, branchDisagreementLoss(b, a, { mode: 'multiclass', distance }).dataSync()[0]!, 1e-6);
    }
    const kab = branchDisagreementLoss(a, b, { mode: 'multiclass', distance: 'kl' }).dataSync()[0]!;
    const kba = branchDisagreementLoss(b, a, { mode: 'multiclass', distance: 'kl' }).dataSync()[0]!;
    expect(Math.abs(kab - kba)).toBeGreaterThan(1e-4);
  });

  it('applies softmax / sigmoid to both views with fromLogits', () => {
    const r = rng(3);
    const za = Array.from({ length: 2 }, () => Array.from({ length: 6 }, () => [3 * r() - 1.5, 3 * r() - 1.5, 3 * r() - 1.5]));
    const zb = Array.from({ length: 2 }, () => Array.from({ length: 6 }, () => [3 * r() - 1.5, 3 * r() - 1.5, 3 * r() - 1.5]));
    const pa = za.map((img) => img.map(softmax));
    const pb = zb.map((img) => img.map(softmax));
    expectClose(values(branchDisagreementLoss(toTensor4(za, 2, 3), toTensor4(zb, 2, 3), { mode: 'multiclass', fromLogits: true, distance: 'js', reduction: 'none' })), reference(pa, pb, 'js', true), 1e-5, 1e-7);
    const sa = za.map((img) => img.map((z) => z.map(sigmoid)));
    const sb = zb.map((img) => img.map((z) => z.map(sigmoid)));
    expectClose(values(branchDisagreementLoss(toTensor4(za, 2, 3), toTensor4(zb, 2, 3), { mode: 'multilabel', fromLogits: true, reduction: 'none' })), reference(sa, sb, 'mse'), 1e-5, 1e-7);
  });

  it('has the gradient of the float64 reference in both views, for every distance (finite differences)', () => {
    const r = rng(4);
    const a = randomViews(r, 2, 4, 3, true);
    const b = randomViews(r, 2, 4, 3, true);
    const unflat = (x: number[]): Views => Array.from({ length: 2 }, (_, n) => Array.from({ length: 4 }, (_, i) => x.slice(n * 12 + i * 3, n * 12 + i * 3 + 3)));
    for (const distance of DISTANCES) {
      const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => branchDisagreementLoss(x, y, { mode: 'multiclass', distance }))([toTensor4(a, 2, 2), toTensor4(b, 2, 2)]);
      expectClose(values(ga!), numericGradient((x) => mean(reference(unflat(x), b, distance, true)), a.flat(2)), 1e-4, 1e-7);
      expectClose(values(gb!), numericGradient((x) => mean(reference(a, unflat(x), distance, true)), b.flat(2)), 1e-4, 1e-7);
    }
  });

  it("detaches the branch named by stopGradient; 'both-cross' gives each branch the full gradient and twice the value", () => {
    const r = rng(5);
    const a = toTensor4(randomViews(r, 2, 4, 1, false), 2, 2);
    const b = toTensor4(randomViews(r, 2, 4, 1, false), 2, 2);
    const o = { mode: 'multilabel' as const, distance: 'kl' as const };
    const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => branchDisagreementLoss(x, y, o))([a, b]);
    const [ga1, gb1] = tf.grads((x: tf.Tensor, y: tf.Tensor) => branchDisagreementLoss(x, y, { ...o, stopGradient: 'A' }))([a, b]);
    expectClose(values(ga1!), values(ga!).map(() => 0), 0, 0);
    expectClose(values(gb1!), values(gb!), 1e-6, 1e-9);
    const [ga2, gb2] = tf.grads((x: tf.Tensor, y: tf.Tensor) => branchDisagreementLoss(x, y, { ...o, stopGradient: 'B' }))([a, b]);
    expectClose(values(ga2!), values(ga!), 1e-6, 1e-9);
    expectClose(values(gb2!), values(gb!).map(() => 0), 0, 0);
    const [ga3, gb3] = tf.grads((x: tf.Tensor, y: tf.Tensor) => branchDisagreementLoss(x, y, { ...o, stopGradient: 'both-cross' }))([a, b]);
    expectClose(values(ga3!), values(ga!), 1e-6, 1e-9);
    expectClose(values(gb3!), values(gb!), 1e-6, 1e-9);
    const plain = branchDisagreementLoss(a, b, o).dataSync()[0]!;
    expectClose(branchDisagreementLoss(a, b, { ...o, stopGradient: 'A' }).dataSync()[0]!, plain, 1e-6);
    expectClose(branchDisagreementLoss(a, b, { ...o, stopGradient: 'both-cross' }).dataSync()[0]!, 2 * plain, 1e-6);
  });

  it('weighs pixels by the mask (Σ m·d / Σ m; an all-zero mask gives 0) and compares only the listed classes', () => {
    const r = rng(6);
    const a = randomViews(r, 2, 6, 3, true);
    const b = randomViews(r, 2, 6, 3, true);
    const mask = [[1, 0, 2, 0.5, 0, 1], [0, 0, 0, 0, 0, 0]];
    const got = values(branchDisagreementLoss(toTensor4(a, 2, 3), toTensor4(b, 2, 3), { mode: 'multiclass', mask: tf.tensor(mask, [2, 2, 3]), reduction: 'none' }));
    expectClose(got, reference(a, b, 'mse', true, mask), 1e-5, 1e-7);
    expect(got[1]).toBe(0);
    const pick = (v: Views) => v.map((img) => img.map((px) => [px[2]!, px[0]!]));
    expectClose(
      values(branchDisagreementLoss(toTensor4(a, 2, 3), toTensor4(b, 2, 3), { mode: 'multiclass', classes: [2, 0], distance: 'kl', reduction: 'none' })),
      reference(pick(a), pick(b), 'kl', true),
      1e-5,
      1e-7,
    );
  });

  it('stays finite, in value and gradient, at logits of ±1e4 and at probabilities of exactly 0 and 1', () => {
    const za = tf.tensor([[[1e4, -1e4, 0]]]);
    const zb = tf.tensor([[[-1e4, 1e4, 0]]]);
    for (const distance of DISTANCES) {
      expectFinite(branchDisagreementLoss(za, zb, { fromLogits: true, distance }));
      for (const g of tf.grads((x: tf.Tensor, y: tf.Tensor) => branchDisagreementLoss(x, y, { fromLogits: true, distance }))([za, zb])) expectFinite(g);
      const pa = tf.tensor([[[[1, 0], [0.5, 0.5]]]]);
      const pb = tf.tensor([[[[0, 1], [0.5, 0.5]]]]);
      expectFinite(branchDisagreementLoss(pa, pb, { mode: 'multiclass', distance }));
      for (const g of tf.grads((x: tf.Tensor, y: tf.Tensor) => branchDisagreementLoss(x, y, { mode: 'multiclass', distance }))([pa, pb])) expectFinite(g);
    }
  });

  it("reduces by 'mean' (default), 'sum' and 'none', and weighs images", () => {
    const a = [[[0.1, 0.9]], [[0.6, 0.3]]];
    const b = [[[0.3, 0.4]], [[0.2, 0.2]]];
    const none = values(branchDisagreementLoss(a, b, { reduction: 'none' }));
    expectClose(none, [(0.04 + 0.25) / 2, (0.16 + 0.01) / 2], 1e-6);
    expectClose(branchDisagreementLoss(a, b, { reduction: 'sum' }).dataSync()[0]!, none[0]! + none[1]!, 1e-6);
    expectClose(branchDisagreementLoss(a, b).dataSync()[0]!, mean(none), 1e-6);
    expectClose(branchDisagreementLoss(a, b, { weights: [1, 3] }).dataSync()[0]!, (none[0]! + 3 * none[1]!) / 4, 1e-6);
  });

  it('leaks no tensors', () => {
    const a = tf.tensor([[[[0.7, 0.3], [0.2, 0.8]]]]);
    const b = tf.tensor([[[[0.5, 0.5], [0.4, 0.6]]]]);
    const mask = tf.tensor([[[1, 0]]]);
    for (const stopGradient of ['none', 'A', 'B', 'both-cross'] as const) {
      const o = { mode: 'multiclass' as const, distance: 'js' as const, stopGradient, mask, classes: [1] };
      expect(leakedTensors(() => branchDisagreementLoss(a, b, o))).toBe(0);
      expect(leakedTensors(() => tf.grads((x: tf.Tensor, y: tf.Tensor) => branchDisagreementLoss(x, y, o))([a, b]))).toBe(0);
    }
    tf.dispose([a, b, mask]);
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    const a = [[[0.1, 0.9]]];
    expect(() => branchDisagreementLoss(a, [[[0.1, 0.9, 0.5]]])).toThrow('branchDisagreementLoss: expected `viewA` and `viewB` to have the same shape, got [1,1,2] and [1,1,3]');
    expect(() => branchDisagreementLoss([[0.1]], [[0.2]])).toThrow('branchDisagreementLoss: expected `viewA` to have shape [N,H,W], [N,H,W,1] or [N,D,H,W,1] in binary mode, got shape [1,1]');
    expect(() => branchDisagreementLoss(a, a, { mode: 'multiclass' })).toThrow('branchDisagreementLoss: expected `viewA` to have shape [N,H,W,C] or [N,D,H,W,C] in multiclass mode, got shape [1,1,2]');
    expect(() => branchDisagreementLoss([[[[1]]]], [[[[1]]]], { mode: 'multiclass' })).toThrow("branchDisagreementLoss: expected `viewA` to have at least 2 channels in multiclass mode (use mode: 'binary' for one foreground), got shape [1,1,1,1]");
    const m = [[[[0.5, 0.5]]]];
    expect(() => branchDisagreementLoss(m, m, { mode: 'multiclass', classes: [2] })).toThrow('branchDisagreementLoss: expected `classes[0]` to be an integer channel index in [0, 1], got 2 (number)');
    expect(() => branchDisagreementLoss(m, m, { mode: 'multiclass', classes: [1, 1] })).toThrow('branchDisagreementLoss: expected `classes` to hold distinct channel indices, got 1 twice');
    expect(() => branchDisagreementLoss(m, m, { mode: 'multiclass', classes: [] })).toThrow('branchDisagreementLoss: expected `classes` to be a non-empty array of channel indices, got [] (array)');
    expect(() => branchDisagreementLoss(a, a, { mask: [[1, 1, 1]] })).toThrow('branchDisagreementLoss: expected `mask` to have the pixel shape [1,1,2] of the views, got shape [1,3]');
    expect(() => branchDisagreementLoss(a, a, { mask: [[[1, -1]]] })).toThrow('branchDisagreementLoss: expected every value of `mask` to lie in [0, Infinity], got -1 at flat index 1');
    expect(() => branchDisagreementLoss(a, a, { distance: 'kld' as never })).toThrow("branchDisagreementLoss: expected `distance` to be one of 'mse' | 'l1' | 'kl' | 'js', got \"kld\" (string)");
    expect(() => branchDisagreementLoss(a, a, { stopGradient: 'C' as never })).toThrow("branchDisagreementLoss: expected `stopGradient` to be one of 'none' | 'A' | 'B' | 'both-cross', got \"C\" (string)");
    expect(() => branchDisagreementLoss(a, a, { weight: 1 } as never)).toThrow('branchDisagreementLoss: expected each option to be one of mode, fromLogits, classes, distance, stopGradient, mask, reduction, weights, got `weight`');
    expect(() => branchDisagreementLoss('x' as never, a)).toThrow('branchDisagreementLoss: expected `viewA` to be a Tensor, number or numeric array, got "x" (string)');
  });
});
