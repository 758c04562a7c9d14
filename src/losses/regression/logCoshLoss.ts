import * as tf from '@tensorflow/tfjs-core';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import { absoluteValue, meanOverOutputs, regressionInputs } from '../_shared/regression.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { checkOptions } from '../_shared/validate.js';

const NAME = 'logCoshLoss';

export interface LogCoshLossOptions extends ReductionOptions {}

const PARAMS: ParamSpecs = {};

/**
 * Log-cosh loss of real-valued predictions: the logarithm of the hyperbolic cosine of the residual.
 *
 * Per element, with x = ŷ − y, and per sample the mean over D outputs (D = 1 for `[N]` inputs):
 *
 *     log cosh(x) = |x| + softplus(−2|x|) − log 2
 *     ℓ_i = (1/D) Σ_d log cosh(x_id)
 *
 * It is ≈ x²/2 for small |x| and ≈ |x| − log 2 for large |x|, with gradient tanh(x): a smooth Huber-like
 * loss, twice differentiable everywhere, whose pull saturates at 1 for outliers. The form above never
 * evaluates cosh, which overflows float32 beyond |x| ≈ 89, so value and gradient stay finite for any
 * finite x. Like Keras and optax, it subtracts terms near log 2, so for |x| below about 1e-3 the float32
 * value is accurate to about 1e-7 in absolute terms rather than relative ones.
 *
 * @param yTrue - Targets `[N]` or `[N, D]`; `[N]` against `[N, 1]` (and the reverse) is accepted.
 * @param yPred - Predictions of the same shape.
 * @returns A scalar, or `[N]` (the mean over the last axis for `[N, D]`) with `reduction: 'none'`.
 *
 * @example
 * logCoshLoss([[0, 1], [0, 0]], [[1, 1], [0, 0]]).print(); // 0.108445
 *
 * @see R. A. Saleh, A. K. Md. E. Saleh, Statistical Properties of the log-cosh Loss Function Used in
 * Machine Learning, arXiv 2022, https://arxiv.org/abs/2208.04564; Keras `tf.keras.losses.LogCosh` and
 * optax `log_cosh`, whose values this reproduces.
 */
function logCoshLoss_(yTrue: TensorInput, yPred: TensorInput, options: LogCoshLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { targets, predictions } = regressionInputs(NAME, yTrue, yPred);
  const a = absoluteValue(tf.sub(predictions, targets));
  const logCosh = tf.sub(tf.add(a, tf.softplus(tf.mul(-2, a))), Math.LN2);
  return reduce(NAME, meanOverOutputs(logCosh), options);
}

export const logCoshLoss = /* @__PURE__ */ tf.op({ logCoshLoss_ });

export const logCoshLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'regression',
  summary: 'Log-cosh loss: ≈ x²/2 for small residuals, ≈ |x| − log 2 for large ones',
  formula: 'ℓ = mean_d log cosh(ŷ_d − y_d),  log cosh(x) = |x| + softplus(−2|x|) − log 2',
  fn: logCoshLoss,
  target: 'real',
  prediction: 'real',
  tasks: ['regression'],
  params: PARAMS,
  properties: ['nonNegative'],
  reference: 'R. A. Saleh, A. K. Md. E. Saleh, Statistical Properties of the log-cosh Loss Function Used in Machine Learning, arXiv 2022, https://arxiv.org/abs/2208.04564',
};
