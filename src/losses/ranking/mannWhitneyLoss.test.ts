import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, normals, numericGradient, rng, values } from '../../../test/helpers.js';
import { type MannWhitneyLossOptions, mannWhitneyLoss } from './mannWhitneyLoss.js';

// Float64 reference written from the formula of papers-A §42, sharing nothing with the loss:
// a double loop over all pairs (i positive, j negative, same group).
const softplus = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
/** Per-group mean pair loss and pair count, groups in ascending order of id. */
function reference(y: number[], s: number[], groups?: number[], scale = 1, ew?: number[]): { loss: number[]; pairs: number[] } {
  const g = groups ?? y.map(() => 0);
  const ids = [...new Set(g)].sort((a, b) => a - b);
  const loss: number[] = [];
  const pairs: number[] = [];
  for (const id of ids) {
    const members = y.flatMap((_, i) => (g[i] === id ? [i] : []));
    let sum = 0;
    let count = 0;
    for (const i of members) {
      for (const j of members) {
        if (y[i] === 1 && y[j] === 0) {
          const w = ew === undefined ? 1 : ew[i]! * ew[j]!;
          sum += w * softplus(-scale * (s[i]! - s[j]!));
          count += w;
        }
      }
    }
    loss.push(count > 0 ? sum / count : 0);
    pairs.push(count);
  }
  return { loss, pairs };
}
/** 'mean': the (weighted) mean over groups that have pairs. */
function referenceMean(y: number[], s: number[], groups?: number[], scale = 1, w?: number[], ew?: number[]): number {
  const { loss, pairs } = reference(y, s, groups, scale, ew);
  let num = 0;
  let den = 0;
  loss.forEach((l, k) => {
    if (pairs[k]! > 0) {
      num += (w?.[k] ?? 1) * l;
      den += w?.[k] ?? 1;
    }
  });
  return den > 0 ? num / den : 0;
}
/** Area over the ROC curve per the indicator 1[s_p <= s_n] (ties count as errors), over the group's pairs. */
function areaOverCurve(y: number[], s: number[], g: number[], id: number): number {
  let errors = 0;
  let count = 0;
  for (let i = 0; i < y.length; i++) {
    for (let j = 0; j < y.length; j++) {
      if (g[i] === id && g[j] === id && y[i] === 1 && y[j] === 0) {
        errors += s[i]! <= s[j]! ? 1 : 0;
        count++;
      }
    }
  }
  return errors / count;
}
const scalar = (t: tf.Tensor) => t.dataSync()[0] as number;
const randomLabels = (r: () => number, n: number, rate: number) => Array.from({ length: n }, () => (r() < rate ? 1 : 0));

const S = [[0.9, 0.2, 0.4], [0.3, 0.7, 0.8], [0.1, 0, 0.5]];
const EYE = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];

describe('mannWhitneyLoss(yTrue, scores, options)', () => {
  it('reproduces the spec values (papers-A A.9): global 0.524237, per query 0.520295', () => {
    expectClose(scalar(mannWhitneyLoss(EYE, S)), 0.524237, 0, 1e-6);
    expectClose(scalar(mannWhitneyLoss(EYE, S, { groups: [0, 1, 2] })), 0.520295, 0, 1e-6);
    expectClose(scalar(mannWhitneyLoss(EYE, S, { groups: [[0, 0, 0], [1, 1, 1], [2, 2, 2]] })), 0.520295, 0, 1e-6);
    expectClose(scalar(mannWhitneyLoss(EYE.flat(), S.flat(), { groups: [0, 0, 0, 1, 1, 1, 2, 2, 2] })), 0.520295, 0, 1e-6);
    expectClose(scalar(mannWhitneyLoss(EYE.flat(), S.flat())), 0.524237, 0, 1e-6);
  });

  it('matches the float64 reference on random inputs: global, grouped, scale, per-group values', () => {
    const r = rng(42);
    const n = 60;
    const y = randomLabels(r, n, 0.3);
    const s = normals(r, n).map((v) => 2 * v);
    const groups = Array.from({ length: n }, () => Math.floor(r() * 5) - 2);
    for (const scale of [1, 2.5]) {
      expectClose(scalar(mannWhitneyLoss(y, s, { scale })), referenceMean(y, s, undefined, scale), 1e-5, 1e-7);
      expectClose(values(mannWhitneyLoss(y, s, { scale, reduction: 'none' })), reference(y, s, undefined, scale).loss, 1e-5, 1e-7);
      expectClose(scalar(mannWhitneyLoss(y, s, { scale, groups })), referenceMean(y, s, groups, scale), 1e-5, 1e-7);
      expectClose(values(mannWhitneyLoss(y, s, { scale, groups, reduction: 'none' })), reference(y, s, groups, scale).loss, 1e-5, 1e-7);
    }
  });

  it('has the gradient of the float64 reference (finite differences), global and grouped, weighted', () => {
    const r = rng(43);
    const n = 10;
    const y = [1, 0, 0, 1, 0, 1, 0, 0, 1, 0];
    const groups = [0, 0, 1, 1, 1, 2, 2, 0, 2, 1];
    const s = normals(r, n);
    const w = [0.5, 2, 1];
    const ew = Array.from({ length: n }, () => 0.2 + 2 * r());
    const cases: [MannWhitneyLossOptions, (x: number[]) => number][] = [
      [{}, (x) => referenceMean(y, x)],
      [{ scale: 3 }, (x) => referenceMean(y, x, undefined, 3)],
      [{ groups }, (x) => referenceMean(y, x, groups)],
      [{ groups, weights: w, scale: 0.5 }, (x) => referenceMean(y, x, groups, 0.5, w)],
      [{ groups, reduction: 'sum' }, (x) => reference(y, x, groups).loss.reduce((a, b) => a + b, 0)],
      [{ weights: ew }, (x) => referenceMean(y, x, undefined, 1, undefined, ew)],
      [{ groups, weights: ew, scale: 2 }, (x) => referenceMean(y, x, groups, 2, undefined, ew)],
    ];
    for (const [o, f] of cases) {
      const g = tf.grad((x: tf.Tensor) => mannWhitneyLoss(y, x, o))(tf.tensor(s));
      expectClose(values(g), numericGradient(f, s), 1e-4, 1e-7);
    }
  });

  it('has the per-pair gradient −c·σ(−c(s_p − s_n)) of papers-A §42, averaged over pairs', () => {
    const y = [1, 0, 1, 0, 0];
    const s = [0.3, 0.9, -0.2, 0.1, -1];
    const c = 1.7;
    const pairs = 2 * 3;
    const expected = s.map((si, i) => {
      let g = 0;
      s.forEach((sj, j) => {
        if (y[i] === 1 && y[j] === 0) g -= c * sigmoid(-c * (si - sj));
        if (y[i] === 0 && y[j] === 1) g += c * sigmoid(-c * (sj - si));
      });
      return g / pairs;
    });
    expectClose(values(tf.grad((x: tf.Tensor) => mannWhitneyLoss(y, x, { scale: c }))(tf.tensor(s))), expected, 1e-5, 1e-8);
  });

  it('bounds the area over the ROC curve: AoC <= loss / ln 2 (scale 1), globally and per group', () => {
    for (let seed = 0; seed < 20; seed++) {
      const r = rng(100 + seed);
      const n = 30;
      const y = randomLabels(r, n, 0.4);
      y[0] = 1;
      y[1] = 0;
      // Coarse scores so that ties occur; the bound holds for them too (softplus(0) / ln 2 = 1).
      const s = normals(r, n).map((v) => Math.round(v * (1 + seed % 3) * 2) / 2);
      const aoc = areaOverCurve(y, s, y.map(() => 0), 0);
      const loss = scalar(mannWhitneyLoss(y, s));
      expect(aoc).toBeLessThanOrEqual(loss / Math.LN2 + 1e-6);
      const groups = s.map((_, i) => i % 3);
      const perGroup = values(mannWhitneyLoss(y, s, { groups, reduction: 'none' }));
      const { pairs } = reference(y, s, groups);
      perGroup.forEach((l, g) => {
        if (pairs[g]! > 0) expect(areaOverCurve(y, s, groups, g)).toBeLessThanOrEqual(l / Math.LN2 + 1e-6);
      });
    }
  });

  it('is invariant to a common shift of all scores and to the order of the samples; separation drives it to 0', () => {
    const r = rng(44);
    const y = randomLabels(r, 20, 0.5);
    const s = normals(r, 20);
    const base = scalar(mannWhitneyLoss(y, s));
    expectClose(scalar(mannWhitneyLoss(y, s.map((v) => v + 7))), base, 1e-5, 1e-7);
    const order = s.map((_, i) => (i * 7) % 20);
    expectClose(scalar(mannWhitneyLoss(order.map((i) => y[i]!), order.map((i) => s[i]!))), base, 1e-6, 1e-7);
    const separated = y.map((v) => (v === 1 ? 20 : -20));
    expect(scalar(mannWhitneyLoss(y, separated))).toBeLessThan(1e-15);
    const reversed = y.map((v) => (v === 1 ? -1 : 1));
    expectClose(scalar(mannWhitneyLoss(y, reversed)), softplus(2), 1e-6, 0);
    expectClose(scalar(mannWhitneyLoss(y, s.map(() => 0.3))), Math.LN2, 1e-6, 0);
  });

  it('equals the global loss with one group for everything; each query as a group equals the loss of its row alone', () => {
    const r = rng(45);
    const q = 4;
    const d = 6;
    const scores = Array.from({ length: q }, () => normals(r, d));
    const mask = scores.map((row, i) => row.map((_, j) => (j === i || j === (i + 2) % d ? 1 : 0)));
    expectClose(scalar(mannWhitneyLoss(mask, scores, { groups: [7, 7, 7, 7] })), scalar(mannWhitneyLoss(mask, scores)), 1e-6, 0);
    const perQuery = values(mannWhitneyLoss(mask, scores, { groups: [0, 1, 2, 3], reduction: 'none' }));
    expect(perQuery.length).toBe(q);
    perQuery.forEach((l, i) => {
      expectClose(l, scalar(mannWhitneyLoss(mask[i]!, scores[i]!)), 1e-6, 0);
    });
  });

  it('orders the per-group values by ascending group id, for any integer ids', () => {
    const y = [1, 0, 1, 0, 1, 0];
    const s = [0.5, 0.1, -0.3, 0.4, 2, -1];
    const none = values(mannWhitneyLoss(y, s, { groups: [9, 9, -4, -4, 3, 3], reduction: 'none' }));
    expectClose(none, [softplus(-(-0.3 - 0.4)), softplus(-(2 + 1)), softplus(-(0.5 - 0.1))], 1e-6, 1e-8);
  });

  it('gives 0 with zero gradient to a group (or batch) without a positive or a negative and leaves it out of the mean', () => {
    const s = tf.tensor([0.5, 0.1, -0.3, 0.4, 2]);
    for (const y of [[0, 0, 0, 0, 0], [1, 1, 1, 1, 1]]) {
      const none = mannWhitneyLoss(y, s, { reduction: 'none' });
      expect(none.shape).toEqual([1]);
      expect(scalar(none)).toBe(0);
      expect(scalar(mannWhitneyLoss(y, s))).toBe(0);
      expect(scalar(mannWhitneyLoss(y, s, { reduction: 'sum' }))).toBe(0);
      expect(scalar(mannWhitneyLoss(y, s, { groups: [0, 1, 0, 1, 2] }))).toBe(0);
      for (const o of [{}, { groups: [0, 1, 0, 1, 2] }]) {
        const g = values(tf.grad((x: tf.Tensor) => mannWhitneyLoss(y, x, o))(s));
        expect(g.every((v) => v === 0)).toBe(true);
      }
    }
    // Group 2 has a positive only: value 0, no gradient, out of the mean.
    const y = [1, 0, 0, 1, 1];
    const groups = [0, 0, 1, 1, 2];
    const none = values(mannWhitneyLoss(y, s, { groups, reduction: 'none' }));
    expect(none[2]).toBe(0);
    expectClose(scalar(mannWhitneyLoss(y, s, { groups })), (none[0]! + none[1]!) / 2, 1e-6, 0);
    expectClose(scalar(mannWhitneyLoss(y, s, { groups, reduction: 'sum' })), none[0]! + none[1]!, 1e-6, 0);
    const g = values(tf.grad((x: tf.Tensor) => mannWhitneyLoss(y, x, { groups }))(s));
    expect(g[4]).toBe(0);
    expect(Math.abs(g[0]!)).toBeGreaterThan(0);
  });

  it("reduces by 'mean' (default), 'sum' and 'none' over groups, and weighs groups with `weights`", () => {
    const y = [1, 0, 0, 1, 0, 1, 0, 0];
    const s = [0.2, 0.5, -0.1, 1.1, 0.4, -0.6, 0.3, 0.9];
    const groups = [0, 0, 0, 1, 1, 2, 2, 2];
    const none = values(mannWhitneyLoss(y, s, { groups, reduction: 'none' }));
    expect(none.length).toBe(3);
    expectClose(scalar(mannWhitneyLoss(y, s, { groups })), (none[0]! + none[1]! + none[2]!) / 3, 1e-6, 0);
    expectClose(scalar(mannWhitneyLoss(y, s, { groups, reduction: 'sum' })), none[0]! + none[1]! + none[2]!, 1e-6, 0);
    const w = [1, 2, 0.5];
    expectClose(scalar(mannWhitneyLoss(y, s, { groups, weights: w })), (none[0]! + 2 * none[1]! + 0.5 * none[2]!) / 3.5, 1e-6, 0);
    expectClose(values(mannWhitneyLoss(y, s, { groups, weights: w, reduction: 'none' })), none.map((l, k) => l * w[k]!), 1e-6, 0);
    expectClose(scalar(mannWhitneyLoss(y, s, { groups, weights: [1, 1, 1] })), scalar(mannWhitneyLoss(y, s, { groups })), 1e-7, 0);
    expectClose(scalar(mannWhitneyLoss(y, s, { weights: [1] })), scalar(mannWhitneyLoss(y, s)), 0, 0);
    expectClose(scalar(mannWhitneyLoss(y, s)), scalar(mannWhitneyLoss(y, s, { scale: 1, reduction: 'mean' })), 0, 0);
  });

  it('weighs pairs by w_p·w_n with per-element weights: integer weights equal repeated samples, ones change nothing', () => {
    const y = [1, 0, 0, 1, 0, 1, 0, 0];
    const s = [0.2, 0.5, -0.1, 1.1, 0.4, -0.6, 0.3, 0.9];
    const groups = [0, 0, 0, 1, 1, 2, 2, 2];
    const w = [2, 1, 3, 1, 2, 1, 1, 2];
    const rep = (xs: number[]) => xs.flatMap((x, i) => Array<number>(w[i]!).fill(x));
    expectClose(scalar(mannWhitneyLoss(y, s, { weights: w })), scalar(mannWhitneyLoss(rep(y), rep(s))), 1e-6, 0);
    expectClose(values(mannWhitneyLoss(y, s, { groups, weights: w, reduction: 'none' })), values(mannWhitneyLoss(rep(y), rep(s), { groups: rep(groups), reduction: 'none' })), 1e-6, 0);
    const r = rng(47);
    const ew = Array.from({ length: 8 }, () => r());
    expectClose(scalar(mannWhitneyLoss(y, s, { groups, weights: ew, scale: 1.5 })), referenceMean(y, s, groups, 1.5, undefined, ew), 1e-5, 1e-7);
    expectClose(scalar(mannWhitneyLoss(y, s, { weights: ew })), referenceMean(y, s, undefined, 1, undefined, ew), 1e-5, 1e-7);
    expectClose(scalar(mannWhitneyLoss(y, s, { weights: new Array<number>(8).fill(1) })), scalar(mannWhitneyLoss(y, s)), 1e-7, 0);
    expectClose(scalar(mannWhitneyLoss(y, s, { groups, weights: tf.ones([8, 1]) })), scalar(mannWhitneyLoss(y, s, { groups })), 1e-7, 0);
    // [Q, D] scores take [Q, D] element weights; a group whose positives all weigh 0 leaves the mean.
    const wz = [1, 1, 1, 0, 1, 1, 1, 1];
    const none = values(mannWhitneyLoss(y, s, { groups, weights: wz, reduction: 'none' }));
    expect(none[1]).toBe(0);
    expectClose(scalar(mannWhitneyLoss(y, s, { groups, weights: wz })), (none[0]! + none[2]!) / 2, 1e-6, 0);
    expectClose(scalar(mannWhitneyLoss(EYE, S, { weights: [[1, 1, 1], [1, 1, 1], [1, 1, 1]] })), 0.524237, 0, 1e-6);
    expectClose(scalar(mannWhitneyLoss(y, s, { weights: new Array<number>(8).fill(0) })), 0, 0, 0);
  });

  it('accepts [N] labels against [N, 1] scores and int32 / boolean label tensors', () => {
    const y = [1, 0, 0, 1, 0];
    const s = [0.2, 0.5, -0.1, 1.1, 0.4];
    const base = scalar(mannWhitneyLoss(y, s));
    expectClose(scalar(mannWhitneyLoss(y, s.map((v) => [v]))), base, 0, 0);
    expectClose(scalar(mannWhitneyLoss(tf.tensor(y, [5], 'int32'), s)), base, 0, 0);
    expectClose(scalar(mannWhitneyLoss(tf.tensor(y.map(Boolean), [5], 'bool'), s)), base, 0, 0);
  });

  it('builds pairs over positives and negatives only: a large imbalanced batch stays cheap', () => {
    const r = rng(46);
    const n = 20000;
    const y = new Array<number>(n).fill(0);
    for (const i of [3, 500, 7000, 12345, 19999]) y[i] = 1;
    const s = normals(r, n);
    // The reference loops over positives × negatives per group (the N × N loop would take minutes).
    const pairMean = (keep: (i: number) => boolean) => {
      const pos = y.flatMap((v, i) => (v === 1 && keep(i) ? [s[i]!] : []));
      const neg = y.flatMap((v, i) => (v === 0 && keep(i) ? [s[i]!] : []));
      let sum = 0;
      for (const p of pos) for (const q of neg) sum += softplus(-(p - q));
      return sum / (pos.length * neg.length);
    };
    expectClose(scalar(mannWhitneyLoss(y, s)), pairMean(() => true), 1e-5, 0);
    const grouped = (pairMean((i) => i % 2 === 0) + pairMean((i) => i % 2 === 1)) / 2;
    expectClose(scalar(mannWhitneyLoss(y, s, { groups: y.map((_, i) => i % 2) })), grouped, 1e-5, 0);
  });

  it('stays finite, in value and gradient, at scores of ±1e4 and all-equal scores', () => {
    const y = [1, 0, 1, 0];
    const groups = [0, 0, 1, 1];
    for (const xs of [[1e4, -1e4, -1e4, 1e4], [-1e4, 1e4, 1e4, -1e4], [5, 5, 5, 5]]) {
      const x = tf.tensor(xs);
      for (const o of [{}, { groups }, { scale: 30 }]) {
        expectFinite(mannWhitneyLoss(y, x, o));
        expectFinite(tf.grad((z: tf.Tensor) => mannWhitneyLoss(y, z, o))(x));
      }
    }
    expectClose(scalar(mannWhitneyLoss(y, [-1e4, 1e4, -1e4, 1e4])), 2e4, 1e-6, 0);
    expectClose(scalar(mannWhitneyLoss(y, [1e4, -1e4, 1e4, -1e4])), 0, 0, 0);
  });

  it('leaks no tensors', () => {
    const y = tf.tensor([1, 0, 0, 1, 0, 1]);
    const s = tf.tensor([0.2, 0.5, -0.1, 1.1, 0.4, -0.6]);
    for (const o of [{}, { groups: [0, 0, 1, 1, 2, 2], weights: [1, 2, 3] }, { groups: [0, 0, 0, 0, 0, 1] }, { weights: [1, 2, 1, 0.5, 1, 1] }, { groups: [0, 0, 1, 1, 2, 2], weights: [1, 2, 1, 0.5, 1, 1] }]) {
      expect(leakedTensors(() => mannWhitneyLoss(y, s, o))).toBe(0);
      expect(leakedTensors(() => tf.grad((x: tf.Tensor) => mannWhitneyLoss(y, x, o))(s))).toBe(0);
    }
    expect(leakedTensors(() => mannWhitneyLoss([0, 0, 0, 0, 0, 0], s))).toBe(0);
    expect(leakedTensors(() => tf.grad((x: tf.Tensor) => mannWhitneyLoss([0, 0, 0, 0, 0, 0], x, { groups: [0, 0, 1, 1, 2, 2] }))(s))).toBe(0);
    y.dispose();
    s.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => mannWhitneyLoss([1, 0, 1], [0.1, 0.2, 0.3, 0.4])).toThrow('mannWhitneyLoss: expected `yTrue` and `scores` to have the same shape, got [3] and [4]');
    expect(() => mannWhitneyLoss(EYE, [[0.1, 0.2, 0.3]])).toThrow('mannWhitneyLoss: expected `yTrue` and `scores` to have the same shape, got [3,3] and [1,3]');
    expect(() => mannWhitneyLoss([[[1]]], [[[0.5]]])).toThrow('mannWhitneyLoss: expected `scores` to have rank 1 or 2, got shape [1,1,1]');
    expect(() => mannWhitneyLoss([], [])).toThrow('mannWhitneyLoss: expected `scores` to hold at least one element, got shape [0]');
    expect(() => mannWhitneyLoss([1, 0.5, 0], [0.1, 0.2, 0.3])).toThrow('mannWhitneyLoss: expected every value of `yTrue` to be 0 or 1, got 0.5 at flat index 1');
    expect(() => mannWhitneyLoss([1, 2, 0], [0.1, 0.2, 0.3])).toThrow('mannWhitneyLoss: expected every value of `yTrue` to lie in [0, 1], got 2 at flat index 1');
    expect(() => mannWhitneyLoss(EYE, S, { groups: [0, 1] })).toThrow('mannWhitneyLoss: expected `groups` to hold one integer id per element of `scores` [3,3] or one per row [3], got shape [2]');
    expect(() => mannWhitneyLoss([1, 0, 0], [0.1, 0.2, 0.3], { groups: [0, 0, 1, 1] })).toThrow('mannWhitneyLoss: expected `groups` to hold one integer id per element of `scores` [3], got shape [4]');
    expect(() => mannWhitneyLoss([1, 0, 0], [0.1, 0.2, 0.3], { groups: [0, 1.5, 1] })).toThrow('mannWhitneyLoss: expected every value of `groups` to be an integer, got 1.5 at flat index 1');
    expect(() => mannWhitneyLoss([1, 0, 0], [0.1, 0.2, 0.3], { groups: 'q' as never })).toThrow('mannWhitneyLoss: expected `groups` to be a Tensor, number or numeric array, got "q" (string)');
    expect(() => mannWhitneyLoss([1, 0, 0], [0.1, 0.2, 0.3], { scale: 0 })).toThrow('mannWhitneyLoss: expected `scale` to be a finite number > 0, got 0 (number)');
    expect(() => mannWhitneyLoss([1, 0, 0], [0.1, 0.2, 0.3], { scale: Number.NaN })).toThrow('mannWhitneyLoss: expected `scale` to be a finite number > 0, got NaN (number)');
    expect(() => mannWhitneyLoss([1, 0, 0], [0.1, 0.2, 0.3], { group: [0, 0, 1] } as never)).toThrow('mannWhitneyLoss: expected each option to be one of groups, scale, reduction, weights, got `group`');
    expect(() => mannWhitneyLoss([1, 0, 0], [0.1, 0.2, 0.3], { reduction: 'avg' as never })).toThrow("mannWhitneyLoss: expected `reduction` to be one of 'mean' | 'sum' | 'none', got \"avg\" (string)");
    expect(() => mannWhitneyLoss([1, 0, 0], [0.1, 0.2, 0.3], { groups: [0, 0, 1], weights: [1, 2, 3, 4] })).toThrow('mannWhitneyLoss: expected `weights` to be per group [2] or per element of `scores` [3], got shape [4]');
    expect(() => mannWhitneyLoss(EYE, S, { weights: [[1, 1, 1]] })).toThrow('mannWhitneyLoss: expected `weights` to be per group [1] or per element of `scores` [3,3], got shape [1,3]');
    expect(() => mannWhitneyLoss([1, 0, 0], [0.1, 0.2, 0.3], { weights: [1, -2, 3] })).toThrow('mannWhitneyLoss: expected every value of `weights` to lie in [0, Infinity], got -2 at flat index 1');
    expect(() => mannWhitneyLoss([1, 0, 0], [0.1, 0.2, 0.3], { weights: 'w' as never })).toThrow('mannWhitneyLoss: expected `weights` to be a Tensor, number or numeric array, got "w" (string)');
  });
});
