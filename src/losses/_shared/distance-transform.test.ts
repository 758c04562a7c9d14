import { describe, expect, it } from 'vitest';
import { expectClose, rng } from '../../../test/helpers.js';
import { distanceToBackground2d, distanceToForeground2d } from './distance-transform.js';

/** Brute force: the smallest Euclidean distance to a pixel of the other value. */
function bruteForce(mask: number[], w: number): number[] {
  return mask.map((v, i) => {
    if (!v) return 0;
    let best = Infinity;
    mask.forEach((u, j) => {
      if (!u) best = Math.min(best, Math.hypot(Math.floor(i / w) - Math.floor(j / w), (i % w) - (j % w)));
    });
    return best;
  });
}

describe('distanceToBackground2d(mask, height, width)', () => {
  it('reproduces scipy.ndimage.distance_transform_edt on a fixture', () => {
    const mask = [0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0];
    const scipy = [0, 1, 2, 1, 0, 1, Math.SQRT2, Math.sqrt(5), Math.SQRT2, 1, 1, Math.SQRT2, Math.SQRT2, 1, 0, 0, 1, 1, 0, 0];
    expectClose(distanceToBackground2d(mask, 4, 5), scipy, 1e-12, 0);
  });

  it('equals brute force on random masks of every shape, thin ones included', () => {
    const r = rng(1);
    for (let k = 0; k < 60; k++) {
      const [h, w] = [1 + Math.floor(r() * 11), 1 + Math.floor(r() * 11)];
      const mask = Array.from({ length: h * w }, () => (r() < 0.1 + 0.85 * r() ? 1 : 0));
      if (!mask.includes(0)) continue;
      expectClose(distanceToBackground2d(mask, h, w), bruteForce(mask, w), 1e-12, 1e-12);
      expectClose(distanceToForeground2d(mask, h, w), bruteForce(mask.map((v) => 1 - v), w).map((d) => (Number.isFinite(d) ? d : 0)), 1e-12, 1e-12);
    }
  });

  it('measures a mask without background to a frame one pixel outside the image', () => {
    expect(Array.from(distanceToBackground2d([1, 1, 1, 1, 1, 1, 1, 1, 1], 3, 3))).toEqual([1, 1, 1, 1, 2, 1, 1, 1, 1]);
    expect(Array.from(distanceToBackground2d([0, 0], 1, 2))).toEqual([0, 0]);
  });
});
