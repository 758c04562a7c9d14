import { describe, expect, it } from 'vitest';
import { expectClose } from '../../../test/helpers.js';
import { generateEquiangularBasis, welchBound } from './ebvBasis.js';

/** max_{i≠j} |w_i · w_j| and the largest deviation of a row norm from 1, computed independently. */
function coherence(basis: number[][]): { max: number; normError: number } {
  let max = 0;
  let normError = 0;
  basis.forEach((u, i) => {
    normError = Math.max(normError, Math.abs(Math.sqrt(u.reduce((s, x) => s + x * x, 0)) - 1));
    for (let j = i + 1; j < basis.length; j++) max = Math.max(max, Math.abs(u.reduce((s, x, k) => s + x * basis[j]![k]!, 0)));
  });
  return { max, normError };
}

describe('generateEquiangularBasis(numClasses, dim, options)', () => {
  it('reaches the threshold for N = d (spec reproduction (a): N = d = 100, θ = 0.01)', () => {
    const out = generateEquiangularBasis(100, 100, { threshold: 0.01, seed: 1 });
    expect(out.converged).toBe(true);
    expect(out.basis.length).toBe(100);
    expect(out.basis[0]!.length).toBe(100);
    const { max, normError } = coherence(out.basis);
    expect(max).toBeLessThanOrEqual(0.01 + 1e-4);
    expectClose(out.maxCoherence, max, 1e-12, 1e-15);
    expect(normError).toBeLessThan(1e-12);
    expect(out.steps).toBeGreaterThan(0);
  });

  it('reaches θ = 0.3 for more classes than dimensions (N = 100, d = 20, Welch bound 0.201)', () => {
    expectClose(welchBound(100, 20), Math.sqrt(80 / (20 * 99)), 1e-15);
    const out = generateEquiangularBasis(100, 20, { threshold: 0.3 });
    expect(out.converged).toBe(true);
    expect(coherence(out.basis).max).toBeLessThanOrEqual(0.3 + 1e-4);
    expect(coherence(out.basis).max).toBeGreaterThanOrEqual(welchBound(100, 20));
  });

  it('defaults θ to 0.002 when N <= d and to 1.5 × the Welch bound otherwise', () => {
    const small = generateEquiangularBasis(8, 8);
    expect(small.threshold).toBe(0.002);
    expect(small.converged).toBe(true);
    expect(coherence(small.basis).max).toBeLessThanOrEqual(0.0021);
    const wide = generateEquiangularBasis(20, 8);
    expectClose(wide.threshold, 1.5 * welchBound(20, 8), 1e-15);
    expect(wide.converged).toBe(true);
  });

  it('is reproducible for a seed and differs between seeds', () => {
    const a = generateEquiangularBasis(6, 4, { seed: 7, threshold: 0.5 });
    const b = generateEquiangularBasis(6, 4, { seed: 7, threshold: 0.5 });
    const c = generateEquiangularBasis(6, 4, { seed: 8, threshold: 0.5 });
    expect(a.basis).toEqual(b.basis);
    expect(a.basis).not.toEqual(c.basis);
  });

  it('takes plain SGD steps on Σ relu(|w_i·w_j| − θ) after renormalising (one step by hand)', () => {
    // With one step allowed, the result is the renormalised starting basis after one update.
    const start = generateEquiangularBasis(3, 2, { iterations: 0, threshold: 0.6, seed: 2 });
    expect(start.steps).toBe(0);
    expect(start.converged).toBe(false);
    const lr = 0.05;
    const w = start.basis;
    const grad = w.map(() => [0, 0]);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        if (i === j) continue;
        const g = w[i]![0]! * w[j]![0]! + w[i]![1]! * w[j]![1]!;
        if (Math.abs(g) > 0.6) for (let k = 0; k < 2; k++) grad[i]![k]! += 2 * Math.sign(g) * w[j]![k]!;
      }
    }
    const expected = w.map((row, i) => {
      const v = row.map((x, k) => x - lr * grad[i]![k]!);
      const n = Math.hypot(v[0]!, v[1]!);
      return v.map((x) => x / n);
    });
    const one = generateEquiangularBasis(3, 2, { iterations: 1, threshold: 0.6, seed: 2, learningRate: lr, tolerance: 0 });
    expect(one.steps).toBe(1);
    expectClose(one.basis.flat(), expected.flat(), 1e-12, 1e-14);
  });

  it('reports converged: false when the steps run out', () => {
    const out = generateEquiangularBasis(30, 10, { threshold: 0.3, iterations: 3 });
    expect(out.converged).toBe(false);
    expect(out.steps).toBe(3);
    expectClose(out.maxCoherence, coherence(out.basis).max, 1e-12, 1e-15);
  });

  it('handles a single vector (no pairs)', () => {
    const out = generateEquiangularBasis(1, 3);
    expect(out.converged).toBe(true);
    expect(out.maxCoherence).toBe(0);
    expect(coherence(out.basis).normError).toBeLessThan(1e-12);
  });

  it('rejects bad input, and a threshold below the Welch bound', () => {
    expect(() => generateEquiangularBasis(0, 3)).toThrow('generateEquiangularBasis: expected `numClasses` to be an integer >= 1, got 0 (number)');
    expect(() => generateEquiangularBasis(3, 1.5)).toThrow('generateEquiangularBasis: expected `dim` to be an integer >= 1, got 1.5 (number)');
    expect(() => generateEquiangularBasis(1000, 100, { threshold: 0.05 })).toThrow(
      'generateEquiangularBasis: expected `threshold` to be at least the Welch bound 0.0949158 for 1000 vectors in 100 dimensions, got 0.05 (number)',
    );
    expect(() => generateEquiangularBasis(3, 3, { threshold: 1 })).toThrow('generateEquiangularBasis: expected `threshold` to be a finite number >= 0 and < 1, got 1 (number)');
    expect(() => generateEquiangularBasis(3, 3, { seed: -1 })).toThrow('generateEquiangularBasis: expected `seed` to be an integer >= 0, got -1 (number)');
    expect(() => generateEquiangularBasis(3, 3, { lr: 0.1 } as never)).toThrow(
      'generateEquiangularBasis: expected each option to be one of threshold, iterations, learningRate, tolerance, seed, got `lr`',
    );
  });
});
