import * as tf from '@tensorflow/tfjs-core';
import { binaryTargets } from '../_shared/binary-targets.js';
import { checkSeed, readNormals, seededUniform, standardNormals } from '../_shared/random.js';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { checkOptions } from '../_shared/validate.js';

const NAME = 'ensLoss';

export interface EnsLossOptions extends ReductionOptions {
  /**
   * Seed (integer in [0, 2^32 − 1]) of the normal draws: the same seed gives the same derivatives.
   * Without it, each call takes the next draws of one internal stream. @defaultValue none
   */
  seed?: number;
  /**
   * λ of the inverse Box–Cox generator: 0 makes the derivatives −exp(ε), log-normal. The authors'
   * trainer can redraw it λ ~ U(−1, 1) every P epochs (off in every shipped config); pass the current
   * value here. @defaultValue `0`
   */
  lambda?: number;
  /** Lower clip of the derivatives (< 0): they lie in [clipMin, 0). @defaultValue `-1` */
  clipMin?: number;
  /** Margins z > tailStart (> 0) get their derivative divided by z (the "superlinear tail"). @defaultValue `1` */
  tailStart?: number;
  /** Subtracted from every derivative so that φ'(z) < 0 everywhere. @defaultValue `1e-6` */
  shift?: number;
  /** The N(0, 1) draws ε, one per element, in place of sampling (for tests and custom samplers). */
  normals?: TensorInput | readonly number[];
}

const PARAMS: ParamSpecs = {
  seed: { kind: 'data', type: 'integer in [0, 4294967295]', default: null, doc: 'seed of the normal draws; without it each call draws anew' },
  lambda: { kind: 'number', default: 0, doc: 'λ of the inverse Box–Cox generator (0: log-normal derivatives); the paper’s schedule redraws λ ~ U(−1,1) every P epochs' },
  clipMin: { kind: 'number', default: -1, max: 0, exclusiveMax: true, doc: 'lower clip of the sampled derivatives' },
  tailStart: { kind: 'number', default: 1, min: 0, exclusiveMin: true, doc: 'derivatives at margins z > tailStart are divided by z' },
  shift: { kind: 'number', default: 1e-6, min: 0, doc: 'subtracted from every derivative so it is strictly negative' },
  normals: { kind: 'data', type: 'number[] (one N(0,1) draw per element)', doc: 'the normal draws ε to use instead of sampling' },
};

/** Calls without a seed continue this stream: it starts from a fixed state when the module loads. */
const unseededStream = seededUniform(0x5eed4e45);

/** Inverse Box–Cox transform: exp(e) for λ = 0, max(1 + λe, 0)^(1/λ) otherwise. */
function inverseBoxCox(e: number, lambda: number): number {
  return lambda === 0 ? Math.exp(e) : Math.max(1 + lambda * e, 0) ** (1 / lambda);
}

/**
 * The sampled loss derivatives g (float64) for margins z, following the authors' procedure: sorted
 * −BoxCox⁻¹(ε), clipped, handed out in ascending order of z (ties by position), divided by z above
 * `tailStart`, minus `shift`.
 */
function sampledDerivatives(z: ArrayLike<number>, eps: Float64Array, lambda: number, clipMin: number, tailStart: number, shift: number): Float64Array {
  const n = z.length;
  const r = Float64Array.from(eps, (e) => -inverseBoxCox(e, lambda)).sort();
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (z[a] as number) - (z[b] as number) || a - b);
  const g = new Float64Array(n);
  order.forEach((sample, rank) => {
    g[sample] = Math.max(r[rank] as number, clipMin);
  });
  for (let i = 0; i < n; i++) {
    const zi = z[i] as number;
    if (zi > tailStart) g[i] = (g[i] as number) / zi;
    g[i] = (g[i] as number) - shift;
  }
  return g;
}

/**
 * EnsLoss (Ben Dai): a GRADIENT SURROGATE for binary classification, not a loss. Its value means
 * nothing and must not be monitored or compared; only its gradient is a loss gradient.
 *
 * Each call samples the derivative of a random convex, classification-calibrated margin loss φ
 * (φ non-decreasing derivative, φ'(0) < 0) for the batch, and returns a quantity whose gradient is
 * that derivative. With labels y ∈ {0, 1} mapped to ±1 and the batch's B elements:
 *
 *     1. z_i = y_i f_i                                      margins
 *     2. ε_i ~ N(0, 1)                                      seeded, or `normals`
 *     3. r_i = −BoxCox⁻¹_λ(ε_i)                             exp(ε) for λ = 0, max(1 + λε, 0)^(1/λ) otherwise
 *     4. r ← sort ascending, r ← max(r, clipMin)
 *     5. g_(j) = r_j for the j-th smallest margin           smaller margin, steeper derivative: φ convex
 *     6. g_i ← g_i / z_i where z_i > tailStart              superlinear tail
 *     7. g_i ← g_i − shift                                  φ' < 0 everywhere
 *     8. L = (1/B) Σ_i stopgrad(g_i) · z_i,   so ∂L/∂f_i = g_i y_i / B
 *
 * Steps 4–5 need the ordering of the margins, so g is built outside the gradient path: the margins are
 * read back (`dataSync`), g is computed in float64 JavaScript and enters as a constant tensor. The
 * read-back costs one device sync per call (negligible on the cpu and wasm backends).
 *
 * Randomness: with `seed`, every call draws the same ε (a mulberry32 stream seeded by it, Box–Muller
 * normals); without it, calls continue one internal stream, so successive calls draw new derivatives
 * (the stream starts from a fixed state when the library loads, so a fresh process repeats it).
 * `normals` supplies ε directly and then `seed` is unused. Ties in z go to the earlier element first.
 *
 * λ schedule: the authors' trainer can redraw λ ~ U(−1, 1) every P epochs (U(0, 1) in the sequence
 * trainer); every shipped config keeps λ = 0. The schedule belongs to the training loop, which passes
 * the current `lambda`. The clip at −1, the 1/z tail and the 1e-6 shift are the code's choices (the
 * paper's text describes the generator and a tail adjustment), hence options with those defaults.
 *
 * Soft targets t ∈ [0, 1] map to y = 2t − 1, as in the authors' code. With `reduction: 'none'` the
 * per-element g_i z_i are returned, with `weights` the weighted mean Σ w g z / Σ w.
 * Finite for logits of ±1e4: with tailStart >= 1, |g_i| <= −clipMin + shift (a smaller tailStart lets
 * margins in (tailStart, 1) divide g by up to 1/tailStart).
 *
 * @param yTrue - Labels {0, 1} of the logits' shape (`[N]` against `[N, 1]` is accepted).
 * @param logits - Scores `[N]` or `[N, 1]` (every element of a rank-2 input is a sample of the batch).
 * @returns The surrogate: a scalar, or the logits' shape with `reduction: 'none'`.
 *
 * @example
 * const f = tf.variable(tf.tensor1d([0.5, 1, 2, -1.5]));
 * const grad = tf.grad((x) => ensLoss([1, 0, 1, 0], x, { seed: 7 }))(f); // the sampled loss's gradient
 *
 * @see B. Dai, "EnsLoss: Stochastic Calibrated Loss Ensembles for Preventing Overfitting in
 *   Classification", ICML 2025, https://arxiv.org/abs/2409.00908 (official code:
 *   github.com/statmlben/ensLoss, `losses.py`, class `ensLoss`).
 */
function ensLoss_(yTrue: TensorInput, logits: TensorInput, options: EnsLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { seed, lambda = 0, clipMin = -1, tailStart = 1, shift = 1e-6, normals } = options;
  if (seed !== undefined) checkSeed(NAME, 'seed', seed);
  const { scores, targets } = binaryTargets(NAME, yTrue, logits, 'logits');
  const n = scores.size;
  let eps: Float64Array;
  if (normals !== undefined) eps = readNormals(NAME, 'normals', normals, n);
  else eps = standardNormals(seed === undefined ? unseededStream : seededUniform(seed), n);

  const z = tf.mul(tf.sub(tf.mul(targets, 2), 1), scores);
  const g = sampledDerivatives(z.dataSync(), eps, lambda, clipMin, tailStart, shift);
  return reduce(NAME, tf.mul(tf.tensor(Float32Array.from(g), z.shape, 'float32'), z), options);
}

export const ensLoss = /* @__PURE__ */ tf.op({ ensLoss_ });

export const ensLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: 'ensLoss',
  family: 'classification',
  summary: 'EnsLoss: gradient surrogate of a randomly sampled convex calibrated loss per batch (value meaningless)',
  formula: 'L = mean_i stopgrad(g_i)·z_i,  z = y f,  g = sorted −BoxCox⁻¹_λ(ε) by ascending z, clipped, /z above tailStart, − shift',
  fn: ensLoss,
  target: 'binary',
  prediction: 'binaryLogits',
  tasks: ['binary'],
  params: PARAMS,
  properties: ['gradientSurrogate', 'stochastic'],
  reference: 'B. Dai, "EnsLoss: Stochastic Calibrated Loss Ensembles for Preventing Overfitting in Classification", ICML 2025, https://arxiv.org/abs/2409.00908',
  seed: 4,
};
