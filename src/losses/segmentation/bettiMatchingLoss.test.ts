import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, rng } from '../../../test/helpers.js';
import { loadRoadMask, ROAD_MASKS } from '../../../test/roads.js';
import { type Grid, referenceBettiMatching } from '../../../test/topology-reference.js';
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
    expect(call([[1, 0]], [[0.5, 0.5]])).toThrow('bettiMatchingLoss: expected `yPred` to have shape [N,H,W] or [N,H,W,1] in binary mode, got shape [1,2]');
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
