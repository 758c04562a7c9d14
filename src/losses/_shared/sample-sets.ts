import * as tf from '@tensorflow/tfjs-core';
import { fail, formatShape } from './errors.js';
import { type TensorInput, toFloat } from './to-tensor.js';
import { checkNotEmpty } from './validate.js';

/** Two sets of points per batch element, as the distances between samples read them. */
export interface SampleSets {
  /** `[B, N, D]`. */
  x: tf.Tensor3D;
  /** `[B, M, D]`. */
  y: tf.Tensor3D;
  /** Whether the inputs had a batch axis (rank 3); without one the result is a scalar. */
  batched: boolean;
}

/**
 * Reads two point sets of the distances between samples: `[B, N, D]` and `[B, M, D]` (the same B
 * and D; N and M may differ), or single sets `[N, D]` and `[M, D]`, read as B = 1.
 */
export function readSampleSets(fn: string, xInput: TensorInput, yInput: TensorInput): SampleSets {
  const x = toFloat(fn, 'x', xInput);
  const y = toFloat(fn, 'y', yInput);
  if (x.rank !== 2 && x.rank !== 3) fail(fn, '`x`', 'have shape [B, N, D] (or [N, D] for one set)', `shape ${formatShape(x.shape)}`);
  const sameLayout = y.rank === x.rank && y.shape[y.rank - 1] === x.shape[x.rank - 1] && (x.rank === 2 || y.shape[0] === x.shape[0]);
  if (!sameLayout) {
    const rule = x.rank === 3 ? 'have the same batch size and point dimension ([B, N, D] and [B, M, D])' : 'have the same point dimension ([N, D] and [M, D])';
    fail(fn, '`x` and `y`', rule, `${formatShape(x.shape)} and ${formatShape(y.shape)}`);
  }
  checkNotEmpty(fn, 'x', x);
  checkNotEmpty(fn, 'y', y);
  const batched = x.rank === 3;
  return {
    x: (batched ? x : tf.expandDims(x, 0)) as tf.Tensor3D,
    y: (batched ? y : tf.expandDims(y, 0)) as tf.Tensor3D,
    batched,
  };
}
