import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { rng } from '../../test/helpers.js';
import { floodFillBetti3d, officialCases3d, referencePersistence3d, type Volume } from '../../test/topology3d-reference.js';
import { LossInputError } from '../losses/_shared/errors.js';
import { cubicalPersistence } from './cubicalPersistence.js';
import { type Barcode3d, cubicalPersistence3d } from './cubicalPersistence3d.js';

type Bar = { birth: number; death: number; birthVoxel: number[]; deathVoxel: number[] | null };
const text = (p: Bar) => `${p.birth},${p.death},${p.birthVoxel.join(':')},${p.deathVoxel === null ? '-' : p.deathVoxel.join(':')}`;
const values = (p: { birth: number; death: number }) => `${p.birth},${p.death}`;

/** The barcode of the superlevel filtration of x by the reference reduction (on −x), in x's units. */
function referenceSuperlevel(x: Volume) {
  const pairs = referencePersistence3d(x.map((plane) => plane.map((row) => row.map((v) => -v + 0))));
  const dim = (k: number) =>
    pairs
      .filter((p) => p.dim === k && p.death !== Infinity)
      .map((p) => text({ ...p, birth: -p.birth + 0, death: -p.death + 0 }))
      .sort();
  const essential = pairs.filter((p) => p.death === Infinity).map((p) => ({ dim: p.dim, birth: -p.birth + 0, birthVoxel: p.birthVoxel }));
  return { dim0: dim(0), dim1: dim(1), dim2: dim(2), essential };
}

/** The barcode of the sublevel filtration of x by the reference reduction, in x's units. */
function referenceSublevel(x: Volume) {
  const pairs = referencePersistence3d(x);
  const dim = (k: number) =>
    pairs
      .filter((p) => p.dim === k && p.death !== Infinity)
      .map(text)
      .sort();
  return { dim0: dim(0), dim1: dim(1), dim2: dim(2) };
}

const sorted = (b: Barcode3d) => ({ dim0: b.dim0.map(text).sort(), dim1: b.dim1.map(text).sort(), dim2: b.dim2.map(text).sort() });

/**
 * Plants a cavity: one interior voxel, or two neighbours along a row, get the lowest level and
 * their 26 neighbours levels from the upper half, so that random volumes with few levels exercise
 * dimension 2 as well, ties between the cubes that fill a cavity included.
 */
function plantCavity(random: () => number, v: Volume, levels: number): Volume {
  const [d, h, w] = [v.length, (v[0] as number[][]).length, ((v[0] as number[][])[0] as number[]).length];
  const long = w >= 5 && random() < 0.5 ? 1 : 0;
  const [z, r, c] = [1 + Math.floor(random() * (d - 2)), 1 + Math.floor(random() * (h - 2)), 1 + Math.floor(random() * (w - 2 - long))];
  const out = v.map((plane) => plane.map((row) => row.slice()));
  const set = (y: number, x: number, u: number, value: number) => {
    ((out[y] as number[][])[x] as number[])[u] = value;
  };
  for (let dz = -1; dz <= 1; dz++) {
    for (let dr = -1; dr <= 1; dr++) {
      for (let dc = -1; dc <= 1 + long; dc++) set(z + dz, r + dr, c + dc, (Math.ceil(levels / 2) + Math.floor(random() * Math.floor(levels / 2))) / (levels - 1));
    }
  }
  set(z, r, c, 0);
  set(z, r, c + long, 0);
  return out;
}

function randomVolume(random: () => number, d: number, h: number, w: number, levels?: number): Volume {
  return Array.from({ length: d }, () =>
    Array.from({ length: h }, () => Array.from({ length: w }, () => (levels === undefined ? random() : Math.floor(levels * random()) / (levels - 1)))),
  );
}

/** A volume of zeros with the voxels where `on(z, r, c)` holds set to 1. */
function shape(d: number, h: number, w: number, on: (z: number, r: number, c: number) => boolean): Volume {
  return Array.from({ length: d }, (_, z) => Array.from({ length: h }, (_, r) => Array.from({ length: w }, (_, c) => (on(z, r, c) ? 1 : 0))));
}

/** Betti numbers at level t read off a superlevel barcode: intervals with birth >= t > death. */
function bettiFromBarcode(b: Barcode3d, t: number): [number, number, number] {
  const alive = (p: { birth: number; death: number }) => p.birth >= t && t > p.death;
  return [b.dim0.filter(alive).length + b.essential.filter(alive).length, b.dim1.filter(alive).length, b.dim2.filter(alive).length];
}

const solidCube = shape(5, 5, 5, (z, r, c) => [z, r, c].every((x) => x >= 1 && x <= 3));
const shell = shape(3, 3, 3, (z, r, c) => !(z === 1 && r === 1 && c === 1));
const ring = shape(3, 5, 5, (z, r, c) => z === 1 && r >= 1 && r <= 3 && c >= 1 && c <= 3 && !(r === 2 && c === 2));
const blobs = shape(4, 6, 6, (z, r, c) => (z <= 1 && r <= 1 && c <= 1) || (z >= 2 && r >= 3 && c >= 4));

describe('cubicalPersistence3d', () => {
  it('gives a solid cube one essential component and nothing else', () => {
    const b = cubicalPersistence3d(solidCube);
    expect([b.dim0, b.dim1, b.dim2]).toEqual([[], [], []]);
    expect(b.essential).toEqual([{ dimension: 0, birth: 1, death: -Infinity, birthVoxel: [1, 1, 1], deathVoxel: null }]);
  });

  it('gives a hollow cube shell one cavity, filled by its centre voxel', () => {
    const b = cubicalPersistence3d(shell);
    expect([b.dim0, b.dim1]).toEqual([[], []]);
    // The cavity closes with the last square of value 1 in (z, row, col, type) order: the top face
    // at z = 2, spanning rows and cols 1..2; its voxel is the first from the highest index down.
    expect(b.dim2).toEqual([{ birth: 1, death: 0, birthVoxel: [2, 2, 2], deathVoxel: [1, 1, 1] }]);
    expect(bettiFromBarcode(b, 1)).toEqual([1, 0, 1]);
  });

  it('gives a ring one loop, filled by its centre voxel', () => {
    const b = cubicalPersistence3d(ring);
    expect([b.dim0, b.dim2]).toEqual([[], []]);
    expect(b.dim1.map(values)).toEqual(['1,0']);
    const ref = referenceSuperlevel(ring);
    expect(sorted(b)).toEqual({ dim0: ref.dim0, dim1: ref.dim1, dim2: ref.dim2 });
    expect(bettiFromBarcode(b, 1)).toEqual([1, 1, 0]);
  });

  it('gives a solid torus one loop and no cavity, a hollow one two loops and a cavity', () => {
    // A square annulus 3 voxels wide around a 3×3 hole, 5 voxels thick in z.
    const torus = (z: number, r: number, c: number) => z >= 1 && z <= 5 && r >= 1 && r <= 9 && c >= 1 && c <= 9 && !(r >= 4 && r <= 6 && c >= 4 && c <= 6);
    // Its core: the voxels whose 26 neighbours all lie in the torus, a ring running around the hole.
    const core = (z: number, r: number, c: number) => z >= 2 && z <= 4 && (((r === 2 || r === 8) && c >= 2 && c <= 8) || ((c === 2 || c === 8) && r >= 2 && r <= 8));
    const solid = cubicalPersistence3d(shape(7, 11, 11, torus));
    expect(bettiFromBarcode(solid, 1)).toEqual([1, 1, 0]);
    expect(solid.dim1.map(values)).toEqual(['1,0']);
    const hollow = cubicalPersistence3d(shape(7, 11, 11, (z, r, c) => torus(z, r, c) && !core(z, r, c)));
    expect(bettiFromBarcode(hollow, 1)).toEqual([1, 2, 1]);
    expect([hollow.dim1.map(values), hollow.dim2.map(values)]).toEqual([['1,0', '1,0'], ['1,0']]);
  });

  it('gives two blobs one finite and one essential component', () => {
    const b = cubicalPersistence3d(blobs);
    expect(b.dim0.map(values)).toEqual(['1,0']);
    expect([b.dim1, b.dim2]).toEqual([[], []]);
    // The younger blob is the one whose first voxel comes later; the elder holds the essential class.
    expect(b.dim0[0]?.birthVoxel).toEqual([2, 3, 4]);
    expect(b.essential[0]?.birthVoxel).toEqual([0, 0, 0]);
  });

  it('joins foreground through 6-neighbours only, and lets background through 26-neighbours', () => {
    // Two voxels sharing only an edge, or only a corner, are two components.
    expect(cubicalPersistence3d(shape(2, 2, 1, (z, r) => z === r)).dim0).toHaveLength(1);
    expect(cubicalPersistence3d(shape(2, 2, 2, (z, r, c) => z === r && r === c)).dim0).toHaveLength(1);
    // A shell missing one corner voxel encloses nothing: its centre reaches the corner diagonally.
    const open = shape(3, 3, 3, (z, r, c) => !(z === 1 && r === 1 && c === 1) && !(z === 0 && r === 0 && c === 0));
    expect(cubicalPersistence3d(open).dim2).toEqual([]);
  });

  it('reproduces the example of its doc', () => {
    expect(cubicalPersistence3d([[[1, 0, 0.6]]]).dim0).toEqual([{ birth: 0.6, death: 0, birthVoxel: [0, 0, 2], deathVoxel: [0, 0, 1] }]);
  });

  describe.each([
    ['without ties', undefined],
    ['with ties (3 levels)', 3],
    ['binary', 2],
  ] as const)('against a Z/2 reduction of the whole boundary matrix on 100 random 3×4×5 and 4×4×4 volumes %s', (_name, levels) => {
    const r = rng(levels === undefined ? 301 : 300 + levels);
    const volumes = Array.from({ length: 100 }, (_, k) => {
      const v = k % 4 === 3 ? randomVolume(r, 4, 4, 4, levels) : randomVolume(r, 3, 4, 5, levels);
      return levels !== undefined && k % 3 === 0 ? plantCavity(r, v, levels) : v;
    });

    it('superlevel: the same pairs, with the same critical voxels (same tie-breaking)', () => {
      let loops = 0;
      let cavities = 0;
      for (const v of volumes) {
        const ref = referenceSuperlevel(v);
        const got = cubicalPersistence3d(v);
        expect(sorted(got)).toEqual({ dim0: ref.dim0, dim1: ref.dim1, dim2: ref.dim2 });
        expect(ref.essential).toHaveLength(1);
        expect(got.essential).toEqual([{ dimension: 0, birth: ref.essential[0]?.birth, death: -Infinity, birthVoxel: ref.essential[0]?.birthVoxel, deathVoxel: null }]);
        loops += got.dim1.length;
        cavities += got.dim2.length;
      }
      // The volumes exercise every dimension.
      expect(loops).toBeGreaterThan(20);
      expect(cavities).toBeGreaterThan(5);
    });

    it('sublevel: the same pairs, with the same critical voxels', () => {
      for (const v of volumes) {
        const got = cubicalPersistence3d(v, { filtration: 'sublevel' });
        expect(sorted(got)).toEqual(referenceSublevel(v));
        expect(got.essential[0]?.death).toBe(Infinity);
      }
    });

    it('has the Betti numbers of a flood fill at every threshold', () => {
      for (const v of volumes.slice(0, 40)) {
        const b = cubicalPersistence3d(v);
        const levelsOf = [...new Set(v.flat(2))].sort((x, y) => x - y);
        for (const t of [...levelsOf, (levelsOf.at(-1) as number) + 1]) {
          expect(bettiFromBarcode(b, t)).toEqual(floodFillBetti3d(v.map((plane) => plane.map((row) => row.map((x) => x >= t)))));
        }
      }
    });

    it('reads every birth and death from its critical voxel', () => {
      for (const v of volumes.slice(0, 20)) {
        const b = cubicalPersistence3d(v);
        const at = ([z, r, c]: number[]) => v[z as number]?.[r as number]?.[c as number];
        for (const p of [...b.dim0, ...b.dim1, ...b.dim2]) {
          expect(at(p.birthVoxel)).toBe(p.birth);
          expect(at(p.deathVoxel)).toBe(p.death);
          expect(p.birth).toBeGreaterThan(p.death);
        }
      }
    });
  });

  it('reproduces the barcodes of the official code on 60 stored volumes, critical voxels included', () => {
    const bars = (p: Bar) => `${p.birthVoxel.join(':')}>${(p.deathVoxel as number[]).join(':')}`;
    let count = 0;
    for (const c of officialCases3d()) {
      const b = cubicalPersistence3d({ data: c.prediction, shape: c.shape });
      expect([b.dim0.map(bars).sort(), b.dim1.map(bars).sort(), b.dim2.map(bars).sort()]).toEqual(c.barcode.map((list) => list.slice().sort()));
      count += c.barcode.flat().length;
    }
    expect(count).toBeGreaterThan(500);
  });

  it('depends on the axes only through tie-breaking: a transposed volume without ties has the same bars', () => {
    const r = rng(17);
    for (let k = 0; k < 20; k++) {
      const v = randomVolume(r, 3, 4, 5);
      // (z, r, c) → (c, z, r)
      const t = Array.from({ length: 5 }, (_, c) => Array.from({ length: 3 }, (_, z) => Array.from({ length: 4 }, (_, y) => v[z]?.[y]?.[c] as number)));
      const a = cubicalPersistence3d(v);
      const b = cubicalPersistence3d(t);
      for (const key of ['dim0', 'dim1', 'dim2'] as const) expect(b[key].map(values).sort()).toEqual(a[key].map(values).sort());
    }
  });

  it('gives a 1×H×W volume the barcode of the 2D image', () => {
    const r = rng(19);
    for (let k = 0; k < 60; k++) {
      const levels = [undefined, 3, 2][k % 3];
      const img = randomVolume(r, 1, 6, 7, levels)[0] as number[][];
      for (const filtration of ['superlevel', 'sublevel'] as const) {
        const flat = cubicalPersistence(img, { filtration });
        const vol = cubicalPersistence3d([img], { filtration });
        const lift = (p: { birth: number; death: number; birthPixel: number[]; deathPixel: number[] }) => ({
          birth: p.birth,
          death: p.death,
          birthVoxel: [0, ...p.birthPixel],
          deathVoxel: [0, ...p.deathPixel],
        });
        // Components die along the same edges in the same order; holes come in another order.
        expect(vol.dim0).toEqual(flat.dim0.map(lift));
        expect(vol.dim1.map(text).sort()).toEqual(flat.dim1.map(lift).map(text).sort());
        expect(vol.dim2).toEqual([]);
        expect(vol.essential).toEqual(flat.essential.map((e) => ({ dimension: 0, birth: e.birth, death: e.death, birthVoxel: [0, ...e.birthPixel], deathVoxel: null })));
      }
    }
  });

  it('relative: equals the barcode of the volume framed by its maximum', () => {
    const r = rng(23);
    for (let k = 0; k < 30; k++) {
      const v = randomVolume(r, 2, 3, 3, k % 2 === 0 ? 3 : undefined);
      const top = Math.max(...v.flat(2));
      const framed = Array.from({ length: 4 }, (_, z) => Array.from({ length: 5 }, (_, y) => Array.from({ length: 5 }, (_, c) => v[z - 1]?.[y - 1]?.[c - 1] ?? top)));
      const ref = referenceSuperlevel(framed);
      const got = cubicalPersistence3d(v, { relative: true });
      const strip = (list: string[]) => list.map((s) => s.split(',').slice(0, 2).join()).sort();
      expect(got.dim0.map(values).sort()).toEqual(strip(ref.dim0));
      expect(got.dim1.map(values).sort()).toEqual(strip(ref.dim1));
      expect(got.dim2.map(values).sort()).toEqual(strip(ref.dim2));
      const at = ([z, y, c]: number[]) => v[z as number]?.[y as number]?.[c as number];
      for (const p of [...got.dim0, ...got.dim1, ...got.dim2]) {
        expect(at(p.birthVoxel)).toBe(p.birth);
        expect(at(p.deathVoxel)).toBe(p.death);
      }
    }
    // Relative to the border, a blob touching the border is joined to the frame, and the
    // background around an inner blob encloses a cavity.
    const corner = shape(3, 3, 3, (z, y, c) => z + y + c === 0);
    expect(cubicalPersistence3d(corner).dim0).toEqual([]);
    const inner = shape(3, 3, 3, (z, y, c) => z === 1 && y === 1 && c === 1);
    const rel = cubicalPersistence3d(inner, { relative: true });
    expect(rel.dim0.map(values)).toEqual(['1,0']);
    expect(rel.dim2.map(values)).toEqual(['1,0']);
  });

  it('reads tensors, nested arrays and flat data with a shape alike', () => {
    const r = rng(29);
    const v = randomVolume(r, 2, 3, 4);
    const expected = cubicalPersistence3d(v);
    const t = tf.tensor3d(v);
    expect(cubicalPersistence3d(t)).toEqual(cubicalPersistence3d({ data: Float32Array.from(v.flat(2)), shape: [2, 3, 4] }));
    t.dispose();
    expect(cubicalPersistence3d({ data: v.flat(2), shape: [2, 3, 4] })).toEqual(expected);
    expect(cubicalPersistence3d({ data: Float64Array.from(v.flat(2)), shape: [2, 3, 4] })).toEqual(expected);
  });

  it('handles a single voxel, a single line and a constant volume', () => {
    expect(cubicalPersistence3d([[[3]]])).toEqual({ dim0: [], dim1: [], dim2: [], essential: [{ dimension: 0, birth: 3, death: -Infinity, birthVoxel: [0, 0, 0], deathVoxel: null }] });
    const line = cubicalPersistence3d({ data: [2, 0, 1, 0, 3], shape: [5, 1, 1] });
    expect(line.dim0.map((p) => [p.birth, p.death, p.birthVoxel])).toEqual([
      [1, 0, [2, 0, 0]],
      [2, 0, [0, 0, 0]],
    ]);
    const flat = cubicalPersistence3d({ data: new Float32Array(3 * 4 * 2).fill(0.5), shape: [3, 4, 2] });
    expect([flat.dim0, flat.dim1, flat.dim2]).toEqual([[], [], []]);
  });

  it('throws the exact error for bad inputs and options', () => {
    const fn = (x: unknown, o?: unknown) => () => cubicalPersistence3d(x as number[][][], o as never);
    expect(fn([[1, 2, 3]])).toThrow(new LossInputError('cubicalPersistence3d: expected `image` to be a 3D image [D, H, W], got shape [1,3]'));
    expect(fn([[[]]])).toThrow('cubicalPersistence3d: expected `image` to hold at least one voxel, got shape [1,1,0]');
    expect(fn([])).toThrow('cubicalPersistence3d: expected `image` to be a 3D image [D, H, W], got shape [0]');
    expect(fn({ data: [1, 2], shape: [1, 2, 2] })).toThrow('cubicalPersistence3d: expected `image.data` to hold D·H·W = 4 values for shape [1,2,2], got 2 values');
    expect(fn({ data: [1, 2], shape: [1, 2] })).toThrow('cubicalPersistence3d: expected `image.shape` to be [D, H, W], got [1,2] (array)');
    expect(fn({ data: [1, 'a'], shape: [1, 1, 2] })).toThrow('cubicalPersistence3d: expected every value of `image.data` to be a number, got "a" (string) at index 1');
    expect(fn([[[0, 1]], [[2, Number.NaN]]])).toThrow('cubicalPersistence3d: expected every value of `image` to be a number, not NaN, got NaN at voxel [1,0,1]');
    expect(fn({ data: [0, 1, 2, Number.NaN, 4, 5], shape: [1, 2, 3] })).toThrow('cubicalPersistence3d: expected every value of `image` to be a number, not NaN, got NaN at voxel [0,1,0]');
    expect(fn([[[0]]], { filtration: 'up' })).toThrow(`cubicalPersistence3d: expected \`filtration\` to be one of 'superlevel' | 'sublevel', got "up" (string)`);
    expect(fn([[[0]]], { relative: 1 })).toThrow('cubicalPersistence3d: expected `relative` to be true or false, got 1 (number)');
    expect(fn([[[0]]], { threshold: 1 })).toThrow('cubicalPersistence3d: expected each option to be one of filtration, relative, got `threshold`');
  });

  it('computes a 40×40×40 barcode whose alternating counts give the Euler characteristic of the volume', () => {
    const r = rng(31);
    const n = 40;
    const data = Float32Array.from({ length: n * n * n }, () => r());
    const b = cubicalPersistence3d({ data, shape: [n, n, n] });
    // At the lowest level the whole box is in the set: β = (1, 0, 0).
    expect(bettiFromBarcode(b, data.reduce((a, v) => Math.min(a, v), 1))).toEqual([1, 0, 0]);
    expect(b.dim1.length).toBeGreaterThan(1000);
    expect(b.dim2.length).toBeGreaterThan(100);
  });
});
