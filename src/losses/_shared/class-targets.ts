import * as tf from '@tensorflow/tfjs-core';
import { fail, formatShape } from './errors.js';
import type { ParamSpecs } from './spec.js';
import { type TensorInput, toFloat, toTensor } from './to-tensor.js';
import { checkClassIndices, checkNotEmpty, checkNumber, checkPositiveVector, checkRank, checkValuesInRange } from './validate.js';

/** The knobs every cross-entropy-type loss shares. */
export interface ClassTargetOptions {
  /** Per-class weights `[C]`: sample i is weighted by `classWeights[y_i]` (by `Σ_c w_c t_c` for soft targets). */
  classWeights?: TensorInput | readonly number[];
  /** ε: targets become `t (1 − ε) + ε / C`, as in Keras and tfjs. @defaultValue `0` */
  labelSmoothing?: number;
  /** Class index whose samples get zero loss, zero gradient and leave the mean's denominator. Index labels only. */
  ignoreIndex?: number;
}

/** Registry entries for the shared knobs, spread into each CE-type loss's `params`. */
export const CLASS_TARGET_PARAMS: ParamSpecs = {
  classWeights: { kind: 'data', type: 'number[] (one per class, >= 0)', doc: 'per-class weights; sample i weighs classWeights[y_i]' },
  labelSmoothing: { kind: 'number', default: 0, min: 0, max: 1, doc: 'ε: targets become t(1−ε) + ε/C' },
  ignoreIndex: { kind: 'data', type: 'integer', doc: 'class index whose samples are left out (index labels only)' },
};

export interface ClassTargets {
  /** Logits `[N, C]`, float32. */
  logits: tf.Tensor2D;
  /** Targets `[N, C]`, smoothed, with ignored rows all zero. */
  targets: tf.Tensor2D;
  /** Unsmoothed targets `[N, C]` (one-hot for index labels). */
  hardTargets: tf.Tensor2D;
  /** Per-sample weights `[N]` from `classWeights` and `ignoreIndex`, or undefined when neither is set. */
  sampleWeights: tf.Tensor1D | undefined;
}

/**
 * Reads `yTrue` as class indices `[N]` (or `[N, 1]`) or one-hot / soft targets `[N, C]`, against
 * logits `[N, C]`, and applies the shared knobs. Never guesses: the rank of `yTrue` decides.
 */
export function classTargets(fn: string, yTrue: TensorInput, logits: TensorInput, options: ClassTargetOptions = {}): ClassTargets {
  const { classWeights, labelSmoothing = 0, ignoreIndex } = options;
  const $logits = toFloat(fn, 'logits', logits);
  checkRank(fn, 'logits', $logits, [2]);
  checkNotEmpty(fn, 'logits', $logits);
  const [n, c] = $logits.shape as [number, number];
  if (c < 2) fail(fn, '`logits`', 'have at least 2 classes (use a sigmoid loss for one logit per sample)', `shape ${formatShape($logits.shape)}`);
  checkNumber(fn, 'labelSmoothing', labelSmoothing, { min: 0, max: 1 });
  if (ignoreIndex !== undefined) checkNumber(fn, 'ignoreIndex', ignoreIndex, { integer: true });
  const weightsPerClass = classWeights === undefined ? undefined : checkPositiveVector(fn, 'classWeights', classWeights, c);

  const $yTrue = toTensor(fn, 'yTrue', yTrue);
  const isIndex = $yTrue.rank === 1 || ($yTrue.rank === 2 && $yTrue.shape[1] === 1 && c !== 1);
  let hard: tf.Tensor2D;
  let valid: tf.Tensor1D | undefined;
  if (isIndex) {
    if ($yTrue.shape[0] !== n) {
      fail(fn, '`yTrue` and `logits`', 'have the same number of rows', `${formatShape($yTrue.shape)} and ${formatShape($logits.shape)}`);
    }
    checkClassIndices(fn, 'yTrue', $yTrue, c, ignoreIndex);
    const indices = tf.cast(tf.reshape($yTrue, [n]), 'int32');
    // tf.oneHot of an out-of-range index (the ignored class) is an all-zero row: zero loss, zero gradient.
    hard = tf.cast(tf.oneHot(indices, c), 'float32') as tf.Tensor2D;
    if (ignoreIndex !== undefined) valid = tf.cast(tf.notEqual(indices, ignoreIndex), 'float32') as tf.Tensor1D;
  } else {
    if ($yTrue.rank !== 2 || $yTrue.shape[0] !== n || $yTrue.shape[1] !== c) {
      fail(fn, '`yTrue`', `be class indices [${n}] or targets of the logits' shape ${formatShape($logits.shape)}`, `shape ${formatShape($yTrue.shape)}`);
    }
    if (ignoreIndex !== undefined) fail(fn, '`ignoreIndex`', 'be used with class-index labels (use `weights` to leave soft-target rows out)', `soft targets of shape ${formatShape($yTrue.shape)}`);
    checkValuesInRange(fn, 'yTrue', $yTrue, 0, 1);
    hard = ($yTrue.dtype === 'float32' ? $yTrue : tf.cast($yTrue, 'float32')) as tf.Tensor2D;
  }

  let targets = hard;
  if (labelSmoothing > 0) {
    targets = tf.add(tf.mul(hard, 1 - labelSmoothing), labelSmoothing / c) as tf.Tensor2D;
    if (valid !== undefined) targets = tf.mul(targets, tf.expandDims(valid, 1)) as tf.Tensor2D;
  }
  let sampleWeights = valid;
  if (weightsPerClass !== undefined) {
    const perSample = tf.sum(tf.mul(hard, tf.tensor1d(weightsPerClass)), 1) as tf.Tensor1D;
    sampleWeights = sampleWeights === undefined ? perSample : (tf.mul(sampleWeights, perSample) as tf.Tensor1D);
  }
  return { logits: $logits as tf.Tensor2D, targets, hardTargets: hard, sampleWeights };
}
