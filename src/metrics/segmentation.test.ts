import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { rng } from '../../test/helpers.js';
import { fromPicture, thinRef } from '../../test/segmentation-reference.js';
import { clDiceScore, diceScore, hausdorff95 } from './segmentation.js';

// ---- Float64 references from the definitions ----

/** scikit-learn's f1_score of the flattened masks (zero_division = 0). */
function f1(t: number[], p: number[]): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  t.forEach((v, i) => {
    if (v === 1 && p[i] === 1) tp++;
    else if (v === 0 && p[i] === 1) fp++;
    else if (v === 1 && p[i] === 0) fn++;
  });
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
}

/** clDice of one image with the reference thinning. */
function clDiceRef(t: number[], p: number[], h: number, w: number): number {
  const st = thinRef(t, h, w);
  const sp = thinRef(p, h, w);
  const ratio = (s: number[], m: number[]) => s.reduce((a, v, i) => a + v * m[i]!, 0) / s.reduce((a, v) => a + v, 0);
  const tprec = ratio(sp, t);
  const tsens = ratio(st, p);
  return (2 * tprec * tsens) / (tprec + tsens);
}

function randomMasks(seed: number, n: number, h: number, w: number, rate = 0.4): number[][] {
  const r = rng(seed);
  return Array.from({ length: n }, () => Array.from({ length: h * w }, () => (r() < rate ? 1 : 0)));
}
const shape = (images: number[][], h: number, w: number) => images.map((im) => Array.from({ length: h }, (_, r) => im.slice(r * w, (r + 1) * w)));

describe('diceScore', () => {
  it('gives the documented example and equals scikit-learn f1_score per image, averaged over the batch', () => {
    expect(diceScore([[1, 1], [0, 0]], [[1, 0], [0, 0]])).toBeCloseTo(2 / 3, 15);
    const t = randomMasks(1, 4, 5, 6);
    const p = randomMasks(2, 4, 5, 6);
    const expected = t.reduce((a, im, i) => a + f1(im, p[i]!), 0) / 4;
    expect(diceScore(shape(t, 5, 6), shape(p, 5, 6))).toBeCloseTo(expected, 12);
    expect(diceScore(tf.tensor(t.flat(), [4, 5, 6, 1]), tf.tensor(p.flat(), [4, 5, 6, 1]))).toBeCloseTo(expected, 6);
  });

  it('scores both-empty images with emptyScore (1 by default, 0 as medpy and scikit-learn) and a one-sided empty image 0', () => {
    const empty = [[0, 0], [0, 0]];
    expect(diceScore(empty, empty)).toBe(1);
    expect(diceScore(empty, empty, { emptyScore: 0 })).toBe(0);
    expect(diceScore(empty, [[0, 1], [0, 0]])).toBe(0);
    expect(diceScore([empty, [[1, 0], [0, 0]]], [empty, [[1, 0], [0, 0]]])).toBe(1);
  });

  it('reads probabilities with threshold (yPred > threshold is foreground)', () => {
    expect(diceScore([[1, 1, 0]], [[0.7, 0.5, 0.2]], { threshold: 0.5 })).toBeCloseTo(2 / 3, 15);
    expect(diceScore([[1, 1, 0]], [[0.7, 0.5, 0.2]], { threshold: 0.4 })).toBe(1);
  });

  it('rejects bad input with a message naming the metric, the argument, the rule and the value', () => {
    expect(() => diceScore([1, 0], [1, 0])).toThrow('diceScore: expected `yTrue` to have shape [H,W], [N,H,W] or [N,H,W,1], got shape [2]');
    expect(() => diceScore([[1, 0]], [[1, 0, 1]])).toThrow('diceScore: expected `yTrue` and `yPred` to have the same shape, got [1,2] and [1,3]');
    expect(() => diceScore([[1, 2]], [[1, 0]])).toThrow('diceScore: expected every value of `yTrue` to be 0 or 1, got 2 at index 1');
    expect(() => diceScore([[1, 0]], [[0.3, 0]])).toThrow('diceScore: expected every value of `yPred` to be 0 or 1 (pass `threshold` to read probabilities), got 0.3 at index 0');
    expect(() => diceScore([[1, 0]], [[1, 0]], { emptyScore: 2 })).toThrow('diceScore: expected `emptyScore` to be a finite number >= 0 and <= 1, got 2 (number)');
    expect(() => diceScore([[1, 0]], [[1, 0]], { average: 'macro' } as never)).toThrow('diceScore: expected each option to be one of threshold, emptyScore, got `average`');
  });
});

describe('clDiceScore', () => {
  it('gives the documented example: a one-pixel gap in a 3-pixel line scores 0.8', () => {
    expect(clDiceScore([[0, 1, 0], [0, 1, 0], [0, 1, 0]], [[0, 1, 0], [0, 0, 0], [0, 1, 0]])).toBeCloseTo(0.8, 15);
  });

  it('equals the float64 reference with an independent thinning on random masks, averaged over images', () => {
    const t = randomMasks(3, 3, 9, 10, 0.5);
    const p = randomMasks(4, 3, 9, 10, 0.5);
    const expected = t.reduce((a, im, i) => a + clDiceRef(im, p[i]!, 9, 10), 0) / 3;
    expect(clDiceScore(shape(t, 9, 10), shape(p, 9, 10))).toBeCloseTo(expected, 12);
  });

  it('is 1 for identical masks and for a thickened tube around a thin line; it punishes a gap more than Dice does', () => {
    const t = randomMasks(5, 2, 8, 8, 0.5);
    expect(clDiceScore(shape(t, 8, 8), shape(t, 8, 8))).toBe(1);
    const line = ['.........', '.........', '.........', '.........', '.#######.', '.........', '.........', '.........', '.........'];
    const tube = line.map((row, r) => (r >= 3 && r <= 5 ? '.#######.' : row));
    const y = shape([fromPicture(line)], 9, 9)[0]!;
    expect(clDiceScore(y, shape([fromPicture(tube)], 9, 9)[0]!)).toBe(1);
    expect(diceScore(y, shape([fromPicture(tube)], 9, 9)[0]!)).toBeCloseTo(0.5, 12);
    const gap = fromPicture(line);
    gap[4 * 9 + 4] = 0;
    const gapped = shape([gap], 9, 9)[0]!;
    expect(1 - clDiceScore(y, gapped)).toBeGreaterThan(1 - diceScore(y, gapped));
  });

  it('scores both-empty images with emptyScore and a one-sided empty image 0', () => {
    const empty = [[0, 0], [0, 0]];
    expect(clDiceScore(empty, empty)).toBe(1);
    expect(clDiceScore(empty, empty, { emptyScore: 0.5 })).toBe(0.5);
    expect(clDiceScore(empty, [[1, 0], [0, 0]])).toBe(0);
    expect(clDiceScore([[1, 0], [0, 0]], empty)).toBe(0);
  });

  it('rejects bad input with a message naming the metric, the argument, the rule and the value', () => {
    expect(() => clDiceScore(tf.zeros([1, 2, 2, 2]), tf.zeros([1, 2, 2, 2]))).toThrow('clDiceScore: expected `yTrue` to have shape [H,W], [N,H,W] or [N,H,W,1], got shape [1,2,2,2]');
    expect(() => clDiceScore([[1, 0]], [[1, Number.NaN]], { threshold: 0.5 })).toThrow('clDiceScore: expected every value of `yPred` to be a number, not NaN, got NaN at flat index 1');
    expect(() => clDiceScore([[1, 0]], [[1, 0]], { threshold: 'half' } as never)).toThrow('clDiceScore: expected `threshold` to be a finite number, got "half" (string)');
  });
});

// ---- hausdorff95 ----

/** Surface pixels by the definition: foreground with a 4-neighbour outside the mask or the image. */
function surfaceRef(m: number[], h: number, w: number): [number, number][] {
  const at = (r: number, c: number) => (r >= 0 && c >= 0 && r < h && c < w ? m[r * w + c]! : 0);
  const out: [number, number][] = [];
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      if (at(r, c) === 1 && (at(r - 1, c) === 0 || at(r + 1, c) === 0 || at(r, c - 1) === 0 || at(r, c + 1) === 0)) out.push([r, c]);
    }
  }
  return out;
}

/** Directed surface distances by brute force over all pairs. */
function directedRef(from: [number, number][], to: [number, number][]): number[] {
  return from.map(([r, c]) => Math.min(...to.map(([r2, c2]) => Math.hypot(r - r2, c - c2))));
}

/** numpy.percentile (linear). */
function percentileRef(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (q / 100) * (s.length - 1);
  const i = Math.floor(pos);
  return i + 1 < s.length ? s[i]! * (1 - (pos - i)) + s[i + 1]! * (pos - i) : s[i]!;
}

function hd95Ref(t: number[], p: number[], h: number, w: number, q = 95, directions: 'pooled' | 'max' = 'pooled'): number {
  const st = surfaceRef(t, h, w);
  const sp = surfaceRef(p, h, w);
  const a = directedRef(sp, st);
  const b = directedRef(st, sp);
  return directions === 'pooled' ? percentileRef([...a, ...b], q) : Math.max(percentileRef(a, q), percentileRef(b, q));
}

describe('hausdorff95', () => {
  it('gives the documented example and hand-checked distances', () => {
    expect(hausdorff95([[1, 0, 0, 0]], [[0, 0, 0, 1]])).toBe(3);
    // A 3x3 square against the same square moved by (1, 1): surface distances 0, 1 and √2.
    const square = (dr: number, dc: number) => Array.from({ length: 6 }, (_, r) => Array.from({ length: 6 }, (_, c) => (r >= 1 + dr && r < 4 + dr && c >= 1 + dc && c < 4 + dc ? 1 : 0)));
    const flat = (m: number[][]) => m.flat();
    expect(hausdorff95(square(0, 0), square(1, 1), { percentile: 100 })).toBeCloseTo(Math.SQRT2, 12);
    expect(hausdorff95(square(0, 0), square(0, 0))).toBe(0);
    expect(hausdorff95(square(0, 0), square(1, 1))).toBeCloseTo(hd95Ref(flat(square(0, 0)), flat(square(1, 1)), 6, 6), 12);
  });

  it('equals the brute-force surface distances on random masks, pooled (medpy) and max (MONAI), per image then averaged', () => {
    for (const [h, w] of [
      [7, 9],
      [12, 5],
    ] as const) {
      const t = randomMasks(10 + h, 3, h, w, 0.45);
      const p = randomMasks(20 + w, 3, h, w, 0.3);
      for (const q of [95, 50, 100]) {
        for (const directions of ['pooled', 'max'] as const) {
          const expected = t.reduce((a, im, i) => a + hd95Ref(im, p[i]!, h, w, q, directions), 0) / 3;
          expect(hausdorff95(shape(t, h, w), shape(p, h, w), { percentile: q, directions })).toBeCloseTo(expected, 12);
        }
      }
    }
  });

  it('is symmetric, reads probabilities with threshold, and scores empty images 0 (both) or emptyDistance (one)', () => {
    const t = randomMasks(3, 2, 8, 8);
    const p = randomMasks(4, 2, 8, 8);
    expect(hausdorff95(shape(t, 8, 8), shape(p, 8, 8))).toBeCloseTo(hausdorff95(shape(p, 8, 8), shape(t, 8, 8)), 12);
    expect(hausdorff95([[1, 0, 0, 0]], [[0.2, 0.1, 0.3, 0.9]], { threshold: 0.5 })).toBe(3);
    const empty = [[0, 0], [0, 0]];
    expect(hausdorff95(empty, empty)).toBe(0);
    expect(hausdorff95(empty, [[0, 1], [0, 0]])).toBe(Number.POSITIVE_INFINITY);
    expect(hausdorff95([[1, 0], [0, 0]], empty, { emptyDistance: 9999999 })).toBe(9999999);
    expect(hausdorff95([empty, [[1, 0], [0, 0]]], [empty, [[0, 0], [0, 1]]])).toBeCloseTo(Math.SQRT2 / 2, 12);
  });

  it('rejects bad inputs and options with exact messages', () => {
    expect(() => hausdorff95([1, 0], [1, 0])).toThrow('hausdorff95: expected `yTrue` to have shape [H,W], [N,H,W] or [N,H,W,1], got shape [2]');
    expect(() => hausdorff95([[1, 0]], [[0.3, 0]])).toThrow('hausdorff95: expected every value of `yPred` to be 0 or 1 (pass `threshold` to read probabilities), got 0.3 at index 0');
    expect(() => hausdorff95([[1, 0]], [[1, 0]], { percentile: 101 })).toThrow('hausdorff95: expected `percentile` to be a finite number >= 0 and <= 100, got 101 (number)');
    expect(() => hausdorff95([[1, 0]], [[1, 0]], { directions: 'min' } as never)).toThrow(/^hausdorff95: expected `directions` to be one of/);
    expect(() => hausdorff95([[1, 0]], [[1, 0]], { emptyDistance: -1 })).toThrow('hausdorff95: expected `emptyDistance` to be a number >= 0 (Infinity allowed), got -1 (number)');
    expect(() => hausdorff95([[1, 0]], [[1, 0]], { emptyScore: 1 } as never)).toThrow('hausdorff95: expected each option to be one of threshold, percentile, directions, emptyDistance, got `emptyScore`');
  });
});
