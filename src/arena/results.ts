/**
 * The arena's results: what `results.json` holds and what the HTML report, the CSV export and the
 * terminal summary are made from. One schema, written once.
 */

export type ArenaTask = 'binary' | 'multiclass' | 'regression';

/** How a metric reads: its label, and whether higher is better. */
export interface MetricInfo {
  label: string;
  higherIsBetter: boolean;
}

export interface DatasetInfo {
  /** Built-in name (`breast-cancer`) or the CSV file's base name. */
  name: string;
  /** Where it came from: file path or attribution of the built-in set. */
  source: string;
  task: ArenaTask;
  target: string;
  numSamples: number;
  numFeatures: number;
  /** Class names in index order (classification only). */
  classes?: string[];
  /** Training-split samples per class after imbalance / noise (classification only). */
  classCounts?: number[];
  imbalance?: number;
  labelNoise?: number;
  splits: { train: number; validation: number; test: number };
}

export interface ArenaConfig {
  seeds: number[];
  maxEpochs: number;
  patience: number;
  batchSize: number;
  /** e.g. `adam` or `sgd(momentum=0.9)`. */
  optimizer: string;
  learningRate: number;
  /** e.g. `mlp(32,16)` or `cnn`. */
  model: string;
  /** Loss key every other loss is compared with. */
  baseline: string;
  /** Metric used for early stopping and for the headline ranking. */
  primaryMetric: string;
  workers: number;
}

/** One loss as configured on the command line: `sigmoidFocalLoss:gamma=1`. */
export interface LossConfig {
  /** Unique key: the id plus its options as given (`sigmoidFocalLoss:gamma=1`). */
  key: string;
  id: string;
  options: Record<string, unknown>;
}

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  /** Validation metrics after this epoch. */
  validation: Record<string, number>;
  seconds: number;
}

/** A reliability diagram's bins (classification): mean confidence vs accuracy per bin. */
export interface ReliabilityBin {
  lower: number;
  upper: number;
  confidence: number;
  accuracy: number;
  count: number;
}

export interface TrialResult {
  loss: string; // LossConfig.key
  seed: number;
  status: 'done' | 'failed';
  error?: string;
  /** Epochs trained, and the epoch whose weights were kept (best validation). */
  epochs: number;
  bestEpoch: number;
  secondsPerEpoch: number;
  /** Test metrics of the kept weights. */
  test: Record<string, number>;
  curve: EpochRecord[];
  reliability?: ReliabilityBin[];
}

export interface MetricSummary {
  mean: number;
  std: number;
  n: number;
}

/** Paired comparison with the baseline across seeds. */
export interface BaselineComparison {
  /** mean(loss − baseline) over seeds. */
  diff: number;
  /** Two-sided paired t-test p-value (NaN with fewer than 2 seeds or zero variance). */
  pValue: number;
}

export interface LossSummary {
  loss: string;
  metrics: Record<string, MetricSummary>;
  vsBaseline: Record<string, BaselineComparison>;
  secondsPerEpoch: number;
}

export interface ArenaResults {
  losskitVersion: string;
  tfjsVersion: string;
  backend: string;
  createdAt: string;
  dataset: DatasetInfo;
  config: ArenaConfig;
  losses: LossConfig[];
  metricInfo: Record<string, MetricInfo>;
  trials: TrialResult[];
  summary: LossSummary[];
  /** For each metric, the loss key with the best mean. */
  best: Record<string, string>;
}
