import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { rng } from '../../test/helpers.js';
import { officialCases3d, referenceBettiMatching3d, type Volume } from '../../test/topology3d-reference.js';
import { bettiMatching } from './bettiMatching.js';
import { type BettiMatching3dResult, bettiMatching3d, type DimensionMatching3dResult } from './bettiMatching3d.js';
import type { PersistencePair3d } from './cubicalPersistence3d.js';

const text = (p: PersistencePair3d) => `${p.birthVoxel.join(':')}>${p.deathVoxel.join(':')}`;

function summary(m: DimensionMatching3dResult) {
  return {
    matched: m.matched.map((x) => `${text(x.prediction)}|${text(x.target)}`).sort(),
    unmatched0: m.unmatchedPrediction.map(text).sort(),
    unmatched1: m.unmatchedTarget.map(text).sort(),
  };
}

const errors = (m: BettiMatching3dResult) => [m.dim0, m.dim1, m.dim2].map((d) => d.unmatchedPrediction.length + d.unmatchedTarget.length);
const empty = { matched: [], unmatchedPrediction: [], unmatchedTarget: [] };

function shape(d: number, h: number, w: number, on: (z: number, r: number, c: number) => boolean): Volume {
  return Array.from({ length: d }, (_, z) => Array.from({ length: h }, (_, r) => Array.from({ length: w }, (_, c) => (on(z, r, c) ? 1 : 0))));
}

function randomVolume(random: () => number, d: number, h: number, w: number, levels?: number): Volume {
  return Array.from({ length: d }, () =>
    Array.from({ length: h }, () => Array.from({ length: w }, () => (levels === undefined ? random() : Math.floor(levels * random()) / (levels - 1)))),
  );
}

/** A binary target with a planted cavity around a random interior voxel (or two), and random elsewhere. */
function targetWithCavity(random: () => number, d: number, h: number, w: number): Volume {
  const v = randomVolume(random, d, h, w, 2);
  const [z, r, c] = [1 + Math.floor(random() * (d - 2)), 1 + Math.floor(random() * (h - 2)), 1 + Math.floor(random() * (w - 3))];
  const long = random() < 0.5 ? 1 : 0;
  for (let dz = -1; dz <= 1; dz++) for (let dr = -1; dr <= 1; dr++) for (let dc = -1; dc <= 1 + long; dc++) ((v[z + dz] as number[][])[r + dr] as number[])[c + dc] = 1;
  ((v[z] as number[][])[r] as number[])[c] = 0;
  ((v[z] as number[][])[r] as number[])[c + long] = 0;
  return v;
}

/** A prediction near a target: 0.6·target + 0.4·noise (distinct values), or a few levels of it. */
function near(random: () => number, target: Volume, levels?: number): Volume {
  return target.map((plane) =>
    plane.map((row) =>
      row.map((t) => {
        const x = 0.6 * t + 0.4 * random();
        return levels === undefined ? x : Math.round(x * (levels - 1)) / (levels - 1);
      }),
    ),
  );
}

const neg = (v: Volume) => v.map((plane) => plane.map((row) => row.map((x) => -x + 0)));
const shell = shape(5, 5, 5, (z, r, c) => Math.max(Math.abs(z - 2), Math.abs(r - 2), Math.abs(c - 2)) === 1);
const ring = shape(3, 5, 5, (z, r, c) => z === 1 && Math.max(Math.abs(r - 2), Math.abs(c - 2)) === 1);

describe('bettiMatching3d', () => {
  it('matches a shell, a ring and their defects', () => {
    const same = bettiMatching3d(shell, shell);
    expect(errors(same)).toEqual([0, 0, 0]);
    expect(same.dim2.matched).toHaveLength(1);
    // A hole in the shell opens the cavity: the target's cavity is unmatched.
    const open = shell.map((plane) => plane.map((row) => row.slice()));
    ((open[1] as number[][])[2] as number[])[2] = 0;
    const b = bettiMatching3d(open, shell);
    expect(errors(b)).toEqual([0, 0, 1]);
    expect(b.dim2.unmatchedTarget).toEqual([{ birth: 1, death: 0, birthVoxel: [3, 3, 3], deathVoxel: [2, 2, 2] }]);
    // A broken ring: the target's loop is unmatched; a ring against itself: one matched loop.
    expect(bettiMatching3d(ring, ring).dim1.matched).toHaveLength(1);
    const broken = ring.map((plane) => plane.map((row) => row.slice()));
    ((broken[1] as number[][])[1] as number[])[2] = 0;
    expect(errors(bettiMatching3d(broken, ring))).toEqual([0, 1, 0]);
    // An extra blob in the prediction.
    const extra = shell.map((plane) => plane.map((row) => row.slice()));
    ((extra[4] as number[][])[4] as number[])[4] = 1;
    expect(errors(bettiMatching3d(extra, shell))).toEqual([1, 0, 0]);
  });

  it('reproduces the example of its doc', () => {
    expect(bettiMatching3d([[[1, 0, 1]]], [[[1, 0, 0]]]).dim0.unmatchedPrediction).toHaveLength(1);
  });

  it('matches a feature only where the comparison image joins them (location matters)', () => {
    // A cavity each, at different places: equal barcodes, nothing matched.
    const cavityAt = (c0: number) => shape(3, 3, 7, (z, r, c) => c >= c0 - 1 && c <= c0 + 1 && !(z === 1 && r === 1 && c === c0));
    expect(errors(bettiMatching3d(cavityAt(1), cavityAt(5)))).toEqual([0, 0, 2]);
    expect(errors(bettiMatching3d(cavityAt(1), cavityAt(1)))).toEqual([0, 0, 0]);
  });

  describe.each([
    ['without ties', undefined],
    ['with ties (3 levels)', 3],
    ['binary', 2],
  ] as const)('against an independent reduction-based implementation on random volumes %s', (_name, levels) => {
    const r = rng(levels === undefined ? 51 : 50 + levels);
    it('gives the same matched and unmatched pairs, critical voxels included', () => {
      const matched = [0, 0, 0];
      for (let k = 0; k < 100; k++) {
        const [d, h, w] = k % 2 === 0 ? [3, 4, 5] : [4, 4, 5];
        const g = k % 3 === 0 ? targetWithCavity(r, d, h, w) : randomVolume(r, d, h, w, 2);
        const p = k % 2 === 0 ? near(r, g, levels) : randomVolume(r, d, h, w, levels);
        const ref = referenceBettiMatching3d(neg(p), neg(g));
        const got = bettiMatching3d(p, g);
        [got.dim0, got.dim1, got.dim2].forEach((dm, dim) => {
          const want = ref.dims[dim] as (typeof ref.dims)[number];
          expect(summary(dm)).toEqual({
            matched: want.matched.map(([a, b]) => `${a}|${b}`).sort(),
            unmatched0: want.unmatched0.slice().sort(),
            unmatched1: want.unmatched1.slice().sort(),
          });
          matched[dim]! += dm.matched.length;
        });
      }
      // Every dimension has matches to compare.
      expect(Math.min(...matched)).toBeGreaterThan(5);
    });

    it("'sublevel': the same against the reference on the volumes themselves", () => {
      for (let k = 0; k < 30; k++) {
        const g = randomVolume(r, 3, 4, 4, 2);
        const p = randomVolume(r, 3, 4, 4, levels);
        const ref = referenceBettiMatching3d(p, g);
        const got = bettiMatching3d(p, g, { filtration: 'sublevel' });
        [got.dim0, got.dim1, got.dim2].forEach((dm, dim) => {
          const want = ref.dims[dim] as (typeof ref.dims)[number];
          expect(summary(dm).matched).toEqual(want.matched.map(([a, b]) => `${a}|${b}`).sort());
          expect(summary(dm).unmatched0).toEqual(want.unmatched0.slice().sort());
        });
      }
    });
  });

  it('reproduces the matchings of the official code on 60 stored volume pairs, critical voxels included', () => {
    const matched = [0, 0, 0];
    for (const c of officialCases3d()) {
      const m = bettiMatching3d({ data: c.prediction, shape: c.shape }, { data: c.target, shape: c.shape });
      [m.dim0, m.dim1, m.dim2].forEach((dm, d) => {
        expect(summary(dm)).toEqual({
          matched: (c.matched[d] as [string, string][]).map(([a, b]) => `${a}|${b}`).sort(),
          unmatched0: (c.unmatched0[d] as string[]).slice().sort(),
          unmatched1: (c.unmatched1[d] as string[]).slice().sort(),
        });
        matched[d]! += dm.matched.length;
      });
    }
    expect(Math.min(...matched)).toBeGreaterThan(5);
  });

  it('gives a 1×H×W volume the matching of the 2D images', () => {
    const r = rng(53);
    for (let k = 0; k < 40; k++) {
      const p = randomVolume(r, 1, 6, 6, k % 2 === 0 ? undefined : 3)[0] as number[][];
      const g = randomVolume(r, 1, 6, 6, 2)[0] as number[][];
      const flat = bettiMatching(p, g);
      const vol = bettiMatching3d([p], [g]);
      const lift = (x: { birthPixel: number[]; deathPixel: number[] }) => `0:${x.birthPixel.join(':')}>0:${x.deathPixel.join(':')}`;
      for (const [a, b] of [
        [flat.dim0, vol.dim0],
        [flat.dim1, vol.dim1],
      ] as const) {
        expect(summary(b)).toEqual({
          matched: a.matched.map((m) => `${lift(m.prediction)}|${lift(m.target)}`).sort(),
          unmatched0: a.unmatchedPrediction.map(lift).sort(),
          unmatched1: a.unmatchedTarget.map(lift).sort(),
        });
      }
      expect(vol.dim2).toEqual(empty);
    }
  });

  it('matches a volume with itself perfectly, each bar with itself', () => {
    const r = rng(55);
    for (let k = 0; k < 20; k++) {
      const v = randomVolume(r, 4, 5, 5, k % 2 === 0 ? 3 : undefined);
      const m = bettiMatching3d(v, v);
      expect(errors(m)).toEqual([0, 0, 0]);
      for (const d of [m.dim0, m.dim1, m.dim2]) for (const { prediction, target } of d.matched) expect(prediction).toEqual(target);
    }
  });

  it('is symmetric: swapping the volumes swaps the roles', () => {
    const r = rng(57);
    for (let k = 0; k < 20; k++) {
      const g = targetWithCavity(r, 4, 4, 5);
      const p = near(r, g);
      const a = bettiMatching3d(p, g);
      const b = bettiMatching3d(g, p);
      for (const [x, y] of [
        [a.dim0, b.dim0],
        [a.dim1, b.dim1],
        [a.dim2, b.dim2],
      ] as const) {
        expect(x.matched.map((m) => `${text(m.prediction)}|${text(m.target)}`).sort()).toEqual(y.matched.map((m) => `${text(m.target)}|${text(m.prediction)}`).sort());
        expect(x.unmatchedPrediction).toEqual(y.unmatchedTarget);
      }
    }
  });

  it('depends only on the order of the values: a strictly increasing map of both volumes changes no voxel', () => {
    const r = rng(59);
    const warp = (x: number) => x ** 3 + 2 * x - 5;
    for (let k = 0; k < 15; k++) {
      const g = targetWithCavity(r, 4, 4, 5);
      const p = near(r, g, k % 2 === 0 ? 4 : undefined);
      const a = bettiMatching3d(p, g);
      const b = bettiMatching3d(
        p.map((plane) => plane.map((row) => row.map(warp))),
        g.map((plane) => plane.map((row) => row.map(warp))),
      );
      for (const key of ['dim0', 'dim1', 'dim2'] as const) expect(summary(b[key])).toEqual(summary(a[key]));
    }
  });

  it('matches the dimensions asked for, with the same result as all together', () => {
    const r = rng(61);
    const g = targetWithCavity(r, 6, 6, 6);
    const p = near(r, g);
    const all = bettiMatching3d(p, g);
    for (const dims of [[0], [1], [2], [0, 2], [1, 2]]) {
      const some = bettiMatching3d(p, g, { dimensions: dims });
      for (const [k, key] of (['dim0', 'dim1', 'dim2'] as const).entries()) expect(some[key]).toEqual(dims.includes(k) ? all[key] : empty);
    }
  });

  it('relative: components touching the border join the frame, background touching it encloses cavities', () => {
    const blob = shape(4, 4, 4, (z, r, c) => z === 2 && r === 2 && c === 2);
    const corner = shape(4, 4, 4, (z, r, c) => (z === 2 && r === 2 && c === 2) || z + r + c === 0);
    // Without the frame the corner voxel is an extra component; with it, it joins the border.
    expect(errors(bettiMatching3d(corner, blob))).toEqual([1, 0, 0]);
    const framed = bettiMatching3d(corner, blob, { relative: true });
    // The inner blob is a component of both, and the background around it a cavity of both.
    expect(errors(framed)).toEqual([0, 0, 0]);
    expect([framed.dim0.matched.length, framed.dim2.matched.length]).toEqual([1, 1]);
    // Against an empty volume: the blob and the framed background are unmatched.
    expect(errors(bettiMatching3d(blob, shape(4, 4, 4, () => false), { relative: true }))).toEqual([1, 0, 1]);
  });

  it('reads tensors and flat data alike', () => {
    const r = rng(63);
    const g = targetWithCavity(r, 3, 4, 5);
    const p = near(r, g, 5);
    const expected = bettiMatching3d(p, g);
    const [tp, tg] = [tf.tensor3d(p), tf.tensor3d(g)];
    expect(bettiMatching3d(tp, { data: g.flat(2), shape: [3, 4, 5] })).toEqual(bettiMatching3d({ data: Float32Array.from(p.flat(2)), shape: [3, 4, 5] }, tg));
    tf.dispose([tp, tg]);
    expect(bettiMatching3d({ data: p.flat(2), shape: [3, 4, 5] }, g)).toEqual(expected);
  });

  it('throws the exact error for bad inputs and options', () => {
    expect(() => bettiMatching3d([[[1, 0]]], [[[1], [0]]])).toThrow('bettiMatching3d: expected `prediction` and `target` to have the same shape, got [1,1,2] and [1,2,1]');
    expect(() => bettiMatching3d([[[1]]], [[[1]]], { dimensions: [3] })).toThrow(
      'bettiMatching3d: expected `dimensions` to be a non-empty list of distinct dimensions from [0, 1, 2], got [3] (array)',
    );
    expect(() => bettiMatching3d([[[1]]], [[[1]]], { dimensions: [1, 1] })).toThrow(
      'bettiMatching3d: expected `dimensions` to be a non-empty list of distinct dimensions from [0, 1, 2], got [1,1] (array)',
    );
    expect(() => bettiMatching3d([[[1]]], [[[1]]], { dimension: 0 } as never)).toThrow('bettiMatching3d: expected each option to be one of filtration, relative, dimensions, got `dimension`');
    expect(() => bettiMatching3d([[[1]]], [[[1]]], { filtration: 'x' } as never)).toThrow(
      `bettiMatching3d: expected \`filtration\` to be one of 'superlevel' | 'sublevel', got "x" (string)`,
    );
    expect(() => bettiMatching3d([[[1]]], [[[Number.NaN]]])).toThrow('bettiMatching3d: expected every value of `target` to be a number, not NaN, got NaN at voxel [0,0,0]');
    expect(() => bettiMatching3d([[1]] as never, [[[1]]])).toThrow('bettiMatching3d: expected `prediction` to be a 3D image [D, H, W], got shape [1,1]');
  });
});
