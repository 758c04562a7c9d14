import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, rng, values } from '../../../test/helpers.js';
import { regionSeparationLoss } from './regionSeparationLoss.js';

// Float64 reference written from the definition, sharing nothing with the loss: brute-force
// distance transforms, dilation as an L1 ball, labels by label propagation, and the maximin edge of
// every pixel pair from an all-pairs widest-path (Floyd–Warshall) table instead of Kruskal's tree.

type Image = number[][];

interface Ref {
  variant: 'oner' | 'topomortar';
  alpha: number;
  beta: number;
  dMax: number;
  dMin: number;
  window: number;
  margin: number;
  partial: boolean;
  w0: number;
  w1: number;
}

const DEFAULTS: Ref = { variant: 'oner', alpha: 1e-3, beta: 0.1, dMax: 20, dMin: 10, window: 64, margin: 5, partial: true, w0: 1, w1: 1 };

/** Distance from each pixel to the nearest pixel where `mask` equals `to` (0 there); `fallback` when there is none. */
function distanceTo(mask: Image, to: number, fallback: (r: number, c: number) => number): Image {
  const targets: [number, number][] = [];
  mask.forEach((row, r) => { row.forEach((v, c) => { if (v === to) targets.push([r, c]); }); });
  return mask.map((row, r) => row.map((_, c) => (targets.length === 0 ? fallback(r, c) : Math.min(...targets.map(([i, j]) => Math.hypot(r - i, c - j))))));
}

/** The regressed map D and the map G the MALIS terms read. */
function targetMaps(y: Image, o: Ref): { d: Image; g: Image } {
  const h = y.length;
  const w = y[0]!.length;
  if (o.variant === 'oner') {
    const d = distanceTo(y, 1, () => o.dMax).map((row) => row.map((v) => Math.min(v, o.dMax)));
    return { d, g: d };
  }
  // Depth inside the structure; an image without background is measured to a frame around it.
  const depth = distanceTo(y, 0, (r, c) => Math.min(r + 1, c + 1, h - r, w - c));
  return { d: depth.map((row, r) => row.map((v, c) => (y[r]![c] ? Math.min(v, o.dMax) : 0))), g: y };
}

/** Component labels by propagating the smallest index through neighbours until nothing changes. */
function propagateLabels(inside: boolean[][], connectivity: 4 | 8): number[][] {
  const h = inside.length;
  const w = inside[0]!.length;
  const lab = inside.map((row, r) => row.map((v, c) => (v ? r * w + c + 1 : 0)));
  for (let changed = true; changed; ) {
    changed = false;
    for (let r = 0; r < h; r++) {
      for (let c = 0; c < w; c++) {
        if (!lab[r]![c]) continue;
        for (let dr = -1; dr <= 1; dr++) {
          for (let dc = -1; dc <= 1; dc++) {
            if (connectivity === 4 && dr !== 0 && dc !== 0) continue;
            const v = lab[r + dr]?.[c + dc];
            if (v && v < lab[r]![c]!) {
              lab[r]![c] = v;
              changed = true;
            }
          }
        }
      }
    }
  }
  return lab;
}

/** Negative and positive pixel weights of one window. */
function windowWeights(g: Image, p: Image, o: Ref): { neg: Image; pos: Image } {
  const h = g.length;
  const w = g[0]!.length;
  const structure: [number, number][] = [];
  g.forEach((row, r) => { row.forEach((v, c) => { if (v === 0) structure.push([r, c]); }); });
  const inside = g.map((row, r) => row.map((_, c) => structure.every(([i, j]) => Math.abs(r - i) + Math.abs(c - j) > o.margin)));
  const labels = propagateLabels(inside, o.variant === 'oner' ? 8 : 4).flat();
  const edges: [number, number][] = [];
  for (let r = 0; r < h; r++) for (let c = 0; c + 1 < w; c++) edges.push([r * w + c, r * w + c + 1]);
  for (let r = 0; r + 1 < h; r++) for (let c = 0; c < w; c++) edges.push([r * w + c, (r + 1) * w + c]);
  const pf = p.flat();
  const gf = g.flat();
  const gt = edges.map(([a, b]) => Math.fround(gf[a]! + gf[b]!));
  const cost = edges.map(([a, b]) => Math.fround(pf[a]! + pf[b]!));
  const dMax = Math.fround(o.dMax);
  const dMin = Math.fround(o.dMin);
  const passes = [
    { affinity: cost.map((v, e) => (gt[e]! > dMax ? dMax : v)), kept: gt.map((v) => v < dMin), same: false },
    { affinity: cost.map((v, e) => (gt[e]! < dMin ? 0 : v)), kept: gt.map((v) => v >= dMax), same: true },
  ];
  const n = h * w;
  const out = passes.map(({ affinity, kept, same }) => {
    // Widest-path table: best[u][v] = the largest least affinity over the paths from u to v.
    const best = Array.from({ length: n }, (_, u) => Array.from({ length: n }, (_, v) => (u === v ? Infinity : -Infinity)));
    edges.forEach(([a, b], e) => {
      best[a]![b] = Math.max(best[a]![b]!, affinity[e]!);
      best[b]![a] = best[a]![b]!;
    });
    for (let k = 0; k < n; k++) for (let u = 0; u < n; u++) for (let v = 0; v < n; v++) best[u]![v] = Math.max(best[u]![v]!, Math.min(best[u]![k]!, best[k]![v]!));
    const counts = new Array<number>(edges.length).fill(0);
    let total = 0;
    for (let u = 0; u < n; u++) {
      for (let v = u + 1; v < n; v++) {
        if (!labels[u] || !labels[v] || (labels[u] === labels[v]) !== same) continue;
        total++;
        const tied = affinity.flatMap((x, e) => (x === best[u]![v] ? [e] : []));
        if (tied.length === 1) counts[tied[0]!]!++;
        // The pair's maximin edge is one of several of equal affinity: which one does not matter
        // when none is kept, or when they join pixels predicted 0 (ŷ² = 0) in the negative pass.
        else if (tied.some((e) => kept[e]) && (same || best[u]![v] !== 0)) throw new Error('reference: a kept edge ties with another; choose other inputs');
      }
    }
    const node = g.map((row) => row.map(() => 0));
    edges.forEach(([a, b], e) => {
      if (!kept[e] || total === 0) return;
      for (const i of [a, b]) node[Math.floor(i / w)]![i % w]! += counts[e]! / total;
    });
    return node;
  });
  return { neg: out[0]!, pos: out[1]! };
}

function referenceImage(y: Image, yPred: Image, options: Partial<Ref>): number {
  const o = { ...DEFAULTS, ...options };
  const h = y.length;
  const w = y[0]!.length;
  const p = yPred.map((row) => row.map((v) => Math.max(v, 0)));
  const { d, g } = targetMaps(y, o);
  const neg = y.map((row) => row.map(() => 0));
  const pos = y.map((row) => row.map(() => 0));
  for (let r0 = 0; r0 < h; r0 += o.window) {
    for (let c0 = 0; c0 < w; c0 += o.window) {
      const wh = Math.min(o.window, h - r0);
      const ww = Math.min(o.window, w - c0);
      if (!o.partial && (wh < o.window || ww < o.window)) continue;
      const crop = (m: Image) => m.slice(r0, r0 + wh).map((row) => row.slice(c0, c0 + ww));
      const win = windowWeights(crop(g), crop(p), o);
      for (let r = 0; r < wh; r++) {
        for (let c = 0; c < ww; c++) {
          neg[r0 + r]![c0 + c] = win.neg[r]![c]!;
          pos[r0 + r]![c0 + c] = win.pos[r]![c]!;
        }
      }
    }
  }
  let total = 0;
  p.forEach((row, r) => {
    row.forEach((v, c) => {
      const cw = y[r]![c] ? o.w1 : o.w0;
      total += cw * (o.alpha * (v - d[r]![c]!) ** 2 + v * v * neg[r]![c]! + o.beta * (o.dMax - v) ** 2 * pos[r]![c]!);
    });
  });
  return total;
}

const reference = (y: Image[], p: Image[], o: Partial<Ref> = {}) => y.map((img, n) => referenceImage(img, p[n]!, o));
const f32 = (x: Image[]) => x.map((img) => img.map((row) => row.map((v) => Math.fround(v))));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Road masks (1 on the road): a few straight roads of width 1 or 2 at seeded places. */
function roads(r: () => number, n: number, h: number, w: number): Image[] {
  return Array.from({ length: n }, () => {
    const col = 2 + Math.floor(r() * (w - 5));
    const row = 2 + Math.floor(r() * (h - 5));
    const wide = r() < 0.5;
    return Array.from({ length: h }, (_, i) => Array.from({ length: w }, (_, j) => (j === col || (wide && j === col + 1) || i === row ? 1 : 0)));
  });
}

/** The regressed map of the variant plus uniform noise in ±spread/2, in float32, from a seeded generator. */
function noisyMaps(r: () => number, y: Image[], o: Partial<Ref>, spread: number): Image[] {
  return f32(y.map((img) => targetMaps(img, { ...DEFAULTS, ...o }).d.map((row) => row.map((v) => v + spread * (r() - 0.5)))));
}

// Official-code fixtures: a numpy/scipy port of TopoMortar's MSETopoWinLoss.forward with a Python
// port of the malis C++ `malis_loss_weights` (Kruskal over decreasing weights), window, D_max, D_min
// and the number of dilations as parameters. 'oner': Oner et al.'s TOPOLoss_window on the truncated
// distance map (8-connected `measure.label`), plus TopoMortar's α-weighted squared error.
// Inputs: the masks below and yPred = float32(D + spread·(u − 0.5)), u from rng(seed) (test/helpers).
const MASKS: Record<string, (n: number, r: number, c: number) => number> = {
  roads: (n, r, c) => (n === 0 ? c === 7 || c === 8 || r === 10 : c === 3 || r === 4 || r === 5 || r + c === 20) ? 1 : 0,
  blobs: (n, r, c) =>
    (n === 0 ? (r % 8 >= 1 && r % 8 <= 3) || (r % 8 >= 5 && r % 8 <= 7) ? c % 8 <= 6 : false : (r % 8 <= 2 && c % 8 <= 2) || (r % 8 >= 4 && c % 8 >= 4)) ? 1 : 0,
  lines: (_, r, c) => (c === 8 || c === 24 || r === 20 ? 1 : 0),
};
const FIXTURES = [
  { masks: 'roads', n: 2, size: 16, seed: 3, spread: 1.6, options: { variant: 'oner', window: 8, dMax: 4, dMin: 2.5, margin: 1, alpha: 0.05, beta: 0.3 }, expected: [7.236319835262145, 12.254347227333547] },
  {
    masks: 'blobs',
    n: 2,
    size: 16,
    seed: 5,
    spread: 1.6,
    options: { variant: 'topomortar', window: 8, dMax: 4, dMin: 2.5, margin: 1, alpha: 0.05, beta: 0.3, classWeights: [0.7, 1.5] },
    expected: [9.439646397945992, 3.1267668303795784],
  },
  { masks: 'lines', n: 1, size: 36, seed: 9, spread: 3, options: { variant: 'oner', window: 16, partialWindows: false }, expected: [13.122069853673823] },
  { masks: 'lines', n: 1, size: 36, seed: 9, spread: 3, options: { variant: 'topomortar', window: 16, partialWindows: false }, expected: [0.5213545796892537] },
] as const;

describe('regionSeparationLoss(yTrue, yPred, options)', () => {
  it('reproduces the official code on fixtures (numpy port of TopoMortar MSETopoWinLoss and malis)', () => {
    for (const fx of FIXTURES) {
      const y = Array.from({ length: fx.n }, (_, b) => Array.from({ length: fx.size }, (_, r) => Array.from({ length: fx.size }, (_, c) => MASKS[fx.masks]!(b, r, c))));
      const p = noisyMaps(rng(fx.seed), y, fx.options, fx.spread);
      expectClose(values(regionSeparationLoss(y, p, { ...fx.options, reduction: 'none' })), fx.expected, 1e-5);
      // The official code sums over the batch.
      expectClose(regionSeparationLoss(y, p, { ...fx.options, reduction: 'sum' }).dataSync()[0]!, fx.expected.reduce((a, b) => a + b, 0), 1e-5);
    }
  });

  it('gives the documented example: a perfect distance map of a 2-px road between two regions scores 0', () => {
    const road = [[[0, 0, 1, 1, 0, 0], [0, 0, 1, 1, 0, 0], [0, 0, 1, 1, 0, 0]]];
    const perfect = [[[2, 1, 0, 0, 1, 2], [2, 1, 0, 0, 1, 2], [2, 1, 0, 0, 1, 2]]];
    for (const [alpha, beta] of [[1e-3, 0.1], [1, 5]] as const) {
      expect(regionSeparationLoss(road, perfect, { dMax: 2, dMin: 1, margin: 1, alpha, beta }).dataSync()[0]).toBe(0);
    }
  });

  it('matches the float64 reference (brute-force maximin pairs) on random roads, both variants, partial windows and class weights', () => {
    const r = rng(21);
    const o = { window: 5, dMax: 3, dMin: 1.7, margin: 1, alpha: 0.2, beta: 0.4 };
    const y = roads(r, 3, 9, 11);
    const p = noisyMaps(r, y, o, 2);
    expectClose(values(regionSeparationLoss(y, p, { ...o, reduction: 'none' })), reference(y, p, o), 1e-5, 1e-6);
    const weighted = { ...o, classWeights: [0.5, 2] };
    expectClose(values(regionSeparationLoss(y, p, { ...weighted, reduction: 'none' })), reference(y, p, { ...o, w0: 0.5, w1: 2 }), 1e-5, 1e-6);
    expectClose(values(regionSeparationLoss(y, p, { ...o, partialWindows: false, reduction: 'none' })), reference(y, p, { ...o, partial: false }), 1e-5, 1e-6);
    // [N,H,W,1] reads the same as [N,H,W].
    const four = (x: Image[]) => x.map((img) => img.map((row) => row.map((v) => [v])));
    expectClose(values(regionSeparationLoss(four(y), four(p), { ...o, reduction: 'none' })), reference(y, p, o), 1e-5, 1e-6);

    const yt = y.map((img) => img.map((row, i) => row.map((v, j) => (v || (i >= 5 && j <= 3) ? 1 : 0))));
    const tm = { ...o, variant: 'topomortar' as const, margin: 0 };
    const pt = noisyMaps(r, yt, tm, 2);
    expectClose(values(regionSeparationLoss(yt, pt, { ...tm, reduction: 'none' })), reference(yt, pt, tm), 1e-5, 1e-6);
  });

  it('has the gradient of the float64 reference (finite differences), ReLU included', () => {
    const r = rng(4);
    const o = { window: 5, dMax: 3, dMin: 1.7, margin: 1, alpha: 0.3, beta: 0.5 };
    for (const variant of ['oner', 'topomortar'] as const) {
      const y = roads(r, 1, 6, 8);
      const p = noisyMaps(r, y, { ...o, variant }, 2);
      const flat = p.flat(2);
      const f = (v: number[]) => referenceImage(y[0]!, y[0]!.map((row, i) => row.map((_, j) => v[i * 8 + j]!)), { ...o, variant });
      const g = tf.grad((x: tf.Tensor) => regionSeparationLoss(y, x, { ...o, variant }))(tf.tensor(p));
      expectClose(values(g), numericGradient(f, flat, 1e-6), 1e-4, 1e-6);
      // Negative predictions are cut by the ReLU: no gradient there.
      flat.forEach((v, i) => { if (v < 0) expect(values(g)[i]).toBe(0); });
    }
  });

  it('pushes a gap in a predicted road down: the separating term is zero without the gap and grows only next to it', () => {
    const h = 12;
    const w = 12;
    const road = [Array.from({ length: h }, () => Array.from({ length: w }, (_, c) => (c === 5 || c === 6 ? 1 : 0)))];
    const perfect = [road[0]!.map((row) => row.map((_, c) => (c <= 5 ? Math.min(5 - c, 4) : Math.min(c - 6, 4))))];
    const gapped = [perfect[0]!.map((row, r) => row.map((v, c) => ((r === 5 || r === 6) && (c === 5 || c === 6) ? 4 : v)))];
    const o = { dMax: 4, dMin: 4, margin: 1, alpha: 0, beta: 0 };
    expect(regionSeparationLoss(road, perfect, o).dataSync()[0]).toBe(0);
    expect(regionSeparationLoss(road, gapped, o).dataSync()[0]).toBeGreaterThan(0);
    const g = tf.grad((x: tf.Tensor) => regionSeparationLoss(road, x, o))(tf.tensor(gapped)).dataSync();
    let moved = 0;
    g.forEach((v, i) => {
      if (v === 0) return;
      moved++;
      const [r, c] = [Math.floor(i / w), i % w];
      // Descent lowers the prediction, and only along the leak through the gap.
      expect(v).toBeGreaterThan(0);
      expect(Math.abs(r - 5.5) <= 1.5 && Math.abs(c - 5.5) <= 3.5).toBe(true);
    });
    expect(moved).toBeGreaterThan(0);
  });

  it('pulls a spurious cut through a region up toward D_max, and leaves the rest alone', () => {
    const h = 8;
    const w = 20;
    const road = [Array.from({ length: h }, () => Array.from({ length: w }, (_, c) => (c === 2 || c === 3 ? 1 : 0)))];
    const perfect = road[0]!.map((row) => row.map((_, c) => (c <= 2 ? Math.min(2 - c, 3) : Math.min(c - 3, 3))));
    const cut = [perfect.map((row) => row.map((v, c) => (c === 12 ? 0.5 : v)))];
    // Regions begin where the distance reaches D_max, so a perfect map leaves nothing to pull.
    const o = { dMax: 3, dMin: 2, margin: 2, alpha: 0, beta: 1 };
    expect(regionSeparationLoss(road, [perfect], o).dataSync()[0]).toBe(0);
    expect(regionSeparationLoss(road, cut, o).dataSync()[0]).toBeGreaterThan(0);
    const g = tf.grad((x: tf.Tensor) => regionSeparationLoss(road, x, o))(tf.tensor(cut)).dataSync();
    g.forEach((v, i) => {
      if (i % w === 12) expect(v).toBeLessThanOrEqual(0);
      else expect(v).toBe(0);
    });
    expect(Math.min(...g)).toBeLessThan(0);
  });

  it("'topomortar' reproduces the official weights vanishing on thin structures: α times the squared error alone", () => {
    // A 64 × 64 brick wall, 1-px mortar: no mortar pixel lies 5 px from the bricks.
    const size = 64;
    const wall = [Array.from({ length: size }, (_, r) => Array.from({ length: size }, (_, c) => (r % 8 === 0 || (c + (Math.floor(r / 8) % 2) * 8) % 16 === 0 ? 1 : 0)))];
    const r = rng(12);
    const pt = noisyMaps(r, wall, { variant: 'topomortar' }, 1);
    const d = targetMaps(wall[0]!, { ...DEFAULTS, variant: 'topomortar' }).d;
    const mse = pt[0]!.flatMap((row, i) => row.map((v, j) => (Math.max(v, 0) - d[i]![j]!) ** 2)).reduce((a, b) => a + b, 0);
    expectClose(regionSeparationLoss(wall, pt, { variant: 'topomortar' }).dataSync()[0]!, 1e-3 * mse, 1e-5);
    // 'oner' reads the distance map there, and its MALIS terms are not empty.
    const po = noisyMaps(r, wall, { variant: 'oner' }, 1);
    const dOner = targetMaps(wall[0]!, DEFAULTS).d;
    const mseOner = po[0]!.flatMap((row, i) => row.map((v, j) => (Math.max(v, 0) - dOner[i]![j]!) ** 2)).reduce((a, b) => a + b, 0);
    expect(regionSeparationLoss(wall, po).dataSync()[0]!).toBeGreaterThan(1e-3 * mseOner * (1 + 1e-3));
  });

  it('has no MALIS terms without windows: full windows only on an image smaller than the window', () => {
    const r = rng(8);
    const y = roads(r, 2, 9, 10);
    const p = noisyMaps(r, y, {}, 3);
    const o = { window: 12, margin: 1, dMax: 3, dMin: 2, partialWindows: false, reduction: 'none' as const };
    const d = y.map((img) => targetMaps(img, { ...DEFAULTS, dMax: 3 }).d);
    const mse = p.map((img, n) => img.flatMap((row, i) => row.map((v, j) => (Math.max(v, 0) - d[n]![i]![j]!) ** 2)).reduce((a, b) => a + b, 0));
    expectClose(values(regionSeparationLoss(y, p, o)), mse.map((v) => 1e-3 * v), 1e-5);
  });

  it('scales with the class weights and the weights of ones change nothing', () => {
    const r = rng(2);
    const o = { window: 6, dMax: 3, dMin: 1.5, margin: 1 };
    const y = roads(r, 2, 8, 8);
    const p = noisyMaps(r, y, o, 2);
    const base = values(regionSeparationLoss(y, p, { ...o, reduction: 'none' }));
    expectClose(values(regionSeparationLoss(y, p, { ...o, classWeights: [1, 1], reduction: 'none' })), base, 1e-6);
    expectClose(values(regionSeparationLoss(y, p, { ...o, classWeights: tf.tensor1d([2.5, 2.5]), reduction: 'none' })), base.map((v) => 2.5 * v), 1e-5);
  });

  it("reduces by 'mean' (default), 'sum' and 'none', and weighs images", () => {
    const r = rng(6);
    const o = { window: 6, dMax: 3, dMin: 1.5, margin: 1 };
    const y = roads(r, 3, 7, 9);
    const p = noisyMaps(r, y, o, 2);
    const none = values(regionSeparationLoss(y, p, { ...o, reduction: 'none' }));
    expect(none).toHaveLength(3);
    expectClose(regionSeparationLoss(y, p, o).dataSync()[0]!, mean(none), 1e-5);
    expectClose(regionSeparationLoss(y, p, { ...o, reduction: 'sum' }).dataSync()[0]!, none[0]! + none[1]! + none[2]!, 1e-5);
    expectClose(regionSeparationLoss(y, p, { ...o, weights: [1, 0, 3] }).dataSync()[0]!, (none[0]! + 3 * none[2]!) / 4, 1e-5);
  });

  it('stays finite, in value and gradient, at extreme predictions and on empty or full masks', () => {
    const r = rng(3);
    const y = roads(r, 1, 8, 8);
    const empty = [y[0]!.map((row) => row.map(() => 0))];
    const full = [y[0]!.map((row) => row.map(() => 1))];
    const huge = [y[0]!.map((row) => row.map((_, c) => (c % 2 ? 1e4 : -1e4)))];
    for (const variant of ['oner', 'topomortar'] as const) {
      for (const target of [y, empty, full]) {
        for (const pred of [huge, [y[0]!.map((row) => row.map(() => 0))], noisyMaps(r, target, { variant }, 2)]) {
          const o = { variant, window: 4, margin: 1, dMax: 3, dMin: 1 };
          expectFinite(regionSeparationLoss(target, pred, o));
          expectFinite(tf.grad((x: tf.Tensor) => regionSeparationLoss(target, x, o))(tf.tensor(pred)));
        }
      }
    }
    // No structure ('oner'): every pixel is D_max away, one region, so only the squared error to D_max remains.
    const flat = [empty[0]!.map((row) => row.map(() => 20))];
    expect(regionSeparationLoss(empty, flat).dataSync()[0]).toBe(0);
  });

  it('leaks no tensors', () => {
    const r = rng(5);
    const y = roads(r, 2, 8, 8);
    const p = tf.tensor(noisyMaps(r, y, {}, 2));
    const o = { window: 5, margin: 1, dMax: 3, dMin: 1 };
    expect(leakedTensors(() => regionSeparationLoss(y, p, o))).toBe(0);
    expect(leakedTensors(() => tf.grad((x: tf.Tensor) => regionSeparationLoss(y, x, o))(p))).toBe(0);
    p.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    const y = [[[0, 1, 0], [0, 1, 0]]];
    const p = [[[1, 0, 1], [1, 0, 1]]];
    expect(() => regionSeparationLoss(y, [[[1, 0], [1, 0]]])).toThrow('regionSeparationLoss: expected `yTrue` and `yPred` to have the same shape, got [1,2,3] and [1,2,2]');
    expect(() => regionSeparationLoss([[0, 1]], [[0, 1]])).toThrow('regionSeparationLoss: expected `yPred` to have shape [N,H,W] or [N,H,W,1] in binary mode, got shape [1,2]');
    expect(() => regionSeparationLoss([[[0, 0.5, 0], [0, 1, 0]]], p)).toThrow(
      'regionSeparationLoss: expected every value of `yTrue` to be 0 or 1 (distance maps and regions are taken of a hard mask), got 0.5 at flat index 1',
    );
    expect(() => regionSeparationLoss(y, p, { dMin: 30 })).toThrow('regionSeparationLoss: expected `dMin` to be <= dMax (20), got 30 (number)');
    expect(() => regionSeparationLoss(y, p, { dMax: 0 })).toThrow('regionSeparationLoss: expected `dMax` to be a finite number > 0, got 0 (number)');
    expect(() => regionSeparationLoss(y, p, { window: 1 })).toThrow('regionSeparationLoss: expected `window` to be an integer >= 2, got 1 (number)');
    expect(() => regionSeparationLoss(y, p, { margin: 1.5 })).toThrow('regionSeparationLoss: expected `margin` to be an integer >= 0, got 1.5 (number)');
    expect(() => regionSeparationLoss(y, p, { alpha: -1 })).toThrow('regionSeparationLoss: expected `alpha` to be a finite number >= 0, got -1 (number)');
    expect(() => regionSeparationLoss(y, p, { classWeights: [1, 2, 3] })).toThrow('regionSeparationLoss: expected `classWeights` to have one entry per class (2), got 3 entries');
    expect(() => regionSeparationLoss(y, p, { classWeights: [1, -2] })).toThrow('regionSeparationLoss: expected `classWeights[1]` to be a finite number >= 0, got -2 (number)');
    // @ts-expect-error: an invalid choice
    expect(() => regionSeparationLoss(y, p, { variant: 'malis' })).toThrow("regionSeparationLoss: expected `variant` to be one of 'oner' | 'topomortar', got \"malis\" (string)");
    // @ts-expect-error: an unknown option
    expect(() => regionSeparationLoss(y, p, { windows: 8 })).toThrow(/^regionSeparationLoss: expected each option to be one of variant, .*, got `windows`$/);
  });
});
