// The arena demo's throughput and the arena's own cost, on the built CLI and package (dist/):
// 1. trials per minute of `losskit arena --demo` with 1 and 2 worker threads, the whole process
//    (start-up, validation, report) timed, each configuration repeated; the ratio is the speed-up;
// 2. the arena's overhead per epoch beyond the training step: every demo trial run in this thread
//    as a worker runs it (validation panel, best-weights snapshot, early stopping, test panel) and
//    committed to SQLite as the CLI does, against the time of its training steps alone.
// Usage: npm run bench:arena [-- --repeats 3 --seeds 5]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setUpBackend } from '../dist/arena/backend.js';
import { ARENA_DEFAULTS } from '../dist/arena/defaults.js';
import { DEMO } from '../dist/arena/demo.js';
import { TrialExecutor } from '../dist/arena/jobs.js';
import type { ArenaLoss } from '../dist/arena/loss-config.js';
import { validateRun } from '../dist/arena/run.js';
import { ArenaStore } from '../dist/arena/store.js';
import { formatTable, median } from './measure.js';

const { values: args } = parseArgs({ options: { repeats: { type: 'string', default: '3' }, seeds: { type: 'string', default: String(DEMO.seeds) } } });
const repeats = Number(args.repeats);
const seeds = Number(args.seeds);

function trialsPerMinute(workers: number): { perMinute: number; trials: number } {
  const out = mkdtempSync(join(tmpdir(), 'losskit-bench-'));
  try {
    const t0 = performance.now();
    execFileSync('node', ['dist/cli/main.js', 'arena', '--demo', '--seeds', String(seeds), '--quiet', '--workers', String(workers), '--out', out], { stdio: 'ignore' });
    const minutes = (performance.now() - t0) / 60_000;
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { trials: unknown[] };
    return { perMinute: results.trials.length / minutes, trials: results.trials.length };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Seconds of training steps and of everything else, summed over the demo's trials, in this thread. */
async function overhead(): Promise<{ train: number; other: number; epochs: number; trials: number }> {
  await setUpBackend();
  const { plan, losses } = validateRun({
    data: DEMO.data,
    imbalance: DEMO.imbalance,
    seeds: Array.from({ length: seeds }, (_, i) => i),
    maxEpochs: ARENA_DEFAULTS.maxEpochs,
    patience: ARENA_DEFAULTS.patience,
    batchSize: ARENA_DEFAULTS.batchSize,
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
  let train = 0;
  let total = 0;
  let epochs = 0;
  let trials = 0;
  try {
    // One untimed pass warms the JIT, as the first trials of a worker do.
    for (const pass of ['warm-up', 'timed']) {
      for (let seed = 0; seed < seeds; seed++) {
        for (let lossIndex = 0; lossIndex < losses.length; lossIndex++) {
          const t0 = performance.now();
          const result = executor.run({ lossIndex, seed }, () => {});
          store.commitTrial('bench', (losses[lossIndex] as ArenaLoss).config, result);
          const seconds = (performance.now() - t0) / 1000;
          if (pass === 'timed') {
            total += seconds;
            train += result.curve.reduce((a, r) => a + r.seconds, 0);
            epochs += result.curve.length;
            trials++;
          }
        }
      }
    }
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return { train, other: total - train, epochs, trials };
}

const rates: Record<number, number[]> = { 1: [], 2: [] };
for (let r = 0; r < repeats; r++) {
  for (const workers of [1, 2]) {
    const m = trialsPerMinute(workers);
    rates[workers]?.push(m.perMinute);
    console.error(`workers ${workers}: ${m.trials} trials, ${m.perMinute.toFixed(1)} trials/min`);
  }
}
const one = median(rates[1] ?? []);
const two = median(rates[2] ?? []);
console.log(`\narena demo, ${seeds} seeds (whole process, including start-up), median of ${repeats} runs each\n`);
console.log(formatTable(['workers', 'trials/min', 'speed-up'], [['1', one.toFixed(1), '1.00'], ['2', two.toFixed(1), (two / one).toFixed(2)]]));

const o = await overhead();
console.log(`\narena overhead beyond the training step, ${o.trials} demo trials in one thread, ${o.epochs} epochs\n`);
console.log(
  formatTable(
    ['what', 'ms / epoch', 'share of training'],
    [
      ['training steps', ((1000 * o.train) / o.epochs).toFixed(2), '100.0%'],
      ['arena overhead', ((1000 * o.other) / o.epochs).toFixed(2), `${((100 * o.other) / o.train).toFixed(1)}%`],
    ],
  ),
);
