import * as tf from '@tensorflow/tfjs-core';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import { absoluteValue, meanOverOutputs, regressionInputs } from '../_shared/regression.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { checkOptions } from '../_shared/validate.js';

const NAME = 'meanAbsoluteError';

export interface MeanAbsoluteErrorOptions extends ReductionOptions {}

const PARAMS: ParamSpecs = {};

/**
 * Mean absolute error (L1 loss) of real-valued predictions.
 *
 * Per sample i, with D outputs (D = 1 for `[N]` inputs):
 *
 *     ℓ_i = (1/D) Σ_d |ŷ_id − y_id|
 *
 * Its gradient sign(ŷ − y)/D has the same size for every residual, so a few large errors (outliers)
 * pull no harder than small ones; its minimiser is the conditional median. At ŷ = y the gradient is
 * taken as 0 (tf.abs alone would give −1 there). Finite for any finite inputs.
 *
 * @param yTrue - Targets `[N]` or `[N, D]`; `[N]` against `[N, 1]` (and the reverse) is accepted.
 * @param yPred - Predictions of the same shape.
 * @returns A scalar, or `[N]` (the mean over the last axis for `[N, D]`) with `reduction: 'none'`.
 *
 * @example
 * meanAbsoluteError([[0, 1], [0, 0]], [[1, 1], [1, 0]]).print(); // 0.5
 *
 * @see C. M. Bishop, Pattern Recognition and Machine Learning, Springer 2006, §1.5.5 (the Minkowski
 * loss with q = 1 and the conditional median); Keras `tf.keras.losses.MeanAbsoluteError`, whose
 * per-sample value (mean over the last axis) this follows.
 */
function meanAbsoluteError_(yTrue: TensorInput, yPred: TensorInput, options: MeanAbsoluteErrorOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { targets, predictions } = regressionInputs(NAME, yTrue, yPred);
  return reduce(NAME, meanOverOutputs(absoluteValue(tf.sub(predictions, targets))), options);
}

export const meanAbsoluteError = /* @__PURE__ */ tf.op({ meanAbsoluteError_ });

export const meanAbsoluteErrorSpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'regression',
  summary: 'Mean absolute error (L1) of real-valued predictions',
  formula: 'ℓ = mean_d |ŷ_d − y_d|',
  fn: meanAbsoluteError,
  target: 'real',
  prediction: 'real',
  tasks: ['regression'],
  params: PARAMS,
  properties: ['nonNegative'],
  reference: 'Least absolute deviations; see C. M. Bishop, Pattern Recognition and Machine Learning, Springer 2006, §1.5.5',
};
