import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import type { EpochRecord, LossConfig, ReliabilityBin, TrialResult } from './results.js';

/** JSON that keeps NaN and ±Infinity (as the strings "NaN", "Infinity", "-Infinity"). */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}

export function decodeJson<T>(text: string): T {
  return JSON.parse(text, (_, v) => (v === 'NaN' || v === 'Infinity' || v === '-Infinity' ? Number(v) : v)) as T;
}

/** Keys sorted at every level, so equal objects serialise equally. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** A short stable hash of a JSON-able value (SHA-256 of its canonical JSON, 16 hex digits). */
export function configHash(value: unknown): string {
  return createHash('sha256').update(encodeJson(canonical(value))).digest('hex').slice(0, 16);
}

export interface RunRecord {
  hash: string;
  /** Everything that makes the trials of this run what they are, as JSON. */
  config: unknown;
  losskitVersion: string;
  tfjsVersion: string;
  backend: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  hash TEXT PRIMARY KEY,
  created_at TEXT NOT NULL,
  losskit_version TEXT NOT NULL,
  tfjs_version TEXT NOT NULL,
  backend TEXT NOT NULL,
  config TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS trials (
  run_hash TEXT NOT NULL REFERENCES runs(hash),
  loss_key TEXT NOT NULL,
  seed INTEGER NOT NULL,
  loss_id TEXT NOT NULL,
  loss_options TEXT NOT NULL,
  status TEXT NOT NULL,
  error TEXT,
  epochs INTEGER NOT NULL,
  best_epoch INTEGER NOT NULL,
  seconds_per_epoch REAL,
  test TEXT NOT NULL,
  reliability TEXT,
  finished_at TEXT NOT NULL,
  PRIMARY KEY (run_hash, loss_key, seed)
);
CREATE TABLE IF NOT EXISTS epochs (
  run_hash TEXT NOT NULL,
  loss_key TEXT NOT NULL,
  seed INTEGER NOT NULL,
  epoch INTEGER NOT NULL,
  train_loss REAL,
  seconds REAL NOT NULL,
  validation TEXT NOT NULL,
  PRIMARY KEY (run_hash, loss_key, seed, epoch),
  FOREIGN KEY (run_hash, loss_key, seed) REFERENCES trials(run_hash, loss_key, seed) ON DELETE CASCADE
);
`;

interface TrialRow {
  loss_key: string;
  seed: number;
  status: 'done' | 'failed';
  error: string | null;
  epochs: number;
  best_epoch: number;
  seconds_per_epoch: number | null;
  test: string;
  reliability: string | null;
}

interface EpochRow {
  loss_key: string;
  seed: number;
  epoch: number;
  train_loss: number | null;
  seconds: number;
  validation: string;
}

/**
 * The arena's SQLite file: runs, their finished trials and each trial's epochs. A trial is committed
 * in one transaction when it finishes, so an interrupted run loses only the trials in flight, and
 * `--resume` knows exactly which trials (run hash + loss key + seed) are done.
 */
export class ArenaStore {
  private readonly db: Database.Database;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.db.exec(SCHEMA);
  }

  /** Records the run; `fresh` forgets any trials stored under the same hash before. */
  beginRun(run: RunRecord, fresh: boolean): void {
    this.db.transaction(() => {
      if (fresh) {
        this.db.prepare('DELETE FROM epochs WHERE run_hash = ?').run(run.hash);
        this.db.prepare('DELETE FROM trials WHERE run_hash = ?').run(run.hash);
      }
      this.db
        .prepare(
          `INSERT INTO runs (hash, created_at, losskit_version, tfjs_version, backend, config) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT(hash) DO UPDATE SET losskit_version = excluded.losskit_version, tfjs_version = excluded.tfjs_version, backend = excluded.backend`,
        )
        .run(run.hash, new Date().toISOString(), run.losskitVersion, run.tfjsVersion, run.backend, encodeJson(run.config));
    })();
  }

  /** Stores one finished trial with its epochs, atomically. */
  commitTrial(runHash: string, loss: LossConfig, result: TrialResult): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM epochs WHERE run_hash = ? AND loss_key = ? AND seed = ?').run(runHash, result.loss, result.seed);
      this.db
        .prepare(
          `INSERT OR REPLACE INTO trials (run_hash, loss_key, seed, loss_id, loss_options, status, error, epochs, best_epoch,
             seconds_per_epoch, test, reliability, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          runHash,
          result.loss,
          result.seed,
          loss.id,
          encodeJson(loss.options),
          result.status,
          result.error ?? null,
          result.epochs,
          result.bestEpoch,
          Number.isFinite(result.secondsPerEpoch) ? result.secondsPerEpoch : null,
          encodeJson(result.test),
          result.reliability === undefined ? null : encodeJson(result.reliability),
          new Date().toISOString(),
        );
      const insert = this.db.prepare('INSERT INTO epochs (run_hash, loss_key, seed, epoch, train_loss, seconds, validation) VALUES (?, ?, ?, ?, ?, ?, ?)');
      for (const r of result.curve) {
        insert.run(runHash, result.loss, result.seed, r.epoch, Number.isFinite(r.trainLoss) ? r.trainLoss : null, r.seconds, encodeJson(r.validation));
      }
    })();
  }

  /** The finished trials of a run, with their curves. */
  trials(runHash: string): TrialResult[] {
    const rows = this.db.prepare('SELECT * FROM trials WHERE run_hash = ? ORDER BY loss_key, seed').all(runHash) as TrialRow[];
    const epochRows = this.db.prepare('SELECT * FROM epochs WHERE run_hash = ? ORDER BY loss_key, seed, epoch').all(runHash) as EpochRow[];
    const curves = new Map<string, EpochRecord[]>();
    for (const e of epochRows) {
      const id = `${e.loss_key}\u0000${e.seed}`;
      const list = curves.get(id) ?? [];
      list.push({ epoch: e.epoch, trainLoss: e.train_loss ?? Number.NaN, validation: decodeJson(e.validation), seconds: e.seconds });
      curves.set(id, list);
    }
    return rows.map((r) => ({
      loss: r.loss_key,
      seed: r.seed,
      status: r.status,
      ...(r.error === null ? {} : { error: r.error }),
      epochs: r.epochs,
      bestEpoch: r.best_epoch,
      secondsPerEpoch: r.seconds_per_epoch ?? Number.NaN,
      test: decodeJson<Record<string, number>>(r.test),
      curve: curves.get(`${r.loss_key}\u0000${r.seed}`) ?? [],
      ...(r.reliability === null ? {} : { reliability: decodeJson<ReliabilityBin[]>(r.reliability) }),
    }));
  }

  close(): void {
    this.db.close();
  }
}
