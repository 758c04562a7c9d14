import { describe, expect, it } from 'vitest';
import { expectClose } from '../../test/helpers.js';
import type { MetricInfo, TrialResult } from './results.js';
import { pairedTTest } from './stats.js';
import { summarize } from './summary.js';

const info: Record<string, MetricInfo> = {
  accuracy: { label: 'Accuracy', higherIsBetter: true },
  logLoss: { label: 'Log loss', higherIsBetter: false },
};

function trial(loss: string, seed: number, accuracy: number, logLoss: number, status: TrialResult['status'] = 'done'): TrialResult {
  return { loss, seed, status, epochs: 3, bestEpoch: 2, secondsPerEpoch: 0.1 * (seed + 1), test: status === 'done' ? { accuracy, logLoss } : {}, curve: [] };
}

describe('summarize', () => {
  const trials = [
    trial('base', 0, 0.8, 0.5),
    trial('base', 1, 0.82, 0.45),
    trial('base', 2, 0.79, 0.52),
    trial('other', 0, 0.85, 0.6),
    trial('other', 1, 0.86, 0.58),
    trial('other', 2, 0.8, 0.61),
    trial('broken', 0, 0, 0, 'failed'),
    trial('broken', 1, 0.9, 0.1),
  ];
  const { summary, best } = summarize(trials, ['base', 'other', 'broken'], 'base', info);

  it('gives mean, sample std and count over the finished seeds', () => {
    const other = summary[1]?.metrics.accuracy;
    expectClose(other?.mean as number, (0.85 + 0.86 + 0.8) / 3, 1e-12);
    expectClose(other?.std as number, Math.sqrt(((0.85 - 0.8366666666666667) ** 2 + (0.86 - 0.8366666666666667) ** 2 + (0.8 - 0.8366666666666667) ** 2) / 2), 1e-12);
    expect(other?.n).toBe(3);
    expect(summary[2]?.metrics.accuracy).toEqual({ mean: 0.9, std: 0, n: 1 });
    expectClose(summary[0]?.secondsPerEpoch as number, 0.2, 1e-12);
  });

  it('compares with the baseline by a paired t-test over the seeds both finished', () => {
    const cmp = summary[1]?.vsBaseline.accuracy;
    const ref = pairedTTest([0.85, 0.86, 0.8], [0.8, 0.82, 0.79]);
    expectClose(cmp?.diff as number, ref.diff, 1e-12);
    expectClose(cmp?.pValue as number, ref.pValue, 1e-12);
    expect(summary[0]?.vsBaseline.accuracy?.diff).toBe(0);
    expect(summary[0]?.vsBaseline.accuracy?.pValue).toBeNaN();
    // One shared seed: the difference, but no p-value.
    expectClose(summary[2]?.vsBaseline.accuracy?.diff as number, 0.9 - 0.82, 1e-12);
    expect(summary[2]?.vsBaseline.accuracy?.pValue).toBeNaN();
  });

  it('picks the best mean in each metric\u2019s direction', () => {
    expect(best).toEqual({ accuracy: 'broken', logLoss: 'broken' });
    const withoutBroken = summarize(trials.filter((t) => t.loss !== 'broken'), ['base', 'other'], 'base', info);
    expect(withoutBroken.best).toEqual({ accuracy: 'other', logLoss: 'base' });
  });
});
