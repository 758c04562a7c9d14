import { fail, formatShape } from '../losses/_shared/errors.js';
import type { ParamSpecs } from '../losses/_shared/spec.js';
import { thin2d } from '../losses/_shared/thinning.js';
import type { TensorInput } from '../losses/_shared/to-tensor.js';
import { checkBinaryLabels, checkMetricOptions, checkNoNaN, checkNotEmpty, type NumericArray, readArray } from './_inputs.js';

/**
 * Segmentation metrics on binary masks, in float64 JavaScript. A mask is `[H, W]` (one image) or
 * `[N, H, W]` (a batch: the score is the mean of the per-image scores; `[N, H, W, 1]` is accepted).
 * `yTrue` holds {0, 1}; `yPred` holds {0, 1}, or probabilities / scores with `threshold`
 * (`yPred > threshold` is foreground).
 */

export interface SegmentationMetricOptions {
  /** Reads `yPred` as scores: foreground where `yPred > threshold`. Without it `yPred` must hold 0 and 1. */
  threshold?: number;
  /** The score of an image whose target and prediction are both empty. @defaultValue `1` */
  emptyScore?: number;
}

const PARAMS: ParamSpecs = {
  threshold: { kind: 'data', type: 'number', doc: 'foreground where yPred > threshold; without it yPred must hold 0 and 1' },
  emptyScore: { kind: 'number', default: 1, min: 0, max: 1, doc: 'score of an image whose target and prediction are both empty' },
};

interface MaskBatch {
  yTrue: Float64Array;
  yPred: Float64Array;
  /** Images in the batch. */
  n: number;
  height: number;
  width: number;
}

/** Reads two binary mask batches of the same shape, `[H,W]`, `[N,H,W]` or `[N,H,W,1]`. */
function readMasks(fn: string, yTrue: TensorInput, yPred: TensorInput, options: SegmentationMetricOptions): MaskBatch {
  checkMetricOptions(fn, PARAMS, options);
  const t = readArray(fn, 'yTrue', yTrue);
  const p = readArray(fn, 'yPred', yPred);
  const image = (a: NumericArray, name: string): number[] => {
    const s = a.shape;
    if (s.length === 2) return [1, s[0] as number, s[1] as number];
    if (s.length === 3 || (s.length === 4 && s[3] === 1)) return [s[0] as number, s[1] as number, s[2] as number];
    return fail(fn, `\`${name}\``, 'have shape [H,W], [N,H,W] or [N,H,W,1]', `shape ${formatShape(s)}`);
  };
  const [n, height, width] = image(t, 'yTrue') as [number, number, number];
  image(p, 'yPred');
  if (t.values.length !== p.values.length || t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i])) {
    fail(fn, '`yTrue` and `yPred`', 'have the same shape', `${formatShape(t.shape)} and ${formatShape(p.shape)}`);
  }
  checkNotEmpty(fn, 'yTrue', t);
  checkBinaryLabels(fn, 'yTrue', t.values);
  let predicted = p.values;
  if (options.threshold === undefined) checkBinaryLabels(fn, 'yPred', p.values, ' (pass `threshold` to read probabilities)');
  else {
    checkNoNaN(fn, 'yPred', p.values);
    const threshold = options.threshold;
    predicted = p.values.map((v) => (v > threshold ? 1 : 0));
  }
  return { yTrue: t.values, yPred: predicted, n, height, width };
}

/** The mean over images of `score(image offset)`. */
function meanOverImages(batch: MaskBatch, score: (offset: number, size: number) => number): number {
  const size = batch.height * batch.width;
  let sum = 0;
  for (let b = 0; b < batch.n; b++) sum += score(b * size, size);
  return sum / batch.n;
}

/**
 * Dice similarity coefficient (F1 of the foreground pixels), per image, averaged over the batch.
 *
 *     Dice = 2 |T ∩ P| / (|T| + |P|)
 *
 * An image whose target and prediction are both empty scores `emptyScore` (default 1, a perfect
 * match, as the segmentation losses' smoothing gives); medpy's `dc` and scikit-learn's `f1_score`
 * give 0 there (`emptyScore: 0`). Otherwise this equals `f1_score(yTrue.ravel(), yPred.ravel())` per image.
 *
 * @param yTrue - Target masks in {0, 1}: `[H, W]`, `[N, H, W]` or `[N, H, W, 1]`.
 * @param yPred - Predicted masks in {0, 1} of the same shape (scores with `threshold`).
 * @returns A number in [0, 1].
 *
 * @example
 * metrics.diceScore([[1, 1], [0, 0]], [[1, 0], [0, 0]]); // 0.6666666666666666
 */
export function diceScore(yTrue: TensorInput, yPred: TensorInput, options: SegmentationMetricOptions = {}): number {
  const batch = readMasks('diceScore', yTrue, yPred, options);
  const { emptyScore = 1 } = options;
  return meanOverImages(batch, (offset, size) => {
    let both = 0;
    let total = 0;
    for (let i = offset; i < offset + size; i++) {
      const t = batch.yTrue[i] as number;
      const p = batch.yPred[i] as number;
      both += t * p;
      total += t + p;
    }
    return total === 0 ? emptyScore : (2 * both) / total;
  });
}

/**
 * clDice (Shit et al., CVPR 2021) on binary masks: the harmonic mean of topology precision and
 * topology sensitivity, per image, averaged over the batch.
 *
 *     Tprec = |S(P) ∩ T| / |S(P)|,   Tsens = |S(T) ∩ P| / |S(T)|,   clDice = 2·Tprec·Tsens / (Tprec + Tsens)
 *
 * S is the binary skeleton by Guo–Hall thinning (the library's `skeletonRecallLoss` uses the same;
 * the reference code uses scikit-image's `skeletonize`, whose skeletons can differ by a pixel near
 * ends and junctions). It scores connectivity: a one-pixel gap in a long vessel costs a large part of
 * Tsens while barely moving Dice. An image whose target and prediction are both empty scores
 * `emptyScore` (default 1); an empty target or prediction against a non-empty one scores 0 (a ratio
 * with an empty skeleton counts 0; thinning never empties a non-empty mask).
 *
 * @param yTrue - Target masks in {0, 1}: `[H, W]`, `[N, H, W]` or `[N, H, W, 1]`.
 * @param yPred - Predicted masks in {0, 1} of the same shape (scores with `threshold`).
 * @returns A number in [0, 1].
 *
 * @example
 * metrics.clDiceScore([[0, 1, 0], [0, 1, 0], [0, 1, 0]], [[0, 1, 0], [0, 0, 0], [0, 1, 0]]); // 0.8
 *
 * @see S. Shit et al., clDice - a Novel Topology-Preserving Loss Function for Tubular Structure
 * Segmentation, CVPR 2021, https://arxiv.org/abs/2003.07311
 */
export function clDiceScore(yTrue: TensorInput, yPred: TensorInput, options: SegmentationMetricOptions = {}): number {
  const batch = readMasks('clDiceScore', yTrue, yPred, options);
  const { emptyScore = 1 } = options;
  const { height, width } = batch;
  return meanOverImages(batch, (offset, size) => {
    const t = batch.yTrue.subarray(offset, offset + size);
    const p = batch.yPred.subarray(offset, offset + size);
    const anyTrue = t.some((v) => v === 1);
    const anyPred = p.some((v) => v === 1);
    if (!anyTrue && !anyPred) return emptyScore;
    if (!anyTrue || !anyPred) return 0;
    const ratio = (skeleton: Uint8Array, mask: Float64Array) => {
      let inside = 0;
      let count = 0;
      for (let i = 0; i < size; i++) {
        count += skeleton[i] as number;
        inside += (skeleton[i] as number) * (mask[i] as number);
      }
      return count === 0 ? 0 : inside / count;
    };
    const tprec = ratio(thin2d(p, height, width), t);
    const tsens = ratio(thin2d(t, height, width), p);
    return tprec + tsens === 0 ? 0 : (2 * tprec * tsens) / (tprec + tsens);
  });
}
