import * as tf from '@tensorflow/tfjs-core';
import { fail } from './errors.js';

/**
 * Reading of hard masks for the segmentation losses that compute distance transforms, skeletons or
 * warps of the target on the CPU (no gradient flows through those).
 */

/**
 * The values of channels-last targets `[N,H,W,C]` as 0/1 bytes, after checking that each is 0 or 1
 * (soft targets have no distance transform or skeleton).
 */
export function hardMaskValues(fn: string, targets: tf.Tensor, why: string): Uint8Array {
  const values = targets.dataSync();
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v !== 0 && v !== 1) fail(fn, 'every value of `yTrue`', `be 0 or 1 (${why})`, `${v} at flat index ${i}`);
    out[i] = v;
  }
  return out;
}

/** Channel `ch` of image `n` of a channels-last `[N,H,W,C]` array, as a row-major `H × W` copy. */
export function channelPlane<T extends Uint8Array | Float32Array | Float64Array>(values: ArrayLike<number>, shape: readonly number[], n: number, ch: number, out: T): T {
  const [, h, w, c] = shape as [number, number, number, number];
  const plane = h * w;
  for (let i = 0; i < plane; i++) out[i] = values[(n * plane + i) * c + ch] as number;
  return out;
}

/** A constant `[N,H,W,C]` tensor from per-image, per-channel planes filled by `fill(n, ch, plane)`. */
export function planesToTensor(shape: readonly [number, number, number, number], fill: (n: number, ch: number, plane: Float64Array) => void): tf.Tensor4D {
  const [n, h, w, c] = shape;
  const size = h * w;
  const out = new Float32Array(n * size * c);
  const plane = new Float64Array(size);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      plane.fill(0);
      fill(b, ch, plane);
      for (let i = 0; i < size; i++) out[(b * size + i) * c + ch] = plane[i] as number;
    }
  }
  return tf.tensor4d(out, [n, h, w, c]);
}
