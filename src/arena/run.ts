import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadDataset } from './data.js';
import { defaultLosses } from './demo.js';
import { ArenaInputError, inputError } from './errors.js';
import type { RunPlan, TrialJob } from './jobs.js';
import { type ArenaLoss, checkLossesForTask, parseLosses } from './loss-config.js';
import { describeModel, type ModelSpec } from './model.js';
import { describeOptimizer, type OptimizerSpec } from './optimizers.js';
import { defaultPrimaryMetric, metricInfo, metricNames } from './panel.js';
import { barProgress, lineProgress, type ProgressReporter, silentProgress } from './progress.js';
import { writeReport } from './report/index.js';
import type { ArenaResults, ArenaTask, DatasetInfo, TrialResult } from './results.js';
import { InProcessRunner, type TrialRunner, WorkerPool } from './runner.js';
import { checkDataSettings, type DataSettings, prepareData } from './split.js';
import { ArenaStore, configHash } from './store.js';
import { summarize } from './summary.js';
import { encodeTarget } from './task.js';
import type { TrainSettings } from './train.js';
import { losskitVersion } from './version.js';

/** Everything `losskit arena` takes, already parsed from the command line. */
export interface ArenaOptions {
  /** CSV file or built-in set name. */
  data: string;
  target?: string;
  task?: ArenaTask;
  positive?: string;
  /** `--losses` as typed: `id[:key=value,...],...`; omitted, the task's default losses (`defaultLosses`). */
  losses?: string;
  /** Loss key (or id, where it names one listed loss) to compare against; default the first listed. */
  baseline?: string;
  seeds: number[];
  maxEpochs: number;
  patience: number;
  batchSize: number;
  optimizer: OptimizerSpec;
  learningRate: number;
  model: ModelSpec;
  /** Early-stopping and ranking metric; default per task (see `defaultPrimaryMetric`). */
  metric?: string;
  splits: [number, number, number];
  imbalance?: number;
  labelNoise?: number;
  noiseType: DataSettings['noiseType'];
  advEps: number;
  /** Worker threads; 0 runs the trials in this thread. */
  workers: number;
  out: string;
  /** SQLite file; default `<out>/arena.sqlite`. */
  db?: string;
  resume: boolean;
  /** Progress output: bars on a terminal, one line per trial elsewhere, or none. */
  progress: 'bars' | 'lines' | 'none';
}

export interface ArenaOutcome {
  results: ArenaResults;
  /** Files written: the report's, then results.json. */
  files: string[];
  /** Trials computed by this invocation (the rest came from the database with --resume). */
  computed: number;
}

/** A trial's identity inside a run: loss key and seed. */
function trialId(loss: string, seed: number): string {
  return `${loss} seed ${seed}`;
}

/** Creates the output folder and checks that files can be written in it. */
function prepareOutDir(out: string): void {
  try {
    mkdirSync(out, { recursive: true });
    if (!statSync(out).isDirectory()) inputError(`output folder "${out}" is a file`);
    const probe = join(out, `.losskit-write-test-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (error) {
    if (error instanceof ArenaInputError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    inputError(code === 'EEXIST' ? `output folder "${out}" is a file` : `output folder "${out}" is not writable (${code})`);
  }
}

/** Writes a file by renaming a complete temporary copy over it, so it is either whole or absent. */
function writeAtomically(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}

/** Everything checked and resolved before any training: each problem is an ArenaInputError. */
export interface ValidatedRun {
  plan: RunPlan;
  losses: ArenaLoss[];
  baseline: string;
  dataset: DatasetInfo;
}

/**
 * Reads the data and checks the whole request — target, task, losses and their parameters, metric,
 * model, splits and stress settings — without writing anything.
 */
export function validateRun(options: ArenaOptions): ValidatedRun {
  const raw = loadDataset(options.data, options.target);
  const data = encodeTarget(raw, {
    ...(options.task === undefined ? {} : { task: options.task }),
    ...(options.positive === undefined ? {} : { positive: options.positive }),
  });
  const lossText = options.losses ?? defaultLosses(data.task);
  const losses = checkLossesForTask(parseLosses(lossText), data.task);
  if (losses.length === 0) inputError('--losses: expected at least one loss');
  let baseline = (losses[0] as ArenaLoss).config.key;
  if (options.baseline !== undefined) {
    const byKey = losses.find((l) => l.config.key === options.baseline);
    const byId = losses.filter((l) => l.config.id === options.baseline);
    if (byKey !== undefined) baseline = byKey.config.key;
    else if (byId.length === 1) baseline = (byId[0] as ArenaLoss).config.key;
    else inputError(`--baseline "${options.baseline}" is not one of the listed losses (${losses.map((l) => l.config.key).join(', ')})`);
  }
  const primaryMetric = options.metric ?? defaultPrimaryMetric(data.task);
  if (!metricNames(data.task).includes(primaryMetric)) {
    inputError(`--metric "${primaryMetric}" is not a ${data.task} metric (${metricNames(data.task).join(', ')})`);
  }
  if (options.model.kind === 'cnn' && data.imageShape === undefined) {
    inputError(`--model cnn needs image data (the built-in digits set); "${data.name}" is a table`);
  }
  const dataSettings: DataSettings = {
    splits: options.splits,
    noiseType: options.noiseType,
    ...(options.imbalance === undefined ? {} : { imbalance: options.imbalance }),
    ...(options.labelNoise === undefined ? {} : { labelNoise: options.labelNoise }),
  };
  checkDataSettings(data, dataSettings);
  const trainSettings: TrainSettings = {
    model: options.model,
    maxEpochs: options.maxEpochs,
    patience: options.patience,
    batchSize: options.batchSize,
    optimizer: options.optimizer,
    learningRate: options.learningRate,
    primaryMetric,
    advEps: options.advEps,
  };
  const first = prepareData(data, dataSettings, options.seeds[0] as number);
  const dataset: DatasetInfo = {
    name: data.name,
    source: data.source,
    task: data.task,
    target: data.targetName,
    numSamples: first.train.n + first.validation.n + first.test.n,
    numFeatures: data.numFeatures,
    ...(data.classes === undefined ? {} : { classes: data.classes, classCounts: first.classCounts }),
    ...(options.imbalance === undefined ? {} : { imbalance: options.imbalance }),
    ...(options.labelNoise === undefined ? {} : { labelNoise: options.labelNoise }),
    splits: { train: first.train.n, validation: first.validation.n, test: first.test.n },
  };
  return { plan: { data, dataSettings, trainSettings, losses: losses.map((l) => l.config) }, losses, baseline, dataset };
}

/**
 * Runs the arena: validates everything first (nothing is written when the request is bad), then
 * trains every loss × seed trial not already finished, committing each to the SQLite file as it
 * ends, and finally writes the report and, last, `results.json` (atomically).
 *
 * Interrupting (SIGINT / SIGTERM) stops the workers and keeps every committed trial; `resume: true`
 * then runs only the missing ones. A trial's identity is the run's configuration hash (data, target,
 * task, stress settings, training settings, losskit version), its loss key and its seed.
 *
 * Testing hook: with the environment variable `LOSSKIT_ARENA_STOP_AFTER=n`, the process kills itself
 * (SIGKILL, as an abrupt crash would) right after committing its n-th trial.
 */
export async function runArena(options: ArenaOptions, log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<ArenaOutcome> {
  const { plan, losses, baseline, dataset } = validateRun(options);
  const out = resolve(options.out);
  prepareOutDir(out);
  const dbFile = resolve(options.db ?? join(out, 'arena.sqlite'));
  let store: ArenaStore;
  try {
    mkdirSync(resolve(dbFile, '..'), { recursive: true });
    store = new ArenaStore(dbFile);
  } catch (error) {
    return inputError(`database "${dbFile}" cannot be opened (${(error as Error).message})`);
  }
  const resultsFile = join(out, 'results.json');
  rmSync(resultsFile, { force: true });

  const version = losskitVersion();
  const backend = 'cpu';
  const runConfig = {
    dataset: { name: plan.data.name, digest: plan.data.digest, target: plan.data.targetName, task: plan.data.task, classes: plan.data.classes ?? null },
    data: plan.dataSettings,
    train: plan.trainSettings,
    losskitVersion: version,
  };
  const hash = configHash(runConfig);
  store.beginRun({ hash, config: runConfig, losskitVersion: version, tfjsVersion: tf.version_core, backend }, !options.resume);

  const wanted = new Set(losses.flatMap((l) => options.seeds.map((s) => trialId(l.config.key, s))));
  const finished = new Set(
    store
      .trials(hash)
      .map((t) => trialId(t.loss, t.seed))
      .filter((id) => wanted.has(id)),
  );
  const jobs: TrialJob[] = options.seeds.flatMap((seed) => losses.map((_, lossIndex) => ({ lossIndex, seed })).filter(({ lossIndex }) => !finished.has(trialId((losses[lossIndex] as ArenaLoss).config.key, seed))));
  if (options.resume) {
    log(finished.size > 0 ? `resuming: ${finished.size} of ${wanted.size} trials already in ${dbFile}` : `resuming: no finished trial of this configuration in ${dbFile}; running all ${wanted.size}`);
  }

  const total = wanted.size;
  const nameWidth = Math.max(10, ...[...wanted].map((id) => id.length));
  const progress: ProgressReporter =
    options.progress === 'bars' ? barProgress(total, finished.size, nameWidth) : options.progress === 'lines' ? lineProgress(total, finished.size, log) : silentProgress;
  const runner: TrialRunner = options.workers > 0 ? new WorkerPool(plan, options.workers) : new InProcessRunner(plan, losses);
  const stopAfter = Number(process.env.LOSSKIT_ARENA_STOP_AFTER ?? Number.NaN);
  let committed = 0;
  const jobId = (job: TrialJob) => trialId((losses[job.lossIndex] as ArenaLoss).config.key, job.seed);

  const interrupt = (signal: NodeJS.Signals) => {
    progress.stop();
    void runner.stop().finally(() => {
      store.close();
      log(`interrupted: ${finished.size + committed} of ${total} trials are saved in ${dbFile}; rerun with --resume to finish`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    await runner.run(jobs, {
      onStart: (job) => progress.trialStarted(jobId(job), plan.trainSettings.maxEpochs),
      onEpoch: (job, record) => progress.epoch(jobId(job), record.epoch),
      onDone: (job, result) => {
        store.commitTrial(hash, (losses[job.lossIndex] as ArenaLoss).config, result);
        committed++;
        const primary = result.test[plan.trainSettings.primaryMetric];
        const summary =
          result.status === 'done'
            ? `${result.epochs} epochs (best ${result.bestEpoch}), test ${plan.trainSettings.primaryMetric} ${primary?.toFixed(4)}`
            : `failed (${result.error})`;
        progress.trialFinished(jobId(job), summary);
        if (committed === stopAfter) process.kill(process.pid, 'SIGKILL');
      },
    });
  } catch (error) {
    store.close();
    throw error;
  } finally {
    progress.stop();
    process.removeListener('SIGINT', interrupt);
    process.removeListener('SIGTERM', interrupt);
  }

  const stored = new Map(store.trials(hash).map((t) => [trialId(t.loss, t.seed), t]));
  store.close();
  const trials: TrialResult[] = losses.flatMap((l) => options.seeds.map((s) => stored.get(trialId(l.config.key, s)))).filter((t): t is TrialResult => t !== undefined);
  const info = metricInfo(plan.data.task);
  const { summary, best } = summarize(
    trials,
    losses.map((l) => l.config.key),
    baseline,
    info,
  );
  const results: ArenaResults = {
    losskitVersion: version,
    tfjsVersion: tf.version_core,
    backend,
    createdAt: new Date().toISOString(),
    dataset,
    config: {
      seeds: options.seeds,
      maxEpochs: options.maxEpochs,
      patience: options.patience,
      batchSize: options.batchSize,
      optimizer: describeOptimizer(options.optimizer),
      learningRate: options.learningRate,
      model: describeModel(options.model),
      baseline,
      primaryMetric: plan.trainSettings.primaryMetric,
      workers: options.workers,
    },
    losses: losses.map((l) => l.config),
    metricInfo: info,
    trials,
    summary,
    best,
  };
  const files = await writeReport(results, out);
  // JSON has no NaN: undefined values (NaN p-values, surrogate training losses) are written as null.
  writeAtomically(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  return { results, files: [...files, resultsFile], computed: committed };
}
