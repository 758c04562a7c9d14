/**
 * The arena's HTML report: one self-contained page (inline CSS and SVG, no script, no external
 * resource; a Content-Security-Policy forbids any) that opens offline.
 */
import type { ArenaResults, TrialResult } from '../results.js';
import {
  bestLoss,
  expectedCalibrationError,
  type LossRow,
  lossKeys,
  type MetricColumn,
  meanCurve,
  metricColumns,
  pooledReliability,
  rankedRows,
} from './data.js';
import { escapeHtml as h } from './escape.js';
import { decimalsFor, fixed, formatP, formatSeconds, isMissing, MISSING, shortNumber, signed } from './format.js';
import { barChart, lineChart, reliabilityChart, seriesStyle } from './svg.js';

const CSS = `
:root { color-scheme: light; --text: #1f2328; --muted: #59636e; --line: #d8dee4; --bg-alt: #f6f8fa; --accent: #0a5cad; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--text); background: #fff; }
header, main, footer { max-width: 1240px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 24px; border-bottom: 1px solid var(--line); padding-bottom: 12px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 16px 0 6px; }
.sub, .note { color: var(--muted); }
.note { font-size: 13px; margin: 6px 0 12px; max-width: 900px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 3px 16px; margin: 12px 0 0; font-size: 14px; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-size: 14px; }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
thead th { background: var(--bg-alt); font-weight: 600; white-space: nowrap; }
tbody tr { background: #fff; }
tbody tr:nth-child(even) { background: #fbfcfd; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.loss { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; overflow-wrap: break-word; min-width: 19em; max-width: 26em; }
#summary-table td.loss, #summary-table th:first-child { position: sticky; left: 0; z-index: 1; background: inherit; box-shadow: inset -1px 0 0 var(--line); }
#summary-table thead th:first-child { background: var(--bg-alt); }
.cmp { display: block; color: var(--muted); font-size: 12px; }
.best { font-weight: 700; }
.best .mark { color: var(--accent); }
td .cmp { font-weight: 400; }
td .cmp.sig { font-weight: 700; color: var(--text); }
.tag { display: inline-block; font: 600 11px/1.6 system-ui, sans-serif; padding: 0 6px; border-radius: 8px; background: #ddf4ff; color: #0a3069; margin-left: 6px; }
.tag.fail { background: #ffebe9; color: #82071e; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; vertical-align: baseline; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 16px; }
.charts.small { grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); }
figure { margin: 0; padding: 8px; border: 1px solid var(--line); border-radius: 6px; background: #fff; overflow-x: auto; }
svg.chart { display: block; max-width: 100%; height: auto; }
pre.error { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 12px; }
details { margin: 12px 0; }
summary { cursor: pointer; color: var(--accent); }
footer { color: var(--muted); font-size: 13px; padding-top: 24px; padding-bottom: 32px; }
`;

/** A loss key, escaped, with line-break opportunities after `:` and `,` (between options). */
const breakable = (key: string) => h(key).replace(/([:,])/g, '$1<wbr>');

/** How an ISO date reads in the header (`2025-01-31 14:05 UTC`); other text is shown as given. */
function formatDate(text: string): string {
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? text : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Splits as fractions (shown as %) when they sum to about 1, else as counts. */
function formatSplits(s: ArenaResults['dataset']['splits']): string {
  const parts = [s.train, s.validation, s.test];
  const sum = parts.reduce((a, b) => a + b, 0);
  const fractions = parts.every((v) => v >= 0 && v <= 1) && Math.abs(sum - 1) < 1e-6;
  const f = (v: number) => (fractions ? `${Number((v * 100).toFixed(1))}%` : shortNumber(v));
  return `train ${f(s.train)} · validation ${f(s.validation)} · test ${f(s.test)}`;
}

function header(r: ArenaResults): string {
  const d = r.dataset;
  const c = r.config;
  const items: Array<[string, string]> = [
    ['Data set', `${h(d.name)} <span class="sub">(${h(d.source)})</span>`],
    ['Task', `${h(d.task)}, target <code>${h(d.target)}</code>`],
    ['Size', `${h(d.numSamples)} samples × ${h(d.numFeatures)} features; ${h(formatSplits(d.splits))}`],
  ];
  if (d.classes !== undefined && d.classes.length > 0) {
    const list = d.classes.map((name, i) => {
      const count = d.classCounts?.[i];
      return `${h(name)}${count !== undefined ? ` <span class="sub">(${h(count)})</span>` : ''}`;
    });
    items.push([`Classes (${d.classes.length})`, list.join(', ')]);
  }
  if (d.imbalance !== undefined) items.push(['Imbalance', h(shortNumber(d.imbalance))]);
  if (d.labelNoise !== undefined) items.push(['Label noise', h(shortNumber(d.labelNoise))]);
  items.push(
    ['Model', `<code>${h(c.model)}</code>`],
    ['Training', `up to ${h(c.maxEpochs)} epochs, patience ${h(c.patience)}, batch ${h(c.batchSize)}, ${h(c.optimizer)} with learning rate ${h(shortNumber(c.learningRate))}`],
    [`Seeds (${c.seeds.length})`, h(c.seeds.join(', '))],
    ['Baseline', `<code>${h(c.baseline)}</code>`],
    ['Primary metric', h(r.metricInfo[c.primaryMetric]?.label ?? c.primaryMetric)],
    ['Versions', `losskit ${h(r.losskitVersion)} · tfjs-core ${h(r.tfjsVersion)} · backend ${h(r.backend)} · ${h(c.workers)} worker${c.workers === 1 ? '' : 's'}`],
    ['Date', h(formatDate(r.createdAt))],
  );
  return (
    `<header><h1>Loss arena: ${h(d.name)}</h1>` +
    `<p class="sub">${h(r.losses.length)} losses × ${h(c.seeds.length)} seeds on a ${h(d.task)} task</p>` +
    `<dl class="meta">${items.map(([k, v]) => `<dt>${h(k)}</dt><dd>${v}</dd>`).join('')}</dl></header>`
  );
}

const arrow = (m: MetricColumn) => (m.higherIsBetter === undefined ? '' : m.higherIsBetter ? ' ↑' : ' ↓');
const direction = (m: MetricColumn) =>
  m.higherIsBetter === undefined ? '' : m.higherIsBetter ? 'higher is better' : 'lower is better';

function metricDecimals(r: ArenaResults, metric: string): number {
  return decimalsFor(r.summary.map((s) => s.metrics[metric]?.mean ?? Number.NaN));
}

function summaryTable(r: ArenaResults, rows: readonly LossRow[], metrics: readonly MetricColumn[]): string {
  const head =
    '<tr><th scope="col">Loss</th><th scope="col" class="num">Trials</th>' +
    metrics.map((m) => `<th scope="col" class="num" title="${h(direction(m))}">${h(m.label)}${arrow(m)}</th>`).join('') +
    '<th scope="col" class="num">s / epoch</th></tr>';
  const best = new Map(metrics.map((m) => [m.key, bestLoss(r, m.key)]));
  const decimals = new Map(metrics.map((m) => [m.key, metricDecimals(r, m.key)]));
  const body = rows
    .map((row) => {
      const style = seriesStyle(row.index);
      const tags =
        (row.isBaseline ? '<span class="tag">baseline</span>' : '') +
        (row.done < row.total ? `<span class="tag fail">${h(row.total - row.done)} failed</span>` : '');
      const cells = metrics.map((m) => {
        const d = decimals.get(m.key) as number;
        const stat = row.summary?.metrics[m.key];
        const isBest = best.get(m.key) === row.loss;
        const value =
          stat === undefined || isMissing(stat.mean)
            ? MISSING
            : `${fixed(stat.mean, d)} ± ${fixed(stat.std, d)}${isBest ? ' <span class="mark" aria-label="best">★</span>' : ''}`;
        let cmp = '';
        if (!row.isBaseline) {
          const vs = row.summary?.vsBaseline[m.key];
          if (vs !== undefined) {
            const sig = Number.isFinite(vs.pValue) && vs.pValue < 0.05;
            cmp = `<span class="cmp${sig ? ' sig' : ''}">Δ ${h(signed(vs.diff, d))}, p ${h(formatP(vs.pValue))}</span>`;
          }
        }
        return `<td class="num${isBest ? ' best' : ''}">${value}${cmp}</td>`;
      });
      return (
        `<tr data-loss="${h(row.loss)}"><td class="loss"><span class="swatch" style="background:${style.color}"></span>${breakable(row.loss)}${tags}</td>` +
        `<td class="num">${h(row.done)}/${h(row.total)}</td>${cells.join('')}` +
        `<td class="num">${h(formatSeconds(row.summary?.secondsPerEpoch))}</td></tr>`
      );
    })
    .join('');
  return `<div class="table-wrap"><table id="summary-table"><thead>${head}</thead><tbody>${body}</tbody></table></div>`;
}

function failures(trials: readonly TrialResult[]): string {
  const failed = trials.filter((t) => t.status === 'failed');
  if (failed.length === 0) return '';
  const rows = failed
    .map(
      (t) =>
        `<tr><td class="loss">${breakable(t.loss)}</td><td class="num">${h(t.seed)}</td><td class="num">${h(t.epochs)}</td>` +
        `<td><pre class="error">${h(t.error ?? 'no error message')}</pre></td></tr>`,
    )
    .join('');
  return (
    `<section id="failures"><h2>Failed trials (${failed.length})</h2>` +
    '<p class="note">Failed trials are left out of every mean, curve and diagram.</p>' +
    '<div class="table-wrap"><table><thead><tr><th scope="col">Loss</th><th scope="col" class="num">Seed</th><th scope="col" class="num">Epochs</th><th scope="col">Error</th></tr></thead>' +
    `<tbody>${rows}</tbody></table></div></section>`
  );
}

function curves(r: ArenaResults, keys: readonly string[]): string {
  const primary = r.config.primaryMetric;
  const label = r.metricInfo[primary]?.label ?? primary;
  const series = keys.map((loss, i) => ({
    label: loss,
    points: meanCurve(r, loss, primary).map((p) => ({ x: p.epoch, y: p.mean })),
    style: seriesStyle(i),
  }));
  const dir = r.metricInfo[primary] === undefined ? '' : ` (${r.metricInfo[primary]?.higherIsBetter ? 'higher' : 'lower'} is better)`;
  const svg = lineChart({
    title: `Validation ${label} per epoch (mean over seeds)`,
    xLabel: 'Epoch',
    yLabel: `Validation ${label}${dir}`,
    series,
    integerX: true,
    width: 1150,
    description: `Learning curves: mean validation ${label} of the finished trials at each epoch, one line per loss.`,
  });
  return (
    `<section id="curves"><h2>Learning curves</h2>` +
    '<p class="note">Mean over the finished trials that reached each epoch; trials stopped early drop out of later epochs.</p>' +
    `<figure>${svg}</figure></section>`
  );
}

function metricBars(r: ArenaResults, rows: readonly LossRow[], metrics: readonly MetricColumn[]): string {
  const charts = metrics.map((m) => {
    const best = bestLoss(r, m.key);
    const svg = barChart({
      title: `${m.label}${arrow(m)}`,
      axisLabel: `Test ${m.label}${direction(m) ? ` (${direction(m)})` : ''}`,
      decimals: metricDecimals(r, m.key),
      bars: rows.map((row) => {
        const stat = row.summary?.metrics[m.key];
        return {
          label: row.loss,
          value: stat?.mean ?? Number.NaN,
          error: stat?.std ?? Number.NaN,
          color: seriesStyle(row.index).color,
          highlight: best === row.loss,
        };
      }),
      description: `Test ${m.label}: mean over seeds per loss, with error bars of ± one standard deviation.`,
    });
    return `<figure>${svg}</figure>`;
  });
  return (
    `<section id="metrics"><h2>Test metrics</h2>` +
    '<p class="note">Bars: mean over finished seeds; error bars: ± one standard deviation; ★ best mean.</p>' +
    `<div class="charts">${charts.join('')}</div></section>`
  );
}

function calibration(r: ArenaResults, keys: readonly string[]): string {
  if (r.dataset.task === 'regression') return '';
  const charts: string[] = [];
  keys.forEach((loss, i) => {
    const bins = pooledReliability(r, loss);
    if (bins === undefined) return;
    const n = bins.reduce((a, b) => a + b.count, 0);
    const ece = expectedCalibrationError(bins);
    charts.push(
      `<figure>${reliabilityChart({
        title: loss,
        subtitle: `ECE ${fixed(ece, 4)} · ${n} test predictions`,
        bins,
        style: seriesStyle(i),
        description: `Reliability diagram of ${loss}: accuracy against mean confidence per bin, pooled over seeds.`,
      })}</figure>`,
    );
  });
  const body =
    charts.length > 0
      ? `<div class="charts small">${charts.join('')}</div>`
      : '<p class="note">No trial reported reliability bins.</p>';
  return (
    '<section id="calibration"><h2>Calibration</h2>' +
    '<p class="note">Reliability diagrams, bins pooled over seeds. Bars: accuracy in each confidence bin; markers: mean confidence against accuracy; dashed: perfect calibration. ECE = Σ (n<sub>b</sub>/N) |accuracy<sub>b</sub> − confidence<sub>b</sub>| over the pooled bins.</p>' +
    `${body}</section>`
  );
}

function setup(r: ArenaResults, metrics: readonly MetricColumn[]): string {
  const losses = r.losses
    .map((l) => {
      const options = Object.keys(l.options).length === 0 ? 'defaults' : JSON.stringify(l.options);
      return `<tr><td class="loss">${breakable(l.key)}</td><td><code>${h(l.id)}</code></td><td><code>${h(options)}</code></td></tr>`;
    })
    .join('');
  const trialRows = r.trials
    .map(
      (t) =>
        `<tr><td class="loss">${breakable(t.loss)}</td><td class="num">${h(t.seed)}</td><td>${h(t.status)}</td>` +
        `<td class="num">${h(t.epochs)}</td><td class="num">${h(t.bestEpoch)}</td><td class="num">${h(formatSeconds(t.secondsPerEpoch))}</td>` +
        metrics.map((m) => `<td class="num">${h(t.status === 'done' ? shortNumber(t.test[m.key]) : '')}</td>`).join('') +
        '</tr>',
    )
    .join('');
  return (
    '<section id="setup"><h2>Losses and trials</h2>' +
    '<div class="table-wrap"><table id="losses-table"><thead><tr><th scope="col">Key</th><th scope="col">Loss</th><th scope="col">Options</th></tr></thead>' +
    `<tbody>${losses}</tbody></table></div>` +
    `<details><summary>Every trial (${r.trials.length})</summary><div class="table-wrap"><table id="trials-table"><thead><tr>` +
    '<th scope="col">Loss</th><th scope="col" class="num">Seed</th><th scope="col">Status</th><th scope="col" class="num">Epochs</th><th scope="col" class="num">Best epoch</th><th scope="col" class="num">s / epoch</th>' +
    metrics.map((m) => `<th scope="col" class="num">${h(m.label)}</th>`).join('') +
    `</tr></thead><tbody>${trialRows}</tbody></table></div></details></section>`
  );
}

/** The complete report page for `results`. */
export function renderReportHtml(results: ArenaResults): string {
  const metrics = metricColumns(results);
  const rows = rankedRows(results);
  const keys = lossKeys(results);
  const primary = results.metricInfo[results.config.primaryMetric]?.label ?? results.config.primaryMetric;
  return (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">` +
    `<title>Loss arena: ${h(results.dataset.name)}</title><style>${CSS}</style></head><body>` +
    header(results) +
    '<main><section id="summary"><h2>Summary</h2>' +
    `<p class="note">Test metrics, mean ± standard deviation over finished seeds, ranked by ${h(primary)}. ` +
    `★ best mean per metric. Δ: mean paired difference with the baseline <code>${h(results.config.baseline)}</code> ` +
    '(loss − baseline) over seeds; p: two-sided paired t-test (bold when p &lt; 0.05). ↑ higher is better, ↓ lower is better.</p>' +
    summaryTable(results, rows, metrics) +
    '</section>' +
    failures(results.trials) +
    curves(results, keys) +
    metricBars(results, rows, metrics) +
    calibration(results, keys) +
    setup(results, metrics) +
    `</main><footer>Generated by losskit ${h(results.losskitVersion)} from results created ${h(formatDate(results.createdAt))}. ` +
    'The same results are in results.json, results.csv (one row per trial) and summary.csv (one row per loss and metric).</footer>' +
    '</body></html>\n'
  );
}
