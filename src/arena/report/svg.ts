/**
 * Inline SVG charts, built as strings at report time: horizontal bar charts with error bars, line
 * charts and reliability diagrams. Every text that comes from the data is escaped, every coordinate is
 * finite (missing values are drawn as missing, never as `NaN` attributes), and each chart carries a
 * `<title>`, a `<desc>` and `role="img"` for screen readers.
 */
import type { ReliabilityBin } from '../results.js';
import { escapeHtml } from './escape.js';
import { MISSING } from './format.js';

/** Okabe–Ito colours (colour-blind safe), without the yellow that is too light on white. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#000000'] as const;
const DASHES = ['', '7 4', '2 3', '10 3 2 3'] as const;
export type MarkerShape = 'circle' | 'square' | 'triangle' | 'diamond' | 'triangleDown';
const MARKERS: readonly MarkerShape[] = ['circle', 'square', 'triangle', 'diamond', 'triangleDown'];

/** How one series (one loss) is drawn everywhere in the report. */
export interface SeriesStyle {
  color: string;
  /** stroke-dasharray ('' for a solid line). */
  dash: string;
  marker: MarkerShape;
}

/**
 * The style of the i-th series: colour cycles through the palette, the dash pattern changes after each
 * full cycle, and the marker shape cycles on its own, so colour is never the only cue.
 */
export function seriesStyle(index: number): SeriesStyle {
  const i = Math.max(0, Math.floor(index));
  return {
    color: PALETTE[i % PALETTE.length] as string,
    dash: DASHES[Math.floor(i / PALETTE.length) % DASHES.length] as string,
    marker: MARKERS[i % MARKERS.length] as MarkerShape,
  };
}

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
const TEXT = '#1f2328';
const MUTED = '#59636e';
const GRID = '#d8dee4';
/** Approximate advance of one character of 12px sans-serif text, for layout. */
const CHAR_W = 7;

/** A coordinate as short text; a non-finite value (which the builders filter out) falls back to 0. */
export function num(x: number): string {
  return Number.isFinite(x) ? String(Math.round(x * 100) / 100) : '0';
}

/** `text` cut to `max` characters with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}

export interface NiceScale {
  lo: number;
  hi: number;
  step: number;
  ticks: number[];
}

/**
 * A domain that contains [lo, hi], widened to round tick steps (1, 2 or 5 × 10^k) with about `count`
 * intervals. Non-finite bounds fall back to [0, 1]; an empty range is padded. With `integer`, the
 * step is at least 1.
 */
export function niceScale(lo: number, hi: number, count = 5, integer = false): NiceScale {
  let a = Number.isFinite(lo) ? lo : 0;
  let b = Number.isFinite(hi) ? hi : 1;
  if (!Number.isFinite(lo) && !Number.isFinite(hi)) b = 1;
  if (b < a) [a, b] = [b, a];
  if (b === a) {
    const pad = a === 0 ? 1 : Math.abs(a) * 0.1;
    a -= pad;
    b += pad;
  }
  const raw = (b - a) / Math.max(1, count);
  const pow = 10 ** Math.floor(Math.log10(raw));
  const e = raw / pow;
  let step = (e >= 7.07 ? 10 : e >= 3.16 ? 5 : e >= 1.41 ? 2 : 1) * pow;
  if (integer) step = Math.max(1, Math.round(step));
  const start = Math.floor(a / step + 1e-9);
  const stop = Math.ceil(b / step - 1e-9);
  const ticks: number[] = [];
  for (let i = start; i <= stop; i++) ticks.push(Number((i * step).toPrecision(12)));
  return { lo: ticks[0] as number, hi: ticks[ticks.length - 1] as number, step, ticks };
}

/**
 * The `niceScale` with the most ticks (at most `count` intervals) whose labels fit `pixels` of axis
 * without touching: each label gets its width plus a gap.
 */
export function fittingScale(lo: number, hi: number, pixels: number, count = 5, integer = false): NiceScale {
  let scale = niceScale(lo, hi, count, integer);
  for (let c = count - 1; c >= 1; c--) {
    const widest = Math.max(...scale.ticks.map((t) => tickLabel(t, scale.step).length));
    if ((scale.ticks.length - 1) * (widest * CHAR_W + 14) <= pixels) break;
    scale = niceScale(lo, hi, c, integer);
  }
  return scale;
}

/** A tick label with as many decimals as the step needs. */
export function tickLabel(value: number, step: number): string {
  const decimals = Math.max(0, Math.min(8, -Math.floor(Math.log10(step) + 1e-9)));
  const s = value.toFixed(decimals);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

const linear =
  (d0: number, d1: number, r0: number, r1: number) =>
  (v: number): number =>
    d1 === d0 ? r0 : r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);

function svgOpen(kind: string, width: number, height: number, title: string, description: string): string {
  const t = escapeHtml(title);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart ${kind}" role="img" aria-label="${t}" ` +
    `viewBox="0 0 ${num(width)} ${num(height)}" width="${num(width)}" height="${num(height)}" ` +
    `font-family='${FONT}' font-size="12" fill="${TEXT}">` +
    `<title>${t}</title><desc>${escapeHtml(description)}</desc>`
  );
}

function titleText(x: number, y: number, text: string, maxChars: number): string {
  const shown = truncate(text, maxChars);
  const tip = shown === text ? '' : `<title>${escapeHtml(text)}</title>`;
  return `<text class="chart-title" x="${num(x)}" y="${num(y)}" font-size="14" font-weight="600">${tip}${escapeHtml(shown)}</text>`;
}

/** Marker of a shape centred on (x, y), radius about r. */
export function marker(shape: MarkerShape, x: number, y: number, r: number, color: string): string {
  const p = (pts: Array<[number, number]>) =>
    `<polygon points="${pts.map(([px, py]) => `${num(px)},${num(py)}`).join(' ')}" fill="${color}" stroke="#fff" stroke-width="0.8"/>`;
  switch (shape) {
    case 'square':
      return `<rect x="${num(x - r * 0.85)}" y="${num(y - r * 0.85)}" width="${num(r * 1.7)}" height="${num(r * 1.7)}" fill="${color}" stroke="#fff" stroke-width="0.8"/>`;
    case 'triangle':
      return p([[x, y - r * 1.1], [x + r, y + r * 0.75], [x - r, y + r * 0.75]]);
    case 'triangleDown':
      return p([[x, y + r * 1.1], [x + r, y - r * 0.75], [x - r, y - r * 0.75]]);
    case 'diamond':
      return p([[x, y - r * 1.2], [x + r * 1.1, y], [x, y + r * 1.2], [x - r * 1.1, y]]);
    default:
      return `<circle cx="${num(x)}" cy="${num(y)}" r="${num(r)}" fill="${color}" stroke="#fff" stroke-width="0.8"/>`;
  }
}

// ---------------------------------------------------------------------------------------------------
// Bar chart

export interface Bar {
  label: string;
  /** Bar length; NaN draws the row as missing. */
  value: number;
  /** Half-length of the error bar (a standard deviation); NaN or undefined draws none. */
  error?: number;
  color: string;
  /** Marks the best bar: bold value label with a star, and an outline. */
  highlight?: boolean;
}

export interface BarChartSpec {
  title: string;
  /** Label of the value axis. */
  axisLabel: string;
  bars: readonly Bar[];
  /** Decimals of the value labels. */
  decimals: number;
  description?: string;
  width?: number;
}

/**
 * A horizontal bar chart, one row per bar (labels on the left, values with ± error on the right). The
 * value axis always includes 0, so bar lengths are proportional to the values; error bars span
 * value ± error. Rows whose value is NaN show `n/a` and no bar.
 */
export function barChart(spec: BarChartSpec): string {
  const { bars, decimals } = spec;
  const fmt = (v: number) => v.toFixed(decimals);
  const valueText = (b: Bar) => {
    if (!Number.isFinite(b.value)) return MISSING;
    const err = b.error !== undefined && Number.isFinite(b.error) ? ` ± ${fmt(b.error)}` : '';
    return `${fmt(b.value)}${err}${b.highlight ? ' ★' : ''}`;
  };
  const labelChars = Math.min(30, Math.max(4, ...bars.map((b) => b.label.length)));
  const labelW = labelChars * CHAR_W + 14;
  // Value labels may be bold: a wider advance per character, and room for the star.
  const valueW = Math.max(...bars.map((b) => valueText(b).length), 3) * (CHAR_W + 0.6) + 24;
  const width = Math.max(spec.width ?? 580, labelW + valueW + 200);
  const x0 = labelW;
  const x1 = width - valueW;
  const top = 40;
  const rowH = 26;
  const barH = 15;
  const plotBottom = top + Math.max(1, bars.length) * rowH;
  const height = plotBottom + 46;

  let lo = 0;
  let hi = 0;
  for (const b of bars) {
    if (!Number.isFinite(b.value)) continue;
    const e = b.error !== undefined && Number.isFinite(b.error) ? Math.abs(b.error) : 0;
    lo = Math.min(lo, b.value - e);
    hi = Math.max(hi, b.value + e);
  }
  if (lo === 0 && hi === 0) hi = 1;
  const scale = fittingScale(lo, hi, x1 - x0, 5);
  const x = linear(scale.lo, scale.hi, x0, x1);

  const parts: string[] = [svgOpen('bar-chart', width, height, spec.title, spec.description ?? spec.title)];
  parts.push(titleText(8, 20, spec.title, Math.floor((width - 16) / 8)));
  // Grid and ticks.
  for (const t of scale.ticks) {
    const tx = x(t);
    parts.push(`<line x1="${num(tx)}" y1="${num(top - 6)}" x2="${num(tx)}" y2="${num(plotBottom)}" stroke="${GRID}"/>`);
    parts.push(`<text x="${num(tx)}" y="${num(plotBottom + 15)}" text-anchor="middle" fill="${MUTED}">${escapeHtml(tickLabel(t, scale.step))}</text>`);
  }
  parts.push(`<line x1="${num(x(0))}" y1="${num(top - 6)}" x2="${num(x(0))}" y2="${num(plotBottom)}" stroke="${MUTED}"/>`);
  parts.push(`<text class="axis-label" x="${num((x0 + x1) / 2)}" y="${num(plotBottom + 36)}" text-anchor="middle">${escapeHtml(spec.axisLabel)}</text>`);

  bars.forEach((b, i) => {
    const cy = top + i * rowH + rowH / 2 - 3;
    const shown = truncate(b.label, labelChars);
    parts.push(`<g class="bar-row">`);
    parts.push(`<title>${escapeHtml(`${b.label}: ${valueText(b)}`)}</title>`);
    parts.push(`<text x="${num(x0 - 8)}" y="${num(cy + 4)}" text-anchor="end">${escapeHtml(shown)}</text>`);
    if (Number.isFinite(b.value)) {
      const xa = x(Math.min(0, b.value));
      const xb = x(Math.max(0, b.value));
      const outline = b.highlight ? ` stroke="${TEXT}" stroke-width="1.5"` : '';
      parts.push(`<rect class="bar" x="${num(xa)}" y="${num(cy - barH / 2)}" width="${num(xb - xa)}" height="${num(barH)}" fill="${b.color}" fill-opacity="0.85"${outline}/>`);
      if (b.error !== undefined && Number.isFinite(b.error) && b.error > 0) {
        const ea = x(b.value - b.error);
        const eb = x(b.value + b.error);
        parts.push(
          `<g class="error-bar" stroke="${TEXT}" stroke-width="1.3">` +
            `<line x1="${num(ea)}" y1="${num(cy)}" x2="${num(eb)}" y2="${num(cy)}"/>` +
            `<line x1="${num(ea)}" y1="${num(cy - 5)}" x2="${num(ea)}" y2="${num(cy + 5)}"/>` +
            `<line x1="${num(eb)}" y1="${num(cy - 5)}" x2="${num(eb)}" y2="${num(cy + 5)}"/></g>`,
        );
      }
    } else {
      parts.push(`<text class="missing" x="${num(x(0) + 6)}" y="${num(cy + 4)}" fill="${MUTED}" font-style="italic">no finished trial</text>`);
    }
    const weight = b.highlight ? ' font-weight="700"' : '';
    parts.push(`<text class="value" x="${num(x1 + 10)}" y="${num(cy + 4)}"${weight}>${escapeHtml(valueText(b))}</text>`);
    parts.push('</g>');
  });
  parts.push('</svg>');
  return parts.join('');
}

// ---------------------------------------------------------------------------------------------------
// Line chart

export interface LineSeries {
  label: string;
  /** Points in x order; a non-finite y breaks the line. */
  points: ReadonlyArray<{ x: number; y: number }>;
  style: SeriesStyle;
}

export interface LineChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly LineSeries[];
  /** Integer ticks on the x axis (epochs). */
  integerX?: boolean;
  description?: string;
  width?: number;
}

/** Line segments of a series, split where a point is not finite. */
function segments(points: ReadonlyArray<{ x: number; y: number }>): Array<Array<{ x: number; y: number }>> {
  const out: Array<Array<{ x: number; y: number }>> = [];
  let current: Array<{ x: number; y: number }> = [];
  for (const p of points) {
    if (Number.isFinite(p.x) && Number.isFinite(p.y)) current.push(p);
    else if (current.length > 0) {
      out.push(current);
      current = [];
    }
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** A legend of series styles laid out in columns below a chart; returns its SVG and height. */
function legend(series: readonly LineSeries[], left: number, top: number, width: number): { svg: string; height: number } {
  const maxChars = 44;
  const longest = Math.min(maxChars, Math.max(4, ...series.map((s) => s.label.length)));
  const colW = longest * CHAR_W + 46;
  const cols = Math.max(1, Math.min(series.length, Math.floor(width / colW)));
  const rowH = 20;
  const parts: string[] = ['<g class="legend">'];
  series.forEach((s, i) => {
    const lx = left + (i % cols) * colW;
    const ly = top + Math.floor(i / cols) * rowH;
    const dash = s.style.dash ? ` stroke-dasharray="${s.style.dash}"` : '';
    const shown = truncate(s.label, maxChars);
    parts.push(
      `<g class="legend-item"><title>${escapeHtml(s.label)}</title>` +
        `<line x1="${num(lx)}" y1="${num(ly)}" x2="${num(lx + 30)}" y2="${num(ly)}" stroke="${s.style.color}" stroke-width="2.5"${dash}/>` +
        marker(s.style.marker, lx + 15, ly, 4, s.style.color) +
        `<text x="${num(lx + 38)}" y="${num(ly + 4)}">${escapeHtml(shown)}</text></g>`,
    );
  });
  parts.push('</g>');
  return { svg: parts.join(''), height: Math.ceil(series.length / cols) * rowH };
}

/**
 * A line chart with one line per series, markers at the points (thinned beyond 40 points), grid,
 * axis labels and a legend below. Non-finite points break the line instead of breaking the SVG; with
 * no finite point at all the axes are drawn with a "no data" note.
 */
export function lineChart(spec: LineChartSpec): string {
  const width = spec.width ?? 760;
  const left = 70;
  const right = 20;
  const top = 40;
  const plotH = 280;
  const plotBottom = top + plotH;
  const xs: number[] = [];
  const ys: number[] = [];
  for (const s of spec.series) {
    for (const p of s.points) {
      if (Number.isFinite(p.x) && Number.isFinite(p.y)) {
        xs.push(p.x);
        ys.push(p.y);
      }
    }
  }
  const empty = xs.length === 0;
  const xScale = fittingScale(empty ? 0 : Math.min(...xs), empty ? 1 : Math.max(...xs), width - left - right, 10, spec.integerX ?? false);
  const yScale = niceScale(empty ? 0 : Math.min(...ys), empty ? 1 : Math.max(...ys), 5);
  const x = linear(xScale.lo, xScale.hi, left, width - right);
  const y = linear(yScale.lo, yScale.hi, plotBottom, top);
  const leg = legend(spec.series, left, plotBottom + 64, width - left - right);
  const height = plotBottom + 64 + leg.height + 4;

  const parts: string[] = [svgOpen('line-chart', width, height, spec.title, spec.description ?? spec.title)];
  parts.push(titleText(8, 20, spec.title, Math.floor((width - 16) / 8)));
  for (const t of yScale.ticks) {
    parts.push(`<line x1="${num(left)}" y1="${num(y(t))}" x2="${num(width - right)}" y2="${num(y(t))}" stroke="${GRID}"/>`);
    parts.push(`<text x="${num(left - 8)}" y="${num(y(t) + 4)}" text-anchor="end" fill="${MUTED}">${escapeHtml(tickLabel(t, yScale.step))}</text>`);
  }
  for (const t of xScale.ticks) {
    parts.push(`<line x1="${num(x(t))}" y1="${num(plotBottom)}" x2="${num(x(t))}" y2="${num(plotBottom + 5)}" stroke="${MUTED}"/>`);
    parts.push(`<text x="${num(x(t))}" y="${num(plotBottom + 19)}" text-anchor="middle" fill="${MUTED}">${escapeHtml(tickLabel(t, xScale.step))}</text>`);
  }
  parts.push(`<line x1="${num(left)}" y1="${num(plotBottom)}" x2="${num(width - right)}" y2="${num(plotBottom)}" stroke="${MUTED}"/>`);
  parts.push(`<line x1="${num(left)}" y1="${num(top)}" x2="${num(left)}" y2="${num(plotBottom)}" stroke="${MUTED}"/>`);
  parts.push(`<text class="axis-label" x="${num((left + width - right) / 2)}" y="${num(plotBottom + 40)}" text-anchor="middle">${escapeHtml(spec.xLabel)}</text>`);
  parts.push(
    `<text class="axis-label" transform="translate(16 ${num((top + plotBottom) / 2)}) rotate(-90)" text-anchor="middle">${escapeHtml(spec.yLabel)}</text>`,
  );
  if (empty) {
    parts.push(`<text class="missing" x="${num((left + width - right) / 2)}" y="${num((top + plotBottom) / 2)}" text-anchor="middle" fill="${MUTED}" font-style="italic">no data</text>`);
  }
  for (const s of spec.series) {
    const dash = s.style.dash ? ` stroke-dasharray="${s.style.dash}"` : '';
    const segs = segments(s.points);
    const count = segs.reduce((n, seg) => n + seg.length, 0);
    const every = Math.max(1, Math.ceil(count / 40));
    parts.push(`<g class="series"><title>${escapeHtml(s.label)}</title>`);
    for (const seg of segs) {
      if (seg.length > 1) {
        const d = seg.map((p, i) => `${i === 0 ? 'M' : 'L'}${num(x(p.x))} ${num(y(p.y))}`).join(' ');
        parts.push(`<path d="${d}" fill="none" stroke="${s.style.color}" stroke-width="2.2" stroke-linejoin="round"${dash}/>`);
      }
    }
    let k = 0;
    for (const seg of segs) {
      for (const p of seg) {
        if (k++ % every === 0 || seg.length === 1) parts.push(marker(s.style.marker, x(p.x), y(p.y), 3.5, s.style.color));
      }
    }
    parts.push('</g>');
  }
  parts.push(leg.svg);
  parts.push('</svg>');
  return parts.join('');
}

// ---------------------------------------------------------------------------------------------------
// Reliability diagram

export interface ReliabilityChartSpec {
  title: string;
  subtitle?: string;
  bins: readonly ReliabilityBin[];
  style: SeriesStyle;
  description?: string;
  size?: number;
}

/**
 * A reliability diagram on [0, 1]²: per bin, a bar spanning [lower, upper] up to the bin's accuracy,
 * a marker at (mean confidence, accuracy) joined into a curve, and the dashed diagonal of perfect
 * calibration. Bins with a non-finite value or no samples are left out.
 */
export function reliabilityChart(spec: ReliabilityChartSpec): string {
  const size = spec.size ?? 320;
  const left = 54;
  const right = 14;
  const top = spec.subtitle ? 52 : 38;
  const plot = size - left - right;
  const plotBottom = top + plot;
  const height = plotBottom + 46;
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  const x = linear(0, 1, left, left + plot);
  const y = linear(0, 1, plotBottom, top);
  const ticks = [0, 0.2, 0.4, 0.6, 0.8, 1];
  const { color } = spec.style;

  const parts: string[] = [svgOpen('reliability-chart', size, height, spec.title, spec.description ?? spec.title)];
  parts.push(titleText(8, 20, spec.title, Math.floor((size - 16) / 8)));
  if (spec.subtitle) parts.push(`<text x="8" y="38" fill="${MUTED}">${escapeHtml(spec.subtitle)}</text>`);
  for (const t of ticks) {
    parts.push(`<line x1="${num(x(t))}" y1="${num(top)}" x2="${num(x(t))}" y2="${num(plotBottom)}" stroke="${GRID}"/>`);
    parts.push(`<line x1="${num(left)}" y1="${num(y(t))}" x2="${num(left + plot)}" y2="${num(y(t))}" stroke="${GRID}"/>`);
    parts.push(`<text x="${num(x(t))}" y="${num(plotBottom + 15)}" text-anchor="middle" fill="${MUTED}">${t.toFixed(1)}</text>`);
    parts.push(`<text x="${num(left - 6)}" y="${num(y(t) + 4)}" text-anchor="end" fill="${MUTED}">${t.toFixed(1)}</text>`);
  }
  const bins = spec.bins.filter(
    (b) => b.count > 0 && [b.lower, b.upper, b.confidence, b.accuracy].every((v) => Number.isFinite(v)),
  );
  for (const b of bins) {
    const xa = x(clamp(Math.min(b.lower, b.upper)));
    const xb = x(clamp(Math.max(b.lower, b.upper)));
    const yt = y(clamp(b.accuracy));
    parts.push(
      `<rect class="bin" x="${num(xa)}" y="${num(yt)}" width="${num(Math.max(0, xb - xa))}" height="${num(plotBottom - yt)}" ` +
        `fill="${color}" fill-opacity="0.28" stroke="${color}" stroke-width="1">` +
        `<title>${escapeHtml(`[${b.lower}, ${b.upper}): confidence ${b.confidence.toFixed(3)}, accuracy ${b.accuracy.toFixed(3)}, n = ${b.count}`)}</title></rect>`,
    );
  }
  parts.push(`<line class="diagonal" x1="${num(x(0))}" y1="${num(y(0))}" x2="${num(x(1))}" y2="${num(y(1))}" stroke="${MUTED}" stroke-width="1.2" stroke-dasharray="5 4"/>`);
  if (bins.length > 1) {
    const d = bins.map((b, i) => `${i === 0 ? 'M' : 'L'}${num(x(clamp(b.confidence)))} ${num(y(clamp(b.accuracy)))}`).join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>`);
  }
  for (const b of bins) parts.push(marker(spec.style.marker, x(clamp(b.confidence)), y(clamp(b.accuracy)), 3.5, color));
  if (bins.length === 0) {
    parts.push(`<text class="missing" x="${num(left + plot / 2)}" y="${num(top + plot / 2)}" text-anchor="middle" fill="${MUTED}" font-style="italic">no data</text>`);
  }
  parts.push(`<line x1="${num(left)}" y1="${num(plotBottom)}" x2="${num(left + plot)}" y2="${num(plotBottom)}" stroke="${MUTED}"/>`);
  parts.push(`<line x1="${num(left)}" y1="${num(top)}" x2="${num(left)}" y2="${num(plotBottom)}" stroke="${MUTED}"/>`);
  parts.push(`<text class="axis-label" x="${num(left + plot / 2)}" y="${num(plotBottom + 36)}" text-anchor="middle">Confidence</text>`);
  parts.push(`<text class="axis-label" transform="translate(16 ${num(top + plot / 2)}) rotate(-90)" text-anchor="middle">Accuracy</text>`);
  parts.push('</svg>');
  return parts.join('');
}
