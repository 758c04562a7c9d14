import { describe, expect, it } from 'vitest';
import { binaryResults, regressionResults } from '../../../test/arena-fixtures.js';
import { bestLoss, expectedCalibrationError, lossKeys, meanCurve, metricColumns, pooledReliability, rankedRows } from './data.js';

describe('report data', () => {
  it('metricColumns puts the primary metric first, then metricInfo order, then unknown metrics', () => {
    const r = binaryResults();
    expect(metricColumns(r).map((m) => m.key)).toEqual(['auc', 'accuracy', 'logLoss', 'ece']);
    (r.trials[0] as { test: Record<string, number> }).test.brier = 0.1;
    const cols = metricColumns(r);
    expect(cols.map((m) => m.key)).toEqual(['auc', 'accuracy', 'logLoss', 'ece', 'brier']);
    expect(cols[4]).toEqual({ key: 'brier', label: 'brier', higherIsBetter: undefined });
    expect(cols[0]).toEqual({ key: 'auc', label: 'ROC AUC', higherIsBetter: true });
  });

  it('rankedRows ranks by the primary metric in its direction and counts trials', () => {
    const r = binaryResults();
    const rows = rankedRows(r);
    const auc = (loss: string) => r.summary.find((s) => s.loss === loss)?.metrics.auc?.mean as number;
    expect(auc(rows[0]?.loss as string)).toBeGreaterThan(auc(rows[1]?.loss as string));
    expect(auc(rows[1]?.loss as string)).toBeGreaterThan(auc(rows[2]?.loss as string));
    const focal = rows.find((x) => x.loss === 'sigmoidFocalLoss:gamma=2');
    expect(focal).toMatchObject({ done: 1, total: 2, isBaseline: false, index: 1 });
    expect(rows.find((x) => x.isBaseline)?.loss).toBe('sigmoidCrossEntropy');

    const reg = regressionResults();
    const rmse = rankedRows(reg).map((x) => reg.summary.find((s) => s.loss === x.loss)?.metrics.rmse?.mean as number);
    expect(rmse).toEqual([...rmse].sort((a, b) => a - b)); // lower is better
  });

  it('rankedRows puts losses without a primary mean last', () => {
    const r = binaryResults();
    const first = rankedRows(r)[0]?.loss;
    const s = r.summary.find((x) => x.loss === first);
    if (s?.metrics.auc) s.metrics.auc.mean = Number.NaN;
    expect(rankedRows(r).at(-1)?.loss).toBe(first);
  });

  it('bestLoss uses results.best, else the means in the metric direction', () => {
    const r = binaryResults();
    expect(bestLoss(r, 'auc')).toBe(r.best.auc);
    r.best = {};
    const means = r.summary.map((s) => [s.loss, s.metrics.logLoss?.mean as number] as const);
    const lowest = [...means].sort((a, b) => a[1] - b[1])[0]?.[0];
    expect(bestLoss(r, 'logLoss')).toBe(lowest);
    expect(bestLoss(r, 'unknownMetric')).toBeUndefined();
  });

  it('lossKeys lists configured losses first, then others found in the results', () => {
    const r = binaryResults();
    r.trials.push({ ...(r.trials[0] as (typeof r.trials)[number]), loss: 'extra' });
    expect(lossKeys(r)).toEqual(['sigmoidCrossEntropy', 'sigmoidFocalLoss:gamma=2', 'generalizedCrossEntropy:q=0.7', 'extra']);
  });

  it('meanCurve averages finished trials per epoch, and early-stopped trials drop out', () => {
    const r = binaryResults();
    const trials = r.trials.filter((t) => t.loss === 'sigmoidCrossEntropy');
    const [a, b] = trials as [(typeof trials)[number], (typeof trials)[number]];
    b.curve = b.curve.slice(0, 3);
    const curve = meanCurve(r, 'sigmoidCrossEntropy', 'auc');
    expect(curve.map((p) => p.epoch)).toEqual([1, 2, 3, 4, 5]);
    expect(curve.map((p) => p.n)).toEqual([2, 2, 2, 1, 1]);
    expect(curve[0]?.mean).toBeCloseTo(((a.curve[0]?.validation.auc as number) + (b.curve[0]?.validation.auc as number)) / 2, 12);
    expect(curve[4]?.mean).toBe(a.curve[4]?.validation.auc);
    // The failed focal trial is not averaged in.
    expect(meanCurve(r, 'sigmoidFocalLoss:gamma=2', 'auc').every((p) => p.n === 1)).toBe(true);
    expect(meanCurve(r, 'sigmoidCrossEntropy', 'missing')).toEqual([]);
  });

  it('pooledReliability merges bins across seeds with count weights', () => {
    const r = binaryResults();
    const [t1, t2] = r.trials.filter((t) => t.loss === 'sigmoidCrossEntropy');
    t1!.reliability = [{ lower: 0.5, upper: 1, confidence: 0.7, accuracy: 0.6, count: 10 }, { lower: 0, upper: 0.5, confidence: 0.3, accuracy: 0.2, count: 0 }];
    t2!.reliability = [{ lower: 0.5, upper: 1, confidence: 0.9, accuracy: 1, count: 30 }];
    const bins = pooledReliability(r, 'sigmoidCrossEntropy');
    expect(bins).toHaveLength(1);
    expect(bins?.[0]?.count).toBe(40);
    expect(bins?.[0]?.confidence).toBeCloseTo((0.7 * 10 + 0.9 * 30) / 40, 12);
    expect(bins?.[0]?.accuracy).toBeCloseTo((0.6 * 10 + 1 * 30) / 40, 12);
    expect(pooledReliability(regressionResults(), 'meanSquaredError')).toBeUndefined();
  });

  it('expectedCalibrationError is the count-weighted mean gap', () => {
    const bins = [
      { lower: 0, upper: 0.5, confidence: 0.3, accuracy: 0.2, count: 10 },
      { lower: 0.5, upper: 1, confidence: 0.8, accuracy: 0.9, count: 30 },
    ];
    expect(expectedCalibrationError(bins)).toBeCloseTo((10 * 0.1 + 30 * 0.1) / 40, 12);
    expect(expectedCalibrationError([])).toBeNaN();
  });
});
