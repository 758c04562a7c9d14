import { describe, expect, it } from 'vitest';
import { rng } from '../../test/helpers.js';
import { loadRoadMask, ROAD_MASKS } from '../../test/roads.js';
import { type Grid, referenceBettiMatching } from '../../test/topology-reference.js';
import { type BettiMatchingResult, bettiMatching, type DimensionMatching } from './bettiMatching.js';
import type { PersistencePair } from './cubicalPersistence.js';

const text = (p: PersistencePair) => `${p.birthPixel.join(':')}>${p.deathPixel.join(':')}`;

function summary(m: DimensionMatching) {
  return {
    matched: m.matched.map((x) => `${text(x.prediction)}|${text(x.target)}`).sort(),
    unmatched0: m.unmatchedPrediction.map(text).sort(),
    unmatched1: m.unmatchedTarget.map(text).sort(),
  };
}

const errors = (m: BettiMatchingResult) => [m.dim0, m.dim1].map((d) => d.unmatchedPrediction.length + d.unmatchedTarget.length);

function randomImage(random: () => number, h: number, w: number, levels?: number): Grid {
  return Array.from({ length: h }, () => Array.from({ length: w }, () => (levels === undefined ? random() : Math.floor(levels * random()) / (levels - 1))));
}

const ring9: Grid = Array.from({ length: 9 }, (_, r) =>
  Array.from({ length: 9 }, (_, c) => (((r === 2 || r === 6) && c >= 2 && c <= 6) || ((c === 2 || c === 6) && r >= 2 && r <= 6) ? 1 : 0)),
);

describe('bettiMatching', () => {
  it('reproduces the reference values of the specification (9×9 ring)', () => {
    const same = bettiMatching(ring9, ring9);
    expect(errors(same)).toEqual([0, 0]);
    expect(same.dim1.matched).toHaveLength(1);
    const broken = ring9.map((row) => row.slice());
    (broken[2] as number[])[4] = 0; // 4-connectivity breaks the ring: the target's hole is unmatched
    const b = bettiMatching(broken, ring9);
    expect(errors(b)).toEqual([0, 1]);
    expect(b.dim1.unmatchedTarget).toEqual([{ birth: 1, death: 0, birthPixel: [6, 6], deathPixel: [5, 5] }]);
    const extra = ring9.map((row) => row.slice());
    (extra[0] as number[])[8] = 1; // an extra component in the prediction
    const e = bettiMatching(extra, ring9);
    expect(errors(e)).toEqual([1, 0]);
    expect(e.dim1.matched).toHaveLength(1);
  });

  it('reproduces the example of its doc', () => {
    expect(bettiMatching([[1, 0, 1]], [[1, 0, 0]]).dim0.unmatchedPrediction).toHaveLength(1);
  });

  it('matches a feature only where the comparison image joins them (location matters)', () => {
    // One blob each, at different places: not matched, although the barcodes are equal.
    const left = [
      [1, 0, 0, 0],
      [0, 0, 0, 0],
    ];
    const right = [
      [0, 0, 0, 1],
      [0, 0, 0, 0],
    ];
    const twoLeft = [
      [1, 0, 1, 0],
      [0, 0, 0, 0],
    ];
    const twoRight = [
      [0, 1, 0, 1],
      [0, 0, 0, 0],
    ];
    expect(errors(bettiMatching(twoLeft, twoRight))).toEqual([2, 0]);
    // Here the comparison image has two components, {0, 1} and {3, 4}: the prediction's second
    // component (pixel 4) and the target's (pixels 3, 4) both live in the second one.
    const m = bettiMatching([[1, 1, 0, 0, 1]], [[1, 0, 0, 1, 1]]);
    expect(errors(m)).toEqual([0, 0]);
    expect(m.dim0.matched).toEqual([
      { prediction: { birth: 1, death: 0, birthPixel: [0, 4], deathPixel: [0, 3] }, target: { birth: 1, death: 0, birthPixel: [0, 3], deathPixel: [0, 2] } },
    ]);
    expect(errors(bettiMatching(left, right))).toEqual([0, 0]); // essential classes are left out
  });

  describe.each([
    ['without ties', undefined],
    ['with ties (3 levels)', 3],
    ['binary', 2],
  ] as const)('against an independent implementation on random images %s', (_name, levels) => {
    const r = rng(levels === undefined ? 21 : 20 + levels);
    it('gives the same matched and unmatched pairs, critical pixels included', () => {
      for (let k = 0; k < 100; k++) {
        const [h, w] = k % 2 === 0 ? [6, 6] : [5, 7];
        const p = randomImage(r, h, w, levels);
        const g = randomImage(r, h, w, levels === undefined ? 2 : levels);
        const ref = referenceBettiMatching(
          p.map((row) => row.map((v) => -v + 0)),
          g.map((row) => row.map((v) => -v + 0)),
        );
        const got = bettiMatching(p, g);
        [got.dim0, got.dim1].forEach((d, dim) => {
          const want = ref.dims[dim] as (typeof ref.dims)[number];
          expect(summary(d)).toEqual({
            matched: want.matched.map(([a, b]) => `${a}|${b}`).sort(),
            unmatched0: want.unmatched0.slice().sort(),
            unmatched1: want.unmatched1.slice().sort(),
          });
        });
      }
    });
  });

  it('matches an image with itself perfectly, each bar with itself', () => {
    const r = rng(4);
    for (let k = 0; k < 20; k++) {
      const img = randomImage(r, 7, 6, k % 2 === 0 ? 3 : undefined);
      const m = bettiMatching(img, img);
      expect(errors(m)).toEqual([0, 0]);
      for (const d of [m.dim0, m.dim1]) for (const { prediction, target } of d.matched) expect(prediction).toEqual(target);
    }
    const road = loadRoadMask(ROAD_MASKS[0]);
    const img = { data: road.data, shape: [road.height, road.width] };
    expect(errors(bettiMatching(img, img))).toEqual([0, 0]);
  });

  it('is symmetric: swapping the images swaps the roles', () => {
    const r = rng(6);
    for (let k = 0; k < 20; k++) {
      const p = randomImage(r, 6, 6);
      const g = randomImage(r, 6, 6, 2);
      const a = bettiMatching(p, g);
      const b = bettiMatching(g, p);
      for (const [x, y] of [
        [a.dim0, b.dim0],
        [a.dim1, b.dim1],
      ] as const) {
        expect(x.matched.map((m) => `${text(m.prediction)}|${text(m.target)}`).sort()).toEqual(y.matched.map((m) => `${text(m.target)}|${text(m.prediction)}`).sort());
        expect(x.unmatchedPrediction).toEqual(y.unmatchedTarget);
      }
    }
  });

  it('depends only on the order of the values: a strictly increasing map of both images changes no pixel', () => {
    const r = rng(8);
    const warp = (x: number) => x ** 3 + 2 * x - 5;
    for (let k = 0; k < 20; k++) {
      const p = randomImage(r, 6, 5, k % 2 === 0 ? 4 : undefined);
      const g = randomImage(r, 6, 5, 2);
      const a = bettiMatching(p, g);
      const b = bettiMatching(
        p.map((row) => row.map(warp)),
        g.map((row) => row.map(warp)),
      );
      expect(summary(b.dim0)).toEqual(summary(a.dim0));
      expect(summary(b.dim1)).toEqual(summary(a.dim1));
    }
  });

  it('matches the dimensions asked for, with the same result as both together', () => {
    const r = rng(10);
    const p = randomImage(r, 8, 8);
    const g = randomImage(r, 8, 8, 2);
    const both = bettiMatching(p, g);
    const only0 = bettiMatching(p, g, { dimensions: [0] });
    const only1 = bettiMatching(p, g, { dimensions: [1] });
    expect(only0.dim0).toEqual(both.dim0);
    expect(only1.dim1).toEqual(both.dim1);
    expect(only0.dim1).toEqual({ matched: [], unmatchedPrediction: [], unmatchedTarget: [] });
    expect(only1.dim0).toEqual({ matched: [], unmatchedPrediction: [], unmatchedTarget: [] });
  });

  it("'sublevel' equals the superlevel matching of the negated images", () => {
    const r = rng(12);
    const p = randomImage(r, 6, 6);
    const g = randomImage(r, 6, 6, 2);
    const neg = (x: Grid) => x.map((row) => row.map((v) => -v));
    const a = bettiMatching(p, g, { filtration: 'sublevel' });
    const b = bettiMatching(neg(p), neg(g));
    expect(summary(a.dim0)).toEqual(summary(b.dim0));
    expect(summary(a.dim1)).toEqual(summary(b.dim1));
  });

  it('relative: components touching the border join the frame, background touching it encloses holes', () => {
    const pred = [
      [1, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 0],
    ];
    const target = [
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 0],
    ];
    // Without the frame the corner pixel is an extra component; with it, it joins the border.
    expect(errors(bettiMatching(pred, target))).toEqual([1, 0]);
    const framed = bettiMatching(pred, target, { relative: true });
    // The frame and the corner are one component; the inner blob is a component of both, matched;
    // the background is a hole of both (it touches the frame all around), matched.
    expect(errors(framed)).toEqual([0, 0]);
    expect(framed.dim0.matched).toHaveLength(1);
    expect(framed.dim1.matched).toHaveLength(1);
    const apart = bettiMatching(target, [
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ], { relative: true });
    // Against an empty image (whose frame is 0 too): the blob and the framed background are unmatched.
    expect(errors(apart)).toEqual([1, 1]);
  });

  it('throws the exact error for bad inputs and options', () => {
    expect(() => bettiMatching([[1, 0]], [[1], [0]])).toThrow('bettiMatching: expected `prediction` and `target` to have the same shape, got [1,2] and [2,1]');
    expect(() => bettiMatching([[1]], [[1]], { dimensions: [2] })).toThrow('bettiMatching: expected `dimensions` to be a non-empty list of distinct dimensions from [0, 1], got [2] (array)');
    expect(() => bettiMatching([[1]], [[1]], { dimensions: [] })).toThrow('bettiMatching: expected `dimensions` to be a non-empty list of distinct dimensions from [0, 1], got [] (array)');
    expect(() => bettiMatching([[1]], [[1]], { dimension: 0 } as never)).toThrow('bettiMatching: expected each option to be one of filtration, relative, dimensions, got `dimension`');
    expect(() => bettiMatching([[1]], [[Number.NaN]])).toThrow('bettiMatching: expected every value of `target` to be a number, not NaN, got NaN at pixel [0,0]');
  });
});
