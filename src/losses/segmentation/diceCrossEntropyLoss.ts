import * as tf from '@tensorflow/tfjs-core';
import { logSigmoid, logSoftmax } from '../_shared/numerics.js';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import {
  type Aggregate,
  AGGREGATE_PARAMS,
  type AggregateOptions,
  CLASS_PARAMS,
  type ClassOptions,
  MODE_PARAMS,
  meanOverClasses,
  overlapOfInputs,
  SMOOTHING_PARAMS,
  type SegmentationInputOptions,
  type SegmentationInputs,
  type SmoothingOptions,
  segmentationInputs,
} from '../_shared/segmentation.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { checkOptions, checkPositiveVector } from '../_shared/validate.js';

const NAME = 'diceCrossEntropyLoss';

/** Probabilities are clipped to [ε, 1 − ε] before the log when they are given as probabilities. */
const EPSILON = 1e-7;

export interface DiceCrossEntropyLossOptions extends SegmentationInputOptions, AggregateOptions, ClassOptions, SmoothingOptions, ReductionOptions {
  /** λ_Dice >= 0, the factor of the Dice term. @defaultValue `1` */
  lambdaDice?: number;
  /** λ_CE >= 0, the factor of the cross-entropy term. @defaultValue `1` */
  lambdaCe?: number;
}

const PARAMS: ParamSpecs = {
  ...MODE_PARAMS,
  ...AGGREGATE_PARAMS,
  ...CLASS_PARAMS,
  ...SMOOTHING_PARAMS,
  lambdaDice: { kind: 'number', default: 1, min: 0, doc: 'factor λ_Dice of the Dice term' },
  lambdaCe: { kind: 'number', default: 1, min: 0, doc: 'factor λ_CE of the cross-entropy term' },
};

/** log p from logits (log-softmax / log-sigmoid) or from probabilities clipped to [ε, 1 − ε]. */
function logProbabilities(inputs: SegmentationInputs, fromLogits: boolean): { logP: tf.Tensor; logNotP: tf.Tensor | undefined } {
  const { raw, mode } = inputs;
  if (mode === 'multiclass') return { logP: fromLogits ? logSoftmax(raw) : tf.log(tf.clipByValue(raw, EPSILON, 1)), logNotP: undefined };
  if (fromLogits) return { logP: logSigmoid(raw), logNotP: logSigmoid(tf.neg(raw)) };
  const p = tf.clipByValue(raw, EPSILON, 1 - EPSILON);
  return { logP: tf.log(p), logNotP: tf.log(tf.sub(1, p)) };
}

/**
 * Weighted mean cross-entropy per image (or over the batch), `[M]`: per pixel −Σ_c y_c log p_c
 * (multiclass) or per pixel and channel −y log p − (1 − y) log(1 − p) (binary, multilabel), each
 * weighted by its class weight and by whether it is kept, divided by the sum of those weights.
 */
function crossEntropy(inputs: SegmentationInputs, fromLogits: boolean, classWeights: Float32Array | undefined, aggregate: Aggregate): tf.Tensor1D {
  const { targets: y, valid, mode } = inputs;
  const { logP, logNotP } = logProbabilities(inputs, fromLogits);
  let perElement: tf.Tensor;
  let weight: tf.Tensor;
  if (mode === 'multiclass') {
    perElement = tf.neg(tf.sum(tf.mul(y, logP), -1, true));
    // Σ_c w_c y_c is 0 at ignored pixels, whose targets are all zero.
    weight = classWeights === undefined ? (valid ?? tf.ones(perElement.shape)) : tf.sum(tf.mul(y, tf.tensor1d(classWeights)), -1, true);
  } else {
    perElement = tf.neg(tf.add(tf.mul(y, logP), tf.mul(tf.sub(1, y), logNotP as tf.Tensor)));
    // Built from shapes, not from the prediction: the weights and the mask below stay off the gradient tape.
    weight = classWeights === undefined ? tf.ones(perElement.shape) : tf.broadcastTo(tf.tensor1d(classWeights), perElement.shape);
    if (valid !== undefined) weight = tf.mul(weight, valid);
  }
  const axes = Array.from({ length: perElement.rank - 1 }, (_, i) => i + 1);
  let total = tf.sum(tf.mul(weight, perElement), axes);
  let mass = tf.sum(weight, axes);
  if (aggregate === 'batch') {
    total = tf.sum(total, 0, true);
    mass = tf.sum(mass, 0, true);
  }
  // An image whose pixels are all ignored has no cross-entropy: 0, not 0/0.
  return tf.div(total, tf.where(tf.greater(mass, 0), mass, tf.onesLike(mass))) as tf.Tensor1D;
}

/**
 * Cross-entropy plus soft Dice, the baseline of nnU-Net and of TopoMortar ("CEDice"), channels-last.
 *
 * Per image n (or over the batch with `aggregate: 'batch'`):
 *
 *     ℓ_n = λ_CE · CE_n + λ_Dice · Dice_n
 *     CE_n   = Σ_i w_i ce_i / Σ_i w_i        ce_i = −Σ_c y_ic log p_ic          (multiclass, per pixel)
 *                                            ce_ic = −y log p − (1 − y) log(1 − p)  (binary / multilabel)
 *     Dice_n = `diceLoss` of the same inputs and options
 *
 * Cross-entropy gives every pixel a well-conditioned gradient from the first step, Dice keeps small
 * structures from being outvoted by the background; the sum trains faster and more stably than Dice
 * alone, which is why nnU-Net and TopoMortar use it as the default with λ_CE = λ_Dice = 1
 * (TopoMortar adds −Dice, which differs from 1 − Dice by a constant).
 *
 * The cross-entropy is taken from logits (log-softmax over the last axis, or log-sigmoid) with
 * `fromLogits: true`, and from probabilities otherwise, clipped to [1e-7, 1 − 1e-7] before the log
 * (the gradient is 0 beyond the clip; TopoMortar adds 1e-15 instead). Weights w: `classWeights`
 * weigh each pixel by its true class (multiclass) or each channel by its own (multilabel), and
 * ignored pixels weigh 0, so CE_n is the weighted mean over kept pixels (0 when none is kept).
 * `includeBackground: false` drops channel 0 from the Dice term only: the cross-entropy needs the
 * full distribution. Empty-target policy of the Dice term as `diceLoss`.
 *
 * @param yTrue - Masks as in `diceLoss`: `[N,H,W]` binary, integer `[N,H,W]` or one-hot `[N,H,W,C]`
 *   multiclass, `[N,H,W,C]` multilabel; 3D adds a depth axis after N.
 * @param yPred - Probabilities (`[N,H,W]` binary, `[N,H,W,C]` otherwise), or logits with `fromLogits: true`.
 * @returns A scalar, or `[N]` with `reduction: 'none'` (`[1]` with `aggregate: 'batch'`).
 *
 * @example
 * diceCrossEntropyLoss([[[1, 0], [0, 0]]], [[[0.8, 0.2], [0, 0]]]).print(); // 0.311571 (CE 0.111572 + Dice loss 0.199999)
 *
 * @see F. Isensee, P. F. Jaeger, S. A. A. Kohl, J. Petersen, K. H. Maier-Hein, nnU-Net: a
 * self-configuring method for deep learning-based biomedical image segmentation, Nature Methods 2021,
 * https://arxiv.org/abs/1809.10486; J. M. Valverde, M. Koga, N. Otsuka, A. B. Dahl, TopoMortar: A
 * dataset to evaluate image segmentation methods focused on topology accuracy, BMVC 2025,
 * https://arxiv.org/abs/2503.03365
 */
function diceCrossEntropyLoss_(yTrue: TensorInput, yPred: TensorInput, options: DiceCrossEntropyLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { aggregate = 'perSample', fromLogits = false, smoothNumerator = 1e-5, smoothDenominator = 1e-5, lambdaDice = 1, lambdaCe = 1 } = options;
  const inputs = segmentationInputs(NAME, yTrue, yPred, options);
  const { intersection, sumPred, sumTrue, weights } = overlapOfInputs(NAME, inputs, options);
  const dice = tf.div(tf.add(tf.mul(2, intersection), smoothNumerator), tf.add(tf.add(sumPred, sumTrue), smoothDenominator));
  const diceTerm = meanOverClasses(tf.sub(1, dice) as tf.Tensor2D, weights);
  const classWeights = options.classWeights === undefined ? undefined : checkPositiveVector(NAME, 'classWeights', options.classWeights, inputs.numClasses);
  const ceTerm = crossEntropy(inputs, fromLogits, classWeights, aggregate);
  return reduce(NAME, tf.add(tf.mul(lambdaCe, ceTerm), tf.mul(lambdaDice, diceTerm)), options);
}

export const diceCrossEntropyLoss = /* @__PURE__ */ tf.op({ diceCrossEntropyLoss_ });

export const diceCrossEntropyLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'segmentation',
  summary: 'Cross-entropy plus soft Dice (nnU-Net, TopoMortar "CEDice")',
  formula: 'ℓ = λ_CE · mean_i ce_i + λ_Dice · (1 − (2 Σ p·y + s_N) / (Σ p + Σ y + s_D))',
  fn: diceCrossEntropyLoss,
  target: 'mask',
  prediction: 'probability',
  tasks: ['segmentation'],
  params: PARAMS,
  properties: ['nonNegative'],
  reference:
    'F. Isensee et al., nnU-Net, Nature Methods 2021, https://arxiv.org/abs/1809.10486; J. M. Valverde, M. Koga, N. Otsuka, A. B. Dahl, TopoMortar, BMVC 2025, https://arxiv.org/abs/2503.03365',
  seed: 9,
};
