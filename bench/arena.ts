// The arena demo's throughput and the arena's own cost, on the built CLI and package (dist/):
// 1. trials per minute of `losskit arena --demo` with 1 and 2 worker threads, the whole process
//    (start-up, validation, report) timed, each configuration repeated; the ratio is the speed-up.
//    For scale, the same trials as two separate 1-worker processes started together, each with half
//    of the losses: they share nothing, so their speed-up is what this machine gives two copies of
//    this work, whatever the arena does;
// 2. the arena's overhead per epoch beyond the training step: every demo trial run in this thread
//    as a worker runs it (validation forward pass and metric panel, best-weights snapshot, early
//    stopping, test panel) and committed to SQLite as the CLI does, against the time of its training
//    steps alone; the validation forward pass, which early stopping needs, is also timed on its own.
// Usage: npm run bench:arena [-- --repeats 3 --seeds 5]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setUpBackend } from '../dist/arena/backend.js';
import { ARENA_DEFAULTS } from '../dist/arena/defaults.js';
import { DEMO, defaultLosses } from '../dist/arena/demo.js';
import { TrialExecutor } from '../dist/arena/jobs.js';
import { createModel } from '../dist/arena/model.js';
import { validateRun } from '../dist/arena/run.js';
import { prepareData } from '../dist/arena/split.js';
import { ArenaStore } from '../dist/arena/store.js';
import { modelShape } from '../dist/arena/train.js';
import { formatTable, median } from './measure.js';

const { values: args } = parseArgs({ options: { repeats: { type: 'string', default: '3' }, seeds: { type: 'string', default: String(DEMO.seeds) } } });
const repeats = Number(args.repeats);
const seeds = Number(args.seeds);

/** Runs `losskit arena` with these arguments and returns the number of trials in its results. */
function arena(extra: readonly string[], out: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('node', ['dist/cli/main.js', 'arena', ...extra, '--seeds', String(seeds), '--quiet', '--out', out], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`losskit arena ${extra.join(' ')} exited with ${code}`));
      else resolve((JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { trials: unknown[] }).trials.length);
    });
  });
}

/** Trials per minute of the demo's trials split into `commands` started together. */
async function trialsPerMinute(commands: readonly (readonly string[])[]): Promise<number> {
  const dirs = commands.map(() => mkdtempSync(join(tmpdir(), 'losskit-bench-')));
  try {
    const t0 = performance.now();
    const trials = await Promise.all(commands.map((c, i) => arena(c, dirs[i] as string)));
    return trials.reduce((a, b) => a + b, 0) / ((performance.now() - t0) / 60_000);
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

interface Overhead {
  /** Seconds of the training steps (the epochs' own timing), of the validation forward passes, and of the rest. */
  train: number;
  validationForward: number;
  rest: number;
  epochs: number;
  trials: number;
}

/**
 * The demo's trials in this thread, each committed to SQLite as the CLI does; then, for each trial,
 * the forward pass over the validation split that early stopping needs, repeated once per epoch it
 * trained on a model of the same shape, timed on its own.
 */
async function overhead(): Promise<Overhead> {
  await setUpBackend();
  const { plan, losses } = validateRun({
    data: DEMO.data,
    imbalance: DEMO.imbalance,
    seeds: Array.from({ length: seeds }, (_, i) => i),
    maxEpochs: ARENA_DEFAULTS.maxEpochs,
    patience: ARENA_DEFAULTS.patience,
    batchSize: ARENA_DEFAULTS.batchSize,
    optimizer: ARENA_DEFAULTS.optimizer,
    learningRate: ARENA_DEFAULTS.learningRate,
    model: { kind: 'mlp', hidden: [...ARENA_DEFAULTS.hidden] },
    splits: ARENA_DEFAULTS.splits,
    noiseType: 'uniform',
    advEps: ARENA_DEFAULTS.advEps,
    workers: 0,
    out: '',
    resume: false,
    progress: 'none',
  });
  const dir = mkdtempSync(join(tmpdir(), 'losskit-bench-'));
  const store = new ArenaStore(join(dir, 'arena.sqlite'));
  store.beginRun({ hash: 'bench', config: {}, losskitVersion: '', tfjsVersion: '', backend: 'cpu' }, true);
  const executor = new TrialExecutor(plan, losses);
  const o: Overhead = { train: 0, validationForward: 0, rest: 0, epochs: 0, trials: 0 };
  try {
    // One untimed pass warms the JIT, as the first trials of a worker do.
    for (const pass of ['warm-up', 'timed']) {
      for (let seed = 0; seed < seeds; seed++) {
        const data = prepareData(plan.data, plan.dataSettings, seed);
        for (const loss of losses) {
          const t0 = performance.now();
          const result = executor.run({ lossIndex: losses.indexOf(loss), seed }, () => {});
          store.commitTrial('bench', loss.config, result);
          const total = (performance.now() - t0) / 1000;
          const model = createModel(plan.trainSettings.model, modelShape(loss, data), seed);
          const t1 = performance.now();
          for (let e = 0; e < result.curve.length; e++) model.predict(data.validation.x, data.validation.n);
          const forward = (performance.now() - t1) / 1000;
          model.dispose();
          if (pass === 'timed') {
            const train = result.curve.reduce((a, r) => a + r.seconds, 0);
            o.train += train;
            o.validationForward += forward;
            o.rest += total - train - forward;
            o.epochs += result.curve.length;
            o.trials++;
          }
        }
      }
    }
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return o;
}

const losses = defaultLosses('binary').split(',');
const half = Math.ceil(losses.length / 2);
const demoData = ['--data', DEMO.data, '--imbalance', String(DEMO.imbalance)];
const configurations = {
  '1 worker': [['--demo', '--workers', '1']],
  '2 workers': [['--demo', '--workers', '2']],
  '2 processes of 1 worker, half the losses each': [losses.slice(0, half), losses.slice(half)].map((part) => [...demoData, '--losses', part.join(','), '--workers', '1']),
};
const rates = new Map<string, number[]>();
for (let r = 0; r < repeats; r++) {
  for (const [name, commands] of Object.entries(configurations)) {
    const rate = await trialsPerMinute(commands);
    rates.set(name, [...(rates.get(name) ?? []), rate]);
    console.error(`${name}: ${rate.toFixed(1)} trials/min`);
  }
}
const one = median(rates.get('1 worker') ?? []);
console.log(`\narena demo, ${seeds} seeds (whole process, including start-up), median of ${repeats} runs each\n`);
console.log(
  formatTable(
    ['configuration', 'trials/min', 'speed-up'],
    [...rates].map(([name, r]) => [name, median(r).toFixed(1), (median(r) / one).toFixed(2)]),
  ),
);

const o = await overhead();
const perEpoch = (seconds: number) => ((1000 * seconds) / o.epochs).toFixed(2);
const share = (seconds: number) => `${((100 * seconds) / o.train).toFixed(1)}%`;
console.log(`\narena overhead beyond the training step, ${o.trials} demo trials in one thread, ${o.epochs} epochs\n`);
console.log(
  formatTable(
    ['what', 'ms / epoch', 'share of training'],
    [
      ['training steps', perEpoch(o.train), '100.0%'],
      ['validation forward pass (early stopping)', perEpoch(o.validationForward), share(o.validationForward)],
      ['the rest: metric panel, best weights, trial set-up and test, SQLite', perEpoch(o.rest), share(o.rest)],
      ['arena overhead in all', perEpoch(o.validationForward + o.rest), share(o.validationForward + o.rest)],
    ],
  ),
);
