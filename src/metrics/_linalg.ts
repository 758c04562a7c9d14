/**
 * Small dense linear algebra in float64 for the metrics (tfjs-core has no eigen-decomposition or
 * pseudo-inverse). Matrices are row-major `Float64Array`s of an `n × n` (or stated) shape.
 */

/** Eigenvalues and orthonormal eigenvectors of a symmetric matrix. */
export interface SymmetricEigen {
  /** λ_0..λ_{n−1}, in no particular order. */
  values: Float64Array;
  /** Row-major `n × n`: column k is the unit eigenvector of λ_k. */
  vectors: Float64Array;
}

/**
 * Eigen-decomposition A = V Λ Vᵀ of a symmetric `n × n` matrix by the cyclic Jacobi method: plane
 * rotations, each chosen to zero one off-diagonal entry, swept over all pairs (p, q) until the
 * off-diagonal mass is negligible. Robust and accurate to a few ulps for the small matrices the
 * metrics need (O(n³) per sweep, usually under 10 sweeps). The matrix must be symmetric; it is
 * not modified.
 */
export function symmetricEigen(matrix: ArrayLike<number>, n: number): SymmetricEigen {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  const at = (i: number, j: number) => a[i * n + j] as number;
  let total = 0;
  for (let i = 0; i < n * n; i++) total += (a[i] as number) ** 2;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += at(p, q) ** 2;
    if (off <= 1e-30 * total || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = at(p, q);
        if (apq === 0) continue;
        // Rotation J (J_pp = J_qq = c, J_pq = s, J_qp = −s) with t = s/c the smaller root of
        // t² + 2θt − 1 = 0, θ = (a_qq − a_pp)/(2 a_pq): then (Jᵀ A J)_pq = 0.
        const theta = (at(q, q) - at(p, p)) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = at(k, p);
          const akq = at(k, q);
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = at(p, k);
          const aqk = at(q, k);
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p] as number;
          const vkq = v[k * n + q] as number;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = at(i, i);
  return { values, vectors: v };
}

/**
 * Σ_k f(λ_k) v_k v_kᵀ over the eigenpairs whose |λ_k| exceeds `rcond · max |λ|` (the others count
 * as 0 and are left out): with f(λ) = 1/λ the Moore–Penrose pseudo-inverse of a symmetric matrix,
 * with f(λ) = 1/λ² its square.
 */
export function spectralFunction({ values, vectors }: SymmetricEigen, n: number, f: (lambda: number) => number, rcond: number): Float64Array {
  const largest = values.reduce((m, l) => Math.max(m, Math.abs(l)), 0);
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const lambda = values[k] as number;
    if (!(Math.abs(lambda) > rcond * largest)) continue;
    const g = f(lambda);
    for (let i = 0; i < n; i++) {
      const vi = (vectors[i * n + k] as number) * g;
      if (vi === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] = (out[i * n + j] as number) + vi * (vectors[j * n + k] as number);
    }
  }
  return out;
}

/** Moore–Penrose pseudo-inverse of a symmetric `n × n` matrix; eigenvalues below `rcond · max |λ|` count as 0. */
export function pinvSymmetric(matrix: ArrayLike<number>, n: number, rcond: number): Float64Array {
  return spectralFunction(symmetricEigen(matrix, n), n, (l) => 1 / l, rcond);
}
