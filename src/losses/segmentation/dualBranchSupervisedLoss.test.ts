import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, rng, values } from '../../../test/helpers.js';
import { diceCrossEntropyLoss } from './diceCrossEntropyLoss.js';
import { dualBranchSupervisedLoss } from './dualBranchSupervisedLoss.js';

// Float64 reference of one branch from the formulas (softmax probabilities [H][W][C], integer
// masks [H][W]), sharing nothing with the loss: mean pixel cross-entropy + mean over classes of
// the soft Dice loss, smoothing 1e-5, probabilities clipped to [1e-7, 1] inside the log.
type Probs = number[][][];

function branchReference(mask: number[][], probs: Probs, o: { dice: number; ce: number; includeBackground?: boolean }): number {
  const c = probs[0]![0]!.length;
  let ce = 0;
  let pixels = 0;
  const inter = new Array<number>(c).fill(0);
  const sumP = new Array<number>(c).fill(0);
  const sumY = new Array<number>(c).fill(0);
  mask.forEach((row, i) => {
    row.forEach((label, j) => {
      const p = probs[i]![j]!;
      ce -= Math.log(Math.min(Math.max(p[label]!, 1e-7), 1));
      pixels++;
      p.forEach((v, k) => {
        sumP[k]! += v;
        if (k === label) {
          inter[k]! += v;
          sumY[k]! += 1;
        }
      });
    });
  });
  const first = o.includeBackground === false ? 1 : 0;
  let dice = 0;
  for (let k = first; k < c; k++) dice += 1 - (2 * inter[k]! + 1e-5) / (sumP[k]! + sumY[k]! + 1e-5);
  return o.ce * (ce / pixels) + o.dice * (dice / (c - first));
}

function softmaxMaps(r: () => number, n: number, h: number, w: number, c: number, scale = 2): Probs[] {
  return Array.from({ length: n }, () =>
    Array.from({ length: h }, () =>
      Array.from({ length: w }, () => {
        const z = Array.from({ length: c }, () => scale * (2 * r() - 1));
        const m = Math.max(...z);
        const e = z.map((v) => Math.exp(v - m));
        const s = e.reduce((a, b) => a + b, 0);
        return e.map((v) => v / s);
      }),
    ),
  );
}

const masks = (r: () => number, n: number, h: number, w: number, c: number) => Array.from({ length: n }, () => Array.from({ length: h }, () => Array.from({ length: w }, () => Math.floor(r() * c))));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Branch A: background, PZ, TZ; branch B: background, DPU, AFS, another class. */
function zones(seed: number) {
  const r = rng(seed);
  return { yA: masks(r, 2, 4, 5, 3), yB: masks(r, 2, 4, 5, 4), pA: softmaxMaps(r, 2, 4, 5, 3), pB: softmaxMaps(r, 2, 4, 5, 4) };
}

describe('dualBranchSupervisedLoss(yA, yB, pA, pB, options)', () => {
  it('matches the float64 reference: Dice + cross-entropy of each branch on its own classes, summed', () => {
    const { yA, yB, pA, pB } = zones(1);
    for (const o of [{ dice: 1, ce: 1 }, { dice: 0.3, ce: 2 }, { dice: 1, ce: 0 }, { dice: 1, ce: 1, includeBackground: false }]) {
      const expected = yA.map((_, n) => branchReference(yA[n]!, pA[n]!, o) + branchReference(yB[n]!, pB[n]!, o));
      expectClose(values(dualBranchSupervisedLoss(yA, yB, pA, pB, { ...o, reduction: 'none' })), expected, 1e-5);
    }
  });

  it('is diceCrossEntropyLoss on each branch, added, in every mode', () => {
    const { yA, yB, pA, pB } = zones(2);
    const sum = (a: tf.Tensor, b: tf.Tensor) => values(a).map((v, i) => v + values(b)[i]!);
    expectClose(values(dualBranchSupervisedLoss(yA, yB, pA, pB, { reduction: 'none' })), sum(diceCrossEntropyLoss(yA, pA, { mode: 'multiclass', reduction: 'none' }), diceCrossEntropyLoss(yB, pB, { mode: 'multiclass', reduction: 'none' })), 1e-6);
    // Binary branches (one structure each), from logits.
    const r = rng(3);
    const bin = (n: number) => Array.from({ length: n }, () => Array.from({ length: 4 }, () => Array.from({ length: 4 }, () => (r() < 0.4 ? 1 : 0))));
    const logits = (n: number) => Array.from({ length: n }, () => Array.from({ length: 4 }, () => Array.from({ length: 4 }, () => 4 * r() - 2)));
    const [ya, yb, za, zb] = [bin(2), bin(2), logits(2), logits(2)];
    const o = { mode: 'binary' as const, fromLogits: true, reduction: 'none' as const };
    expectClose(values(dualBranchSupervisedLoss(ya, yb, za, zb, o)), sum(diceCrossEntropyLoss(ya, za, o), diceCrossEntropyLoss(yb, zb, o)), 1e-6);
    // Statistics over the whole batch: one value.
    const batch = dualBranchSupervisedLoss(yA, yB, pA, pB, { aggregate: 'batch', reduction: 'none' });
    expect(batch.shape).toEqual([1]);
    expectClose(values(batch), sum(diceCrossEntropyLoss(yA, pA, { mode: 'multiclass', aggregate: 'batch', reduction: 'none' }), diceCrossEntropyLoss(yB, pB, { mode: 'multiclass', aggregate: 'batch', reduction: 'none' })), 1e-6);
  });

  it('has the gradient of the float64 reference (finite differences) in both branches', () => {
    const { yA, yB, pA, pB } = zones(4);
    const o = { dice: 0.7, ce: 1.3 };
    const total = (a: Probs[], b: Probs[]) => mean(yA.map((_, n) => branchReference(yA[n]!, a[n]!, o) + branchReference(yB[n]!, b[n]!, o)));
    const reshape = (v: number[], c: number): Probs[] => Array.from({ length: 2 }, (_, n) => Array.from({ length: 4 }, (_, i) => Array.from({ length: 5 }, (_, j) => v.slice(((n * 4 + i) * 5 + j) * c, ((n * 4 + i) * 5 + j + 1) * c))));
    const [ga, gb] = tf.grads((a: tf.Tensor, b: tf.Tensor) => dualBranchSupervisedLoss(yA, yB, a, b, o))([tf.tensor(pA), tf.tensor(pB)]);
    expectClose(values(ga!), numericGradient((v) => total(reshape(v, 3), pB), pA.flat(3)), 1e-3, 1e-6);
    expectClose(values(gb!), numericGradient((v) => total(pA, reshape(v, 4)), pB.flat(3)), 1e-3, 1e-6);
  });

  it('stays finite, in value and gradient, at logits of ±1e4 and with a class missing from a branch', () => {
    const { yA, yB } = zones(5);
    const z = (c: number) => tf.tensor(yA.map((img) => img.map((row) => row.map((_, j) => Array.from({ length: c }, (_, k) => ((j + k) % 2 ? 1e4 : -1e4))))));
    const o = { fromLogits: true };
    expectFinite(dualBranchSupervisedLoss(yA, yB, z(3), z(4), o));
    for (const g of tf.grads((a: tf.Tensor, b: tf.Tensor) => dualBranchSupervisedLoss(yA, yB, a, b, o))([z(3), z(4)])) expectFinite(g);
    const empty = yB.map((img) => img.map((row) => row.map(() => 0)));
    const { pA, pB } = zones(6);
    expectFinite(dualBranchSupervisedLoss(yA, empty, pA, pB));
  });

  it("reduces by 'mean' (default), 'sum' and 'none', and weighs images", () => {
    const { yA, yB, pA, pB } = zones(7);
    const none = values(dualBranchSupervisedLoss(yA, yB, pA, pB, { reduction: 'none' }));
    expect(none).toHaveLength(2);
    expectClose(dualBranchSupervisedLoss(yA, yB, pA, pB).dataSync()[0]!, mean(none), 1e-6);
    expectClose(dualBranchSupervisedLoss(yA, yB, pA, pB, { reduction: 'sum' }).dataSync()[0]!, none[0]! + none[1]!, 1e-6);
    expectClose(dualBranchSupervisedLoss(yA, yB, pA, pB, { weights: [1, 3] }).dataSync()[0]!, (none[0]! + 3 * none[1]!) / 4, 1e-6);
  });

  it('leaks no tensors', () => {
    const { yA, yB, pA, pB } = zones(8);
    const a = tf.tensor(pA);
    const b = tf.tensor(pB);
    expect(leakedTensors(() => dualBranchSupervisedLoss(yA, yB, a, b, { weights: [1, 2] }))).toBe(0);
    expect(leakedTensors(() => tf.grads((x: tf.Tensor, y: tf.Tensor) => dualBranchSupervisedLoss(yA, yB, x, y))([a, b]))).toBe(0);
    a.dispose();
    b.dispose();
  });

  it('rejects bad input with a message naming the loss and the branch argument, the rule and the value', () => {
    const { yA, yB, pA, pB } = zones(9);
    expect(() => dualBranchSupervisedLoss(yA, yB.slice(0, 1), pA, pB.slice(0, 1))).toThrow('dualBranchSupervisedLoss: expected `pA` and `pB` to cover the same images (the same shape but for the channels), got [2,4,5,3] and [1,4,5,4]');
    const bad = yB.map((img) => img.map((row) => row.map((v) => v + 4)));
    expect(() => dualBranchSupervisedLoss(yA, bad, pA, pB)).toThrow(/^dualBranchSupervisedLoss: expected every value of `yB` to be an integer class index in \[0, 3\], got \d+ at index 0$/);
    expect(() => dualBranchSupervisedLoss(yA.slice(0, 1), yB, pA, pB)).toThrow(/^dualBranchSupervisedLoss: expected `yA` to be an integer mask \[2,4,5\] or one-hot of pA's shape \[2,4,5,3\] in multiclass mode, got shape \[1,4,5\]$/);
    expect(() => dualBranchSupervisedLoss(yA, yB, pA[0]!, pB)).toThrow('dualBranchSupervisedLoss: expected `pA` to have shape [N,H,W,C] or [N,D,H,W,C] in multiclass mode, got shape [4,5,3]');
    expect(() => dualBranchSupervisedLoss(yA, yB, pA, pB, { dice: -1 })).toThrow('dualBranchSupervisedLoss: expected `dice` to be a finite number >= 0, got -1 (number)');
    expect(() => dualBranchSupervisedLoss(yA, yB, pA, pB, { lambdaDice: 1 } as never)).toThrow(
      'dualBranchSupervisedLoss: expected each option to be one of mode, fromLogits, aggregate, includeBackground, smoothNumerator, smoothDenominator, dice, ce, reduction, weights, got `lambdaDice`',
    );
  });
});
