import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { rng } from '../../test/helpers.js';
import { loadRoadMask, ROAD_MASKS } from '../../test/roads.js';
import { floodFillBetti, type Grid, referenceBettiMatching } from '../../test/topology-reference.js';
import { floodFillBetti3d, referenceBettiMatching3d, type Volume } from '../../test/topology3d-reference.js';
import { bettiMatchingError, bettiNumberError } from './topology.js';

// ---- Float64 references from test/topology-reference (independent matching and flood fill) ----
const binarise = (x: Grid, t = 0.5) => x.map((row) => row.map((v) => (v > t ? 1 : 0)));
function refMatchingError(g: Grid, p: Grid, dims = [0, 1]): number {
  const m = referenceBettiMatching(
    binarise(p).map((row) => row.map((v) => -v + 0)),
    g.map((row) => row.map((v) => -v + 0)),
  );
  return dims.reduce((a, d) => a + (m.dims[d]?.unmatched0.length ?? 0) + (m.dims[d]?.unmatched1.length ?? 0), 0);
}
function refNumberError(g: Grid, p: Grid, dims = [0, 1]): number {
  const bp = floodFillBetti(binarise(p).map((row) => row.map((v) => v === 1)));
  const bg = floodFillBetti(g.map((row) => row.map((v) => v === 1)));
  return dims.reduce((a, d) => a + Math.abs((bp[d] as number) - (bg[d] as number)), 0);
}

const ring9: Grid = Array.from({ length: 9 }, (_, r) =>
  Array.from({ length: 9 }, (_, c) => (((r === 2 || r === 6) && c >= 2 && c <= 6) || ((c === 2 || c === 6) && r >= 2 && r <= 6) ? 1 : 0)),
);
const edit = (img: Grid, r: number, c: number, v: number) => img.map((row, i) => row.map((x, j) => (i === r && j === c ? v : x)));

function randomMasks(seed: number, n: number, h: number, w: number) {
  const r = rng(seed);
  const y = Array.from({ length: n }, () => Array.from({ length: h }, () => Array.from({ length: w }, () => (r() < 0.5 ? 1 : 0))));
  const p = Array.from({ length: n }, () => Array.from({ length: h }, () => Array.from({ length: w }, () => r())));
  return { y, p };
}

describe('bettiMatchingError', () => {
  it('reproduces the reference values of the specification (9×9 ring) and its doc example', () => {
    expect(bettiMatchingError(ring9, ring9)).toBe(0);
    expect(bettiMatchingError(ring9, edit(ring9, 2, 4, 0))).toBe(1);
    expect(bettiMatchingError(ring9, edit(ring9, 0, 8, 1))).toBe(1);
    expect(bettiMatchingError(ring9, edit(ring9, 0, 8, 1), { dimensions: [1] })).toBe(0);
    expect(bettiMatchingError([[1, 0, 1]], [[1, 0, 0]])).toBe(1);
  });

  it('relative: a component touching the border joins the frame', () => {
    expect(bettiMatchingError(ring9, edit(ring9, 0, 8, 1), { relative: true })).toBe(0);
    expect(bettiMatchingError(ring9, edit(ring9, 4, 4, 1), { relative: true })).toBe(1);
  });

  it('equals the independent count of unmatched bars, averaged over the batch', () => {
    const { y, p } = randomMasks(1, 30, 6, 7);
    const expected = y.map((g, i) => refMatchingError(g, p[i] as Grid));
    expect(bettiMatchingError(y, p)).toBeCloseTo(expected.reduce((a, b) => a + b, 0) / 30, 12);
    y.slice(0, 10).forEach((g, i) => {
      expect(bettiMatchingError(g, p[i] as Grid)).toBe(expected[i]);
      expect(bettiMatchingError(g, p[i] as Grid, { dimensions: [0] })).toBe(refMatchingError(g, p[i] as Grid, [0]));
    });
  });

  it('scores road masks: 0 against themselves, more with a cut road', () => {
    const road = loadRoadMask(ROAD_MASKS[2]);
    const t = tf.tensor3d(Float32Array.from(road.data), [1, road.height, road.width]);
    expect(bettiMatchingError(t, t)).toBe(0);
    const cut = Float32Array.from(road.data);
    for (let r = 0; r < road.height; r++) for (let c = 180; c < 184; c++) cut[r * road.width + c] = 0;
    const p = tf.tensor3d(cut, [1, road.height, road.width]);
    expect(bettiMatchingError(t, p)).toBeGreaterThan(0);
    tf.dispose([t, p]);
  });

  it('thresholds the prediction: values above `threshold` are foreground', () => {
    expect(bettiMatchingError([[1, 0, 1]], [[0.9, 0.2, 0.6]])).toBe(0);
    expect(bettiMatchingError([[1, 0, 1]], [[0.9, 0.2, 0.6]], { threshold: 0.6 })).toBe(1);
  });
});

describe('bettiNumberError', () => {
  it('reproduces its doc example', () => {
    expect(bettiNumberError(ring9, ring9)).toBe(0);
    expect(bettiNumberError(ring9, edit(ring9, 2, 4, 0))).toBe(1);
    expect(
      bettiNumberError(
        [
          [1, 1, 1],
          [1, 0, 1],
          [1, 1, 1],
        ],
        [
          [1, 1, 1],
          [1, 0, 0],
          [1, 1, 1],
        ],
      ),
    ).toBe(1);
  });

  it('ignores where the features are (unlike the matching error)', () => {
    const left = [[1, 0, 0, 0]];
    const right = [[0, 0, 0, 1]];
    expect(bettiNumberError(left, right)).toBe(0);
    expect(bettiMatchingError([[1, 0, 1, 0]], [[0, 1, 0, 1]])).toBe(2);
  });

  it('equals |Δβ0| + |Δβ1| of flood fills, averaged over the batch', () => {
    const { y, p } = randomMasks(2, 30, 7, 6);
    const expected = y.map((g, i) => refNumberError(g, p[i] as Grid));
    expect(bettiNumberError(y, p)).toBeCloseTo(expected.reduce((a, b) => a + b, 0) / 30, 12);
    y.slice(0, 10).forEach((g, i) => {
      expect(bettiNumberError(g, p[i] as Grid, { dimensions: [1] })).toBe(refNumberError(g, p[i] as Grid, [1]));
    });
  });

  it.each(ROAD_MASKS)('is 0 for the road mask %s against itself and counts a cut', (name) => {
    const road = loadRoadMask(name);
    const img = Array.from({ length: road.height }, (_, r) => Array.from(road.data.subarray(r * road.width, (r + 1) * road.width)));
    expect(bettiNumberError(img, img)).toBe(0);
    const cut = img.map((row, r) => (r >= 100 && r < 103 ? row.map(() => 0) : row));
    expect(bettiNumberError(img, cut)).toBe(refNumberError(img, cut));
  });
});

describe('topology metrics: inputs', () => {
  it('accept [H,W], [N,H,W] and [N,H,W,1], arrays and tensors alike, and keep no tensor', () => {
    const { y, p } = randomMasks(3, 3, 5, 5);
    const batch = bettiMatchingError(y, p);
    const yt = tf.tensor4d(y.flat(2), [3, 5, 5, 1]);
    const pt = tf.tensor4d(p.flat(2), [3, 5, 5, 1]);
    const before = tf.memory().numTensors;
    expect(bettiMatchingError(yt, pt)).toBeCloseTo(batch, 12);
    expect(bettiNumberError(yt, pt)).toBeCloseTo(bettiNumberError(y, p), 12);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([yt, pt]);
  });

  it('throw the exact error for bad inputs and options', () => {
    expect(() => bettiMatchingError([[1, 0]], [[1, 0, 0]])).toThrow('bettiMatchingError: expected `yTrue` and `yPred` to have the same shape, got [1,2] and [1,3]');
    expect(() => bettiNumberError([1, 0], [1, 0])).toThrow(
      'bettiNumberError: expected `yPred` to have shape [H,W], [N,H,W] or [N,H,W,1] (images), [N,D,H,W] or [N,D,H,W,1] (volumes), got shape [2]',
    );
    expect(() => bettiMatchingError([[1, 0.5]], [[1, 0]])).toThrow('bettiMatchingError: expected every value of `yTrue` to be 0 or 1 (a binary mask), got 0.5 at index 1');
    expect(() => bettiMatchingError([[1, 0]], [[1, Number.NaN]])).toThrow('bettiMatchingError: expected every value of `yPred` to be a number, not NaN, got NaN at flat index 1');
    expect(() => bettiMatchingError([[1]], [[1]], { dimensions: [3] })).toThrow('bettiMatchingError: expected `dimensions` to be a non-empty list of distinct dimensions from [0, 1], got [3] (array)');
    expect(() => bettiNumberError([[1]], [[1]], { relative: true } as never)).toThrow('bettiNumberError: expected each option to be one of threshold, dimensions, got `relative`');
    expect(() => bettiNumberError([[1]], [[1]], { threshold: Number.POSITIVE_INFINITY })).toThrow('bettiNumberError: expected `threshold` to be a finite number, got Infinity (number)');
    expect(() => bettiMatchingError([[]], [[]])).toThrow('bettiMatchingError: expected `yPred` to hold at least one pixel, got shape [1,0]');
  });
});

// ---- Volumes [N,D,H,W]: references from test/topology3d-reference (boundary-matrix reduction, flood fill) ----
const binarise3d = (x: Volume, t = 0.5) => x.map((plane) => plane.map((row) => row.map((v) => (v > t ? 1 : 0))));
const negate3d = (x: Volume) => x.map((plane) => plane.map((row) => row.map((v) => -v + 0)));
/** A frame of foreground voxels around a volume (the `relative` border of a binary mask). */
const frame3d = (x: Volume): Volume => {
  const [d, h, w] = [x.length, (x[0] as number[][]).length, ((x[0] as number[][])[0] as number[]).length];
  return Array.from({ length: d + 2 }, (_, z) =>
    Array.from({ length: h + 2 }, (_, r) =>
      Array.from({ length: w + 2 }, (_, c) => (z === 0 || r === 0 || c === 0 || z === d + 1 || r === h + 1 || c === w + 1 ? 1 : (((x[z - 1] as number[][])[r - 1] as number[])[c - 1] as number))),
    ),
  );
};
function refMatchingError3d(g: Volume, p: Volume, dims = [0, 1, 2], relative = false): number {
  const frame = relative ? frame3d : (x: Volume) => x;
  const m = referenceBettiMatching3d(negate3d(frame(binarise3d(p))), negate3d(frame(g)));
  return dims.reduce((a, d) => a + (m.dims[d]?.unmatched0.length ?? 0) + (m.dims[d]?.unmatched1.length ?? 0), 0);
}
function refNumberError3d(g: Volume, p: Volume, dims = [0, 1, 2]): number {
  const bp = floodFillBetti3d(binarise3d(p).map((plane) => plane.map((row) => row.map((v) => v === 1))));
  const bg = floodFillBetti3d(g.map((plane) => plane.map((row) => row.map((v) => v === 1))));
  return dims.reduce((a, d) => a + Math.abs((bp[d] as number) - (bg[d] as number)), 0);
}

/** Random masks and probabilities [d, h, w]; a cavity (a 3×3×3 shell) is planted in every second target and every third prediction. */
function randomVolumes(seed: number, n: number, d: number, h: number, w: number) {
  const r = rng(seed);
  const cube = (f: () => number) => Array.from({ length: d }, () => Array.from({ length: h }, () => Array.from({ length: w }, f)));
  const plant = (v: Volume, on: number, off: number) => {
    const [z, i, j] = [1 + Math.floor(r() * (d - 2)), 1 + Math.floor(r() * (h - 2)), 1 + Math.floor(r() * (w - 2))];
    for (let a = -1; a <= 1; a++) for (let b = -1; b <= 1; b++) for (let c = -1; c <= 1; c++) ((v[z + a] as number[][])[i + b] as number[])[j + c] = on;
    ((v[z] as number[][])[i] as number[])[j] = off;
  };
  const y = Array.from({ length: n }, (_, k) => {
    const v = cube(() => (r() < 0.6 ? 1 : 0));
    if (k % 2 === 0) plant(v, 1, 0);
    return v;
  });
  const p = Array.from({ length: n }, (_, k) => {
    const v = cube(() => r());
    if (k % 3 === 0) plant(v, 0.9, 0.1);
    return v;
  });
  return { y, p };
}

const shell: Volume = Array.from({ length: 5 }, (_, z) =>
  Array.from({ length: 5 }, (_, r) => Array.from({ length: 5 }, (_, c) => (Math.max(Math.abs(z - 2), Math.abs(r - 2), Math.abs(c - 2)) === 1 ? 1 : 0))),
);
const edit3d = (v: Volume, z: number, r: number, c: number, x: number) => v.map((plane, i) => plane.map((row, j) => row.map((t, k) => (i === z && j === r && k === c ? x : t))));

describe('topology metrics on volumes', () => {
  it('a hollow cube: one cavity; opening it or adding a voxel outside costs one feature', () => {
    // Opening the shell: the cavity is gone (β2 1 → 0); a loose voxel: one more component.
    const opened = edit3d(shell, 1, 2, 2, 0);
    const extra = edit3d(shell, 4, 4, 4, 1);
    expect(bettiMatchingError([shell], [shell])).toBe(0);
    expect(bettiNumberError([shell], [shell])).toBe(0);
    expect(bettiMatchingError([shell], [opened])).toBe(1);
    expect(bettiNumberError([shell], [opened])).toBe(1);
    expect(bettiMatchingError([shell], [opened], { dimensions: [0, 1] })).toBe(0);
    expect(bettiMatchingError([shell], [extra])).toBe(1);
    expect(bettiNumberError([shell], [extra], { dimensions: [2] })).toBe(0);
    // Moving the cavity: the numbers agree, the matching does not.
    const moved = shell.map((plane) => plane.map((row) => [0, ...row.slice(0, 4)]));
    expect(bettiNumberError([shell], [moved])).toBe(0);
    expect(bettiMatchingError([shell], [moved], { dimensions: [2] })).toBe(2);
  });

  it('bettiMatchingError equals the independent count of unmatched bars in dimensions 0, 1, 2, averaged over the volumes', () => {
    const { y, p } = randomVolumes(4, 12, 4, 4, 4);
    const expected = y.map((g, i) => refMatchingError3d(g, p[i] as Volume));
    expect(expected.some((e) => e > 0)).toBe(true);
    expect(bettiMatchingError(y, p)).toBeCloseTo(expected.reduce((a, b) => a + b, 0) / 12, 12);
    const perDim = [0, 1, 2].map((d) => y.reduce((a, g, i) => a + refMatchingError3d(g, p[i] as Volume, [d]), 0));
    expect(perDim.every((e) => e > 0)).toBe(true);
    for (const d of [0, 1, 2]) expect(bettiMatchingError(y, p, { dimensions: [d] })).toBeCloseTo((perDim[d] as number) / 12, 12);
    expect(bettiMatchingError(y, p, { dimensions: [2, 0] })).toBeCloseTo(((perDim[0] as number) + (perDim[2] as number)) / 12, 12);
  });

  it('bettiMatchingError, relative: the reference on volumes framed with foreground', () => {
    const { y, p } = randomVolumes(5, 6, 3, 3, 4);
    const expected = y.map((g, i) => refMatchingError3d(g, p[i] as Volume, [0, 1, 2], true));
    expect(expected).not.toEqual(y.map((g, i) => refMatchingError3d(g, p[i] as Volume)));
    y.forEach((g, i) => {
      expect(bettiMatchingError([g], [p[i] as Volume], { relative: true })).toBe(expected[i]);
    });
  });

  it('bettiNumberError equals Σ|Δβ| of [β0, β1, β2] by flood fill, averaged over the volumes', () => {
    const { y, p } = randomVolumes(6, 20, 4, 5, 5);
    const expected = y.map((g, i) => refNumberError3d(g, p[i] as Volume));
    expect(bettiNumberError(y, p)).toBeCloseTo(expected.reduce((a, b) => a + b, 0) / 20, 12);
    for (const d of [0, 1, 2]) {
      const want = y.reduce((a, g, i) => a + refNumberError3d(g, p[i] as Volume, [d]), 0);
      expect(want).toBeGreaterThan(0);
      expect(bettiNumberError(y, p, { dimensions: [d] })).toBeCloseTo(want / 20, 12);
    }
  });

  it('volumes one slice deep score as the images; [N,D,H,W,1] as [N,D,H,W]; [N,D,H,1] is images, [N,D,H,1,1] volumes', () => {
    const { y, p } = randomMasks(7, 5, 6, 7);
    const deep = (x: Grid[]) => x.map((img) => [img]);
    expect(bettiMatchingError(deep(y), deep(p))).toBe(bettiMatchingError(y, p));
    expect(bettiNumberError(deep(y), deep(p))).toBe(bettiNumberError(y, p));
    expect(bettiMatchingError(y, p)).toBeGreaterThan(0);
    const v = randomVolumes(8, 3, 3, 4, 5);
    const channel = (x: Volume[]) => tf.tensor5d(x.flat(3), [3, 3, 4, 5, 1]);
    const [yt, pt] = [channel(v.y), channel(v.p)];
    expect(bettiMatchingError(yt, pt)).toBe(bettiMatchingError(v.y, v.p));
    expect(bettiNumberError(yt, pt)).toBe(bettiNumberError(v.y, v.p));
    tf.dispose([yt, pt]);
    const thin = (x: Grid[]) => x.map((img) => img.map((row) => row.map((t) => [[t]])));
    const asChannel = (x: Grid[]) => x.map((img) => img.map((row) => row.map((t) => [t])));
    expect(bettiMatchingError(asChannel(y), asChannel(p))).toBe(bettiMatchingError(y, p));
    expect(bettiMatchingError(thin(y), thin(p))).toBe(bettiMatchingError(y, p));
    expect(bettiNumberError(thin(y), thin(p), { dimensions: [0, 1, 2] })).toBe(bettiNumberError(y, p));
  });

  it('throw the exact error for bad volume shapes and dimensions', () => {
    const v = [[[[1, 0]]]];
    expect(() => bettiMatchingError(v, [[[[1, 0, 0]]]])).toThrow('bettiMatchingError: expected `yTrue` and `yPred` to have the same shape, got [1,1,1,2] and [1,1,1,3]');
    expect(() => bettiNumberError([[[[[1, 0]]]]], [[[[[1, 0]]]]])).toThrow(
      'bettiNumberError: expected `yPred` to have shape [H,W], [N,H,W] or [N,H,W,1] (images), [N,D,H,W] or [N,D,H,W,1] (volumes), got shape [1,1,1,1,2]',
    );
    expect(() => bettiMatchingError([[[[]]]], [[[[]]]])).toThrow('bettiMatchingError: expected `yPred` to hold at least one voxel, got shape [1,1,1,0]');
    expect(() => bettiMatchingError(v, v, { dimensions: [3] })).toThrow(
      'bettiMatchingError: expected `dimensions` to be a non-empty list of distinct dimensions from [0, 1, 2], got [3] (array)',
    );
    expect(() => bettiNumberError([[1]], [[1]], { dimensions: [0, 2] })).toThrow(
      'bettiNumberError: expected `dimensions` to be a non-empty list of distinct dimensions from [0, 1] for images (dimension 2 needs volumes [N,D,H,W] or [N,D,H,W,1]; a 4D shape ending in 1 is read as images [N,H,W,1]), got [0,2] (array)',
    );
    expect(() => bettiMatchingError([[[[1, 0.5]]]], v)).toThrow('bettiMatchingError: expected every value of `yTrue` to be 0 or 1 (a binary mask), got 0.5 at index 1');
  });
});
