import type * as tf from '@tensorflow/tfjs-core';
import { fail, formatShape } from './errors.js';
import { type TensorInput, toFloat } from './to-tensor.js';
import { checkNotEmpty, checkRank, checkSameShape } from './validate.js';

/** The two views of a two-view (self-supervised) loss: `[N, D]` each, float32, row i of one paired with row i of the other. */
export interface TwoViews {
  a: tf.Tensor2D;
  b: tf.Tensor2D;
  n: number;
  dim: number;
}

/**
 * Reads the embeddings of two views of the same batch: both `[N, D]`, of the same shape, with at
 * least `minRows` rows (batch statistics and in-batch negatives need more than one sample).
 */
export function readTwoViews(fn: string, viewA: TensorInput, viewB: TensorInput, minRows = 2): TwoViews {
  const b = toFloat(fn, 'viewB', viewB);
  checkRank(fn, 'viewB', b, [2]);
  checkNotEmpty(fn, 'viewB', b);
  const a = toFloat(fn, 'viewA', viewA);
  checkSameShape(fn, 'viewA', a, 'viewB', b);
  const [n, dim] = b.shape as [number, number];
  if (n < minRows) fail(fn, '`viewB`', `have at least ${minRows} rows (the loss uses statistics of the batch)`, `shape ${formatShape(b.shape)}`);
  return { a: a as tf.Tensor2D, b: b as tf.Tensor2D, n, dim };
}
