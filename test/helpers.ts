import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/** A small seeded generator (mulberry32), so random test inputs reproduce. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws (Box–Muller) from a seeded generator. */
export function normals(random: () => number, n: number): number[] {
  return Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()));
}

/** An [n, c] matrix of N(0, scale²) draws. */
export function randomMatrix(random: () => number, n: number, c: number, scale = 1): number[][] {
  return Array.from({ length: n }, () => normals(random, c).map((v) => v * scale));
}

/** n integer labels in [0, c). */
export function randomLabels(random: () => number, n: number, c: number): number[] {
  return Array.from({ length: n }, () => Math.floor(random() * c));
}

/** Values of a tensor as a flat number array (disposes nothing). */
export function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

/**
 * Asserts |actual − expected| <= atol + rtol·|expected| element by element, and that shapes of the flat
 * lists agree. Unlike tfjs' expectArraysClose, NaN and ±Infinity never pass as equal to anything.
 */
export function expectClose(actual: ArrayLike<number> | number, expected: ArrayLike<number> | number, rtol = 1e-5, atol = 1e-6): void {
  const a = typeof actual === 'number' ? [actual] : Array.from(actual);
  const e = typeof expected === 'number' ? [expected] : Array.from(expected);
  expect(a.length).toBe(e.length);
  a.forEach((v, i) => {
    const want = e[i] as number;
    const ok = Number.isFinite(v) && Math.abs(v - want) <= atol + rtol * Math.abs(want);
    if (!ok) expect.fail(`element ${i}: got ${v}, expected ${want} (rtol ${rtol}, atol ${atol})`);
  });
}

/** Asserts every value is finite. */
export function expectFinite(t: tf.Tensor | ArrayLike<number>): void {
  const v = t instanceof tf.Tensor ? t.dataSync() : t;
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) expect.fail(`element ${i} is ${v[i]}`);
}

/**
 * Central finite differences of a float64 reference f at x (flat), step h: the numeric gradient
 * against which tf.grad of the float32 loss is compared.
 */
export function numericGradient(f: (x: number[]) => number, x: number[], h = 1e-6): number[] {
  return x.map((_, i) => {
    const up = x.slice();
    const down = x.slice();
    up[i] = (x[i] as number) + h;
    down[i] = (x[i] as number) - h;
    return (f(up) - f(down)) / (2 * h);
  });
}

/** Counts tensors allocated by `body` that are still alive afterwards (its result disposed). */
export function leakedTensors(body: () => unknown): number {
  const before = tf.memory().numTensors;
  const out = body();
  if (out instanceof tf.Tensor) out.dispose();
  else if (Array.isArray(out)) for (const t of out) t.dispose();
  return tf.memory().numTensors - before;
}

/** Flattens nested number arrays. */
export function flat(x: number | readonly unknown[]): number[] {
  return typeof x === 'number' ? [x] : (x as unknown[]).flatMap((v) => flat(v as number | unknown[]));
}
