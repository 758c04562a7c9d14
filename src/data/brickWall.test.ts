import { describe, expect, it } from 'vitest';
import { bettiNumbers } from '../topology/bettiNumbers.js';
import { brickWall } from './brickWall.js';

/** Mask of image n as a flat plane. */
const maskOf = (d: ReturnType<typeof brickWall>, n: number) => d.masks.subarray(n * d.maskShape[1] * d.maskShape[2], (n + 1) * d.maskShape[1] * d.maskShape[2]);

/** Bricks fully inside the image: 4-connected non-mortar regions that do not touch the border. */
function bricksInside(mask: ArrayLike<number>, h: number, w: number): number {
  const seen = new Uint8Array(h * w);
  let inside = 0;
  for (let s = 0; s < h * w; s++) {
    if (mask[s] || seen[s]) continue;
    let touches = false;
    const stack = [s];
    seen[s] = 1;
    while (stack.length) {
      const i = stack.pop()!;
      const [r, c] = [Math.floor(i / w), i % w];
      if (r === 0 || c === 0 || r === h - 1 || c === w - 1) touches = true;
      for (const [y, x] of [[r - 1, c], [r + 1, c], [r, c - 1], [r, c + 1]]) {
        const j = y! * w + x!;
        if (y! >= 0 && x! >= 0 && y! < h && x! < w && !mask[j] && !seen[j]) {
          seen[j] = 1;
          stack.push(j);
        }
      }
    }
    if (!touches) inside++;
  }
  return inside;
}

/** Connected pieces of mortar, 4- or 8-connected. */
function pieces(mask: ArrayLike<number>, h: number, w: number, eight: boolean): number {
  const seen = new Uint8Array(h * w);
  const steps = eight ? [[-1, -1], [-1, 0], [-1, 1], [0, -1], [0, 1], [1, -1], [1, 0], [1, 1]] : [[-1, 0], [1, 0], [0, -1], [0, 1]];
  let count = 0;
  for (let s = 0; s < h * w; s++) {
    if (!mask[s] || seen[s]) continue;
    count++;
    const stack = [s];
    seen[s] = 1;
    while (stack.length) {
      const i = stack.pop()!;
      const [r, c] = [Math.floor(i / w), i % w];
      for (const [dy, dx] of steps) {
        const [y, x] = [r + dy!, c + dx!];
        if (y >= 0 && x >= 0 && y < h && x < w && mask[y * w + x] && !seen[y * w + x]) {
          seen[y * w + x] = 1;
          stack.push(y * w + x);
        }
      }
    }
  }
  return count;
}

describe('brickWall(options)', () => {
  it('returns RGB images in [0, 1] and binary masks with their shapes', () => {
    const d = brickWall({ count: 3, height: 20, width: 30 });
    expect(d.imageShape).toEqual([3, 20, 30, 3]);
    expect(d.maskShape).toEqual([3, 20, 30]);
    expect(d.images).toHaveLength(3 * 20 * 30 * 3);
    expect(d.masks).toHaveLength(3 * 20 * 30);
    expect(d.images.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(d.masks.every((v) => v === 0 || v === 1)).toBe(true);
    // Mortar is a thin network: a fraction of the wall, not most of it.
    const fraction = d.masks.reduce((a, v) => a + v, 0) / d.masks.length;
    expect(fraction).toBeGreaterThan(0.08);
    expect(fraction).toBeLessThan(0.35);
  });

  it('is deterministic per seed, and image i does not depend on how many are drawn', () => {
    const a = brickWall({ seed: 7, count: 2 });
    const b = brickWall({ seed: 7, count: 2 });
    expect(Array.from(a.images)).toEqual(Array.from(b.images));
    expect(Array.from(a.masks)).toEqual(Array.from(b.masks));
    const more = brickWall({ seed: 7, count: 4 });
    expect(Array.from(more.masks.subarray(0, a.masks.length))).toEqual(Array.from(a.masks));
    expect(Array.from(more.images.subarray(0, a.images.length))).toEqual(Array.from(a.images));
    const other = brickWall({ seed: 8, count: 2 });
    expect(Array.from(other.masks)).not.toEqual(Array.from(a.masks));
  });

  it('draws one connected mortar network whose holes are the bricks inside the image (β0 = 1, β1 = bricks) without rotation', () => {
    for (const o of [{ maxRotation: 0 }, { maxRotation: 0, mortarWidth: 2 }, { maxRotation: 0, minBrickHeight: 3, maxBrickHeight: 3 }]) {
      const d = brickWall({ ...o, seed: 3, count: 4, height: 40, width: 56 });
      for (let n = 0; n < 4; n++) {
        const mask = maskOf(d, n);
        const [b0, b1] = bettiNumbers({ data: mask, shape: [40, 56] });
        expect(b0).toBe(1);
        expect(b1).toBe(bricksInside(mask, 40, 56));
        expect(b1).toBeGreaterThan(3);
      }
    }
  });

  it('keeps rotated joints 4-connected: as many 4-connected as 8-connected mortar pieces', () => {
    for (const o of [{}, { maxRotation: 10 }, { maxRotation: 30, mortarWidth: 1.5 }]) {
      const d = brickWall({ ...o, seed: 3, count: 6, height: 40, width: 56 });
      for (let n = 0; n < 6; n++) {
        const mask = maskOf(d, n);
        expect(pieces(mask, 40, 56, false)).toBe(pieces(mask, 40, 56, true));
        expect(bettiNumbers({ data: mask, shape: [40, 56] })[1]).toBe(bricksInside(mask, 40, 56));
      }
    }
  });

  it('makes 1-pixel joints exactly one pixel wide without rotation', () => {
    const d = brickWall({ seed: 2, maxRotation: 0, height: 32, width: 32 });
    // No 2×2 block is all mortar.
    for (let r = 0; r + 1 < 32; r++) {
      for (let c = 0; c + 1 < 32; c++) expect(d.masks[r * 32 + c]! + d.masks[r * 32 + c + 1]! + d.masks[(r + 1) * 32 + c]! + d.masks[(r + 1) * 32 + c + 1]!).toBeLessThan(4);
    }
  });

  it('hides mortar segments in the image only with dropoutProbability, and drops them from the label only with labelDropProbability', () => {
    const base = brickWall({ seed: 5, noise: 0, blur: 0 });
    const hidden = brickWall({ seed: 5, noise: 0, blur: 0, dropoutProbability: 0.5 });
    expect(Array.from(hidden.masks)).toEqual(Array.from(base.masks));
    expect(Array.from(hidden.images)).not.toEqual(Array.from(base.images));
    const allHidden = brickWall({ seed: 5, noise: 0, blur: 0, dropoutProbability: 1 });
    // Every pixel then has a brick colour: red well above green.
    for (let i = 0; i < 64 * 64; i++) expect(allHidden.images[i * 3]! - allHidden.images[i * 3 + 1]!).toBeGreaterThan(0.1);
    const noisy = brickWall({ seed: 5, noise: 0, blur: 0, labelDropProbability: 0.3 });
    expect(Array.from(noisy.images)).toEqual(Array.from(base.images));
    const kept = noisy.masks.reduce((a, v) => a + v, 0) / base.masks.reduce((a, v) => a + v, 0);
    expect(kept).toBeGreaterThan(0.5);
    expect(kept).toBeLessThan(0.9);
    expect(noisy.masks.every((v, i) => v <= base.masks[i]!)).toBe(true);
  });

  it('lowers the colour contrast of mortar with contrast', () => {
    const flat = brickWall({ seed: 4, noise: 0, blur: 0, contrast: 0 });
    const mortarGreen = flat.images.filter((_, i) => i % 3 === 1 && flat.masks[(i - 1) / 3] === 1);
    expect(Math.max(...mortarGreen)).toBeLessThan(0.45);
  });

  it('rejects bad options with a message naming the generator, the option, the rule and the value', () => {
    expect(() => brickWall({ seed: -1 })).toThrow('brickWall: expected `seed` to be an integer >= 0 and <= 4294967295, got -1 (number)');
    expect(() => brickWall({ count: 0 })).toThrow('brickWall: expected `count` to be an integer >= 1, got 0 (number)');
    expect(() => brickWall({ height: 4 })).toThrow('brickWall: expected `height` to be an integer >= 8, got 4 (number)');
    expect(() => brickWall({ dropoutProbability: 2 })).toThrow('brickWall: expected `dropoutProbability` to be a finite number >= 0 and <= 1, got 2 (number)');
    expect(() => brickWall({ minBrickLength: 15, maxBrickLength: 10 })).toThrow('brickWall: expected `maxBrickLength` to be >= `minBrickLength` (15), got 10 (number)');
    expect(() => brickWall({ rotation: 5 } as never)).toThrow('brickWall: expected each option to be one of seed, count, height, width, noise, blur, dropoutProbability, labelDropProbability, minBrickLength, maxBrickLength, minBrickHeight, maxBrickHeight, mortarWidth, maxRotation, contrast, got `rotation`');
  });
});
