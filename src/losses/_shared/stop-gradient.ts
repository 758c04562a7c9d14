import * as tf from '@tensorflow/tfjs-core';

/**
 * The identity in value with a zero gradient: tfjs-core has no `stopGradient`. Used where a
 * quantity computed from the predictions is a constant of the objective (detached state).
 */
export const stopGradient: <T extends tf.Tensor>(x: T) => T = tf.customGrad((x) => ({
  value: tf.clone(x as tf.Tensor),
  gradFunc: (dy) => [tf.zerosLike(dy as tf.Tensor)],
})) as <T extends tf.Tensor>(x: T) => T;
