import { describe, expect, it } from 'vitest';
import { binaryResults, HOSTILE, regressionResults } from '../../../test/arena-fixtures.js';
import type { ArenaResults } from '../results.js';
import { formatSummaryTable } from './table.js';

/** The block of the table whose header line names `metricLabel`, as its lines. */
function block(text: string, metricLabel: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith('loss') && l.includes(metricLabel));
  const end = lines.indexOf('', start);
  return lines.slice(start, end);
}

/** The column span [start, end) of the header cell `label` (right-aligned cells end there). */
function columnEnd(header: string, label: string): number {
  return header.indexOf(label) + label.length;
}

describe('formatSummaryTable(results)', () => {
  const r = binaryResults();
  const text = formatSummaryTable(r);
  const lines = text.split('\n');

  it('fits 120 columns, starting with the data set and ending with the failures', () => {
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(120);
    expect(lines[0]).toBe('breast-cancer · binary · 569 samples × 30 features · model mlp(32,16) · seeds 1,2 · ranked by ROC AUC');
    expect(text).toContain('failed trials (1):\n  sigmoidFocalLoss:gamma=2 seed 2: sigmoidFocalLoss: expected logits to be finite, got NaN at epoch 3\n');
  });

  it('ranks losses by the primary metric, marks the baseline, and aligns the columns', () => {
    const b = block(text, 'ROC AUC');
    expect(b[0]).toMatch(/^loss\s+trials\s+s\/epoch\s+ROC AUC ↑\s+Accuracy ↑\s+Log loss ↓$/);
    expect(b[1]).toMatch(/^-+$/);
    const rowStarts = b.slice(2).filter((l) => /^\S/.test(l)).map((l) => l.split(/\s{2,}/)[0]);
    expect(rowStarts).toEqual(['sigmoidFocalLoss:gamma=2', 'sigmoidCrossEntropy', '(baseline)', 'generalizedCrossEntropy:q=0.7']);
    // Right-aligned: every value of a metric column ends at the header's end (the mark slot follows).
    const end = columnEnd(b[0] as string, 'ROC AUC ↑');
    for (const line of b.slice(2).filter((l) => l.includes('±'))) {
      expect(line.slice(0, end + 1)).toMatch(/\d[* ]$/);
    }
  });

  it('marks the best mean per metric with * (from results.best)', () => {
    const b = block(text, 'ROC AUC');
    const header = b[0] as string;
    for (const [metric, label] of [['auc', 'ROC AUC ↑'], ['accuracy', 'Accuracy ↑'], ['logLoss', 'Log loss ↓']] as const) {
      const end = columnEnd(header, label);
      const starred = b.filter((l) => l[end] === '*').map((l) => l.split(/\s{2,}/)[0]);
      expect(starred).toEqual([r.best[metric]]);
    }
    const ece = block(text, 'ECE');
    expect(ece.filter((l) => l.endsWith('*')).map((l) => l.split(/\s{2,}/)[0])).toEqual([r.best.ece]);
  });

  it('prints Δ vs baseline and the p-value under each non-baseline loss', () => {
    const b = block(text, 'ROC AUC');
    const gceIndex = b.findIndex((l) => l.startsWith('generalizedCrossEntropy'));
    const cmp = b[gceIndex + 1] as string;
    const s = r.summary.find((x) => x.loss === 'generalizedCrossEntropy:q=0.7');
    const diff = s?.vsBaseline.auc?.diff as number;
    const p = s?.vsBaseline.auc?.pValue as number;
    expect(cmp).toContain(`Δ ${diff > 0 ? '+' : ''}${diff.toFixed(4)} p ${p.toFixed(3)}`);
    // One seed finished for the focal loss: no p-value.
    const focal = b[b.findIndex((l) => l.startsWith('sigmoidFocalLoss')) + 1] as string;
    expect(focal).toMatch(/Δ [+-]\d\.\d{4} p n\/a/);
    // The baseline has no Δ line, only its label.
    expect(b[b.findIndex((l) => l.startsWith('sigmoidCrossEntropy')) + 1]).toBe('(baseline)');
    expect(text).toContain('Δ = mean paired difference vs baseline sigmoidCrossEntropy');
  });

  it('splits metric columns into further blocks that fit a narrower width', () => {
    const narrow = formatSummaryTable(r, { width: 80 });
    for (const line of narrow.split('\n').filter((l) => !l.startsWith('*') && !l.startsWith('  ('))) {
      expect(line.length).toBeLessThanOrEqual(80);
    }
    expect(narrow.split('\n').filter((l) => l.startsWith('loss '))).toHaveLength(4);
  });

  it('shows missing means as n/a, and cuts long or hostile keys to one line', () => {
    const x: ArenaResults = structuredClone(r);
    const s = x.summary[2];
    if (s) for (const m of Object.values(s.metrics)) m.mean = Number.NaN;
    const long = `sigmoidFocalLoss:${'gamma=2,'.repeat(10)}`;
    x.losses[0] = { key: long, id: 'sigmoidFocalLoss', options: {} };
    for (const t of x.trials) if (t.loss === 'sigmoidCrossEntropy') t.loss = long;
    if (x.summary[0]) x.summary[0].loss = long;
    x.config.baseline = long;
    const t = x.trials.find((tr) => tr.status === 'failed');
    if (t) t.error = `line one\nline two \u001b[31m${HOSTILE}`;
    const out = formatSummaryTable(x);
    expect(out).toMatch(/generalizedCrossEntropy:q=0\.7\s+2\/2\s+\S+\s+n\/a /);
    // Wrapped after a comma, over two lines, the second cut with an ellipsis.
    const outLines = out.split('\n');
    const at = outLines.findIndex((l) => l.startsWith('sigmoidFocalLoss:gamma=2,gamma=2, '));
    expect(at).toBeGreaterThan(0);
    expect(outLines[at + 1]?.startsWith(`${long.slice(33, 68)}…`)).toBe(true);
    expect(outLines[at + 2]?.startsWith('(baseline)')).toBe(true);
    expect(out).toContain(`line one line two  [31m${HOSTILE}`);
    expect(out).not.toContain('\u001b');
    for (const line of out.split('\n')) expect(line.length).toBeLessThanOrEqual(120);
  });

  it('formats results read back from JSON (NaN written as null)', () => {
    const fromJson = JSON.parse(JSON.stringify(r)) as ArenaResults;
    const s = fromJson.summary[2];
    if (s) (s.metrics.auc as unknown as { mean: null }).mean = null;
    const out = formatSummaryTable(fromJson);
    expect(out).toContain('p n/a');
    expect(out).toMatch(/generalizedCrossEntropy:q=0\.7\s+2\/2\s+\S+\s+n\/a /);
    expect(out).not.toContain('null');
  });

  it('formats a regression run (lower-is-better primary metric)', () => {
    const reg = formatSummaryTable(regressionResults());
    const b = block(reg, 'RMSE');
    expect(b[0]).toMatch(/RMSE ↓\s+MAE ↓\s+R² ↑$/);
    expect(b[2]?.startsWith('huberLoss:delta=1')).toBe(true);
    expect(reg).not.toContain('failed trials');
  });
});
