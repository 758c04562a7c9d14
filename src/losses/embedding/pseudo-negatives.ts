import * as tf from '@tensorflow/tfjs-core';
import { fail, formatShape, formatValue } from '../_shared/errors.js';
import { checkOptionKeys } from '../_shared/option-keys.js';
import { checkSeed, seededUniform, standardNormals, type Uniform } from '../_shared/random.js';
import { type TensorInput, toFloat } from '../_shared/to-tensor.js';
import { checkNotEmpty, checkNumber, checkRank } from '../_shared/validate.js';

const NAME = 'createPseudoNegativeSampler';

/** How the Gaussian's mean follows the batches. */
export type PseudoNegativeMode = 'code' | 'ema';

export interface PseudoNegativeSamplerOptions {
  /** α in [0, 1]: weight of the past in the mean. @defaultValue `0.8` */
  alpha?: number;
  /** σ >= 0: standard deviation of every coordinate of the draws. @defaultValue `1` */
  std?: number;
  /**
   * `'code'`: μ_t = α m_{t−1} + (1 − α) m_t with m_{t−1} the previous batch's mean (the released
   * code); `'ema'`: μ_t = α μ_{t−1} + (1 − α) m_t, the running mean the paper describes. Both start
   * from zeros. @defaultValue `'code'`
   */
  mode?: PseudoNegativeMode;
  /** Seed (integer in [0, 2^32 − 1]) of the normal draws; the stream continues across calls. @defaultValue `0` */
  seed?: number;
}

/** What `sample` returns. */
export interface PseudoNegativeSampler {
  /**
   * Draws `count` (default: as many as the batch has rows) pseudo-negatives `[count, D]` around the
   * updated mean of the real features `[B, D]`. The draws are constants (no gradient).
   */
  sample(realFeatures: TensorInput, count?: number): tf.Tensor2D;
  /** The mean μ used by the last `sample`, or null before the first. */
  readonly mean: Float64Array | null;
  /** Forgets the past means and restarts the seeded stream. */
  reset(): void;
  /** Holds no tensors; provided for symmetry with the other stateful objects. */
  dispose(): void;
  getConfig(): Required<PseudoNegativeSamplerOptions>;
}

/**
 * Hyp-OC's pseudo-negative sampler: a batch of real-face features only is completed with draws
 * from a Gaussian around a running mean of the real features, labelled as the negative (spoof)
 * class, so a one-class problem can be trained with a two-class head:
 *
 *     m_t = mean of the batch's real features
 *     μ_t = α m_{t−1} + (1 − α) m_t          ('code', the released code: m_{t−1} is the previous batch's mean)
 *     μ_t = α μ_{t−1} + (1 − α) m_t          ('ema', the "weighted running mean" of the paper)
 *     z ~ N(μ_t, σ² I)
 *
 * with m_0 = μ_0 = 0. The paper's text and the code disagree on the recursion, hence `mode`. The
 * draws sit on the real data's own scale around its centre, so the head must learn a tight region
 * around the real features rather than a half-space. The reference passes its `std_dev` as the
 * covariance scale, so its value is a variance: to reproduce a reference `std_dev` s, pass `std: √s`
 * (the default 1 is the same in both). Features are read back to JavaScript (float64) each call.
 *
 * @example
 * const sampler = createPseudoNegativeSampler({ seed: 1 });
 * const fake = sampler.sample(realFeatures); // [B, D], label these 1 and the real rows 0
 *
 * @see K. Narayan, V. M. Patel, "Hyp-OC: Hyperbolic One Class Classification for Face
 *   Anti-Spoofing", FG 2024, https://arxiv.org/abs/2404.14406 (code: Kartik-3004/hyp-oc).
 */
export function createPseudoNegativeSampler(options: PseudoNegativeSamplerOptions = {}): PseudoNegativeSampler {
  checkOptionKeys(NAME, options, ['alpha', 'std', 'mode', 'seed']);
  const alpha = options.alpha === undefined ? 0.8 : checkNumber(NAME, 'alpha', options.alpha, { min: 0, max: 1 });
  const std = options.std === undefined ? 1 : checkNumber(NAME, 'std', options.std, { min: 0 });
  const mode = options.mode ?? 'code';
  if (mode !== 'code' && mode !== 'ema') fail(NAME, '`mode`', "be one of 'code' | 'ema'", formatValue(mode));
  const seed = options.seed === undefined ? 0 : checkSeed(NAME, 'seed', options.seed);
  let random: Uniform = seededUniform(seed);
  let previous: Float64Array | null = null; // m_{t−1} ('code') or μ_{t−1} ('ema')
  let current: Float64Array | null = null;
  return {
    sample(realFeatures, count) {
      const fn = NAME;
      const x = toFloat(fn, 'realFeatures', realFeatures);
      const values = (() => {
        try {
          checkRank(fn, 'realFeatures', x, [2]);
          checkNotEmpty(fn, 'realFeatures', x);
          return x.dataSync();
        } finally {
          if (x !== realFeatures) x.dispose();
        }
      })();
      const [b, d] = x.shape as [number, number];
      if (previous !== null && previous.length !== d) fail(fn, '`realFeatures`', `have ${previous.length} columns, as in the previous batches`, `shape ${formatShape(x.shape)}`);
      const rows = count === undefined ? b : checkNumber(fn, 'count', count, { integer: true, min: 1 });
      const batchMean = new Float64Array(d);
      for (let i = 0; i < b; i++) for (let j = 0; j < d; j++) batchMean[j] = (batchMean[j] as number) + (values[i * d + j] as number) / b;
      const past = previous ?? new Float64Array(d);
      const mean = batchMean.map((m, j) => alpha * (past[j] as number) + (1 - alpha) * m);
      previous = mode === 'code' ? batchMean : mean;
      current = mean;
      const eps = standardNormals(random, rows * d);
      const out = new Float32Array(rows * d);
      for (let i = 0; i < rows; i++) for (let j = 0; j < d; j++) out[i * d + j] = (mean[j] as number) + std * (eps[i * d + j] as number);
      return tf.tensor2d(out, [rows, d]);
    },
    get mean() {
      return current === null ? null : current.slice();
    },
    reset() {
      random = seededUniform(seed);
      previous = null;
      current = null;
    },
    dispose() {
      previous = null;
      current = null;
    },
    getConfig() {
      return { alpha, std, mode, seed };
    },
  };
}
