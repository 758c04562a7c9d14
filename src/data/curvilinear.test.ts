import { describe, expect, it } from 'vitest';
import { bettiNumbers } from '../topology/bettiNumbers.js';
import { curvilinear } from './curvilinear.js';

const plane = (x: ArrayLike<number>, n: number, size: number) => Array.from(x).slice(n * size, (n + 1) * size);

describe('curvilinear(options)', () => {
  it('returns grey images in [0, 1] and binary masks with their shapes', () => {
    const d = curvilinear({ count: 3, height: 24, width: 40 });
    expect(d.imageShape).toEqual([3, 24, 40, 1]);
    expect(d.maskShape).toEqual([3, 24, 40]);
    expect(d.images).toHaveLength(3 * 24 * 40);
    expect(d.masks).toHaveLength(3 * 24 * 40);
    expect(d.images.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(d.masks.every((v) => v === 0 || v === 1)).toBe(true);
    const fraction = d.masks.reduce((a, v) => a + v, 0) / d.masks.length;
    expect(fraction).toBeGreaterThan(0.02);
    expect(fraction).toBeLessThan(0.4);
  });

  it('is deterministic per seed, and image i does not depend on how many are drawn', () => {
    for (const style of ['road', 'vessel'] as const) {
      const a = curvilinear({ seed: 11, count: 3, style });
      const b = curvilinear({ seed: 11, count: 3, style });
      expect(Array.from(a.images)).toEqual(Array.from(b.images));
      expect(Array.from(a.masks)).toEqual(Array.from(b.masks));
      const more = curvilinear({ seed: 11, count: 5, style });
      expect(Array.from(more.images.subarray(0, a.images.length))).toEqual(Array.from(a.images));
      expect(Array.from(curvilinear({ seed: 12, count: 3, style }).masks)).not.toEqual(Array.from(a.masks));
    }
  });

  it('draws thin structures that stay 4-connected: a vessel tree is one component without holes', () => {
    const d = curvilinear({ seed: 4, count: 6, style: 'vessel', minThickness: 1, maxThickness: 1 });
    for (let n = 0; n < 6; n++) {
      const [b0] = bettiNumbers({ data: plane(d.masks, n, 48 * 48), shape: [48, 48] });
      expect(b0).toBe(1);
    }
    // Roads cross the image: every curve touches the border.
    const roads = curvilinear({ seed: 4, count: 6, minCurves: 1, maxCurves: 1, minThickness: 1, maxThickness: 1 });
    for (let n = 0; n < 6; n++) {
      const m = plane(roads.masks, n, 48 * 48);
      expect(bettiNumbers({ data: m, shape: [48, 48] })[0]).toBe(1);
      const border = m.filter((v, i) => v && (i < 48 || i >= 47 * 48 || i % 48 === 0 || i % 48 === 47)).length;
      expect(border).toBeGreaterThan(1);
    }
  });

  it('makes the structure brighter than the background by about the contrast', () => {
    const d = curvilinear({ seed: 6, count: 4, noise: 0, blur: 0, background: 0 });
    for (let i = 0; i < d.masks.length; i++) expect(d.images[i]).toBeCloseTo(d.masks[i] ? 0.7 : 0.3, 6);
  });

  it('hides segments in the image only with dropoutProbability, and drops them from the label only with labelDropProbability', () => {
    const o = { seed: 9, count: 4, noise: 0, blur: 0, background: 0 };
    const base = curvilinear(o);
    const gaps = curvilinear({ ...o, dropoutProbability: 0.4 });
    expect(Array.from(gaps.masks)).toEqual(Array.from(base.masks));
    const hidden = Array.from(gaps.masks).filter((m, i) => m && gaps.images[i]! < 0.5).length / base.masks.reduce((a, v) => a + v, 0);
    expect(hidden).toBeGreaterThan(0.1);
    expect(hidden).toBeLessThan(0.7);
    const noisy = curvilinear({ ...o, labelDropProbability: 0.4 });
    expect(Array.from(noisy.images)).toEqual(Array.from(base.images));
    expect(noisy.masks.every((v, i) => v <= base.masks[i]!)).toBe(true);
    expect(noisy.masks.reduce((a, v) => a + v, 0)).toBeLessThan(0.9 * base.masks.reduce((a, v) => a + v, 0));
  });

  it('adds noise of the requested standard deviation', () => {
    const clean = curvilinear({ seed: 2, count: 2, noise: 0, blur: 0, background: 0 });
    const noisy = curvilinear({ seed: 2, count: 2, noise: 0.05, blur: 0, background: 0 });
    const diffs = Array.from(noisy.images).map((v, i) => v - clean.images[i]!);
    const sd = Math.sqrt(diffs.reduce((a, d) => a + d * d, 0) / diffs.length);
    expect(sd).toBeGreaterThan(0.045);
    expect(sd).toBeLessThan(0.055);
  });

  it('rejects bad options with a message naming the generator, the option, the rule and the value', () => {
    expect(() => curvilinear({ style: 'river' as never })).toThrow("curvilinear: expected `style` to be one of 'road' | 'vessel', got \"river\" (string)");
    expect(() => curvilinear({ minCurves: 3, maxCurves: 2 })).toThrow('curvilinear: expected `maxCurves` to be >= `minCurves` (3), got 2 (number)');
    expect(() => curvilinear({ noise: -0.1 })).toThrow('curvilinear: expected `noise` to be a finite number >= 0, got -0.1 (number)');
    expect(() => curvilinear({ width: 7.5 })).toThrow('curvilinear: expected `width` to be an integer >= 8, got 7.5 (number)');
    expect(() => curvilinear({ size: 48 } as never)).toThrow(
      'curvilinear: expected each option to be one of seed, count, height, width, noise, blur, dropoutProbability, labelDropProbability, style, minCurves, maxCurves, minThickness, maxThickness, contrast, background, segmentLength, got `size`',
    );
  });
});
