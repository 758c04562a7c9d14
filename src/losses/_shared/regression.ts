import * as tf from '@tensorflow/tfjs-core';
import { fail, formatShape } from './errors.js';
import { type TensorInput, toFloat } from './to-tensor.js';
import { checkNotEmpty, checkRank } from './validate.js';

export interface RegressionInputs {
  /** Real-valued targets, float32, of the predictions' shape. */
  targets: tf.Tensor;
  /** Real-valued predictions, float32, `[N]` or `[N, D]`. */
  predictions: tf.Tensor;
}

/**
 * Reads real-valued targets against real-valued predictions of the same shape, `[N]` (one output) or
 * `[N, D]` (D outputs per sample). `[N]` against `[N, 1]` (and the reverse) is accepted, as tfjs-layers
 * models output `[N, 1]`; the targets then take the predictions' shape. Values are not checked: NaN
 * propagates as in tfjs.
 */
export function regressionInputs(fn: string, yTrue: TensorInput, yPred: TensorInput): RegressionInputs {
  const predictions = toFloat(fn, 'yPred', yPred);
  checkRank(fn, 'yPred', predictions, [1, 2]);
  checkNotEmpty(fn, 'yPred', predictions);
  let targets = toFloat(fn, 'yTrue', yTrue);
  if (!tf.util.arraysEqual(targets.shape, predictions.shape)) {
    const oneColumn =
      targets.size === predictions.size &&
      targets.shape[0] === predictions.shape[0] &&
      targets.size === targets.shape[0] &&
      Math.max(targets.rank, predictions.rank) === 2 &&
      Math.min(targets.rank, predictions.rank) === 1;
    if (!oneColumn) fail(fn, '`yTrue` and `yPred`', 'have the same shape', `${formatShape(targets.shape)} and ${formatShape(predictions.shape)}`);
    targets = tf.reshape(targets, predictions.shape);
  }
  return { targets, predictions };
}

/**
 * The per-sample value of an elementwise regression loss: `[N]` as it is, the mean over the last axis
 * of `[N, D]` (as Keras reduces its regression losses), so every sample weighs the same whatever D is.
 */
export function meanOverOutputs(elementwise: tf.Tensor): tf.Tensor {
  return elementwise.rank === 1 ? elementwise : tf.mean(elementwise, -1);
}

/**
 * |x| whose gradient is sign(x), 0 at x = 0 (the gradient of tf.abs is −1 there). x · sign(x) is |x|
 * exactly, and the gradient of sign is 0, so autodiff gives sign(x).
 */
export function absoluteValue(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.sign(x));
}
