import * as tf from '@tensorflow/tfjs-core';
import { fail, formatShape } from './errors.js';
import { logSoftmax } from './numerics.js';
import type { ParamSpecs } from './spec.js';
import { type TensorInput, toFloat, toTensor } from './to-tensor.js';
import { checkClassIndices, checkNotEmpty, checkNumber, checkPositiveVector, checkValuesInRange } from './validate.js';

/**
 * Input handling shared by the segmentation losses: channels-last masks and probabilities, the
 * `mode` that fixes activation and target format, `ignoreIndex`, per-class statistics and their
 * aggregation per image or over the batch.
 */

export const SEGMENTATION_MODES = ['binary', 'multiclass', 'multilabel'] as const;
/**
 * - `'binary'`: `yPred` and `yTrue` are `[N,H,W]` (or `[N,H,W,1]`, or 3D `[N,D,H,W,1]`), one foreground.
 * - `'multiclass'`: `yPred` is `[N,H,W,C]` (C >= 2, softmax probabilities), `yTrue` an integer mask
 *   `[N,H,W]` (or `[N,H,W,1]`) or one-hot `[N,H,W,C]`.
 * - `'multilabel'`: both `[N,H,W,C]`, C independent channels in {0, 1}.
 */
export type SegmentationMode = (typeof SEGMENTATION_MODES)[number];

export const AGGREGATES = ['perSample', 'batch'] as const;
/** `'perSample'`: one score per image and class, then averaged; `'batch'`: statistics summed over the batch first. */
export type Aggregate = (typeof AGGREGATES)[number];

/** How the prediction and the targets are read. */
export interface SegmentationInputOptions {
  /** Layout and activation of the inputs (see {@link SegmentationMode}). @defaultValue `'binary'` */
  mode?: SegmentationMode;
  /** `yPred` holds logits: the sigmoid (binary, multilabel) or the softmax over the last axis (multiclass) is applied. @defaultValue `false` */
  fromLogits?: boolean;
}

export interface AggregateOptions {
  /**
   * `'perSample'` computes the score of each image (and class), then averages, so the value does not
   * depend on the batch size; `'batch'` sums the statistics over the whole batch first and returns one
   * value (`[1]` with `reduction: 'none'`). @defaultValue `'perSample'`
   */
  aggregate?: Aggregate;
}

export interface ClassOptions {
  /** Weights of the per-class losses, one per channel of `yPred` (>= 0): the class mean becomes Σ w_c ℓ_c / Σ w_c. @defaultValue all ones */
  classWeights?: TensorInput | readonly number[];
  /** Multiclass mode: `false` leaves channel 0 (background) out of the class mean. No effect in the other modes. @defaultValue `true` */
  includeBackground?: boolean;
  /** Label value of integer masks (binary and multiclass modes) whose pixels leave every sum: zero loss, zero gradient. */
  ignoreIndex?: number;
}

export interface SmoothingOptions {
  /** Added to the numerator of the ratio (MONAI `smooth_nr`), >= 0. @defaultValue `1e-5` */
  smoothNumerator?: number;
  /** Added to the denominator of the ratio (MONAI `smooth_dr`), >= 0. @defaultValue `1e-5` */
  smoothDenominator?: number;
}

export const MODE_PARAMS: ParamSpecs = {
  mode: {
    kind: 'choice',
    default: 'binary',
    choices: SEGMENTATION_MODES,
    doc: 'binary: [N,H,W] masks; multiclass: [N,H,W,C] softmax output with an integer or one-hot mask; multilabel: [N,H,W,C] independent channels',
  },
  fromLogits: { kind: 'boolean', default: false, doc: 'yPred holds logits: sigmoid (binary, multilabel) or softmax over the last axis (multiclass) first' },
};

export const AGGREGATE_PARAMS: ParamSpecs = {
  aggregate: {
    kind: 'choice',
    default: 'perSample',
    choices: AGGREGATES,
    doc: "'perSample': score per image and class, then the mean; 'batch': statistics summed over the batch first (one value)",
  },
};

export const CLASS_PARAMS: ParamSpecs = {
  classWeights: { kind: 'data', type: 'number[] (one per channel of yPred, >= 0)', doc: 'weights of the per-class losses in their weighted mean' },
  includeBackground: { kind: 'boolean', default: true, doc: 'multiclass: false leaves channel 0 (background) out of the class mean' },
  ignoreIndex: { kind: 'data', type: 'integer', doc: 'label value of integer masks whose pixels leave every sum' },
};

export const SMOOTHING_PARAMS: ParamSpecs = {
  smoothNumerator: { kind: 'number', default: 1e-5, min: 0, doc: 'added to the numerator (MONAI smooth_nr)' },
  smoothDenominator: { kind: 'number', default: 1e-5, min: 0, doc: 'added to the denominator (MONAI smooth_dr); equal to smoothNumerator, an empty target and prediction score loss 0' },
};

/** What the readers may accept beyond the common case. */
export interface SegmentationRules {
  /** Spatial ranks accepted (2: [N,H,W(,C)], 3: [N,D,H,W,C]). @defaultValue `[2, 3]` */
  spatialRanks?: readonly (2 | 3)[];
}

export interface SegmentationInputs {
  /** The prediction as given (logits with `fromLogits`), float32, `[N, ...spatial, C]`. */
  raw: tf.Tensor;
  /** Probabilities `[N, ...spatial, C]` (activation applied), zero at ignored pixels. */
  probs: tf.Tensor;
  /** Targets `[N, ...spatial, C]`, float32: one-hot or {0, 1} (soft values kept), zero at ignored pixels. */
  targets: tf.Tensor;
  /** 1 at kept pixels and 0 at ignored ones, `[N, ...spatial, 1]`; undefined without `ignoreIndex`. */
  valid: tf.Tensor | undefined;
  /** C, the channels of the canonical layout (1 in binary mode). */
  numClasses: number;
  /** 2 for images, 3 for volumes. */
  spatialRank: 2 | 3;
  mode: SegmentationMode;
}

function shapesText(mode: SegmentationMode, ranks: readonly (2 | 3)[]): string {
  const has3d = ranks.includes(3);
  if (mode === 'binary') return has3d ? '[N,H,W], [N,H,W,1] or [N,D,H,W,1]' : '[N,H,W] or [N,H,W,1]';
  return has3d ? '[N,H,W,C] or [N,D,H,W,C]' : '[N,H,W,C]';
}

/** The canonical `[N, ...spatial, C]` shape of a prediction, and its spatial rank, or a thrown error. */
function canonicalShape(fn: string, mode: SegmentationMode, pred: tf.Tensor, ranks: readonly (2 | 3)[]): { shape: number[]; spatialRank: 2 | 3 } {
  const s = pred.shape;
  const last = s[s.length - 1];
  let spatialRank: number | undefined;
  let shape: number[] = s.slice();
  if (mode === 'binary') {
    if (s.length === 3) {
      spatialRank = 2;
      shape = [...s, 1];
    } else if ((s.length === 4 || s.length === 5) && last === 1) spatialRank = s.length - 2;
  } else if (s.length === 4 || s.length === 5) spatialRank = s.length - 2;
  if (spatialRank === undefined || !ranks.includes(spatialRank as 2 | 3)) {
    fail(fn, '`yPred`', `have shape ${shapesText(mode, ranks)} in ${mode} mode`, `shape ${formatShape(s)}`);
  }
  if (mode === 'multiclass' && (last as number) < 2) {
    fail(fn, '`yPred`', "have at least 2 channels in multiclass mode (use mode: 'binary' for one foreground)", `shape ${formatShape(s)}`);
  }
  return { shape, spatialRank: spatialRank as 2 | 3 };
}

/** Reads binary targets in [0, 1], pixels equal to `ignoreIndex` aside; returns targets and the valid mask. */
function binaryMaskTargets(fn: string, y: tf.Tensor, ignoreIndex: number | undefined): { targets: tf.Tensor; valid: tf.Tensor | undefined } {
  if (ignoreIndex === undefined) {
    checkValuesInRange(fn, 'yTrue', y, 0, 1);
    return { targets: y.dtype === 'float32' ? y : tf.cast(y, 'float32'), valid: undefined };
  }
  const values = y.dataSync();
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v !== ignoreIndex && !(v >= 0 && v <= 1) && !Number.isNaN(v)) {
      fail(fn, 'every value of `yTrue`', `lie in [0, 1] or equal ignoreIndex ${ignoreIndex}`, `${v} at flat index ${i}`);
    }
  }
  const valid = tf.cast(tf.notEqual(y, ignoreIndex), 'float32');
  return { targets: tf.mul(tf.cast(y, 'float32'), valid), valid };
}

/**
 * Reads `(yTrue, yPred)` of a segmentation loss into the canonical channels-last layout
 * `[N, ...spatial, C]`, applies the activation of `mode` when `fromLogits`, and zeroes ignored pixels
 * in both probabilities and targets, so they leave every sum.
 */
export function segmentationInputs(
  fn: string,
  yTrue: TensorInput,
  yPred: TensorInput,
  options: SegmentationInputOptions & { ignoreIndex?: number },
  rules: SegmentationRules = {},
): SegmentationInputs {
  const { mode = 'binary', fromLogits = false, ignoreIndex } = options;
  const ranks = rules.spatialRanks ?? [2, 3];
  if (ignoreIndex !== undefined) checkNumber(fn, 'ignoreIndex', ignoreIndex, { integer: true });

  const pred = toFloat(fn, 'yPred', yPred);
  const { shape, spatialRank } = canonicalShape(fn, mode, pred, ranks);
  checkNotEmpty(fn, 'yPred', pred);
  const raw = pred.rank === shape.length ? pred : tf.reshape(pred, shape);
  const c = shape[shape.length - 1] as number;
  const pixelShape = shape.slice(0, -1);

  const y = toTensor(fn, 'yTrue', yTrue);
  const same = (a: readonly number[], b: readonly number[]) => tf.util.arraysEqual(a as number[], b as number[]);
  let targets: tf.Tensor;
  let valid: tf.Tensor | undefined;
  if (mode === 'binary') {
    if (!(same(y.shape, pred.shape) || same(y.shape, shape) || same(y.shape, pixelShape))) {
      fail(fn, '`yTrue` and `yPred`', 'have the same shape', `${formatShape(y.shape)} and ${formatShape(pred.shape)}`);
    }
    ({ targets, valid } = binaryMaskTargets(fn, tf.reshape(y, shape), ignoreIndex));
  } else if (mode === 'multiclass') {
    const isIndexMask = same(y.shape, pixelShape) || same(y.shape, [...pixelShape, 1]);
    if (isIndexMask) {
      checkClassIndices(fn, 'yTrue', y, c, ignoreIndex);
      const indices = tf.cast(tf.reshape(y, pixelShape), 'int32');
      // tf.oneHot gives an all-zero row for an out-of-range index; in-range ignored labels are zeroed by `valid`.
      targets = tf.cast(tf.oneHot(indices, c), 'float32');
      if (ignoreIndex !== undefined) {
        valid = tf.cast(tf.expandDims(tf.notEqual(indices, ignoreIndex), -1), 'float32');
        targets = tf.mul(targets, valid);
      }
    } else if (same(y.shape, shape)) {
      if (ignoreIndex !== undefined) {
        fail(fn, '`ignoreIndex`', 'be used with integer masks (use `weights` or crop to leave pixels of one-hot targets out)', `one-hot targets of shape ${formatShape(y.shape)}`);
      }
      checkValuesInRange(fn, 'yTrue', y, 0, 1);
      targets = y.dtype === 'float32' ? y : tf.cast(y, 'float32');
    } else {
      return fail(fn, '`yTrue`', `be an integer mask ${formatShape(pixelShape)} or one-hot of yPred's shape ${formatShape(shape)} in multiclass mode`, `shape ${formatShape(y.shape)}`);
    }
  } else {
    if (!same(y.shape, shape)) fail(fn, '`yTrue` and `yPred`', 'have the same shape', `${formatShape(y.shape)} and ${formatShape(pred.shape)}`);
    if (ignoreIndex !== undefined) fail(fn, '`ignoreIndex`', 'be used with integer masks (binary or multiclass mode)', 'multilabel mode');
    checkValuesInRange(fn, 'yTrue', y, 0, 1);
    targets = y.dtype === 'float32' ? y : tf.cast(y, 'float32');
  }

  let probs = raw;
  if (fromLogits) probs = mode === 'multiclass' ? tf.exp(logSoftmax(raw)) : tf.sigmoid(raw);
  if (valid !== undefined) probs = tf.mul(probs, valid);
  return { raw, probs, targets, valid, numClasses: c, spatialRank, mode };
}

/** Sums over the spatial axes, `[N, ...spatial, C]` → `[N, C]`; with `'batch'` also over the batch, → `[1, C]`. */
export function classSums(x: tf.Tensor, aggregate: Aggregate): tf.Tensor2D {
  const axes = Array.from({ length: x.rank - 2 }, (_, i) => i + 1);
  const perSample = tf.sum(x, axes) as tf.Tensor2D;
  return aggregate === 'batch' ? (tf.sum(perSample, 0, true) as tf.Tensor2D) : perSample;
}

/** Channels scored: all, or channel 0 left out in multiclass mode with `includeBackground: false`. */
export function scoredChannels(mode: SegmentationMode, numClasses: number, includeBackground: boolean): number[] {
  const first = mode === 'multiclass' && !includeBackground ? 1 : 0;
  return Array.from({ length: numClasses - first }, (_, i) => i + first);
}

/** Keeps the listed channels of the last axis (a no-op when all are kept). */
export function selectChannels(x: tf.Tensor, channels: readonly number[], numClasses: number): tf.Tensor {
  if (channels.length === numClasses) return x;
  const begin = x.shape.map(() => 0);
  begin[begin.length - 1] = channels[0] as number;
  const size = x.shape.map(() => -1);
  size[size.length - 1] = channels.length;
  return tf.slice(x, begin, size);
}

/**
 * Weights of the scored classes, from `classWeights` (one per channel of yPred), normalised to sum
 * to 1; throws when they are all zero.
 */
export function scoredClassWeights(fn: string, classWeights: ClassOptions['classWeights'], numClasses: number, channels: readonly number[]): Float32Array | undefined {
  if (classWeights === undefined) return undefined;
  const all = checkPositiveVector(fn, 'classWeights', classWeights, numClasses);
  const kept = Float32Array.from(channels, (c) => all[c] as number);
  const total = kept.reduce((a, b) => a + b, 0);
  if (!(total > 0)) fail(fn, '`classWeights`', 'give a positive weight to at least one scored class', `[${Array.from(all).join(',')}]`);
  return kept.map((w) => w / total);
}

/** The (weighted) mean over classes of per-class losses `[M, C']` → `[M]`. */
export function meanOverClasses(perClass: tf.Tensor2D, weights: Float32Array | undefined): tf.Tensor1D {
  if (weights === undefined) return tf.mean(perClass, 1) as tf.Tensor1D;
  return tf.sum(tf.mul(perClass, tf.tensor1d(weights)), 1) as tf.Tensor1D;
}

/** Per-class sums of the overlap losses (Dice, Jaccard, Tversky), over the scored classes, `[M, C']`. */
export interface OverlapStatistics {
  /** Σ p·y (the soft true positives). */
  intersection: tf.Tensor2D;
  /** Σ p (Σ p² with `squared`). */
  sumPred: tf.Tensor2D;
  /** Σ y (Σ y² with `squared`). */
  sumTrue: tf.Tensor2D;
  /** Normalised weights of the scored classes, or undefined for the plain mean. */
  weights: Float32Array | undefined;
}

/**
 * Reads the inputs of an overlap loss and sums, per image (or over the batch) and scored class, the
 * soft true positives, the prediction and the target. Ignored pixels are zero in both, so they leave
 * every sum.
 */
export function overlapStatistics(
  fn: string,
  yTrue: TensorInput,
  yPred: TensorInput,
  options: SegmentationInputOptions & AggregateOptions & ClassOptions,
  squared = false,
): OverlapStatistics {
  return overlapOfInputs(fn, segmentationInputs(fn, yTrue, yPred, options), options, squared);
}

/** `overlapStatistics` of inputs already read (for losses that also need the inputs themselves). */
export function overlapOfInputs(fn: string, inputs: SegmentationInputs, options: AggregateOptions & ClassOptions, squared = false): OverlapStatistics {
  const { aggregate = 'perSample', includeBackground = true } = options;
  const { probs, targets, numClasses, mode } = inputs;
  const channels = scoredChannels(mode, numClasses, includeBackground);
  const weights = scoredClassWeights(fn, options.classWeights, numClasses, channels);
  const p = selectChannels(probs, channels, numClasses);
  const y = selectChannels(targets, channels, numClasses);
  return {
    intersection: classSums(tf.mul(p, y), aggregate),
    sumPred: classSums(squared ? tf.square(p) : p, aggregate),
    sumTrue: classSums(squared ? tf.square(y) : y, aggregate),
    weights,
  };
}
