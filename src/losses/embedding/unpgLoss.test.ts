import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomLabels, randomMatrix, rng, values } from '../../../test/helpers.js';
import { cosFaceLoss } from './cosFaceLoss.js';
import { boxAndWhiskerMask, unpgLoss } from './unpgLoss.js';

// Float64 reference written from the description of the method.
const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * (b[i] as number), 0);
const unit = (a: number[]) => {
  const n = Math.sqrt(dot(a, a));
  return a.map((v) => v / Math.max(n, 1e-12));
};
function quartileFilter(v: number[], w: number): number[] {
  const s = v.slice().sort((a, b) => a - b);
  const q1 = s[Math.floor(0.25 * s.length)]!;
  const q3 = s[Math.floor(0.75 * s.length)]!;
  return v.filter((x) => x >= q1 - w * (q3 - q1) && x <= q3 + w * (q3 - q1));
}
interface Ref {
  head?: 'cosFace' | 'arcFace';
  m?: number;
  s?: number;
  wisk?: number;
}
function reference(labels: number[], emb: number[][], W: number[][], { head = 'cosFace', m, s = 64, wisk = 1.5 }: Ref = {}): number[] {
  const x = emb.map(unit);
  const cols = W[0]!.map((_, c) => unit(W.map((row) => row[c]!)));
  const neg: number[] = [];
  for (let i = 0; i < x.length; i++) for (let j = i + 1; j < x.length; j++) if (labels[i] !== labels[j]) neg.push(dot(x[i]!, x[j]!));
  const kept = neg.length > 0 ? quartileFilter(neg, wisk) : [];
  return x.map((xi, i) => {
    const z = cols.map((col, c) => {
      const cos = dot(xi, col);
      if (c !== labels[i]) return cos;
      if (head === 'cosFace') return cos - (m ?? 0.35);
      return Math.cos(Math.acos(Math.min(1, Math.max(-1, cos))) + ((m ?? (0.5 * 180) / Math.PI) * Math.PI) / 180);
    });
    const all = [...z, ...kept].map((v) => v * s);
    const mx = Math.max(...all);
    return mx + Math.log(all.reduce((t, v) => t + Math.exp(v - mx), 0)) - all[labels[i]!]!;
  });
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const chunk = (flat: number[], d: number) => Array.from({ length: flat.length / d }, (_, i) => flat.slice(i * d, (i + 1) * d));

const I3 = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
const EMB = [[1, 0, 0], [0.8, 0.6, 0], [0, 1, 0], [0, 0.6, 0.8]];
const LABELS = [0, 0, 1, 2];

describe('unpgLoss(labels, embeddings, options)', () => {
  it('reproduces the spec values (papers-A A.11): 5.388503 with UNPG, 4.800034 for plain CosFace', () => {
    expectClose(unpgLoss(LABELS, EMB, { classWeightsMatrix: I3 }).dataSync()[0]!, 5.388503, 2e-6);
    expectClose(mean(reference(LABELS, EMB, I3)), 5.388503, 1e-7);
    expectClose(cosFaceLoss(LABELS, EMB, { classWeightsMatrix: I3 }).dataSync()[0]!, 4.800034, 2e-6);
    // The negatives of the example are [0, 0, .36, .6, .6]: all kept.
    expect(boxAndWhiskerMask([0, 0, 0.6, 0.36, 0.6], 1.5)).toEqual([true, true, true, true, true]);
  });

  it('matches the float64 reference on random inputs, for both heads and several whiskers', () => {
    const r = rng(1);
    const emb = randomMatrix(r, 12, 5);
    const W = randomMatrix(r, 5, 4);
    const labels = randomLabels(r, 12, 4);
    for (const wisk of [0, 0.5, 1.5]) {
      expectClose(values(unpgLoss(labels, emb, { classWeightsMatrix: W, wisk, scale: 16, reduction: 'none' })), reference(labels, emb, W, { wisk, s: 16 }), 1e-5, 1e-5);
    }
    expectClose(values(unpgLoss(labels, emb, { classWeightsMatrix: W, head: 'arcFace', scale: 16, reduction: 'none' })), reference(labels, emb, W, { head: 'arcFace', s: 16 }), 1e-5, 1e-5);
    expectClose(values(unpgLoss(labels, emb, { classWeightsMatrix: W, head: 'arcFace', margin: 20, scale: 8, reduction: 'none' })), reference(labels, emb, W, { head: 'arcFace', m: 20, s: 8 }), 1e-5, 1e-5);
    expectClose(values(unpgLoss(labels, emb, { classWeightsMatrix: W, margin: 0.5, reduction: 'none' })), reference(labels, emb, W, { m: 0.5 }), 1e-5, 1e-4);
  });

  it('has the gradient of the float64 reference, in the embeddings and in the class weights', () => {
    const r = rng(2);
    const emb = randomMatrix(r, 5, 3);
    const W = randomMatrix(r, 3, 3);
    const labels = [0, 1, 1, 2, 0];
    for (const head of ['cosFace', 'arcFace'] as const) {
      const g = tf.grad((z: tf.Tensor) => unpgLoss(labels, z, { classWeightsMatrix: W, head, scale: 8 }))(tf.tensor(emb));
      expectClose(values(g), numericGradient((f) => mean(reference(labels, chunk(f, 3), W, { head, s: 8 })), emb.flat()), 1e-3, 1e-5);
    }
    const gw = tf.grad((w: tf.Tensor) => unpgLoss(labels, emb, { classWeightsMatrix: w, scale: 8 }))(tf.tensor(W));
    expectClose(values(gw), numericGradient((f) => mean(reference(labels, emb, chunk(f, 3), { s: 8 })), W.flat()), 1e-3, 1e-5);
  });

  it('drops the outlying negative similarities and only those; without negative pairs it is CosFace', () => {
    // Six samples of three classes; the pair (0, 5) is nearly identical (similarity ≈ 1), far above the rest.
    const emb = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0.1, 0.1, 1], [1, 0.1, 0.05], [1, 0.01, 0]];
    const labels = [0, 1, 2, 2, 0, 1];
    const W = I3;
    const x = emb.map(unit);
    const neg: number[] = [];
    for (let i = 0; i < 6; i++) for (let j = i + 1; j < 6; j++) if (labels[i] !== labels[j]) neg.push(dot(x[i]!, x[j]!));
    const mask = boxAndWhiskerMask(neg, 0.5);
    expect(mask.filter((k) => !k).length).toBeGreaterThan(0);
    expectClose(values(unpgLoss(labels, emb, { classWeightsMatrix: W, wisk: 0.5, reduction: 'none' })), reference(labels, emb, W, { wisk: 0.5 }), 1e-5, 1e-5);
    // A huge whisker keeps everything; more kept negatives can only raise each loss.
    const all = values(unpgLoss(labels, emb, { classWeightsMatrix: W, wisk: 1e6, reduction: 'none' }));
    const filtered = values(unpgLoss(labels, emb, { classWeightsMatrix: W, wisk: 0.5, reduction: 'none' }));
    for (const [i, v] of all.entries()) expect(v).toBeGreaterThanOrEqual(filtered[i]! - 1e-5);
    // One class: no negative pair, plain CosFace.
    expectClose(unpgLoss([1, 1, 1], emb.slice(0, 3), { classWeightsMatrix: W }).dataSync()[0]!, cosFaceLoss([1, 1, 1], emb.slice(0, 3), { classWeightsMatrix: W }).dataSync()[0]!, 1e-6);
    expectClose(unpgLoss([2], [emb[0]!], { classWeightsMatrix: W }).dataSync()[0]!, cosFaceLoss([2], [emb[0]!], { classWeightsMatrix: W }).dataSync()[0]!, 1e-6);
  });

  it('boxAndWhiskerMask uses the index quartiles sorted[⌊L/4⌋], sorted[⌊3L/4⌋]', () => {
    expect(boxAndWhiskerMask([0, 0, 0.36, 0.6, 0.6, 5], 1.5)).toEqual([true, true, true, true, true, false]);
    expect(boxAndWhiskerMask([5, -5, 1, 2, 3], 0)).toEqual([false, false, true, true, true]);
    expect(boxAndWhiskerMask([], 1)).toEqual([]);
    expect(boxAndWhiskerMask([0.3])).toEqual([true]);
  });

  it('stays finite, in value and gradient, for identical embeddings, embeddings on their class column and zero rows', () => {
    const cases: [number[], number[][]][] = [
      [[0, 1, 2], [[1, 1, 1], [1, 1, 1], [1, 1, 1]]],
      [[0, 1, 2], I3],
      [[0, 1, 2], [[0, 0, 0], [0, 1, 0], [-1, 0, 0]]],
    ];
    for (const [labels, emb] of cases) {
      for (const head of ['cosFace', 'arcFace'] as const) {
        expectFinite(unpgLoss(labels, emb, { classWeightsMatrix: I3, head, reduction: 'none' }));
        expectFinite(tf.grad((z: tf.Tensor) => unpgLoss(labels, z, { classWeightsMatrix: I3, head }))(tf.tensor(emb)));
      }
    }
  });

  it("reduces by 'mean', 'sum', 'none', 'meanNonZero', and takes weighted means", () => {
    const none = values(unpgLoss(LABELS, EMB, { classWeightsMatrix: I3, reduction: 'none' }));
    expectClose(none, reference(LABELS, EMB, I3), 1e-5);
    expectClose(unpgLoss(LABELS, EMB, { classWeightsMatrix: I3, reduction: 'sum' }).dataSync()[0]!, none.reduce((a, b) => a + b, 0), 1e-6);
    expectClose(unpgLoss(LABELS, EMB, { classWeightsMatrix: I3, reduction: 'meanNonZero' }).dataSync()[0]!, mean(none), 1e-6);
    const w = [1, 0, 2, 1];
    expectClose(unpgLoss(LABELS, EMB, { classWeightsMatrix: I3, weights: w }).dataSync()[0]!, (none[0]! + 2 * none[2]! + none[3]!) / 4, 1e-6);
    expectClose(unpgLoss(LABELS, EMB, { classWeightsMatrix: I3, weights: [1, 1, 1, 1] }).dataSync()[0]!, mean(none), 1e-6);
  });

  it('is invariant to the scale of the embeddings and of the class weights', () => {
    const big = EMB.map((v) => v.map((x) => 7 * x));
    expectClose(unpgLoss(LABELS, big, { classWeightsMatrix: I3.map((v) => v.map((x) => 3 * x)) }).dataSync()[0]!, 5.388503, 2e-6);
  });

  it('leaks no tensors', () => {
    const e = tf.tensor(EMB);
    const w = tf.tensor(I3);
    expect(leakedTensors(() => unpgLoss(LABELS, e, { classWeightsMatrix: w, head: 'arcFace', weights: [1, 2, 3, 4] }))).toBe(0);
    expect(leakedTensors(() => tf.grad((z: tf.Tensor) => unpgLoss(LABELS, z, { classWeightsMatrix: w }))(e))).toBe(0);
    tf.dispose([e, w]);
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    const o = { classWeightsMatrix: I3 };
    expect(() => unpgLoss([0, 1], EMB, o)).toThrow('unpgLoss: expected `labels` and `embeddings` to have the same number of rows, got [2] and [4,3]');
    expect(() => unpgLoss([0, 0, 1, 3], EMB, o)).toThrow('unpgLoss: expected every value of `labels` to be an integer class index in [0, 2], got 3 at index 3');
    expect(() => unpgLoss(LABELS, EMB)).toThrow('unpgLoss: expected `classWeightsMatrix` to be given: a [D, numClasses] matrix, D = 3, got undefined');
    expect(() => unpgLoss(LABELS, EMB, { classWeightsMatrix: [[1, 0], [0, 1]] })).toThrow(
      'unpgLoss: expected `classWeightsMatrix` to have one row per embedding dimension and at least one column, [3, numClasses], got shape [2,2]',
    );
    expect(() => unpgLoss(LABELS, EMB, { ...o, wisk: -1 })).toThrow('unpgLoss: expected `wisk` to be a finite number >= 0, got -1 (number)');
    expect(() => unpgLoss(LABELS, EMB, { ...o, scale: 0 })).toThrow('unpgLoss: expected `scale` to be a finite number > 0, got 0 (number)');
    expect(() => unpgLoss(LABELS, EMB, { ...o, head: 'sphereFace' as never })).toThrow("unpgLoss: expected `head` to be one of 'cosFace' | 'arcFace', got \"sphereFace\" (string)");
    expect(() => unpgLoss(LABELS, EMB, { ...o, head: 'arcFace', margin: 200 })).toThrow("unpgLoss: expected `margin` to be an angle in degrees >= 0 and < 180 with head 'arcFace', got 200 (number)");
    expect(() => unpgLoss(LABELS, EMB, { ...o, whisker: 1 } as never)).toThrow(/^unpgLoss: expected each option to be one of classWeightsMatrix, head, margin, scale, wisk, reduction, weights, got `whisker`$/);
    expect(() => unpgLoss(LABELS, EMB, { ...o, reduction: 'avg' as never })).toThrow("unpgLoss: expected `reduction` to be one of 'mean' | 'sum' | 'none' | 'meanNonZero', got \"avg\" (string)");
    expect(() => boxAndWhiskerMask([1, 2], -1)).toThrow('boxAndWhiskerMask: expected `wisk` to be a finite number >= 0, got -1 (number)');
  });
});
