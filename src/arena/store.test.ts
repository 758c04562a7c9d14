import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { LossConfig, TrialResult } from './results.js';
import { ArenaStore, configHash, decodeJson, encodeJson } from './store.js';

const dir = mkdtempSync(join(tmpdir(), 'losskit-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const loss: LossConfig = { key: 'fake:gamma=1', id: 'fake', options: { gamma: 1 } };
const run = { hash: 'abc', config: { x: 1 }, losskitVersion: '0.1.0', tfjsVersion: '4.22.0', backend: 'cpu' };

function trial(seed: number, status: TrialResult['status'] = 'done'): TrialResult {
  return {
    loss: loss.key,
    seed,
    status,
    ...(status === 'failed' ? { error: 'epoch 2: the training loss is NaN' } : {}),
    epochs: 2,
    bestEpoch: 1,
    secondsPerEpoch: 0.25,
    test: status === 'done' ? { accuracy: 0.9, logLoss: Number.NaN } : {},
    curve: [
      { epoch: 1, trainLoss: 0.7, validation: { accuracy: 0.8 }, seconds: 0.2 },
      { epoch: 2, trainLoss: Number.NaN, validation: { accuracy: Number.POSITIVE_INFINITY }, seconds: 0.3 },
    ],
    ...(status === 'done' ? { reliability: [{ lower: 0, upper: 1, confidence: 0.7, accuracy: 0.9, count: 10 }] } : {}),
  };
}

describe('encodeJson', () => {
  it('keeps NaN and infinities through a round trip', () => {
    const value = { a: Number.NaN, b: [Number.POSITIVE_INFINITY, -Number.POSITIVE_INFINITY, 1.5], c: 'text' };
    expect(decodeJson(encodeJson(value))).toEqual(value);
  });
});

describe('configHash', () => {
  it('ignores key order and sees every value', () => {
    expect(configHash({ a: 1, b: { c: [1, 2], d: 'x' } })).toBe(configHash({ b: { d: 'x', c: [1, 2] }, a: 1 }));
    expect(configHash({ a: 1, b: { c: [1, 2], d: 'x' } })).not.toBe(configHash({ a: 1, b: { c: [2, 1], d: 'x' } }));
    expect(configHash({ a: 1 })).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('ArenaStore', () => {
  it('commits trials with their epochs and reads them back unchanged', () => {
    const file = join(dir, 'a.sqlite');
    const store = new ArenaStore(file);
    store.beginRun(run, true);
    store.commitTrial(run.hash, loss, trial(0));
    store.commitTrial(run.hash, loss, trial(1, 'failed'));
    expect(store.trials(run.hash)).toEqual([trial(0), trial(1, 'failed')]);
    expect(store.trials('other')).toEqual([]);
    store.close();

    const db = new Database(file, { readonly: true });
    const row = db.prepare('SELECT loss_id, loss_options, status FROM trials WHERE seed = 0').get();
    expect(row).toEqual({ loss_id: 'fake', loss_options: '{"gamma":1}', status: 'done' });
    expect(db.prepare('SELECT COUNT(*) AS n FROM epochs').get()).toEqual({ n: 4 });
    expect(db.prepare('SELECT losskit_version, tfjs_version, backend, config FROM runs').get()).toEqual({
      losskit_version: '0.1.0',
      tfjs_version: '4.22.0',
      backend: 'cpu',
      config: '{"x":1}',
    });
    db.close();
  });

  it('keeps a run\u2019s trials when resumed and forgets them when started fresh', () => {
    const file = join(dir, 'b.sqlite');
    const first = new ArenaStore(file);
    first.beginRun(run, true);
    first.commitTrial(run.hash, loss, trial(0));
    first.close();
    const resumed = new ArenaStore(file);
    resumed.beginRun(run, false);
    expect(resumed.trials(run.hash).map((t) => t.seed)).toEqual([0]);
    resumed.commitTrial(run.hash, loss, trial(0));
    expect(resumed.trials(run.hash)).toHaveLength(1);
    resumed.beginRun(run, true);
    expect(resumed.trials(run.hash)).toEqual([]);
    resumed.close();
  });
});
