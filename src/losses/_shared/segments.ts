import * as tf from '@tensorflow/tfjs-core';

/*
 * Gather and segment-sum on a flat vector with first-order gradients that every backend can run.
 * tfjs' own gradient of tf.gather uses the UnsortedSegmentSum kernel, which the wasm backend lacks;
 * these use GatherV2 and ScatterNd (which sums duplicate indices) in both directions instead.
 * The index tensors are rebuilt from the JS arrays in the backward pass rather than saved, so
 * nothing outlives the call when no gradient is taken.
 */

type Indices = Int32Array | readonly number[];

const column = (indices: Indices) => tf.tensor2d(indices as Int32Array | number[], [indices.length, 1], 'int32');

/** `x[indices]` for a flat `x [N]`; its gradient scatter-adds back into `[N]`. */
export function gatherFlat(x: tf.Tensor1D, indices: Indices): tf.Tensor1D {
  const n = x.shape[0];
  const op = tf.customGrad((input) => ({
    value: tf.tidy(() => tf.gather(input as tf.Tensor, tf.tensor1d(indices as Int32Array | number[], 'int32'))),
    gradFunc: (dy) => [tf.scatterND(column(indices), dy as tf.Tensor, [n])],
  })) as (x: tf.Tensor) => tf.Tensor;
  return op(x) as tf.Tensor1D;
}

/** `out[g] = Σ_{k: segmentIds[k] = g} values[k]` for `g < numSegments` (empty segments are 0); gradient `dy[segmentIds]`. */
export function segmentSum(values: tf.Tensor1D, segmentIds: Indices, numSegments: number): tf.Tensor1D {
  const op = tf.customGrad((input) => ({
    value: tf.tidy(() => tf.scatterND(column(segmentIds), input as tf.Tensor, [numSegments])),
    gradFunc: (dy) => [tf.gather(dy as tf.Tensor, tf.tensor1d(segmentIds as Int32Array | number[], 'int32'))],
  })) as (x: tf.Tensor) => tf.Tensor;
  return op(values) as tf.Tensor1D;
}
