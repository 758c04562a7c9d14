import * as tf from '@tensorflow/tfjs-core';
import { CLASS_TARGET_PARAMS, type ClassTargetOptions, classTargets } from '../_shared/class-targets.js';
import { softTargetNll } from '../_shared/numerics.js';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import type { FunctionLossSpec } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { checkOptions } from '../_shared/validate.js';

export interface SoftmaxCrossEntropyOptions extends ClassTargetOptions, ReductionOptions {}

const PARAMS = { ...CLASS_TARGET_PARAMS };

/**
 * Softmax cross-entropy (categorical log loss) on logits.
 *
 * With targets t (one-hot from class indices, or soft rows; smoothed to t(1−ε) + ε/C), per sample:
 *
 *     ℓ_i = −Σ_c t_ic log softmax(z_i)_c = logsumexp(z_i) − Σ_c t_ic z_ic     (when Σ_c t_ic = 1)
 *
 * Its gradient is softmax(z_i) − t_i, so it never saturates while the prediction is wrong.
 * Computed through log-softmax, finite for logits of any finite size.
 *
 * @param yTrue - Class indices `[N]` (or `[N, 1]`), or one-hot / soft targets `[N, C]`.
 * @param logits - Unnormalised scores `[N, C]`, C >= 2.
 * @returns A scalar, or `[N]` with `reduction: 'none'`.
 *
 * @example
 * softmaxCrossEntropy([0], [[2, 0.5, -1]]).print(); // 0.241311
 */
function softmaxCrossEntropy_(yTrue: TensorInput, logits: TensorInput, options: SoftmaxCrossEntropyOptions = {}): tf.Tensor {
  checkOptions('softmaxCrossEntropy', PARAMS, options);
  const { logits: z, targets, sampleWeights } = classTargets('softmaxCrossEntropy', yTrue, logits, options);
  return reduce('softmaxCrossEntropy', softTargetNll(targets, z), options, sampleWeights);
}

export const softmaxCrossEntropy = /* @__PURE__ */ tf.op({ softmaxCrossEntropy_ });

export const softmaxCrossEntropySpec: FunctionLossSpec = {
  kind: 'function',
  id: 'softmaxCrossEntropy',
  family: 'classification',
  summary: 'Softmax cross-entropy (log loss) on logits',
  formula: 'ℓ = −Σ_c t_c log softmax(z)_c',
  fn: softmaxCrossEntropy,
  target: 'classIndex',
  prediction: 'logits',
  tasks: ['binary', 'multiclass'],
  params: PARAMS,
  properties: ['nonNegative', 'shiftInvariant'],
  reference: 'Standard multinomial logistic loss; see C. M. Bishop, Pattern Recognition and Machine Learning, Springer 2006, §4.3.4',
};
