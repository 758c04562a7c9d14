import { fail, formatShape, formatValue } from '../losses/_shared/errors.js';
import type { ParamSpecs } from '../losses/_shared/spec.js';
import { checkMetricOptions } from '../metrics/_inputs.js';
import { buildComplex2d, denseRanks, minimumRanks, type Ranking } from './complex.js';
import { type CubicalPersistenceOptions, type PersistencePair, TOPOLOGY_PARAMS } from './cubicalPersistence.js';
import { type ImageInput, padRelative, readImage2d, sublevelValues } from './image.js';
import { bettiMatching2d, type DimensionMatching2d } from './matching.js';
import type { PairBuffer } from './pairs.js';

/** Options of the Betti matching and of the losses and metrics built on it. */
export interface BettiMatchingOptions extends CubicalPersistenceOptions {
  /** Homology dimensions matched: 0 (components), 1 (holes). @defaultValue `[0, 1]` */
  dimensions?: readonly number[];
}

export const MATCHING_PARAMS: ParamSpecs = {
  ...TOPOLOGY_PARAMS,
  dimensions: { kind: 'data', type: 'number[] (a non-empty subset of [0, 1])', doc: 'homology dimensions matched: 0 components, 1 holes (default [0, 1])' },
};

/** Whether `dimensions` is a non-empty list of distinct dimensions from 0 to `top`. */
export function isDimensionList(dimensions: unknown, top: number): dimensions is readonly number[] {
  return (
    Array.isArray(dimensions) &&
    dimensions.length > 0 &&
    dimensions.every((d) => Number.isInteger(d) && d >= 0 && d <= top) &&
    new Set(dimensions).size === dimensions.length
  );
}

/**
 * Throws unless `dimensions` is a non-empty list of distinct dimensions from 0 to `top` (1 for
 * images, 2 for volumes); returns it, or all of them when it is undefined.
 */
export function checkDimensions(fn: string, dimensions: unknown, top = 1): readonly number[] {
  const all = Array.from({ length: top + 1 }, (_, d) => d);
  if (dimensions === undefined) return all;
  if (!isDimensionList(dimensions, top)) fail(fn, '`dimensions`', `be a non-empty list of distinct dimensions from [${all.join(', ')}]`, formatValue(dimensions));
  return dimensions;
}

/**
 * Maps the critical cells of matched barcodes computed on `relative`-framed images back to the
 * unframed ones: a frame cell becomes the image cell whose value it holds (`sources`, one per input).
 */
export function remapFramedPairs(dims: readonly (DimensionMatching2d | undefined)[], sources: readonly [Int32Array, Int32Array]): void {
  const remap = (pairs: PairBuffer, source: Int32Array) => {
    for (let i = 0; i < pairs.length; i++) {
      pairs.birth[i] = source[pairs.birth[i] as number] as number;
      pairs.death[i] = source[pairs.death[i] as number] as number;
    }
  };
  for (const d of dims) {
    if (d === undefined) continue;
    remap(d.prediction, sources[0]);
    remap(d.target, sources[1]);
  }
}

/** The comparison image of two sublevel images: their pointwise minimum, with its ranks. */
export function comparisonImage(f0: Float64Array, r0: Ranking, f1: Float64Array, r1: Ranking): { values: Float64Array; rank: Ranking } {
  const values = new Float64Array(f0.length);
  for (let i = 0; i < values.length; i++) values[i] = Math.min(f0[i] as number, f1[i] as number);
  return { values, rank: minimumRanks(f0, r0, f1, r1) };
}

/**
 * Betti matching of two sublevel images of the same shape, with the `relative` frame where asked;
 * the pairs' pixels are flat indices into the unpadded images (frame pixels are mapped to the pixel
 * whose value they hold).
 */
export function matchSublevelImages(
  prediction: Float64Array,
  target: Float64Array,
  height: number,
  width: number,
  options: { relative?: boolean; dimensions?: readonly number[] } = {},
): [DimensionMatching2d | undefined, DimensionMatching2d | undefined] {
  const { relative = false, dimensions = [0, 1] } = options;
  let f0 = prediction;
  let f1 = target;
  let h = height;
  let w = width;
  let sources: [Int32Array, Int32Array] | undefined;
  if (relative) {
    const p0 = padRelative(prediction, height, width);
    const p1 = padRelative(target, height, width);
    f0 = p0.values;
    f1 = p1.values;
    h = p0.height;
    w = p0.width;
    sources = [p0.source, p1.source];
  }
  const r0 = denseRanks(f0);
  const r1 = denseRanks(f1);
  const fc = comparisonImage(f0, r0, f1, r1);
  const { dims } = bettiMatching2d(buildComplex2d(f0, h, w, r0), buildComplex2d(f1, h, w, r1), buildComplex2d(fc.values, h, w, fc.rank), dimensions);
  if (sources !== undefined) remapFramedPairs(dims, sources);
  return dims;
}

/** Indices of the pairs of a barcode that no match refers to. */
export function unmatchedIndices(length: number, matched: Int32Array): number[] {
  const isMatched = new Uint8Array(length);
  for (let i = 0; i < matched.length; i++) isMatched[matched[i] as number] = 1;
  const out: number[] = [];
  for (let i = 0; i < length; i++) if (isMatched[i] === 0) out.push(i);
  return out;
}

/** Matched and unmatched bars of one dimension, each bar built by `bar` from its input's pairs and index. */
export function dimensionResult<P>(
  m: DimensionMatching2d | undefined,
  bar: (input: 'prediction' | 'target', pairs: PairBuffer, i: number) => P,
): { matched: { prediction: P; target: P }[]; unmatchedPrediction: P[]; unmatchedTarget: P[] } {
  if (m === undefined) return { matched: [], unmatchedPrediction: [], unmatchedTarget: [] };
  return {
    matched: Array.from({ length: m.count }, (_, k) => ({
      prediction: bar('prediction', m.prediction, m.matchedPrediction[k] as number),
      target: bar('target', m.target, m.matchedTarget[k] as number),
    })),
    unmatchedPrediction: unmatchedIndices(m.prediction.length, m.matchedPrediction).map((i) => bar('prediction', m.prediction, i)),
    unmatchedTarget: unmatchedIndices(m.target.length, m.matchedTarget).map((i) => bar('target', m.target, i)),
  };
}

export interface MatchedPair {
  prediction: PersistencePair;
  target: PersistencePair;
}

/** The Betti matching in one dimension. */
export interface DimensionMatching {
  matched: MatchedPair[];
  unmatchedPrediction: PersistencePair[];
  unmatchedTarget: PersistencePair[];
}

export interface BettiMatchingResult {
  /** Components (empty lists when dimension 0 is not asked for). */
  dim0: DimensionMatching;
  /** Holes (empty lists when dimension 1 is not asked for). */
  dim1: DimensionMatching;
}

/**
 * Betti matching of the barcodes of two images of the same shape: a prediction bar and a target
 * bar are matched when the maps induced by the inclusions of both into the comparison image (the
 * pixelwise max for superlevel, the union of the foregrounds; the min for sublevel) match them to
 * the same bar of the comparison image. The matching respects location: features are matched only
 * when they overlap in the comparison image, unlike a Wasserstein matching of the diagrams.
 *
 *     superlevel:  C = max(P, G)   H(P_t) → H(C_t) ← H(G_t)
 *     matched (q, q')  ⇔  both induced matchings reach the same bar of C
 *
 * Same complex, cell order and tie-breaking as {@link cubicalPersistence} and the official 2D code
 * (Betti-Matching-3D, `src/src_2D`); zero-length intervals and the essential class are left out.
 *
 * @param prediction - `[H, W]` image (tensor, nested array, or `{ data, shape }`).
 * @param target - Image of the same shape.
 * @returns Matched pairs and the unmatched pairs of each image, per dimension.
 *
 * @example
 * bettiMatching([[1, 0, 1]], [[1, 0, 0]]).dim0.unmatchedPrediction.length; // 1 (an extra component)
 *
 * @see N. Stucki, J. C. Paetzold, S. Shit, B. Menze, U. Bauer, Topologically faithful image
 * segmentation via induced matching of persistence barcodes, ICML 2023, https://arxiv.org/abs/2211.15272
 */
export function bettiMatching(prediction: ImageInput, target: ImageInput, options: BettiMatchingOptions = {}): BettiMatchingResult {
  const fn = 'bettiMatching';
  // `dimensions` is a list, checked on its own.
  checkMetricOptions(fn, MATCHING_PARAMS, { ...options, dimensions: undefined });
  const dimensions = checkDimensions(fn, options.dimensions);
  const { filtration = 'superlevel', relative = false } = options;
  const p = readImage2d(fn, 'prediction', prediction);
  const t = readImage2d(fn, 'target', target);
  if (p.height !== t.height || p.width !== t.width) {
    fail(fn, '`prediction` and `target`', 'have the same shape', `${formatShape([p.height, p.width])} and ${formatShape([t.height, t.width])}`);
  }
  const dims = matchSublevelImages(sublevelValues(p.values, filtration), sublevelValues(t.values, filtration), p.height, p.width, { relative, dimensions });
  const w = p.width;
  const bar = (input: 'prediction' | 'target', pairs: PairBuffer, i: number): PersistencePair => {
    const values = input === 'prediction' ? p.values : t.values;
    const b = pairs.birth[i] as number;
    const d = pairs.death[i] as number;
    return { birth: values[b] as number, death: values[d] as number, birthPixel: [Math.floor(b / w), b % w], deathPixel: [Math.floor(d / w), d % w] };
  };
  const convert = (m: DimensionMatching2d | undefined): DimensionMatching => dimensionResult(m, bar);
  return { dim0: convert(dims[0]), dim1: convert(dims[1]) };
}
