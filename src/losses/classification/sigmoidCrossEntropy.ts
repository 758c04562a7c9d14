import * as tf from '@tensorflow/tfjs-core';
import { binaryTargets } from '../_shared/binary-targets.js';
import { checkNumberOrVector } from '../_shared/number-or-vector.js';
import { logSigmoid } from '../_shared/numerics.js';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { checkOptions } from '../_shared/validate.js';

const NAME = 'sigmoidCrossEntropy';

export interface SigmoidCrossEntropyOptions extends ReductionOptions {
  /**
   * Weight p of the positive term, a number or one per column `[K]`, each > 0: PyTorch
   * `BCEWithLogitsLoss(pos_weight)`, `tf.nn.weighted_cross_entropy_with_logits(pos_weight)`.
   * p > 1 raises recall, p < 1 raises precision; negatives/positives is the usual choice.
   * @defaultValue `1`
   */
  posWeight?: number | readonly number[] | TensorInput;
  /** ε: targets become `t (1 − ε) + ε / 2`, as in Keras and tfjs. @defaultValue `0` */
  labelSmoothing?: number;
}

const PARAMS: ParamSpecs = {
  posWeight: { kind: 'data', type: 'number > 0, or number[] (one per column, each > 0)', default: 1, doc: 'weight of the positive term (PyTorch pos_weight); negatives/positives balances classes' },
  labelSmoothing: { kind: 'number', default: 0, min: 0, max: 1, doc: 'ε: targets become t(1−ε) + ε/2' },
};

/**
 * Sigmoid (binary) cross-entropy on logits, for binary and multi-label classification.
 *
 * With p = σ(z), targets t ∈ [0, 1] (smoothed to t(1−ε) + ε/2) and positive weight w_+, per element:
 *
 *     ℓ = −w_+ · t · log σ(z) − (1 − t) · log σ(−z)
 *       = w_+ · t · softplus(−z) + (1 − t) · softplus(z)
 *       = max(z, 0) − z·t + log(1 + e^{−|z|})        (w_+ = 1)
 *
 * Its gradient is σ(z) − t (for w_+ = 1), so it never saturates while the prediction is wrong.
 * Taken through softplus, the value and gradient are finite for logits of any finite size.
 * With `reduction: 'mean'` every element counts once: for `[N, K]` multi-label logits the mean runs
 * over all N·K entries, as in Keras and tfjs (not a per-sample sum over the K labels).
 *
 * @param yTrue - Targets in [0, 1] ({0, 1}, or soft) of the logits' shape; `[N]` against `[N, 1]` is accepted.
 * @param logits - `[N]` or `[N, 1]` (binary), or `[N, K]` (K independent labels).
 * @returns A scalar, or per-element losses of the logits' shape with `reduction: 'none'`.
 *
 * @example
 * sigmoidCrossEntropy([1, 0], [2, 1]).print(); // 0.720095
 *
 * @see D. R. Cox, The Regression Analysis of Binary Sequences, Journal of the Royal Statistical
 * Society B 20(2), 1958. The positive weight follows PyTorch `BCEWithLogitsLoss(pos_weight)`.
 */
function sigmoidCrossEntropy_(yTrue: TensorInput, logits: TensorInput, options: SigmoidCrossEntropyOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { posWeight = 1, labelSmoothing = 0 } = options;
  const { scores: z, targets } = binaryTargets(NAME, yTrue, logits, 'logits');
  const columns = z.rank === 2 ? (z.shape[1] as number) : 1;
  const w = checkNumberOrVector(NAME, 'posWeight', posWeight, columns, { min: 0, exclusiveMin: true }, 'column');
  const t = labelSmoothing > 0 ? tf.add(tf.mul(targets, 1 - labelSmoothing), labelSmoothing / 2) : targets;
  // −log σ(z) = softplus(−z), −log σ(−z) = softplus(z): finite for any finite z.
  let positive = tf.mul(t, tf.neg(logSigmoid(z)));
  if (typeof w !== 'number') positive = tf.mul(positive, z.rank === 2 ? tf.tensor1d(w) : tf.scalar(w[0] as number));
  else if (w !== 1) positive = tf.mul(positive, w);
  const negative = tf.mul(tf.sub(1, t), tf.neg(logSigmoid(tf.neg(z))));
  return reduce(NAME, tf.add(positive, negative), options);
}

export const sigmoidCrossEntropy = /* @__PURE__ */ tf.op({ sigmoidCrossEntropy_ });

export const sigmoidCrossEntropySpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'classification',
  summary: 'Sigmoid (binary / multi-label) cross-entropy on logits',
  formula: 'ℓ = −w₊ t log σ(z) − (1 − t) log σ(−z)',
  fn: sigmoidCrossEntropy,
  target: 'binary',
  prediction: 'binaryLogits',
  tasks: ['binary'],
  params: PARAMS,
  properties: ['nonNegative'],
  reference: 'D. R. Cox, The Regression Analysis of Binary Sequences, J. Royal Statistical Society B 20(2), 1958; pos_weight as in PyTorch BCEWithLogitsLoss',
};
