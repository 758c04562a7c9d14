#!/usr/bin/env node
/**
 * The `losskit` command: `list`, `info <id>` and `arena`. Exit status 0 on success, 1 when a run
 * fails (a trial failed, or something broke while training), 2 for a usage error or bad input.
 */
import { availableParallelism } from 'node:os';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ARENA_DEFAULTS } from '../arena/defaults.js';
import { DEMO, defaultLosses } from '../arena/demo.js';
import { ArenaInputError } from '../arena/errors.js';
import { findLoss } from '../arena/loss-config.js';
import type { ArenaTask } from '../arena/results.js';
import type { ArenaOptions } from '../arena/run.js';
import { losskitVersion } from '../arena/version.js';
import { registry } from '../registry.js';
import { formatLossInfo, formatLossList } from './describe.js';

/** Where the command writes; tests pass their own. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal (progress bars). */
  isTTY: boolean;
  columns: number;
}

const TASKS = ['binary', 'multiclass', 'regression'];

function integer(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer >= ${min}`);
    return n;
  };
}

function number(check: (n: number) => boolean, rule: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || !check(n)) throw new InvalidArgumentError(`expected ${rule}`);
    return n;
  };
}

/** `--seeds 5` is five seeds (0..4); `--seeds 3,8,13` lists them. */
function seeds(value: string): number[] {
  if (!value.includes(',')) return Array.from({ length: integer(1)(value) }, (_, i) => i);
  const list = value.split(',').map((s) => integer(0)(s.trim()));
  if (new Set(list).size !== list.length) throw new InvalidArgumentError('expected distinct seeds');
  return list;
}

function widths(value: string): number[] {
  if (value.trim() === '0' || value.trim() === '') return [];
  return value.split(',').map((s) => integer(1)(s.trim()));
}

function splits(value: string): [number, number, number] {
  const parts = value.split(',').map((s) => Number(s));
  if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p) || p <= 0) || Math.abs(parts.reduce((a, b) => a + b, 0) - 1) > 1e-9) {
    throw new InvalidArgumentError('expected three fractions > 0 that sum to 1 (train,validation,test)');
  }
  return parts as [number, number, number];
}

interface ArenaFlags {
  data?: string;
  target?: string;
  task?: ArenaTask;
  positive?: string;
  losses?: string;
  baseline?: string;
  seeds: number[];
  epochs: number;
  patience: number;
  batchSize: number;
  optimizer: 'adam' | 'sgd';
  momentum?: number;
  lr: number;
  hidden: number[];
  model: 'mlp' | 'cnn';
  metric?: string;
  split: [number, number, number];
  imbalance?: number;
  labelNoise?: number;
  noiseType: 'uniform' | 'class';
  advEps: number;
  workers: number;
  out: string;
  db?: string;
  resume?: boolean;
  quiet?: boolean;
  demo?: boolean;
}

/** Builds the command; `exitCode` receives the status of whatever ran. */
export function buildProgram(io: CliIo, setExitCode: (code: number) => void): Command {
  const program = new Command('losskit')
    .description('Loss functions from machine-learning research on TensorFlow.js, and an arena that compares them on your data.')
    .version(losskitVersion(), '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err, getOutHelpWidth: () => io.columns, getErrHelpWidth: () => io.columns });

  program
    .command('list')
    .description('list the registered losses')
    .option('--family [name]', 'only the losses of this family; without a name, group the list by family')
    .addOption(new Option('--task <task>', 'only the losses the arena can use for this task').choices(TASKS))
    .action((flags: { family?: string | boolean; task?: string }) => {
      if (typeof flags.family === 'string' && !registry.some((s) => s.family === flags.family)) {
        const families = [...new Set(registry.map((s) => s.family))].sort();
        throw new ArenaInputError(`unknown family "${flags.family}" (families: ${families.join(', ')})`);
      }
      io.out(`${formatLossList(registry, flags)}\n`);
    });

  program
    .command('info')
    .description('show a loss: formula, parameters with defaults and ranges, paper')
    .argument('<id>', 'loss id, as `losskit list` shows it')
    .action((id: string) => {
      io.out(`${formatLossInfo(findLoss(id))}\n`);
    });

  program
    .command('arena')
    .description('train one model per loss and seed on the same data, splits and initial weights, and compare them on a metric panel')
    .option('--data <file|name>', 'CSV file (header detected), or a built-in set: breast-cancer, digits, wine, iris, diabetes')
    .option('--target <column>', 'target column of the CSV, by name or 1-based position (default: the last column)')
    .addOption(new Option('--task <task>', 'override the inferred task').choices(TASKS))
    .option('--positive <class>', 'binary tasks: the positive class (default: the rarer class)')
    .option(
      '--losses <list>',
      `comma-separated losses with parameters: id or id:key=value,key=value (e.g. softmaxCrossEntropy,sigmoidFocalLoss:gamma=1); default: six standard losses of the task, e.g. ${defaultLosses('binary')} for a binary task, ${defaultLosses('regression')} for regression`,
    )
    .option('--baseline <loss>', 'the loss every other is compared with (default: the first listed)')
    .option('--seeds <n|list>', 'number of seeds (0..n-1), or a comma-separated list of seeds', seeds, [...ARENA_DEFAULTS.seeds])
    .option('--epochs <n>', 'maximum epochs per trial', integer(1), ARENA_DEFAULTS.maxEpochs)
    .option('--patience <n>', 'early stopping: epochs without improvement of the validation metric', integer(1), ARENA_DEFAULTS.patience)
    .option('--batch-size <n>', 'mini-batch size', integer(1), ARENA_DEFAULTS.batchSize)
    .addOption(new Option('--optimizer <name>', 'adam, or sgd (with --momentum)').choices(['adam', 'sgd']).default(ARENA_DEFAULTS.optimizer.kind))
    .option('--momentum <m>', 'sgd: heavy-ball momentum (default: 0, plain SGD)', number((n) => n >= 0 && n < 1, 'a number in [0, 1)'))
    .option('--lr <rate>', 'learning rate (sgd usually needs a larger one than adam)', number((n) => n > 0, 'a number > 0'), ARENA_DEFAULTS.learningRate)
    .option('--hidden <widths>', 'hidden layer widths (0 for none: a linear model)', widths, [...ARENA_DEFAULTS.hidden])
    .addOption(new Option('--model <kind>', 'mlp, or cnn for image data (digits)').choices(['mlp', 'cnn']).default('mlp'))
    .option('--metric <name>', 'validation metric for early stopping and ranking (default: averagePrecision, balancedAccuracy or rootMeanSquaredError by task)')
    .option('--split <fractions>', 'train,validation,test fractions (stratified)', splits, [...ARENA_DEFAULTS.splits])
    .option('--imbalance <r>', 'subsample the rarest class to rarest:most frequent = 1:r', number((n) => n >= 1, 'a number >= 1'))
    .option('--label-noise <p>', 'replace each training label with probability p', number((n) => n >= 0 && n < 1, 'a number in [0, 1)'))
    .addOption(new Option('--noise-type <type>', 'label noise: uniform (any other class) or class (class k becomes k+1)').choices(['uniform', 'class']).default('uniform'))
    .option('--adv-eps <eps>', 'FGSM step on standardised inputs for losses that take adversarial predictions', number((n) => n >= 0, 'a number >= 0'), ARENA_DEFAULTS.advEps)
    .option('--workers <n>', 'parallel worker threads (0: run in this thread)', integer(0), availableParallelism())
    .option('--out <dir>', 'report folder', './arena-report')
    .option('--db <file>', 'SQLite file of runs and trials (default: <out>/arena.sqlite)')
    .option('--resume', 'finish an interrupted run: keep the trials already in the database')
    .option('--quiet', 'no progress output')
    .option('--demo', `breast-cancer made 1:${DEMO.imbalance} imbalanced, ${DEMO.numLosses} classification losses, ${DEMO.seeds} seeds`)
    .action(async (flags: ArenaFlags, command: Command) => {
      const given = (key: string) => command.getOptionValueSource(key) === 'cli';
      if (flags.demo) {
        if (!given('data')) flags.data = DEMO.data;
        if (!given('imbalance') && !given('data')) flags.imbalance = DEMO.imbalance;
        if (!given('seeds')) flags.seeds = Array.from({ length: DEMO.seeds }, (_, i) => i);
      }
      if (flags.data === undefined) throw new ArenaInputError('arena: --data is required (a CSV file or a built-in set), or use --demo');
      if (flags.momentum !== undefined && flags.optimizer !== 'sgd') throw new ArenaInputError('arena: --momentum applies to --optimizer sgd');
      const options: ArenaOptions = {
        data: flags.data,
        seeds: flags.seeds,
        maxEpochs: flags.epochs,
        patience: flags.patience,
        batchSize: flags.batchSize,
        optimizer: flags.optimizer === 'sgd' ? { kind: 'sgd', momentum: flags.momentum ?? 0 } : { kind: 'adam' },
        learningRate: flags.lr,
        model: { kind: flags.model, hidden: flags.hidden },
        splits: flags.split,
        noiseType: flags.noiseType === 'class' ? 'classDependent' : 'uniform',
        advEps: flags.advEps,
        workers: flags.workers,
        out: flags.out,
        resume: flags.resume === true,
        progress: flags.quiet ? 'none' : io.isTTY ? 'bars' : 'lines',
        ...(flags.losses === undefined ? {} : { losses: flags.losses }),
        ...(flags.target === undefined ? {} : { target: flags.target }),
        ...(flags.task === undefined ? {} : { task: flags.task }),
        ...(flags.positive === undefined ? {} : { positive: flags.positive }),
        ...(flags.baseline === undefined ? {} : { baseline: flags.baseline }),
        ...(flags.metric === undefined ? {} : { metric: flags.metric }),
        ...(flags.imbalance === undefined ? {} : { imbalance: flags.imbalance }),
        ...(flags.labelNoise === undefined ? {} : { labelNoise: flags.labelNoise }),
        ...(flags.db === undefined ? {} : { db: flags.db }),
      };
      const started = performance.now();
      // Loaded on use: `list` and `info` start faster without the training code.
      const [{ runArena }, { formatSummaryTable }] = await Promise.all([import('../arena/run.js'), import('../arena/report/index.js')]);
      const { results, files, computed } = await runArena(options, (line) => io.err(`${line}\n`));
      io.out(`\n${formatSummaryTable(results, { width: io.columns })}\n`);
      const report = files.find((f) => f.endsWith('.html')) ?? (files.at(-1) as string);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      io.out(`${computed} trial${computed === 1 ? '' : 's'} run in ${seconds} s\nReport: ${report}\n`);
      if (results.trials.some((t) => t.status === 'failed')) setExitCode(1);
    });
  return program;
}

/** Runs the command line and returns its exit status. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every other commander error (unknown option, bad value) is a usage error.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof ArenaInputError) {
      io.err(`losskit: ${error.message}\n`);
      return 2;
    }
    io.err(`losskit: the run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const code = await main(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    isTTY: process.stderr.isTTY === true,
    columns: process.stdout.columns || 120,
  });
  process.exitCode = code;
}
