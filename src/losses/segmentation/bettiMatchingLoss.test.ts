import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, rng } from '../../../test/helpers.js';
import { loadRoadMask, ROAD_MASKS } from '../../../test/roads.js';
import { type Grid, referenceBettiMatching } from '../../../test/topology-reference.js';
import { referenceBettiMatching3d, type Volume } from '../../../test/topology3d-reference.js';
import { bettiMatching3d } from '../../topology/bettiMatching3d.js';
import { LossInputError } from '../_shared/errors.js';
import { type BettiMatchingLossOptions, bettiMatchingLoss } from './bettiMatchingLoss.js';

interface RefOptions {
  dimensions?: number[];
  filtration?: 'superlevel' | 'sublevel';
  relative?: boolean;
  includeTargetUnmatched?: boolean;
  matchedWeight?: number;
  unmatchedWeight?: number;
}

/** The loss of one image pair in float64, from the independent matching of test/topology-reference. */
function referenceImageLoss(g: Grid, p: Grid, o: RefOptions = {}): number {
  const { dimensions = [0, 1], filtration = 'superlevel', relative = false, includeTargetUnmatched = true, matchedWeight = 1, unmatchedWeight = 1 } = o;
  const frame = (x: Grid) => {
    const flat = x.flat();
    const v = filtration === 'superlevel' ? Math.max(...flat) : Math.min(...flat);
    const w = (x[0] as number[]).length + 2;
    return [new Array(w).fill(v), ...x.map((row) => [v, ...row, v]), new Array(w).fill(v)];
  };
  const P = relative ? frame(p) : p;
  const G = relative ? frame(g) : g;
  const toSublevel = (x: Grid) => x.map((row) => row.map((v) => (filtration === 'superlevel' ? -v + 0 : v)));
  const m = referenceBettiMatching(toSublevel(P), toSublevel(G));
  const read = (img: Grid, s: string) => {
    const [b, d] = s.split('>').map((xy) => xy.split(':').map(Number)) as [[number, number], [number, number]];
    return [(img[b[0]] as number[])[b[1]] as number, (img[d[0]] as number[])[d[1]] as number] as const;
  };
  let loss = 0;
  for (const dim of dimensions) {
    const { matched, unmatched0, unmatched1 } = m.dims[dim] as (typeof m.dims)[number];
    for (const [a, b] of matched) {
      const [pb, pd] = read(P, a);
      const [gb, gd] = read(G, b);
      loss += 2 * matchedWeight * ((pb - gb) ** 2 + (pd - gd) ** 2);
    }
    for (const a of unmatched0) {
      const [pb, pd] = read(P, a);
      loss += unmatchedWeight * (pb - pd) ** 2;
    }
    if (includeTargetUnmatched) {
      for (const b of unmatched1) {
        const [gb, gd] = read(G, b);
        loss += (gb - gd) ** 2;
      }
    }
  }
  return loss;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

function referenceLoss(y: Grid[], p: Grid[], o: RefOptions & { fromLogits?: boolean } = {}): number[] {
  return y.map((g, s) => referenceImageLoss(g, o.fromLogits ? (p[s] as Grid).map((row) => row.map(sigmoid)) : (p[s] as Grid), o));
}

/** N float32-representable probability maps and binary masks of shape [h, w]. */
function batch(seed: number, n: number, h: number, w: number) {
  const r = rng(seed);
  const y = Array.from({ length: n }, () => Array.from({ length: h }, () => Array.from({ length: w }, () => (r() < 0.45 ? 1 : 0))));
  const p = Array.from({ length: n }, () => Array.from({ length: h }, () => Array.from({ length: w }, () => Math.fround(0.05 + 0.9 * r()))));
  return { y, p };
}

const value = (t: tf.Tensor) => {
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
};

const ring9: Grid = Array.from({ length: 9 }, (_, r) =>
  Array.from({ length: 9 }, (_, c) => (((r === 2 || r === 6) && c >= 2 && c <= 6) || ((c === 2 || c === 6) && r >= 2 && r <= 6) ? 1 : 0)),
);

describe('bettiMatchingLoss', () => {
  describe('against the float64 reference', () => {
    const { y, p } = batch(1, 4, 6, 7);
    const cases: [string, BettiMatchingLossOptions & RefOptions][] = [
      ['defaults', {}],
      ['dimension 0 only', { dimensions: [0] }],
      ['dimension 1 only', { dimensions: [1] }],
      ['sublevel', { filtration: 'sublevel' }],
      ['relative', { relative: true }],
      ['without the target term, weighted', { includeTargetUnmatched: false, matchedWeight: 0.5, unmatchedWeight: 3 }],
    ];
    it.each(cases)('per image: %s', (_name, options) => {
      expectClose(value(bettiMatchingLoss(y, p, { ...options, reduction: 'none' })), referenceLoss(y, p, options as RefOptions), 1e-5, 1e-6);
    });

    it('from logits', () => {
      const r = rng(2);
      const logits = p.map((img) => img.map((row) => row.map(() => Math.fround(4 * r() - 2))));
      expectClose(value(bettiMatchingLoss(y, logits, { fromLogits: true, reduction: 'none' })), referenceLoss(y, logits, { fromLogits: true }), 1e-5, 1e-6);
    });

    it('on larger soft targets (both images soft)', () => {
      const a = batch(3, 2, 12, 10);
      const b = batch(4, 2, 12, 10);
      expectClose(value(bettiMatchingLoss(a.p, b.p, { reduction: 'none' })), referenceLoss(a.p, b.p), 1e-5, 1e-6);
    });
  });

  it('reproduces the reference values of the specification (9×9 ring, binary: one per unmatched interval)', () => {
    const loss = (pred: Grid) => value(bettiMatchingLoss([ring9], [pred]))[0];
    expect(loss(ring9)).toBe(0);
    const broken = ring9.map((row) => row.slice());
    (broken[2] as number[])[4] = 0;
    expect(loss(broken)).toBe(1); // the target's hole, unmatched: (1 − 0)²
    const extra = ring9.map((row) => row.slice());
    (extra[0] as number[])[8] = 1;
    expect(loss(extra)).toBe(1); // the prediction's extra component: (1 − 0)²
  });

  it('reproduces the example of its doc', () => {
    expectClose(value(bettiMatchingLoss([[[1, 0, 1]]], [[[0.9, 0.2, 0.6]]])), [2 * (0.4 ** 2 + 0.2 ** 2)], 1e-6);
  });

  describe('gradient', () => {
    const { y, p } = batch(5, 2, 6, 6);
    it.each([
      ['defaults', {}],
      ['relative, sublevel', { relative: true, filtration: 'sublevel' }],
      ['weighted, dimension 1', { dimensions: [1], matchedWeight: 2, unmatchedWeight: 0.5 }],
    ] as [string, RefOptions][])('matches finite differences of the reference: %s', (_name, options) => {
      const x = tf.tensor3d(p);
      const g = tf.grad((z: tf.Tensor) => bettiMatchingLoss(y, z, { ...options, reduction: 'sum' }))(x);
      const unflat = (v: number[]) => Array.from({ length: 2 }, (_, s) => Array.from({ length: 6 }, (_, r) => v.slice(s * 36 + r * 6, s * 36 + r * 6 + 6)));
      const numeric = numericGradient((v) => referenceLoss(y, unflat(v), options).reduce((a, b) => a + b, 0), p.flat(2));
      expectClose(value(g), numeric, 1e-4, 1e-5);
      x.dispose();
    });

    it('reaches only critical pixels, with the local derivatives of the formula', () => {
      // One extra component in the prediction at (0, 2), value 0.6, dying at 0.2 through (0, 1).
      const g = value(tf.grad((z: tf.Tensor) => bettiMatchingLoss([[[1, 0, 0]]], z))(tf.tensor3d([[[0.9, 0.2, 0.6]]])));
      expectClose(g, [0, -2 * (0.6 - 0.2), 2 * (0.6 - 0.2)], 1e-6);
    });

    it('from logits: the chain rule through the sigmoid', () => {
      const z0 = [[[2, -1.5, 0.5]]];
      const g = value(tf.grad((z: tf.Tensor) => bettiMatchingLoss([[[1, 0, 0]]], z, { fromLogits: true }))(tf.tensor3d(z0)));
      const numeric = numericGradient((v) => referenceLoss([[[1, 0, 0]]], [[v]], { fromLogits: true })[0] as number, [2, -1.5, 0.5]);
      expectClose(g, numeric, 1e-4, 1e-6);
    });
  });

  describe('invariances', () => {
    it('is 0 with a zero gradient when the prediction equals the target (binary or soft)', () => {
      const { y, p } = batch(7, 3, 7, 7);
      for (const target of [y, p]) {
        expect(value(bettiMatchingLoss(target, target, { reduction: 'none' }))).toEqual([0, 0, 0]);
        const g = value(tf.grad((z: tf.Tensor) => bettiMatchingLoss(target, z))(tf.tensor3d(target)));
        expect(g.every((v) => v === 0)).toBe(true);
      }
      const road = loadRoadMask(ROAD_MASKS[1]);
      const t = tf.tensor3d(Float32Array.from(road.data), [1, road.height, road.width]);
      expect(value(bettiMatchingLoss(t, t))).toEqual([0]);
      t.dispose();
    });

    it("superlevel of (y, p) equals sublevel of (1 − y, 1 − p)", () => {
      const { y, p } = batch(8, 3, 6, 6);
      const flip = (x: Grid[]) => x.map((img) => img.map((row) => row.map((v) => 1 - v)));
      expectClose(value(bettiMatchingLoss(flip(y), flip(p), { filtration: 'sublevel', reduction: 'none' })), value(bettiMatchingLoss(y, p, { reduction: 'none' })), 1e-5, 1e-6);
    });

    it('the target term is a constant: it changes the value, not the gradient', () => {
      const { y, p } = batch(9, 2, 6, 6);
      const x = tf.tensor3d(p);
      const with_ = value(tf.grad((z: tf.Tensor) => bettiMatchingLoss(y, z))(x));
      const without = value(tf.grad((z: tf.Tensor) => bettiMatchingLoss(y, z, { includeTargetUnmatched: false }))(x));
      expectClose(with_, without, 1e-6, 1e-7);
      x.dispose();
    });

    it('decreases when a gap in a ring closes (the matched hole is restored)', () => {
      const gap = ring9.map((row) => row.map((v) => v * 0.9 + 0.05));
      (gap[2] as number[])[4] = 0.3;
      const before = value(bettiMatchingLoss([ring9], [gap]))[0] as number;
      const g = value(tf.grad((z: tf.Tensor) => bettiMatchingLoss([ring9], z))(tf.tensor3d([gap])));
      expect(g[2 * 9 + 4]).toBeLessThan(0); // raising the gap pixel lowers the loss
      (gap[2] as number[])[4] = 0.8;
      expect(value(bettiMatchingLoss([ring9], [gap]))[0]).toBeLessThan(before);
    });
  });

  describe('extreme inputs', () => {
    it('stays finite for logits of ±1e4, all-equal predictions and an empty target', () => {
      const r = rng(10);
      const y = [Array.from({ length: 5 }, () => Array.from({ length: 5 }, () => (r() < 0.5 ? 1 : 0)))];
      const big = [y[0]!.map((row) => row.map(() => (r() < 0.5 ? 1e4 : -1e4)))];
      const flat = [y[0]!.map((row) => row.map(() => 0.5))];
      const empty = [y[0]!.map((row) => row.map(() => 0))];
      for (const [target, pred, o] of [
        [y, big, { fromLogits: true }],
        [y, flat, {}],
        [empty, flat, {}],
        [empty, big, { fromLogits: true }],
      ] as [Grid[], Grid[], BettiMatchingLossOptions][]) {
        const x = tf.tensor3d(pred);
        expectFinite(bettiMatchingLoss(target, x, o));
        expectFinite(tf.grad((z: tf.Tensor) => bettiMatchingLoss(target, z, o))(x));
        x.dispose();
      }
    });

    it('propagates NaN of a prediction to its own sample only', () => {
      const { y, p } = batch(11, 2, 4, 4);
      (p[1]![0] as number[])[0] = Number.NaN;
      const v = value(bettiMatchingLoss(y, p, { reduction: 'none' }));
      expect(Number.isFinite(v[0])).toBe(true);
      expect(v[1]).toBeNaN();
    });

    it('accepts [N,H,W,1] and single-pixel images', () => {
      const { y, p } = batch(12, 2, 5, 5);
      const a = value(bettiMatchingLoss(y, p, { reduction: 'none' }));
      const y4 = tf.expandDims(tf.tensor3d(y), -1);
      const p4 = tf.expandDims(tf.tensor3d(p), -1);
      expectClose(value(bettiMatchingLoss(y4, p4, { reduction: 'none' })), a, 1e-6);
      tf.dispose([y4, p4]);
      expect(value(bettiMatchingLoss([[[1]]], [[[0.3]]]))).toEqual([0]);
    });
  });

  describe('options', () => {
    const { y, p } = batch(13, 4, 6, 6);
    const none = () => value(bettiMatchingLoss(y, p, { reduction: 'none' }));

    it("'none' / 'sum' / 'mean'", () => {
      const per = none();
      expect(per).toHaveLength(4);
      expectClose(value(bettiMatchingLoss(y, p, { reduction: 'sum' })), [per.reduce((a, b) => a + b, 0)], 1e-5);
      expectClose(value(bettiMatchingLoss(y, p)), [per.reduce((a, b) => a + b, 0) / 4], 1e-5);
    });

    it('weights: the weighted mean sum(w·l)/sum(w)', () => {
      const per = none();
      const w = [1, 0, 2, 0.5];
      const expected = per.reduce((a, l, i) => a + l * (w[i] as number), 0) / 3.5;
      expectClose(value(bettiMatchingLoss(y, p, { weights: w })), [expected], 1e-5);
      expectClose(value(bettiMatchingLoss(y, p, { weights: [1, 1, 1, 1] })), value(bettiMatchingLoss(y, p)), 1e-6);
    });

    it('matchedWeight and unmatchedWeight scale their terms', () => {
      const only = (o: RefOptions) => referenceLoss(y, p, { includeTargetUnmatched: false, ...o });
      const matched = only({ unmatchedWeight: 0 });
      const unmatched = only({ matchedWeight: 0 });
      const got = value(bettiMatchingLoss(y, p, { includeTargetUnmatched: false, matchedWeight: 3, unmatchedWeight: 0.25, reduction: 'none' }));
      expectClose(got, matched.map((m, i) => 3 * m + 0.25 * (unmatched[i] as number)), 1e-5, 1e-6);
    });
  });

  it('leaks no tensors, in value or gradient', () => {
    const { y, p } = batch(14, 2, 6, 6);
    const x = tf.tensor3d(p);
    const t = tf.tensor3d(y);
    expect(leakedTensors(() => bettiMatchingLoss(t, x))).toBe(0);
    expect(leakedTensors(() => bettiMatchingLoss(t, x, { fromLogits: true, relative: true, weights: [1, 2] }))).toBe(0);
    expect(leakedTensors(() => tf.grad((z: tf.Tensor) => bettiMatchingLoss(t, z))(x))).toBe(0);
    tf.dispose([x, t]);
  });

  it('throws the exact error for bad inputs and options', () => {
    const y = [[[1, 0]]];
    const p = [[[0.5, 0.5]]];
    const call = (a: unknown, b: unknown, o?: unknown) => () => bettiMatchingLoss(a as Grid[], b as Grid[], o as never);
    expect(call(y, [[[0.5, 0.5, 0.1]]])).toThrow(new LossInputError('bettiMatchingLoss: expected `yTrue` and `yPred` to have the same shape, got [1,1,2] and [1,1,3]'));
    expect(call([[1, 0]], [[0.5, 0.5]])).toThrow(
      'bettiMatchingLoss: expected `yPred` to have shape [N,H,W] or [N,H,W,1] (images), [N,D,H,W] or [N,D,H,W,1] (volumes), got shape [1,2]',
    );
    expect(call([[[2, 0]]], p)).toThrow('bettiMatchingLoss: expected every value of `yTrue` to lie in [0, 1], got 2 at flat index 0');
    expect(call(y, p, { dimensions: [0, 0] })).toThrow('bettiMatchingLoss: expected `dimensions` to be a non-empty list of distinct dimensions from [0, 1], got [0,0] (array)');
    expect(call(y, p, { dimensions: 1 })).toThrow('bettiMatchingLoss: expected `dimensions` to be a non-empty list of distinct dimensions from [0, 1], got 1 (number)');
    expect(call(y, p, { filtration: 'both' })).toThrow(`bettiMatchingLoss: expected \`filtration\` to be one of 'superlevel' | 'sublevel', got "both" (string)`);
    expect(call(y, p, { matchedWeight: -1 })).toThrow('bettiMatchingLoss: expected `matchedWeight` to be a finite number >= 0, got -1 (number)');
    expect(call(y, p, { fromLogits: 'yes' })).toThrow('bettiMatchingLoss: expected `fromLogits` to be true or false, got "yes" (string)');
    expect(call(y, p, { mode: 'binary' })).toThrow(
      'bettiMatchingLoss: expected each option to be one of dimensions, filtration, fromLogits, relative, includeTargetUnmatched, matchedWeight, unmatchedWeight, reduction, weights, got `mode`',
    );
    expect(call(y, p, { reduction: 'avg' })).toThrow(`bettiMatchingLoss: expected \`reduction\` to be one of 'mean' | 'sum' | 'none', got "avg" (string)`);
  });
});

// ---- Volumes [N,D,H,W] ----

/**
 * The loss of one volume pair in float64, from the pairs of the public `bettiMatching3d` (values
 * read from the volumes at the critical voxels it reports): the formula written out again.
 */
function referenceVolumeLoss(g: Volume, p: Volume, o: RefOptions = {}): number {
  const { dimensions = [0, 1, 2], filtration = 'superlevel', relative = false, includeTargetUnmatched = true, matchedWeight = 1, unmatchedWeight = 1 } = o;
  const m = bettiMatching3d(p, g, { filtration, relative, dimensions });
  let loss = 0;
  for (const dim of dimensions) {
    const d = [m.dim0, m.dim1, m.dim2][dim] as (typeof m)['dim0'];
    for (const { prediction: q, target: r } of d.matched) loss += 2 * matchedWeight * ((q.birth - r.birth) ** 2 + (q.death - r.death) ** 2);
    for (const q of d.unmatchedPrediction) loss += unmatchedWeight * (q.birth - q.death) ** 2;
    if (includeTargetUnmatched) for (const r of d.unmatchedTarget) loss += (r.birth - r.death) ** 2;
  }
  return loss;
}

function referenceVolumesLoss(y: Volume[], p: Volume[], o: RefOptions & { fromLogits?: boolean } = {}): number[] {
  return y.map((g, s) => referenceVolumeLoss(g, o.fromLogits ? (p[s] as Volume).map((plane) => plane.map((row) => row.map(sigmoid))) : (p[s] as Volume), o));
}

/**
 * N binary target volumes [d, h, w] with a planted cavity (a 3×3×3 or 3×3×4 block around one or two
 * background voxels) in random surroundings, and float32-representable predictions near them.
 */
function volumes(seed: number, n: number, d: number, h: number, w: number) {
  const r = rng(seed);
  const y = Array.from({ length: n }, () => {
    const v = Array.from({ length: d }, () => Array.from({ length: h }, () => Array.from({ length: w }, () => (r() < 0.45 ? 1 : 0))));
    const [z, i, j] = [1 + Math.floor(r() * (d - 2)), 1 + Math.floor(r() * (h - 2)), 1 + Math.floor(r() * (w - 3))];
    const long = r() < 0.5 ? 1 : 0;
    for (let a = -1; a <= 1; a++) for (let b = -1; b <= 1; b++) for (let c = -1; c <= 1 + long; c++) ((v[z + a] as number[][])[i + b] as number[])[j + c] = 1;
    ((v[z] as number[][])[i] as number[])[j] = 0;
    ((v[z] as number[][])[i] as number[])[j + long] = 0;
    return v;
  });
  const p = y.map((v) => v.map((plane) => plane.map((row) => row.map((t) => Math.fround(0.05 + 0.3 * t + 0.65 * r())))));
  return { y, p };
}

/** Matched pairs, unmatched prediction bars and unmatched target bars per dimension over a batch. */
function barCounts(y: Volume[], p: Volume[]): [number, number, number][] {
  const counts = [0, 1, 2].map((): [number, number, number] => [0, 0, 0]);
  y.forEach((g, s) => {
    const m = bettiMatching3d(p[s] as Volume, g);
    [m.dim0, m.dim1, m.dim2].forEach((d, k) => {
      const c = counts[k] as [number, number, number];
      c[0] += d.matched.length;
      c[1] += d.unmatchedPrediction.length;
      c[2] += d.unmatchedTarget.length;
    });
  });
  return counts;
}

const wrap = (x: Grid[]): Volume[] => x.map((img) => [img]);

describe('bettiMatchingLoss on volumes', () => {
  describe('against the float64 reference built from bettiMatching3d', () => {
    const { y, p } = volumes(31, 4, 4, 5, 5);

    it('exercises every term in every dimension: matched pairs and unmatched bars of both, for components, loops and cavities', () => {
      for (const c of barCounts(y, p)) for (const count of c) expect(count).toBeGreaterThan(0);
    });

    const cases: [string, BettiMatchingLossOptions & RefOptions][] = [
      ['defaults (dimensions 0, 1, 2)', {}],
      ['dimension 0 only', { dimensions: [0] }],
      ['dimension 1 only', { dimensions: [1] }],
      ['dimension 2 only', { dimensions: [2] }],
      ['dimensions 0 and 2', { dimensions: [2, 0] }],
      ['sublevel', { filtration: 'sublevel' }],
      ['relative', { relative: true }],
      ['without the target term, weighted', { includeTargetUnmatched: false, matchedWeight: 0.5, unmatchedWeight: 3 }],
    ];
    it.each(cases)('per volume: %s', (_name, options) => {
      expectClose(value(bettiMatchingLoss(y, p, { ...options, reduction: 'none' })), referenceVolumesLoss(y, p, options as RefOptions), 1e-5, 1e-6);
    });

    it('from logits', () => {
      const r = rng(22);
      const logits = p.map((v) => v.map((plane) => plane.map((row) => row.map(() => Math.fround(4 * r() - 2)))));
      expectClose(value(bettiMatchingLoss(y, logits, { fromLogits: true, reduction: 'none' })), referenceVolumesLoss(y, logits, { fromLogits: true }), 1e-5, 1e-6);
    });

    it('on soft targets (both volumes soft)', () => {
      const a = volumes(23, 2, 5, 4, 6);
      const b = volumes(24, 2, 5, 4, 6);
      expectClose(value(bettiMatchingLoss(a.p, b.p, { reduction: 'none' })), referenceVolumesLoss(a.p, b.p), 1e-5, 1e-6);
    });

    it('the reference agrees with the brute-force matching of test/topology3d-reference', () => {
      // Values read at the voxels of the boundary-matrix reduction (no code shared with src/topology).
      const small = volumes(25, 3, 3, 4, 4);
      small.y.forEach((g, s) => {
        const P = small.p[s] as Volume;
        const neg = (v: Volume) => v.map((plane) => plane.map((row) => row.map((x) => -x + 0)));
        const m = referenceBettiMatching3d(neg(P), neg(g));
        const read = (v: Volume, text: string) =>
          text.split('>').map((voxel) => {
            const [z, r, c] = voxel.split(':').map(Number) as [number, number, number];
            return ((v[z] as number[][])[r] as number[])[c] as number;
          }) as [number, number];
        let loss = 0;
        for (const { matched, unmatched0, unmatched1 } of m.dims) {
          for (const [a, b] of matched) {
            const [pb, pd] = read(P, a);
            const [gb, gd] = read(g, b);
            loss += 2 * ((pb - gb) ** 2 + (pd - gd) ** 2);
          }
          for (const a of unmatched0) loss += (read(P, a)[0] - read(P, a)[1]) ** 2;
          for (const b of unmatched1) loss += (read(g, b)[0] - read(g, b)[1]) ** 2;
        }
        expectClose([referenceVolumeLoss(g, P)], [loss], 1e-12, 1e-12);
        expectClose(value(bettiMatchingLoss([g], [P])), [loss], 1e-5, 1e-6);
      });
    });
  });

  it('reproduces the volume example of its doc', () => {
    expectClose(value(bettiMatchingLoss([[[[1, 0, 1]]]], [[[[0.9, 0.2, 0.6]]]])), [2 * (0.4 ** 2 + 0.2 ** 2)], 1e-6);
  });

  it('a hollow cube: 0 against itself, 1 when its cavity is opened (the target cavity left unmatched)', () => {
    const shell: Volume = Array.from({ length: 5 }, (_, z) =>
      Array.from({ length: 5 }, (_, r) => Array.from({ length: 5 }, (_, c) => (Math.max(Math.abs(z - 2), Math.abs(r - 2), Math.abs(c - 2)) === 1 ? 1 : 0))),
    );
    expect(value(bettiMatchingLoss([shell], [shell]))).toEqual([0]);
    const open = shell.map((plane) => plane.map((row) => row.slice()));
    ((open[1] as number[][])[2] as number[])[2] = 0;
    expect(value(bettiMatchingLoss([shell], [open]))).toEqual([1]);
    expect(value(bettiMatchingLoss([shell], [open], { dimensions: [0, 1] }))).toEqual([0]);
  });

  describe('gradient', () => {
    const { y, p } = volumes(26, 2, 3, 4, 4);
    it.each([
      ['defaults', {}],
      ['relative, sublevel', { relative: true, filtration: 'sublevel' }],
      ['weighted, dimension 2', { dimensions: [2], matchedWeight: 2, unmatchedWeight: 0.5 }],
      ['weighted, dimension 1', { dimensions: [1], matchedWeight: 0.5, unmatchedWeight: 2 }],
    ] as [string, RefOptions][])('matches finite differences of the reference: %s', (_name, options) => {
      const x = tf.tensor4d(p);
      const g = tf.grad((z: tf.Tensor) => bettiMatchingLoss(y, z, { ...options, reduction: 'sum' }))(x);
      const unflat = (v: number[]) =>
        Array.from({ length: 2 }, (_, s) => Array.from({ length: 3 }, (_, z) => Array.from({ length: 4 }, (_, r) => v.slice(s * 48 + z * 16 + r * 4, s * 48 + z * 16 + r * 4 + 4))));
      const numeric = numericGradient((v) => referenceVolumesLoss(y, unflat(v), options).reduce((a, b) => a + b, 0), p.flat(3));
      const got = value(g);
      expect(got.some((v) => v !== 0)).toBe(true);
      expectClose(got, numeric, 1e-4, 1e-5);
      x.dispose();
    });
  });

  describe('volumes one slice deep equal images', () => {
    const { y, p } = batch(27, 3, 6, 7);
    it.each([
      ['defaults (dimension 2 is empty)', {}],
      ['dimensions 0 and 1', { dimensions: [0, 1] }],
      ['sublevel, dimension 1, weighted', { filtration: 'sublevel', dimensions: [1], matchedWeight: 2, unmatchedWeight: 0.5 }],
      ['from logits', { fromLogits: true }],
    ] as [string, BettiMatchingLossOptions][])('a [N,1,H,W] batch has the loss and gradient of the [N,H,W] images: %s', (_name, options) => {
      const images = tf.tensor3d(p);
      const vols = tf.tensor4d(wrap(p));
      const o = { ...options, reduction: 'none' as const };
      const o2 = options.dimensions === undefined ? o : { ...o, dimensions: options.dimensions.filter((d) => d < 2) };
      const expected = value(bettiMatchingLoss(y, images, o2));
      expect(expected.some((v) => v > 0)).toBe(true);
      expectClose(value(bettiMatchingLoss(wrap(y), vols, o)), expected, 1e-6, 1e-7);
      const g2 = value(tf.grad((z: tf.Tensor) => bettiMatchingLoss(y, z, { ...o2, reduction: 'sum' }))(images));
      const g3 = value(tf.grad((z: tf.Tensor) => bettiMatchingLoss(wrap(y), z, { ...o, reduction: 'sum' }))(vols));
      expect(g2.some((v) => v !== 0)).toBe(true);
      expectClose(g3, g2, 1e-6, 1e-7);
      tf.dispose([images, vols]);
    });
  });

  describe('rank rule', () => {
    it('[N,D,H,1] is read as images with a channel; volumes one voxel wide are [N,D,H,1,1] (same complex, same loss)', () => {
      const { y, p } = batch(28, 2, 5, 6);
      const asImages = value(bettiMatchingLoss(y, p, { reduction: 'none' }));
      const channel = (x: Grid[]) => x.map((img) => img.map((row) => row.map((v) => [v])));
      expectClose(value(bettiMatchingLoss(channel(y), channel(p), { reduction: 'none' })), asImages, 1e-6, 1e-7);
      const thin = (x: Grid[]) => x.map((img) => img.map((row) => row.map((v) => [[v]])));
      expectClose(value(bettiMatchingLoss(thin(y), thin(p), { reduction: 'none' })), asImages, 1e-6, 1e-7);
      expectClose(value(bettiMatchingLoss(thin(y), thin(p), { dimensions: [2, 1, 0], reduction: 'none' })), asImages, 1e-6, 1e-7);
    });

    it('accepts [N,D,H,W,1], with or without the channel axis on yTrue', () => {
      const { y, p } = volumes(29, 2, 3, 4, 5);
      const a = value(bettiMatchingLoss(y, p, { reduction: 'none' }));
      expect(a.some((v) => v > 0)).toBe(true);
      const y5 = tf.expandDims(tf.tensor4d(y), -1);
      const p5 = tf.expandDims(tf.tensor4d(p), -1);
      expectClose(value(bettiMatchingLoss(y5, p5, { reduction: 'none' })), a, 1e-6);
      expectClose(value(bettiMatchingLoss(y, p5, { reduction: 'none' })), a, 1e-6);
      expectClose(value(bettiMatchingLoss(y5, p, { reduction: 'none' })), a, 1e-6);
      tf.dispose([y5, p5]);
      expect(value(bettiMatchingLoss([[[[1]]]], [[[[0.3]]]]))).toEqual([0]);
    });
  });

  describe('invariances', () => {
    it('is 0 with a zero gradient when the prediction equals the target (binary or soft)', () => {
      const { y, p } = volumes(30, 3, 4, 4, 5);
      for (const target of [y, p]) {
        expect(value(bettiMatchingLoss(target, target, { reduction: 'none' }))).toEqual([0, 0, 0]);
        expect(value(bettiMatchingLoss(target, target, { relative: true, reduction: 'none' }))).toEqual([0, 0, 0]);
        const g = value(tf.grad((z: tf.Tensor) => bettiMatchingLoss(target, z))(tf.tensor4d(target)));
        expect(g.every((v) => v === 0)).toBe(true);
      }
    });

    it('superlevel of (y, p) equals sublevel of (1 − y, 1 − p)', () => {
      const { y, p } = volumes(31, 3, 3, 4, 5);
      const flip = (x: Volume[]) => x.map((v) => v.map((plane) => plane.map((row) => row.map((t) => 1 - t))));
      expectClose(value(bettiMatchingLoss(flip(y), flip(p), { filtration: 'sublevel', reduction: 'none' })), value(bettiMatchingLoss(y, p, { reduction: 'none' })), 1e-5, 1e-6);
    });

    it('the target term is a constant: it changes the value, not the gradient', () => {
      const { y, p } = volumes(32, 2, 3, 4, 5);
      const x = tf.tensor4d(p);
      const with_ = value(tf.grad((z: tf.Tensor) => bettiMatchingLoss(y, z))(x));
      const without = value(tf.grad((z: tf.Tensor) => bettiMatchingLoss(y, z, { includeTargetUnmatched: false }))(x));
      expectClose(with_, without, 1e-6, 1e-7);
      x.dispose();
    });
  });

  describe('extreme inputs', () => {
    it('stays finite for logits of ±1e4, all-equal predictions and an empty target', () => {
      const r = rng(33);
      const y = [Array.from({ length: 4 }, () => Array.from({ length: 4 }, () => Array.from({ length: 4 }, () => (r() < 0.5 ? 1 : 0))))];
      const big = [y[0]!.map((plane) => plane.map((row) => row.map(() => (r() < 0.5 ? 1e4 : -1e4))))];
      const flat = [y[0]!.map((plane) => plane.map((row) => row.map(() => 0.5)))];
      const empty = [y[0]!.map((plane) => plane.map((row) => row.map(() => 0)))];
      for (const [target, pred, o] of [
        [y, big, { fromLogits: true }],
        [y, flat, {}],
        [empty, flat, {}],
        [empty, big, { fromLogits: true, relative: true }],
      ] as [Volume[], Volume[], BettiMatchingLossOptions][]) {
        const x = tf.tensor4d(pred);
        expectFinite(bettiMatchingLoss(target, x, o));
        expectFinite(tf.grad((z: tf.Tensor) => bettiMatchingLoss(target, z, o))(x));
        x.dispose();
      }
    });

    it('propagates NaN of a prediction to its own volume only', () => {
      const { y, p } = volumes(34, 2, 3, 4, 4);
      ((p[1] as Volume)[1] as number[][])[2]![3] = Number.NaN;
      const v = value(bettiMatchingLoss(y, p, { reduction: 'none' }));
      expect(Number.isFinite(v[0])).toBe(true);
      expect(v[1]).toBeNaN();
    });
  });

  it("'none' / 'sum' / 'mean' and weights", () => {
    const { y, p } = volumes(35, 3, 3, 4, 5);
    const per = value(bettiMatchingLoss(y, p, { reduction: 'none' }));
    expect(per).toHaveLength(3);
    expectClose(value(bettiMatchingLoss(y, p, { reduction: 'sum' })), [per.reduce((a, b) => a + b, 0)], 1e-5);
    expectClose(value(bettiMatchingLoss(y, p)), [per.reduce((a, b) => a + b, 0) / 3], 1e-5);
    expectClose(value(bettiMatchingLoss(y, p, { weights: [2, 0, 1] })), [(2 * (per[0] as number) + (per[2] as number)) / 3], 1e-5);
  });

  it('leaks no tensors, in value or gradient', () => {
    const { y, p } = volumes(36, 2, 3, 4, 4);
    const x = tf.tensor4d(p);
    const t = tf.tensor4d(y);
    expect(leakedTensors(() => bettiMatchingLoss(t, x))).toBe(0);
    expect(leakedTensors(() => bettiMatchingLoss(t, tf.expandDims(x, -1), { fromLogits: true, relative: true, weights: [1, 2] }))).toBe(1); // the expandDims
    expect(leakedTensors(() => tf.grad((z: tf.Tensor) => bettiMatchingLoss(t, z))(x))).toBe(0);
    tf.dispose([x, t]);
  });

  it('throws the exact error for bad shapes and dimensions', () => {
    const call = (a: unknown, b: unknown, o?: unknown) => () => bettiMatchingLoss(a as Grid[], b as Grid[], o as never);
    const shapes = '[N,H,W] or [N,H,W,1] (images), [N,D,H,W] or [N,D,H,W,1] (volumes)';
    const zeros = (shape: number[]) => tf.zeros(shape);
    expect(call(zeros([1, 2, 2, 2, 2]), zeros([1, 2, 2, 2, 2]))).toThrow(`bettiMatchingLoss: expected \`yPred\` to have shape ${shapes}, got shape [1,2,2,2,2]`);
    expect(call(zeros([1, 1, 2, 2, 2, 1]), zeros([1, 1, 2, 2, 2, 1]))).toThrow(`bettiMatchingLoss: expected \`yPred\` to have shape ${shapes}, got shape [1,1,2,2,2,1]`);
    expect(call(zeros([1, 2, 2, 3]), zeros([1, 2, 3, 2]))).toThrow(
      new LossInputError('bettiMatchingLoss: expected `yTrue` and `yPred` to have the same shape, got [1,2,2,3] and [1,2,3,2]'),
    );
    expect(call(zeros([1, 2, 3, 2, 1]), zeros([1, 2, 3, 3]))).toThrow('bettiMatchingLoss: expected `yTrue` and `yPred` to have the same shape, got [1,2,3,2,1] and [1,2,3,3]');
    expect(call(zeros([1, 2, 3, 2]), zeros([1, 2, 3]))).toThrow('bettiMatchingLoss: expected `yTrue` and `yPred` to have the same shape, got [1,2,3,2] and [1,2,3]');
    expect(call([[[[2, 0]]]], [[[[0.5, 0.5]]]])).toThrow('bettiMatchingLoss: expected every value of `yTrue` to lie in [0, 1], got 2 at flat index 0');
    const images = [[[1, 0]]];
    const pi = [[[0.5, 0.5]]];
    const onImages =
      'bettiMatchingLoss: expected `dimensions` to be a non-empty list of distinct dimensions from [0, 1] for images (dimension 2 needs volumes [N,D,H,W] or [N,D,H,W,1]; a 4D shape ending in 1 is read as images [N,H,W,1]), got';
    expect(call(images, pi, { dimensions: [0, 1, 2] })).toThrow(`${onImages} [0,1,2] (array)`);
    expect(call([[[1], [0]]], [[[0.5], [0.5]]], { dimensions: [2] })).toThrow(`${onImages} [2] (array)`);
    expect(call(images, pi, { dimensions: [2, 3] })).toThrow('bettiMatchingLoss: expected `dimensions` to be a non-empty list of distinct dimensions from [0, 1], got [2,3] (array)');
    const vy = [[[[1, 0]]]];
    const vp = [[[[0.5, 0.5]]]];
    for (const bad of [[3], [0, 0], [], 1, '012']) {
      expect(call(vy, vp, { dimensions: bad })).toThrow(
        `bettiMatchingLoss: expected \`dimensions\` to be a non-empty list of distinct dimensions from [0, 1, 2], got ${JSON.stringify(bad)} (${Array.isArray(bad) ? 'array' : typeof bad})`,
      );
    }
  });
});
