import type { ArenaLoss } from './loss-config.js';
import type { EpochRecord, LossConfig, TrialResult } from './results.js';
import { type DataSettings, type PreparedData, prepareData } from './split.js';
import type { EncodedDataset } from './task.js';
import { runTrial, type TrainSettings } from './train.js';

/** What every trial of a run shares: sent once to each worker thread. */
export interface RunPlan {
  data: EncodedDataset;
  dataSettings: DataSettings;
  trainSettings: TrainSettings;
  losses: LossConfig[];
}

/** One trial to run: a loss (index into `RunPlan.losses`) and a seed. */
export interface TrialJob {
  lossIndex: number;
  seed: number;
}

export interface TrialEvents {
  onStart?(job: TrialJob): void;
  onEpoch?(job: TrialJob, record: EpochRecord): void;
}

/**
 * Runs trials of one plan in the current thread, preparing each seed's data once. The losses are
 * resolved against this thread's registry by the caller.
 */
export class TrialExecutor {
  private readonly prepared = new Map<number, PreparedData>();

  constructor(
    private readonly plan: RunPlan,
    private readonly losses: readonly ArenaLoss[],
  ) {}

  run(job: TrialJob, onEpoch?: (record: EpochRecord) => void): TrialResult {
    let data = this.prepared.get(job.seed);
    if (data === undefined) {
      data = prepareData(this.plan.data, this.plan.dataSettings, job.seed);
      this.prepared.set(job.seed, data);
    }
    return runTrial(data, this.losses[job.lossIndex] as ArenaLoss, job.seed, this.plan.trainSettings, onEpoch);
  }
}
