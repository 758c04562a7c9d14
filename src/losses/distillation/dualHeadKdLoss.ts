import * as tf from '@tensorflow/tfjs-core';
import { fail, formatShape } from '../_shared/errors.js';
import { readLogitPair } from '../_shared/logit-pairs.js';
import { softTargetNll } from '../_shared/numerics.js';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import { type TensorInput, toFloat, toTensor } from '../_shared/to-tensor.js';
import { checkClassIndices, checkOptions, checkSameShape } from '../_shared/validate.js';
import { binaryKl } from './binaryKlLoss.js';
import { softenedKl } from './kdLoss.js';

const NAME = 'dualHeadKdLoss';

export type DualHeadLogitLoss = 'binaryKlNorm' | 'binaryKl';

export interface DualHeadKdLossOptions extends ReductionOptions {
  /** The auxiliary head's logits `[N, C]` (same features, second linear classifier). Required. */
  auxLogits?: TensorInput;
  /** Class indices `[N]` (or `[N, 1]`) of the samples, for the main head's cross-entropy. Required. */
  labels?: TensorInput;
  /** γ >= 0: weight of the main head's cross-entropy. @defaultValue `1` */
  gamma?: number;
  /** α >= 0: weight of the auxiliary head's logit-level loss (1 on CIFAR-100, 0.1 on ImageNet in the paper's code). @defaultValue `1` */
  alpha?: number;
  /** T > 0 of the logit-level loss. @defaultValue `2` */
  temperature?: number;
  /** The logit-level loss on the auxiliary head. @defaultValue `'binaryKlNorm'` */
  logitLoss?: DualHeadLogitLoss;
  /** Weight >= 0 of a Hinton KD term on the main head (0 in the official code; see the doc). @defaultValue `0` */
  probKdWeight?: number;
  /** T > 0 of that KD term. @defaultValue `4` */
  kdTemperature?: number;
}

const PARAMS: ParamSpecs = {
  auxLogits: { kind: 'data', type: 'tensor [N, C] (the auxiliary head)', required: true, shape: 'likePrediction', doc: "the auxiliary head's logits, trained by the logit-level loss" },
  labels: { kind: 'data', type: 'integer[] [N] (class indices)', required: true, shape: 'rowLabels', doc: "class indices for the main head's cross-entropy" },
  gamma: { kind: 'number', default: 1, min: 0, doc: "γ: weight of the main head's cross-entropy" },
  alpha: { kind: 'number', default: 1, min: 0, doc: "α: weight of the auxiliary head's logit-level loss (1 CIFAR-100, 0.1 ImageNet)" },
  temperature: { kind: 'number', default: 2, min: 0, exclusiveMin: true, doc: 'T of the logit-level loss' },
  logitLoss: { kind: 'choice', default: 'binaryKlNorm', choices: ['binaryKlNorm', 'binaryKl'], doc: 'logit-level loss on the auxiliary head' },
  probKdWeight: { kind: 'number', default: 0, min: 0, doc: 'weight of a softmax KD term on the main head (0 in the official code)' },
  kdTemperature: { kind: 'number', default: 4, min: 0, exclusiveMin: true, doc: 'T of the main-head KD term' },
};

/** One-hot rows `[N, C]` of class indices `[N]` or `[N, 1]`, checked against the main head's logits. */
function readLabels(labels: TensorInput | undefined, logits: tf.Tensor2D): tf.Tensor2D {
  if (labels === undefined) fail(NAME, '`labels`', 'be given (class indices [N] for the main head)', 'undefined');
  const [n, c] = logits.shape;
  const y = toTensor(NAME, 'labels', labels);
  const isColumn = y.rank === 1 || (y.rank === 2 && y.shape[1] === 1);
  if (!isColumn || y.shape[0] !== n) fail(NAME, '`labels`', `hold one class index per row of \`mainLogits\` [${n}]`, `shape ${formatShape(y.shape)}`);
  checkClassIndices(NAME, 'labels', y, c);
  return tf.cast(tf.oneHot(tf.cast(tf.reshape(y, [n]), 'int32'), c), 'float32') as tf.Tensor2D;
}

/**
 * Dual-Head Knowledge Distillation (DHKD): the student gets two linear heads on the same features;
 * the main head learns from the labels (probability level), the auxiliary head from the teacher's
 * logits (logit level), so the two losses no longer fight over one classifier.
 *
 * With the main head's logits m, the auxiliary head's logits a, teacher logits t and label y, per
 * sample:
 *
 *     ℓ = γ · CE(m, y) + α · L_logit(t, a) + w_kd · T_kd² KL(softmax(t/T_kd) ‖ softmax(m/T_kd))
 *     L_logit = T² Σ_k log cosh((a_k − t_k)/(2T))                            ('binaryKlNorm', default)
 *             = T² Σ_k KL(Bern(σ(t_k/T)) ‖ Bern(σ(a_k/T)))                  ('binaryKl')
 *
 * Why two heads: the paper shows that adding a logit-level loss such as BinaryKL to the
 * cross-entropy on a single head hurts accuracy, because near neural collapse the two gradients
 * pull the linear classifier in conflicting directions while they agree on the backbone; a second
 * head takes the logit-level gradient, and the backbone still benefits from both. At test time
 * only the main head is used.
 *
 * Defaults follow the official code's `--distill dhkd` (γ = 1, α = 1 on CIFAR-100, T = 2,
 * BinaryKL-Norm). The paper motivates combining probability-level losses (CE and KD) on the main
 * head, but the released code puts only the cross-entropy there; `probKdWeight` (default 0, as in
 * the code) adds the softmax KD term, which is the unverified part of the paper's final objective.
 * The code's optional gradient alignment (`--ga`, projecting task gradients that conflict with the
 * cross-entropy's) acts on parameter gradients and is not part of the loss.
 *
 * Argument order: the target (the teacher's logits) first, the prediction (the main head) second;
 * the auxiliary head and the labels are options, both required. Gradients flow into `auxLogits`
 * as into `mainLogits` when both come from the model being trained. Finite in value and gradient
 * for logits of any finite size.
 *
 * @param teacherLogits - The teacher's logits `[N, C]`.
 * @param mainLogits - The student's main head `[N, C]`, C >= 2.
 * @returns A scalar, or `[N]` with `reduction: 'none'`.
 *
 * @example
 * dualHeadKdLoss(teacherLogits, mainLogits, { auxLogits, labels }); // CE(main) + BinaryKL-Norm(aux, teacher)
 *
 * @see P. Yang, C. Zong, S.-J. Huang, L. Feng, B. An, Dual-Head Knowledge Distillation: Enhancing
 * Logits Utilization with an Auxiliary Head, arXiv 2024, https://arxiv.org/abs/2411.08937 (official
 * code `penghui-yang/DHKD`, `helper/loops.py`).
 */
function dualHeadKdLoss_(teacherLogits: TensorInput, mainLogits: TensorInput, options: DualHeadKdLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { auxLogits, labels, gamma = 1, alpha = 1, temperature = 2, logitLoss = 'binaryKlNorm', probKdWeight = 0, kdTemperature = 4 } = options;
  const { teacher, student: main } = readLogitPair(NAME, teacherLogits, mainLogits, 2, 'teacherLogits', 'mainLogits');
  if (auxLogits === undefined) fail(NAME, '`auxLogits`', 'be given (the auxiliary head, of the shape of `mainLogits`)', 'undefined');
  const aux = toFloat(NAME, 'auxLogits', auxLogits);
  checkSameShape(NAME, 'auxLogits', aux, 'mainLogits', main);
  const targets = readLabels(labels, main);

  let losses = tf.add(tf.mul(softTargetNll(targets, main), gamma), tf.mul(binaryKl(teacher, aux, temperature, logitLoss === 'binaryKlNorm'), alpha));
  if (probKdWeight > 0) losses = tf.add(losses, tf.mul(softenedKl(teacher, main, kdTemperature), probKdWeight));
  return reduce(NAME, losses, options);
}

export const dualHeadKdLoss = /* @__PURE__ */ tf.op({ dualHeadKdLoss_ });

export const dualHeadKdLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'distillation',
  summary: 'Dual-head KD: cross-entropy on the main head, BinaryKL(-Norm) to the teacher on an auxiliary head',
  formula: 'ℓ = γ CE(m, y) + α T² Σ_k log cosh((a_k − t_k)/(2T)) [+ w_kd T_kd² KL(softmax(t/T_kd) ‖ softmax(m/T_kd))]',
  fn: dualHeadKdLoss,
  target: 'teacherLogits',
  prediction: 'logits',
  tasks: [],
  params: PARAMS,
  properties: ['nonNegative'],
  reference: 'P. Yang, C. Zong, S.-J. Huang, L. Feng, B. An, "Dual-Head Knowledge Distillation: Enhancing Logits Utilization with an Auxiliary Head", arXiv 2024, https://arxiv.org/abs/2411.08937',
  seed: 10,
};
