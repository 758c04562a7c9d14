import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomMatrix, rng, values } from '../../../test/helpers.js';
import { expMap, expMap0, hyperbolicMlrLogits, logMap0, mobiusAdd, poincareDistance, projectToBall, toPoincare } from './hyperbolic.js';

// Float64 references written from the formulas, sharing nothing with the library.
const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * (b[i] as number), 0);
const norm = (a: number[]) => Math.sqrt(dot(a, a));
const scale = (a: number[], s: number) => a.map((v) => v * s);

function mobius(x: number[], y: number[], c: number, eps = 0): number[] {
  const xy = dot(x, y);
  const x2 = dot(x, x);
  const y2 = dot(y, y);
  const den = 1 + 2 * c * xy + c * c * x2 * y2 + eps;
  return x.map((v, i) => ((1 + 2 * c * xy + c * y2) * v + (1 - c * x2) * (y[i] as number)) / den);
}
function project(x: number[], c: number): number[] {
  const max = (1 - 1e-3) / Math.sqrt(c);
  const n = norm(x);
  return n > max ? scale(x, max / n) : x;
}
function expmap0(u: number[], c: number): number[] {
  const n = Math.max(norm(u), 1e-5);
  return scale(u, Math.tanh(Math.sqrt(c) * n) / (Math.sqrt(c) * n));
}
function expmap(u: number[], p: number[], c: number): number[] {
  const n = Math.max(norm(u), 1e-5);
  const lambda = 2 / (1 - c * dot(p, p));
  return mobius(p, scale(u, Math.tanh((Math.sqrt(c) * lambda * n) / 2) / (Math.sqrt(c) * n)), c);
}
/** The distance from its arcosh form, an independent formula: (1/√c) arcosh(1 + 2c‖x−y‖²/((1−c‖x‖²)(1−c‖y‖²))). */
function distance(x: number[], y: number[], c: number): number {
  const diff = x.map((v, i) => v - (y[i] as number));
  return Math.acosh(1 + (2 * c * dot(diff, diff)) / ((1 - c * dot(x, x)) * (1 - c * dot(y, y)))) / Math.sqrt(c);
}
function toBall(x: number[], c: number, r: number): number[] {
  const clipped = scale(x, Math.min(1, r / (norm(x) + 1e-5)));
  return project(expmap0(clipped, c), c);
}
function mlr(x: number[], A: number[][], P: number[][], c: number): number[] {
  return A.map((a0, k) => {
    const p = project(expmap0(P[k] as number[], c), c);
    const conformal = 1 - c * dot(p, p);
    const a = scale(a0, conformal);
    const w = mobius(scale(p, -1), x, c);
    const arg = (2 * Math.sqrt(c) * dot(w, a)) / ((1 - c * dot(w, w)) * norm(a));
    return ((2 / conformal) * norm(a) * Math.asinh(arg)) / Math.sqrt(c);
  });
}
const chunk = (flat: number[], d: number) => Array.from({ length: flat.length / d }, (_, i) => flat.slice(i * d, (i + 1) * d));

describe('Poincaré ball operations', () => {
  it('reproduce the spec distance (papers-A A.7): artanh 1.675349, the code’s atan form 1.602064', () => {
    expectClose(poincareDistance([0.5, 0.2], [-0.3, 0.4], { c: 0.1 }).dataSync()[0]!, 1.675349, 2e-6);
    expectClose(poincareDistance([0.5, 0.2], [-0.3, 0.4], { c: 0.1, form: 'atan' }).dataSync()[0]!, 1.602064, 2e-6);
    expectClose(poincareDistance([0.5, 0.2], [-0.3, 0.4]).dataSync()[0]!, 1.675349, 2e-6); // c = 0.1 is the default
    expectClose(distance([0.5, 0.2], [-0.3, 0.4], 0.1), 1.675349, 1e-6); // the independent arcosh form agrees
  });

  it('computes the distance of the arcosh form on random points, row-wise, for several curvatures', () => {
    const r = rng(1);
    for (const c of [0.1, 1, 2.5]) {
      const x = randomMatrix(r, 12, 3, 0.3 / Math.sqrt(c)).map((v) => project(v, c));
      const y = randomMatrix(r, 12, 3, 0.3 / Math.sqrt(c)).map((v) => project(v, c));
      expectClose(values(poincareDistance(x, y, { c })), x.map((xi, i) => distance(xi, y[i]!, c)), 1e-5, 1e-6);
    }
  });

  it('with epsilon adds it to the Möbius denominator, as the reference (1e-5)', () => {
    const d = (eps: number) => (2 / Math.sqrt(0.1)) * Math.atanh(Math.sqrt(0.1) * norm(mobius([-0.5, -0.2], [-0.3, 0.4], 0.1, eps)));
    expectClose(poincareDistance([0.5, 0.2], [-0.3, 0.4], { epsilon: 1e-5 }).dataSync()[0]!, d(1e-5), 2e-6);
    expect(Math.abs(d(1e-5) - d(0))).toBeGreaterThan(1e-5);
  });

  it('has the gradient of the arcosh distance (finite differences)', () => {
    const r = rng(2);
    const x = randomMatrix(r, 3, 2, 1);
    const y = randomMatrix(r, 3, 2, 1);
    const g = tf.grad((z: tf.Tensor) => tf.sum(poincareDistance(z, y)))(tf.tensor(x));
    const f = (flat: number[]) => chunk(flat, 2).reduce((s, xi, i) => s + distance(xi, y[i]!, 0.1), 0);
    expectClose(values(g), numericGradient(f, x.flat()), 1e-3, 1e-5);
  });

  it('is symmetric, zero on the diagonal with a finite gradient, and stays finite at the boundary', () => {
    const r = rng(3);
    const x = randomMatrix(r, 5, 3, 1);
    const y = randomMatrix(r, 5, 3, 1);
    expectClose(values(poincareDistance(x, y)), values(poincareDistance(y, x)), 1e-5);
    expectClose(values(poincareDistance(x, x)), [0, 0, 0, 0, 0], 0, 1e-3);
    expectFinite(tf.grad((z: tf.Tensor) => tf.sum(poincareDistance(z, x)))(tf.tensor(x)));
    const edge = [[3.16, 0], [0, -3.1622]];
    const far = [[-3.16, 0], [1e4, 1e4]];
    expectFinite(poincareDistance(edge, far));
    expectFinite(tf.grad((z: tf.Tensor) => tf.sum(poincareDistance(z, far)))(tf.tensor(edge)));
  });

  it('adds by Möbius addition (reference), with 0 as identity and (−x) ⊕ x = 0', () => {
    const r = rng(4);
    const x = randomMatrix(r, 6, 4, 0.6);
    const y = randomMatrix(r, 6, 4, 0.6);
    expectClose(values(mobiusAdd(x, y, { c: 0.3 })), x.flatMap((xi, i) => project(mobius(xi, y[i]!, 0.3), 0.3)), 1e-5, 1e-6);
    expectClose(values(mobiusAdd(tf.zerosLike(tf.tensor(x)), y)), y.flat(), 1e-6, 1e-7);
    expectClose(values(mobiusAdd(x.map((row) => scale(row, -1)), x)), new Array(24).fill(0), 0, 1e-6);
    // Sums that rounding pushes out of the ball are projected onto radius (1 − 1e-3)/√c unless project: false.
    const near = [[3.1, 0.5]];
    expect(norm(values(mobiusAdd(near, near)))).toBeLessThanOrEqual((1 - 1e-3) / Math.sqrt(0.1) + 1e-5);
    expectClose(values(mobiusAdd(near, near, { project: false })), mobius(near[0]!, near[0]!, 0.1), 1e-5);
  });

  it('maps with exp_0, log_0 (its inverse) and exp at a base point, as the references', () => {
    const r = rng(5);
    const u = randomMatrix(r, 6, 3, 1.5);
    expectClose(values(expMap0(u, { c: 0.5 })), u.flatMap((v) => project(expmap0(v, 0.5), 0.5)), 1e-5, 1e-6);
    expectClose(values(logMap0(expMap0(u, { c: 0.5 }), { c: 0.5 })), u.flat(), 1e-4, 1e-5);
    const p = [0.3, -0.2, 0.4];
    expectClose(values(expMap(u, p, { c: 0.5 })), u.flatMap((v) => project(expmap(v, p, 0.5), 0.5)), 1e-5, 1e-6);
    expectClose(values(expMap(u, [0, 0, 0], { c: 0.5 })), values(expMap0(u, { c: 0.5 })), 1e-5, 1e-7);
    // exp_0(0) = 0, with the identity as gradient.
    expectClose(values(expMap0([[0, 0]])), [0, 0], 0, 0);
    expectClose(values(tf.grad((z: tf.Tensor) => tf.sum(expMap0(z)))(tf.tensor([[0, 0]]))), [1, 1], 1e-5);
    // The geodesic distance from 0 of exp_0(u) is 2‖u‖ (exp_0 is an isometry along rays: d(0, exp_0 u) = 2‖u‖ here).
    const v = [[0.3, 0.4]];
    expectClose(poincareDistance([[0, 0]], expMap0(v)).dataSync()[0]!, 2 * 0.5, 1e-5);
  });

  it('projects points outside the ball onto radius (1 − 1e-3)/√c and leaves inner points alone', () => {
    const out = values(projectToBall([[30, 40], [0.1, 0.2]], { c: 1 }));
    expectClose(norm(out.slice(0, 2)), 1 - 1e-3, 1e-6);
    expectClose(out.slice(0, 2), [0.6 * 0.999, 0.8 * 0.999], 1e-6);
    expectClose(out.slice(2), [0.1, 0.2], 1e-7);
  });

  it('toPoincare clips to radius r, maps by exp_0 and projects (reference); a zero base point changes nothing', () => {
    const r = rng(6);
    const x = randomMatrix(r, 8, 3, 2);
    expectClose(values(toPoincare(x)), x.flatMap((v) => toBall(v, 0.1, 2)), 1e-5, 1e-6);
    expectClose(values(toPoincare(x, { c: 1, clipRadius: 0.5 })), x.flatMap((v) => toBall(v, 1, 0.5)), 1e-5, 1e-6);
    expectClose(values(toPoincare(x, { basePoint: [0, 0, 0] })), values(toPoincare(x)), 1e-5, 1e-7);
    const base = [0.2, -0.1, 0.3];
    const expected = x.flatMap((v) => project(expmap(scale(v, Math.min(1, 2 / (norm(v) + 1e-5))), project(expmap0(base, 0.1), 0.1), 0.1), 0.1));
    expectClose(values(toPoincare(x, { basePoint: base })), expected, 1e-5, 1e-6);
  });

  it('toPoincare with riemannianGradient rescales the gradient by (1 − c‖y‖²)²/4, leaving the value', () => {
    const x = tf.tensor([[0.5, -1.5], [0.2, 0.1]]);
    const w = tf.tensor([[1, 2], [-1, 0.5]]);
    const f = (riemannianGradient: boolean) => (z: tf.Tensor) => tf.sum(tf.mul(toPoincare(z, { riemannianGradient }), w));
    expectClose(values(toPoincare(x, { riemannianGradient: true })), values(toPoincare(x)), 0, 0);
    const plain = values(tf.grad(f(false))(x));
    const riemann = values(tf.grad(f(true))(x));
    const y = chunk(values(toPoincare(x)), 2);
    const factor = y.map((v) => (1 - 0.1 * dot(v, v)) ** 2 / 4);
    expectClose(riemann, plain.map((g, i) => g * factor[Math.floor(i / 2)]!), 1e-5, 1e-7);
  });

  it('computes hyperbolic MLR logits as the reference, with the gradient of it', () => {
    const r = rng(7);
    const c = 0.1;
    const x = randomMatrix(r, 5, 3, 1).map((v) => project(v, c));
    const A = randomMatrix(r, 2, 3);
    const P = randomMatrix(r, 2, 3, 0.5);
    expectClose(values(hyperbolicMlrLogits(x, A, P)), x.flatMap((v) => mlr(v, A, P, c)), 1e-5, 1e-5);
    const g = tf.grad((z: tf.Tensor) => tf.sum(tf.mul(hyperbolicMlrLogits(z, A, P), tf.tensor([[1, -2]]))))(tf.tensor(x));
    const f = (flat: number[]) => chunk(flat, 3).reduce((s, v) => s + mlr(v, A, P, c)[0]! - 2 * mlr(v, A, P, c)[1]!, 0);
    expectClose(values(g), numericGradient(f, x.flat()), 1e-3, 1e-5);
  });

  it('has the Euclidean limit 4⟨x, A_k⟩ of the MLR logits as c → 0 with zero offsets', () => {
    const x = [[0.3, -0.2], [1, 0.5]];
    const A = [[1, 2], [-0.5, 0.25]];
    const logits = values(hyperbolicMlrLogits(x, A, [[0, 0], [0, 0]], { c: 1e-6 }));
    expectClose(logits, x.flatMap((v) => A.map((a) => 4 * dot(v, a))), 1e-3, 1e-4);
  });

  it('leaks no tensors', () => {
    const x = tf.tensor([[0.5, 0.2], [0.1, -0.3]]);
    const y = tf.tensor([[-0.3, 0.4], [0.2, 0.2]]);
    for (const body of [
      () => mobiusAdd(x, y),
      () => expMap0(x),
      () => logMap0(x),
      () => expMap(x, y),
      () => projectToBall(x),
      () => poincareDistance(x, y),
      () => toPoincare(x, { basePoint: [0.1, 0.1], riemannianGradient: true }),
      () => hyperbolicMlrLogits(x, y, x),
      () => tf.grad((z: tf.Tensor) => tf.sum(poincareDistance(z, y)))(x),
      () => tf.grad((z: tf.Tensor) => tf.sum(toPoincare(z, { riemannianGradient: true })))(x),
      () => tf.grad((z: tf.Tensor) => tf.sum(hyperbolicMlrLogits(z, y, x)))(x),
    ]) {
      expect(leakedTensors(body)).toBe(0);
    }
    tf.dispose([x, y]);
  });

  it('rejects bad input with the library’s message', () => {
    expect(() => poincareDistance([[1, 2]], [[1, 2, 3]])).toThrow('poincareDistance: expected `x` and `y` to have the same shape, got [1,2] and [1,3]');
    expect(() => poincareDistance([1, 2], [1, 2], { c: 0 })).toThrow('poincareDistance: expected `c` to be a finite number > 0, got 0 (number)');
    expect(() => poincareDistance([1, 2], [1, 2], { form: 'acosh' as never })).toThrow('poincareDistance: expected `form` to be one of \'artanh\' | \'atan\', got "acosh" (string)');
    expect(() => poincareDistance(1 as never, 1 as never)).toThrow('poincareDistance: expected `x` to have rank 1 or more (points on the last axis), got shape []');
    expect(() => mobiusAdd([1, 2], [1, 2], { curvature: 1 } as never)).toThrow('mobiusAdd: expected each option to be one of c, epsilon, project, got `curvature`');
    expect(() => mobiusAdd([1, 2], [1, 2], { epsilon: -1 })).toThrow('mobiusAdd: expected `epsilon` to be a finite number >= 0, got -1 (number)');
    expect(() => mobiusAdd([1, 2], [1, 2], { project: 1 as never })).toThrow('mobiusAdd: expected `project` to be true or false, got 1 (number)');
    expect(() => expMap([1, 2], [1, 2, 3])).toThrow('expMap: expected `u` and `base` to have the same last dimension, got [2] and [3]');
    expect(() => toPoincare([[1, 2]], { clipRadius: 0 })).toThrow('toPoincare: expected `clipRadius` to be a finite number > 0, got 0 (number)');
    expect(() => toPoincare([[1, 2]], { basePoint: [1, 2, 3] })).toThrow('toPoincare: expected `basePoint` to have one entry per feature (2), got shape [3]');
    expect(() => hyperbolicMlrLogits([[1, 2]], [[1, 2, 3]], [[1, 2, 3]])).toThrow('hyperbolicMlrLogits: expected `normals` to be [numClasses, 2], one row per class, got shape [1,3]');
    expect(() => hyperbolicMlrLogits([[1, 2]], [[1, 2]], [[1, 2], [3, 4]])).toThrow('hyperbolicMlrLogits: expected `normals` and `offsets` to have the same shape, got [1,2] and [2,2]');
  });
});
