import { fail, formatShape, formatValue } from '../losses/_shared/errors.js';
import type { ParamSpecs } from '../losses/_shared/spec.js';
import type { TensorInput } from '../losses/_shared/to-tensor.js';
import { checkClassLabels, checkFinite, checkLabelShape, checkMetricOptions, checkNotEmpty, checkSameRows, type NumericArray, readArray } from './_inputs.js';
import { pinvSymmetric, spectralFunction, symmetricEigen } from './_linalg.js';

/**
 * Neural-collapse metrics of last-layer features and classifiers (Papyan, Han & Donoho 2020), as
 * computed by the official code of Dang et al. (ICML 2023). All in float64; features `[N, d]`,
 * labels `[N]`, classifier weights `[K, d]` (one row per class, the end-to-end product for deep
 * linear heads). K is the number of distinct labels.
 */

/** What neural-collapse metrics read from features and labels. */
interface ClassStatistics {
  /** Distinct labels, ascending; class k of the statistics is `classes[k]`. */
  classes: number[];
  /** Class means `[K][d]`. */
  means: Float64Array[];
  /** Mean of all samples `[d]` (weighted by class size). */
  globalMean: Float64Array;
  /** Class index (into `classes`) of each sample. */
  classOf: Int32Array;
  features: Float64Array;
  n: number;
  d: number;
}

function readFeatures(fn: string, labels: TensorInput, features: TensorInput): ClassStatistics {
  const y = readArray(fn, 'labels', labels);
  const h = readArray(fn, 'features', features);
  checkLabelShape(fn, 'labels', y);
  if (h.shape.length !== 2) fail(fn, '`features`', 'have shape [N, d]', `shape ${formatShape(h.shape)}`);
  checkNotEmpty(fn, 'features', h);
  checkSameRows(fn, 'labels', y, 'features', h);
  checkClassLabels(fn, 'labels', y.values);
  checkFinite(fn, 'features', h.values);
  const [n, d] = h.shape as [number, number];
  const classes = Array.from(new Set(y.values)).sort((a, b) => a - b);
  if (classes.length < 2) fail(fn, '`labels`', 'hold at least 2 classes', `${classes.length} class`);
  const index = new Map(classes.map((c, k) => [c, k]));
  const classOf = Int32Array.from(y.values, (v) => index.get(v) as number);
  const means = classes.map(() => new Float64Array(d));
  const counts = new Float64Array(classes.length);
  const globalMean = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const k = classOf[i] as number;
    counts[k] = (counts[k] as number) + 1;
    const m = means[k] as Float64Array;
    for (let j = 0; j < d; j++) {
      const v = h.values[i * d + j] as number;
      m[j] = (m[j] as number) + v;
      globalMean[j] = (globalMean[j] as number) + v / n;
    }
  }
  means.forEach((m, k) => {
    for (let j = 0; j < d; j++) m[j] = (m[j] as number) / (counts[k] as number);
  });
  return { classes, means, globalMean, classOf, features: h.values, n, d };
}

/** Class means as columns `[d × K]` (row-major), centred at the global mean or not. */
function meanColumns(s: ClassStatistics, centred: boolean): Float64Array {
  const k = s.means.length;
  const out = new Float64Array(s.d * k);
  s.means.forEach((m, c) => {
    for (let j = 0; j < s.d; j++) out[j * k + c] = (m[j] as number) - (centred ? (s.globalMean[j] as number) : 0);
  });
  return out;
}

/** Row-major product of `[r × m]` and `[m × c]`. */
function matmul(a: ArrayLike<number>, b: ArrayLike<number>, r: number, m: number, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) {
    for (let k = 0; k < m; k++) {
      const aik = a[i * m + k] as number;
      if (aik === 0) continue;
      for (let j = 0; j < c; j++) out[i * c + j] = (out[i * c + j] as number) + aik * (b[k * c + j] as number);
    }
  }
  return out;
}

/** Row-major transpose of `[r × c]`. */
function transpose(a: ArrayLike<number>, r: number, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = a[i * c + j] as number;
  return out;
}

function frobenius(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) ** 2;
  return Math.sqrt(s);
}

export type NeuralCollapseTarget = 'etf' | 'orthogonal';

/** ‖A/‖A‖_F − T‖_F for a `K × K` matrix A and the target T (unit Frobenius norm): simplex ETF or orthogonal frame. */
function distanceToTarget(fn: string, a: Float64Array, k: number, target: NeuralCollapseTarget | number[][]): number {
  const norm = frobenius(a);
  let t: Float64Array;
  if (target === 'etf') {
    t = new Float64Array(k * k);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) t[i * k + j] = ((i === j ? 1 : 0) - 1 / k) / Math.sqrt(k - 1);
  } else if (target === 'orthogonal') {
    t = new Float64Array(k * k);
    for (let i = 0; i < k; i++) t[i * k + i] = 1 / Math.sqrt(k);
  } else {
    const m = readArray(fn, 'target', target);
    if (m.shape.length !== 2 || m.shape[0] !== k || m.shape[1] !== k) fail(fn, '`target`', `be 'etf', 'orthogonal' or a [${k}, ${k}] matrix`, `shape ${formatShape(m.shape)}`);
    const tn = frobenius(m.values);
    if (!(tn > 0)) fail(fn, '`target`', 'have a nonzero norm', 'an all-zero matrix');
    t = m.values.map((v) => v / tn);
  }
  if (!(norm > 0)) return Number.NaN;
  let s = 0;
  for (let i = 0; i < k * k; i++) s += ((a[i] as number) / norm - (t[i] as number)) ** 2;
  return Math.sqrt(s);
}

function readClassifier(fn: string, classifierWeights: TensorInput, d?: number): NumericArray {
  const w = readArray(fn, 'classifierWeights', classifierWeights);
  if (w.shape.length !== 2 || (w.shape[0] as number) < 2 || (d !== undefined && w.shape[1] !== d)) {
    fail(fn, '`classifierWeights`', `have shape [K, ${d ?? 'd'}] with K >= 2 (one row per class)`, `shape ${formatShape(w.shape)}`);
  }
  checkFinite(fn, 'classifierWeights', w.values);
  return w;
}

// ---------------------------------------------------------------------------------------------
// NC1

export interface Nc1Options {
  /** Eigenvalues of Σ_B below `rcond · max λ` count as 0 in its pseudo-inverse. @defaultValue `1e-10` */
  rcond?: number;
}

const NC1_PARAMS: ParamSpecs = {
  rcond: { kind: 'number', default: 1e-10, min: 0, max: 1, exclusiveMax: true, doc: 'relative cutoff of the pseudo-inverse of Σ_B' },
};

/**
 * NC1, within-class variability collapse: the within-class covariance measured against the
 * between-class covariance.
 *
 *     Σ_W = (1/N) Σ_i (h_i − μ_{y_i})(h_i − μ_{y_i})ᵀ,   Σ_B = (1/K) Σ_k (μ_k − μ_G)(μ_k − μ_G)ᵀ
 *     NC1 = tr(Σ_W Σ_B†) / K
 *
 * with μ_k the class means, μ_G the mean of all samples and Σ_B† the Moore–Penrose pseudo-inverse
 * (Σ_B has rank at most K − 1). 0 exactly when every feature equals its class mean; it is unchanged
 * by rotating, uniformly scaling or translating the features, and scales with the square of the
 * within-class spread. The pseudo-inverse comes from a Jacobi eigen-decomposition, of the
 * `d × d` Σ_B when d <= K and otherwise of the `K × K` Gram matrix G = MᵀM of the centred means
 * M (then NC1 = tr(MᵀΣ_W M (G†)²), the same value in O(N d K + K³)).
 *
 * @param labels - Class labels `[N]` (non-negative integers, at least 2 distinct).
 * @param features - Features `[N, d]` (e.g. penultimate-layer activations).
 * @returns NC1 >= 0.
 *
 * @example
 * metrics.nc1([0, 0, 1, 1], [[1, 0], [1, 0], [0, 1], [0, 1]]); // 0: every feature on its class mean
 *
 * @see V. Papyan, X. Y. Han, D. L. Donoho, Prevalence of neural collapse during the terminal phase of
 * deep learning training, PNAS 2020; H. Dang, T. Tran, S. Osher, H. Tran-The, N. Ho, T. Nguyen,
 * Neural Collapse in Deep Linear Networks: From Balanced to Imbalanced Data, ICML 2023,
 * https://arxiv.org/abs/2301.00437 (official code `validate_NC.py`).
 */
export function nc1(labels: TensorInput, features: TensorInput, options: Nc1Options = {}): number {
  checkMetricOptions('nc1', NC1_PARAMS, options);
  const { rcond = 1e-10 } = options;
  const s = readFeatures('nc1', labels, features);
  const { n, d } = s;
  const k = s.classes.length;
  const m = meanColumns(s, true); // [d × K]
  const deviation = new Float64Array(d);
  const fill = (i: number) => {
    const mu = s.means[s.classOf[i] as number] as Float64Array;
    for (let j = 0; j < d; j++) deviation[j] = (s.features[i * d + j] as number) - (mu[j] as number);
  };
  if (d <= k) {
    const sigmaW = new Float64Array(d * d);
    for (let i = 0; i < n; i++) {
      fill(i);
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) sigmaW[a * d + b] = (sigmaW[a * d + b] as number) + ((deviation[a] as number) * (deviation[b] as number)) / n;
    }
    const sigmaB = matmul(m, transpose(m, d, k), d, k, d).map((v) => v / k);
    const pinv = pinvSymmetric(sigmaB, d, rcond);
    let trace = 0;
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) trace += (sigmaW[a * d + b] as number) * (pinv[b * d + a] as number);
    return trace / k;
  }
  // A = Mᵀ Σ_W M = (1/N) Σ_i v_i v_iᵀ with v_i = Mᵀ (h_i − μ_{y_i}), and G = Mᵀ M.
  const a = new Float64Array(k * k);
  const v = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    fill(i);
    v.fill(0);
    for (let j = 0; j < d; j++) {
      const dj = deviation[j] as number;
      if (dj === 0) continue;
      for (let c = 0; c < k; c++) v[c] = (v[c] as number) + (m[j * k + c] as number) * dj;
    }
    for (let p = 0; p < k; p++) for (let q = 0; q < k; q++) a[p * k + q] = (a[p * k + q] as number) + ((v[p] as number) * (v[q] as number)) / n;
  }
  const g = matmul(transpose(m, d, k), m, k, d, k);
  const pinvSquared = spectralFunction(symmetricEigen(g, k), k, (l) => 1 / (l * l), rcond);
  let trace = 0;
  for (let p = 0; p < k; p++) for (let q = 0; q < k; q++) trace += (a[p * k + q] as number) * (pinvSquared[q * k + p] as number);
  return trace;
}

// ---------------------------------------------------------------------------------------------
// NC2

export interface Nc2Options {
  /**
   * The geometry compared with: `'etf'`, the simplex equiangular tight frame (I − 11ᵀ/K)/√(K − 1)
   * (cross-entropy, or MSE with a bias); `'orthogonal'`, the orthogonal frame I/√K (bias-free MSE);
   * or any `[K, K]` matrix (e.g. the class-size dependent diagonal of imbalanced MSE), scaled to
   * unit Frobenius norm. @defaultValue `'etf'`
   */
  target?: NeuralCollapseTarget | number[][];
}

const NC2_PARAMS: ParamSpecs = {
  target: { kind: 'data', type: "'etf' | 'orthogonal' | [K, K] matrix", doc: 'the Gram matrix geometry compared with' },
};

/** Checks NC2's options and returns its target (a matrix target's shape is checked later, against K). */
function readTarget(fn: string, options: Nc2Options): NeuralCollapseTarget | number[][] {
  const { target, ...rest } = (options ?? {}) as { target?: unknown };
  checkMetricOptions(fn, NC2_PARAMS, { ...rest, target: undefined });
  if (target === undefined) return 'etf';
  if (target === 'etf' || target === 'orthogonal' || Array.isArray(target)) return target as NeuralCollapseTarget | number[][];
  return fail(fn, '`target`', "be 'etf', 'orthogonal' or a [K, K] matrix", formatValue(target));
}

/**
 * NC2 of a classifier, convergence to a simplex ETF (or orthogonal frame): the distance between
 * the normalised Gram matrix of the class weights and the target.
 *
 *     NC2 = ‖ W Wᵀ / ‖W Wᵀ‖_F − T ‖_F,   T = (I − 11ᵀ/K)/√(K − 1)  ('etf')  or  I/√K  ('orthogonal')
 *
 * Both targets have unit Frobenius norm, so NC2 lies in [0, 2]; it is 0 when the rows of W have
 * equal norms and equal, maximal pairwise angles (ETF) or are orthogonal with equal norms. It is
 * unchanged by scaling W or rotating its columns.
 *
 * @param classifierWeights - Class weights `[K, d]`, one row per class, K >= 2.
 * @returns NC2 in [0, 2] (NaN for an all-zero W).
 *
 * @example
 * metrics.nc2([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]], { target: 'orthogonal' }); // 0
 * metrics.nc2([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]); // 0.5176381 (ETF)
 *
 * @see H. Dang et al., Neural Collapse in Deep Linear Networks: From Balanced to Imbalanced Data,
 * ICML 2023, https://arxiv.org/abs/2301.00437 (official code: `compute_NC2_ETF_W`, `compute_NC2_Identity_W`).
 */
export function nc2(classifierWeights: TensorInput, options: Nc2Options = {}): number {
  const target = readTarget('nc2', options);
  const w = readClassifier('nc2', classifierWeights);
  const [k, d] = w.shape as [number, number];
  return distanceToTarget('nc2', matmul(w.values, transpose(w.values, k, d), k, d, k), k, target);
}

/**
 * NC2 of the class means: {@link nc2} with the class-mean matrix in place of Wᵀ, the centred
 * means μ_k − μ_G for `'etf'` and the raw means μ_k for `'orthogonal'` (and a custom target), as
 * the official code does.
 *
 *     NC2_H = ‖ H̄ᵀH̄ / ‖H̄ᵀH̄‖_F − T ‖_F,   H̄ = [μ_1 − μ_G, …, μ_K − μ_G]  ('etf')  or  [μ_1, …, μ_K]
 *
 * @param labels - Class labels `[N]` (at least 2 distinct).
 * @param features - Features `[N, d]`.
 * @returns NC2 of the means in [0, 2].
 */
export function nc2Features(labels: TensorInput, features: TensorInput, options: Nc2Options = {}): number {
  const target = readTarget('nc2Features', options);
  const s = readFeatures('nc2Features', labels, features);
  const k = s.classes.length;
  const m = meanColumns(s, target === 'etf');
  return distanceToTarget('nc2Features', matmul(transpose(m, s.d, k), m, k, s.d, k), k, target);
}

// ---------------------------------------------------------------------------------------------
// NC3

export interface Nc3Options {
  /**
   * `'etf'`: ‖W M/‖W M‖_F − (I − 11ᵀ/K)/√(K − 1)‖_F with centred means M; `'orthogonal'`:
   * ‖W H̄/‖W H̄‖_F − I/√K‖_F with raw means H̄; `'duality'`: ‖W/‖W‖_F − Mᵀ/‖M‖_F‖_F (Papyan et
   * al.'s self-duality). @defaultValue `'etf'`
   */
  target?: NeuralCollapseTarget | 'duality';
  /** `'duality'` only: compare with the centred means (true) or the raw means (false, the bias-free code's `compute_NC3_W_sub_H`). @defaultValue `true` */
  centered?: boolean;
}

const NC3_PARAMS: ParamSpecs = {
  target: { kind: 'data', type: "'etf' | 'orthogonal' | 'duality'", doc: 'which self-duality measure' },
  centered: { kind: 'boolean', default: true, doc: "'duality': centred class means" },
};

/**
 * NC3, self-duality: the classifier aligns with the class means. Row k of `classifierWeights`
 * belongs to label k, so labels are class indices in [0, K) and every class has a sample.
 *
 *     'etf':         ‖ W M / ‖W M‖_F − (I − 11ᵀ/K)/√(K − 1) ‖_F,   M = [μ_1 − μ_G, …, μ_K − μ_G]
 *     'orthogonal':  ‖ W H̄ / ‖W H̄‖_F − I/√K ‖_F,                   H̄ = [μ_1, …, μ_K]
 *     'duality':     ‖ W/‖W‖_F − Mᵀ/‖M‖_F ‖_F                      (H̄ᵀ with `centered: false`)
 *
 * 'etf' and 'orthogonal' are 0 when W times the means is the collapsed geometry, 'duality' when
 * each class weight is a fixed multiple of its (centred) class mean.
 *
 * @param labels - Class indices `[N]` in [0, K), every class present.
 * @param features - Features `[N, d]`.
 * @param classifierWeights - Class weights `[K, d]`.
 * @returns NC3 >= 0 (at most 2).
 *
 * @see H. Dang et al., Neural Collapse in Deep Linear Networks: From Balanced to Imbalanced Data,
 * ICML 2023, https://arxiv.org/abs/2301.00437 (official code: `compute_NC3_ETF_WH`,
 * `compute_NC3_Identity_WH`, `compute_NC3_W_sub_H(_centered)`).
 */
export function nc3(labels: TensorInput, features: TensorInput, classifierWeights: TensorInput, options: Nc3Options = {}): number {
  const { target, ...rest } = (options ?? {}) as { target?: unknown };
  checkMetricOptions('nc3', NC3_PARAMS, { ...rest, target: undefined });
  if (!(target === undefined || target === 'etf' || target === 'orthogonal' || target === 'duality')) {
    fail('nc3', '`target`', "be one of 'etf' | 'orthogonal' | 'duality'", formatValue(target));
  }
  const { centered = true } = options;
  const s = readFeatures('nc3', labels, features);
  const w = readClassifier('nc3', classifierWeights, s.d);
  const k = w.shape[0] as number;
  const d = s.d;
  if (s.classes.length !== k || s.classes.some((c, i) => c !== i)) {
    fail('nc3', '`labels`', `hold every class index 0..${k - 1} (one per row of \`classifierWeights\`)`, `classes ${JSON.stringify(s.classes.length > 8 ? [...s.classes.slice(0, 8), '...'] : s.classes)}`);
  }
  const mode = (target ?? 'etf') as NeuralCollapseTarget | 'duality';
  if (mode === 'duality') {
    const m = meanColumns(s, centered); // [d × K]
    const mt = transpose(m, d, k); // [K × d]
    const wn = frobenius(w.values);
    const mn = frobenius(mt);
    let sum = 0;
    for (let i = 0; i < k * d; i++) sum += ((w.values[i] as number) / wn - (mt[i] as number) / mn) ** 2;
    return Math.sqrt(sum);
  }
  const m = meanColumns(s, mode === 'etf');
  return distanceToTarget('nc3', matmul(w.values, m, k, d, k), k, mode);
}
