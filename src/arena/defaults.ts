import type { OptimizerSpec } from './optimizers.js';

/**
 * The arena's training defaults: what `losskit arena` uses for every option not given on the command
 * line, in one place for the CLI and for programs that build an `ArenaOptions` themselves.
 */
export const ARENA_DEFAULTS = {
  seeds: [0, 1, 2],
  maxEpochs: 100,
  patience: 10,
  batchSize: 32,
  optimizer: { kind: 'adam' } as OptimizerSpec,
  learningRate: 0.003,
  hidden: [32, 16],
  splits: [0.6, 0.2, 0.2] as [number, number, number],
  advEps: 0.05,
} as const;
