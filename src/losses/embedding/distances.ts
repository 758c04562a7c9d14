import * as tf from '@tensorflow/tfjs-core';
import { fail } from '../_shared/errors.js';
import { safeNorm } from '../_shared/numerics.js';

/**
 * How two embeddings are compared. `'euclidean'` and `'squaredEuclidean'` are distances (small
 * means close); `'cosine'` and `'dot'` are similarities (large means close), what
 * pytorch-metric-learning calls inverted distances.
 */
export type DistanceName = 'euclidean' | 'squaredEuclidean' | 'cosine' | 'dot';

export const DISTANCES: readonly DistanceName[] = ['euclidean', 'squaredEuclidean', 'cosine', 'dot'];

/** Whether larger values mean closer embeddings (a similarity). */
export function isSimilarity(distance: DistanceName): boolean {
  return distance === 'cosine' || distance === 'dot';
}

/**
 * How far `x` is from the goal `y` in the direction that matters: `x − y` for a distance, `y − x`
 * for a similarity (pytorch-metric-learning's `distance.margin(x, y)`). Numbers or tensors.
 */
export function marginOf(distance: DistanceName, x: tf.Tensor | number, y: tf.Tensor | number): tf.Tensor {
  return isSimilarity(distance) ? tf.sub(y, x) : tf.sub(x, y);
}

/**
 * A column vector `[n]` (or `[n, 1]`) repeated across `width` columns, `[n, width]`, as the product
 * with a row of ones. Same-shape arithmetic then replaces broadcasting, whose generic path on the cpu
 * backend costs a few hundred nanoseconds per element.
 */
export function repeatColumns(v: tf.Tensor, width: number): tf.Tensor2D {
  return tf.matMul(tf.reshape(v, [v.shape[0] as number, 1]), tf.ones([1, width])) as tf.Tensor2D;
}

/** Smallest norm a row is divided by: zero rows stay zero, as `torch.nn.functional.normalize` does. */
const NORM_FLOOR = 1e-12;

/**
 * Rows divided by their Euclidean norm (`max(‖x‖, 1e-12)`), so a zero row stays zero. The norm is
 * `safeNorm`, whose gradient is finite at the origin.
 */
export function normalizeRows(x: tf.Tensor2D): tf.Tensor2D {
  return tf.div(x, repeatColumns(tf.maximum(safeNorm(x), NORM_FLOOR), x.shape[1])) as tf.Tensor2D;
}

/** Square root whose gradient is 0, not infinite, at 0 (inputs are clamped at 0 first). */
export function safeSqrt(x: tf.Tensor): tf.Tensor {
  const nonNegative = tf.relu(x);
  const nonZero = tf.sign(nonNegative);
  return tf.mul(nonZero, tf.sqrt(tf.add(nonNegative, tf.sub(1, nonZero))));
}

/** Throws unless the distance and the normalisation flag go together (cosine always normalises). */
export function checkDistance(fn: string, distance: DistanceName, normalize: boolean): void {
  if (distance === 'cosine' && !normalize) {
    fail(fn, '`normalize`', "be true with distance 'cosine' (use distance 'dot' for unnormalised inner products)", 'false (boolean)');
  }
}

/** The embeddings a distance compares: L2-normalised rows when `normalize` (or for cosine). */
export function prepareEmbeddings(x: tf.Tensor2D, distance: DistanceName, normalize: boolean): tf.Tensor2D {
  return normalize || distance === 'cosine' ? normalizeRows(x) : x;
}

/**
 * The matrix of distances (or similarities) between the rows of `a` `[n, D]` and of `b` `[m, D]`,
 * `[n, m]`, from one matrix product: never an `[n, m, D]` tensor. For the Euclidean distances,
 *
 *     d²(a, b) = ‖a‖² + ‖b‖² − 2 a·b = [−2a, ‖a‖², 1] · [b, 1, ‖b‖²]        clamped at 0 against rounding
 *
 * and `'euclidean'` takes a square root with a finite gradient at 0. Rows are used as given:
 * normalise them first with {@link prepareEmbeddings}.
 */
export function pairwise(distance: DistanceName, a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return pairwiseOfOperands(distance, pairwiseOperand(distance, a, 'left'), pairwiseOperand(distance, b, 'right'));
}

/**
 * One side of {@link pairwise}'s matrix product: the rows themselves for a similarity, the augmented
 * rows `[−2a, ‖a‖², 1]` (`'left'`) or `[b, 1, ‖b‖²]` (`'right'`) for a Euclidean distance. Row `i` of
 * an operand depends on row `i` of its input only, so the operand of a row block is the block of the
 * operand: a chunked loss builds both operands once and slices the left one.
 */
export function pairwiseOperand(distance: DistanceName, x: tf.Tensor2D, side: 'left' | 'right'): tf.Tensor2D {
  if (isSimilarity(distance)) return x;
  const rows = x.shape[0];
  // One product of augmented rows: no broadcast of the squared norms.
  const parts = side === 'left' ? [tf.mul(x, -2), tf.sum(tf.square(x), 1, true), tf.ones([rows, 1])] : [x, tf.ones([rows, 1]), tf.sum(tf.square(x), 1, true)];
  return tf.concat(parts, 1) as tf.Tensor2D;
}

/** {@link pairwise} from its two operands (see {@link pairwiseOperand}), `[n, m]`. */
export function pairwiseOfOperands(distance: DistanceName, left: tf.Tensor2D, right: tf.Tensor2D): tf.Tensor2D {
  if (isSimilarity(distance)) return tf.matMul(left, right, false, true) as tf.Tensor2D;
  const squared = tf.relu(tf.matMul(left, right, false, true));
  return (distance === 'euclidean' ? safeSqrt(squared) : squared) as tf.Tensor2D;
}

/**
 * Distances (or similarities) between matching rows of `a` and `b`, `[n]`, from their difference:
 * identical rows are exactly 0 apart, with a zero gradient.
 */
export function rowwise(distance: DistanceName, a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
  if (isSimilarity(distance)) return tf.sum(tf.mul(a, b), 1) as tf.Tensor1D;
  const diff = tf.sub(a, b);
  return (distance === 'euclidean' ? safeNorm(diff) : tf.sum(tf.square(diff), 1)) as tf.Tensor1D;
}

/** Logits of a softmax over pairs: similarities over τ, or negated distances over τ. */
export function temperatureLogits(distance: DistanceName, m: tf.Tensor, temperature: number): tf.Tensor2D {
  return tf.div(isSimilarity(distance) ? m : tf.neg(m), temperature) as tf.Tensor2D;
}
