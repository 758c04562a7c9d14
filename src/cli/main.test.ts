/**
 * End to end: the built command (`node dist/cli/main.js`, made by `npm run build`) on a tiny data set,
 * an interrupted run finished with --resume, and every kind of bad input.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { regressionCsv } from '../../test/arena-fixtures.js';
import type { ArenaResults } from '../arena/results.js';

const CLI = resolve('dist/cli/main.js');
/** Each test starts several Node processes; a loaded machine needs more than the default minute. */
const TIMEOUT = 180_000;
const dir = mkdtempSync(join(tmpdir(), 'losskit-cli-'));

interface Outcome {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((done) => {
    execFile('node', [CLI, ...args], { env: { ...process.env, ...env }, timeout: 120_000 }, (error, stdout, stderr) => {
      const e = error as (Error & { code?: number; signal?: string }) | null;
      done({ code: e === null ? 0 : typeof e.code === 'number' ? e.code : null, signal: e?.signal ?? null, stdout, stderr });
    });
  });
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** 60 rows: three features, a string label; "yes" where the first feature plus noise is large. */
function tinyCsv(): string {
  let state = 12345;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const rows = ['f1,f2,"f3, quoted",label'];
  for (let i = 0; i < 60; i++) {
    const x = [random() * 4 - 2, random() * 4 - 2, random() * 4 - 2];
    rows.push(`${x.map((v) => v.toFixed(3)).join(',')},${x[0] as number + 0.5 * (random() - 0.5) > 0.3 ? 'yes' : 'no'}`);
  }
  return `${rows.join('\n')}\n`;
}

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` before these tests`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('losskit arena (built CLI)', () => {
  it('loses no trial and repeats none when killed and resumed', async () => {
    const data = file('tiny.csv', tinyCsv());
    const out = join(dir, 'report');
    const args = ['arena', '--data', data, '--target', 'label', '--losses', 'softmaxCrossEntropy,sigmoidCrossEntropy', '--seeds', '2', '--epochs', '3', '--workers', '2', '--out', out];

    const killed = await cli([...args, '--quiet'], { LOSSKIT_ARENA_STOP_AFTER: '2' });
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(join(out, 'results.json'))).toBe(false);
    const db = join(out, 'arena.sqlite');
    const before = new Database(db, { readonly: true });
    const saved = before.prepare('SELECT loss_key, seed, finished_at FROM trials ORDER BY loss_key, seed').all() as { loss_key: string; seed: number; finished_at: string }[];
    before.close();
    expect(saved).toHaveLength(2);

    const resumed = await cli([...args, '--resume']);
    expect(resumed.stderr).toContain(`resuming: 2 of 4 trials already in ${db}`);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('2 trials run in');
    expect(resumed.stdout).toMatch(/softmaxCrossEntropy/);
    expect(resumed.stdout.trimEnd().endsWith(`Report: ${join(out, 'report.html')}`)).toBe(true);

    const after = new Database(db, { readonly: true });
    const rows = after.prepare('SELECT loss_key, seed, finished_at, status FROM trials ORDER BY loss_key, seed').all() as (typeof saved)[number][];
    expect(after.prepare('SELECT COUNT(*) AS n FROM epochs').get()).toEqual({ n: 12 });
    after.close();
    expect(rows).toHaveLength(4);
    for (const s of saved) expect(rows).toContainEqual({ ...s, status: 'done' });

    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ArenaResults;
    expect(results.trials.map((t) => `${t.loss}/${t.seed}/${t.status}`)).toEqual([
      'softmaxCrossEntropy/0/done',
      'softmaxCrossEntropy/1/done',
      'sigmoidCrossEntropy/0/done',
      'sigmoidCrossEntropy/1/done',
    ]);
    expect(results.dataset).toMatchObject({ name: 'tiny', task: 'binary', target: 'label', numSamples: 60, numFeatures: 3, classes: ['no', 'yes'] });
    expect(results.config).toMatchObject({ seeds: [0, 1], maxEpochs: 3, baseline: 'softmaxCrossEntropy', primaryMetric: 'averagePrecision', model: 'mlp(32,16)', workers: 2 });
    expect(results.summary.map((s) => s.loss)).toEqual(['softmaxCrossEntropy', 'sigmoidCrossEntropy']);
    for (const name of ['report.html', 'results.csv']) expect(existsSync(join(out, name))).toBe(true);

    // Without --resume the same run starts over.
    const again = await cli([...args, '--quiet']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('4 trials run in');
  }, TIMEOUT);

  it('compares the default regression losses on a regression CSV when --losses is omitted', async () => {
    const data = file('tiny-regression.csv', regressionCsv());
    const out = join(dir, 'regression-report');
    const run = await cli(['arena', '--data', data, '--seeds', '2', '--epochs', '5', '--workers', '2', '--out', out]);
    expect(run.stderr).not.toMatch(/failed/);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('tiny-regression · regression · 60 samples × 3 features');
    expect(run.stdout).toContain('ranked by RMSE');
    expect(run.stdout).toMatch(/RMSE ↓\s+MAE ↓\s+R² ↑/);
    expect(run.stdout).toMatch(/meanSquaredError\s+2\/2[^\n]*\n\(baseline\)/);
    for (const key of ['meanAbsoluteError', 'huberLoss', 'logCoshLoss']) expect(run.stdout).toMatch(new RegExp(`\\n${key}\\s+2/2`));
    expect(run.stdout).toContain('8 trials run in');
    expect(run.stdout.trimEnd().endsWith(`Report: ${join(out, 'report.html')}`)).toBe(true);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ArenaResults;
    expect(results.dataset).toMatchObject({ task: 'regression', target: 'y', numSamples: 60 });
    expect(results.dataset.classes).toBeUndefined();
    expect(results.config).toMatchObject({ baseline: 'meanSquaredError', primaryMetric: 'rootMeanSquaredError', workers: 2 });
    expect(results.trials.map((t) => `${t.loss}/${t.seed}/${t.status}`)).toEqual(
      ['meanSquaredError', 'meanAbsoluteError', 'huberLoss', 'logCoshLoss'].flatMap((l) => [`${l}/0/done`, `${l}/1/done`]),
    );
    expect(results.trials.every((t) => t.reliability === undefined && Number.isFinite(t.test.rootMeanSquaredError))).toBe(true);
    expect(readFileSync(join(out, 'results.csv'), 'utf8').split('\r\n')[0]).toBe('loss,seed,status,epochs,bestEpoch,secondsPerEpoch,rootMeanSquaredError,meanAbsoluteError,r2Score');
    expect(readFileSync(join(out, 'report.html'), 'utf8')).not.toContain('<h2>Calibration</h2>');
  }, TIMEOUT);

  it('rejects each bad input with one line and exit status 2, writing nothing', async () => {
    const good = file('good.csv', 'a,b,label\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n9,1,x\n2,3,y\n4,5,x\n6,7,y\n8,9,x\n');
    const blocker = file('blocker', 'a file where a folder should be');
    const cases: { args: string[]; message: string }[] = [
      { args: ['--data', join(dir, 'missing.csv')], message: `data file "${join(dir, 'missing.csv')}" does not exist` },
      { args: ['--data', file('empty.csv', '')], message: `data file "${join(dir, 'empty.csv')}" is empty` },
      { args: ['--data', file('ragged.csv', 'a,b,label\n1,2,x\n3,y\n5,6,x\n')], message: `data file "${join(dir, 'ragged.csv')}" line 3: expected 3 fields like the header, got 2` },
      { args: ['--data', file('text.csv', 'a,b,label\n1,2,x\n3,four,y\n')], message: `data file "${join(dir, 'text.csv')}" line 3, column "b": expected a number, got "four"` },
      { args: ['--data', good, '--target', 'class'], message: `data file "${good}": target column "class" not found; the columns are a, b, label` },
      { args: ['--data', file('one.csv', 'a,b,label\n1,2,x\n3,4,x\n')], message: 'target column "label" has a single class ("x"); the arena needs at least 2' },
      { args: ['--data', file('nan.csv', 'a,b,label\n1,2,x\nNaN,4,y\n')], message: `data file "${join(dir, 'nan.csv')}" line 3, column "a": expected a finite number, got NaN` },
      { args: ['--data', file('inf.csv', 'a,b,label\n1,Infinity,x\n3,4,y\n')], message: `data file "${join(dir, 'inf.csv')}" line 2, column "b": expected a finite number, got Infinity` },
      {
        args: ['--data', good, '--losses', 'softmaxCrossEntropyy'],
        message: 'unknown loss "softmaxCrossEntropyy" (did you mean softmaxCrossEntropy, ',
      },
      { args: ['--data', good, '--losses', 'softmaxCrossEntropy:labelSmoothing=2'], message: 'softmaxCrossEntropy: expected `labelSmoothing` to be a finite number >= 0 and <= 1, got "2"' },
      { args: ['--data', 'iris', '--losses', 'sigmoidCrossEntropy'], message: 'loss "sigmoidCrossEntropy" does not apply to a multiclass task (its tasks: binary)' },
      { args: ['--data', good, '--out', join(blocker, 'report')], message: `output folder "${join(blocker, 'report')}" is not writable (ENOTDIR)` },
      { args: ['--data', good, '--epochs', '0'], message: "error: option '--epochs <n>' argument '0' is invalid. expected an integer >= 1" },
      { args: ['--data', good, '--bogus'], message: "error: unknown option '--bogus'" },
      { args: ['--data', good, '--optimizer', 'rmsprop'], message: "error: option '--optimizer <name>' argument 'rmsprop' is invalid. Allowed choices are adam, sgd." },
      { args: ['--data', good, '--optimizer', 'sgd', '--momentum', '1'], message: "error: option '--momentum <m>' argument '1' is invalid. expected a number in [0, 1)" },
      { args: ['--data', good, '--momentum', '0.9'], message: 'arena: --momentum applies to --optimizer sgd' },
    ];
    const outcomes = await Promise.all(
      cases.map(({ args }, i) => cli(['arena', '--losses', 'softmaxCrossEntropy', '--quiet', '--out', join(dir, `out-${i}`), ...args])),
    );
    outcomes.forEach((o, i) => {
      const { message } = cases[i] as (typeof cases)[number];
      expect({ case: i, code: o.code }).toEqual({ case: i, code: 2 });
      expect(o.stdout).toBe('');
      const line = o.stderr.trimEnd();
      expect(line.split('\n')).toHaveLength(1);
      if (message.startsWith('error:')) expect(line).toBe(message);
      else expect(line.startsWith(`losskit: ${message}`)).toBe(true);
      if (message.endsWith(', ')) expect(line).toMatch(/\); `losskit list` shows them all$/);
      else if (!message.startsWith('error:')) expect(line).toBe(`losskit: ${message}`);
      expect(existsSync(join(dir, `out-${i}`))).toBe(false);
    });
  }, TIMEOUT);

  it('lists and describes losses, and answers --help with status 0', async () => {
    const [list, info, unknown, help] = await Promise.all([cli(['list']), cli(['info', 'softmaxCrossEntropy']), cli(['info', 'nope']), cli(['arena', '--help'])]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^id\s+family\s+tasks\s+summary\n/);
    expect(list.stdout).toContain('softmaxCrossEntropy');
    expect(info.code).toBe(0);
    expect(info.stdout).toContain('formula      ℓ = −Σ_c t_c log softmax(z)_c');
    expect(info.stdout).toContain('labelSmoothing  number  0');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^losskit: unknown loss "nope"/);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--losses <list>');
  }, TIMEOUT);
});
