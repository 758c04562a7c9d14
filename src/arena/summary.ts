import type { BaselineComparison, LossSummary, MetricInfo, TrialResult } from './results.js';
import { mean, pairedTTest, sampleStd } from './stats.js';

/**
 * Per loss and metric: mean and standard deviation of the test values over the seeds whose trial
 * finished, and the paired comparison with the baseline over the seeds both finished (a two-sided
 * paired t-test on the per-seed differences). `best` names, for each metric, the loss with the best
 * mean (ties: the first listed).
 */
export function summarize(
  trials: readonly TrialResult[],
  lossKeys: readonly string[],
  baseline: string,
  metricInfo: Readonly<Record<string, MetricInfo>>,
): { summary: LossSummary[]; best: Record<string, string> } {
  const done = trials.filter((t) => t.status === 'done');
  const bySeed = (key: string) => new Map(done.filter((t) => t.loss === key).map((t) => [t.seed, t]));
  const baseTrials = bySeed(baseline);
  const summary = lossKeys.map((key): LossSummary => {
    const own = bySeed(key);
    const metrics: LossSummary['metrics'] = {};
    const vsBaseline: Record<string, BaselineComparison> = {};
    for (const metric of Object.keys(metricInfo)) {
      const values = [...own.values()].map((t) => t.test[metric] as number).filter(Number.isFinite);
      metrics[metric] = { mean: mean(values), std: sampleStd(values), n: values.length };
      const pairs = [...own.entries()]
        .map(([seed, t]) => [t.test[metric] as number, baseTrials.get(seed)?.test[metric] as number] as const)
        .filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
      const test = pairedTTest(
        pairs.map(([a]) => a),
        pairs.map(([, b]) => b),
      );
      vsBaseline[metric] = { diff: test.diff, pValue: test.pValue };
    }
    return { loss: key, metrics, vsBaseline, secondsPerEpoch: mean([...own.values()].map((t) => t.secondsPerEpoch)) };
  });
  const best: Record<string, string> = {};
  for (const [metric, info] of Object.entries(metricInfo)) {
    let winner: LossSummary | undefined;
    for (const s of summary) {
      const m = s.metrics[metric]?.mean as number;
      if (!Number.isFinite(m)) continue;
      const w = winner?.metrics[metric]?.mean as number;
      if (winner === undefined || (info.higherIsBetter ? m > w : m < w)) winner = s;
    }
    if (winner !== undefined) best[metric] = winner.loss;
  }
  return { summary, best };
}
