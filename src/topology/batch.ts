import { fail, formatValue } from '../losses/_shared/errors.js';
import { checkDimensions, isDimensionList, matchSublevelImages } from './bettiMatching.js';
import { matchSublevelVolumes } from './bettiMatching3d.js';
import type { DimensionMatching2d } from './matching.js';

/**
 * Batches of images or volumes for the topology losses and metrics: the rank rule that tells them
 * apart, the homology dimensions each allows, and the Betti matching of either.
 *
 * Rank rule, by the shape of the prediction:
 *
 *     [N, H, W]          images
 *     [N, H, W, 1]       images with a channel axis (a 4D shape whose last axis is 1)
 *     [N, D, H, W]       volumes (a 4D shape whose last axis is not 1)
 *     [N, D, H, W, 1]    volumes with a channel axis
 *
 * A 4D shape ending in 1 could be images with a channel or volumes one voxel wide; it is always
 * read as images (the meaning it had before volumes were accepted). Volumes of width 1 are written
 * `[N, D, H, 1, 1]`; their complex is that of the `[D, H]` images, so only the `relative` frame
 * (which a volume also gets above and below) tells the two readings apart. Asking for dimension 2
 * (cavities) on images is an error that says so.
 */

/** The accepted batch shapes, for error messages. */
export const BATCH_SHAPES = '[N,H,W] or [N,H,W,1] (images), [N,D,H,W] or [N,D,H,W,1] (volumes)';

/** The spatial shape (`[H, W]` or `[D, H, W]`) of a batch shape under the rank rule, or undefined for another rank or channel count. */
export function batchSpatialShape(shape: readonly number[]): number[] | undefined {
  const last = shape[shape.length - 1];
  if (shape.length === 3) return shape.slice(1);
  if (shape.length === 4) return last === 1 ? shape.slice(1, 3) : shape.slice(1);
  if (shape.length === 5 && last === 1) return shape.slice(1, 4);
  return undefined;
}

/**
 * Checks `dimensions` for the spatial rank: a non-empty list of distinct values from {0, 1} for
 * images, {0, 1, 2} for volumes; returns it, or the default (all of them).
 */
export function checkDimensionsForRank(fn: string, dimensions: unknown, spatialRank: number): readonly number[] {
  if (spatialRank === 3) return checkDimensions(fn, dimensions, 2);
  if (isDimensionList(dimensions, 2) && dimensions.includes(2)) {
    fail(
      fn,
      '`dimensions`',
      'be a non-empty list of distinct dimensions from [0, 1] for images (dimension 2 needs volumes [N,D,H,W] or [N,D,H,W,1]; a 4D shape ending in 1 is read as images [N,H,W,1])',
      formatValue(dimensions),
    );
  }
  return checkDimensions(fn, dimensions);
}

/**
 * Betti matching of one prediction and one target (sublevel values, flat) of spatial shape
 * `[H, W]` or `[D, H, W]`; the pairs' critical cells are flat indices into the unpadded arrays.
 * Index k of the result is dimension k (undefined when not asked for).
 */
export function matchSublevel(
  prediction: Float64Array,
  target: Float64Array,
  spatial: readonly number[],
  options: { relative: boolean; dimensions: readonly number[] },
): readonly (DimensionMatching2d | undefined)[] {
  if (spatial.length === 3) return matchSublevelVolumes(prediction, target, spatial as [number, number, number], options);
  return matchSublevelImages(prediction, target, spatial[0] as number, spatial[1] as number, options);
}
