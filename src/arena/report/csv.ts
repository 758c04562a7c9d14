/**
 * CSV export of the arena's results (RFC 4180: comma-separated, CRLF line ends, a field quoted when it
 * holds a comma, a double quote, CR or LF, with its double quotes doubled).
 */
import type { ArenaResults } from '../results.js';
import { lossKeys, metricColumns } from './data.js';

/** One CSV field. Numbers are written in full precision; NaN, undefined and null as an empty field. */
export function csvField(value: string | number | undefined | null): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') return Number.isNaN(value) ? '' : String(value);
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Rows of fields as CSV text, each record ended by CRLF. */
export function toCsv(rows: ReadonlyArray<ReadonlyArray<string | number | undefined | null>>): string {
  return rows.map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}

/**
 * One row per (loss, seed) trial: loss, seed, status, epochs, bestEpoch, secondsPerEpoch, then the
 * test value of each metric (empty for a failed trial or a metric it lacks).
 */
export function resultsCsv(results: ArenaResults): string {
  const metrics = metricColumns(results).map((m) => m.key);
  const header = ['loss', 'seed', 'status', 'epochs', 'bestEpoch', 'secondsPerEpoch', ...metrics];
  const rows = results.trials.map((t) => [
    t.loss,
    t.seed,
    t.status,
    t.epochs,
    t.bestEpoch,
    t.secondsPerEpoch,
    ...metrics.map((m) => t.test[m]),
  ]);
  return toCsv([header, ...rows]);
}

/**
 * One row per (loss, metric): loss, metric, mean, std, n, diff, pValue, where diff and pValue are the
 * paired comparison with the baseline (empty where the results have none).
 */
export function summaryCsv(results: ArenaResults): string {
  const metrics = metricColumns(results).map((m) => m.key);
  const rows: Array<Array<string | number | undefined>> = [['loss', 'metric', 'mean', 'std', 'n', 'diff', 'pValue']];
  for (const loss of lossKeys(results)) {
    const s = results.summary.find((x) => x.loss === loss);
    if (s === undefined) continue;
    for (const m of metrics) {
      const stat = s.metrics[m];
      const cmp = s.vsBaseline[m];
      if (stat === undefined && cmp === undefined) continue;
      rows.push([loss, m, stat?.mean, stat?.std, stat?.n, cmp?.diff, cmp?.pValue]);
    }
  }
  return toCsv(rows);
}
