import * as tf from '@tensorflow/tfjs-core';
import { logSigmoid } from './numerics.js';

/** Probabilities are clipped to [ε, 1 − ε] before the log when they are given as probabilities. */
const EPSILON = 1e-7;

/**
 * Per-pixel binary cross-entropy −y·log p − (1 − y)·log(1 − p), same shape as the inputs: from
 * logits through log-sigmoid (finite at any logit), or from probabilities clipped to [1e-7, 1 − 1e-7]
 * (the gradient is 0 beyond the clip).
 */
export function binaryPixelCrossEntropy(targets: tf.Tensor, raw: tf.Tensor, fromLogits: boolean): tf.Tensor {
  let logP: tf.Tensor;
  let logNotP: tf.Tensor;
  if (fromLogits) {
    logP = logSigmoid(raw);
    logNotP = logSigmoid(tf.neg(raw));
  } else {
    const p = tf.clipByValue(raw, EPSILON, 1 - EPSILON);
    logP = tf.log(p);
    logNotP = tf.log(tf.sub(1, p));
  }
  return tf.neg(tf.add(tf.mul(targets, logP), tf.mul(tf.sub(1, targets), logNotP)));
}
