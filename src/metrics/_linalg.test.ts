import { describe, expect, it } from 'vitest';
import { expectClose, randomMatrix, rng } from '../../test/helpers.js';
import { pinvSymmetric, symmetricEigen } from './_linalg.js';

type Matrix = number[][];
const mul = (a: Matrix, b: Matrix): Matrix => a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
const tr = (a: Matrix): Matrix => a[0]!.map((_, j) => a.map((row) => row[j]!));
const toRows = (flat: ArrayLike<number>, n: number): Matrix => Array.from({ length: n }, (_, i) => Array.from(flat).slice(i * n, (i + 1) * n));
const eye = (n: number): Matrix => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));

describe('symmetricEigen (cyclic Jacobi)', () => {
  it('decomposes random symmetric matrices: A V = V Λ with orthonormal V', () => {
    for (const [n, seed] of [[1, 1], [2, 2], [5, 3], [12, 4]] as const) {
      const b = randomMatrix(rng(seed), n, n);
      const a = mul(b, tr(b)).map((row, i) => row.map((v, j) => v - (i === j ? 2 : 0))); // symmetric, indefinite
      const { values, vectors } = symmetricEigen(a.flat(), n);
      const v = toRows(vectors, n);
      expectClose(mul(tr(v), v).flat(), eye(n).flat(), 0, 1e-12);
      const av = mul(a, v);
      const vl = v.map((row) => row.map((x, k) => x * values[k]!));
      expectClose(av.flat(), vl.flat(), 0, 1e-10);
      // The trace is the sum of the eigenvalues.
      expectClose(Array.from(values).reduce((s, x) => s + x, 0), a.reduce((s, row, i) => s + row[i]!, 0), 1e-12, 1e-12);
    }
  });

  it('handles repeated and zero eigenvalues', () => {
    const { values } = symmetricEigen([2, 0, 0, 0, 2, 0, 0, 0, 0], 3);
    expect(Array.from(values).sort()).toEqual([0, 2, 2]);
    // All-ones 3 × 3: eigenvalues 3, 0, 0.
    const ones = symmetricEigen(new Array(9).fill(1), 3);
    expectClose(Array.from(ones.values).sort((a, b) => a - b), [0, 0, 3], 0, 1e-14);
  });
});

describe('pinvSymmetric', () => {
  it('satisfies the Moore–Penrose conditions for a rank-deficient matrix', () => {
    const b = randomMatrix(rng(5), 6, 3);
    const a = mul(b, tr(b)); // 6 × 6 of rank 3
    const p = toRows(pinvSymmetric(a.flat(), 6, 1e-10), 6);
    expectClose(mul(mul(a, p), a).flat(), a.flat(), 0, 1e-9);
    expectClose(mul(mul(p, a), p).flat(), p.flat(), 0, 1e-9);
    const ap = mul(a, p);
    expectClose(ap.flat(), tr(ap).flat(), 0, 1e-9);
  });

  it('is the inverse of an invertible matrix', () => {
    const a = [[4, 1, 0], [1, 3, 1], [0, 1, 2]];
    const p = toRows(pinvSymmetric(a.flat(), 3, 1e-10), 3);
    expectClose(mul(a, p).flat(), eye(3).flat(), 0, 1e-12);
  });
});
