import * as tf from '@tensorflow/tfjs-core';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import { meanOverOutputs, regressionInputs } from '../_shared/regression.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { checkOptions } from '../_shared/validate.js';

const NAME = 'meanSquaredError';

export interface MeanSquaredErrorOptions extends ReductionOptions {}

const PARAMS: ParamSpecs = {};

/**
 * Mean squared error (L2 loss) of real-valued predictions.
 *
 * Per sample i, with D outputs (D = 1 for `[N]` inputs):
 *
 *     ℓ_i = (1/D) Σ_d (ŷ_id − y_id)²
 *
 * Its gradient 2(ŷ − y)/D grows with the error, so the fit is pulled hardest by the largest residuals
 * (outliers included); its minimiser is the conditional mean. Finite for any finite inputs whose
 * squared differences fit in float32 (|ŷ − y| < 1.8e19).
 *
 * @param yTrue - Targets `[N]` or `[N, D]`; `[N]` against `[N, 1]` (and the reverse) is accepted.
 * @param yPred - Predictions of the same shape.
 * @returns A scalar, or `[N]` (the mean over the last axis for `[N, D]`) with `reduction: 'none'`.
 *
 * @example
 * meanSquaredError([[0, 1], [0, 0]], [[1, 1], [1, 0]]).print(); // 0.5
 *
 * @see C. M. Bishop, Pattern Recognition and Machine Learning, Springer 2006, §1.5.5 (the squared loss
 * and the conditional mean); Keras `tf.keras.losses.MeanSquaredError`, whose per-sample value (mean over
 * the last axis) this follows.
 */
function meanSquaredError_(yTrue: TensorInput, yPred: TensorInput, options: MeanSquaredErrorOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { targets, predictions } = regressionInputs(NAME, yTrue, yPred);
  return reduce(NAME, meanOverOutputs(tf.squaredDifference(predictions, targets)), options);
}

export const meanSquaredError = /* @__PURE__ */ tf.op({ meanSquaredError_ });

export const meanSquaredErrorSpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'regression',
  summary: 'Mean squared error (L2) of real-valued predictions',
  formula: 'ℓ = mean_d (ŷ_d − y_d)²',
  fn: meanSquaredError,
  target: 'real',
  prediction: 'real',
  tasks: ['regression'],
  params: PARAMS,
  properties: ['nonNegative'],
  reference: 'Least squares; see C. M. Bishop, Pattern Recognition and Machine Learning, Springer 2006, §1.5.5',
};
