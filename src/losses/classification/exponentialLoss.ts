import * as tf from '@tensorflow/tfjs-core';
import { binaryTargets } from '../_shared/binary-targets.js';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { checkOptions } from '../_shared/validate.js';

const NAME = 'exponentialLoss';

export interface ExponentialLossOptions extends ReductionOptions {}

const PARAMS: ParamSpecs = {};

/**
 * Exponential loss on scores (logits), the loss AdaBoost minimises.
 *
 * Labels t ∈ {0, 1} are mapped to y = 2t − 1 ∈ {−1, +1}; per element:
 *
 *     ℓ = exp(−y·z)
 *
 * and, for soft labels t ∈ [0, 1], its expectation over y, ℓ = t·e^{−z} + (1 − t)·e^{z} (equal to the
 * above for t ∈ {0, 1}), whose minimiser is z = ½·log(t / (1 − t)): half the log-odds, as for boosting.
 * The gradient −y·e^{−y·z} grows exponentially with the violation, which makes the loss very sensitive to
 * mislabelled points. It is not bounded: in float32 the value and the gradient overflow to Infinity once
 * y·z < −88.7 (e^{88.7} ≈ 3.4e38), e.g. for a wrong logit of ±1e4; nothing is clamped, so clip the
 * logits or the gradient norm where that can happen. Correct logits of any size give 0 and a 0 gradient.
 *
 * @param yTrue - Labels {0, 1} (or soft, in [0, 1]) of the logits' shape; `[N]` against `[N, 1]` is accepted.
 * @param logits - Scores `[N]`, `[N, 1]`, or `[N, K]` (K independent labels).
 * @returns A scalar, or per-element losses of the logits' shape with `reduction: 'none'`.
 *
 * @example
 * exponentialLoss([1, 0], [0.5, -1]).print(); // 0.487205
 *
 * @see Y. Freund, R. E. Schapire, A Decision-Theoretic Generalization of On-Line Learning and an
 * Application to Boosting, J. Computer and System Sciences 55(1), 1997, https://doi.org/10.1006/jcss.1997.1504;
 * J. Friedman, T. Hastie, R. Tibshirani, Additive Logistic Regression: a Statistical View of Boosting,
 * Annals of Statistics 28(2), 2000; used as a baseline by B. Dai, EnsLoss: Stochastic Calibrated Loss
 * Ensembles for Preventing Overfitting in Classification, ICML 2025, https://arxiv.org/abs/2409.00908
 */
function exponentialLoss_(yTrue: TensorInput, logits: TensorInput, options: ExponentialLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { scores: z, targets } = binaryTargets(NAME, yTrue, logits, 'logits');
  // t·e^{−z} as e^{log t − z}: a zero weight is log 0 = −Infinity, so e^{+1e4} never meets a 0 (no 0·Infinity = NaN).
  const positive = tf.exp(tf.sub(tf.log(targets), z));
  const negative = tf.exp(tf.add(tf.log1p(tf.neg(targets)), z));
  return reduce(NAME, tf.add(positive, negative), options);
}

export const exponentialLoss = /* @__PURE__ */ tf.op({ exponentialLoss_ });

export const exponentialLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'classification',
  summary: 'Exponential (AdaBoost) loss on scores, {0, 1} labels mapped to ±1',
  formula: 'ℓ = exp(−y z),  y = 2t − 1',
  fn: exponentialLoss,
  target: 'binary',
  prediction: 'binaryLogits',
  tasks: ['binary'],
  params: PARAMS,
  properties: ['nonNegative'],
  reference: 'Y. Freund, R. E. Schapire, A Decision-Theoretic Generalization of On-Line Learning and an Application to Boosting, J. Computer and System Sciences 55(1), 1997, https://doi.org/10.1006/jcss.1997.1504',
  seed: 4,
};
