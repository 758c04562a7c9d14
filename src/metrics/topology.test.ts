import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { rng } from '../../test/helpers.js';
import { loadRoadMask, ROAD_MASKS } from '../../test/roads.js';
import { floodFillBetti, type Grid, referenceBettiMatching } from '../../test/topology-reference.js';
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
    expect(() => bettiNumberError([1, 0], [1, 0])).toThrow('bettiNumberError: expected `yPred` to have shape [H,W], [N,H,W] or [N,H,W,1], got shape [2]');
    expect(() => bettiMatchingError([[1, 0.5]], [[1, 0]])).toThrow('bettiMatchingError: expected every value of `yTrue` to be 0 or 1 (a binary mask), got 0.5 at index 1');
    expect(() => bettiMatchingError([[1, 0]], [[1, Number.NaN]])).toThrow('bettiMatchingError: expected every value of `yPred` to be a number, not NaN, got NaN at flat index 1');
    expect(() => bettiMatchingError([[1]], [[1]], { dimensions: [3] })).toThrow('bettiMatchingError: expected `dimensions` to be a non-empty list of distinct dimensions from [0, 1], got [3] (array)');
    expect(() => bettiNumberError([[1]], [[1]], { relative: true } as never)).toThrow('bettiNumberError: expected each option to be one of threshold, dimensions, got `relative`');
    expect(() => bettiNumberError([[1]], [[1]], { threshold: Number.POSITIVE_INFINITY })).toThrow('bettiNumberError: expected `threshold` to be a finite number, got Infinity (number)');
    expect(() => bettiMatchingError([[]], [[]])).toThrow('bettiMatchingError: expected `yPred` to hold at least one pixel, got shape [1,0]');
  });
});
