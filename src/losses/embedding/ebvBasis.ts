import { checkMetricOptions } from '../../metrics/_inputs.js';
import { fail, formatValue } from '../_shared/errors.js';
import { checkSeed, seededUniform, standardNormals } from '../_shared/random.js';
import type { ParamSpecs } from '../_shared/spec.js';
import { checkNumber } from '../_shared/validate.js';

const NAME = 'generateEquiangularBasis';

export interface EquiangularBasisOptions {
  /**
   * θ: the largest |cos| allowed between two basis vectors, in [0, 1). Below the Welch bound it
   * cannot be reached and is an error. @defaultValue `0.002` when numClasses <= dim (the official
   * setting), else 1.5 × the Welch bound
   */
  threshold?: number;
  /** Most SGD steps taken before giving up (`converged: false`). @defaultValue `100000` */
  iterations?: number;
  /** Step size of the plain SGD steps. @defaultValue `0.001` */
  learningRate?: number;
  /** The search stops once max |cos| <= θ + tolerance. @defaultValue `0.0001` */
  tolerance?: number;
  /** Seed of the N(0, 1) starting vectors (reproducible on every platform). @defaultValue `42` */
  seed?: number;
}

/** The generated basis and how the search ended. */
export interface EquiangularBasis {
  /** `numClasses` unit vectors of length `dim`, one row per class: `[numClasses][dim]`, float64. */
  basis: number[][];
  /** max_{i≠j} |w_i · w_j| of the returned basis (0 for a single vector). */
  maxCoherence: number;
  /** The θ searched for. */
  threshold: number;
  /** SGD steps taken. */
  steps: number;
  /** Whether maxCoherence <= θ + tolerance was reached. */
  converged: boolean;
}

const PARAMS: ParamSpecs = {
  threshold: { kind: 'number', default: 0.002, min: 0, max: 1, exclusiveMax: true, doc: 'θ: largest |cos| allowed between two basis vectors' },
  iterations: { kind: 'number', default: 100000, min: 0, integer: true, doc: 'most SGD steps' },
  learningRate: { kind: 'number', default: 0.001, min: 0, exclusiveMin: true, doc: 'SGD step size' },
  tolerance: { kind: 'number', default: 0.0001, min: 0, doc: 'stop once max |cos| <= θ + tolerance' },
  seed: { kind: 'number', default: 42, min: 0, integer: true, doc: 'seed of the starting vectors' },
};

/**
 * The Welch bound: any N unit vectors in R^d (N > d) have max_{i≠j} |cos| >= sqrt((N − d) / (d (N − 1))).
 * 0 when N <= d (orthonormal vectors exist).
 */
export function welchBound(numVectors: number, dim: number): number {
  return numVectors <= dim ? 0 : Math.sqrt((numVectors - dim) / (dim * (numVectors - 1)));
}

/** Divides each row of the row-major `[n, d]` array by its Euclidean norm, in place. */
function normalizeRowsInPlace(w: Float64Array, n: number, d: number): void {
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += (w[i * d + k] as number) ** 2;
    const norm = Math.sqrt(s);
    if (norm > 0) for (let k = 0; k < d; k++) w[i * d + k] = (w[i * d + k] as number) / norm;
  }
}

/** w_i · w_j of rows of the row-major `[n, d]` array. */
function rowDot(w: Float64Array, d: number, i: number, j: number): number {
  let s = 0;
  for (let k = 0; k < d; k++) s += (w[i * d + k] as number) * (w[j * d + k] as number);
  return s;
}

/**
 * Generates equiangular basis vectors (EBVs): `numClasses` unit vectors in R^dim whose pairwise
 * |cos| all stay below a threshold θ, a fixed classifier for `ebvLoss` and `ebvPredict`.
 *
 * Starting from N(0, 1) rows normalised to unit length, each step (as the official generator):
 *
 *     1. renormalise the rows;  M = |W Wᵀ| − I
 *     2. stop when max M <= θ + tolerance
 *     3. W ← W − lr · ∇_W Σ_{i,j} relu(M_ij − θ),   i.e.  w_i ← w_i − 2 lr Σ_{j: |w_i·w_j| > θ} sign(w_i·w_j) w_j
 *
 * Each step pushes apart only the pairs that are still too close, so once they are all below θ
 * the vectors are "almost orthogonal": with θ small the classes are equally, and nearly maximally,
 * separated on the sphere, even for far more classes than dimensions. For N > d the Welch bound
 * sqrt((N − d)/(d(N − 1))) is the least θ any N unit vectors can reach; a θ below it is an error,
 * and θ close above it may not be reached in `iterations` steps (the result then says
 * `converged: false`), hence the default 1.5 × the bound there.
 *
 * Plain float64 JavaScript, O(N² d) per step (N = d = 100 converges to θ = 0.002 in under a
 * thousand steps); the official code runs the same steps on a GPU for N = d = 1000. The starting
 * vectors come from the library's seeded generator, so the basis differs from the official
 * pickles for the same seed.
 *
 * @param numClasses - N >= 1, the number of vectors (classes).
 * @param dim - d >= 1, their length (the embedding dimension).
 *
 * @example
 * const { basis, maxCoherence } = generateEquiangularBasis(100, 20, { threshold: 0.3 }); // maxCoherence <= 0.3001
 *
 * @see Y. Shen, X. Sun, X.-S. Wei, Equiangular Basis Vectors, CVPR 2023,
 * https://arxiv.org/abs/2303.11637 (official code `aassxun/Equiangular-Basis-Vectors`,
 * `Generate_EBV/Generate_EBV.py`: lr 1e-3, θ = 0.002 for N = d = 1000, at most 100000 steps).
 */
export function generateEquiangularBasis(numClasses: number, dim: number, options: EquiangularBasisOptions = {}): EquiangularBasis {
  checkNumber(NAME, 'numClasses', numClasses, { integer: true, min: 1 });
  checkNumber(NAME, 'dim', dim, { integer: true, min: 1 });
  checkMetricOptions(NAME, PARAMS, options);
  const bound = welchBound(numClasses, dim);
  const { threshold = numClasses <= dim ? 0.002 : 1.5 * bound, iterations = 100000, learningRate = 0.001, tolerance = 0.0001, seed = 42 } = options;
  checkSeed(NAME, 'seed', seed);
  if (threshold < bound) {
    fail(NAME, '`threshold`', `be at least the Welch bound ${bound.toPrecision(6)} for ${numClasses} vectors in ${dim} dimensions`, formatValue(threshold));
  }

  const n = numClasses;
  const w = standardNormals(seededUniform(seed), n * dim);
  normalizeRowsInPlace(w, n, dim);
  const grad = new Float64Array(n * dim);
  let steps = 0;
  let maxCoherence = 0;
  let converged = false;
  for (;;) {
    normalizeRowsInPlace(w, n, dim);
    maxCoherence = 0;
    grad.fill(0);
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const g = rowDot(w, dim, i, j);
        const a = Math.abs(g);
        if (a > maxCoherence) maxCoherence = a;
        if (a > threshold) {
          // Each unordered pair appears twice in Σ_{i,j} relu(|w_i·w_j| − θ): the factor 2.
          const s = 2 * Math.sign(g);
          for (let k = 0; k < dim; k++) {
            grad[i * dim + k] = (grad[i * dim + k] as number) + s * (w[j * dim + k] as number);
            grad[j * dim + k] = (grad[j * dim + k] as number) + s * (w[i * dim + k] as number);
          }
        }
      }
    }
    if (Math.max(maxCoherence, threshold) <= threshold + tolerance) {
      converged = true;
      break;
    }
    if (steps >= iterations) break;
    for (let k = 0; k < w.length; k++) w[k] = (w[k] as number) - learningRate * (grad[k] as number);
    steps++;
  }
  const basis = Array.from({ length: n }, (_, i) => Array.from(w.subarray(i * dim, (i + 1) * dim)));
  return { basis, maxCoherence, threshold, steps, converged };
}
