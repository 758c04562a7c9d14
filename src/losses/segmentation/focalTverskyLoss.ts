import * as tf from '@tensorflow/tfjs-core';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import {
  AGGREGATE_PARAMS,
  type AggregateOptions,
  CLASS_PARAMS,
  type ClassOptions,
  MODE_PARAMS,
  meanOverClasses,
  SMOOTHING_PARAMS,
  type SegmentationInputOptions,
  type SmoothingOptions,
} from '../_shared/segmentation.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { checkOptions } from '../_shared/validate.js';
import { tverskyIndex } from './tverskyLoss.js';

const NAME = 'focalTverskyLoss';

export interface FocalTverskyLossOptions extends SegmentationInputOptions, AggregateOptions, ClassOptions, SmoothingOptions, ReductionOptions {
  /** α >= 0, the weight of the false positives (as in `tverskyLoss`); the paper's β. @defaultValue `0.3` */
  alpha?: number;
  /** β >= 0, the weight of the false negatives (as in `tverskyLoss`); the paper's α. @defaultValue `0.7` */
  beta?: number;
  /** γ > 0: the loss is (1 − TI)^(1/γ); the paper uses 4/3 (exponent 0.75) and γ ∈ [1, 3]. @defaultValue `4/3` */
  gamma?: number;
}

const PARAMS: ParamSpecs = {
  ...MODE_PARAMS,
  ...AGGREGATE_PARAMS,
  ...CLASS_PARAMS,
  ...SMOOTHING_PARAMS,
  alpha: { kind: 'number', default: 0.3, min: 0, doc: 'weight α of the false positives (the paper names it β = 0.3)' },
  beta: { kind: 'number', default: 0.7, min: 0, doc: 'weight β of the false negatives (the paper names it α = 0.7)' },
  gamma: { kind: 'number', default: 4 / 3, min: 0, exclusiveMin: true, doc: 'γ: the loss is (1 − TI)^(1/γ); the paper uses 4/3, i.e. exponent 0.75' },
};

/**
 * x^e for x > 0 and 0 for x <= 0 (1 − TI can round slightly below 0), with gradient e·x^(e−1) for
 * x > 0 and 0 elsewhere: finite at every finite x, where autodiff of pow gives ∞·0 = NaN at x = 0
 * for e < 1. The mask is sign(relu(x)), whose gradient is 0 (a comparison would have none in tfjs),
 * and the base is moved to x + 1 where the mask is 0, so pow never sees 0.
 */
function safePower(x: tf.Tensor, exponent: number): tf.Tensor {
  const mask = tf.sign(tf.relu(x));
  const base = tf.add(x, tf.sub(1, mask));
  return tf.mul(tf.pow(base, exponent), mask);
}

/**
 * Focal Tversky loss (Abraham & Khan 2019) on probabilities, channels-last.
 *
 * With the Tversky index of `tverskyLoss` per image n (or over the batch) and scored class c,
 *
 *     TI_nc = (TP + s_N) / (TP + α·FP + β·FN + s_D)
 *     ℓ_nc  = (1 − TI_nc)^(1/γ),    ℓ_n = Σ_c w_c ℓ_nc / Σ_c w_c
 *
 * The exponent is 1/γ, the paper's form (its code raises to 0.75 = 1/(4/3)); γ > 1 makes the
 * exponent below 1, which raises the loss and its slope for well-segmented images and classes
 * (1 − TI small) relative to Tversky, so training keeps pushing on the small, nearly-right
 * structures. The slope (1/γ)(1 − TI)^(1/γ − 1) grows without bound as TI → 1 for γ > 1; at
 * TI = 1 exactly (or above, by rounding) value and gradient are 0. γ = 1 is `tverskyLoss`.
 *
 * Naming: this library weighs false positives by α and false negatives by β in every Tversky-type
 * loss (Salehi et al., MONAI, SMP). Abraham & Khan write α for the false negatives and β for the
 * false positives; their α = 0.7, β = 0.3 are the defaults here as `beta: 0.7, alpha: 0.3`. The
 * paper sums ℓ_c over classes; this is the mean (C times smaller), as in the other overlap losses.
 * Empty-target policy as `tverskyLoss`: both empty → 0; empty target with a non-empty prediction →
 * close to 1.
 *
 * @param yTrue - Masks as in `diceLoss`: `[N,H,W]` binary, integer `[N,H,W]` or one-hot `[N,H,W,C]`
 *   multiclass, `[N,H,W,C]` multilabel; 3D adds a depth axis after N.
 * @param yPred - Probabilities (`[N,H,W]` binary, `[N,H,W,C]` otherwise), or logits with `fromLogits: true`.
 * @returns A scalar, or `[N]` with `reduction: 'none'` (`[1]` with `aggregate: 'batch'`).
 *
 * @example
 * focalTverskyLoss([[[1, 0], [0, 0]]], [[[0.8, 0.2], [0, 0]]]).print(); // 0.299067 (0.199998^0.75)
 *
 * @see N. Abraham, N. M. Khan, A Novel Focal Tversky Loss Function with Improved Attention U-Net for
 * Lesion Segmentation, ISBI 2019, https://arxiv.org/abs/1810.07842
 */
function focalTverskyLoss_(yTrue: TensorInput, yPred: TensorInput, options: FocalTverskyLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { alpha = 0.3, beta = 0.7, gamma = 4 / 3, smoothNumerator = 1e-5, smoothDenominator = 1e-5 } = options;
  const ti = tverskyIndex(NAME, yTrue, yPred, options, alpha, beta, smoothNumerator, smoothDenominator);
  const focal = safePower(tf.sub(1, ti.index), 1 / gamma) as tf.Tensor2D;
  return reduce(NAME, meanOverClasses(focal, ti.weights), options);
}

export const focalTverskyLoss = /* @__PURE__ */ tf.op({ focalTverskyLoss_ });

export const focalTverskyLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'segmentation',
  summary: 'Focal Tversky loss (Abraham & Khan 2019): (1 − Tversky index)^(1/γ)',
  formula: 'ℓ = (1 − (TP + s_N)/(TP + α·FP + β·FN + s_D))^(1/γ), mean over classes',
  fn: focalTverskyLoss,
  target: 'mask',
  prediction: 'probability',
  tasks: ['segmentation'],
  params: PARAMS,
  properties: ['nonNegative'],
  reference:
    'N. Abraham, N. M. Khan, A Novel Focal Tversky Loss Function with Improved Attention U-Net for Lesion Segmentation, ISBI 2019, https://arxiv.org/abs/1810.07842',
};
