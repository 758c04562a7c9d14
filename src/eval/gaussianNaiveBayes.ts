import { fail, formatShape, formatValue } from '../losses/_shared/errors.js';
import type { ParamSpecs } from '../losses/_shared/spec.js';
import type { TensorInput } from '../losses/_shared/to-tensor.js';
import { argmaxRows, checkClassLabels, checkFinite, checkLabelShape, checkMetricOptions, checkNotEmpty, checkSameRows, readArray } from '../metrics/_inputs.js';

const NAME = 'gaussianNaiveBayes';

export interface GaussianNaiveBayesOptions {
  /**
   * Fraction of the largest feature variance (over all training data) added to every variance, as
   * scikit-learn's `var_smoothing`. @defaultValue `1e-9`
   */
  varSmoothing?: number;
  /**
   * `true`: one diagonal covariance shared by all classes, the prior-weighted mean of the class
   * variances (a linear classifier, as in Zheng et al.); `false`: one per class (scikit-learn's
   * `GaussianNB`, a quadratic classifier). @defaultValue `true`
   */
  sharedVariance?: boolean;
  /** Fixed class priors, one per class in ascending label order, summing to 1. @defaultValue the class frequencies */
  priors?: readonly number[];
}

/** A Gaussian naive Bayes classifier: `fit`, then `predict` or `logits`. */
export interface GaussianNaiveBayes {
  /** Forgets what was fitted, then fits the features `[N, d]` and their labels `[N]`. */
  fit(features: TensorInput, labels: TensorInput): GaussianNaiveBayes;
  /** Adds the features `[N, d]` and labels `[N]` to what was fitted (streaming; new classes may appear). */
  partialFit(features: TensorInput, labels: TensorInput): GaussianNaiveBayes;
  /**
   * Scores `[N][K]` whose softmax is the posterior P(class | x): the joint log-likelihood up to a
   * constant of each row (see the function's doc). Usable as logits with a loss or a metric.
   */
  logits(features: TensorInput): number[][];
  /** log P(class | x), `[N][K]`. */
  predictLogProba(features: TensorInput): number[][];
  /** P(class | x), `[N][K]`. */
  predictProba(features: TensorInput): number[][];
  /** The most probable class label of each row (the first on ties), `[N]`. */
  predict(features: TensorInput): number[];
  /** Accuracy of `predict` against the labels. */
  score(features: TensorInput, labels: TensorInput): number;
  /** The labels seen, ascending: column k of `logits` is class `classes[k]`. */
  readonly classes: number[];
  /** Samples per class. */
  readonly classCounts: number[];
  /** Class means `[K][d]`. */
  readonly means: number[][];
  /** Smoothed variances `[K][d]` (every row the same with a shared variance). */
  readonly variances: number[][];
  /** log of the class priors `[K]`. */
  readonly logPriors: number[];
  /** The amount added to every variance: varSmoothing × the largest feature variance. */
  readonly epsilon: number;
}

const PARAMS: ParamSpecs = {
  varSmoothing: { kind: 'number', default: 1e-9, min: 0, doc: 'fraction of the largest feature variance added to every variance' },
  sharedVariance: { kind: 'boolean', default: true, doc: 'one diagonal covariance for all classes (linear) or one per class' },
  priors: { kind: 'data', type: 'number[] (one per class, summing to 1)', doc: 'fixed class priors; default the class frequencies' },
};

/** Running statistics of one class: count, mean and sum of squared deviations per feature. */
interface ClassStats {
  count: number;
  mean: Float64Array;
  m2: Float64Array;
}

function readPriors(priors: unknown): number[] | undefined {
  if (priors === undefined) return undefined;
  if (!Array.isArray(priors) || priors.length === 0) fail(NAME, '`priors`', 'be a non-empty array of numbers', formatValue(priors));
  priors.forEach((p, i) => {
    if (typeof p !== 'number' || !(p > 0 && p <= 1)) fail(NAME, `\`priors[${i}]\``, 'be a number > 0 and <= 1', formatValue(p));
  });
  const total = (priors as number[]).reduce((a, b) => a + b, 0);
  if (Math.abs(total - 1) > 1e-9) fail(NAME, '`priors`', 'sum to 1', `sum ${total}`);
  return (priors as number[]).slice();
}

/**
 * Gaussian naive Bayes for linear evaluation of frozen features: each class is a Gaussian with a
 * diagonal covariance, fitted in closed form (class counts, means and variances), so a classifier
 * on top of a pretrained representation costs one pass over the data and no optimisation.
 *
 * With n_k samples of class k (n in all), means μ_kj and population variances s²_kj per feature j:
 *
 *     π_k = n_k / n,   ε = varSmoothing · max_j Var(x_j)   (over all training data)
 *     shared (default):  σ²_j = Σ_k π_k s²_kj + ε
 *         logits_k(x) = log π_k − ½ Σ_j (x_j − μ_kj)² / σ²_j
 *     per class:         σ²_kj = s²_kj + ε
 *         logits_k(x) = log π_k − ½ Σ_j [ log(2π σ²_kj) + (x_j − μ_kj)² / σ²_kj ]
 *
 * Both are log p(x, y = k) up to a term that is the same for every class (the shared Gaussian
 * normaliser −½ Σ_j log(2πσ²_j) is left out, as in the official code), so softmax(logits) is the
 * posterior. With a shared variance the logits are linear in x: the generative counterpart of
 * multinomial logistic regression, which Zheng et al. show reaches its asymptotic error with
 * O(log d) samples where logistic regression needs O(d). Per-class variances give scikit-learn's
 * `GaussianNB`.
 *
 * `partialFit` merges batches with the parallel-variance formula (counts, means and sums of squared
 * deviations), so fitting in chunks equals fitting at once up to rounding; ε is recomputed from
 * all data seen (scikit-learn's `partial_fit` takes it from the latest batch only). The official
 * code adds an absolute 1e-9 to each class variance instead of scikit-learn's relative smoothing
 * used here; when every feature is constant in the training data, ε falls back to varSmoothing
 * itself, so the variances stay positive. Plain float64 JavaScript; features and labels may be
 * arrays, typed arrays or tensors (read once). Argument order `(features, labels)`, as scikit-learn's
 * `fit(X, y)`.
 *
 * @example
 * const nb = gaussianNaiveBayes().fit([[0, 1], [1, 2], [2, 0], [3, 1], [4, 3]], [0, 0, 1, 1, 1]);
 * nb.variances[0]; // [0.5, 1.0333…]
 * nb.logits([[1.5, 1]]); // [[-2.037258, -2.814589]]
 *
 * @see H. Zheng, Z. Wu, F. Bao, Y. Cao, C. Li, J. Zhu, Revisiting Discriminative vs. Generative
 * Classifiers: Theory and Implications, ICML 2023, https://arxiv.org/abs/2302.02334 (official code
 * `ML-GSAI/Revisiting-Dis-vs-Gen-Classifiers`, `models/gaussnb.py`); scikit-learn `GaussianNB`.
 */
export function gaussianNaiveBayes(options: GaussianNaiveBayesOptions = {}): GaussianNaiveBayes {
  checkMetricOptions(NAME, PARAMS, { ...options, priors: undefined });
  const { varSmoothing = 1e-9, sharedVariance = true } = options;
  const fixedPriors = readPriors(options.priors);

  let dim: number | undefined;
  const stats = new Map<number, ClassStats>();

  interface Fitted {
    classes: number[];
    counts: number[];
    means: Float64Array[];
    variances: Float64Array[];
    logPriors: number[];
    epsilon: number;
  }
  let fitted: Fitted | undefined;

  /** Reads features `[N, d]` (with as many columns as the fitted data unless `fresh`) and, when given, labels `[N]`. */
  function readBatch(fn: string, features: TensorInput, labels?: TensorInput, fresh = false): { x: Float64Array; n: number; y?: Float64Array } {
    const f = readArray(fn, 'features', features);
    if (f.shape.length !== 2) fail(fn, '`features`', 'have shape [N, d]', `shape ${formatShape(f.shape)}`);
    checkNotEmpty(fn, 'features', f);
    checkFinite(fn, 'features', f.values);
    const [n, d] = f.shape as [number, number];
    if (!fresh && dim !== undefined && d !== dim) fail(fn, '`features`', `have ${dim} columns, as the fitted data`, `shape ${formatShape(f.shape)}`);
    if (labels === undefined) return { x: f.values, n };
    const t = readArray(fn, 'labels', labels);
    checkLabelShape(fn, 'labels', t);
    checkSameRows(fn, 'features', f, 'labels', t);
    checkClassLabels(fn, 'labels', t.values);
    return { x: f.values, n, y: t.values };
  }

  function refresh(): Fitted {
    const d = dim as number;
    const classes = Array.from(stats.keys()).sort((a, b) => a - b);
    const all = classes.map((c) => stats.get(c) as ClassStats);
    const n = all.reduce((s, c) => s + c.count, 0);
    // Variance of every feature over all data: within-class plus between-class sums of squares.
    const globalMean = new Float64Array(d);
    for (const c of all) for (let j = 0; j < d; j++) globalMean[j] = (globalMean[j] as number) + (c.count * (c.mean[j] as number)) / n;
    let largest = 0;
    for (let j = 0; j < d; j++) {
      let ss = 0;
      for (const c of all) ss += (c.m2[j] as number) + c.count * ((c.mean[j] as number) - (globalMean[j] as number)) ** 2;
      largest = Math.max(largest, ss / n);
    }
    const epsilon = largest > 0 ? varSmoothing * largest : varSmoothing;
    let variances: Float64Array[];
    if (sharedVariance) {
      const pooled = new Float64Array(d);
      for (const c of all) for (let j = 0; j < d; j++) pooled[j] = (pooled[j] as number) + (c.m2[j] as number) / n;
      for (let j = 0; j < d; j++) pooled[j] = (pooled[j] as number) + epsilon;
      variances = all.map(() => pooled);
    } else {
      variances = all.map((c) => c.m2.map((m) => m / c.count + epsilon));
    }
    const logPriors = fixedPriors === undefined ? all.map((c) => Math.log(c.count / n)) : fixedPriors.map(Math.log);
    return { classes, counts: all.map((c) => c.count), means: all.map((c) => c.mean), variances, logPriors, epsilon };
  }

  function model(fn: string): Fitted {
    if (fitted === undefined) return fail(fn, 'the model', 'be fitted first (call fit or partialFit)', 'no data');
    return fitted;
  }

  const api: GaussianNaiveBayes = {
    fit(features, labels) {
      return addBatch(`${NAME}.fit`, readBatch(`${NAME}.fit`, features, labels, true), true);
    },
    partialFit(features, labels) {
      return addBatch(`${NAME}.partialFit`, readBatch(`${NAME}.partialFit`, features, labels), false);
    },
    logits(features) {
      const fn = `${NAME}.logits`;
      const m = model(fn);
      const { x, n } = readBatch(fn, features);
      const d = dim as number;
      const k = m.classes.length;
      const out: number[][] = [];
      // The per-class Gaussian normaliser; 0 with a shared variance, where it is the same for every class.
      const normaliser = m.variances.map((v) => (sharedVariance ? 0 : -0.5 * v.reduce((s, s2) => s + Math.log(2 * Math.PI * s2), 0)));
      for (let i = 0; i < n; i++) {
        const row: number[] = new Array(k);
        for (let c = 0; c < k; c++) {
          const mu = m.means[c] as Float64Array;
          const v = m.variances[c] as Float64Array;
          let q = 0;
          for (let j = 0; j < d; j++) q += ((x[i * d + j] as number) - (mu[j] as number)) ** 2 / (v[j] as number);
          row[c] = (m.logPriors[c] as number) + (normaliser[c] as number) - 0.5 * q;
        }
        out.push(row);
      }
      return out;
    },
    predictLogProba(features) {
      return api.logits(features).map((row) => {
        const top = Math.max(...row);
        const lse = top + Math.log(row.reduce((s, v) => s + Math.exp(v - top), 0));
        return row.map((v) => v - lse);
      });
    },
    predictProba(features) {
      return api.predictLogProba(features).map((row) => row.map(Math.exp));
    },
    predict(features) {
      const scores = api.logits(features);
      const k = fitted?.classes.length ?? 0;
      const best = argmaxRows(Float64Array.from(scores.flat()), scores.length, k);
      return Array.from(best, (c) => (fitted as Fitted).classes[c] as number);
    },
    score(features, labels) {
      const fn = `${NAME}.score`;
      model(fn);
      const { y, n } = readBatch(fn, features, labels);
      const predicted = api.predict(features);
      let right = 0;
      for (let i = 0; i < n; i++) if (predicted[i] === (y as Float64Array)[i]) right++;
      return right / n;
    },
    get classes() {
      return model(`${NAME}.classes`).classes.slice();
    },
    get classCounts() {
      return model(`${NAME}.classCounts`).counts.slice();
    },
    get means() {
      return model(`${NAME}.means`).means.map((m) => Array.from(m));
    },
    get variances() {
      return model(`${NAME}.variances`).variances.map((v) => Array.from(v));
    },
    get logPriors() {
      return model(`${NAME}.logPriors`).logPriors.slice();
    },
    get epsilon() {
      return model(`${NAME}.epsilon`).epsilon;
    },
  };

  /** Adds a checked batch to the running statistics (replacing them when `reset`), then recomputes the model. */
  function addBatch(fn: string, batch: { x: Float64Array; n: number; y?: Float64Array }, reset: boolean): GaussianNaiveBayes {
    const { x, n } = batch;
    const y = batch.y as Float64Array;
    const d = x.length / n;
    // Per-class batch statistics in two passes (mean, then squared deviations), merged into the
    // running ones with the parallel-variance formula.
    const groups = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const c = y[i] as number;
      const list = groups.get(c);
      if (list === undefined) groups.set(c, [i]);
      else list.push(i);
    }
    // Validate priors before changing any state.
    const nextClasses = new Set([...(reset ? [] : stats.keys()), ...groups.keys()]);
    if (fixedPriors !== undefined && fixedPriors.length !== nextClasses.size) {
      fail(fn, '`priors`', `have one entry per class (${nextClasses.size})`, `${fixedPriors.length} entries`);
    }
    if (reset) stats.clear();
    dim = d;
    for (const [c, rows] of groups) {
      const m = rows.length;
      const mean = new Float64Array(d);
      for (const i of rows) for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) + (x[i * d + j] as number) / m;
      const m2 = new Float64Array(d);
      for (const i of rows) for (let j = 0; j < d; j++) m2[j] = (m2[j] as number) + ((x[i * d + j] as number) - (mean[j] as number)) ** 2;
      const old = stats.get(c);
      if (old === undefined) {
        stats.set(c, { count: m, mean, m2 });
        continue;
      }
      const total = old.count + m;
      for (let j = 0; j < d; j++) {
        const delta = (mean[j] as number) - (old.mean[j] as number);
        old.m2[j] = (old.m2[j] as number) + (m2[j] as number) + (delta * delta * old.count * m) / total;
        old.mean[j] = (old.mean[j] as number) + (delta * m) / total;
      }
      old.count = total;
    }
    fitted = refresh();
    return api;
  }

  return api;
}
