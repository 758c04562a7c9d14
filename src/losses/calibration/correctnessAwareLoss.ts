import * as tf from '@tensorflow/tfjs-core';
import { fail, formatShape, formatValue } from '../_shared/errors.js';
import { logSoftmax } from '../_shared/numerics.js';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import { type TensorInput, toFloat, toTensor } from '../_shared/to-tensor.js';
import { checkClassIndices, checkNotEmpty, checkNumber, checkOptions, checkRank } from '../_shared/validate.js';

const NAME = 'correctnessAwareLoss';

export type CorrectnessAwareForm = 'mse' | 'bce';
export type CorrectnessAwareWeighting = 'balanced' | 'none';

export interface CorrectnessAwareLossOptions extends ReductionOptions {
  /**
   * Temperature T > 0 the logits are divided by: one number, or one per sample `[N]` (or `[N, 1]`),
   * e.g. the output of a per-sample calibrator, through which the gradient then flows. @defaultValue `1`
   */
  temperature?: number | TensorInput;
  /** `'balanced'`: correct and wrong predictions weigh the same in total; `'none'`: a plain mean. @defaultValue `'balanced'` */
  weighting?: CorrectnessAwareWeighting;
  /** `'mse'`: (ĉ − a)², the official code; `'bce'`: −a log ĉ − (1 − a) log(1 − ĉ). @defaultValue `'mse'` */
  form?: CorrectnessAwareForm;
}

const PARAMS: ParamSpecs = {
  temperature: { kind: 'data', type: 'number > 0, or one per sample [N]', default: 1, doc: 'T: the confidence is max softmax(z/T); per sample for a per-sample calibrator' },
  weighting: { kind: 'choice', default: 'balanced', choices: ['balanced', 'none'], doc: 'balanced: correct and wrong predictions weigh the same in total' },
  form: { kind: 'choice', default: 'mse', choices: ['mse', 'bce'], doc: 'mse: (ĉ − a)² (official code); bce: binary cross-entropy of ĉ against a' },
};

/** Per-sample temperatures `[N, 1]` (or a number) from the option. */
function readTemperature(temperature: number | TensorInput, n: number): number | tf.Tensor {
  if (typeof temperature === 'number') return checkNumber(NAME, 'temperature', temperature, { min: 0, exclusiveMin: true });
  const t = toFloat(NAME, 'temperature', temperature);
  const perSample = (t.rank === 1 || (t.rank === 2 && t.shape[1] === 1)) && t.shape[0] === n;
  if (!perSample) fail(NAME, '`temperature`', `be a number or hold one value per sample [${n}]`, `shape ${formatShape(t.shape)}`);
  const values = t.dataSync();
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!(v > 0 && Number.isFinite(v))) fail(NAME, 'every value of `temperature`', 'be a finite number > 0', `${formatValue(v)} at index ${i}`);
  }
  return tf.reshape(t, [n, 1]);
}

/** Row-wise argmax of `[N, C]` values, the first maximum on ties (as numpy.argmax). */
function argmaxRows(values: ArrayLike<number>, n: number, c: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < c; k++) if ((values[i * c + k] as number) > (values[i * c + best] as number)) best = k;
    out[i] = best;
  }
  return out;
}

/**
 * Correctness-aware (CA) loss for post-hoc calibrators: the calibrated confidence should be high
 * where the frozen classifier is right and low where it is wrong.
 *
 * With logits z_i, temperature T_i, label y_i and k_i = argmax_c z_ic (unchanged by T_i > 0):
 *
 *     ĉ_i = max_c softmax(z_i / T_i)_c = softmax(z_i / T_i)_{k_i}          (calibrated confidence)
 *     a_i = 1[k_i = y_i]                                                    (correctness, a constant)
 *     'mse':  ℓ_i = (ĉ_i − a_i)²          'bce':  ℓ_i = −a_i log ĉ_i − (1 − a_i) log(1 − ĉ_i)
 *     L_CA = Σ_i w_i ℓ_i / Σ_i w_i,   'balanced': w_i = N / (G · n_{g(i)})
 *
 * where g(i) is the group (correct or wrong) of sample i, n_g its size and G the number of
 * non-empty groups. Cross-entropy or NLL calibrators can raise the confidence of narrowly wrong
 * predictions; this objective instead pushes each confidence toward the correctness it should
 * predict, and the balanced weights keep the (usually rarer) wrong predictions from being drowned
 * out. The gradient reaches only the confidence of the predicted class (through the logits or the
 * per-sample `temperature`, the calibrator's output); correctness is a constant.
 *
 * The official code weighs correct samples by 1 − acc and wrong ones by acc (acc the batch
 * accuracy); with both groups present these are the balanced weights above times the common factor
 * 2·acc(1 − acc)/N, so L_CA is the same, and the weights average 1, so 'mean' equals the mean of
 * 'none' (which returns w_i ℓ_i). When every prediction of the batch is right, or every one wrong,
 * the code divides 0 by 0; here each sample then weighs 1. The form of the paper's equation is not
 * verified against its text: 'mse' is the code's objective, 'bce' the commented-out alternative.
 * log(1 − ĉ) is computed as a log-sum-exp over the other classes, so both forms are finite, in
 * value and gradient, for logits of any finite size.
 *
 * @param yTrue - Class indices `[N]` (or `[N, 1]`).
 * @param logits - The frozen classifier's logits `[N, C]`, C >= 2.
 * @returns A scalar, or `[N]` (w_i ℓ_i) with `reduction: 'none'`.
 *
 * @example
 * correctnessAwareLoss([0, 1, 1, 0], [[2, 1, 0], [0.5, 0.4, 0], [0, 3, 0], [1, 1.2, 0]], { temperature: [1.5, 1, 2, 0.8] }).print(); // 0.173619
 *
 * @see Y. Liu, L. Wang, Y. Zou, J. Zou, L. Zheng, Optimizing Calibration by Gaining Aware of
 * Prediction Correctness, arXiv 2024, https://arxiv.org/abs/2404.13016 (official code
 * `liuyvchi/Correctness-aware-calibration`, `src/cal_metrics/temperature_scaling_CA.py`).
 */
function correctnessAwareLoss_(yTrue: TensorInput, logits: TensorInput, options: CorrectnessAwareLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { temperature = 1, weighting = 'balanced', form = 'mse' } = options;
  const z = toFloat(NAME, 'logits', logits);
  checkRank(NAME, 'logits', z, [2]);
  checkNotEmpty(NAME, 'logits', z);
  const [n, c] = z.shape as [number, number];
  if (c < 2) fail(NAME, '`logits`', 'have at least 2 classes', `shape ${formatShape(z.shape)}`);
  const y = toTensor(NAME, 'yTrue', yTrue);
  const isColumn = y.rank === 1 || (y.rank === 2 && y.shape[1] === 1);
  if (!isColumn || y.shape[0] !== n) fail(NAME, '`yTrue`', `hold one class index per row of \`logits\` [${n}]`, `shape ${formatShape(y.shape)}`);
  checkClassIndices(NAME, 'yTrue', y, c);
  const T = readTemperature(temperature, n);

  const labels = y.dataSync();
  const predicted = argmaxRows(z.dataSync(), n, c);
  const correct = Float32Array.from(predicted, (k, i) => (k === labels[i] ? 1 : 0));
  const a = tf.tensor1d(correct);
  const mask = tf.oneHot(tf.tensor1d(predicted, 'int32'), c);
  const scaled = tf.div(z, T);
  const logConfidence = tf.sum(tf.mul(mask, logSoftmax(scaled)), -1);
  let losses: tf.Tensor;
  if (form === 'mse') {
    losses = tf.square(tf.sub(tf.exp(logConfidence), a));
  } else {
    // log(1 − ĉ) = logsumexp over the other classes − logsumexp over all; the predicted class is
    // pushed to −1e30 (a constant mask), where its exp is 0 and so is its share of the gradient.
    const logRest = tf.sub(tf.logSumExp(tf.sub(scaled, tf.mul(mask, 1e30)), -1), tf.logSumExp(scaled, -1));
    losses = tf.neg(tf.add(tf.mul(a, logConfidence), tf.mul(tf.sub(1, a), logRest)));
  }

  let sampleWeights: tf.Tensor | undefined;
  if (weighting === 'balanced') {
    const nCorrect = correct.reduce((s, v) => s + v, 0);
    const groups = (nCorrect > 0 ? 1 : 0) + (nCorrect < n ? 1 : 0);
    sampleWeights = tf.tensor1d(Float32Array.from(correct, (v) => n / (groups * (v === 1 ? nCorrect : n - nCorrect))));
  }
  return reduce(NAME, losses, options, sampleWeights);
}

export const correctnessAwareLoss = /* @__PURE__ */ tf.op({ correctnessAwareLoss_ });

export const correctnessAwareLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'calibration',
  summary: 'Correctness-aware calibrator objective: confidence pushed to 1 on correct, 0 on wrong predictions',
  formula: 'L = Σ_i w_i (ĉ_i − a_i)² / Σ_i w_i,  ĉ_i = max softmax(z_i/T_i),  a_i = 1[argmax z_i = y_i],  w class-balanced',
  fn: correctnessAwareLoss,
  target: 'classIndex',
  prediction: 'logits',
  tasks: [],
  params: PARAMS,
  properties: ['nonNegative', 'shiftInvariant', 'batchCoupled'],
  reference: 'Y. Liu, L. Wang, Y. Zou, J. Zou, L. Zheng, "Optimizing Calibration by Gaining Aware of Prediction Correctness", arXiv 2024, https://arxiv.org/abs/2404.13016',
  seed: 46,
};
