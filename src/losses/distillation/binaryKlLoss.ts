import * as tf from '@tensorflow/tfjs-core';
import { readLogitPair } from '../_shared/logit-pairs.js';
import { logSigmoid } from '../_shared/numerics.js';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { checkOptions } from '../_shared/validate.js';

const NAME = 'binaryKlLoss';

export interface BinaryKlLossOptions extends ReductionOptions {
  /** T > 0: logits are divided by T before the sigmoid; the loss is multiplied by T². @defaultValue `2` */
  temperature?: number;
  /**
   * `true`: BinaryKL-Norm, T² Σ_k log cosh((s_k − t_k)/(2T)), the stabilised form DHKD trains with;
   * `false`: the plain BinaryKL between Bernoulli(σ(t_k/T)) and Bernoulli(σ(s_k/T)). @defaultValue `false`
   */
  normalized?: boolean;
}

const PARAMS: ParamSpecs = {
  temperature: { kind: 'number', default: 2, min: 0, exclusiveMin: true, doc: 'T: logits are divided by T before the sigmoid; the loss is scaled by T²' },
  normalized: { kind: 'boolean', default: false, doc: 'BinaryKL-Norm: T² Σ log cosh((s − t)/(2T)), the form DHKD trains with' },
};

/** log cosh x = x + softplus(−2x) − log 2: exact for every finite x, with the smooth gradient tanh x. */
function logCosh(x: tf.Tensor): tf.Tensor {
  return tf.sub(tf.add(x, tf.softplus(tf.mul(x, -2))), Math.LN2);
}

/**
 * Per-sample logit-level distillation loss of `[N, C]` logits, shape `[N]`: BinaryKL, or
 * BinaryKL-Norm when `normalized`. Shared with dualHeadKdLoss, whose auxiliary head it trains.
 */
export function binaryKl(teacher: tf.Tensor, student: tf.Tensor, temperature: number, normalized: boolean): tf.Tensor {
  const perClass = normalized
    ? logCosh(tf.div(tf.sub(student, teacher), 2 * temperature))
    : (() => {
        const t = tf.div(teacher, temperature);
        const s = tf.div(student, temperature);
        const logP = logSigmoid(t);
        const logNotP = logSigmoid(tf.neg(t));
        return tf.add(tf.mul(tf.exp(logP), tf.sub(logP, logSigmoid(s))), tf.mul(tf.exp(logNotP), tf.sub(logNotP, logSigmoid(tf.neg(s)))));
      })();
  return tf.mul(tf.sum(perClass, -1), temperature * temperature);
}

/**
 * Binary KL distillation loss (DHKD's logit-level loss): each class is an independent Bernoulli
 * variable, and the student's is matched to the teacher's.
 *
 * With teacher logits t and student logits s of one sample, p_k = σ(t_k/T) and q_k = σ(s_k/T):
 *
 *     BinaryKL:       ℓ = T² Σ_k [ p_k log(p_k/q_k) + (1 − p_k) log((1 − p_k)/(1 − q_k)) ]
 *     BinaryKL-Norm:  ℓ = T² Σ_k KL(Bern(½) ‖ Bern(σ((s_k − t_k)/T))) = T² Σ_k log cosh((s_k − t_k)/(2T))
 *
 * Unlike the softmax KL of kdLoss, neither is invariant to adding a constant to a row, so the
 * student matches the teacher's logits themselves, not only their differences: BinaryKL-Norm is a
 * smooth, Huber-like loss on s − t (quadratic, (s − t)²/8, near 0 and linear, T|s − t|/2, far
 * away), with gradient (T/2) tanh((s − t)/(2T)). The closed form of BinaryKL-Norm follows from
 * σ(x)σ(−x) = 1/(4 cosh²(x/2)). Both are computed from log-sigmoids and are finite, in value and
 * gradient, for logits of any finite size.
 *
 * The official code clamps both probabilities of BinaryKL to [1e-8, 1 − 1e-8]; that only changes
 * values where |logit|/T > ln(1e8) ≈ 18.4, where it also zeroes the gradient. Here the exact value
 * is kept there.
 *
 * Argument order: the target (the teacher's logits) first, the prediction (the student's) second.
 *
 * @param teacherLogits - The teacher's logits `[N, C]`.
 * @param studentLogits - The student's logits `[N, C]`, C >= 1.
 * @returns A scalar, or `[N]` with `reduction: 'none'`.
 *
 * @example
 * binaryKlLoss([[2, 1, -2], [0, 0, 1]], [[1, 2, -1], [0.5, 0, 0.3]]).print(); // 0.206355 (T = 2)
 * binaryKlLoss([[2, 1, -2], [0, 0, 1]], [[1, 2, -1], [0.5, 0, 0.3]], { normalized: true }).print(); // 0.231633
 *
 * @see P. Yang, C. Zong, S.-J. Huang, L. Feng, B. An, Dual-Head Knowledge Distillation: Enhancing
 * Logits Utilization with an Auxiliary Head, arXiv 2024, https://arxiv.org/abs/2411.08937 (official
 * code `penghui-yang/DHKD`, `distiller_zoo/BinaryKL.py` and `BinaryKLNorm.py`; T = 2 there).
 */
function binaryKlLoss_(teacherLogits: TensorInput, studentLogits: TensorInput, options: BinaryKlLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { temperature = 2, normalized = false } = options;
  const { teacher, student } = readLogitPair(NAME, teacherLogits, studentLogits, 1);
  return reduce(NAME, binaryKl(teacher, student, temperature, normalized), options);
}

export const binaryKlLoss = /* @__PURE__ */ tf.op({ binaryKlLoss_ });

export const binaryKlLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'distillation',
  summary: 'Binary (per-class Bernoulli) KL distillation on logits, plain or normalised (DHKD)',
  formula: 'ℓ = T² Σ_k KL(Bern(σ(t_k/T)) ‖ Bern(σ(s_k/T))); normalised: T² Σ_k log cosh((s_k − t_k)/(2T))',
  fn: binaryKlLoss,
  target: 'teacherLogits',
  prediction: 'logits',
  tasks: [],
  params: PARAMS,
  properties: ['nonNegative'],
  reference: 'P. Yang, C. Zong, S.-J. Huang, L. Feng, B. An, "Dual-Head Knowledge Distillation: Enhancing Logits Utilization with an Auxiliary Head", arXiv 2024, https://arxiv.org/abs/2411.08937',
  seed: 10,
};
