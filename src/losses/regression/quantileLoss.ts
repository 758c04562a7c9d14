import * as tf from '@tensorflow/tfjs-core';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import { meanOverOutputs, regressionInputs } from '../_shared/regression.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { checkOptions } from '../_shared/validate.js';

const NAME = 'quantileLoss';

export interface QuantileLossOptions extends ReductionOptions {
  /** τ in [0, 1]: the quantile level the prediction estimates. @defaultValue `0.5` (the median) */
  quantile?: number;
}

const PARAMS: ParamSpecs = {
  quantile: { kind: 'number', default: 0.5, min: 0, max: 1, doc: 'τ: the conditional quantile the prediction estimates (0.5: the median)' },
};

/**
 * Quantile (pinball) loss of real-valued predictions.
 *
 * Per element, with e = y − ŷ (target minus prediction), and per sample the mean over D outputs
 * (D = 1 for `[N]` inputs):
 *
 *     ρ_τ(e) = max(τ e, (τ − 1) e) = τ·max(e, 0) + (1 − τ)·max(−e, 0)
 *     ℓ_i    = (1/D) Σ_d ρ_τ(e_id)
 *
 * Under-prediction costs τ per unit and over-prediction 1 − τ, so the minimiser is the τ-quantile of
 * the target's conditional distribution; τ = 0.5 is half the absolute error (the median). The gradient
 * is taken as 0 at e = 0. Finite for any finite inputs. τ in [0, 1] as in TensorFlow Addons'
 * `pinball_loss`; at τ = 0 or 1 only one side is penalised.
 *
 * @param yTrue - Targets `[N]` or `[N, D]`; `[N]` against `[N, 1]` (and the reverse) is accepted.
 * @param yPred - Predictions of the same shape.
 * @returns A scalar, or `[N]` (the mean over the last axis for `[N, D]`) with `reduction: 'none'`.
 *
 * @example
 * quantileLoss([0, 0, 1, 1], [1, 1, 1, 0], { quantile: 0.1 }).print(); // 0.475
 *
 * @see R. Koenker, G. Bassett, Regression Quantiles, Econometrica 46(1), 1978,
 * https://doi.org/10.2307/1913643; TensorFlow Addons `tfa.losses.pinball_loss`, whose values this reproduces.
 */
function quantileLoss_(yTrue: TensorInput, yPred: TensorInput, options: QuantileLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { quantile = 0.5 } = options;
  const { targets, predictions } = regressionInputs(NAME, yTrue, yPred);
  const e = tf.sub(targets, predictions);
  const rho = tf.add(tf.mul(quantile, tf.relu(e)), tf.mul(1 - quantile, tf.relu(tf.neg(e))));
  return reduce(NAME, meanOverOutputs(rho), options);
}

export const quantileLoss = /* @__PURE__ */ tf.op({ quantileLoss_ });

export const quantileLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'regression',
  summary: 'Quantile (pinball) loss: fits the τ-quantile of the target',
  formula: 'ℓ = mean_d max(τ e_d, (τ − 1) e_d),  e = y − ŷ',
  fn: quantileLoss,
  target: 'real',
  prediction: 'real',
  tasks: ['regression'],
  params: PARAMS,
  properties: ['nonNegative'],
  reference: 'R. Koenker, G. Bassett, Regression Quantiles, Econometrica 46(1), 1978, https://doi.org/10.2307/1913643',
};
