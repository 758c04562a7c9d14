import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, rng, values } from '../../../test/helpers.js';
import { energyDistanceSamples } from './energyDistanceSamples.js';

// Float64 reference from the formula, sharing nothing with the function. A set is number[][].
type Cloud = number[][];

function energyReference(x: Cloud, y: Cloud, clampSq = 1e-8): number {
  const dist = (u: number[], v: number[]) => Math.sqrt(Math.max(u.reduce((s, a, k) => s + (a - v[k]!) ** 2, 0), clampSq));
  const avg = (a: Cloud, b: Cloud) => {
    let s = 0;
    for (const u of a) for (const v of b) s += dist(u, v);
    return s / (a.length * b.length);
  };
  return avg(x, y) - 0.5 * avg(x, x) - 0.5 * avg(y, y);
}

const randomCloud = (r: () => number, n: number, d: number): Cloud => Array.from({ length: n }, () => Array.from({ length: d }, () => 2 * r() - 1));
const unflat = (v: number[], n: number, d: number): Cloud => Array.from({ length: n }, (_, i) => v.slice(i * d, (i + 1) * d));

describe('energyDistanceSamples(x, y, options)', () => {
  it('matches the float64 reference per batch element, with N ≠ M, and reads one set as a scalar', () => {
    const r = rng(1);
    const xs = [randomCloud(r, 4, 5), randomCloud(r, 4, 5), randomCloud(r, 4, 5)];
    const ys = [randomCloud(r, 3, 5), randomCloud(r, 3, 5), randomCloud(r, 3, 5)];
    const expected = xs.map((x, b) => energyReference(x, ys[b]!));
    const out = energyDistanceSamples(xs, ys);
    expect(out.shape).toEqual([3]);
    expectClose(values(out), expected, 1e-5, 1e-7);
    const single = energyDistanceSamples(xs[0]!, ys[0]!);
    expect(single.shape).toEqual([]);
    expectClose(single.dataSync()[0]!, expected[0]!, 1e-5, 1e-7);
    expectClose(energyDistanceSamples(xs, ys, { clampSq: 0.5 }).dataSync(), xs.map((x, b) => energyReference(x, ys[b]!, 0.5)), 1e-5, 1e-7);
  });

  it('reproduces the reference values: the documented example, 0 for equal sets, and the 1e-8 clamp', () => {
    // cross 0.5; self terms (1e-4 + 1 + 1 + 1e-4)/4 and 1e-4.
    expectClose(energyDistanceSamples([[0], [1]], [[0.5]]).dataSync()[0]!, 0.5 - 0.5 * (0.50005 + 1e-4), 1e-6);
    // Equal sets: the clamped self distances (1e-4) appear in all three terms alike and cancel.
    const r = rng(2);
    const x = randomCloud(r, 5, 3);
    expect(Math.abs(energyDistanceSamples(x, x).dataSync()[0]!)).toBeLessThan(1e-6);
    expect(energyReference(x, x)).toBeCloseTo(0, 12);
    // Two single points: the clamp hides distances below 1e-4 and shifts the others by −1e-4.
    expectClose(energyDistanceSamples([[0, 0]], [[0.3, 0.4]]).dataSync()[0]!, 0.5 - 1e-4, 1e-6);
    expect(energyDistanceSamples([[0, 0]], [[3e-5, 4e-5]]).dataSync()[0]!).toBe(0);
    expectClose(energyDistanceSamples([[0, 0]], [[0.3, 0.4]], { clampSq: 0 }).dataSync()[0]!, 0.5, 1e-6);
  });

  it('is symmetric, non-negative, and unchanged by a common translation or a permutation of the points', () => {
    const r = rng(3);
    const x = randomCloud(r, 5, 4);
    const y = randomCloud(r, 6, 4);
    const e = energyDistanceSamples(x, y).dataSync()[0]!;
    expect(e).toBeGreaterThan(0);
    expectClose(energyDistanceSamples(y, x).dataSync()[0]!, e, 1e-5);
    const shift = (c: Cloud) => c.map((p) => p.map((v, k) => v + [3, -1, 0.5, 2][k]!));
    expectClose(energyDistanceSamples(shift(x), shift(y)).dataSync()[0]!, e, 1e-4);
    expectClose(energyDistanceSamples([...x].reverse(), y).dataSync()[0]!, e, 1e-5);
  });

  it('has the gradient of the float64 reference (finite differences) in both sets', () => {
    const r = rng(4);
    const x = randomCloud(r, 3, 4);
    const y = randomCloud(r, 4, 4);
    const [gx, gy] = tf.grads((a: tf.Tensor, b: tf.Tensor) => energyDistanceSamples(a, b))([tf.tensor(x), tf.tensor(y)]);
    expectClose(values(gx!), numericGradient((v) => energyReference(unflat(v, 3, 4), y), x.flat()), 1e-3, 1e-6);
    expectClose(values(gy!), numericGradient((v) => energyReference(x, unflat(v, 4, 4)), y.flat()), 1e-3, 1e-6);
  });

  it('stays finite, in value and gradient, where points coincide and at large coordinates', () => {
    const same = tf.tensor([[[0.5, 0.5], [0.5, 0.5]]]);
    expectFinite(energyDistanceSamples(same, same));
    expectFinite(tf.grad((t: tf.Tensor) => energyDistanceSamples(t, same))(same));
    const big = tf.tensor([[[1e4, -1e4], [-1e4, 1e4]]]);
    expectFinite(energyDistanceSamples(big, same));
    expectFinite(tf.grad((t: tf.Tensor) => energyDistanceSamples(t, same))(big));
  });

  it('leaks no tensors', () => {
    const x = tf.tensor([[[0.1, 0.2], [0.3, 0.4]]]);
    const y = tf.tensor([[[0.5, 0.6]]]);
    expect(leakedTensors(() => energyDistanceSamples(x, y))).toBe(0);
    expect(leakedTensors(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => energyDistanceSamples(a, b))([x, y]))).toBe(0);
    x.dispose();
    y.dispose();
  });

  it('rejects bad input with a message naming the function, the argument, the rule and the value', () => {
    expect(() => energyDistanceSamples([1, 2], [1, 2])).toThrow('energyDistanceSamples: expected `x` to have shape [B, N, D] (or [N, D] for one set), got shape [2]');
    expect(() => energyDistanceSamples([[[1, 2]]], [[[1, 2, 3]]])).toThrow(
      'energyDistanceSamples: expected `x` and `y` to have the same batch size and point dimension ([B, N, D] and [B, M, D]), got [1,1,2] and [1,1,3]',
    );
    expect(() => energyDistanceSamples([[1, 2]], [[1, 2, 3]])).toThrow('energyDistanceSamples: expected `x` and `y` to have the same point dimension ([N, D] and [M, D]), got [1,2] and [1,3]');
    expect(() => energyDistanceSamples(tf.zeros([1, 0, 2]), [[[1, 2]]])).toThrow('energyDistanceSamples: expected `x` to hold at least one element, got shape [1,0,2]');
    expect(() => energyDistanceSamples([[1]], [[2]], { clampSq: -1 })).toThrow('energyDistanceSamples: expected `clampSq` to be a finite number >= 0, got -1 (number)');
    // A helper, not a loss: no reduction.
    expect(() => energyDistanceSamples([[1]], [[2]], { reduction: 'mean' } as never)).toThrow('energyDistanceSamples: expected each option to be one of clampSq, got `reduction`');
  });
});
