import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, rng, values } from '../../../test/helpers.js';
import { eulerSkeleton2d } from '../_shared/euler-skeleton.js';
import { cbDiceLoss } from './cbDiceLoss.js';

// Float64 reference written from the official code, sharing nothing with the loss. The skeleton is
// the official procedure taken literally: the image lifted to a 3-slice volume (zero slices above
// and below, zero frame), end points from 26-neighbour counts, eight subfields per round, a voxel
// simple when the Euler characteristic V − E + F − C of the background inside its 3×3×3 window is
// the same with and without it.
type Mask = number[][];

function officialSkeleton(mask: Mask, rounds = 5): Mask {
  const h = mask.length + 2;
  const w = mask[0]!.length + 2;
  const vol = [0, 1, 2].map((d) => Array.from({ length: h }, (_, r) => Array.from({ length: w }, (_, c) => (d === 1 && r > 0 && c > 0 && r < h - 1 && c < w - 1 ? mask[r - 1]![c - 1]! : 0))));
  const at = (d: number, r: number, c: number) => (d < 0 || r < 0 || c < 0 || d > 2 || r >= h || c >= w ? 0 : vol[d]![r]![c]!);
  const euler = (d0: number, r0: number, c0: number, centre: number): number => {
    const bg = (d: number, r: number, c: number) => (d === d0 && r === r0 && c === c0 ? centre : at(d, r, c)) === 0;
    const inside = (d: number, r: number, c: number) => Math.abs(d - d0) <= 1 && Math.abs(r - r0) <= 1 && Math.abs(c - c0) <= 1;
    let chi = 0;
    for (let d = d0 - 1; d <= d0 + 1; d++) for (let r = r0 - 1; r <= r0 + 1; r++) for (let c = c0 - 1; c <= c0 + 1; c++) {
      // Cells anchored at (d, r, c) spanning +1 along a subset of the axes.
      for (let mask3 = 0; mask3 < 8; mask3++) {
        const span = [mask3 & 1, (mask3 >> 1) & 1, (mask3 >> 2) & 1];
        let ok = true;
        for (let a = 0; a <= span[0]! && ok; a++) for (let b = 0; b <= span[1]! && ok; b++) for (let e = 0; e <= span[2]! && ok; e++) {
          ok = inside(d + a, r + b, c + e) && bg(d + a, r + b, c + e);
        }
        if (ok) chi += (span[0]! + span[1]! + span[2]!) % 2 === 0 ? 1 : -1;
      }
    }
    return chi;
  };
  const offsets = [[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1], [1, 0, 1], [0, 1, 1], [1, 1, 1]];
  for (let it = 0; it < rounds; it++) {
    const end = vol.map((slice, d) => slice.map((row, r) => row.map((_, c) => {
      let n = 0;
      for (let a = -1; a <= 1; a++) for (let b = -1; b <= 1; b++) for (let e = -1; e <= 1; e++) if (a || b || e) n += at(d + a, r + b, c + e);
      return n <= 1;
    })));
    for (const [od, or, oc] of offsets) {
      const doomed: [number, number, number][] = [];
      for (let d = od!; d < 3; d += 2) for (let r = or!; r < h; r += 2) for (let c = oc!; c < w; c += 2) {
        if (vol[d]![r]![c] && !end[d]![r]![c] && euler(d, r, c, 1) === euler(d, r, c, 0)) doomed.push([d, r, c]);
      }
      for (const [d, r, c] of doomed) vol[d]![r]![c] = 0;
    }
  }
  return mask.map((row, r) => row.map((_, c) => vol[1]![r + 1]![c + 1]!));
}

function edt(mask: Mask): Mask {
  const outside: [number, number][] = [];
  mask.forEach((row, r) => { row.forEach((v, c) => { if (!v) outside.push([r, c]); }); });
  const h = mask.length;
  const w = mask[0]!.length;
  return mask.map((row, r) => row.map((v, c) => {
    if (!v) return 0;
    if (outside.length === 0) return Math.min(r + 1, c + 1, h - r, w - c);
    return Math.min(...outside.map(([i, j]) => Math.hypot(r - i, c - j)));
  }));
}

/** Official get_weights for one image: [q_v, q_sv, q_s] as functions of the mask, its skeleton and the probabilities (1 for the target). */
function weights(mask: Mask, skel: Mask, prob: number[][]): [Mask, Mask, Mask] {
  const d = edt(mask);
  const rMax = Math.max(1, ...skel.flatMap((row, r) => row.map((s, c) => (s ? d[r]![c]! : 0))));
  const qv = mask.map((row, r) => row.map((m, c) => (m ? (Math.min(d[r]![c]!, rMax) / rMax) * prob[r]![c]! : 0)));
  const qsv = mask.map((row, r) => row.map((m, c) => (m && skel[r]![c] ? (d[r]![c]! / rMax) * prob[r]![c]! : 0)));
  const qs = skel.map((row, r) => row.map((s, c) => (s ? ((1 + 1e-7) / (d[r]![c]! / rMax + 1e-7)) * prob[r]![c]! : 0)));
  return [qv, qsv, qs];
}

const combine = (a: number, b: number, c: number) => (a !== 0 && b === 0 ? a * c : b * c);
const clip = (p: number) => Math.min(1 - 1e-7, Math.max(1e-7, p));

interface Sums { pn: number; pd: number; sn: number; sd: number; ce: number; i: [number, number]; sp: [number, number]; sy: [number, number]; pixels: number }

function imageSums(y: Mask, p: number[][]): Sums {
  const hard = p.map((row) => row.map((v) => (v > 0.5 ? 1 : 0)));
  const skelY = officialSkeleton(y);
  const skelP = officialSkeleton(hard);
  const ones = y.map((row) => row.map(() => 1));
  const [qvl, qslvl, qsl] = weights(y, skelY, ones);
  const [qvp, qspvp, qsp] = weights(hard, skelP, p);
  const s: Sums = { pn: 0, pd: 0, sn: 0, sd: 0, ce: 0, i: [0, 0], sp: [0, 0], sy: [0, 0], pixels: 0 };
  y.forEach((row, r) => { row.forEach((t, c) => {
    const q = p[r]![c]!;
    s.pn += qsp[r]![c]! * qvl[r]![c]!;
    s.pd += combine(qspvp[r]![c]!, qslvl[r]![c]!, qsp[r]![c]!);
    s.sn += qsl[r]![c]! * qvp[r]![c]!;
    s.sd += combine(qslvl[r]![c]!, qspvp[r]![c]!, qsl[r]![c]!);
    s.ce += -(t * Math.log(clip(q)) + (1 - t) * Math.log(1 - clip(q)));
    s.i = [s.i[0] + (1 - q) * (1 - t), s.i[1] + q * t];
    s.sp = [s.sp[0] + 1 - q, s.sp[1] + q];
    s.sy = [s.sy[0] + 1 - t, s.sy[1] + t];
    s.pixels++;
  }); });
  return s;
}

function fromSums(s: Sums, o: { alpha?: number; beta?: number; ceWeight?: number; smooth?: number }): number {
  const { alpha = 1, beta = 1, ceWeight = 0.5, smooth = 1 } = o;
  const prec = (s.pn + smooth) / (s.pd + smooth);
  const sens = (s.sn + smooth) / (s.sd + smooth);
  const dice = 1 - [0, 1].reduce((a, k) => a + (2 * s.i[k]! + 1e-5) / (s.sp[k]! + s.sy[k]! + 1e-5), 0) / 2;
  return ceWeight * (s.ce / s.pixels) + (alpha / (2 * (alpha + beta))) * dice + (beta / (2 * (alpha + beta))) * (1 - (2 * prec * sens) / (prec + sens));
}

function reference(y: Mask[], p: number[][][], o: { alpha?: number; beta?: number; ceWeight?: number; smooth?: number; batch?: boolean } = {}): number[] {
  const sums = y.map((t, n) => imageSums(t, p[n]!));
  if (!o.batch) return sums.map((s) => fromSums(s, o));
  const total = sums.reduce((a, s) => ({
    pn: a.pn + s.pn, pd: a.pd + s.pd, sn: a.sn + s.sn, sd: a.sd + s.sd, ce: a.ce + s.ce, pixels: a.pixels + s.pixels,
    i: [a.i[0] + s.i[0], a.i[1] + s.i[1]] as [number, number], sp: [a.sp[0] + s.sp[0], a.sp[1] + s.sp[1]] as [number, number], sy: [a.sy[0] + s.sy[0], a.sy[1] + s.sy[1]] as [number, number],
  }));
  return [fromSums(total, o)];
}

/** Random thick strokes (so that skeletonisation has work to do) and a noisy prediction of them. */
function randomPair(r: () => number, h: number, w: number): [Mask, number[][]] {
  const y: Mask = Array.from({ length: h }, () => Array.from({ length: w }, () => 0));
  for (let k = 0; k < 2; k++) {
    const [r0, c0, thick] = [Math.floor(r() * (h - 3)), Math.floor(r() * (w - 3)), 1 + Math.floor(r() * 3)];
    const horizontal = r() < 0.5;
    for (let i = 0; i < (horizontal ? thick : h - r0); i++) for (let j = 0; j < (horizontal ? w - c0 : thick); j++) y[r0 + i]![c0 + j] = 1;
  }
  const p = y.map((row) => row.map((v) => {
    const hard = r() < 0.1 ? 1 - v : v;
    return hard ? 0.55 + 0.4 * r() : 0.05 + 0.4 * r();
  }));
  return [y, p];
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const LINE: Mask = [[0, 0, 0, 0, 0], [0, 1, 1, 1, 0], [0, 0, 0, 0, 0]];

describe('eulerSkeleton2d (the skeleton cbDiceLoss uses)', () => {
  it('equals the official subfield scheme with 3D Euler-characteristic counts, taken literally', () => {
    const r = rng(1);
    for (let k = 0; k < 12; k++) {
      const [h, w] = [5 + Math.floor(r() * 6), 5 + Math.floor(r() * 6)];
      const mask = k < 6 ? randomPair(r, h, w)[0] : Array.from({ length: h }, () => Array.from({ length: w }, () => (r() < 0.6 ? 1 : 0)));
      for (const rounds of [1, 5]) expect(Array.from(eulerSkeleton2d(mask.flat(), h, w, rounds))).toEqual(officialSkeleton(mask, rounds).flat());
    }
  });
});

describe('cbDiceLoss(yTrue, yPred, options)', () => {
  it('is 0 (CE aside) when prediction and target coincide, as in the doc example', () => {
    expectClose(cbDiceLoss([LINE], [LINE], { ceWeight: 0 }).dataSync()[0]!, 0, 0, 1e-6);
  });

  it('matches the float64 reference of the official code on random masks, per image and over the batch', () => {
    const r = rng(2);
    const pairs = Array.from({ length: 4 }, () => randomPair(r, 9, 10));
    const y = pairs.map(([t]) => t);
    const p = pairs.map(([, q]) => q);
    expectClose(values(cbDiceLoss(y, p, { reduction: 'none' })), reference(y, p), 1e-5);
    expectClose(values(cbDiceLoss(y, p, { aggregate: 'batch', reduction: 'none' })), reference(y, p, { batch: true }), 1e-5);
    const o = { alpha: 2, beta: 0.5, ceWeight: 0.1, smooth: 0.3 };
    expectClose(values(cbDiceLoss(y, p, { ...o, reduction: 'none' })), reference(y, p, o), 1e-5);
  });

  it('has the gradient of the float64 reference (finite differences), from probabilities and logits', () => {
    const r = rng(3);
    const pairs = Array.from({ length: 2 }, () => randomPair(r, 7, 8));
    const y = pairs.map(([t]) => t);
    const p = pairs.map(([, q]) => q);
    const unflat = (x: number[]) => Array.from({ length: 2 }, (_, n) => Array.from({ length: 7 }, (_, i) => x.slice(n * 56 + i * 8, n * 56 + i * 8 + 8)));
    const g = tf.grad((t: tf.Tensor) => cbDiceLoss(y, t))(tf.tensor(p));
    expectClose(values(g), numericGradient((x) => mean(reference(y, unflat(x))), p.flat(2)), 1e-4, 1e-7);
    const z = p.flat(2).map((v) => Math.log(v / (1 - v)));
    const gz = tf.grad((t: tf.Tensor) => cbDiceLoss(y, t, { fromLogits: true, aggregate: 'batch' }))(tf.tensor(z, [2, 7, 8]));
    const f = (x: number[]) => reference(y, unflat(x.map((a) => 1 / (1 + Math.exp(-a)))), { batch: true })[0]!;
    expectClose(values(gz), numericGradient(f, z), 1e-4, 1e-7);
  });

  it('charges a thin prediction of a thick structure through the radius terms', () => {
    // A 3-pixel-wide bar predicted as its 1-pixel centre line: clDice-like overlap is perfect
    // (the centre line lies inside the target), but the radii disagree.
    const bar: Mask = [[0, 0, 0, 0, 0, 0, 0], [0, 1, 1, 1, 1, 1, 0], [0, 1, 1, 1, 1, 1, 0], [0, 1, 1, 1, 1, 1, 0], [0, 0, 0, 0, 0, 0, 0]];
    const centre = bar.map((row, r) => row.map((v) => (v && r === 2 ? 0.9 : 0.1)));
    const full = bar.map((row) => row.map((v) => (v ? 0.9 : 0.1)));
    const o = { ceWeight: 0, alpha: 0 };
    const [thin, thick] = [cbDiceLoss([bar], [centre], o).dataSync()[0]!, cbDiceLoss([bar], [full], o).dataSync()[0]!];
    expectClose(thick, 0, 0, 1e-6);
    expect(thin).toBeGreaterThan(0.02);
  });

  it('stays finite, in value and gradient, at logits of ±1e4, empty and full targets', () => {
    const z = tf.tensor([[[1e4, -1e4, 1e4, 0], [-1e4, 1e4, -1e4, 0], [1e4, 1e4, -1e4, 2]]]);
    for (const y of [[[[1, 0, 1, 0], [0, 1, 0, 1], [1, 1, 0, 0]]], [[[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]], [[[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]]]]) {
      expectFinite(cbDiceLoss(y, z, { fromLogits: true }));
      expectFinite(tf.grad((t: tf.Tensor) => cbDiceLoss(y, t, { fromLogits: true }))(z));
    }
  });

  it("reduces by 'mean' (default), 'sum' and 'none', and weighs images; 'batch' has one value", () => {
    const r = rng(4);
    const pairs = Array.from({ length: 3 }, () => randomPair(r, 6, 6));
    const y = pairs.map(([t]) => t);
    const p = pairs.map(([, q]) => q);
    const none = values(cbDiceLoss(y, p, { reduction: 'none' }));
    expectClose(cbDiceLoss(y, p, { reduction: 'sum' }).dataSync()[0]!, none[0]! + none[1]! + none[2]!, 1e-5);
    expectClose(cbDiceLoss(y, p).dataSync()[0]!, mean(none), 1e-5);
    expectClose(cbDiceLoss(y, p, { weights: [1, 0, 2] }).dataSync()[0]!, (none[0]! + 2 * none[2]!) / 3, 1e-5);
    expect(cbDiceLoss(y, p, { aggregate: 'batch', reduction: 'none' }).shape).toEqual([1]);
    expectClose(cbDiceLoss([y[0]!], [p[0]!], { aggregate: 'batch' }).dataSync()[0]!, none[0]!, 1e-5);
  });

  it('leaks no tensors', () => {
    const p = tf.tensor([LINE.map((row) => row.map((v) => (v ? 0.8 : 0.3)))]);
    expect(leakedTensors(() => cbDiceLoss([LINE], p, { weights: [2] }))).toBe(0);
    expect(leakedTensors(() => tf.grad((t: tf.Tensor) => cbDiceLoss([LINE], t, { aggregate: 'batch' }))(p))).toBe(0);
    expect(leakedTensors(() => tf.grad((t: tf.Tensor) => cbDiceLoss([LINE], t, { fromLogits: true }))(p))).toBe(0);
    p.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => cbDiceLoss([LINE], [LINE.map((row) => row.slice(1))])).toThrow('cbDiceLoss: expected `yTrue` and `yPred` to have the same shape, got [1,3,5] and [1,3,4]');
    expect(() => cbDiceLoss([[[[0, 1]]]], [[[[0.5, 0.5]]]])).toThrow('cbDiceLoss: expected `yPred` to have shape [N,H,W] or [N,H,W,1] in binary mode, got shape [1,1,1,2]');
    expect(() => cbDiceLoss([[[0, 0.5]]], [[[0.5, 0.5]]])).toThrow('cbDiceLoss: expected every value of `yTrue` to be 0 or 1 (the skeleton and distance transform are taken of a hard mask), got 0.5 at flat index 1');
    expect(() => cbDiceLoss([LINE], [LINE], { smooth: 0 })).toThrow('cbDiceLoss: expected `smooth` to be a finite number > 0, got 0 (number)');
    expect(() => cbDiceLoss([LINE], [LINE], { skeletonIterations: 0 })).toThrow('cbDiceLoss: expected `skeletonIterations` to be an integer >= 1, got 0 (number)');
    expect(() => cbDiceLoss([LINE], [LINE], { aggregate: 'image' as never })).toThrow("cbDiceLoss: expected `aggregate` to be one of 'perSample' | 'batch', got \"image\" (string)");
    expect(() => cbDiceLoss([LINE], [LINE], { iterations: 3 } as never)).toThrow('cbDiceLoss: expected each option to be one of fromLogits, aggregate, alpha, beta, ceWeight, smooth, skeletonIterations, reduction, weights, got `iterations`');
  });
});
