import * as tf from '@tensorflow/tfjs-core';

/*
 * Gather and segment-sum on a flat vector with first-order gradients that every backend can run.
 * tfjs' own gradient of tf.gather uses the UnsortedSegmentSum kernel, which the wasm backend lacks;
 * these use GatherV2 and ScatterNd (which sums duplicate indices) in both directions instead.
 */

/** `x[indices]` for a flat `x [N]`; its gradient scatter-adds back into `[N]`. */
export function gatherFlat(x: tf.Tensor1D, indices: Int32Array | readonly number[]): tf.Tensor1D {
  const idx = tf.tensor1d(indices as Int32Array | number[], 'int32');
  const n = x.shape[0];
  const op = tf.customGrad((input, save) => {
    (save as tf.GradSaveFunc)([idx]);
    return {
      value: tf.gather(input as tf.Tensor, idx),
      gradFunc: (dy, saved) => [tf.scatterND(tf.expandDims((saved as tf.Tensor[])[0]!, 1), dy as tf.Tensor, [n])],
    };
  }) as (x: tf.Tensor) => tf.Tensor;
  return op(x) as tf.Tensor1D;
}

/** `out[g] = Σ_{k: segmentIds[k] = g} values[k]` for `g < numSegments` (empty segments are 0); gradient `dy[segmentIds]`. */
export function segmentSum(values: tf.Tensor1D, segmentIds: Int32Array | readonly number[], numSegments: number): tf.Tensor1D {
  const ids = tf.tensor1d(segmentIds as Int32Array | number[], 'int32');
  const op = tf.customGrad((input, save) => {
    (save as tf.GradSaveFunc)([ids]);
    return {
      value: tf.scatterND(tf.expandDims(ids, 1), input as tf.Tensor, [numSegments]),
      gradFunc: (dy, saved) => [tf.gather(dy as tf.Tensor, (saved as tf.Tensor[])[0]!)],
    };
  }) as (x: tf.Tensor) => tf.Tensor;
  return op(values) as tf.Tensor1D;
}
