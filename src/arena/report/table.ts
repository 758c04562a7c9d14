/**
 * The arena's summary as plain text for the terminal: one block of aligned columns per group of
 * metrics that fits the width, two lines per loss (mean ± std, then Δ vs baseline and p-value).
 */
import type { ArenaResults } from '../results.js';
import { bestLoss, type MetricColumn, metricColumns, rankedRows } from './data.js';
import { decimalsFor, fixed, formatP, formatSeconds, isMissing, MISSING, oneLine, signed } from './format.js';

export interface SummaryTableOptions {
  /** Target line width in characters (default 120). */
  width?: number;
}

const GAP = '  ';

/** `text` cut to `max` characters with an ellipsis. */
function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}

interface Column {
  header: string;
  /** The lines of each loss row's cell (at least one). */
  cells: string[][];
  align: 'left' | 'right';
  width: number;
}

function column(header: string, cells: string[][], align: 'left' | 'right'): Column {
  const width = Math.max(header.length, ...cells.flat().map((line) => line.length));
  return { header, cells, align, width };
}

/**
 * A loss key in lines of at most `width` characters, broken after `:` or `,` where possible, at most
 * two lines (the second cut with an ellipsis).
 */
function wrapKey(key: string, width: number): string[] {
  if (key.length <= width) return [key];
  let cutAt = width;
  const head = key.slice(0, width);
  const soft = Math.max(head.lastIndexOf(':'), head.lastIndexOf(','));
  if (soft >= width / 2) cutAt = soft + 1;
  return [key.slice(0, cutAt), cut(key.slice(cutAt), width)];
}

const pad = (text: string, c: Column) => (c.align === 'left' ? text.padEnd(c.width) : text.padStart(c.width));

/**
 * The summary table: losses ranked by the primary metric, per metric `mean ± std` (`*` marks the best
 * mean) and below it `Δ` (mean paired difference with the baseline) and the paired t-test's p-value.
 * Metric columns that do not fit the width go to further blocks, each repeating the loss column.
 * Failed trials are listed below, one line each.
 */
export function formatSummaryTable(results: ArenaResults, options: SummaryTableOptions = {}): string {
  const width = options.width ?? 120;
  const rows = rankedRows(results);
  const metrics = metricColumns(results);
  const primary = results.config.primaryMetric;

  const lossWidth = Math.min(36, Math.max(4, ...rows.map((r) => oneLine(r.loss).length)));
  const lossCol = column(
    'loss',
    rows.map((r) => [...wrapKey(oneLine(r.loss), lossWidth), ...(r.isBaseline ? ['(baseline)'] : [])]),
    'left',
  );
  const fixedCols = [
    lossCol,
    column('trials', rows.map((r) => [`${r.done}/${r.total}`]), 'right'),
    column('s/epoch', rows.map((r) => [formatSeconds(r.summary?.secondsPerEpoch)]), 'right'),
  ];
  const metricCols = metrics.map((m: MetricColumn) => {
    const d = decimalsFor(results.summary.map((s) => s.metrics[m.key]?.mean ?? Number.NaN));
    const best = bestLoss(results, m.key);
    const arrow = m.higherIsBetter === undefined ? '' : m.higherIsBetter ? ' ↑' : ' ↓';
    const cells = rows.map((r): string[] => {
      const stat = r.summary?.metrics[m.key];
      const value = stat === undefined || isMissing(stat.mean) ? MISSING : `${fixed(stat.mean, d)} ± ${fixed(stat.std, d)}`;
      const vs = r.summary?.vsBaseline[m.key];
      const cmp = r.isBaseline || vs === undefined ? '' : `Δ ${signed(vs.diff, d)} p ${formatP(vs.pValue)}`;
      return cmp ? [`${value}${best === r.loss ? '*' : ' '}`, `${cmp} `] : [`${value}${best === r.loss ? '*' : ' '}`];
    });
    return column(`${cut(oneLine(m.label), 24)}${arrow} `, cells, 'right');
  });

  // Pack metric columns into blocks that fit the width.
  const fixedWidth = fixedCols.reduce((w, c) => w + c.width, 0) + GAP.length * (fixedCols.length - 1);
  const blocks: Column[][] = [];
  let current: Column[] = [];
  let used = fixedWidth;
  for (const c of metricCols) {
    if (current.length > 0 && used + GAP.length + c.width > width) {
      blocks.push(current);
      current = [];
      used = fixedWidth;
    }
    current.push(c);
    used += GAP.length + c.width;
  }
  if (current.length > 0 || blocks.length === 0) blocks.push(current);

  const d = results.dataset;
  const lines: string[] = [
    cut(
      oneLine(
        `${d.name} · ${d.task} · ${d.numSamples} samples × ${d.numFeatures} features · model ${results.config.model} · ` +
          `seeds ${results.config.seeds.join(',')} · ranked by ${results.metricInfo[primary]?.label ?? primary}`,
      ),
      width,
    ),
  ];
  for (const block of blocks) {
    const cols = [...fixedCols, ...block];
    const join = (cells: string[]) => cells.join(GAP).trimEnd();
    const headerLine = join(cols.map((c) => pad(c.header, c)));
    lines.push('', headerLine, '-'.repeat(Math.min(width, headerLine.length)));
    rows.forEach((_, i) => {
      const height = Math.max(...cols.map((c) => (c.cells[i] as string[]).length));
      for (let k = 0; k < height; k++) lines.push(join(cols.map((c) => pad((c.cells[i] as string[])[k] ?? '', c))));
    });
  }
  lines.push(
    '',
    cut(`* best mean per metric · mean ± std over finished seeds · Δ = mean paired difference vs baseline ${oneLine(results.config.baseline)}`, width),
    '  (loss − baseline) · p = two-sided paired t-test · ↑ higher is better, ↓ lower is better',
  );
  const failed = results.trials.filter((t) => t.status === 'failed');
  if (failed.length > 0) {
    lines.push('', `failed trials (${failed.length}):`);
    for (const t of failed) lines.push(cut(`  ${oneLine(t.loss)} seed ${t.seed}: ${oneLine(t.error ?? 'no error message')}`, width));
  }
  return `${lines.join('\n')}\n`;
}
