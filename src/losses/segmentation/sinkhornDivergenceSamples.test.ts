import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, rng, values } from '../../../test/helpers.js';
import { sinkhornDivergenceSamples } from './sinkhornDivergenceSamples.js';

// Float64 references sharing nothing with the function: (1) GeomLoss's tensorised loop as its source
// reads (ε-scaling, symmetric averaged updates, last extrapolation), then more updates at blur²;
// (2) plain alternating log-domain Sinkhorn at ε = blur² run to its fixed point. A set is number[][].
type Cloud = number[][];

const cost = (u: number[], v: number[]) => 0.5 * u.reduce((s, a, k) => s + (a - v[k]!) ** 2, 0);

/** Soft C-transform: f_i = −ε log Σ_j (1/|b|) exp((g_j − C(a_i, b_j))/ε). */
function softC(eps: number, a: Cloud, b: Cloud, g: number[]): number[] {
  return a.map((u) => {
    const t = b.map((v, j) => (g[j]! - cost(u, v)) / eps - Math.log(b.length));
    const m = Math.max(...t);
    return -eps * (m + Math.log(t.reduce((s, v) => s + Math.exp(v - m), 0)));
  });
}

const avg = (v: number[]) => v.reduce((s, a) => s + a, 0) / v.length;
const half = (a: number[], b: number[]) => a.map((v, i) => (v + b[i]!) / 2);

interface Settings {
  blur: number;
  scaling: number;
  debias: boolean;
  iterations: number;
}

function geomLossReference(x: Cloud, y: Cloud, o: Settings, diameter: number): number {
  const d = Math.max(diameter, o.blur);
  const schedule = [d * d];
  for (let k = 0; 2 * Math.log(d) + 2 * k * Math.log(o.scaling) > 2 * Math.log(o.blur); k++) schedule.push((d * o.scaling ** k) ** 2);
  schedule.push(o.blur ** 2);
  let [f, g, fx, gy] = [softC(schedule[0]!, x, y, y.map(() => 0)), softC(schedule[0]!, y, x, x.map(() => 0)), softC(schedule[0]!, x, x, x.map(() => 0)), softC(schedule[0]!, y, y, y.map(() => 0))];
  const update = (e: number) => {
    const next = [softC(e, x, y, g), softC(e, y, x, f), softC(e, x, x, fx), softC(e, y, y, gy)];
    const moved = Math.max(...next[0]!.map((v, i) => Math.abs(v - f[i]!)), ...next[1]!.map((v, i) => Math.abs(v - g[i]!)));
    [f, g, fx, gy] = [half(f, next[0]!), half(g, next[1]!), half(fx, next[2]!), half(gy, next[3]!)];
    return moved;
  };
  for (const e of schedule) update(e);
  const eps = o.blur ** 2;
  for (let k = 0; k < o.iterations; k++) if (update(eps) < 1e-13) break;
  const cross = avg(softC(eps, x, y, g)) + avg(softC(eps, y, x, f));
  return o.debias ? cross - avg(softC(eps, x, x, fx)) - avg(softC(eps, y, y, gy)) : cross;
}

/** OT_ε from alternating Sinkhorn updates to their fixed point (no ε-scaling): ⟨α, f⟩ + ⟨β, g⟩. */
function alternatingOT(x: Cloud, y: Cloud, eps: number): number {
  let f = x.map(() => 0);
  let g = y.map(() => 0);
  for (let k = 0; k < 5000; k++) {
    const f2 = softC(eps, x, y, g);
    const g2 = softC(eps, y, x, f2);
    const moved = Math.max(...f2.map((v, i) => Math.abs(v - f[i]!)), ...g2.map((v, i) => Math.abs(v - g[i]!)));
    [f, g] = [f2, g2];
    if (moved < 1e-14) break;
  }
  return avg(f) + avg(g);
}

const diameterOf = (clouds: Cloud[]) => {
  const pts = clouds.flat();
  return Math.sqrt(pts[0]!.reduce((s, _, k) => s + (Math.max(...pts.map((p) => p[k]!)) - Math.min(...pts.map((p) => p[k]!))) ** 2, 0));
};
const randomCloud = (r: () => number, n: number, d: number): Cloud => Array.from({ length: n }, () => Array.from({ length: d }, () => r()));
const unflat = (v: number[], n: number, d: number): Cloud => Array.from({ length: n }, (_, i) => v.slice(i * d, (i + 1) * d));
const DEFAULTS: Settings = { blur: 0.05, scaling: 0.5, debias: true, iterations: 1000 };

describe('sinkhornDivergenceSamples(x, y, options)', () => {
  it('matches the float64 reference of GeomLoss’s loop on random batches, for every option', () => {
    const r = rng(1);
    const xs = [randomCloud(r, 4, 3), randomCloud(r, 4, 3)];
    const ys = [randomCloud(r, 3, 3), randomCloud(r, 3, 3)];
    const diameter = diameterOf([...xs, ...ys]);
    for (const o of [DEFAULTS, { ...DEFAULTS, debias: false }, { ...DEFAULTS, iterations: 0 }, { ...DEFAULTS, blur: 0.3, scaling: 0.7 }]) {
      const out = sinkhornDivergenceSamples(xs, ys, o);
      expect(out.shape).toEqual([2]);
      expectClose(values(out), xs.map((x, b) => geomLossReference(x, ys[b]!, o, diameter)), 1e-5, 1e-7);
    }
    // One set: a scalar, with the schedule from its own diameter.
    const single = sinkhornDivergenceSamples(xs[0]!, ys[0]!, { iterations: 0 });
    expect(single.shape).toEqual([]);
    expectClose(single.dataSync()[0]!, geomLossReference(xs[0]!, ys[0]!, { ...DEFAULTS, iterations: 0 }, diameterOf([xs[0]!, ys[0]!])), 1e-5, 1e-7);
  });

  it('converges to the de-biased entropic OT of plain alternating Sinkhorn', () => {
    const r = rng(2);
    const x = randomCloud(r, 5, 2);
    const y = randomCloud(r, 4, 2);
    const eps = 0.09;
    const expected = alternatingOT(x, y, eps) - 0.5 * alternatingOT(x, x, eps) - 0.5 * alternatingOT(y, y, eps);
    expectClose(sinkhornDivergenceSamples(x, y, { blur: 0.3 }).dataSync()[0]!, expected, 1e-5, 1e-7);
    expectClose(sinkhornDivergenceSamples(x, y, { blur: 0.3, debias: false }).dataSync()[0]!, alternatingOT(x, y, eps), 1e-5, 1e-7);
  });

  it('reproduces the closed forms: ½‖x − y‖² for single points, 0 for equal sets, the matching cost as blur → 0', () => {
    for (const blur of [0.05, 0.5]) expectClose(sinkhornDivergenceSamples([[0.2, 0.5, 0.9]], [[1, 0, 1]], { blur }).dataSync()[0]!, 0.45, 1e-5);
    const r = rng(3);
    const x = randomCloud(r, 4, 3);
    expect(Math.abs(sinkhornDivergenceSamples(x, [...x].reverse()).dataSync()[0]!)).toBeLessThan(1e-6);
    // Optimal matching x1–y2, x2–y1: ½(0.1² + 0.2²) per point.
    expectClose(sinkhornDivergenceSamples([[0.9, 1], [0.2, 0]], [[0, 0], [1, 1]], { blur: 0.01 }).dataSync()[0]!, (0.5 * (0.01 + 0.04)) / 2, 1e-3);
  });

  it('is symmetric and unchanged by a common translation', () => {
    const r = rng(4);
    const x = randomCloud(r, 4, 3);
    const y = randomCloud(r, 5, 3);
    const s = sinkhornDivergenceSamples(x, y, { blur: 0.2 }).dataSync()[0]!;
    expect(s).toBeGreaterThan(0);
    expectClose(sinkhornDivergenceSamples(y, x, { blur: 0.2 }).dataSync()[0]!, s, 1e-5);
    const shift = (c: Cloud) => c.map((p) => p.map((v, k) => v + [2, -1, 0.5][k]!));
    expectClose(sinkhornDivergenceSamples(shift(x), shift(y), { blur: 0.2 }).dataSync()[0]!, s, 1e-4);
  });

  it('has the gradient of the float64 reference (finite differences) in both sets once the potentials settle', () => {
    const r = rng(5);
    const x = randomCloud(r, 3, 3);
    const y = randomCloud(r, 4, 3);
    for (const o of [{ ...DEFAULTS, blur: 0.3 }, { ...DEFAULTS, blur: 0.3, debias: false }, DEFAULTS]) {
      const f = (a: Cloud, b: Cloud) => geomLossReference(a, b, o, diameterOf([a, b]));
      const [gx, gy] = tf.grads((a: tf.Tensor, b: tf.Tensor) => sinkhornDivergenceSamples(a, b, o))([tf.tensor(x), tf.tensor(y)]);
      expectClose(values(gx!), numericGradient((v) => f(unflat(v, 3, 3), y), x.flat(), 1e-5), 2e-3, 1e-5);
      expectClose(values(gy!), numericGradient((v) => f(x, unflat(v, 4, 3)), y.flat(), 1e-5), 2e-3, 1e-5);
    }
  });

  it('stays finite, in value and gradient, when every point coincides and for distant sets', () => {
    const same = tf.tensor([[[0.5, 0.5], [0.5, 0.5]]]);
    expectFinite(sinkhornDivergenceSamples(same, same));
    for (const g of tf.grads((a: tf.Tensor, b: tf.Tensor) => sinkhornDivergenceSamples(a, b))([same, same])) expectFinite(g);
    const far = tf.tensor([[[100, -100], [-100, 100]]]);
    expectFinite(sinkhornDivergenceSamples(far, same));
    for (const g of tf.grads((a: tf.Tensor, b: tf.Tensor) => sinkhornDivergenceSamples(a, b))([far, same])) expectFinite(g);
  });

  it('leaks no tensors', () => {
    const x = tf.tensor([[[0.1, 0.2], [0.3, 0.4]]]);
    const y = tf.tensor([[[0.5, 0.6]]]);
    expect(leakedTensors(() => sinkhornDivergenceSamples(x, y))).toBe(0);
    expect(leakedTensors(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => sinkhornDivergenceSamples(a, b, { debias: true }))([x, y]))).toBe(0);
    x.dispose();
    y.dispose();
  });

  it('rejects bad input with a message naming the function, the argument, the rule and the value', () => {
    expect(() => sinkhornDivergenceSamples([[[1, 2]], [[3, 4]]], [[[1, 2]]])).toThrow(
      'sinkhornDivergenceSamples: expected `x` and `y` to have the same batch size and point dimension ([B, N, D] and [B, M, D]), got [2,1,2] and [1,1,2]',
    );
    expect(() => sinkhornDivergenceSamples([[1]], [[2]], { blur: 0 })).toThrow('sinkhornDivergenceSamples: expected `blur` to be a finite number > 0, got 0 (number)');
    expect(() => sinkhornDivergenceSamples([[1]], [[2]], { scaling: 1 })).toThrow('sinkhornDivergenceSamples: expected `scaling` to be a finite number > 0 and < 1, got 1 (number)');
    expect(() => sinkhornDivergenceSamples([[1]], [[2]], { iterations: -1 })).toThrow('sinkhornDivergenceSamples: expected `iterations` to be an integer >= 0, got -1 (number)');
    expect(() => sinkhornDivergenceSamples([[1]], [[2]], { debias: 1 } as never)).toThrow('sinkhornDivergenceSamples: expected `debias` to be true or false, got 1 (number)');
    expect(() => sinkhornDivergenceSamples([[1]], [[2]], { p: 1 } as never)).toThrow('sinkhornDivergenceSamples: expected each option to be one of blur, scaling, debias, iterations, got `p`');
  });
});
