import * as metrics from '../metrics/index.js';
import type { ArenaTask, MetricInfo, ReliabilityBin } from './results.js';

/**
 * The metric panel of each task. Classification metrics are computed from class probabilities: for a
 * binary task the probability of the positive class `[N]` (hard predictions where it is > 0.5), for a
 * multiclass task probability rows `[N, C]` (hard predictions by argmax). Regression metrics are on
 * the target's original scale.
 */
export const METRIC_INFO: Readonly<Record<string, MetricInfo>> = {
  accuracy: { label: 'Accuracy', higherIsBetter: true },
  balancedAccuracy: { label: 'Balanced accuracy', higherIsBetter: true },
  f1Score: { label: 'F1', higherIsBetter: true },
  matthewsCorrcoef: { label: 'MCC', higherIsBetter: true },
  rocAuc: { label: 'ROC AUC', higherIsBetter: true },
  averagePrecision: { label: 'Average precision', higherIsBetter: true },
  expectedCalibrationError: { label: 'ECE', higherIsBetter: false },
  logLoss: { label: 'Log loss', higherIsBetter: false },
  brierScore: { label: 'Brier score', higherIsBetter: false },
  meanAbsoluteError: { label: 'MAE', higherIsBetter: false },
  rootMeanSquaredError: { label: 'RMSE', higherIsBetter: false },
  r2Score: { label: 'R²', higherIsBetter: true },
};

const CLASSIFICATION = ['accuracy', 'balancedAccuracy', 'f1Score', 'matthewsCorrcoef', 'rocAuc', 'averagePrecision', 'expectedCalibrationError', 'logLoss', 'brierScore'];

const PANELS: Readonly<Record<ArenaTask, readonly string[]>> = {
  binary: CLASSIFICATION,
  multiclass: CLASSIFICATION,
  regression: ['meanAbsoluteError', 'rootMeanSquaredError', 'r2Score'],
};

/** The metrics reported for a task, in display order. */
export function metricNames(task: ArenaTask): readonly string[] {
  return PANELS[task];
}

/** How each metric of a task reads, for results.json. */
export function metricInfo(task: ArenaTask): Record<string, MetricInfo> {
  return Object.fromEntries(metricNames(task).map((m) => [m, METRIC_INFO[m] as MetricInfo]));
}

/**
 * The default metric for early stopping and the headline ranking: average precision for a binary
 * task (threshold-free, and sensitive to the rare class that imbalance makes hard), balanced accuracy
 * for a multiclass task, RMSE for regression.
 */
export function defaultPrimaryMetric(task: ArenaTask): string {
  return task === 'binary' ? 'averagePrecision' : task === 'multiclass' ? 'balancedAccuracy' : 'rootMeanSquaredError';
}

/** What a model predicted for one split, as the panel reads it. */
export interface PanelInput {
  task: ArenaTask;
  /** Class indices (classification) or target values on the original scale (regression). */
  yTrue: ArrayLike<number>;
  /** Binary: P(positive) `[N]`; multiclass: probability rows, row-major `[N, numClasses]`; regression: predictions. */
  values: Float64Array;
  numClasses: number;
}

function asRows(values: Float64Array, n: number, c: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from(values.subarray(i * c, (i + 1) * c)));
}

/** Every metric of the task's panel. Predictions must be finite (the caller checks). */
export function evaluatePanel(input: PanelInput): Record<string, number> {
  // Typed arrays: the metrics read them without walking nested arrays.
  const y = new Float64Array(input.yTrue);
  if (input.task === 'regression') {
    const p = input.values;
    return { meanAbsoluteError: metrics.meanAbsoluteError(y, p), rootMeanSquaredError: metrics.rootMeanSquaredError(y, p), r2Score: metrics.r2Score(y, p) };
  }
  if (input.task === 'binary') {
    const p = input.values;
    const hard = { threshold: 0.5 };
    return {
      accuracy: metrics.accuracy(y, p, hard),
      balancedAccuracy: metrics.balancedAccuracy(y, p, hard),
      f1Score: metrics.f1Score(y, p, hard),
      matthewsCorrcoef: metrics.matthewsCorrcoef(y, p, hard),
      rocAuc: metrics.rocAuc(y, p),
      averagePrecision: metrics.averagePrecision(y, p),
      expectedCalibrationError: metrics.expectedCalibrationError(y, p),
      logLoss: metrics.logLoss(y, p),
      brierScore: metrics.brierScore(y, p),
    };
  }
  const rows = asRows(input.values, y.length, input.numClasses);
  return {
    accuracy: metrics.accuracy(y, rows),
    balancedAccuracy: metrics.balancedAccuracy(y, rows),
    f1Score: metrics.f1Score(y, rows, { average: 'macro' }),
    matthewsCorrcoef: metrics.matthewsCorrcoef(y, rows),
    rocAuc: metrics.rocAuc(y, rows),
    averagePrecision: metrics.averagePrecision(y, rows),
    expectedCalibrationError: metrics.expectedCalibrationError(y, rows),
    logLoss: metrics.logLoss(y, rows),
    brierScore: metrics.brierScore(y, rows),
  };
}

/** Reliability-diagram bins of a classification split: the bins the ECE is computed from. */
export function reliability(input: PanelInput): ReliabilityBin[] | undefined {
  if (input.task === 'regression') return undefined;
  const y = Array.from(input.yTrue);
  const probs = input.task === 'binary' ? Array.from(input.values) : asRows(input.values, y.length, input.numClasses);
  return metrics.reliabilityBins(y, probs);
}
