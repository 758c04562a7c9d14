import * as tf from '@tensorflow/tfjs-core';
import { binaryTargets } from '../_shared/binary-targets.js';
import { fail, formatShape, formatValue } from '../_shared/errors.js';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import { type TensorInput, toFloat } from '../_shared/to-tensor.js';
import { checkOptions, checkValuesInRange } from '../_shared/validate.js';

const NAME = 'anyLoss';
const SOFT_CONFUSION = 'softConfusion';

/** The scores `anyLoss` knows by name. */
export const ANY_LOSS_METRICS = ['accuracy', 'f1', 'fbeta', 'gmean', 'balancedAccuracy'] as const;
export type AnyLossMetric = (typeof ANY_LOSS_METRICS)[number];

/** The soft confusion matrix of a batch: four scalar tensors (weighted sums when weights are given). */
export interface SoftConfusion {
  TP: tf.Scalar;
  FN: tf.Scalar;
  FP: tf.Scalar;
  TN: tf.Scalar;
}

/** A custom score of the soft confusion matrix: a scalar tensor in [0, 1], higher is better. */
export type ConfusionScore = (TP: tf.Scalar, FN: tf.Scalar, FP: tf.Scalar, TN: tf.Scalar) => tf.Tensor;

export interface AnyLossOptions extends ReductionOptions {
  /**
   * The score s(TP, FN, FP, TN) ∈ [0, 1] to maximise: 'accuracy', 'f1', 'fbeta', 'gmean',
   * 'balancedAccuracy', or a function `(TP, FN, FP, TN) => scalar tensor in [0, 1]` built from tf ops
   * (it must return one element in [0, 1], else the call throws). @defaultValue `'f1'`
   */
  metric?: AnyLossMetric | ConfusionScore;
  /**
   * Steepness L of the amplification A = σ(L (p − 0.5)), > 0. The paper's experiments use 73; the
   * extension README suggests an integer in [2, 70]. In float32, A is exactly 1 once L (p − 0.5)
   * exceeds about 16.6–17.3 (backend-dependent), so with L = 73 samples with p above about 0.73 get no
   * gradient; L ≈ 10 keeps every sample in play. @defaultValue `73`
   */
  L?: number;
  /** β of 'fbeta' (recall counts β times as much as precision), > 0; read by 'fbeta' only. @defaultValue `1` */
  beta?: number;
  /** Added to every denominator, so a batch with one class only stays finite; >= 0. @defaultValue `1e-5` */
  eps?: number;
  /**
   * 'gmean' scores sqrt(TPR · TNR), as the paper's notebooks do; `false` gives TPR · TNR, the
   * extension README's form. Read by 'gmean' only. @defaultValue `true`
   */
  gmeanSqrt?: boolean;
  /** `yPred` holds logits, passed through a sigmoid first; `false` reads probabilities in [0, 1]. @defaultValue `true` */
  fromLogits?: boolean;
}

export interface SoftConfusionOptions {
  /** Steepness L of the amplification A = σ(L (p − 0.5)), > 0. @defaultValue `73` */
  L?: number;
  /** Per-sample weights `[N]` (or one number), >= 0: each sample counts w_i times. @defaultValue all ones */
  weights?: TensorInput;
}

const L_PARAM = { kind: 'number', default: 73, min: 0, exclusiveMin: true, doc: 'steepness of A = σ(L(p − 0.5)); the paper uses 73, L ≈ 10 avoids float32 saturation above p ≈ 0.73' } as const;

const PARAMS: ParamSpecs = {
  metric: { kind: 'choice', default: 'f1', choices: ANY_LOSS_METRICS, allowsFunction: true, doc: 'score of the soft confusion matrix to maximise, or a function (TP, FN, FP, TN) => scalar tensor in [0, 1]' },
  L: L_PARAM,
  beta: { kind: 'number', default: 1, min: 0, exclusiveMin: true, doc: "β of 'fbeta': recall counts β times as much as precision" },
  eps: { kind: 'number', default: 1e-5, min: 0, doc: 'added to every denominator (one-class batches stay finite)' },
  gmeanSqrt: { kind: 'boolean', default: true, doc: "'gmean' is sqrt(TPR·TNR) (paper); false gives TPR·TNR (extension README)" },
  fromLogits: { kind: 'boolean', default: true, doc: 'apply a sigmoid to yPred first; false reads probabilities in [0, 1]' },
};

const SOFT_CONFUSION_PARAMS: ParamSpecs = { L: L_PARAM };

/** Labels, probabilities and optional per-sample weights of a binary batch, all flat `[N]`. */
interface BinaryBatch {
  y: tf.Tensor1D;
  p: tf.Tensor1D;
  w: tf.Tensor | undefined;
}

function readBatch(fn: string, yTrue: TensorInput, yPred: TensorInput, predName: string, fromLogits: boolean, weights: TensorInput | undefined): BinaryBatch {
  const pred = toFloat(fn, predName, yPred);
  if (pred.rank === 2 && pred.shape[1] !== 1) fail(fn, `\`${predName}\``, 'have shape [N] or [N,1] (one score per sample)', `shape ${formatShape(pred.shape)}`);
  const { scores, targets } = binaryTargets(fn, yTrue, pred, predName);
  const n = scores.size;
  if (!fromLogits) checkValuesInRange(fn, predName, scores, 0, 1);
  const flat = tf.reshape(scores, [n]) as tf.Tensor1D;
  const p = fromLogits ? tf.sigmoid(flat) : flat;
  let w: tf.Tensor | undefined;
  if (weights !== undefined) {
    const $w = toFloat(fn, 'weights', weights);
    const perSample = $w.size === n && ($w.rank === 1 || ($w.rank === 2 && $w.shape[1] === 1));
    if (!perSample && $w.size !== 1) fail(fn, '`weights`', `be per sample ([${n}] or [${n},1]) or one number`, `shape ${formatShape($w.shape)}`);
    checkValuesInRange(fn, 'weights', $w, 0, Number.POSITIVE_INFINITY);
    w = perSample ? tf.reshape($w, [n]) : tf.reshape($w, []);
  }
  return { y: tf.reshape(targets, [n]) as tf.Tensor1D, p, w };
}

/** TP = Σ w y A, FN = Σ w y (1 − A), FP = Σ w (1 − y) A, TN = Σ w (1 − y)(1 − A), with A = σ(L (p − 0.5)). */
function confusion({ y, p, w }: BinaryBatch, L: number): SoftConfusion {
  const a = tf.sigmoid(tf.mul(L, tf.sub(p, 0.5)));
  const notA = tf.sub(1, a);
  const pos = w === undefined ? y : tf.mul(y, w);
  const neg = w === undefined ? tf.sub(1, y) : tf.mul(tf.sub(1, y), w);
  return {
    TP: tf.sum(tf.mul(pos, a)) as tf.Scalar,
    FN: tf.sum(tf.mul(pos, notA)) as tf.Scalar,
    FP: tf.sum(tf.mul(neg, a)) as tf.Scalar,
    TN: tf.sum(tf.mul(neg, notA)) as tf.Scalar,
  };
}

/** sqrt(x) for x >= 0 whose gradient is 0, not Infinity·0 = NaN, where x = 0 (a one-class batch). */
function sqrtAtZero(x: tf.Tensor): tf.Tensor {
  // A mask from tf.step (which has a zero gradient; comparisons have none in tfjs): sqrt(1) stands in at 0.
  const positive = tf.step(x);
  return tf.mul(positive, tf.sqrt(tf.add(x, tf.sub(1, positive))));
}

function namedScore(metric: AnyLossMetric, { TP, FN, FP, TN }: SoftConfusion, beta: number, eps: number, gmeanSqrt: boolean): tf.Tensor {
  const n1 = tf.add(TP, FN);
  const n0 = tf.add(FP, TN);
  switch (metric) {
    case 'accuracy':
      return tf.div(tf.add(TP, TN), tf.add(tf.add(n1, n0), eps));
    case 'f1':
    case 'fbeta': {
      const b2 = metric === 'f1' ? 1 : beta * beta;
      const weightedTP = tf.mul(1 + b2, TP);
      return tf.div(weightedTP, tf.add(tf.add(tf.add(weightedTP, tf.mul(b2, FN)), FP), eps));
    }
    case 'gmean': {
      const product = tf.div(tf.mul(TP, TN), tf.add(tf.mul(n1, n0), eps));
      return gmeanSqrt ? sqrtAtZero(product) : product;
    }
    case 'balancedAccuracy':
      return tf.div(tf.add(tf.mul(n0, TP), tf.mul(n1, TN)), tf.add(tf.mul(2, tf.mul(n1, n0)), eps));
  }
}

function customScore(metric: ConfusionScore, c: SoftConfusion): tf.Tensor {
  const score: unknown = metric(c.TP, c.FN, c.FP, c.TN);
  if (!(score instanceof tf.Tensor) || score.size !== 1) {
    const got = score instanceof tf.Tensor ? `a tensor of shape ${formatShape(score.shape)}` : formatValue(score);
    fail(NAME, 'the `metric` function', 'return a scalar tensor (a score in [0, 1])', got);
  }
  const v = score.dataSync()[0] as number;
  if (v < 0 || v > 1) fail(NAME, 'the score the `metric` function returns', 'lie in [0, 1]', String(v));
  return tf.reshape(score, []);
}

/**
 * AnyLoss: one minus a classification score (F1, accuracy, G-mean, ...) of a soft confusion
 * matrix, for binary classification.
 *
 * With p_i = σ(z_i) (or the given probabilities when `fromLogits` is false), labels y_i ∈ [0, 1],
 * per-sample weights w_i (default 1) and the batch's actual size:
 *
 *     A_i = σ(L (p_i − 0.5))                          amplification towards 0 / 1
 *     TP = Σ w y A      FN = Σ w y (1 − A)      FP = Σ w (1 − y) A      TN = Σ w (1 − y)(1 − A)
 *     n1 = TP + FN = Σ w y                     n0 = FP + TN = Σ w (1 − y)
 *
 *     accuracy           (TP + TN) / (n1 + n0 + ε)
 *     fbeta              (1 + β²) TP / ((1 + β²) TP + β² FN + FP + ε)        f1: β = 1
 *     gmean              sqrt(TP · TN / (n1 n0 + ε))         (gmeanSqrt: false drops the sqrt)
 *     balancedAccuracy   (n0 TP + n1 TN) / (2 n1 n0 + ε)
 *
 *     ℓ = 1 − score
 *
 * Every denominator uses the batch's own counts plus ε; the official notebooks divide by the
 * training-set size or a fixed global batch size instead, which is wrong under mini-batching and
 * for a last partial batch, and is not copied here. The amplification makes the soft counts close
 * to the hard ones, so the loss tracks the metric itself, while its gradient
 * ∂ℓ/∂p_i = ∂ℓ/∂A_i · L A_i (1 − A_i) concentrates on samples near p = 0.5.
 *
 * The score couples the whole batch: the loss is one value per batch. `weights` enter the confusion
 * matrix (each sample counts w_i times); `reduction: 'none'` returns that value as shape `[1]`, and
 * 'mean' and 'sum' return it as a scalar. A batch without positives has TP = FN = 0: 'f1', 'fbeta',
 * 'gmean' and 'balancedAccuracy' then score 0 (loss 1) with zero gradient, and likewise without
 * negatives for 'gmean' and 'balancedAccuracy'; 'accuracy' is unaffected.
 *
 * Float32: A rounds to exactly 1 once L (p − 0.5) exceeds about 16.6–17.3 (the cut depends on how
 * the backend rounds σ), where the gradient A (1 − A) is exactly 0. At the default L = 73 every
 * sample with p above about 0.73 therefore gets no gradient, confident false positives included
 * (the paper's float32 Keras runs behave the same way). Saturation towards 0 is harmless. Lower L
 * (e.g. 10) if those samples must keep learning. Logits of ±1e4 give p = 1 or 0: finite, and a
 * zero gradient.
 *
 * @param yTrue - Labels `[N]` or `[N, 1]` in {0, 1} (soft values in [0, 1] are read linearly).
 * @param logits - Logits `[N]` or `[N, 1]`; probabilities in [0, 1] with `fromLogits: false`.
 * @returns A scalar, or shape `[1]` with `reduction: 'none'`.
 *
 * @example
 * anyLoss([1, 0, 1, 0, 0], [0.9, 0.2, 0.7, 0.4, 0.6], { metric: 'f1', fromLogits: false }).print(); // ≈ 0.2
 *
 * @see D. Han, N. Moniz, N. V. Chawla, AnyLoss: Transforming Classification Metrics into Loss
 *   Functions, arXiv 2024. https://arxiv.org/abs/2405.14745 — the official notebooks take the
 *   square root in G-mean while the extension README does not; `gmeanSqrt` picks the form.
 */
function anyLoss_(yTrue: TensorInput, logits: TensorInput, options: AnyLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { metric = 'f1', L = 73, beta = 1, eps = 1e-5, gmeanSqrt = true, fromLogits = true, weights, reduction } = options;
  const batch = readBatch(NAME, yTrue, logits, fromLogits ? 'logits' : 'probabilities', fromLogits, weights);
  const c = confusion(batch, L);
  const score = typeof metric === 'function' ? customScore(metric, c) : namedScore(metric, c, beta, eps, gmeanSqrt);
  // One value per batch: the weights are already in the counts, so the reduction gets none.
  return reduce(NAME, tf.reshape(tf.sub(1, score), [1]), reduction === undefined ? {} : { reduction });
}

/**
 * The soft confusion matrix of AnyLoss on probabilities: TP = Σ w y A, FN = Σ w y (1 − A),
 * FP = Σ w (1 − y) A, TN = Σ w (1 − y)(1 − A), with A = σ(L (p − 0.5)).
 *
 * @param yTrue - Labels `[N]` or `[N, 1]` in [0, 1].
 * @param probabilities - Probabilities `[N]` or `[N, 1]` in [0, 1].
 * @returns Four scalar tensors `{ TP, FN, FP, TN }`, differentiable in the probabilities.
 *
 * @see D. Han, N. Moniz, N. V. Chawla, AnyLoss: Transforming Classification Metrics into Loss
 *   Functions, arXiv 2024. https://arxiv.org/abs/2405.14745
 */
function softConfusion_(yTrue: TensorInput, probabilities: TensorInput, options: SoftConfusionOptions = {}): SoftConfusion {
  checkOptions(SOFT_CONFUSION, SOFT_CONFUSION_PARAMS, options);
  const { reduction } = options as ReductionOptions;
  if (reduction !== undefined) fail(SOFT_CONFUSION, '`reduction`', 'be left out (the four counts are not reduced)', formatValue(reduction));
  const { L = 73, weights } = options;
  return confusion(readBatch(SOFT_CONFUSION, yTrue, probabilities, 'probabilities', false, weights), L);
}

export const anyLoss = /* @__PURE__ */ tf.op({ anyLoss_ });
export const softConfusion = /* @__PURE__ */ tf.op({ softConfusion_ });

export const anyLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'classification',
  summary: 'One minus a classification score (F1, accuracy, G-mean, balanced accuracy, custom) of a soft confusion matrix',
  formula: 'A = σ(L(σ(z) − 0.5)); TP = Σ yA, FN = Σ y(1−A), FP = Σ (1−y)A, TN = Σ (1−y)(1−A); ℓ = 1 − score(TP, FN, FP, TN)',
  fn: anyLoss,
  target: 'binary',
  prediction: 'binaryLogits',
  tasks: ['binary'],
  params: PARAMS,
  properties: ['nonNegative', 'batchCoupled'],
  reference: 'D. Han, N. Moniz, N. V. Chawla, AnyLoss: Transforming Classification Metrics into Loss Functions, arXiv 2024, https://arxiv.org/abs/2405.14745',
  seed: 1,
};
