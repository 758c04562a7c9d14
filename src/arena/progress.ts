import cliProgress from 'cli-progress';

/** What the run reports while it works. */
export interface ProgressReporter {
  trialStarted(id: string, maxEpochs: number): void;
  epoch(id: string, epoch: number): void;
  trialFinished(id: string, summary: string): void;
  /** A line of text that must not tear the bars. */
  log(line: string): void;
  stop(): void;
}

/** Reports nothing (`--quiet`). */
export const silentProgress: ProgressReporter = {
  trialStarted() {},
  epoch() {},
  trialFinished() {},
  log() {},
  stop() {},
};

/** One line per finished trial, for logs and terminals without cursor control. */
export function lineProgress(total: number, done: number, write: (line: string) => void): ProgressReporter {
  let finished = done;
  return {
    trialStarted() {},
    epoch() {},
    trialFinished(id, summary) {
      finished++;
      write(`[${finished}/${total}] ${id}: ${summary}`);
    },
    log: write,
    stop() {},
  };
}

/**
 * Progress bars on stderr: one for the whole run (trials, with an ETA) and one per running trial
 * (epochs, with an ETA that assumes it runs to the epoch limit: early stopping only shortens it).
 */
export function barProgress(total: number, done: number, nameWidth: number): ProgressReporter {
  const name = (text: string) => text.padEnd(nameWidth);
  const multibar = new cliProgress.MultiBar(
    {
      format: '{name} |{bar}| {value}/{total} {unit} | ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: true,
      autopadding: true,
      etaBuffer: 20,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  const overall = multibar.create(total, done, { name: name('all trials'), unit: 'trials' });
  const bars = new Map<string, cliProgress.SingleBar>();
  return {
    trialStarted(id, maxEpochs) {
      bars.set(id, multibar.create(maxEpochs, 0, { name: name(id), unit: 'epochs' }));
    },
    epoch(id, epoch) {
      bars.get(id)?.update(epoch);
    },
    trialFinished(id) {
      const bar = bars.get(id);
      if (bar !== undefined) multibar.remove(bar);
      bars.delete(id);
      overall.increment();
    },
    log(line) {
      multibar.log(`${line}\n`);
    },
    stop() {
      multibar.stop();
    },
  };
}
