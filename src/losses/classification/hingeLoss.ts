import * as tf from '@tensorflow/tfjs-core';
import { binaryTargets } from '../_shared/binary-targets.js';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { checkOptions } from '../_shared/validate.js';

const NAME = 'hingeLoss';

export interface HingeLossOptions extends ReductionOptions {
  /** The margin m >= 0 below which a correct score is still penalised. @defaultValue `1` */
  margin?: number;
}

const PARAMS: ParamSpecs = {
  margin: { kind: 'number', default: 1, min: 0, doc: 'margin m: a score is penalised until y·z >= m' },
};

/**
 * Hinge loss on scores (logits), the loss of the soft-margin support vector machine.
 *
 * Labels t ∈ {0, 1} are mapped to y = 2t − 1 ∈ {−1, +1}, as `tf.losses.hingeLoss` does; per element:
 *
 *     ℓ = max(0, m − y·z)
 *
 * The gradient is −y while y·z < m and 0 beyond, so correctly classified elements with enough margin
 * stop contributing (the loss is not differentiable at y·z = m, where tfjs takes the gradient 0).
 * Labels are {0, 1} like tfjs, unlike optax's `hinge_loss`, which expects ±1 labels; soft labels in
 * [0, 1] map linearly to y = 2t − 1, as in tfjs. Finite in value and gradient for any finite scores.
 *
 * @param yTrue - Labels {0, 1} (or soft, in [0, 1]) of the logits' shape; `[N]` against `[N, 1]` is accepted.
 * @param logits - Scores `[N]`, `[N, 1]`, or `[N, K]` (K independent labels).
 * @returns A scalar, or per-element losses of the logits' shape with `reduction: 'none'`.
 *
 * @example
 * hingeLoss([1, 0], [0.3, -2]).print(); // 0.35
 *
 * @see C. Cortes, V. Vapnik, Support-Vector Networks, Machine Learning 20(3), 1995,
 * https://doi.org/10.1007/BF00994018; used as a baseline by B. Dai, EnsLoss: Stochastic Calibrated
 * Loss Ensembles for Preventing Overfitting in Classification, ICML 2025, https://arxiv.org/abs/2409.00908
 */
function hingeLoss_(yTrue: TensorInput, logits: TensorInput, options: HingeLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { margin = 1 } = options;
  const { scores: z, targets } = binaryTargets(NAME, yTrue, logits, 'logits');
  const y = tf.sub(tf.mul(targets, 2), 1); // {0, 1} → {−1, +1}
  return reduce(NAME, tf.relu(tf.sub(margin, tf.mul(y, z))), options);
}

export const hingeLoss = /* @__PURE__ */ tf.op({ hingeLoss_ });

export const hingeLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'classification',
  summary: 'Hinge (SVM) loss on scores, {0, 1} labels mapped to ±1',
  formula: 'ℓ = max(0, m − y z),  y = 2t − 1',
  fn: hingeLoss,
  target: 'binary',
  prediction: 'binaryLogits',
  tasks: ['binary'],
  params: PARAMS,
  properties: ['nonNegative'],
  reference: 'C. Cortes, V. Vapnik, Support-Vector Networks, Machine Learning 20(3), 1995, https://doi.org/10.1007/BF00994018',
  seed: 4,
};
