import { Worker } from 'node:worker_threads';
import { type RunPlan, TrialExecutor, type TrialEvents, type TrialJob } from './jobs.js';
import type { ArenaLoss } from './loss-config.js';
import type { EpochRecord, TrialResult } from './results.js';

export interface RunnerEvents extends TrialEvents {
  /** Called once per finished trial, in the main thread, before the next job is handed out. */
  onDone(job: TrialJob, result: TrialResult): void;
}

/** Runs a list of trials and reports them; `stop()` abandons the trials in flight. */
export interface TrialRunner {
  run(jobs: readonly TrialJob[], events: RunnerEvents): Promise<void>;
  stop(): Promise<void>;
}

type WorkerMessage =
  | { type: 'ready' }
  | { type: 'epoch'; job: TrialJob; record: EpochRecord }
  | { type: 'done'; job: TrialJob; result: TrialResult }
  | { type: 'error'; message: string };

/**
 * Trials in parallel worker threads, one trial per thread at a time. Each thread loads the bundled
 * `worker.cjs` beside this file, with its own tfjs.
 */
export class WorkerPool implements TrialRunner {
  private readonly workers = new Set<Worker>();
  private stopped = false;

  constructor(
    private readonly plan: RunPlan,
    private readonly size: number,
  ) {}

  run(jobs: readonly TrialJob[], events: RunnerEvents): Promise<void> {
    const script = new URL('./worker.cjs', import.meta.url);
    if (import.meta.url.endsWith('.ts')) {
      return Promise.reject(new Error('worker threads load the bundled dist/arena/worker.cjs; run from dist, or run trials in-process (workers: 0)'));
    }
    const queue = [...jobs];
    let pending = jobs.length;
    return new Promise<void>((resolve, reject) => {
      if (pending === 0) {
        resolve();
        return;
      }
      const failWith = (error: Error) => {
        void this.stop();
        reject(error);
      };
      const next = (worker: Worker) => {
        const job = queue.shift();
        if (job === undefined) {
          this.workers.delete(worker);
          void worker.terminate();
          return;
        }
        events.onStart?.(job);
        worker.postMessage({ type: 'run', job });
      };
      const count = Math.max(1, Math.min(this.size, jobs.length));
      for (let i = 0; i < count; i++) {
        const worker = new Worker(script, { workerData: this.plan });
        this.workers.add(worker);
        worker.on('message', (message: WorkerMessage) => {
          if (this.stopped) return;
          try {
            if (message.type === 'ready') next(worker);
            else if (message.type === 'epoch') events.onEpoch?.(message.job, message.record);
            else if (message.type === 'done') {
              events.onDone(message.job, message.result);
              pending--;
              if (pending === 0) void this.stop().then(resolve);
              else next(worker);
            } else failWith(new Error(`a worker thread failed: ${message.message}`));
          } catch (error) {
            failWith(error as Error);
          }
        });
        worker.on('error', (error) => {
          if (!this.stopped) failWith(new Error(`a worker thread failed: ${error.stack ?? error.message}`));
        });
        worker.on('exit', (code) => {
          // Workers are taken out of the set before they are terminated on purpose.
          const unexpected = this.workers.delete(worker);
          if (unexpected && !this.stopped && pending > 0) failWith(new Error(`a worker thread exited with code ${code}`));
        });
      }
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.workers].map((w) => w.terminate()));
    this.workers.clear();
  }
}

/** Trials one after another in the calling thread (`--workers 0`; also what tests use). */
export class InProcessRunner implements TrialRunner {
  private stopped = false;

  constructor(
    private readonly plan: RunPlan,
    private readonly losses: readonly ArenaLoss[],
  ) {}

  async run(jobs: readonly TrialJob[], events: RunnerEvents): Promise<void> {
    // Loaded here: with worker threads, the main thread never needs a tfjs backend.
    const { setUpBackend } = await import('./backend.js');
    await setUpBackend();
    const executor = new TrialExecutor(this.plan, this.losses);
    for (const job of jobs) {
      if (this.stopped) return;
      events.onStart?.(job);
      const result = executor.run(job, (record) => events.onEpoch?.(job, record));
      events.onDone(job, result);
      // Lets signal handlers and progress output run between trials.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }
}
