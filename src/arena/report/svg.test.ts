import { describe, expect, it } from 'vitest';
import { markupErrors } from '../../../test/arena-fixtures.js';
import { barChart, fittingScale, lineChart, niceScale, PALETTE, reliabilityChart, seriesStyle, tickLabel } from './svg.js';

const attr = (el: string, name: string) => Number(new RegExp(`\\s${name}="([^"]*)"`).exec(el)?.[1]);
const elements = (svg: string, pattern: RegExp) => svg.match(pattern) ?? [];
const bars = (svg: string) => elements(svg, /<rect class="bar"[^>]*>/g);
const style = seriesStyle(0);

describe('markupErrors (the well-formedness check used below)', () => {
  it('finds the faults it looks for', () => {
    expect(markupErrors('<svg><g><rect x="1"/></g></svg>')).toEqual([]);
    expect(markupErrors('<svg><g></svg>')).not.toEqual([]);
    expect(markupErrors('<svg><rect x="NaN"/></svg>')).not.toEqual([]);
    expect(markupErrors('<svg><path d="M0 Infinity"/></svg>')).not.toEqual([]);
    expect(markupErrors('<svg><text>a < b</text></svg>')).not.toEqual([]);
    expect(markupErrors('<p>NaN</p>')).not.toEqual([]);
  });
});

describe('niceScale / tickLabel', () => {
  it('widens a range to round steps and keeps it', () => {
    expect(niceScale(0, 0.8)).toEqual({ lo: 0, hi: 0.8, step: 0.2, ticks: [0, 0.2, 0.4, 0.6, 0.8] });
    const s = niceScale(0.73, 0.96);
    expect(s.lo).toBeLessThanOrEqual(0.73);
    expect(s.hi).toBeGreaterThanOrEqual(0.96);
    expect(s.step).toBe(0.05);
    expect(s.ticks).toEqual([0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1]);
  });

  it('pads an empty range and falls back to [0, 1] for non-finite bounds', () => {
    // ±10 % around 5, in steps of 0.2.
    expect(niceScale(5, 5).ticks).toEqual([4.4, 4.6, 4.8, 5, 5.2, 5.4, 5.6]);
    expect(niceScale(0, 0).lo).toBe(-1);
    expect(niceScale(Number.NaN, Number.NaN)).toMatchObject({ lo: 0, hi: 1 });
    expect(niceScale(3, 1)).toMatchObject({ lo: 1, hi: 3 });
  });

  it('uses integer steps when asked (epochs)', () => {
    expect(niceScale(1, 5, 8, true).ticks).toEqual([1, 2, 3, 4, 5]);
    expect(niceScale(1, 3, 8, true).step).toBe(1);
  });

  it('fittingScale uses fewer ticks when their labels would not fit', () => {
    expect(fittingScale(0, 0.336, 1000)).toMatchObject({ step: 0.05, hi: 0.35 }); // 0.00 … 0.35
    const narrow = fittingScale(0, 0.336, 200);
    expect(narrow.ticks.length - 1).toBeLessThanOrEqual(200 / (4 * 7 + 14));
    expect(narrow.hi).toBeGreaterThanOrEqual(0.336);
    expect(fittingScale(0, 1, 10).ticks.length).toBeGreaterThanOrEqual(2);
  });

  it('labels ticks with the decimals the step needs', () => {
    expect(tickLabel(0.25, 0.05)).toBe('0.25');
    expect(tickLabel(0.2, 0.2)).toBe('0.2');
    expect(tickLabel(40, 10)).toBe('40');
    expect(tickLabel(-0.0000001, 0.1)).toBe('0.0');
  });
});

describe('seriesStyle', () => {
  it('gives distinct colour, dash or marker combinations to many series', () => {
    const keys = Array.from({ length: 28 }, (_, i) => {
      const s = seriesStyle(i);
      return `${s.color}|${s.dash}|${s.marker}`;
    });
    expect(new Set(keys).size).toBe(28);
    expect(seriesStyle(0).color).toBe(PALETTE[0]);
    expect(seriesStyle(PALETTE.length).dash).not.toBe('');
  });
});

describe('barChart(spec)', () => {
  const base = { title: 'ROC AUC', axisLabel: 'Test ROC AUC', decimals: 3 };

  it('draws bars whose lengths are proportional to the values, from zero', () => {
    const values = [0.2, 0.45, 0.8];
    const svg = barChart({ ...base, bars: values.map((value, i) => ({ label: `loss${i}`, value, color: PALETTE[i] as string })) });
    expect(markupErrors(svg)).toEqual([]);
    const rects = bars(svg);
    expect(rects).toHaveLength(3);
    const widths = rects.map((r) => attr(r, 'width'));
    const xs = rects.map((r) => attr(r, 'x'));
    expect(new Set(xs).size).toBe(1); // all start at x(0)
    const perUnit = (widths[0] as number) / 0.2;
    for (const [i, w] of widths.entries()) expect(w).toBeCloseTo(perUnit * (values[i] as number), 0);
    expect(perUnit).toBeGreaterThan(100);
  });

  it('draws error bars spanning value ± error on the same scale', () => {
    const svg = barChart({ ...base, bars: [{ label: 'a', value: 0.5, error: 0.1, color: '#000' }, { label: 'b', value: 0.25, error: 0, color: '#000' }] });
    const rect = bars(svg)[0] as string;
    const perUnit = attr(rect, 'width') / 0.5;
    const errorBar = /<g class="error-bar"[^>]*><line([^>]*)\/>/.exec(svg)?.[1] as string;
    expect(attr(errorBar, 'x2') - attr(errorBar, 'x1')).toBeCloseTo(perUnit * 0.2, 0);
    expect(elements(svg, /class="error-bar"/g)).toHaveLength(1); // no error bar for error 0
    expect(svg).toContain('0.500 ± 0.100');
  });

  it('draws a negative value to the left of zero', () => {
    const svg = barChart({ ...base, bars: [{ label: 'a', value: -0.4, color: '#000' }, { label: 'b', value: 0.2, color: '#000' }] });
    const [neg, pos] = bars(svg) as [string, string];
    expect(attr(neg, 'x') + attr(neg, 'width')).toBeCloseTo(attr(pos, 'x'), 1);
    expect(attr(neg, 'width') / attr(pos, 'width')).toBeCloseTo(2, 2);
  });

  it('shows NaN values as missing, without breaking the SVG', () => {
    const svg = barChart({
      ...base,
      bars: [
        { label: 'ok', value: 0.6, error: Number.NaN, color: '#000' },
        { label: 'failed', value: Number.NaN, error: Number.NaN, color: '#000' },
        { label: 'inf', value: Number.POSITIVE_INFINITY, color: '#000' },
      ],
    });
    expect(markupErrors(svg)).toEqual([]);
    expect(bars(svg)).toHaveLength(1);
    expect(elements(svg, /no finished trial/g)).toHaveLength(2);
    expect(elements(svg, />n\/a</g)).toHaveLength(2);
    expect(svg).not.toContain('error-bar');
  });

  it('still draws axes when every value is missing', () => {
    const svg = barChart({ ...base, bars: [{ label: 'a', value: Number.NaN, color: '#000' }] });
    expect(markupErrors(svg)).toEqual([]);
    expect(bars(svg)).toHaveLength(0);
    expect(svg).toMatch(/viewBox="0 0 \d+(\.\d+)? \d+(\.\d+)?"/);
  });

  it('marks the highlighted bar with a star and escapes labels and titles', () => {
    const svg = barChart({
      ...base,
      title: 'AUC <b>',
      bars: [{ label: '<img src=x onerror=alert(1)>', value: 0.9, color: '#000', highlight: true }],
    });
    expect(markupErrors(svg)).toEqual([]);
    expect(svg).not.toContain('<img');
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(svg).toContain('0.900 ★');
    expect(svg).toMatch(/role="img" aria-label="AUC &lt;b&gt;"/);
  });

  it('truncates long labels and keeps the full label in a tooltip', () => {
    const label = `sigmoidFocalLoss:${'gamma=2,'.repeat(10)}`;
    const svg = barChart({ ...base, bars: [{ label, value: 0.5, color: '#000' }] });
    expect(svg).toContain(`<title>${label}: 0.500</title>`);
    expect(svg).toContain(`${label.slice(0, 29)}…`);
  });
});

describe('lineChart(spec)', () => {
  const spec = { title: 'Validation AUC', xLabel: 'Epoch', yLabel: 'AUC', integerX: true };

  it('maps higher values higher up, one path per series, with a legend entry each', () => {
    const svg = lineChart({
      ...spec,
      series: [
        { label: 'a', style, points: [{ x: 1, y: 0.5 }, { x: 2, y: 0.7 }, { x: 3, y: 0.9 }] },
        { label: 'b', style: seriesStyle(1), points: [{ x: 1, y: 0.6 }, { x: 2, y: 0.6 }] },
      ],
    });
    expect(markupErrors(svg)).toEqual([]);
    const paths = elements(svg, /<path d="[^"]*"/g);
    expect(paths).toHaveLength(2);
    const ys = [...(paths[0] as string).matchAll(/[ML][\d.]+ ([\d.]+)/g)].map((m) => Number(m[1]));
    expect(ys[0]).toBeGreaterThan(ys[1] as number);
    expect(ys[1]).toBeGreaterThan(ys[2] as number);
    expect(elements(svg, /class="legend-item"/g)).toHaveLength(2);
    expect(svg).toContain('>Epoch</text>');
    expect(svg).toContain('>AUC</text>');
  });

  it('breaks the line at a NaN point instead of writing NaN', () => {
    const svg = lineChart({
      ...spec,
      series: [{ label: 'a', style, points: [{ x: 1, y: 0.5 }, { x: 2, y: 0.6 }, { x: 3, y: Number.NaN }, { x: 4, y: 0.8 }, { x: 5, y: 0.85 }] }],
    });
    expect(markupErrors(svg)).toEqual([]);
    expect(elements(svg, /<path d="M[^"]*"/g)).toHaveLength(2);
  });

  it('draws an isolated point as a marker, and "no data" when nothing is finite', () => {
    const single = lineChart({ ...spec, series: [{ label: 'a', style, points: [{ x: 1, y: 0.5 }] }] });
    expect(markupErrors(single)).toEqual([]);
    expect(elements(single, /<path d=/g)).toHaveLength(0);
    expect(elements(single, /<g class="series">.*?<circle/g)).toHaveLength(1);

    const empty = lineChart({ ...spec, series: [{ label: 'a', style, points: [{ x: 1, y: Number.NaN }] }] });
    expect(markupErrors(empty)).toEqual([]);
    expect(empty).toContain('no data');
    const none = lineChart({ ...spec, series: [] });
    expect(markupErrors(none)).toEqual([]);
  });

  it('escapes series labels', () => {
    const svg = lineChart({ ...spec, series: [{ label: '<img src=x onerror=alert(1)>', style, points: [{ x: 1, y: 1 }] }] });
    expect(markupErrors(svg)).toEqual([]);
    expect(svg).not.toContain('<img');
  });
});

describe('reliabilityChart(spec)', () => {
  const bin = (lower: number, accuracy: number, count = 10, confidence = lower + 0.05) => ({ lower, upper: lower + 0.1, confidence, accuracy, count });

  it('draws one bar per bin with height proportional to accuracy, and the diagonal', () => {
    const svg = reliabilityChart({ title: 'loss', subtitle: 'ECE 0.01', style, bins: [bin(0.6, 0.3), bin(0.7, 0.6), bin(0.8, 0.9)] });
    expect(markupErrors(svg)).toEqual([]);
    const rects = elements(svg, /<rect class="bin"[^>]*>/g);
    expect(rects).toHaveLength(3);
    const heights = rects.map((r) => attr(r, 'height'));
    expect((heights[1] as number) / (heights[0] as number)).toBeCloseTo(2, 2);
    expect((heights[2] as number) / (heights[0] as number)).toBeCloseTo(3, 2);
    // Bins are adjacent: each starts where the previous ends.
    expect(attr(rects[0] as string, 'x') + attr(rects[0] as string, 'width')).toBeCloseTo(attr(rects[1] as string, 'x'), 1);
    expect(svg).toContain('class="diagonal"');
    expect(svg).toContain('>Confidence</text>');
    expect(svg).toContain('>Accuracy</text>');
  });

  it('leaves out empty and non-finite bins', () => {
    const svg = reliabilityChart({
      title: 'loss',
      style,
      bins: [bin(0.1, 0.2), bin(0.2, Number.NaN), bin(0.3, 0.4, 0), bin(0.4, 0.5, 10, Number.NaN)],
    });
    expect(markupErrors(svg)).toEqual([]);
    expect(elements(svg, /<rect class="bin"/g)).toHaveLength(1);
    const empty = reliabilityChart({ title: 'loss', style, bins: [] });
    expect(markupErrors(empty)).toEqual([]);
    expect(empty).toContain('no data');
  });
});
