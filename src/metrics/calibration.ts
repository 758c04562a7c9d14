import { fail, formatShape } from '../losses/_shared/errors.js';
import type { ParamSpecs } from '../losses/_shared/spec.js';
import type { TensorInput } from '../losses/_shared/to-tensor.js';
import {
  argmaxRows,
  checkBinaryLabels,
  checkClassLabels,
  checkLabelShape,
  checkMetricOptions,
  checkNotEmpty,
  checkProbabilities,
  checkSameRows,
  isColumn,
  readArray,
} from './_inputs.js';

/**
 * Metrics of predicted probabilities. Each takes `(yTrue, yProb, options?)`:
 *
 * - binary: labels {0, 1} `[N]` with the probability of class 1 `[N]` (or `[N, 1]`);
 * - multiclass: class labels `[N]` with probability rows `[N, C]`, C >= 2.
 *
 * Values must lie in [0, 1]: logits are an error, not silently squashed.
 */

interface Probabilities {
  labels: Float64Array;
  probs: Float64Array;
  n: number;
  /** Columns of `yProb`; undefined for binary probabilities `[N]` / `[N, 1]`. */
  columns: number | undefined;
}

function readProbabilities(fn: string, yTrue: TensorInput, yProb: TensorInput): Probabilities {
  const t = readArray(fn, 'yTrue', yTrue);
  const p = readArray(fn, 'yProb', yProb);
  checkLabelShape(fn, 'yTrue', t);
  if (p.shape.length !== 1 && p.shape.length !== 2) fail(fn, '`yProb`', 'have shape [N], [N,1] or [N,C]', `shape ${formatShape(p.shape)}`);
  checkNotEmpty(fn, 'yProb', p);
  checkSameRows(fn, 'yTrue', t, 'yProb', p);
  const columns = isColumn(p) ? undefined : (p.shape[1] as number);
  if (columns === undefined) checkBinaryLabels(fn, 'yTrue', t.values, ' with probabilities of shape [N] (pass probability rows [N,C] for multiclass labels)');
  else checkClassLabels(fn, 'yTrue', t.values, columns);
  checkProbabilities(fn, 'yProb', p.values);
  return { labels: t.values, probs: p.values, n: t.values.length, columns };
}

// ---------------------------------------------------------------------------------------------
// logLoss

export interface LogLossOptions {
  /** Probabilities are clipped to [eps, 1 − eps] before the log. @defaultValue `1e-15` */
  eps?: number;
}

const LOG_LOSS_PARAMS: ParamSpecs = {
  eps: { kind: 'number', default: 1e-15, min: 0, max: 0.5, exclusiveMax: true, doc: 'probabilities are clipped to [eps, 1 − eps]' },
};

/**
 * Log loss (cross-entropy) of predicted probabilities, the mean negative log-likelihood of the labels:
 *
 *     logLoss = −(1/N) Σ_i log clip(p_{i, y_i}, eps, 1 − eps)       binary: p_{i,1} = p_i, p_{i,0} = 1 − p_i
 *
 * Agrees with scikit-learn's `log_loss`, with two documented choices: the clip uses eps = 1e-15,
 * scikit-learn's default before 1.5 (1.5 and later use the float64 machine epsilon, 2.2e-16; the two
 * differ only for probabilities below 1e-15); and rows are used as given, not renormalised, as
 * scikit-learn does from 1.5 on (earlier versions divided each row by its sum; rows that sum to 1
 * give the same value either way). Clipping keeps it finite when a true class has probability 0.
 *
 * @param yTrue - Labels {0, 1} `[N]` with probabilities `[N]`, or class labels `[N]` with rows `[N, C]`.
 * @param yProb - Probability of class 1 `[N]`, or probability rows `[N, C]`, in [0, 1].
 * @returns A number >= 0 (at most −log(eps) ≈ 34.5).
 *
 * @example
 * metrics.logLoss([1, 0, 0, 1], [[0.1, 0.9], [0.9, 0.1], [0.8, 0.2], [0.35, 0.65]]); // 0.21616187468057912
 */
export function logLoss(yTrue: TensorInput, yProb: TensorInput, options: LogLossOptions = {}): number {
  checkMetricOptions('logLoss', LOG_LOSS_PARAMS, options);
  const { eps = 1e-15 } = options;
  const { labels, probs, n, columns } = readProbabilities('logLoss', yTrue, yProb);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i] as number;
    const q = columns === undefined ? (y === 1 ? (probs[i] as number) : 1 - (probs[i] as number)) : (probs[i * columns + y] as number);
    sum -= Math.log(Math.min(Math.max(q, eps), 1 - eps));
  }
  return sum / n;
}

// ---------------------------------------------------------------------------------------------
// brierScore

/** brierScore takes no options. */
export type BrierScoreOptions = Record<string, never>;

/**
 * Brier score: the mean squared distance between the predicted probabilities and the one-hot labels.
 *
 *     binary [N]:           (1/N) Σ_i (p_i − y_i)²                       in [0, 1]
 *     rows [N, C], C >= 3:  (1/N) Σ_i Σ_c (p_ic − [y_i = c])²            in [0, 2] (Brier's original)
 *     rows [N, 2]:          half the row sum, equal to the binary form on column 1
 *
 * Agrees with scikit-learn's `brier_score_loss` and its `scale_by_half='auto'` (halved for two
 * classes, not for more). A strictly proper score: lowest in expectation at the true probabilities.
 *
 * @param yTrue - Labels {0, 1} `[N]` with probabilities `[N]`, or class labels `[N]` with rows `[N, C]`.
 * @param yProb - Probability of class 1 `[N]`, or probability rows `[N, C]`, in [0, 1].
 * @returns A number >= 0.
 * @see G. W. Brier, "Verification of forecasts expressed in terms of probability", Monthly Weather
 *   Review 78(1), 1950.
 *
 * @example
 * metrics.brierScore([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.3]); // ≈ 0.0375
 */
export function brierScore(yTrue: TensorInput, yProb: TensorInput, options: BrierScoreOptions = {}): number {
  checkMetricOptions('brierScore', {}, options);
  const { labels, probs, n, columns } = readProbabilities('brierScore', yTrue, yProb);
  let sum = 0;
  if (columns === undefined) {
    for (let i = 0; i < n; i++) sum += ((probs[i] as number) - (labels[i] as number)) ** 2;
    return sum / n;
  }
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < columns; c++) sum += ((probs[i * columns + c] as number) - (labels[i] === c ? 1 : 0)) ** 2;
  }
  return columns === 2 ? sum / (2 * n) : sum / n;
}

// ---------------------------------------------------------------------------------------------
// expectedCalibrationError, reliabilityBins

export interface CalibrationBinsOptions {
  /** Number of equal-width confidence bins on [0, 1]. @defaultValue `15` */
  bins?: number;
}

const BINS_PARAMS: ParamSpecs = {
  bins: { kind: 'number', default: 15, min: 1, integer: true, doc: 'number of equal-width confidence bins' },
};

/** One bin of a reliability diagram. */
export interface ReliabilityBin {
  /** Lower edge, excluded (except 0 for the first bin). */
  lower: number;
  /** Upper edge, included. */
  upper: number;
  /** Mean confidence of the bin's samples (0 when empty). */
  confidence: number;
  /** Fraction of the bin's samples whose predicted class is right (0 when empty). */
  accuracy: number;
  /** Samples in the bin. */
  count: number;
}

/** The bin b of confidence c: lower_b < c <= upper_b with edges b/B, the first bin closed at 0. */
function binOf(c: number, bins: number): number {
  let b = Math.min(Math.max(Math.ceil(c * bins) - 1, 0), bins - 1);
  // Math.ceil(c * bins) can land one off where c * bins rounds across an integer: compare with the edges.
  while (b > 0 && c <= b / bins) b--;
  while (b < bins - 1 && c > (b + 1) / bins) b++;
  return b;
}

function binned(fn: string, yTrue: TensorInput, yProb: TensorInput, options: CalibrationBinsOptions): { bins: ReliabilityBin[]; n: number } {
  checkMetricOptions(fn, BINS_PARAMS, options);
  const { bins = 15 } = options;
  const { labels, probs, n, columns } = readProbabilities(fn, yTrue, yProb);
  const count = new Float64Array(bins);
  const confSum = new Float64Array(bins);
  const correctSum = new Float64Array(bins);
  const predicted = columns === undefined ? undefined : argmaxRows(probs, n, columns);
  for (let i = 0; i < n; i++) {
    let confidence: number;
    let label: number;
    if (columns === undefined) {
      const p = probs[i] as number;
      label = p > 0.5 ? 1 : 0;
      confidence = label === 1 ? p : 1 - p;
    } else {
      label = predicted![i] as number;
      confidence = probs[i * columns + label] as number;
    }
    const b = binOf(confidence, bins);
    count[b]! += 1;
    confSum[b]! += confidence;
    if (label === labels[i]) correctSum[b]! += 1;
  }
  const out: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++) {
    const m = count[b] as number;
    out.push({
      lower: b / bins,
      upper: (b + 1) / bins,
      confidence: m === 0 ? 0 : (confSum[b] as number) / m,
      accuracy: m === 0 ? 0 : (correctSum[b] as number) / m,
      count: m,
    });
  }
  return { bins: out, n };
}

/**
 * Reliability diagram data: the samples grouped by confidence into equal-width bins, each with its
 * mean confidence and its accuracy. Confidence and predicted class are those of
 * `expectedCalibrationError`. Every bin is returned, in order; an empty bin has `count` 0 and
 * confidence and accuracy 0 (numbers, so the list stays JSON-safe: plot only bins with a count).
 *
 * @param yTrue - Labels {0, 1} `[N]` with probabilities `[N]`, or class labels `[N]` with rows `[N, C]`.
 * @param yProb - Probability of class 1 `[N]`, or probability rows `[N, C]`, in [0, 1].
 * @returns `bins` entries `{ lower, upper, confidence, accuracy, count }`.
 */
export function reliabilityBins(yTrue: TensorInput, yProb: TensorInput, options: CalibrationBinsOptions = {}): ReliabilityBin[] {
  return binned('reliabilityBins', yTrue, yProb, options).bins;
}

/**
 * Expected calibration error (L1, equal-width bins): the gap between confidence and accuracy,
 * averaged over bins weighted by their share of the samples.
 *
 *     ECE = Σ_b (|B_b| / N) · |acc(B_b) − conf(B_b)|
 *
 * Confidence is the top-label probability: the row maximum, with the argmax as the predicted class
 * (first maximum on ties); for binary probabilities p `[N]`, max(p, 1 − p) with class 1 predicted
 * when p > 0.5, so `[N]` and the rows `[1 − p, p]` give the same value. Bin b (of B) holds the
 * confidences in (b/B, (b+1)/B]; the first bin also holds 0. scikit-learn has no ECE; this is the
 * estimator of Guo et al. (torchmetrics' `norm='l1'` on multiclass rows).
 *
 * @param yTrue - Labels {0, 1} `[N]` with probabilities `[N]`, or class labels `[N]` with rows `[N, C]`.
 * @param yProb - Probability of class 1 `[N]`, or probability rows `[N, C]`, in [0, 1].
 * @returns A number in [0, 1]; 0 when every bin's accuracy equals its mean confidence.
 * @see C. Guo, G. Pleiss, Y. Sun, K. Q. Weinberger, "On Calibration of Modern Neural Networks",
 *   ICML 2017, https://arxiv.org/abs/1706.04599
 *
 * @example
 * metrics.expectedCalibrationError([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.3], { bins: 5 }); // 0.175
 */
export function expectedCalibrationError(yTrue: TensorInput, yProb: TensorInput, options: CalibrationBinsOptions = {}): number {
  const { bins, n } = binned('expectedCalibrationError', yTrue, yProb, options);
  let ece = 0;
  for (const b of bins) ece += (b.count / n) * Math.abs(b.accuracy - b.confidence);
  return ece;
}
