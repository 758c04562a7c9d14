import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, randomMatrix, rng } from '../../test/helpers.js';
import { nc1, nc2, nc2Features, nc3 } from './neuralCollapse.js';

// ---- Float64 references written from the definitions, sharing nothing with the metrics ----

type Matrix = number[][];
const zeros = (r: number, c: number): Matrix => Array.from({ length: r }, () => new Array<number>(c).fill(0));
const mul = (a: Matrix, b: Matrix): Matrix => a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
const tr = (a: Matrix): Matrix => a[0]!.map((_, j) => a.map((row) => row[j]!));
const fro = (a: Matrix) => Math.sqrt(a.flat().reduce((s, v) => s + v * v, 0));

function stats(labels: number[], h: Matrix) {
  const classes = [...new Set(labels)].sort((a, b) => a - b);
  const d = h[0]!.length;
  const means = classes.map((c) => {
    const rows = h.filter((_, i) => labels[i] === c);
    return Array.from({ length: d }, (_, j) => rows.reduce((s, r) => s + r[j]!, 0) / rows.length);
  });
  const global = Array.from({ length: d }, (_, j) => h.reduce((s, r) => s + r[j]!, 0) / h.length);
  return { classes, means, global, d };
}

/** Inverse of a small invertible matrix by Gauss–Jordan elimination with partial pivoting. */
function inverse(a: Matrix): Matrix {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    const pivot = m[c]![c]!;
    m[c] = m[c]!.map((v) => v / pivot);
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]!;
      m[r] = m[r]!.map((v, j) => v - f * m[c]![j]!);
    }
  }
  return m.map((row) => row.slice(n));
}

/**
 * NC1 = tr(Σ_W Σ_B†)/K with Σ_B† = Q (QᵀΣ_BQ)⁻¹ Qᵀ, Q an orthonormal basis (Gram–Schmidt) of the
 * span of the centred means, which is the range of Σ_B: no eigen-decomposition involved.
 */
function nc1Reference(labels: number[], h: Matrix): number {
  const { classes, means, global, d } = stats(labels, h);
  const k = classes.length;
  const n = h.length;
  const sw = zeros(d, d);
  h.forEach((row, i) => {
    const mu = means[classes.indexOf(labels[i]!)]!;
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) sw[a]![b]! += ((row[a]! - mu[a]!) * (row[b]! - mu[b]!)) / n;
  });
  const centred = means.map((m) => m.map((v, j) => v - global[j]!));
  const sb = zeros(d, d);
  for (const c of centred) for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) sb[a]![b]! += (c[a]! * c[b]!) / k;
  const q: number[][] = [];
  for (const c of centred) {
    const v = c.slice();
    for (const u of q) {
      const p = u.reduce((s, x, j) => s + x * v[j]!, 0);
      for (let j = 0; j < d; j++) v[j]! -= p * u[j]!;
    }
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    if (norm > 1e-9 * Math.max(1, fro([c]))) q.push(v.map((x) => x / norm));
  }
  const Q = tr(q); // d × r
  const pinv = mul(mul(Q, inverse(mul(mul(tr(Q), sb), Q))), tr(Q));
  const prod = mul(sw, pinv);
  return prod.reduce((s, row, i) => s + row[i]!, 0) / k;
}

const ETF = (k: number): Matrix => Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => ((i === j ? 1 : 0) - 1 / k) / Math.sqrt(k - 1)));
const ORTH = (k: number): Matrix => Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === j ? 1 / Math.sqrt(k) : 0)));
const distance = (a: Matrix, t: Matrix) => {
  const n = fro(a);
  return Math.sqrt(a.flat().reduce((s, v, i) => s + (v / n - t.flat()[i]!) ** 2, 0));
};
const eye = (k: number): Matrix => Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === j ? 1 : 0)));

/** A dataset around given class centres: `perClass` samples each, spread `noise`. */
function around(centres: Matrix, perClass: number, noise: number, seed: number): { labels: number[]; h: Matrix } {
  const r = rng(seed);
  const labels: number[] = [];
  const h: Matrix = [];
  centres.forEach((c, k) => {
    const offsets = randomMatrix(r, perClass, c.length, noise);
    for (const o of offsets) {
      labels.push(k);
      h.push(c.map((v, j) => v + o[j]!));
    }
  });
  return { labels, h };
}

describe('nc1(labels, features, options)', () => {
  it('is 0 for collapsed features (every feature equal to its class mean)', () => {
    const centres = randomMatrix(rng(1), 4, 6, 3);
    const { labels, h } = around(centres, 5, 0, 2);
    expect(nc1(labels, h)).toBeLessThan(1e-20);
    expect(nc1([0, 0, 1, 1], [[1, 0], [1, 0], [0, 1], [0, 1]])).toBe(0);
  });

  it('matches the float64 reference on non-collapsed features, for d > K and d <= K', () => {
    for (const [k, d, seed] of [[4, 10, 3], [5, 3, 4], [3, 3, 5], [6, 5, 6]] as const) {
      const centres = randomMatrix(rng(seed), k, d, 2);
      const { labels, h } = around(centres, 7, 0.8, seed + 10);
      const value = nc1(labels, h);
      expect(value).toBeGreaterThan(0);
      expectClose(value, nc1Reference(labels, h), 1e-9);
    }
  });

  it('handles unbalanced classes, any label values and a tensor input', () => {
    const r = rng(7);
    const labels = [3, 3, 3, 3, 3, 3, 9, 9, 2, 2, 2];
    const h = randomMatrix(r, 11, 6).map((row, i) => row.map((v, j) => v + (j === labels[i]! % 6 ? 4 : 0)));
    expectClose(nc1(labels, h), nc1Reference(labels, h), 1e-9);
    expectClose(nc1(tf.tensor1d(labels, 'int32'), tf.tensor2d(h)), nc1Reference(labels, h.map((row) => row.map((v) => Math.fround(v)))), 1e-6);
  });

  it('scales with the square of the within-class spread; unchanged by rotation, uniform scale and translation', () => {
    const centres = randomMatrix(rng(8), 3, 4, 3);
    const { labels, h } = around(centres, 6, 0.3, 9);
    // Offsets re-centred per class, so the class means stay at the centres and only Σ_W scales.
    const { means } = stats(labels, h);
    const spread = (f: number) => h.map((row, i) => row.map((v, j) => centres[labels[i]!]![j]! + f * (v - means[labels[i]!]![j]!)));
    expectClose(nc1(labels, spread(3)), 9 * nc1(labels, spread(1)), 1e-9);
    const base = nc1(labels, h);
    const [c, s] = [Math.cos(0.9), Math.sin(0.9)];
    const moved = h.map((row) => [3 * (c * row[0]! - s * row[1]!) + 5, 3 * (s * row[0]! + c * row[1]!) - 2, 3 * row[2]! + 1, 3 * row[3]!]);
    expectClose(nc1(labels, moved), base, 1e-9);
  });

  it('equals the closed form for two classes in one dimension', () => {
    // Σ_W = within variance w, Σ_B = ((μ0 − μG)² + (μ1 − μG)²)/2 = (Δ/2)²: NC1 = w / (Δ/2)² / 2.
    const labels = [0, 0, 1, 1];
    const h = [[0], [2], [5], [9]];
    const w = (1 + 1 + 4 + 4) / 4;
    const delta = 7 - 1;
    expectClose(nc1(labels, h), w / (delta / 2) ** 2 / 2, 1e-12);
  });

  it('rejects bad input', () => {
    expect(() => nc1([0, 0, 0], [[1], [2], [3]])).toThrow('nc1: expected `labels` to hold at least 2 classes, got 1 class');
    expect(() => nc1([0, 1], [1, 2])).toThrow('nc1: expected `features` to have shape [N, d], got shape [2]');
    expect(() => nc1([0, 1, 1], [[1], [2]])).toThrow('nc1: expected `labels` and `features` to have the same number of rows, got [3] and [2,1]');
    expect(() => nc1([0, 1.5], [[1], [2]])).toThrow('nc1: expected every value of `labels` to be a non-negative integer class label, got 1.5 at index 1');
    expect(() => nc1([0, 1], [[1], [Number.NaN]])).toThrow('nc1: expected every value of `features` to be finite, got NaN at flat index 1');
    expect(() => nc1([0, 1], [[1], [2]], { rcond: 2 })).toThrow('nc1: expected `rcond` to be a finite number >= 0 and < 1, got 2 (number)');
    expect(() => nc1([0, 1], [[1], [2]], { tol: 1 } as never)).toThrow('nc1: expected each option to be one of rcond, got `tol`');
  });
});

describe('nc2(classifierWeights, options) and nc2Features(labels, features, options)', () => {
  it('reproduces the spec values: W = I_4 gives 0 (orthogonal) and 0.5176381 (ETF); simplex ETF rows give 0', () => {
    expect(nc2(eye(4), { target: 'orthogonal' })).toBeLessThan(1e-15);
    expectClose(nc2(eye(4)), 0.5176381, 1e-7);
    expectClose(nc2(eye(4), { target: 'etf' }), distance(eye(4), ETF(4)), 1e-14);
    const simplex = eye(4).map((row) => row.map((v) => Math.sqrt(4 / 3) * (v - 1 / 4)));
    expect(nc2(simplex)).toBeLessThan(1e-14);
  });

  it('matches the float64 reference on random weights, and is unchanged by scale and rotation', () => {
    const w = randomMatrix(rng(11), 5, 7);
    expectClose(nc2(w), distance(mul(w, tr(w)), ETF(5)), 1e-12);
    expectClose(nc2(w, { target: 'orthogonal' }), distance(mul(w, tr(w)), ORTH(5)), 1e-12);
    const scaled = w.map((row) => row.map((v) => 4 * v));
    expectClose(nc2(scaled), nc2(w), 1e-12);
    const custom = [[2, 0, 0, 0, 0], [0, 1, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1]];
    expectClose(nc2(w, { target: custom }), distance(mul(w, tr(w)), custom.map((r) => r.map((v) => v / fro(custom)))), 1e-12);
  });

  it('nc2Features uses centred means for the ETF and raw means for the orthogonal frame', () => {
    const centres = randomMatrix(rng(12), 4, 6, 2);
    const { labels, h } = around(centres, 5, 0.5, 13);
    const { means, global } = stats(labels, h);
    const centred = means.map((m) => m.map((v, j) => v - global[j]!));
    expectClose(nc2Features(labels, h), distance(mul(centred, tr(centred)), ETF(4)), 1e-12);
    expectClose(nc2Features(labels, h, { target: 'orthogonal' }), distance(mul(means, tr(means)), ORTH(4)), 1e-12);
    // Means at a simplex ETF (any offset): 0.
    const simplex = eye(4).map((row) => row.map((v) => v - 0.25).concat([7]));
    const collapsed = around(simplex, 3, 0, 1);
    expect(nc2Features(collapsed.labels, collapsed.h)).toBeLessThan(1e-12);
  });

  it('rejects bad input', () => {
    expect(() => nc2([[1, 2]])).toThrow('nc2: expected `classifierWeights` to have shape [K, d] with K >= 2 (one row per class), got shape [1,2]');
    expect(() => nc2(eye(3), { target: 'simplex' as never })).toThrow("nc2: expected `target` to be 'etf', 'orthogonal' or a [K, K] matrix, got \"simplex\" (string)");
    expect(() => nc2(eye(3), { target: [[1, 0], [0, 1]] })).toThrow("nc2: expected `target` to be 'etf', 'orthogonal' or a [3, 3] matrix, got shape [2,2]");
    expect(() => nc2(eye(3), { bias: true } as never)).toThrow('nc2: expected each option to be one of target, got `bias`');
  });
});

describe('nc3(labels, features, classifierWeights, options)', () => {
  it('is 0 at self-duality: W equal to the centred simplex means (ETF) and to orthogonal means', () => {
    const simplex = eye(4).map((row) => row.map((v) => v - 0.25));
    const { labels, h } = around(simplex, 4, 0, 1);
    expect(nc3(labels, h, simplex)).toBeLessThan(1e-12);
    expect(nc3(labels, h, simplex.map((r) => r.map((v) => 3 * v)), { target: 'duality' })).toBeLessThan(1e-12);
    const orth = around(eye(3), 2, 0, 1);
    expect(nc3(orth.labels, orth.h, eye(3), { target: 'orthogonal' })).toBeLessThan(1e-12);
    expect(nc3(orth.labels, orth.h, eye(3), { target: 'duality', centered: false })).toBeLessThan(1e-12);
  });

  it('matches the float64 reference on random inputs, each target', () => {
    const centres = randomMatrix(rng(14), 4, 5, 2);
    const { labels, h } = around(centres, 6, 0.7, 15);
    const w = randomMatrix(rng(16), 4, 5);
    const { means, global } = stats(labels, h);
    const centred = means.map((m) => m.map((v, j) => v - global[j]!));
    expectClose(nc3(labels, h, w), distance(mul(w, tr(centred)), ETF(4)), 1e-12);
    expectClose(nc3(labels, h, w, { target: 'orthogonal' }), distance(mul(w, tr(means)), ORTH(4)), 1e-12);
    const dual = (m: Matrix) => Math.sqrt(w.flat().reduce((s, v, i) => s + (v / fro(w) - m.flat()[i]! / fro(m)) ** 2, 0));
    expectClose(nc3(labels, h, w, { target: 'duality' }), dual(centred), 1e-12);
    expectClose(nc3(labels, h, w, { target: 'duality', centered: false }), dual(means), 1e-12);
  });

  it('rejects bad input', () => {
    const h = [[1, 0], [0, 1], [1, 1]];
    expect(() => nc3([0, 1, 1], h, [[1, 0], [0, 1], [1, 1]])).toThrow('nc3: expected `labels` to hold every class index 0..2 (one per row of `classifierWeights`), got classes [0,1]');
    expect(() => nc3([0, 1, 2], h, [[1, 0, 0], [0, 1, 0], [0, 0, 1]])).toThrow('nc3: expected `classifierWeights` to have shape [K, 2] with K >= 2 (one row per class), got shape [3,3]');
    expect(() => nc3([0, 1, 2], h, [[1, 0], [0, 1], [1, 1]], { target: 'x' as never })).toThrow("nc3: expected `target` to be one of 'etf' | 'orthogonal' | 'duality', got \"x\" (string)");
    expect(() => nc3([0, 1, 2], h, [[1, 0], [0, 1], [1, 1]], { centered: 1 as never })).toThrow('nc3: expected `centered` to be true or false, got 1 (number)');
  });
});
