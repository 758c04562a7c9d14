import * as tf from '@tensorflow/tfjs-core';
import { fail, formatShape } from './errors.js';
import { type TensorInput, toFloat } from './to-tensor.js';
import { checkNotEmpty, checkRank, checkValuesInRange } from './validate.js';

export interface BinaryTargets {
  /** Scores (logits), float32, of the caller's shape. */
  scores: tf.Tensor;
  /** Targets in [0, 1], float32, of the scores' shape. */
  targets: tf.Tensor;
}

/**
 * Reads binary targets against scores: `yTrue` holds {0, 1} (or soft values in [0, 1]) and has the
 * scores' shape; `[N]` against `[N, 1]` (and the reverse) is accepted, as tfjs-layers models output `[N, 1]`.
 * `ranks` lists the ranks the scores may have.
 */
export function binaryTargets(fn: string, yTrue: TensorInput, yPred: TensorInput, predName: string, ranks: readonly number[] = [1, 2]): BinaryTargets {
  const scores = toFloat(fn, predName, yPred);
  checkRank(fn, predName, scores, ranks);
  checkNotEmpty(fn, predName, scores);
  let targets = toFloat(fn, 'yTrue', yTrue);
  if (!tf.util.arraysEqual(targets.shape, scores.shape)) {
    const sameColumn = targets.size === scores.size && targets.shape[0] === scores.shape[0] && Math.max(targets.rank, scores.rank) === 2 && Math.min(targets.rank, scores.rank) === 1 && targets.size === targets.shape[0];
    if (!sameColumn) fail(fn, `\`yTrue\` and \`${predName}\``, 'have the same shape', `${formatShape(targets.shape)} and ${formatShape(scores.shape)}`);
    targets = tf.reshape(targets, scores.shape);
  }
  checkValuesInRange(fn, 'yTrue', targets, 0, 1);
  return { scores, targets };
}
