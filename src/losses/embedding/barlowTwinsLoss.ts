import * as tf from '@tensorflow/tfjs-core';
import { fail, formatShape } from '../_shared/errors.js';
import { reduce, type Reduction } from '../_shared/reduction.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import { type TensorInput, toFloat } from '../_shared/to-tensor.js';
import { readTwoViews } from '../_shared/two-views.js';
import { checkOptions, checkValuesInRange } from '../_shared/validate.js';

const NAME = 'barlowTwinsLoss';

export type BarlowTwinsNormalization = 'batchnorm' | 'unbiasedStd';

export interface BarlowTwinsLossOptions {
  /** λ >= 0: weight of the redundancy-reduction (off-diagonal) term. @defaultValue `0.0051` */
  lambda?: number;
  /** Added to each dimension's batch variance before the square root. @defaultValue `1e-5` */
  eps?: number;
  /** `'batchnorm'`: biased variance (the official code); `'unbiasedStd'`: unbiased, as the paper's pseudo-code. @defaultValue `'batchnorm'` */
  normalization?: BarlowTwinsNormalization;
  /** `'mean'` and `'sum'` return the batch's loss, `'none'` the same value as `[1]`. @defaultValue `'mean'` */
  reduction?: Reduction;
  /**
   * Per-sample weights `[N]` (or `[N, 1]`), >= 0, not all 0: the batch statistics (means, variances
   * and the cross-correlation) become weighted averages over the samples. All ones change nothing.
   */
  weights?: TensorInput;
}

const PARAMS: ParamSpecs = {
  lambda: { kind: 'number', default: 0.0051, min: 0, doc: 'λ: weight of the off-diagonal (redundancy) term; 5e-3 in the paper, 3.9e-3 in the first release' },
  eps: { kind: 'number', default: 1e-5, min: 0, doc: "added to each dimension's variance (BatchNorm1d's eps)" },
  normalization: { kind: 'choice', default: 'batchnorm', choices: ['batchnorm', 'unbiasedStd'], doc: "batchnorm: biased variance (official code); unbiasedStd: the paper's z.std(0)" },
};

/** Normalised sample weights ω `[N, 1]` summing to 1, or undefined for uniform weights 1/N. */
function readSampleWeights(weights: TensorInput | undefined, n: number): tf.Tensor | undefined {
  if (weights === undefined) return undefined;
  const w = toFloat(NAME, 'weights', weights);
  const perSample = (w.rank === 1 || (w.rank === 2 && w.shape[1] === 1)) && w.shape[0] === n;
  if (!perSample) fail(NAME, '`weights`', `hold one weight per sample [${n}] (they weigh the batch statistics)`, `shape ${formatShape(w.shape)}`);
  checkValuesInRange(NAME, 'weights', w, 0, Number.POSITIVE_INFINITY);
  const total = (w.dataSync() as Float32Array).reduce((a, b) => a + b, 0);
  if (!(total > 0)) fail(NAME, '`weights`', 'have a positive sum', `sum ${total}`);
  return tf.div(tf.reshape(w, [n, 1]), total);
}

/** Each column standardised with the (weighted) batch mean and variance. */
function standardize(z: tf.Tensor2D, omega: tf.Tensor | undefined, eps: number, unbiased: boolean): tf.Tensor2D {
  const n = z.shape[0];
  const average = (x: tf.Tensor) => (omega === undefined ? tf.mean(x, 0, true) : tf.sum(tf.mul(x, omega), 0, true));
  const centred = tf.sub(z, average(z));
  let variance = average(tf.square(centred));
  if (unbiased) {
    // Reliability weights: Σω(z − m)² / (1 − Σω²), which is n/(n − 1) times the biased variance for ω = 1/n.
    const correction = omega === undefined ? n / (n - 1) : tf.div(1, tf.sub(1, tf.sum(tf.square(omega))));
    variance = tf.mul(variance, correction);
  }
  return tf.div(centred, tf.sqrt(tf.add(variance, eps))) as tf.Tensor2D;
}

/**
 * Barlow Twins loss: the cross-correlation matrix of two views' standardised embeddings is driven
 * to the identity.
 *
 * With views z^A, z^B `[N, D]`, each dimension standardised over the batch
 * (ẑ = (z − mean) / sqrt(var + eps), the biased variance as BatchNorm1d(affine=False) in training
 * mode), and the cross-correlation C = ẑ^Aᵀ ẑ^B / N (`[D, D]`):
 *
 *     L = Σ_i (1 − C_ii)²  +  λ Σ_i Σ_{j≠i} C_ij²
 *
 * The first (invariance) term makes each dimension agree between the two views; the second
 * (redundancy-reduction) term decorrelates different dimensions, so the embedding cannot collapse
 * to a constant or to a few directions, without negatives, a momentum encoder or a stop-gradient.
 * Because of the standardisation, the loss is unchanged (up to eps) by a per-dimension shift or
 * positive rescaling of either view. Gradients flow through the batch means and variances, as in
 * the official code. A constant dimension (variance 0) standardises to 0 through eps and stays
 * finite, in value and gradient.
 *
 * This is one value per batch (no division by D): 'mean' and 'sum' return it, 'none' returns it
 * as `[1]`. `weights` weigh the samples inside the batch statistics instead.
 *
 * Defaults are the official code's (`lambd` 0.0051, BatchNorm eps 1e-5; the paper text says
 * λ = 5e-3, the first release 3.9e-3 with the loss scaled by 1/32, a constant factor).
 * `normalization: 'unbiasedStd'` divides by the unbiased standard deviation, as the paper's
 * pseudo-code `z.std(0)` does; that pseudo-code has no eps, which `eps: 0` reproduces (then a
 * constant dimension gives NaN).
 *
 * @param viewA - Embeddings of the first view `[N, D]`, N >= 2.
 * @param viewB - Embeddings of the second view `[N, D]`, row i paired with row i of `viewA`.
 * @returns A scalar, or `[1]` with `reduction: 'none'`.
 *
 * @example
 * barlowTwinsLoss(projector(augmentA(x)), projector(augmentB(x)));
 *
 * @see J. Zbontar, L. Jing, I. Misra, Y. LeCun, S. Deny, Barlow Twins: Self-Supervised Learning via
 * Redundancy Reduction, ICML 2021, https://arxiv.org/abs/2103.03230 (official code
 * `facebookresearch/barlowtwins`, `main.py`).
 */
function barlowTwinsLoss_(viewA: TensorInput, viewB: TensorInput, options: BarlowTwinsLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { lambda = 0.0051, eps = 1e-5, normalization = 'batchnorm', reduction, weights } = options;
  const { a, b, n, dim } = readTwoViews(NAME, viewA, viewB);
  const omega = readSampleWeights(weights, n);
  const unbiased = normalization === 'unbiasedStd';
  const za = standardize(a, omega, eps, unbiased);
  const zb = standardize(b, omega, eps, unbiased);
  const weighted = omega === undefined ? tf.div(za, n) : tf.mul(za, omega);
  const c = tf.matMul(weighted, zb, true, false);
  const diagonal = tf.sum(tf.mul(weighted, zb), 0);
  const onDiagonal = tf.sum(tf.square(tf.sub(1, diagonal)));
  const offMask = tf.sub(1, tf.eye(dim));
  const offDiagonal = tf.sum(tf.square(tf.mul(c, offMask)));
  const loss = tf.reshape(tf.add(onDiagonal, tf.mul(offDiagonal, lambda)), [1]);
  return reduce(NAME, loss, reduction === undefined ? {} : { reduction });
}

export const barlowTwinsLoss = /* @__PURE__ */ tf.op({ barlowTwinsLoss_ });

export const barlowTwinsLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'embedding',
  summary: 'Barlow Twins: cross-correlation of two batch-standardised views driven to the identity',
  formula: 'L = Σ_i (1 − C_ii)² + λ Σ_{i≠j} C_ij²,  C = ẑ_Aᵀ ẑ_B / N,  ẑ = (z − mean) / sqrt(var + eps)',
  fn: barlowTwinsLoss,
  target: 'view',
  prediction: 'embedding',
  tasks: ['embedding'],
  params: PARAMS,
  properties: ['nonNegative', 'batchCoupled'],
  reference: 'J. Zbontar, L. Jing, I. Misra, Y. LeCun, S. Deny, "Barlow Twins: Self-Supervised Learning via Redundancy Reduction", ICML 2021, https://arxiv.org/abs/2103.03230',
  seed: 30,
};
