/**
 * What the report, the CSV files and the terminal table derive from `ArenaResults`: the metric
 * columns in display order, the losses ranked by the primary metric, mean learning curves, and
 * reliability bins pooled over seeds. Pure functions of the results.
 */
import type { ArenaResults, LossSummary, ReliabilityBin, TrialResult } from '../results.js';

export interface MetricColumn {
  key: string;
  label: string;
  /** undefined when the results carry no `metricInfo` for this metric. */
  higherIsBetter: boolean | undefined;
}

/**
 * The metrics in display order: the primary metric first, then `metricInfo`'s order, then any metric
 * found only in the summaries or the trials' test metrics (in first-seen order).
 */
export function metricColumns(results: ArenaResults): MetricColumn[] {
  const keys: string[] = [];
  const add = (k: string) => {
    if (!keys.includes(k)) keys.push(k);
  };
  const primary = results.config.primaryMetric;
  const known = (k: string) =>
    k in results.metricInfo || results.summary.some((s) => k in s.metrics) || results.trials.some((t) => k in t.test);
  if (known(primary)) add(primary);
  for (const k of Object.keys(results.metricInfo)) add(k);
  for (const s of results.summary) for (const k of Object.keys(s.metrics)) add(k);
  for (const t of results.trials) for (const k of Object.keys(t.test)) add(k);
  return keys.map((key) => {
    const info = results.metricInfo[key];
    return { key, label: info?.label ?? key, higherIsBetter: info?.higherIsBetter };
  });
}

/** Every loss key: the configured losses in order, then any that only the summaries or trials name. */
export function lossKeys(results: ArenaResults): string[] {
  const keys: string[] = [];
  for (const k of [...results.losses.map((l) => l.key), ...results.summary.map((s) => s.loss), ...results.trials.map((t) => t.loss)]) {
    if (!keys.includes(k)) keys.push(k);
  }
  return keys;
}

export interface LossRow {
  loss: string;
  /** Position in `lossKeys` (stable across charts: colours are picked by it). */
  index: number;
  summary: LossSummary | undefined;
  isBaseline: boolean;
  /** Finished and total trials of this loss. */
  done: number;
  total: number;
}

/**
 * One row per loss, ranked by the mean of the primary metric (best first, by its direction; missing
 * means last). Ties and metrics of unknown direction keep the configured order.
 */
export function rankedRows(results: ArenaResults): LossRow[] {
  const primary = results.config.primaryMetric;
  const higher = results.metricInfo[primary]?.higherIsBetter;
  const rows: LossRow[] = lossKeys(results).map((loss, index) => {
    const trials = results.trials.filter((t) => t.loss === loss);
    return {
      loss,
      index,
      summary: results.summary.find((s) => s.loss === loss),
      isBaseline: loss === results.config.baseline,
      done: trials.filter((t) => t.status === 'done').length,
      total: trials.length,
    };
  });
  if (higher === undefined) return rows;
  const score = (r: LossRow) => {
    const m = r.summary?.metrics[primary]?.mean;
    return typeof m !== 'number' || !Number.isFinite(m) ? Number.NaN : higher ? -m : m;
  };
  return rows.sort((a, b) => {
    const sa = score(a);
    const sb = score(b);
    if (Number.isNaN(sa) || Number.isNaN(sb)) return Number.isNaN(sa) ? (Number.isNaN(sb) ? a.index - b.index : 1) : -1;
    return sa - sb || a.index - b.index;
  });
}

/**
 * The loss with the best mean for `metric`: `results.best[metric]` when the results name one, else
 * computed from the summaries by the metric's direction (undefined when the direction is unknown or
 * no mean is finite).
 */
export function bestLoss(results: ArenaResults, metric: string): string | undefined {
  const named = results.best[metric];
  if (named !== undefined) return named;
  const higher = results.metricInfo[metric]?.higherIsBetter;
  if (higher === undefined) return undefined;
  let best: string | undefined;
  let bestMean = Number.NaN;
  for (const s of results.summary) {
    const m = s.metrics[metric]?.mean;
    if (m === undefined || !Number.isFinite(m)) continue;
    if (best === undefined || (higher ? m > bestMean : m < bestMean)) {
      best = s.loss;
      bestMean = m;
    }
  }
  return best;
}

const finished = (results: ArenaResults, loss: string): TrialResult[] =>
  results.trials.filter((t) => t.loss === loss && t.status === 'done');

export interface CurvePoint {
  epoch: number;
  /** Mean over the finished trials that reached this epoch and report a finite value. */
  mean: number;
  n: number;
}

/** Mean validation `metric` per epoch over a loss's finished trials (trials stopped early drop out). */
export function meanCurve(results: ArenaResults, loss: string, metric: string): CurvePoint[] {
  const sums = new Map<number, { sum: number; n: number }>();
  for (const trial of finished(results, loss)) {
    for (const record of trial.curve) {
      const v = record.validation[metric];
      if (v === undefined || !Number.isFinite(v) || !Number.isFinite(record.epoch)) continue;
      const acc = sums.get(record.epoch) ?? { sum: 0, n: 0 };
      acc.sum += v;
      acc.n += 1;
      sums.set(record.epoch, acc);
    }
  }
  return [...sums.entries()].sort(([a], [b]) => a - b).map(([epoch, { sum, n }]) => ({ epoch, mean: sum / n, n }));
}

/**
 * A loss's reliability bins pooled over its finished trials: bins with the same [lower, upper) are
 * merged, their confidence and accuracy averaged with the counts as weights. Bins with no samples are
 * dropped. undefined when no finished trial has bins.
 */
export function pooledReliability(results: ArenaResults, loss: string): ReliabilityBin[] | undefined {
  const trials = finished(results, loss).filter((t) => t.reliability !== undefined && t.reliability.length > 0);
  if (trials.length === 0) return undefined;
  const bins = new Map<string, ReliabilityBin>();
  for (const trial of trials) {
    for (const b of trial.reliability ?? []) {
      if (!(b.count > 0) || !Number.isFinite(b.confidence) || !Number.isFinite(b.accuracy)) continue;
      const key = `${b.lower}:${b.upper}`;
      const acc = bins.get(key) ?? { lower: b.lower, upper: b.upper, confidence: 0, accuracy: 0, count: 0 };
      acc.confidence += b.confidence * b.count;
      acc.accuracy += b.accuracy * b.count;
      acc.count += b.count;
      bins.set(key, acc);
    }
  }
  return [...bins.values()]
    .map((b) => ({ ...b, confidence: b.confidence / b.count, accuracy: b.accuracy / b.count }))
    .sort((a, b) => a.lower - b.lower);
}

/** Expected calibration error of binned predictions: Σ_b (n_b / N) |accuracy_b − confidence_b|. */
export function expectedCalibrationError(bins: readonly ReliabilityBin[]): number {
  let total = 0;
  let gap = 0;
  for (const b of bins) {
    total += b.count;
    gap += b.count * Math.abs(b.accuracy - b.confidence);
  }
  return total > 0 ? gap / total : Number.NaN;
}
