import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, rng, values } from '../../../test/helpers.js';
import { pulaskiSetLoss } from './pulaskiSetLoss.js';

// Float64 references written from the formulas (energy distance; GeomLoss's Sinkhorn loop as its
// source reads), sharing nothing with the loss. A set is a list of points: number[][].
type Cloud = number[][];

const norm = (a: number[], b: number[]) => Math.sqrt(Math.max(a.reduce((s, v, k) => s + (v - b[k]!) ** 2, 0), 1e-8));
const meanPairs = (a: Cloud, b: Cloud, f: (u: number[], v: number[]) => number) => a.reduce((s, u) => s + b.reduce((t, v) => t + f(u, v), 0), 0) / (a.length * b.length);

function energyReference(x: Cloud, y: Cloud): number {
  return meanPairs(x, y, norm) - 0.5 * meanPairs(x, x, norm) - 0.5 * meanPairs(y, y, norm);
}

const cost = (u: number[], v: number[]) => 0.5 * u.reduce((s, a, k) => s + (a - v[k]!) ** 2, 0);

/** f_i = −ε log Σ_j (1/|b|) exp((g_j − C(a_i, b_j))/ε). */
function cTransform(eps: number, a: Cloud, b: Cloud, g: number[]): number[] {
  return a.map((u) => {
    const t = b.map((v, j) => -Math.log(b.length) + (g[j]! - cost(u, v)) / eps);
    const m = Math.max(...t);
    return -eps * (m + Math.log(t.reduce((s, v) => s + Math.exp(v - m), 0)));
  });
}

function sinkhornReference(x: Cloud, y: Cloud, o: { blur: number; scaling: number; iterations: number; debias: boolean; diameter: number }): number {
  const d = Math.max(o.diameter, o.blur);
  const eps = [d * d];
  // np.arange(2 log d, 2 log blur, 2 log scaling): every value above the stop.
  for (let k = 0; 2 * Math.log(d) + 2 * k * Math.log(o.scaling) > 2 * Math.log(o.blur); k++) eps.push(Math.exp(2 * Math.log(d) + 2 * k * Math.log(o.scaling)));
  eps.push(o.blur ** 2);
  const zx = x.map(() => 0);
  const zy = y.map(() => 0);
  let f = cTransform(eps[0]!, x, y, zy);
  let g = cTransform(eps[0]!, y, x, zx);
  let fx = cTransform(eps[0]!, x, x, zx);
  let gy = cTransform(eps[0]!, y, y, zy);
  const step = (e: number) => {
    const [f2, g2, fx2, gy2] = [cTransform(e, x, y, g), cTransform(e, y, x, f), cTransform(e, x, x, fx), cTransform(e, y, y, gy)];
    const change = Math.max(...f2.map((v, i) => Math.abs(v - f[i]!) / 2), ...g2.map((v, i) => Math.abs(v - g[i]!) / 2));
    f = f.map((v, i) => (v + f2[i]!) / 2);
    g = g.map((v, i) => (v + g2[i]!) / 2);
    fx = fx.map((v, i) => (v + fx2[i]!) / 2);
    gy = gy.map((v, i) => (v + gy2[i]!) / 2);
    return change;
  };
  for (const e of eps) step(e);
  const last = o.blur ** 2;
  for (let k = 0; k < o.iterations; k++) if (step(last) < 1e-13) break;
  const [fl, gl, fxl, gyl] = [cTransform(last, x, y, g), cTransform(last, y, x, f), cTransform(last, x, x, fx), cTransform(last, y, y, gy)];
  const avg = (v: number[]) => v.reduce((s, a) => s + a, 0) / v.length;
  return o.debias ? avg(fl) - avg(fxl) + avg(gl) - avg(gyl) : avg(fl) + avg(gl);
}

/** GeomLoss's diameter: the diagonal of the bounding box of every point of the batch. */
function diameterOf(clouds: Cloud[]): number {
  const pts = clouds.flat();
  return Math.sqrt(pts[0]!.reduce((s, _, k) => s + (Math.max(...pts.map((p) => p[k]!)) - Math.min(...pts.map((p) => p[k]!))) ** 2, 0));
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const randomSet = (r: () => number, n: number, d: number, binary: boolean): Cloud => Array.from({ length: n }, () => Array.from({ length: d }, () => (binary ? (r() < 0.4 ? 1 : 0) : 0.05 + 0.9 * r())));
const batchOf = (sets: Cloud[]) => tf.tensor(sets.flat(2), [sets.length, sets[0]!.length, sets[0]![0]!.length]);
const unflat = (x: number[], b: number, n: number, d: number): Cloud[] => Array.from({ length: b }, (_, i) => Array.from({ length: n }, (_, j) => x.slice((i * n + j) * d, (i * n + j + 1) * d)));

describe('pulaskiSetLoss(yTrue, yPred, options): energy distance', () => {
  it('reproduces the spec formula, with the 1e-8 clamp inside the square root', () => {
    // Raters {0, 1}, one sample 0.5 (D = 1): 0.5 − ½·1e-4 − ½·(2·1e-4 + 2·1)/4.
    expectClose(pulaskiSetLoss([[[0], [1]]], [[[0.5]]]).dataSync()[0]!, 0.5 - 0.5e-4 - 0.5 * (2 + 2e-4) / 4, 1e-6);
    // Equal sets, in any order, are at distance 0 (the example of the doc).
    expectClose(pulaskiSetLoss([[[1, 0], [1, 1]]], [[[1, 1], [1, 0]]]).dataSync()[0]!, 0, 0, 1e-6);
  });

  it('matches the float64 reference on random sets, with M samples ≠ R raters and [B, R, H, W] masks', () => {
    const r = rng(1);
    const raters = [randomSet(r, 4, 12, true), randomSet(r, 4, 12, true), randomSet(r, 4, 12, true)];
    const samples = [randomSet(r, 3, 12, false), randomSet(r, 3, 12, false), randomSet(r, 3, 12, false)];
    const expected = raters.map((y, b) => energyReference(samples[b]!, y));
    expectClose(values(pulaskiSetLoss(batchOf(raters), batchOf(samples), { reduction: 'none' })), expected, 1e-5);
    const images = (sets: Cloud[]) => tf.reshape(batchOf(sets), [3, sets[0]!.length, 3, 4]);
    expectClose(values(pulaskiSetLoss(images(raters), images(samples), { reduction: 'none' })), expected, 1e-5);
  });

  it('has the gradient of the float64 reference (finite differences), from probabilities and logits', () => {
    const r = rng(2);
    const raters = [randomSet(r, 3, 5, true), randomSet(r, 3, 5, true)];
    const samples = [randomSet(r, 4, 5, false), randomSet(r, 4, 5, false)];
    const x = samples.flat(2);
    const f = (v: number[]) => mean(unflat(v, 2, 4, 5).map((s, b) => energyReference(s, raters[b]!)));
    const g = tf.grad((t: tf.Tensor) => pulaskiSetLoss(batchOf(raters), t))(batchOf(samples));
    expectClose(values(g), numericGradient(f, x), 1e-4, 1e-7);
    const z = x.map((p) => Math.log(p / (1 - p)));
    const gz = tf.grad((t: tf.Tensor) => pulaskiSetLoss(batchOf(raters), t, { fromLogits: true }))(tf.tensor(z, [2, 4, 5]));
    expectClose(values(gz), numericGradient((v) => f(v.map((a) => 1 / (1 + Math.exp(-a)))), z), 1e-4, 1e-7);
  });

  it('spreads samples over the raters: a set copying both raters beats one sample at their mean', () => {
    const raters = [[[1, 0, 0], [0, 0, 1]]];
    const both = pulaskiSetLoss(raters, [[[1, 0, 0], [0, 0, 1]]]).dataSync()[0]!;
    const average = pulaskiSetLoss(raters, [[[0.5, 0, 0.5], [0.5, 0, 0.5]]]).dataSync()[0]!;
    expect(both).toBeLessThan(1e-6);
    expect(average).toBeGreaterThan(0.1);
  });

  it('stays finite, in value and gradient, at logits of ±1e4 and with coinciding points', () => {
    const z = tf.tensor([[[1e4, -1e4], [1e4, -1e4]]]);
    expectFinite(pulaskiSetLoss([[[1, 0], [1, 0]]], z, { fromLogits: true }));
    expectFinite(tf.grad((t: tf.Tensor) => pulaskiSetLoss([[[1, 0], [1, 0]]], t, { fromLogits: true }))(z));
    expectFinite(tf.grad((t: tf.Tensor) => pulaskiSetLoss([[[0.3, 0.3]]], t))(tf.tensor([[[0.3, 0.3]]])));
  });
});

describe('pulaskiSetLoss(yTrue, yPred, options): Sinkhorn divergence', () => {
  const settings = { blur: 0.05, scaling: 0.5, iterations: 1000, debias: true };

  it('is ½‖x − y‖² between two single points, for any blur, and 0 between equal sets', () => {
    const y = [[[1, 0, 1]]];
    const x = [[[0.2, 0.5, 0.9]]];
    const half = 0.5 * (0.64 + 0.25 + 0.01);
    for (const blur of [0.05, 0.5]) expectClose(pulaskiSetLoss(y, x, { distance: 'sinkhorn', blur }).dataSync()[0]!, half, 1e-5);
    // Raw (biased) OT_ε between single points is the cost as well.
    expectClose(pulaskiSetLoss(y, x, { distance: 'sinkhorn', debias: false }).dataSync()[0]!, half, 1e-5);
    expectClose(pulaskiSetLoss([[[1, 0], [0, 1]]], [[[0, 1], [1, 0]]], { distance: 'sinkhorn' }).dataSync()[0]!, 0, 0, 1e-5);
  });

  it('approaches the assignment cost of the optimal matching as the blur shrinks', () => {
    // Two raters and two samples: the optimal matching pairs x1–y2, x2–y1; cost ½(0.1² + 0.2²) per point.
    const y = [[[0, 0], [1, 1]]];
    const x = [[[0.9, 1], [0.2, 0]]];
    expectClose(pulaskiSetLoss(y, x, { distance: 'sinkhorn', blur: 0.01 }).dataSync()[0]!, 0.5 * (0.01 + 0.04) / 2, 1e-3);
  });

  it('matches the float64 reference (GeomLoss loop, then updates to convergence) on random sets', () => {
    const r = rng(3);
    const raters = [randomSet(r, 4, 6, true), randomSet(r, 4, 6, true)];
    const samples = [randomSet(r, 3, 6, false), randomSet(r, 3, 6, false)];
    const diameter = diameterOf([...raters, ...samples]);
    for (const o of [settings, { ...settings, debias: false }, { ...settings, iterations: 0 }, { ...settings, blur: 0.3, scaling: 0.7 }]) {
      const expected = raters.map((y, b) => sinkhornReference(samples[b]!, y, { ...o, diameter }));
      expectClose(values(pulaskiSetLoss(batchOf(raters), batchOf(samples), { distance: 'sinkhorn', ...o, reduction: 'none' })), expected, 2e-5, 1e-6);
    }
  });

  it('has the gradient of the float64 reference (finite differences) once the potentials settle', () => {
    const r = rng(4);
    const raters = [randomSet(r, 3, 4, true), randomSet(r, 3, 4, true)];
    const samples = [randomSet(r, 3, 4, false), randomSet(r, 3, 4, false)];
    const x = samples.flat(2);
    for (const o of [{ ...settings, blur: 0.3 }, { ...settings, blur: 0.3, debias: false }, settings]) {
      const f = (v: number[]) => {
        const s = unflat(v, 2, 3, 4);
        const diameter = diameterOf([...raters, ...s]);
        return mean(s.map((c, b) => sinkhornReference(c, raters[b]!, { ...o, diameter })));
      };
      const g = tf.grad((t: tf.Tensor) => pulaskiSetLoss(batchOf(raters), t, { distance: 'sinkhorn', ...o }))(batchOf(samples));
      expectClose(values(g), numericGradient(f, x, 1e-5), 2e-3, 1e-5);
    }
  });

  it('stays finite, in value and gradient, at logits of ±1e4 and when every point coincides', () => {
    const z = tf.tensor([[[1e4, -1e4], [-1e4, 1e4]]]);
    expectFinite(pulaskiSetLoss([[[1, 0], [0, 1]]], z, { distance: 'sinkhorn', fromLogits: true }));
    expectFinite(tf.grad((t: tf.Tensor) => pulaskiSetLoss([[[1, 0], [0, 1]]], t, { distance: 'sinkhorn', fromLogits: true }))(z));
    const same = tf.tensor([[[0.5, 0.5], [0.5, 0.5]]]);
    expectFinite(pulaskiSetLoss(same, same, { distance: 'sinkhorn' }));
    expectFinite(tf.grad((t: tf.Tensor) => pulaskiSetLoss(same, t, { distance: 'sinkhorn' }))(same));
  });
});

describe('pulaskiSetLoss(yTrue, yPred, options): options, leaks and errors', () => {
  const raters = [[[1, 0, 1], [1, 1, 0]], [[0, 0, 1], [0, 1, 1]]];
  const samples = [[[0.9, 0.2, 0.6], [0.7, 0.8, 0.1]], [[0.1, 0.3, 0.9], [0.2, 0.6, 0.7]]];

  it("reduces by 'mean' (default), 'sum' and 'none', and weighs images", () => {
    for (const distance of ['energy', 'sinkhorn'] as const) {
      const none = values(pulaskiSetLoss(raters, samples, { distance, reduction: 'none' }));
      expect(none).toHaveLength(2);
      expectClose(pulaskiSetLoss(raters, samples, { distance, reduction: 'sum' }).dataSync()[0]!, none[0]! + none[1]!, 1e-5);
      expectClose(pulaskiSetLoss(raters, samples, { distance }).dataSync()[0]!, mean(none), 1e-5);
      expectClose(pulaskiSetLoss(raters, samples, { distance, weights: [1, 3] }).dataSync()[0]!, (none[0]! + 3 * none[1]!) / 4, 1e-5);
    }
  });

  it('leaks no tensors', () => {
    const x = tf.tensor(samples);
    for (const distance of ['energy', 'sinkhorn'] as const) {
      expect(leakedTensors(() => pulaskiSetLoss(raters, x, { distance, weights: [1, 2] }))).toBe(0);
      expect(leakedTensors(() => tf.grad((t: tf.Tensor) => pulaskiSetLoss(raters, t, { distance, fromLogits: true }))(x))).toBe(0);
    }
    x.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => pulaskiSetLoss([[0, 1]], [[0.5, 0.5]])).toThrow('pulaskiSetLoss: expected `yPred` to have shape [B, M, ...]: M sampled segmentations per image, got shape [1,2]');
    expect(() => pulaskiSetLoss(raters, [[[0.5, 0.5]]])).toThrow('pulaskiSetLoss: expected `yTrue` and `yPred` to have the same batch size and segmentation shape ([B, R, ...] and [B, M, ...]), got [2,2,3] and [1,1,2]');
    expect(() => pulaskiSetLoss([[[0, 1.5]]], [[[0.5, 0.5]]])).toThrow('pulaskiSetLoss: expected every value of `yTrue` to lie in [0, 1], got 1.5 at flat index 1');
    expect(() => pulaskiSetLoss(raters, samples, { distance: 'hausdorff' as never })).toThrow("pulaskiSetLoss: expected `distance` to be one of 'energy' | 'sinkhorn', got \"hausdorff\" (string)");
    expect(() => pulaskiSetLoss(raters, samples, { blur: 0 })).toThrow('pulaskiSetLoss: expected `blur` to be a finite number > 0, got 0 (number)');
    expect(() => pulaskiSetLoss(raters, samples, { scaling: 1 })).toThrow('pulaskiSetLoss: expected `scaling` to be a finite number > 0 and < 1, got 1 (number)');
    expect(() => pulaskiSetLoss(raters, samples, { iterations: 2.5 })).toThrow('pulaskiSetLoss: expected `iterations` to be an integer >= 0, got 2.5 (number)');
    expect(() => pulaskiSetLoss(raters, samples, { p: 1 } as never)).toThrow('pulaskiSetLoss: expected each option to be one of distance, fromLogits, blur, scaling, debias, iterations, reduction, weights, got `p`');
    expect(() => pulaskiSetLoss(raters, samples, { weights: [1, 2, 3] })).toThrow("pulaskiSetLoss: expected `weights` to be per sample or broadcast to the loss's shape [2], got shape [3]");
  });
});
