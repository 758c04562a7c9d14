import { fail, formatShape } from '../losses/_shared/errors.js';
import type { ParamSpecs } from '../losses/_shared/spec.js';
import type { TensorInput } from '../losses/_shared/to-tensor.js';
import { BATCH_SHAPES, batchSpatialShape, checkDimensionsForRank, matchSublevel } from '../topology/batch.js';
import { unmatchedIndices } from '../topology/bettiMatching.js';
import { bettiNumbers } from '../topology/bettiNumbers.js';
import { bettiNumbers3d } from '../topology/bettiNumbers3d.js';
import { sublevelValues } from '../topology/image.js';
import { checkBinaryLabels, checkMetricOptions, checkNoNaN, readArray } from './_inputs.js';

/**
 * Topology metrics of binary segmentations (2D and 3D): how many components, holes (loops) and
 * cavities a predicted mask gets wrong. Masks are an image `[H, W]`, a batch of images `[N, H, W]`
 * (`[N, H, W, 1]` too) or a batch of volumes `[N, D, H, W]` (`[N, D, H, W, 1]` too); a batch scores
 * the mean over its images or volumes. A 4D shape whose last axis is 1 is images with a channel
 * axis; a single volume is a batch of one, and volumes one voxel wide are `[N, D, H, 1, 1]`. In the
 * V-construction of the cubical complex, foreground is 4-connected (6-connected in 3D), holes are
 * 8-connected background regions that do not touch the border, cavities 26-connected ones.
 */

export interface TopologyMetricOptions {
  /** `yPred` values above it are foreground (probabilities are binarised, masks stay as they are). @defaultValue `0.5` */
  threshold?: number;
  /**
   * Homology dimensions counted: 0 (components), 1 (holes; loops in volumes), 2 (cavities, volumes
   * only). @defaultValue `[0, 1]` for images, `[0, 1, 2]` for volumes
   */
  dimensions?: readonly number[];
}

export interface BettiMatchingErrorOptions extends TopologyMetricOptions {
  /** Homology relative to the border (a foreground frame around both masks, on all six faces of a volume), as the paper's evaluation. @defaultValue `false` */
  relative?: boolean;
}

const COMMON: ParamSpecs = {
  threshold: { kind: 'number', default: 0.5, doc: 'yPred values above it are foreground' },
  dimensions: {
    kind: 'data',
    type: 'number[] (a non-empty subset of [0, 1] for images, of [0, 1, 2] for volumes)',
    doc: 'homology dimensions counted: 0 components, 1 holes (loops), 2 cavities (volumes); default all of them',
  },
};

const MATCHING: ParamSpecs = {
  ...COMMON,
  relative: { kind: 'boolean', default: false, doc: 'homology relative to the border (a foreground frame around both masks)' },
};

interface Masks {
  truth: Float64Array;
  pred: Float64Array;
  /** Number of images or volumes. */
  images: number;
  /** `[H, W]` or `[D, H, W]`. */
  spatial: number[];
  dimensions: readonly number[];
}

function readMasks(fn: string, params: ParamSpecs, yTrue: TensorInput, yPred: TensorInput, options: TopologyMetricOptions): Masks {
  checkMetricOptions(fn, params, { ...options, dimensions: undefined });
  const { threshold = 0.5 } = options;
  const t = readArray(fn, 'yTrue', yTrue);
  const p = readArray(fn, 'yPred', yPred);
  const s = p.shape;
  // A single image [H, W]; otherwise the rank rule of the batches (see topology/batch.ts).
  const spatial = s.length === 2 ? s.slice() : batchSpatialShape(s);
  if (spatial === undefined) fail(fn, '`yPred`', `have shape [H,W], ${BATCH_SHAPES}`, `shape ${formatShape(s)}`);
  if (!(t.shape.length === s.length && t.shape.every((d, i) => d === s[i]))) {
    fail(fn, '`yTrue` and `yPred`', 'have the same shape', `${formatShape(t.shape)} and ${formatShape(s)}`);
  }
  const size = spatial.reduce((a, b) => a * b, 1);
  if (size === 0 || p.values.length === 0) fail(fn, '`yPred`', `hold at least one ${spatial.length === 3 ? 'voxel' : 'pixel'}`, `shape ${formatShape(s)}`);
  const dimensions = checkDimensionsForRank(fn, options.dimensions, spatial.length);
  checkBinaryLabels(fn, 'yTrue', t.values, ' (a binary mask)');
  checkNoNaN(fn, 'yPred', p.values);
  return { truth: t.values, pred: p.values.map((v) => (v > threshold ? 1 : 0)), images: p.values.length / size, spatial, dimensions };
}

/**
 * Betti matching error: the number of components and holes (in volumes: components, loops and
 * cavities) of the predicted and true masks left unmatched by the Betti matching (features matched
 * only where they overlap), summed over the dimensions and averaged over the images or volumes.
 *
 *     BM error = Σ_dim ( #unmatched bars of P + #unmatched bars of G )
 *     dim ∈ {0, 1} for images, {0, 1, 2} for volumes (3D Betti matching)
 *
 * On binary masks every interval is (1, 0), matched ones coincide, and each unmatched one counts
 * 1: the value is the Betti matching loss of the masks. It is 0 exactly when each feature of one
 * mask has a counterpart at the same place in the other. The paper's evaluation binarises
 * `sigmoid(output) > 0.5` and uses `relative: true`; the default here is the plain (absolute)
 * homology of the image, as in the loss.
 *
 * @param yTrue - True masks in {0, 1}: `[H, W]`, `[N, H, W]`, `[N, H, W, 1]`, `[N, D, H, W]` or `[N, D, H, W, 1]`.
 * @param yPred - Predicted masks or probabilities of the same shape (foreground: value > threshold).
 * @returns The mean over the images (volumes) of the number of unmatched features (>= 0).
 *
 * @example
 * metrics.bettiMatchingError([[1, 0, 1]], [[1, 0, 0]]); // 1 (a missing component)
 * metrics.bettiMatchingError([[[[1, 0, 1]]]], [[[[1, 0, 0]]]]); // 1 (the same row as a volume [1, 1, 1, 3])
 *
 * @see N. Stucki, J. C. Paetzold, S. Shit, B. Menze, U. Bauer, Topologically faithful image
 * segmentation via induced matching of persistence barcodes, ICML 2023, https://arxiv.org/abs/2211.15272
 * @see N. Stucki, V. Bürgin, J. C. Paetzold, U. Bauer, Efficient Betti matching enables
 * topology-aware 3D segmentation via persistent homology, 2024, https://arxiv.org/abs/2407.04683
 */
export function bettiMatchingError(yTrue: TensorInput, yPred: TensorInput, options: BettiMatchingErrorOptions = {}): number {
  const m = readMasks('bettiMatchingError', MATCHING, yTrue, yPred, options);
  const size = m.pred.length / m.images;
  let total = 0;
  for (let s = 0; s < m.images; s++) {
    const p = sublevelValues(m.pred.subarray(s * size, (s + 1) * size), 'superlevel');
    const t = sublevelValues(m.truth.subarray(s * size, (s + 1) * size), 'superlevel');
    for (const d of matchSublevel(p, t, m.spatial, { relative: options.relative ?? false, dimensions: m.dimensions })) {
      if (d === undefined) continue;
      total += unmatchedIndices(d.prediction.length, d.matchedPrediction).length + unmatchedIndices(d.target.length, d.matchedTarget).length;
    }
  }
  return total / m.images;
}

/**
 * Betti number error: how far the numbers of components (β0) and holes (β1) of the predicted mask
 * are from the true ones, wherever the features are; in volumes, of components (β0), loops (β1)
 * and cavities (β2).
 *
 *     BN error = Σ_dim |β_dim(P) − β_dim(G)|
 *     [β0, β1] of each image (bettiNumbers), [β0, β1, β2] of each volume (bettiNumbers3d)
 *
 * @param yTrue - True masks in {0, 1}: `[H, W]`, `[N, H, W]`, `[N, H, W, 1]`, `[N, D, H, W]` or `[N, D, H, W, 1]`.
 * @param yPred - Predicted masks or probabilities of the same shape (foreground: value > threshold).
 * @returns The mean over the images (volumes) of Σ_dim |Δβ_dim| (>= 0).
 *
 * @example
 * metrics.bettiNumberError([[1, 1, 1], [1, 0, 1], [1, 1, 1]], [[1, 1, 1], [1, 0, 0], [1, 1, 1]]); // 1 (the hole is open)
 */
export function bettiNumberError(yTrue: TensorInput, yPred: TensorInput, options: TopologyMetricOptions = {}): number {
  const m = readMasks('bettiNumberError', COMMON, yTrue, yPred, options);
  const size = m.pred.length / m.images;
  const shape = m.spatial;
  const betti = (data: Float64Array): number[] => (shape.length === 3 ? bettiNumbers3d({ data, shape }) : bettiNumbers({ data, shape }));
  let total = 0;
  for (let s = 0; s < m.images; s++) {
    const bp = betti(m.pred.subarray(s * size, (s + 1) * size));
    const bt = betti(m.truth.subarray(s * size, (s + 1) * size));
    for (const d of m.dimensions) total += Math.abs((bp[d] as number) - (bt[d] as number));
  }
  return total / m.images;
}
