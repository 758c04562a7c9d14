import * as tf from '@tensorflow/tfjs-core';
import { fail, formatShape } from '../_shared/errors.js';
import type { ParamSpecs } from '../_shared/spec.js';
import { type TensorInput, toFloat } from '../_shared/to-tensor.js';
import { checkNotEmpty, checkOptions } from '../_shared/validate.js';

const NAME = 'softSkeleton';

export interface SoftSkeletonOptions {
  /** K >= 0, the number of erosion steps; it should reach the largest half-width of the structures. @defaultValue `3` */
  iterations?: number;
}

export const SOFT_SKELETON_PARAMS: ParamSpecs = {
  iterations: { kind: 'number', default: 3, min: 0, integer: true, doc: 'erosion steps K of the soft skeleton; at least the largest half-width of the structures' },
};

/**
 * Minimum over a window of 3 along one spatial axis (1-based axis of `[N, ...spatial, C]`), values
 * outside the image ignored: the minimum of x and its two neighbours, read from a copy padded with
 * +∞. Equal to −maxpool(−x) with a 3×1 (1×3, ...) window and "same" padding; written with shifts and
 * `tf.minimum` because the wasm backend's max-pool gradient is wrong for non-square windows.
 */
function minAlong(x: tf.Tensor, axis: number): tf.Tensor {
  const paddings = x.shape.map((_, k): [number, number] => (k === axis ? [1, 1] : [0, 0]));
  const padded = tf.pad(x, paddings, Number.POSITIVE_INFINITY);
  const shifted = (offset: number) => {
    const begin = x.shape.map((_, k) => (k === axis ? offset : 0));
    return tf.slice(padded, begin, x.shape);
  };
  return tf.minimum(tf.minimum(shifted(0), x), shifted(2));
}

/** Soft erosion: the minimum over the cross (3x1 and 1x3 windows; 3x1x1, 1x3x1, 1x1x3 in 3D). */
function softErode(x: tf.Tensor): tf.Tensor {
  let out = minAlong(x, 1);
  for (let axis = 2; axis < x.rank - 1; axis++) out = tf.minimum(out, minAlong(x, axis));
  return out;
}

/** Soft dilation: the maximum over the full 3x3 (3x3x3) window. */
function softDilate(x: tf.Tensor): tf.Tensor {
  return x.rank === 4 ? tf.maxPool(x as tf.Tensor4D, [3, 3], 1, 'same') : tf.maxPool3d(x as tf.Tensor5D, [3, 3, 3], 1, 'same');
}

/**
 * The soft skeleton of a channels-last map `[N,H,W,C]` or `[N,D,H,W,C]` (each channel on its own),
 * for the losses that build on it. See {@link softSkeleton}.
 */
export function softSkeletonOf(x: tf.Tensor, iterations: number): tf.Tensor {
  const open = (v: tf.Tensor) => softDilate(softErode(v));
  let image = x;
  let skeleton = tf.relu(tf.sub(image, open(image)));
  for (let j = 0; j < iterations; j++) {
    image = softErode(image);
    const delta = tf.relu(tf.sub(image, open(image)));
    skeleton = tf.add(skeleton, tf.relu(tf.sub(delta, tf.mul(skeleton, delta))));
  }
  return skeleton;
}

/**
 * Soft skeleton (Shit et al., clDice, CVPR 2021): a differentiable skeleton of a probability map
 * built from min- and max-pooling, as in the official code.
 *
 *     erode(x)  = min(minpool_3x1(x), minpool_1x3(x))        (cross-shaped; minpool = −maxpool(−x))
 *     dilate(x) = maxpool_3x3(x),   open(x) = dilate(erode(x))
 *     S ← relu(x − open(x))
 *     repeat K times:  x ← erode(x);  δ = relu(x − open(x));  S ← S + relu(δ − S·δ)
 *
 * Each step peels one pixel off the shape and keeps what the opening cannot restore: the ridge
 * pixels, which form the centre line once the shape is thinner than the window. On a binary mask
 * S is a binary subset of it; on probabilities it is a soft map in [0, 1] whose gradient reaches the
 * pixels the pooling selects. Pools use "same" windows that ignore values outside the image (as
 * PyTorch's −∞ padding does), so a structure touching the border is not eroded from that side.
 * K must reach the largest half-width of the structures, or their middle is left out; the official
 * clDice loss uses K = 3, the default here.
 *
 * @param image - Probabilities `[N,H,W]` (one channel), `[N,H,W,C]`, or 3D `[N,D,H,W,C]`; channels
 *   are skeletonised independently.
 * @returns The soft skeleton, of the input's shape.
 *
 * @example
 * softSkeleton([[[0, 1, 0], [0, 1, 0], [0, 1, 0]]]).print(); // the one-pixel line is its own skeleton
 *
 * @see S. Shit, J. C. Paetzold, A. Sekuboyina, I. Ezhov, A. Unger, A. Zhylka, J. P. W. Pluim,
 * U. Bauer, B. H. Menze, clDice - a Novel Topology-Preserving Loss Function for Tubular Structure
 * Segmentation, CVPR 2021, https://arxiv.org/abs/2003.07311
 */
function softSkeleton_(image: TensorInput, options: SoftSkeletonOptions = {}): tf.Tensor {
  // Not a loss: the options every loss shares (reduction, weights) are unknown here.
  if (options !== null && typeof options === 'object') {
    for (const [key, value] of Object.entries(options)) {
      if (value !== undefined && !(key in SOFT_SKELETON_PARAMS)) fail(NAME, 'each option', `be one of ${Object.keys(SOFT_SKELETON_PARAMS).join(', ')}`, `\`${key}\``);
    }
  }
  checkOptions(NAME, SOFT_SKELETON_PARAMS, options);
  const { iterations = 3 } = options;
  const x = toFloat(NAME, 'image', image);
  if (x.rank < 3 || x.rank > 5) fail(NAME, '`image`', 'have shape [N,H,W], [N,H,W,C] or [N,D,H,W,C]', `shape ${formatShape(x.shape)}`);
  checkNotEmpty(NAME, 'image', x);
  const canonical = x.rank === 3 ? tf.expandDims(x, -1) : x;
  const skeleton = softSkeletonOf(canonical, iterations);
  return x.rank === 3 ? tf.squeeze(skeleton, [-1]) : skeleton;
}

export const softSkeleton = /* @__PURE__ */ tf.op({ softSkeleton_ });
