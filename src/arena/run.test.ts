import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArenaInputError } from './errors.js';
import type { ArenaResults } from './results.js';
import { type ArenaOptions, runArena, validateRun } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'losskit-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function options(extra: Partial<ArenaOptions> = {}): ArenaOptions {
  return {
    data: 'iris',
    losses: 'softmaxCrossEntropy,softmaxCrossEntropy:labelSmoothing=0.1',
    seeds: [0, 1],
    maxEpochs: 2,
    patience: 5,
    batchSize: 32,
    learningRate: 0.01,
    model: { kind: 'mlp', hidden: [8] },
    splits: [0.6, 0.2, 0.2],
    noiseType: 'uniform',
    advEps: 0.05,
    workers: 0,
    out: join(dir, 'out'),
    resume: false,
    progress: 'none',
    ...extra,
  };
}

describe('runArena (trials in this thread)', () => {
  it('runs every trial, writes the report and results.json, and resumes without recomputing', async () => {
    const first = await runArena(options());
    expect(first.computed).toBe(4);
    expect(first.files.map((f) => f.slice(f.lastIndexOf('/') + 1))).toEqual(['report.html', 'results.csv', 'summary.csv', 'results.json']);
    const results = JSON.parse(readFileSync(join(dir, 'out', 'results.json'), 'utf8')) as ArenaResults;
    expect(results.dataset).toMatchObject({ name: 'iris', task: 'multiclass', numSamples: 150, classes: ['setosa', 'versicolor', 'virginica'], classCounts: [30, 30, 30] });
    expect(results.dataset.splits).toEqual({ train: 90, validation: 30, test: 30 });
    expect(results.config).toMatchObject({ baseline: 'softmaxCrossEntropy', primaryMetric: 'balancedAccuracy', model: 'mlp(8)', workers: 0 });
    expect(results.losses).toEqual([
      { key: 'softmaxCrossEntropy', id: 'softmaxCrossEntropy', options: {} },
      { key: 'softmaxCrossEntropy:labelSmoothing=0.1', id: 'softmaxCrossEntropy', options: { labelSmoothing: 0.1 } },
    ]);
    expect(results.trials).toHaveLength(4);
    expect(Object.keys(results.best)).toEqual(Object.keys(results.metricInfo));
    expect(results.summary[1]?.vsBaseline.accuracy?.diff).toBeCloseTo(
      (results.trials[2]!.test.accuracy! + results.trials[3]!.test.accuracy! - results.trials[0]!.test.accuracy! - results.trials[1]!.test.accuracy!) / 2,
      12,
    );

    const lines: string[] = [];
    const resumed = await runArena(options({ resume: true, seeds: [0, 1, 2] }), (line) => lines.push(line));
    expect(lines[0]).toBe(`resuming: 4 of 6 trials already in ${join(dir, 'out', 'arena.sqlite')}`);
    expect(resumed.computed).toBe(2);
    expect(resumed.results.trials.map((t) => `${t.loss}/${t.seed}`)).toEqual([
      'softmaxCrossEntropy/0',
      'softmaxCrossEntropy/1',
      'softmaxCrossEntropy/2',
      'softmaxCrossEntropy:labelSmoothing=0.1/0',
      'softmaxCrossEntropy:labelSmoothing=0.1/1',
      'softmaxCrossEntropy:labelSmoothing=0.1/2',
    ]);
    expect(resumed.results.trials[0]).toEqual(results.trials[0]);

    // Another configuration is another run: nothing is reused.
    const other = await runArena(options({ resume: true, maxEpochs: 1 }), () => {});
    expect(other.computed).toBe(4);
  });

  it('checks the whole request before writing anything', () => {
    const out = join(dir, 'never');
    const bad = (extra: Partial<ArenaOptions>) => () => validateRun(options({ out, ...extra }));
    expect(bad({ baseline: 'zLoss' })).toThrow('--baseline "zLoss" is not one of the listed losses (softmaxCrossEntropy, softmaxCrossEntropy:labelSmoothing=0.1)');
    expect(bad({ metric: 'r2Score' })).toThrow('--metric "r2Score" is not a multiclass metric (accuracy, balancedAccuracy, f1Score, matthewsCorrcoef, rocAuc, averagePrecision, expectedCalibrationError, logLoss, brierScore)');
    expect(bad({ model: { kind: 'cnn', hidden: [] } })).toThrow('--model cnn needs image data (the built-in digits set); "iris" is a table');
    expect(bad({ imbalance: 100 })).toThrow(ArenaInputError);
    expect(existsSync(out)).toBe(false);
    expect(validateRun(options({ baseline: 'softmaxCrossEntropy:labelSmoothing=0.1' })).baseline).toBe('softmaxCrossEntropy:labelSmoothing=0.1');
  });

  it('refuses an output folder that is a file', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    await expect(runArena(options({ out: file }))).rejects.toThrow(`output folder "${file}" is a file`);
  });
});
