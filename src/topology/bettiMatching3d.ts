import { fail, formatShape } from '../losses/_shared/errors.js';
import type { ParamSpecs } from '../losses/_shared/spec.js';
import { checkMetricOptions } from '../metrics/_inputs.js';
import { checkDimensions, comparisonImage, dimensionResult, remapFramedPairs } from './bettiMatching.js';
import { denseRanks } from './complex.js';
import { buildComplex3d } from './complex3d.js';
import { TOPOLOGY_PARAMS } from './cubicalPersistence.js';
import type { CubicalPersistence3dOptions, PersistencePair3d, Voxel } from './cubicalPersistence3d.js';
import { padRelative3d, readImage3d, sublevelValues, type VolumeInput } from './image.js';
import { bettiMatching3dPairs, type DimensionMatching3d } from './matching3d.js';
import type { PairBuffer } from './pairs.js';

/** Options of {@link bettiMatching3d}. */
export interface BettiMatching3dOptions extends CubicalPersistence3dOptions {
  /** Homology dimensions matched: 0 (components), 1 (loops), 2 (cavities). @defaultValue `[0, 1, 2]` */
  dimensions?: readonly number[];
}

export const MATCHING3D_PARAMS: ParamSpecs = {
  ...TOPOLOGY_PARAMS,
  dimensions: { kind: 'data', type: 'number[] (a non-empty subset of [0, 1, 2])', doc: 'homology dimensions matched: 0 components, 1 loops, 2 cavities (default [0, 1, 2])' },
};

/** Throws unless `dimensions` is a non-empty list of distinct values from {0, 1, 2}; returns it (default all three). */
export function checkDimensions3d(fn: string, dimensions: unknown): readonly number[] {
  return checkDimensions(fn, dimensions, 2);
}

/**
 * Betti matching of two sublevel volumes of the same shape, with the `relative` frame where asked;
 * the pairs' voxels are flat indices into the unpadded volumes (frame voxels are mapped to the
 * voxel whose value they hold).
 */
export function matchSublevelVolumes(
  prediction: Float64Array,
  target: Float64Array,
  shape: readonly [number, number, number],
  options: { relative?: boolean; dimensions?: readonly number[] } = {},
): [DimensionMatching3d | undefined, DimensionMatching3d | undefined, DimensionMatching3d | undefined] {
  const { relative = false, dimensions = [0, 1, 2] } = options;
  let [d, h, w] = shape;
  let f0 = prediction;
  let f1 = target;
  let sources: [Int32Array, Int32Array] | undefined;
  if (relative) {
    const p0 = padRelative3d(prediction, d, h, w);
    const p1 = padRelative3d(target, d, h, w);
    f0 = p0.values;
    f1 = p1.values;
    ({ depth: d, height: h, width: w } = p0);
    sources = [p0.source, p1.source];
  }
  const r0 = denseRanks(f0);
  const r1 = denseRanks(f1);
  const fc = comparisonImage(f0, r0, f1, r1);
  const { dims } = bettiMatching3dPairs(buildComplex3d(f0, d, h, w, r0), buildComplex3d(f1, d, h, w, r1), buildComplex3d(fc.values, d, h, w, fc.rank), dimensions);
  if (sources !== undefined) remapFramedPairs(dims, sources);
  return dims;
}

export interface MatchedPair3d {
  prediction: PersistencePair3d;
  target: PersistencePair3d;
}

/** The Betti matching of two volumes in one dimension. */
export interface DimensionMatching3dResult {
  matched: MatchedPair3d[];
  unmatchedPrediction: PersistencePair3d[];
  unmatchedTarget: PersistencePair3d[];
}

export interface BettiMatching3dResult {
  /** Components (empty lists when dimension 0 is not asked for). */
  dim0: DimensionMatching3dResult;
  /** Loops (empty lists when dimension 1 is not asked for). */
  dim1: DimensionMatching3dResult;
  /** Cavities (empty lists when dimension 2 is not asked for). */
  dim2: DimensionMatching3dResult;
}

/**
 * Betti matching of the barcodes of two 3D images of the same shape: a prediction bar and a target
 * bar are matched when the maps induced by the inclusions of both into the comparison image (the
 * voxelwise max for superlevel, the union of the foregrounds; the min for sublevel) match them to
 * the same bar of the comparison image. Features are matched only where they overlap in the
 * comparison image, unlike a Wasserstein matching of the diagrams.
 *
 *     superlevel:  C = max(P, G)   H(P_t) → H(C_t) ← H(G_t)
 *     matched (q, q')  ⇔  both induced matchings reach the same bar of C
 *
 * Same complex, cell order and tie-breaking as {@link cubicalPersistence3d} and the official 3D code
 * (Betti-Matching-3D, `src/src_3D`), whose matchings it reproduces: components by union–find,
 * cavities by union–find on the dual graph, loops by coboundary reductions of the inputs, of the
 * comparison and of the two images (each input's edges against the comparison's squares: image
 * persistence). Zero-length intervals and the essential class are left out. Memory is linear in
 * the voxels plus the reductions' kept columns.
 *
 * @param prediction - `[D, H, W]` image (tensor, nested array, or `{ data, shape }`).
 * @param target - Image of the same shape.
 * @returns Matched pairs and the unmatched pairs of each image, per dimension.
 *
 * @example
 * bettiMatching3d([[[1, 0, 1]]], [[[1, 0, 0]]]).dim0.unmatchedPrediction.length; // 1 (an extra component)
 *
 * @see N. Stucki, V. Bürgin, J. C. Paetzold, U. Bauer, Efficient Betti matching enables
 * topology-aware 3D segmentation via persistent homology, 2024, https://arxiv.org/abs/2407.04683
 */
export function bettiMatching3d(prediction: VolumeInput, target: VolumeInput, options: BettiMatching3dOptions = {}): BettiMatching3dResult {
  const fn = 'bettiMatching3d';
  // `dimensions` is a list, checked on its own.
  checkMetricOptions(fn, MATCHING3D_PARAMS, { ...options, dimensions: undefined });
  const dimensions = checkDimensions3d(fn, options.dimensions);
  const { filtration = 'superlevel', relative = false } = options;
  const p = readImage3d(fn, 'prediction', prediction);
  const t = readImage3d(fn, 'target', target);
  const shape = [p.depth, p.height, p.width] as const;
  if (p.depth !== t.depth || p.height !== t.height || p.width !== t.width) {
    fail(fn, '`prediction` and `target`', 'have the same shape', `${formatShape(shape)} and ${formatShape([t.depth, t.height, t.width])}`);
  }
  const dims = matchSublevelVolumes(sublevelValues(p.values, filtration), sublevelValues(t.values, filtration), shape, { relative, dimensions });
  const hw = p.height * p.width;
  const w = p.width;
  const voxel = (q: number): Voxel => {
    const z = Math.floor(q / hw);
    const rest = q - z * hw;
    return [z, Math.floor(rest / w), rest % w];
  };
  const bar = (input: 'prediction' | 'target', pairs: PairBuffer, i: number): PersistencePair3d => {
    const values = input === 'prediction' ? p.values : t.values;
    const b = pairs.birth[i] as number;
    const d = pairs.death[i] as number;
    return { birth: values[b] as number, death: values[d] as number, birthVoxel: voxel(b), deathVoxel: voxel(d) };
  };
  const convert = (m: DimensionMatching3d | undefined): DimensionMatching3dResult => dimensionResult(m, bar);
  return { dim0: convert(dims[0]), dim1: convert(dims[1]), dim2: convert(dims[2]) };
}
