import * as tf from '@tensorflow/tfjs-core';

const detached: (x: tf.Tensor) => tf.Tensor = tf.customGrad((x) => ({
  value: tf.clone(x as tf.Tensor),
  gradFunc: (dy) => [tf.zerosLike(dy as tf.Tensor)],
})) as (x: tf.Tensor) => tf.Tensor;

/**
 * The identity in value with a zero gradient: tfjs-core has no `stopGradient`. Used where a
 * quantity computed from the predictions is a constant of the objective (detached state).
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return detached(x) as T;
}
