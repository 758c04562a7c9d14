import { fail, formatShape, formatValue } from '../losses/_shared/errors.js';
import type { ParamSpecs } from '../losses/_shared/spec.js';
import { distanceToForeground2d } from '../losses/_shared/distance-transform.js';
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
function readMasks(fn: string, yTrue: TensorInput, yPred: TensorInput, options: { threshold?: number }, params: ParamSpecs = PARAMS): MaskBatch {
  checkMetricOptions(fn, params, options);
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

export interface Hausdorff95Options {
  /** Reads `yPred` as scores: foreground where `yPred > threshold`. Without it `yPred` must hold 0 and 1. */
  threshold?: number;
  /** The percentile of the surface distances, in [0, 100]; 100 gives the Hausdorff distance. @defaultValue `95` */
  percentile?: number;
  /**
   * `'pooled'`: the percentile of both directed distance sets together (medpy's `hd95`, which
   * TopoMortar reports); `'max'`: the larger of the two directed percentiles (MONAI's
   * `compute_hausdorff_distance`). @defaultValue `'pooled'`
   */
  directions?: 'pooled' | 'max';
  /** The distance of an image where exactly one of target and prediction is empty (TopoMortar uses 9 999 999). @defaultValue `Infinity` */
  emptyDistance?: number;
}

const HAUSDORFF_PARAMS: ParamSpecs = {
  threshold: PARAMS.threshold as ParamSpecs[string],
  percentile: { kind: 'number', default: 95, min: 0, max: 100, doc: 'percentile of the surface distances (100: the Hausdorff distance)' },
  directions: { kind: 'choice', default: 'pooled', choices: ['pooled', 'max'], doc: "'pooled': percentile of both directions together (medpy); 'max': larger directed percentile (MONAI)" },
  emptyDistance: { kind: 'data', type: 'number >= 0 (Infinity allowed)', doc: 'distance of an image where exactly one mask is empty; default Infinity' },
};

/** Surface pixels: foreground pixels with a 4-neighbour that is background or outside the image. */
function surface(mask: Float64Array, height: number, width: number): Uint8Array {
  const out = new Uint8Array(height * width);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const i = r * width + c;
      if (mask[i] !== 1) continue;
      const inside = r > 0 && c > 0 && r < height - 1 && c < width - 1 && mask[i - 1] === 1 && mask[i + 1] === 1 && mask[i - width] === 1 && mask[i + width] === 1;
      if (!inside) out[i] = 1;
    }
  }
  return out;
}

/** The q-th percentile of `values` with linear interpolation between ranks (numpy's default). */
function percentileOf(values: number[], q: number): number {
  const sorted = values.sort((a, b) => a - b);
  const rank = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (rank - lo);
}

/**
 * The 95th-percentile Hausdorff distance between the surfaces of target and prediction, per image,
 * averaged over the batch, in pixels (unit spacing), as medpy's `hd95` computes it.
 *
 *     ∂M = M ∧ ¬erode(M)   (erosion by the 4-neighbour cross, outside the image counted as background)
 *     d(P→T) = { min_{t ∈ ∂T} ‖p − t‖₂ : p ∈ ∂P },   d(T→P) likewise
 *     HD95 = percentile₉₅(d(P→T) ∪ d(T→P))       ('pooled', medpy)
 *          = max(percentile₉₅ d(P→T), percentile₉₅ d(T→P))   ('max', MONAI)
 *
 * Distances come from the exact Euclidean distance transform of each surface (Felzenszwalb and
 * Huttenlocher), O(H·W) per image; the percentile interpolates linearly between ranks, as numpy does.
 * Unlike Dice it reads the boundary: a stray blob far from the object moves HD95 a lot while
 * barely changing the overlap. An image where both masks are empty scores 0; where exactly one is
 * empty the distance is undefined and the image scores `emptyDistance` (default Infinity; medpy raises
 * an error there).
 *
 * @param yTrue - Target masks in {0, 1}: `[H, W]`, `[N, H, W]` or `[N, H, W, 1]`.
 * @param yPred - Predicted masks in {0, 1} of the same shape (scores with `threshold`).
 * @returns A distance in pixels, >= 0.
 *
 * @example
 * metrics.hausdorff95([[1, 0, 0, 0]], [[0, 0, 0, 1]]); // 3
 */
export function hausdorff95(yTrue: TensorInput, yPred: TensorInput, options: Hausdorff95Options = {}): number {
  const batch = readMasks('hausdorff95', yTrue, yPred, options, HAUSDORFF_PARAMS);
  const { percentile = 95, directions = 'pooled', emptyDistance = Number.POSITIVE_INFINITY } = options;
  if (!(typeof emptyDistance === 'number' && emptyDistance >= 0)) fail('hausdorff95', '`emptyDistance`', 'be a number >= 0 (Infinity allowed)', formatValue(emptyDistance));
  const { height, width } = batch;
  return meanOverImages(batch, (offset, size) => {
    const t = batch.yTrue.subarray(offset, offset + size);
    const p = batch.yPred.subarray(offset, offset + size);
    const anyTrue = t.includes(1);
    const anyPred = p.includes(1);
    if (!anyTrue && !anyPred) return 0;
    if (!anyTrue || !anyPred) return emptyDistance;
    const surfaceTrue = surface(t, height, width);
    const surfacePred = surface(p, height, width);
    const directed = (from: Uint8Array, to: Uint8Array) => {
      const distance = distanceToForeground2d(to, height, width);
      const out: number[] = [];
      for (let i = 0; i < size; i++) if (from[i] === 1) out.push(distance[i] as number);
      return out;
    };
    const predToTrue = directed(surfacePred, surfaceTrue);
    const trueToPred = directed(surfaceTrue, surfacePred);
    if (directions === 'max') return Math.max(percentileOf(predToTrue, percentile), percentileOf(trueToPred, percentile));
    return percentileOf([...predToTrue, ...trueToPred], percentile);
  });
}
