import { describe, expect, it } from 'vitest';
import { binaryResults, HOSTILE, hostileResults, markupErrors, regressionResults } from '../../../test/arena-fixtures.js';
import { renderReportHtml } from './html.js';

const count = (text: string, pattern: RegExp | string) =>
  typeof pattern === 'string' ? text.split(pattern).length - 1 : (text.match(pattern) ?? []).length;

describe('renderReportHtml(results)', () => {
  const html = renderReportHtml(binaryResults());

  it('is one well-formed, self-contained page: no script, no external resource, a CSP forbidding both', () => {
    expect(markupErrors(html)).toEqual([]);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(html).not.toMatch(/\s(src|href)=/i);
    // The only URL is the SVG namespace, which is never fetched.
    expect([...html.matchAll(/https?:\/\/[^\s"'<>]+/g)].map((m) => m[0])).toEqual(
      Array(count(html, /<svg /g)).fill('http://www.w3.org/2000/svg'),
    );
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
  });

  it('has the header facts: data set, task, sizes, seeds, versions and date', () => {
    for (const text of [
      'breast-cancer',
      'UCI Breast Cancer Wisconsin (Diagnostic)',
      'binary, target <code>diagnosis</code>',
      '569 samples × 30 features; train 60% · validation 20% · test 20%',
      'benign <span class="sub">(214)</span>, malignant <span class="sub">(127)</span>',
      '<dt>Seeds (2)</dt><dd>1, 2</dd>',
      'losskit 0.1.0 · tfjs-core 4.22.0 · backend cpu · 2 workers',
      '2025-03-14 09:26 UTC',
      '<code>mlp(32,16)</code>',
    ]) {
      expect(html).toContain(text);
    }
  });

  it('has a summary row per loss, ranked by the primary metric, with best marks and baseline comparisons', () => {
    const table = /<table id="summary-table">.*?<\/table>/s.exec(html)?.[0] as string;
    const rows = [...table.matchAll(/<tr data-loss="([^"]*)">/g)].map((m) => m[1]);
    expect(rows).toEqual(['sigmoidFocalLoss:gamma=2', 'sigmoidCrossEntropy', 'generalizedCrossEntropy:q=0.7']);
    expect(count(table, /aria-label="best"/g)).toBe(4); // one per metric
    expect(table).toContain('ROC AUC ↑');
    expect(table).toContain('Log loss ↓');
    // Δ and p for the two non-baseline losses, on every metric.
    expect(count(table, /<span class="cmp[^"]*">Δ /g)).toBe(2 * 4);
    expect(table).toContain('<span class="tag">baseline</span>');
    expect(table).toContain('<span class="tag fail">1 failed</span>');
    expect(table).toContain('<td class="num">1/2</td>');
  });

  it('lists the failed trial with its error, and draws the charts', () => {
    expect(html).toContain('<h2>Failed trials (1)</h2>');
    expect(html).toContain('expected logits to be finite, got NaN at epoch 3');
    expect(count(html, /class="chart line-chart"/g)).toBe(1);
    expect(count(html, /class="chart bar-chart"/g)).toBe(4);
    expect(count(html, /class="chart reliability-chart"/g)).toBe(3);
    expect(html).toMatch(/ECE \d\.\d{4} · \d+ test predictions/);
  });

  it('has no calibration section for a regression task (no reliability bins)', () => {
    const reg = renderReportHtml(regressionResults());
    expect(markupErrors(reg)).toEqual([]);
    expect(reg).not.toContain('id="calibration"');
    expect(reg).not.toContain('Failed trials');
    expect(count(reg, /class="chart bar-chart"/g)).toBe(3);
    expect(reg).toContain('train 600 · validation 200 · test 200');
    expect(reg).not.toContain('Classes');
  });

  it('says so when a classification run has no reliability bins', () => {
    const r = binaryResults();
    for (const t of r.trials) delete t.reliability;
    expect(renderReportHtml(r)).toContain('No trial reported reliability bins.');
  });

  it('escapes hostile names everywhere: class names, loss keys, options, labels, errors', () => {
    const page = renderReportHtml(hostileResults());
    expect(markupErrors(page)).toEqual([]);
    expect(page).not.toMatch(/<img|<script|<\/pre><script/i);
    const escaped = '&lt;img src=x onerror=alert(1)&gt;';
    // Class list, summary row (data attribute and cell), bar labels, legend, reliability title,
    // options column, metric label, trials table.
    expect(count(page, escaped)).toBeGreaterThan(10);
    expect(page).toContain(`<tr data-loss="${escaped}">`);
    expect(page).toContain('&lt;/pre&gt;&lt;script&gt;alert(3)&lt;/script&gt;');
    expect(page).toContain('&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
    expect(page).toContain('{&quot;note&quot;:&quot;&lt;img src=x onerror=alert(1)&gt;&quot;}');
    expect(page).not.toContain(HOSTILE);
  });

  it('renders results read back from results.json, where NaN became null', () => {
    const r = JSON.parse(JSON.stringify(binaryResults())) as ReturnType<typeof binaryResults>;
    expect(r.summary[0]?.vsBaseline.auc?.pValue).toBeNull();
    const page = renderReportHtml(r);
    expect(markupErrors(page)).toEqual([]);
    expect(page).toContain('p n/a');
    expect(page).not.toContain('null');
  });

  it('shows NaN summaries as n/a without writing NaN into the page', () => {
    const r = binaryResults();
    const s = r.summary[1];
    if (s) {
      for (const m of Object.values(s.metrics)) {
        m.mean = Number.NaN;
        m.std = Number.NaN;
      }
      s.secondsPerEpoch = Number.NaN;
    }
    r.best = {};
    const page = renderReportHtml(r);
    expect(markupErrors(page)).toEqual([]);
    expect(page).toContain('no finished trial');
  });
});
