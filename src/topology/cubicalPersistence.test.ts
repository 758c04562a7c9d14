import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { rng } from '../../test/helpers.js';
import { floodFillBetti, type Grid, referencePersistence } from '../../test/topology-reference.js';
import { LossInputError } from '../losses/_shared/errors.js';
import { type Barcode, cubicalPersistence } from './cubicalPersistence.js';

const text = (p: { birth: number; death: number; birthPixel: number[]; deathPixel: number[] | null }) =>
  `${p.birth},${p.death},${p.birthPixel.join(':')},${p.deathPixel === null ? '-' : p.deathPixel.join(':')}`;

/** The barcode of the superlevel filtration of x by the reference reduction (on −x), in x's units. */
function referenceSuperlevel(x: Grid) {
  const pairs = referencePersistence(x.map((row) => row.map((v) => -v + 0)));
  const dim = (k: number) =>
    pairs
      .filter((p) => p.dim === k && p.death !== Infinity)
      .map((p) => text({ ...p, birth: -p.birth + 0, death: -p.death + 0 }))
      .sort();
  const essential = pairs.filter((p) => p.death === Infinity).map((p) => ({ dim: p.dim, birth: -p.birth + 0, birthPixel: p.birthPixel }));
  return { dim0: dim(0), dim1: dim(1), essential };
}

const sorted = (b: Barcode) => ({ dim0: b.dim0.map(text).sort(), dim1: b.dim1.map(text).sort() });

function randomImage(random: () => number, h: number, w: number, levels?: number): Grid {
  return Array.from({ length: h }, () => Array.from({ length: w }, () => (levels === undefined ? random() : Math.floor(levels * random()) / (levels - 1))));
}

/** Betti numbers at level t read off a superlevel barcode: intervals with birth >= t > death. */
function bettiFromBarcode(b: Barcode, t: number): [number, number] {
  const alive = (p: { birth: number; death: number }) => p.birth >= t && t > p.death;
  return [b.dim0.filter(alive).length + b.essential.filter(alive).length, b.dim1.filter(alive).length];
}

const ring9: Grid = Array.from({ length: 9 }, (_, r) =>
  Array.from({ length: 9 }, (_, c) => (((r === 2 || r === 6) && c >= 2 && c <= 6) || ((c === 2 || c === 6) && r >= 2 && r <= 6) ? 1 : 0)),
);

describe('cubicalPersistence', () => {
  it('gives a ring one essential component and one hole', () => {
    const b = cubicalPersistence(ring9);
    expect(b.dim0).toEqual([]);
    expect(b.dim1).toEqual([{ birth: 1, death: 0, birthPixel: [6, 6], deathPixel: [5, 5] }]);
    expect(b.essential).toEqual([{ dimension: 0, birth: 1, death: -Infinity, birthPixel: [2, 2], deathPixel: null }]);
  });

  it('gives two blobs one finite and one essential component', () => {
    const img = [
      [0, 0, 0, 0, 0, 0, 0],
      [0, 1, 1, 0, 0, 0, 0],
      [0, 1, 1, 0, 0.8, 0.8, 0],
      [0, 0, 0, 0, 0.8, 0.8, 0],
    ];
    const b = cubicalPersistence(img);
    // The first edge of value 0 in (row, col, type) order that joins the blobs is (1,3)–(1,4).
    expect(b.dim0).toEqual([{ birth: 0.8, death: 0, birthPixel: [2, 4], deathPixel: [1, 4] }]);
    expect(b.dim1).toEqual([]);
    expect(b.essential[0]?.birth).toBe(1);
    expect(b.essential[0]?.birthPixel).toEqual([1, 1]);
  });

  it('gives a 2×2 grid of cells four holes', () => {
    const grid = Array.from({ length: 7 }, (_, r) => Array.from({ length: 7 }, (_, c) => (r % 3 === 0 || c % 3 === 0 ? 1 : 0)));
    const b = cubicalPersistence(grid);
    expect(b.dim0).toEqual([]);
    expect(b.dim1.map((p) => [p.birth, p.death])).toEqual([
      [1, 0],
      [1, 0],
      [1, 0],
      [1, 0],
    ]);
    expect(new Set(b.dim1.map((p) => p.deathPixel.join())).size).toBe(4);
  });

  it('leaves holes open that touch the border, and joins foreground only through 4-neighbours', () => {
    const open = [
      [1, 1, 1],
      [1, 0, 0],
      [1, 1, 1],
    ];
    expect(cubicalPersistence(open).dim1).toEqual([]);
    const diagonal = [
      [1, 0],
      [0, 1],
    ];
    expect(cubicalPersistence(diagonal).dim0).toHaveLength(1);
    const diamond = [
      [0, 1, 0],
      [1, 0, 1],
      [0, 1, 0],
    ];
    const b = cubicalPersistence(diamond);
    expect(b.dim0).toHaveLength(3); // four 4-disconnected pixels
    expect(b.dim1).toEqual([]); // the centre touches the border diagonally
  });

  it('reproduces the example of its doc', () => {
    expect(cubicalPersistence([[1, 0, 0.6]]).dim0).toEqual([{ birth: 0.6, death: 0, birthPixel: [0, 2], deathPixel: [0, 1] }]);
  });

  describe.each([
    ['without ties', undefined],
    ['with ties (4 levels)', 4],
    ['with ties (2 levels, binary)', 2],
  ] as const)('against a Z/2 boundary-matrix reduction on 100 random 6×6 images %s', (_name, levels) => {
    const r = rng(levels === undefined ? 101 : 100 + levels);
    const images = Array.from({ length: 100 }, () => randomImage(r, 6, 6, levels));

    it('has the same pairs, with the same critical pixels (same tie-breaking)', () => {
      for (const img of images) {
        const ref = referenceSuperlevel(img);
        const got = cubicalPersistence(img);
        expect(sorted(got)).toEqual({ dim0: ref.dim0, dim1: ref.dim1 });
        expect(ref.essential).toHaveLength(1);
        expect(got.essential).toEqual([{ dimension: 0, birth: ref.essential[0]?.birth, death: -Infinity, birthPixel: ref.essential[0]?.birthPixel, deathPixel: null }]);
      }
    });

    it('has the Betti numbers of a flood fill at every threshold', () => {
      for (const img of images) {
        const b = cubicalPersistence(img);
        const levelsOf = [...new Set(img.flat())].sort((x, y) => x - y);
        for (const t of [...levelsOf, (levelsOf.at(-1) as number) + 1]) {
          const mask = img.map((row) => row.map((v) => v >= t));
          expect(bettiFromBarcode(b, t)).toEqual(floodFillBetti(mask));
        }
      }
    });

    it('reads every birth and death from its critical pixel', () => {
      for (const img of images.slice(0, 20)) {
        const b = cubicalPersistence(img);
        for (const p of [...b.dim0, ...b.dim1]) {
          expect(img[p.birthPixel[0]]?.[p.birthPixel[1]]).toBe(p.birth);
          expect(img[p.deathPixel[0]]?.[p.deathPixel[1]]).toBe(p.death);
          expect(p.birth).toBeGreaterThan(p.death);
        }
      }
    });
  });

  it("'sublevel' is the superlevel filtration of the negated image", () => {
    const r = rng(7);
    for (let k = 0; k < 20; k++) {
      const img = randomImage(r, 5, 7, k % 2 === 0 ? 3 : undefined);
      const neg = img.map((row) => row.map((v) => -v));
      const a = cubicalPersistence(img, { filtration: 'sublevel' });
      const b = cubicalPersistence(neg);
      const negate = (p: { birth: number; death: number }) => ({ ...p, birth: -p.birth, death: -p.death });
      expect(a.dim0).toEqual(b.dim0.map(negate));
      expect(a.dim1).toEqual(b.dim1.map(negate));
      expect(a.essential).toEqual(b.essential.map(negate));
      expect(a.essential[0]?.death).toBe(Infinity);
    }
  });

  it('relative: equals the barcode of the image framed by its maximum', () => {
    const r = rng(9);
    for (let k = 0; k < 30; k++) {
      const img = randomImage(r, 5, 6, k % 2 === 0 ? 3 : undefined);
      const top = Math.max(...img.flat());
      const framed = [new Array(8).fill(top), ...img.map((row) => [top, ...row, top]), new Array(8).fill(top)];
      const ref = referenceSuperlevel(framed);
      const got = cubicalPersistence(img, { relative: true });
      const values = (list: string[]) => list.map((s) => s.split(',').slice(0, 2).join()).sort();
      expect(got.dim0.map((p) => `${p.birth},${p.death}`).sort()).toEqual(values(ref.dim0));
      expect(got.dim1.map((p) => `${p.birth},${p.death}`).sort()).toEqual(values(ref.dim1));
      for (const p of [...got.dim0, ...got.dim1]) {
        expect(img[p.birthPixel[0]]?.[p.birthPixel[1]]).toBe(p.birth);
        expect(img[p.deathPixel[0]]?.[p.deathPixel[1]]).toBe(p.death);
      }
    }
  });

  it('reads tensors, nested arrays and flat data with a shape alike', () => {
    const img = [
      [0.25, 0.875, 0.125],
      [0.75, 0.375, 0.625],
    ];
    const expected = cubicalPersistence(img);
    const t = tf.tensor2d(img);
    expect(cubicalPersistence(t)).toEqual(expected);
    t.dispose();
    expect(cubicalPersistence({ data: img.flat(), shape: [2, 3] })).toEqual(expected);
    expect(cubicalPersistence({ data: Float32Array.from(img.flat()), shape: [2, 3] })).toEqual(expected);
  });

  it('handles a single pixel, a single row and a constant image', () => {
    expect(cubicalPersistence([[3]])).toEqual({ dim0: [], dim1: [], essential: [{ dimension: 0, birth: 3, death: -Infinity, birthPixel: [0, 0], deathPixel: null }] });
    expect(cubicalPersistence([[2, 0, 1, 0, 3]]).dim0.map((p) => [p.birth, p.death])).toEqual([
      [1, 0],
      [2, 0],
    ]);
    const flat = cubicalPersistence(Array.from({ length: 4 }, () => [0.5, 0.5, 0.5]));
    expect([flat.dim0, flat.dim1]).toEqual([[], []]);
  });

  it('throws the exact error for bad inputs and options', () => {
    const fn = (x: unknown, o?: unknown) => () => cubicalPersistence(x as number[][], o as never);
    expect(fn([1, 2, 3])).toThrow(new LossInputError('cubicalPersistence: expected `image` to be a 2D image [H, W], got shape [3]'));
    expect(fn([[]])).toThrow('cubicalPersistence: expected `image` to hold at least one pixel, got shape [1,0]');
    expect(fn({ data: [1, 2], shape: [2, 2] })).toThrow('cubicalPersistence: expected `image.data` to hold H·W = 4 values for shape [2,2], got 2 values');
    expect(fn({ data: [1, 2], shape: [2] })).toThrow('cubicalPersistence: expected `image.shape` to be [H, W], got [2] (array)');
    expect(fn({ data: [1, 'a'], shape: [1, 2] })).toThrow('cubicalPersistence: expected every value of `image.data` to be a number, got "a" (string) at index 1');
    expect(fn([[0, Number.NaN]])).toThrow('cubicalPersistence: expected every value of `image` to be a number, not NaN, got NaN at pixel [0,1]');
    expect(fn([[0]], { filtration: 'up' })).toThrow(`cubicalPersistence: expected \`filtration\` to be one of 'superlevel' | 'sublevel', got "up" (string)`);
    expect(fn([[0]], { relative: 1 })).toThrow('cubicalPersistence: expected `relative` to be true or false, got 1 (number)');
    expect(fn([[0]], { threshold: 1 })).toThrow('cubicalPersistence: expected each option to be one of filtration, relative, got `threshold`');
  });

  it('computes a 375×375 barcode with memory linear in the pixels', () => {
    const r = rng(1);
    const data = Float32Array.from({ length: 375 * 375 }, () => r());
    const b = cubicalPersistence({ data, shape: [375, 375] });
    // Euler characteristic of the whole image: β0 − β1 = 1 at the lowest level.
    const alive = bettiFromBarcode(b, data.reduce((a, v) => Math.min(a, v), 1));
    expect(alive).toEqual([1, 0]);
    expect(b.dim0.length).toBeGreaterThan(1000);
  });
});
