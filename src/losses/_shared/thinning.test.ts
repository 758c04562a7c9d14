import { describe, expect, it } from 'vitest';
import { rng } from '../../../test/helpers.js';
import { crossDilateRef, fromPicture, picture, thinRef } from '../../../test/segmentation-reference.js';
import { dilateCross2d, thin2d } from './thinning.js';

/** 8-connected components of a 0/1 image. */
function components(mask: ArrayLike<number>, h: number, w: number): number {
  const seen = new Uint8Array(h * w);
  let count = 0;
  for (let s = 0; s < h * w; s++) {
    if (!mask[s] || seen[s]) continue;
    count++;
    const stack = [s];
    seen[s] = 1;
    while (stack.length > 0) {
      const i = stack.pop()!;
      const r = Math.floor(i / w);
      const c = i % w;
      for (let dr = -1; dr <= 1; dr++) {
        for (let dc = -1; dc <= 1; dc++) {
          const rr = r + dr;
          const cc = c + dc;
          const j = rr * w + cc;
          if (rr >= 0 && cc >= 0 && rr < h && cc < w && mask[j] && !seen[j]) {
            seen[j] = 1;
            stack.push(j);
          }
        }
      }
    }
  }
  return count;
}

/** Random blobs: union of discs. */
function blobs(seed: number, h: number, w: number): number[] {
  const r = rng(seed);
  const m = new Array<number>(h * w).fill(0);
  for (let k = 0; k < 4; k++) {
    const cy = r() * h;
    const cx = r() * w;
    const rad = 1 + r() * 4;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if ((y - cy) ** 2 + (x - cx) ** 2 < rad * rad) m[y * w + x] = 1;
  }
  return m;
}

describe('thin2d (Guo–Hall thinning) and dilateCross2d', () => {
  it('thins a 5-pixel-wide bar to a one-pixel line and keeps one-pixel lines and end points', () => {
    // Two pixels come off each side, ends included: a 5×9 block leaves its 1×5 centre line.
    const bar = ['.............', '..#########..', '..#########..', '..#########..', '..#########..', '..#########..', '.............'];
    const thin = picture(thin2d(fromPicture(bar), 7, 13), 13);
    expect(thin).toEqual(['.............', '.............', '.............', '....#####....', '.............', '.............', '.............']);
    const line = ['.......', '.#.....', '..#....', '..#....', '...###.', '.......'];
    expect(picture(thin2d(fromPicture(line), 6, 7), 7)).toEqual(line);
  });

  it('keeps every component: a 2×2 square becomes one pixel and a ring keeps its hole', () => {
    const square = fromPicture(['....', '.##.', '.##.', '....']);
    expect(Array.from(thin2d(square, 4, 4)).reduce((a, b) => a + b, 0)).toBe(1);
    const ring = ['.......', '.#####.', '.#####.', '.##.##.', '.#####.', '.#####.', '.......'];
    const thinRing = thin2d(fromPicture(ring), 7, 7);
    // The hole (3,3) stays background and stays enclosed: the complement keeps 2 components (4-connected not needed here).
    expect(thinRing[3 * 7 + 3]).toBe(0);
    expect(components(thinRing, 7, 7)).toBe(1);
    expect(Array.from(thinRing).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(4);
  });

  it('agrees with an independent table-driven implementation on random blobs, giving thin subsets with the same components', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const m = blobs(seed, 16, 18);
      const t = thin2d(m, 16, 18);
      expect(Array.from(t)).toEqual(thinRef(m, 16, 18));
      t.forEach((v, i) => {
        expect(v).toBeLessThanOrEqual(m[i]!);
      });
      expect(components(t, 16, 18)).toBe(components(m, 16, 18));
    }
  });

  it('dilates by the 3×3 cross, as many times as asked', () => {
    const dot = fromPicture(['.....', '.....', '..#..', '.....', '.....']);
    expect(picture(dilateCross2d(dot, 5, 5, 1), 5)).toEqual(['.....', '..#..', '.###.', '..#..', '.....']);
    expect(picture(dilateCross2d(dot, 5, 5, 2), 5)).toEqual(['..#..', '.###.', '#####', '.###.', '..#..']);
    const m = blobs(21, 9, 11);
    expect(Array.from(dilateCross2d(m, 9, 11, 2))).toEqual(crossDilateRef(m, 9, 11, 2));
  });
});
