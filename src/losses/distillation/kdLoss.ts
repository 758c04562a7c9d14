import * as tf from '@tensorflow/tfjs-core';
import { readLogitPair } from '../_shared/logit-pairs.js';
import { logSoftmax } from '../_shared/numerics.js';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { checkOptions } from '../_shared/validate.js';

const NAME = 'kdLoss';

export interface KdLossOptions extends ReductionOptions {
  /** T > 0: both logit rows are divided by T before the softmax; the loss is multiplied by T². @defaultValue `4` */
  temperature?: number;
}

const PARAMS: ParamSpecs = {
  temperature: { kind: 'number', default: 4, min: 0, exclusiveMin: true, doc: 'T: softmax temperature of teacher and student; the KL is scaled by T²' },
};

/**
 * Per-sample T² · KL(softmax(t/T) ‖ softmax(s/T)) of `[N, C]` logits, shape `[N]`: the one place the
 * Hinton distillation term is computed (dualHeadKdLoss adds it to its main head).
 */
export function softenedKl(teacher: tf.Tensor, student: tf.Tensor, temperature: number): tf.Tensor {
  const logP = logSoftmax(tf.div(teacher, temperature));
  const logQ = logSoftmax(tf.div(student, temperature));
  return tf.mul(tf.sum(tf.mul(tf.exp(logP), tf.sub(logP, logQ)), -1), temperature * temperature);
}

/**
 * Knowledge distillation loss (Hinton et al.): the KL divergence from the teacher's softened class
 * distribution to the student's, scaled by T².
 *
 * With teacher logits t and student logits s of one sample and p = softmax(t/T), q = softmax(s/T):
 *
 *     ℓ = T² · KL(p ‖ q) = T² Σ_c p_c (log p_c − log q_c)
 *     ∂ℓ/∂s = T (q − p)
 *
 * A high temperature spreads the teacher's probability over the wrong classes, whose relative sizes
 * (the "dark knowledge") are what the student learns beyond the label. The KL's own gradient
 * (q − p)/T shrinks like 1/T² for large T (q − p ≈ (s − t)/(C·T) once rows are centred), so the T²
 * factor keeps the gradient's size about independent of T, and the term can be mixed with a
 * cross-entropy on the labels without retuning its weight. It is zero exactly when the student's logits equal the teacher's up to a
 * constant per row. Computed with log-softmax, finite for logits of any finite size. Gradients also
 * flow into the teacher's logits when they come from a model being trained; pass a tensor computed
 * outside the gradient's closure to keep the teacher fixed.
 *
 * This is the distillation term alone (the official DHKD code's `DistillKL`, summed over classes and
 * averaged over the batch); the usual student objective adds a cross-entropy on the labels,
 * e.g. `softmaxCrossEntropy(labels, s)` plus α times this loss.
 *
 * Argument order: the target (the teacher's logits) first, the prediction (the student's) second,
 * as every losskit loss takes `(yTrue, yPred, options)`.
 *
 * @param teacherLogits - The teacher's logits `[N, C]`.
 * @param studentLogits - The student's logits `[N, C]`, C >= 2.
 * @returns A scalar, or `[N]` with `reduction: 'none'`.
 *
 * @example
 * kdLoss([[2, 1, -2], [0, 0, 1]], [[1, 2, -1], [0.5, 0, 0.3]]).print(); // 0.306618 (T = 4)
 *
 * @see G. Hinton, O. Vinyals, J. Dean, Distilling the Knowledge in a Neural Network, NIPS Deep
 * Learning Workshop 2014, https://arxiv.org/abs/1503.02531 — the default T = 4 is the `kd_T` of the
 * DHKD code (Yang et al., Dual-Head Knowledge Distillation, https://arxiv.org/abs/2411.08937).
 */
function kdLoss_(teacherLogits: TensorInput, studentLogits: TensorInput, options: KdLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { temperature = 4 } = options;
  const { teacher, student } = readLogitPair(NAME, teacherLogits, studentLogits, 2);
  return reduce(NAME, softenedKl(teacher, student, temperature), options);
}

export const kdLoss = /* @__PURE__ */ tf.op({ kdLoss_ });

export const kdLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'distillation',
  summary: 'Hinton knowledge distillation: T²-scaled KL from the softened teacher to the softened student',
  formula: 'ℓ = T² Σ_c p_c (log p_c − log q_c),  p = softmax(t/T), q = softmax(s/T)',
  fn: kdLoss,
  target: 'teacherLogits',
  prediction: 'logits',
  tasks: [],
  params: PARAMS,
  properties: ['nonNegative', 'shiftInvariant'],
  reference: 'G. Hinton, O. Vinyals, J. Dean, "Distilling the Knowledge in a Neural Network", NIPS Deep Learning Workshop 2014, https://arxiv.org/abs/1503.02531',
  seed: 10,
};
