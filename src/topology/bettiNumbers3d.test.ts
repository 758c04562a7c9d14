import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { rng } from '../../test/helpers.js';
import { floodFillBetti3d, type Volume } from '../../test/topology3d-reference.js';
import { bettiNumbers } from './bettiNumbers.js';
import { bettiNumbers3d } from './bettiNumbers3d.js';
import { cubicalPersistence3d } from './cubicalPersistence3d.js';

function shape(d: number, h: number, w: number, on: (z: number, r: number, c: number) => boolean): Volume {
  return Array.from({ length: d }, (_, z) => Array.from({ length: h }, (_, r) => Array.from({ length: w }, (_, c) => (on(z, r, c) ? 1 : 0))));
}

const mask = (v: Volume, inside: (x: number) => boolean) => v.map((plane) => plane.map((row) => row.map(inside)));

describe('bettiNumbers3d', () => {
  it('counts a solid cube, a hollow shell, a ring, a solid and a hollow torus, two blobs', () => {
    expect(bettiNumbers3d(shape(5, 5, 5, (z, r, c) => [z, r, c].every((x) => x >= 1 && x <= 3)))).toEqual([1, 0, 0]);
    expect(bettiNumbers3d(shape(3, 3, 3, (z, r, c) => !(z === 1 && r === 1 && c === 1)))).toEqual([1, 0, 1]);
    expect(bettiNumbers3d(shape(3, 5, 5, (z, r, c) => z === 1 && r >= 1 && r <= 3 && c >= 1 && c <= 3 && !(r === 2 && c === 2)))).toEqual([1, 1, 0]);
    const torus = (z: number, r: number, c: number) => z >= 1 && z <= 5 && r >= 1 && r <= 9 && c >= 1 && c <= 9 && !(r >= 4 && r <= 6 && c >= 4 && c <= 6);
    const core = (z: number, r: number, c: number) => z >= 2 && z <= 4 && (((r === 2 || r === 8) && c >= 2 && c <= 8) || ((c === 2 || c === 8) && r >= 2 && r <= 8));
    expect(bettiNumbers3d(shape(7, 11, 11, torus))).toEqual([1, 1, 0]);
    expect(bettiNumbers3d(shape(7, 11, 11, (z, r, c) => torus(z, r, c) && !core(z, r, c)))).toEqual([1, 2, 1]);
    expect(bettiNumbers3d(shape(4, 6, 6, (z, r, c) => (z <= 1 && r <= 1 && c <= 1) || (z >= 2 && r >= 3 && c >= 4)))).toEqual([2, 0, 0]);
    // Two nested shells: two components, two cavities.
    const nested = shape(7, 7, 7, (z, r, c) => {
      const d = Math.max(Math.abs(z - 3), Math.abs(r - 3), Math.abs(c - 3));
      return d === 3 || d === 1;
    });
    expect(bettiNumbers3d(nested)).toEqual([2, 0, 2]);
    expect(bettiNumbers3d([[[0, 0]]])).toEqual([0, 0, 0]);
  });

  it('reproduces the example of its doc', () => {
    const ones = [
      [1, 1, 1],
      [1, 1, 1],
      [1, 1, 1],
    ];
    expect(
      bettiNumbers3d([
        ones,
        [
          [1, 1, 1],
          [1, 0, 1],
          [1, 1, 1],
        ],
        ones,
      ]),
    ).toEqual([1, 0, 1]);
  });

  it('equals a flood fill with the Euler characteristic on random masks', () => {
    const r = rng(41);
    const total = [0, 0, 0];
    for (let k = 0; k < 100; k++) {
      const [d, h, w] = k % 2 === 0 ? [4, 5, 6] : [6, 6, 6];
      const p = [0.3, 0.5, 0.7, 0.9][k % 4] as number;
      const v = shape(d, h, w, () => r() < p);
      const b = bettiNumbers3d(v);
      expect(b).toEqual(floodFillBetti3d(mask(v, (x) => x >= 0.5)));
      b.forEach((x, i) => {
        total[i]! += x;
      });
    }
    // Every number is exercised.
    expect(Math.min(...total)).toBeGreaterThan(10);
  });

  it('counts the intervals of the barcode alive at the threshold, {x >= t} and {x <= t}', () => {
    const r = rng(43);
    for (let k = 0; k < 30; k++) {
      const data = Array.from({ length: 5 * 6 * 7 }, () => Math.round(10 * r()) / 10);
      const img = { data, shape: [5, 6, 7] };
      const t = [0.3, 0.5, 0.7][k % 3] as number;
      for (const filtration of ['superlevel', 'sublevel'] as const) {
        const b = cubicalPersistence3d(img, { filtration });
        const sign = filtration === 'superlevel' ? 1 : -1;
        const alive = (p: { birth: number; death: number }) => sign * p.birth >= sign * t && sign * t > sign * p.death;
        const expected = [b.dim0.filter(alive).length + b.essential.filter(alive).length, b.dim1.filter(alive).length, b.dim2.filter(alive).length];
        expect(bettiNumbers3d(img, { threshold: t, filtration })).toEqual(expected);
      }
    }
  });

  it('gives a single slice the 2D Betti numbers with no cavity', () => {
    const r = rng(47);
    for (let k = 0; k < 20; k++) {
      const img = Array.from({ length: 8 }, () => Array.from({ length: 9 }, () => (r() < 0.55 ? 1 : 0)));
      expect(bettiNumbers3d([img])).toEqual([...bettiNumbers(img), 0]);
    }
  });

  it('reads a tensor', () => {
    const t = tf.tensor3d(shape(3, 3, 3, (z, r, c) => !(z === 1 && r === 1 && c === 1)));
    expect(bettiNumbers3d(t, { threshold: 1 })).toEqual([1, 0, 1]);
    t.dispose();
  });

  it('throws the exact error for bad inputs and options', () => {
    expect(() => bettiNumbers3d([[[1]]], { threshold: Number.NaN })).toThrow('bettiNumbers3d: expected `threshold` to be a finite number, got NaN (number)');
    expect(() => bettiNumbers3d([[[1]]], { relative: true } as never)).toThrow('bettiNumbers3d: expected each option to be one of threshold, filtration, got `relative`');
    expect(() => bettiNumbers3d([[[1]]], { filtration: 'both' } as never)).toThrow(
      `bettiNumbers3d: expected \`filtration\` to be one of 'superlevel' | 'sublevel', got "both" (string)`,
    );
    expect(() => bettiNumbers3d([[1]] as never)).toThrow('bettiNumbers3d: expected `image` to be a 3D image [D, H, W], got shape [1,1]');
    expect(() => bettiNumbers3d({ data: [], shape: [0, 2, 2] })).toThrow('bettiNumbers3d: expected `image` to hold at least one voxel, got shape [0,2,2]');
    expect(() => bettiNumbers3d([[[Number.NaN]]])).toThrow('bettiNumbers3d: expected every value of `image` to be a number, not NaN, got NaN at voxel [0,0,0]');
  });
});
