import { fail, formatShape } from '../losses/_shared/errors.js';
import type { TensorInput } from '../losses/_shared/to-tensor.js';
import { checkFinite, checkMetricOptions, checkNotEmpty, readArray } from './_inputs.js';

/**
 * Regression metrics. Each takes `(yTrue, yPred)` of the same shape: `[N]` (one output) or `[N, D]`
 * (D outputs; `[N]` against `[N, 1]` is accepted). With several outputs each is scored on its own and
 * the scores are averaged with equal weights, as scikit-learn's `multioutput='uniform_average'`.
 * Values must be finite (scikit-learn rejects NaN and infinity too).
 */

interface Outputs {
  yTrue: Float64Array;
  yPred: Float64Array;
  n: number;
  d: number;
}

function readOutputs(fn: string, yTrue: TensorInput, yPred: TensorInput, options: unknown): Outputs {
  checkMetricOptions(fn, {}, options);
  const t = readArray(fn, 'yTrue', yTrue);
  const p = readArray(fn, 'yPred', yPred);
  for (const [name, a] of [['yTrue', t], ['yPred', p]] as const) {
    if (a.shape.length !== 1 && a.shape.length !== 2) fail(fn, `\`${name}\``, 'have shape [N] or [N,D]', `shape ${formatShape(a.shape)}`);
  }
  const d = (x: number[]) => (x.length === 1 ? 1 : (x[1] as number));
  if (t.shape[0] !== p.shape[0] || d(t.shape) !== d(p.shape)) {
    fail(fn, '`yTrue` and `yPred`', 'have the same shape', `${formatShape(t.shape)} and ${formatShape(p.shape)}`);
  }
  checkNotEmpty(fn, 'yTrue', t);
  checkFinite(fn, 'yTrue', t.values);
  checkFinite(fn, 'yPred', p.values);
  return { yTrue: t.values, yPred: p.values, n: t.shape[0] as number, d: d(t.shape) };
}

/** The mean over outputs of `score(output)`. */
function uniformAverage(d: number, score: (j: number) => number): number {
  let sum = 0;
  for (let j = 0; j < d; j++) sum += score(j);
  return sum / d;
}

/** The regression metrics take no options. */
export type RegressionOptions = Record<string, never>;

/**
 * Mean absolute error.
 *
 *     MAE = (1/N) Σ_i |y_i − ŷ_i|          (averaged over outputs)
 *
 * Agrees with scikit-learn's `mean_absolute_error`.
 *
 * @param yTrue - Targets `[N]` or `[N, D]`.
 * @param yPred - Predictions of the same shape.
 * @returns A number >= 0.
 *
 * @example
 * metrics.meanAbsoluteError([3, -0.5, 2, 7], [2.5, 0, 2, 8]); // 0.5
 */
export function meanAbsoluteError(yTrue: TensorInput, yPred: TensorInput, options: RegressionOptions = {}): number {
  const { yTrue: t, yPred: p, n, d } = readOutputs('meanAbsoluteError', yTrue, yPred, options);
  return uniformAverage(d, (j) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += Math.abs((t[i * d + j] as number) - (p[i * d + j] as number));
    return sum / n;
  });
}

/**
 * Root mean squared error, per output then averaged over outputs.
 *
 *     RMSE = sqrt((1/N) Σ_i (y_i − ŷ_i)²)
 *
 * Agrees with scikit-learn's `root_mean_squared_error` (with several outputs, the mean of the
 * per-output RMSEs, not the root of the overall mean square).
 *
 * @param yTrue - Targets `[N]` or `[N, D]`.
 * @param yPred - Predictions of the same shape.
 * @returns A number >= 0.
 *
 * @example
 * metrics.rootMeanSquaredError([3, -0.5, 2, 7], [2.5, 0, 2, 8]); // 0.6123724356957945
 */
export function rootMeanSquaredError(yTrue: TensorInput, yPred: TensorInput, options: RegressionOptions = {}): number {
  const { yTrue: t, yPred: p, n, d } = readOutputs('rootMeanSquaredError', yTrue, yPred, options);
  return uniformAverage(d, (j) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += ((t[i * d + j] as number) - (p[i * d + j] as number)) ** 2;
    return Math.sqrt(sum / n);
  });
}

/**
 * Coefficient of determination R², per output then averaged over outputs.
 *
 *     R² = 1 − Σ_i (y_i − ŷ_i)² / Σ_i (y_i − ȳ)²
 *
 * 1 is perfect, 0 is the constant prediction ȳ, and it is unbounded below. A constant target
 * (zero denominator) scores 1 when predicted exactly and 0 otherwise, as scikit-learn's `r2_score`
 * with its default `force_finite=True`. It needs at least 2 samples (scikit-learn returns NaN).
 *
 * @param yTrue - Targets `[N]` or `[N, D]`, N >= 2.
 * @param yPred - Predictions of the same shape.
 * @returns A number <= 1.
 *
 * @example
 * metrics.r2Score([3, -0.5, 2, 7], [2.5, 0, 2, 8]); // 0.9486081370449679
 */
export function r2Score(yTrue: TensorInput, yPred: TensorInput, options: RegressionOptions = {}): number {
  const { yTrue: t, yPred: p, n, d } = readOutputs('r2Score', yTrue, yPred, options);
  if (n < 2) fail('r2Score', '`yTrue`', 'hold at least 2 samples (R² is undefined for one)', `${n} sample`);
  return uniformAverage(d, (j) => {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += t[i * d + j] as number;
    mean /= n;
    let residual = 0;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const y = t[i * d + j] as number;
      residual += (y - (p[i * d + j] as number)) ** 2;
      total += (y - mean) ** 2;
    }
    if (total === 0) return residual === 0 ? 1 : 0;
    return 1 - residual / total;
  });
}
