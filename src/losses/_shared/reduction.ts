import * as tf from '@tensorflow/tfjs-core';
import { fail, formatShape } from './errors.js';
import { type TensorInput, toFloat } from './to-tensor.js';

export const REDUCTIONS = ['mean', 'sum', 'none'] as const;
export type Reduction = (typeof REDUCTIONS)[number];

/** Options every loss accepts. */
export interface ReductionOptions {
  /**
   * How per-sample (or per-element) losses are combined: `'mean'` is the weighted mean
   * `sum(w * l) / sum(w)`, `'sum'` is `sum(w * l)`, `'none'` returns `w * l` unreduced.
   * @defaultValue `'mean'`
   */
  reduction?: Reduction;
  /**
   * Per-sample weights `[N]`, or weights that broadcast to the unreduced loss. Ignored and
   * zero-weighted elements leave the mean's denominator. @defaultValue all ones
   */
  weights?: TensorInput;
}

/** Expands `weights` to the loss's shape: a prefix of it (per sample) or a NumPy-broadcastable shape. */
function weightsLike(fn: string, weights: tf.Tensor, losses: tf.Tensor): tf.Tensor {
  const lw = weights.shape;
  const ls = losses.shape;
  const isPrefix = lw.length <= ls.length && lw.every((d, i) => d === ls[i]);
  if (isPrefix) return tf.broadcastTo(tf.reshape(weights, [...lw, ...ls.slice(lw.length).map(() => 1)]), ls);
  const offset = ls.length - lw.length;
  const broadcasts = offset >= 0 && lw.every((d, i) => d === 1 || d === ls[offset + i]);
  if (!broadcasts) fail(fn, '`weights`', `be per sample or broadcast to the loss's shape ${formatShape(ls)}`, `shape ${formatShape(lw)}`);
  return tf.broadcastTo(weights, ls);
}

/**
 * Combines per-sample losses: the one place reduction is implemented. `sampleWeights` `[N]`
 * carries what the loss itself decided (class weights, ignored rows as 0) and multiplies `weights`.
 * A mean over all-zero weights is 0, not NaN, so a batch where everything is ignored trains nothing.
 */
export function reduce(fn: string, losses: tf.Tensor, options: ReductionOptions = {}, sampleWeights?: tf.Tensor): tf.Tensor {
  const { reduction = 'mean', weights } = options;
  let w: tf.Tensor | undefined = weights === undefined ? undefined : weightsLike(fn, toFloat(fn, 'weights', weights), losses);
  if (sampleWeights !== undefined) {
    const s = weightsLike(fn, sampleWeights, losses);
    w = w === undefined ? s : tf.mul(w, s);
  }
  const weighted = w === undefined ? losses : tf.mul(losses, w);
  switch (reduction) {
    case 'none':
      return weighted;
    case 'sum':
      return tf.sum(weighted);
    case 'mean': {
      if (w === undefined) return tf.mean(losses);
      // Not tf.divNoNan: its mask is built from the quotient, and Equal has no gradient in tfjs.
      const total = tf.sum(w);
      return tf.div(tf.sum(weighted), tf.where(tf.greater(total, 0), total, tf.onesLike(total)));
    }
    default:
      return fail(fn, '`reduction`', "be one of 'mean' | 'sum' | 'none'", String(reduction));
  }
}
