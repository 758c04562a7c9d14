import * as tf from '@tensorflow/tfjs-core';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import { absoluteValue, meanOverOutputs, regressionInputs } from '../_shared/regression.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { checkOptions } from '../_shared/validate.js';

const NAME = 'huberLoss';

export interface HuberLossOptions extends ReductionOptions {
  /** δ > 0: the residual size where the loss turns from quadratic to linear. @defaultValue `1` */
  delta?: number;
}

const PARAMS: ParamSpecs = {
  delta: { kind: 'number', default: 1, min: 0, exclusiveMin: true, doc: 'δ: residuals up to δ are squared, larger ones count linearly' },
};

/**
 * Huber loss of real-valued predictions: quadratic for small residuals, linear for large ones.
 *
 * Per element, with x = ŷ − y, and per sample the mean over D outputs (D = 1 for `[N]` inputs):
 *
 *     h(x) = ½ x²               if |x| <= δ
 *          = δ (|x| − ½ δ)       if |x| > δ
 *     ℓ_i  = (1/D) Σ_d h(x_id)
 *
 * The gradient is x inside the band and δ·sign(x) outside: squared-error fitting for typical residuals,
 * with the pull of outliers capped at δ. Both branches meet with equal value ½δ² and slope δ at |x| = δ.
 * Computed as ½ q² + δ (|x| − q) with q = min(|x|, δ), as optax does, which is finite for any finite x.
 * Keras and optax use the same formula and δ = 1; PyTorch's `SmoothL1Loss` with β is this divided by β.
 *
 * @param yTrue - Targets `[N]` or `[N, D]`; `[N]` against `[N, 1]` (and the reverse) is accepted.
 * @param yPred - Predictions of the same shape.
 * @returns A scalar, or `[N]` (the mean over the last axis for `[N, D]`) with `reduction: 'none'`.
 *
 * @example
 * huberLoss([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]).print(); // 0.155
 *
 * @see P. J. Huber, Robust Estimation of a Location Parameter, The Annals of Mathematical Statistics
 * 35(1), 1964, https://doi.org/10.1214/aoms/1177703732; Keras `tf.keras.losses.Huber` and optax
 * `huber_loss` (δ = 1), whose values this reproduces.
 */
function huberLoss_(yTrue: TensorInput, yPred: TensorInput, options: HuberLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { delta = 1 } = options;
  const { targets, predictions } = regressionInputs(NAME, yTrue, yPred);
  const a = absoluteValue(tf.sub(predictions, targets));
  const q = tf.minimum(a, delta);
  const h = tf.add(tf.mul(0.5, tf.square(q)), tf.mul(delta, tf.sub(a, q)));
  return reduce(NAME, meanOverOutputs(h), options);
}

export const huberLoss = /* @__PURE__ */ tf.op({ huberLoss_ });

export const huberLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'regression',
  summary: 'Huber loss: squared error for small residuals, absolute error beyond δ',
  formula: 'h(x) = ½x² if |x| ≤ δ, δ(|x| − ½δ) otherwise;  x = ŷ − y,  ℓ = mean_d h(x_d)',
  fn: huberLoss,
  target: 'real',
  prediction: 'real',
  tasks: ['regression'],
  params: PARAMS,
  properties: ['nonNegative'],
  reference: 'P. J. Huber, Robust Estimation of a Location Parameter, The Annals of Mathematical Statistics 35(1), 1964, https://doi.org/10.1214/aoms/1177703732',
};
