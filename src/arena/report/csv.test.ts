import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { binaryResults, regressionResults } from '../../../test/arena-fixtures.js';
import { csvField, resultsCsv, summaryCsv, toCsv } from './csv.js';

const AWKWARD = 'sigmoidFocalLoss:gamma=2,alpha="0.25"';

function withAwkwardKey() {
  const r = binaryResults();
  const old = 'sigmoidFocalLoss:gamma=2';
  r.losses = r.losses.map((l) => (l.key === old ? { ...l, key: AWKWARD } : l));
  r.trials = r.trials.map((t) => (t.loss === old ? { ...t, loss: AWKWARD } : t));
  r.summary = r.summary.map((s) => (s.loss === old ? { ...s, loss: AWKWARD } : s));
  return r;
}

describe('csvField / toCsv (RFC 4180)', () => {
  it('quotes a field only when it holds a comma, a quote, CR or LF, doubling quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(csvField(AWKWARD)).toBe('"sigmoidFocalLoss:gamma=2,alpha=""0.25"""');
    expect(csvField('')).toBe('');
  });

  it('writes numbers in full precision and missing values as empty fields', () => {
    expect(csvField(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(csvField(-1e-12)).toBe('-1e-12');
    expect(csvField(Number.NaN)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField(null)).toBe('');
  });

  it('ends every record with CRLF', () => {
    expect(toCsv([['a', 1], ['b,c', 2]])).toBe('a,1\r\n"b,c",2\r\n');
  });
});

describe('resultsCsv(results)', () => {
  it('has one row per trial with the test metrics, primary metric first', () => {
    const r = binaryResults();
    const rows = parse(resultsCsv(r)) as string[][];
    expect(rows[0]).toEqual(['loss', 'seed', 'status', 'epochs', 'bestEpoch', 'secondsPerEpoch', 'auc', 'accuracy', 'logLoss', 'ece']);
    expect(rows).toHaveLength(1 + r.trials.length);
    r.trials.forEach((t, i) => {
      const row = rows[i + 1] as string[];
      expect(row.slice(0, 6)).toEqual([t.loss, String(t.seed), t.status, String(t.epochs), String(t.bestEpoch), String(t.secondsPerEpoch)]);
      if (t.status === 'done') expect(row.slice(6).map(Number)).toEqual([t.test.auc, t.test.accuracy, t.test.logLoss, t.test.ece]);
      else expect(row.slice(6)).toEqual(['', '', '', '']);
    });
  });

  it('round-trips a loss key with commas and quotes through a CSV parser', () => {
    const text = resultsCsv(withAwkwardKey());
    expect(text).toContain('"sigmoidFocalLoss:gamma=2,alpha=""0.25""",1,done');
    const rows = parse(text) as string[][];
    expect(rows.filter((row) => row[0] === AWKWARD).map((row) => row[1])).toEqual(['1', '2']);
    expect(new Set(rows.map((row) => row.length))).toEqual(new Set([10]));
  });

  it('uses the regression metrics for a regression task', () => {
    const rows = parse(resultsCsv(regressionResults())) as string[][];
    expect(rows[0]?.slice(6)).toEqual(['rmse', 'mae', 'r2']);
    expect(rows).toHaveLength(7);
  });
});

describe('summaryCsv(results)', () => {
  it('has one row per (loss, metric) with mean, std, n and the baseline comparison', () => {
    const r = withAwkwardKey();
    const rows = parse(summaryCsv(r)) as string[][];
    expect(rows[0]).toEqual(['loss', 'metric', 'mean', 'std', 'n', 'diff', 'pValue']);
    expect(rows).toHaveLength(1 + 3 * 4);
    const gce = rows.find((row) => row[0] === 'generalizedCrossEntropy:q=0.7' && row[1] === 'logLoss') as string[];
    const s = r.summary.find((x) => x.loss === 'generalizedCrossEntropy:q=0.7');
    expect(gce.slice(2).map(Number)).toEqual([
      s?.metrics.logLoss?.mean,
      s?.metrics.logLoss?.std,
      2,
      s?.vsBaseline.logLoss?.diff,
      s?.vsBaseline.logLoss?.pValue,
    ]);
    // One finished seed: the p-value is NaN, written as an empty field.
    const focal = rows.find((row) => row[0] === AWKWARD && row[1] === 'auc') as string[];
    expect(focal[4]).toBe('1');
    expect(focal[6]).toBe('');
  });
});
