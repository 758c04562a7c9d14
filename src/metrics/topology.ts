import { fail, formatShape } from '../losses/_shared/errors.js';
import type { ParamSpecs } from '../losses/_shared/spec.js';
import type { TensorInput } from '../losses/_shared/to-tensor.js';
import { bettiNumbers } from '../topology/bettiNumbers.js';
import { checkDimensions, matchSublevelImages, unmatchedIndices } from '../topology/bettiMatching.js';
import { sublevelValues } from '../topology/image.js';
import { checkBinaryLabels, checkMetricOptions, checkNoNaN, readArray } from './_inputs.js';

/**
 * Topology metrics of binary segmentations (2D): how many components and holes a predicted mask
 * gets wrong. Masks are `[H, W]` or a batch `[N, H, W]` (`[N, H, W, 1]` too); a batch scores the
 * mean over its images. Foreground is 4-connected and holes are 8-connected background regions
 * that do not touch the border (the V-construction of the cubical complex).
 */

export interface TopologyMetricOptions {
  /** `yPred` values above it are foreground (probabilities are binarised, masks stay as they are). @defaultValue `0.5` */
  threshold?: number;
  /** Homology dimensions counted: 0 (components), 1 (holes). @defaultValue `[0, 1]` */
  dimensions?: readonly number[];
}

export interface BettiMatchingErrorOptions extends TopologyMetricOptions {
  /** Homology relative to the border (a foreground frame around both masks), as the paper's evaluation. @defaultValue `false` */
  relative?: boolean;
}

const COMMON: ParamSpecs = {
  threshold: { kind: 'number', default: 0.5, doc: 'yPred values above it are foreground' },
  dimensions: { kind: 'data', type: 'number[] (a non-empty subset of [0, 1])', doc: 'homology dimensions counted: 0 components, 1 holes (default [0, 1])' },
};

const MATCHING: ParamSpecs = {
  ...COMMON,
  relative: { kind: 'boolean', default: false, doc: 'homology relative to the border (a foreground frame around both masks)' },
};

interface Masks {
  truth: Float64Array;
  pred: Float64Array;
  images: number;
  height: number;
  width: number;
  dimensions: readonly number[];
}

function readMasks(fn: string, params: ParamSpecs, yTrue: TensorInput, yPred: TensorInput, options: TopologyMetricOptions): Masks {
  checkMetricOptions(fn, params, { ...options, dimensions: undefined });
  const dimensions = checkDimensions(fn, options.dimensions);
  const { threshold = 0.5 } = options;
  const t = readArray(fn, 'yTrue', yTrue);
  const p = readArray(fn, 'yPred', yPred);
  const s = p.shape;
  const spatial = s.length === 2 ? s : s.length === 3 ? s.slice(1) : s.length === 4 && s[3] === 1 ? s.slice(1, 3) : undefined;
  if (spatial === undefined) fail(fn, '`yPred`', 'have shape [H,W], [N,H,W] or [N,H,W,1]', `shape ${formatShape(s)}`);
  if (!(t.shape.length === s.length && t.shape.every((d, i) => d === s[i]))) {
    fail(fn, '`yTrue` and `yPred`', 'have the same shape', `${formatShape(t.shape)} and ${formatShape(s)}`);
  }
  const [height, width] = spatial as [number, number];
  if (height * width === 0 || p.values.length === 0) fail(fn, '`yPred`', 'hold at least one pixel', `shape ${formatShape(s)}`);
  checkBinaryLabels(fn, 'yTrue', t.values, ' (a binary mask)');
  checkNoNaN(fn, 'yPred', p.values);
  return { truth: t.values, pred: p.values.map((v) => (v > threshold ? 1 : 0)), images: p.values.length / (height * width), height, width, dimensions };
}

/**
 * Betti matching error: the number of components and holes of the predicted and true masks left
 * unmatched by the Betti matching (features matched only where they overlap), summed over the
 * dimensions and averaged over the images.
 *
 *     BM error = Σ_dim ( #unmatched bars of P + #unmatched bars of G )
 *
 * On binary masks every interval is (1, 0), matched ones coincide, and each unmatched one counts
 * 1: the value is the Betti matching loss of the masks. It is 0 exactly when each feature of one
 * mask has a counterpart at the same place in the other. The paper's evaluation binarises
 * `sigmoid(output) > 0.5` and uses `relative: true`; the default here is the plain (absolute)
 * homology of the image, as in the loss.
 *
 * @param yTrue - True masks in {0, 1}: `[H, W]`, `[N, H, W]` or `[N, H, W, 1]`.
 * @param yPred - Predicted masks or probabilities of the same shape (foreground: value > threshold).
 * @returns The mean over the images of the number of unmatched features (>= 0).
 *
 * @example
 * metrics.bettiMatchingError([[1, 0, 1]], [[1, 0, 0]]); // 1 (a missing component)
 *
 * @see N. Stucki, J. C. Paetzold, S. Shit, B. Menze, U. Bauer, Topologically faithful image
 * segmentation via induced matching of persistence barcodes, ICML 2023, https://arxiv.org/abs/2211.15272
 */
export function bettiMatchingError(yTrue: TensorInput, yPred: TensorInput, options: BettiMatchingErrorOptions = {}): number {
  const m = readMasks('bettiMatchingError', MATCHING, yTrue, yPred, options);
  const hw = m.height * m.width;
  let total = 0;
  for (let s = 0; s < m.images; s++) {
    const p = sublevelValues(m.pred.subarray(s * hw, (s + 1) * hw), 'superlevel');
    const t = sublevelValues(m.truth.subarray(s * hw, (s + 1) * hw), 'superlevel');
    for (const d of matchSublevelImages(p, t, m.height, m.width, { relative: options.relative ?? false, dimensions: m.dimensions })) {
      if (d === undefined) continue;
      total += unmatchedIndices(d.prediction.length, d.matchedPrediction).length + unmatchedIndices(d.target.length, d.matchedTarget).length;
    }
  }
  return total / m.images;
}

/**
 * Betti number error: how far the numbers of components (β0) and holes (β1) of the predicted mask
 * are from the true ones, wherever the features are.
 *
 *     BN error = Σ_dim |β_dim(P) − β_dim(G)|
 *
 * @param yTrue - True masks in {0, 1}: `[H, W]`, `[N, H, W]` or `[N, H, W, 1]`.
 * @param yPred - Predicted masks or probabilities of the same shape (foreground: value > threshold).
 * @returns The mean over the images (>= 0).
 *
 * @example
 * metrics.bettiNumberError([[1, 1, 1], [1, 0, 1], [1, 1, 1]], [[1, 1, 1], [1, 0, 0], [1, 1, 1]]); // 1 (the hole is open)
 */
export function bettiNumberError(yTrue: TensorInput, yPred: TensorInput, options: TopologyMetricOptions = {}): number {
  const m = readMasks('bettiNumberError', COMMON, yTrue, yPred, options);
  const hw = m.height * m.width;
  const shape = [m.height, m.width];
  let total = 0;
  for (let s = 0; s < m.images; s++) {
    const bp = bettiNumbers({ data: m.pred.subarray(s * hw, (s + 1) * hw), shape });
    const bt = bettiNumbers({ data: m.truth.subarray(s * hw, (s + 1) * hw), shape });
    for (const d of m.dimensions) total += Math.abs((bp[d] as number) - (bt[d] as number));
  }
  return total / m.images;
}
