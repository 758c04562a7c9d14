import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { markupErrors, regressionCsv } from '../../test/arena-fixtures.js';
import { getLoss } from '../registry.js';
import { defaultLosses, REGRESSION_LOSS_CHOICES } from './demo.js';
import { ArenaInputError } from './errors.js';
import { formatSummaryTable } from './report/index.js';
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
    optimizer: { kind: 'adam' },
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
  it('trains with SGD and momentum when asked and records it; trials of another optimiser are not reused', async () => {
    const out = join(dir, 'sgd');
    const adam = await runArena(options({ out, seeds: [0] }));
    const sgd = await runArena(options({ out, seeds: [0], optimizer: { kind: 'sgd', momentum: 0.9 }, resume: true }), () => {});
    expect(sgd.computed).toBe(2);
    expect(adam.results.config.optimizer).toBe('adam');
    expect(sgd.results.config.optimizer).toBe('sgd(momentum=0.9)');
    expect(sgd.results.trials.map((t) => t.status)).toEqual(['done', 'done']);
    expect(sgd.results.trials[0]?.curve[0]?.trainLoss).not.toBe(adam.results.trials[0]?.curve[0]?.trainLoss);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('sgd(momentum=0.9) with learning rate 0.01');
  });

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

  it('runs a regression task end to end with the default regression losses when --losses is omitted', async () => {
    const data = join(dir, 'tiny-regression.csv');
    writeFileSync(data, regressionCsv());
    const out = join(dir, 'regression');
    const { losses: _, ...rest } = options({ data, out, maxEpochs: 40, patience: 40, batchSize: 8 });
    const { results, files, computed } = await runArena(rest);
    expect(computed).toBe(8);
    expect(files.map((f) => f.slice(f.lastIndexOf('/') + 1))).toEqual(['report.html', 'results.csv', 'summary.csv', 'results.json']);
    expect(results.dataset).toMatchObject({ name: 'tiny-regression', task: 'regression', target: 'y', numSamples: 60, numFeatures: 3 });
    expect(results.dataset.classes).toBeUndefined();
    expect(results.config).toMatchObject({ baseline: 'meanSquaredError', primaryMetric: 'rootMeanSquaredError' });
    expect(results.losses.map((l) => l.key)).toEqual([...REGRESSION_LOSS_CHOICES]);
    expect(results.losses.map((l) => l.key)).toEqual(['meanSquaredError', 'meanAbsoluteError', 'huberLoss', 'logCoshLoss']);
    expect(results.metricInfo).toEqual({
      meanAbsoluteError: { label: 'MAE', higherIsBetter: false },
      rootMeanSquaredError: { label: 'RMSE', higherIsBetter: false },
      r2Score: { label: 'R²', higherIsBetter: true },
    });
    for (const t of results.trials) {
      expect(t.status).toBe('done');
      expect(t.reliability).toBeUndefined();
      expect(Object.keys(t.test)).toEqual(['meanAbsoluteError', 'rootMeanSquaredError', 'r2Score']);
      // The target's spread is about 4.2: a fitted model is well inside it, on the original scale.
      expect(t.test.r2Score).toBeGreaterThan(0.5);
      expect(t.test.rootMeanSquaredError).toBeGreaterThanOrEqual(t.test.meanAbsoluteError as number);
      // Early stopping kept the epoch with the lowest validation RMSE.
      const rmse = t.curve.map((e) => e.validation.rootMeanSquaredError as number);
      expect(rmse[t.bestEpoch - 1]).toBe(Math.min(...rmse));
    }
    // `best` follows each metric's direction: the lowest mean RMSE and MAE, the highest mean R².
    const means = (m: string) => results.summary.map((s) => s.metrics[m]?.mean as number);
    const keyOf = (m: string, pick: (xs: number[]) => number) => results.summary[means(m).indexOf(pick(means(m)))]?.loss;
    expect(results.best.rootMeanSquaredError).toBe(keyOf('rootMeanSquaredError', (xs) => Math.min(...xs)));
    expect(results.best.meanAbsoluteError).toBe(keyOf('meanAbsoluteError', (xs) => Math.min(...xs)));
    expect(results.best.r2Score).toBe(keyOf('r2Score', (xs) => Math.max(...xs)));

    const written = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ArenaResults;
    expect(written.trials).toEqual(results.trials);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(markupErrors(html)).toEqual([]);
    expect(html).toContain('<h2>Test metrics</h2>');
    expect(html).not.toContain('<h2>Calibration</h2>');
    const csv = readFileSync(join(out, 'results.csv'), 'utf8').split('\r\n');
    expect(csv[0]).toContain('rootMeanSquaredError');
    expect(csv.filter((line) => line.startsWith('logCoshLoss,'))).toHaveLength(2);
    const table = formatSummaryTable(results);
    for (const key of REGRESSION_LOSS_CHOICES) expect(table).toContain(key);
    expect(table).toContain('RMSE');
  });

  it('compares the default losses of the task without --losses, and rejects a classification loss on a regression task', () => {
    const { losses: _, ...rest } = options();
    const multiclass = validateRun(rest).losses.map((l) => l.config.key);
    expect(multiclass).toEqual(defaultLosses('multiclass').split(','));
    expect(multiclass).toHaveLength(6);
    expect(multiclass[0]).toBe('softmaxCrossEntropy');
    for (const key of multiclass) expect(getLoss(key.split(':')[0] as string).tasks).toContain('multiclass');
    expect(validateRun({ ...rest, data: 'breast-cancer' }).losses.map((l) => l.config.key)).toEqual(defaultLosses('binary').split(','));
    expect(() => validateRun(options({ data: 'diabetes' }))).toThrow('loss "softmaxCrossEntropy" does not apply to a regression task (its tasks: binary, multiclass)');
    expect(validateRun(options({ data: 'diabetes', losses: 'huberLoss:delta=0.5,quantileLoss:quantile=0.9' })).losses.map((l) => l.config.options)).toEqual([{ delta: 0.5 }, { quantile: 0.9 }]);
  });

  it('refuses an output folder that is a file', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    await expect(runArena(options({ out: file }))).rejects.toThrow(`output folder "${file}" is a file`);
  });
});
