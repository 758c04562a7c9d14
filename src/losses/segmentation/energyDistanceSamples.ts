import * as tf from '@tensorflow/tfjs-core';
import { checkOptionKeys } from '../_shared/option-keys.js';
import { readSampleSets } from '../_shared/sample-sets.js';
import type { ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { checkOptions } from '../_shared/validate.js';

const NAME = 'energyDistanceSamples';

/** Squared distances below this are clamped before the square root (GeomLoss `distances`). */
export const MIN_SQUARED_DISTANCE = 1e-8;

export interface EnergyDistanceSamplesOptions {
  /** Squared distances are clamped to at least this (>= 0) before the square root, so the gradient stays finite where points coincide (GeomLoss: 1e-8). @defaultValue `1e-8` */
  clampSq?: number;
}

export const ENERGY_DISTANCE_PARAMS: ParamSpecs = {
  clampSq: { kind: 'number', default: MIN_SQUARED_DISTANCE, min: 0, doc: 'squared distances are clamped to at least this before the square root' },
};

/** ‖a_i − b_j‖ with the squared distance clamped at `clampSq`, `[B, n, m]`. */
function pairwiseDistances(a: tf.Tensor, b: tf.Tensor, clampSq: number): tf.Tensor {
  // Summed differences rather than ‖a‖² − 2a·b + ‖b‖², which cancels badly in float32 for large D.
  const squared = tf.sum(tf.square(tf.sub(tf.expandDims(a, 2), tf.expandDims(b, 1))), -1);
  return tf.sqrt(tf.maximum(squared, clampSq));
}

/**
 * The energy distance with uniform weights of point sets already read, `[B]`:
 * mean‖x−y‖ − ½ mean‖x−x'‖ − ½ mean‖y−y'‖ (for the losses that validate their own inputs).
 */
export function energyDistanceOfSets(x: tf.Tensor3D, y: tf.Tensor3D, clampSq = MIN_SQUARED_DISTANCE): tf.Tensor1D {
  const cross = tf.mean(pairwiseDistances(x, y, clampSq), [1, 2]);
  const selfX = tf.mean(pairwiseDistances(x, x, clampSq), [1, 2]);
  const selfY = tf.mean(pairwiseDistances(y, y, clampSq), [1, 2]);
  return tf.sub(cross, tf.mul(0.5, tf.add(selfX, selfY))) as tf.Tensor1D;
}

/**
 * Energy distance between two sets of samples with uniform weights, per batch element: what
 * GeomLoss's `SamplesLoss("energy")` (and `"hausdorff"` with the energy kernel, the default of
 * PULASki's official code) computes.
 *
 * For sets x_1..x_N and y_1..y_M in R^D, with ‖u‖ = sqrt(max(‖u‖², clampSq)):
 *
 *     E(x, y) = (1/NM) Σ_ij ‖x_i − y_j‖ − (1/2N²) Σ_ij ‖x_i − x_j‖ − (1/2M²) Σ_ij ‖y_i − y_j‖
 *
 * E is the maximum mean discrepancy of the distance kernel −‖x − y‖: it is >= 0, and 0 exactly
 * when the two empirical distributions coincide (the clamp aside), so it compares sets rather than
 * matching points one to one, and its gradient pulls each x_i toward the ys while the self term
 * pushes the xs apart. The clamp sets every distance below sqrt(clampSq) (1e-4 by default) to
 * that value, the distance of a point to itself included: E stays exactly 0 between equal sets,
 * but two single points closer than 1e-4 score 0 and farther ones score ‖x − y‖ − 1e-4. The
 * gradient is that of plain autodiff of the symmetric formula, which equals GeomLoss's.
 *
 * @param x - Points `[B, N, D]` (or one set `[N, D]`).
 * @param y - Points `[B, M, D]` (or `[M, D]`), the same B and D.
 * @returns `[B]` (a scalar for unbatched sets): no reduction.
 *
 * @example
 * // cross 0.5, self terms (1e-4 + 1 + 1 + 1e-4)/4 and 1e-4 (the clamp)
 * energyDistanceSamples([[0], [1]], [[0.5]]).print(); // 0.249925 = 0.5 − ½(0.50005 + 0.0001)
 *
 * @see G. J. Székely, M. L. Rizzo, Energy statistics: A class of statistics based on distances,
 * Journal of Statistical Planning and Inference 143(8), 2013, https://doi.org/10.1016/j.jspi.2013.03.018;
 * J. Feydy et al., Interpolating between Optimal Transport and MMD using Sinkhorn Divergences,
 * AISTATS 2019, https://arxiv.org/abs/1810.08278; S. Chatterjee et al., PULASki, Medical Image
 * Analysis 2025, https://arxiv.org/abs/2312.15686
 */
function energyDistanceSamples_(x: TensorInput, y: TensorInput, options: EnergyDistanceSamplesOptions = {}): tf.Tensor {
  checkOptionKeys(NAME, options, Object.keys(ENERGY_DISTANCE_PARAMS));
  checkOptions(NAME, ENERGY_DISTANCE_PARAMS, options);
  const { clampSq = MIN_SQUARED_DISTANCE } = options;
  const sets = readSampleSets(NAME, x, y);
  const value = energyDistanceOfSets(sets.x, sets.y, clampSq);
  return sets.batched ? value : tf.reshape(value, []);
}

export const energyDistanceSamples = /* @__PURE__ */ tf.op({ energyDistanceSamples_ });
