import * as tf from '@tensorflow/tfjs-core';
import { fail, formatShape, formatValue } from '../losses/_shared/errors.js';
import { readArray } from '../metrics/_inputs.js';

/**
 * Reading of 2D and 3D images for the topology functions, and the two value transforms every one of
 * them applies: the filtration direction (superlevel sets are sublevel sets of the negated image)
 * and the `relative` border.
 */

/** A 2D image: a `[H, W]` tensor, a nested `number[][]`, or flat row-major data with its shape. */
export type ImageInput = tf.Tensor | readonly (readonly number[])[] | { data: ArrayLike<number>; shape: readonly number[] };

/** Which sets grow: `'superlevel'` adds pixels from the highest value down (foreground probabilities), `'sublevel'` from the lowest up. */
export type Filtration = 'superlevel' | 'sublevel';

export const FILTRATIONS = ['superlevel', 'sublevel'] as const;

/** A 2D image in float64, row-major: pixel (row, col) is `values[row * width + col]`. */
export interface Image2d {
  values: Float64Array;
  height: number;
  width: number;
}

function isShaped(x: unknown): x is { data: ArrayLike<number>; shape: readonly number[] } {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof tf.Tensor) && 'data' in x && 'shape' in x;
}

/**
 * Reads an image with the named axes (`['H', 'W']` or `['D', 'H', 'W']`) into float64 values and its
 * shape; throws on another rank, a shape that does not match the data, an empty image or a NaN value,
 * naming the offending pixel (2D) or voxel (3D).
 */
function readImage(fn: string, name: string, image: ImageInput | VolumeInput, axes: readonly string[]): { values: Float64Array; shape: number[] } {
  const rank = axes.length;
  const element = rank === 2 ? 'pixel' : 'voxel';
  let values: Float64Array;
  let shape: number[];
  if (isShaped(image)) {
    const { data } = image;
    shape = Array.isArray(image.shape) ? image.shape.slice() : [];
    const isList = Array.isArray(data) || (ArrayBuffer.isView(data) && !(data instanceof DataView));
    if (!isList) fail(fn, `\`${name}.data\``, 'be an array or typed array of numbers', formatValue(data));
    if (shape.length !== rank || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      fail(fn, `\`${name}.shape\``, `be [${axes.join(', ')}]`, formatValue(image.shape));
    }
    const size = shape.reduce((a, b) => a * b, 1);
    if (data.length !== size) fail(fn, `\`${name}.data\``, `hold ${axes.join('·')} = ${size} values for shape ${formatShape(shape)}`, `${data.length} values`);
    if (Array.isArray(data)) {
      const bad = (data as unknown[]).findIndex((v) => typeof v !== 'number');
      if (bad >= 0) fail(fn, `every value of \`${name}.data\``, 'be a number', `${formatValue((data as unknown[])[bad])} at index ${bad}`);
    }
    values = Float64Array.from(data as ArrayLike<number>);
  } else {
    ({ values, shape } = readArray(fn, name, image as tf.TensorLike));
    if (shape.length !== rank) fail(fn, `\`${name}\``, `be a ${rank}D image [${axes.join(', ')}]`, `shape ${formatShape(shape)}`);
  }
  if (shape.includes(0)) fail(fn, `\`${name}\``, `hold at least one ${element}`, `shape ${formatShape(shape)}`);
  const nan = values.findIndex(Number.isNaN);
  if (nan >= 0) {
    const index: number[] = [];
    for (let axis = rank - 1, rest = nan; axis >= 0; axis--) {
      index.unshift(rest % (shape[axis] as number));
      rest = Math.floor(rest / (shape[axis] as number));
    }
    fail(fn, `every value of \`${name}\``, 'be a number, not NaN', `NaN at ${element} [${index.join(',')}]`);
  }
  return { values, shape };
}

/** Reads a 2D image; throws on another rank, an empty image or a NaN value. */
export function readImage2d(fn: string, name: string, image: ImageInput): Image2d {
  const { values, shape } = readImage(fn, name, image, ['H', 'W']);
  return { values, height: shape[0] as number, width: shape[1] as number };
}

/**
 * The values whose sublevel filtration is the requested one: the image itself for `'sublevel'`,
 * its negation for `'superlevel'` (exact, and order-preserving for ties). −0 becomes +0, so that
 * equal values stay equal when sorted.
 */
export function sublevelValues(values: ArrayLike<number>, filtration: Filtration): Float64Array {
  const out = new Float64Array(values.length);
  if (filtration === 'superlevel') for (let i = 0; i < out.length; i++) out[i] = -(values[i] as number) + 0;
  else for (let i = 0; i < out.length; i++) out[i] = (values[i] as number) + 0;
  return out;
}

/** A sublevel image with a one-pixel border, and where each of its pixels takes its value from. */
export interface PaddedImage {
  values: Float64Array;
  height: number;
  width: number;
  /** For each padded pixel, the flat index of the original pixel whose value it holds. */
  source: Int32Array;
}

/**
 * Relative homology with respect to the border: a frame of one pixel that holds the image's
 * minimum (of the sublevel values: the maximum of a superlevel image) is put around it, so that
 * everything touching the border is connected through the frame from the first level on. The frame
 * pixels take their value, and so their gradient, from the first pixel holding that minimum.
 */
export function padRelative(f: Float64Array, height: number, width: number): PaddedImage {
  let argmin = 0;
  for (let i = 1; i < f.length; i++) if ((f[i] as number) < (f[argmin] as number)) argmin = i;
  const h = height + 2;
  const w = width + 2;
  const values = new Float64Array(h * w).fill(f[argmin] as number);
  const source = new Int32Array(h * w).fill(argmin);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      values[(r + 1) * w + c + 1] = f[r * width + c] as number;
      source[(r + 1) * w + c + 1] = r * width + c;
    }
  }
  return { values, height: h, width: w, source };
}

/** A 3D image: a `[D, H, W]` tensor, a nested `number[][][]`, or flat data in (z, row, col) order with its shape. */
export type VolumeInput = tf.Tensor | readonly (readonly (readonly number[])[])[] | { data: ArrayLike<number>; shape: readonly number[] };

/** A 3D image in float64: voxel (z, row, col) is `values[(z * height + row) * width + col]`. */
export interface Image3d {
  values: Float64Array;
  depth: number;
  height: number;
  width: number;
}

/** Reads a 3D image; throws on another rank, an empty image or a NaN value (the messages of {@link readImage2d}). */
export function readImage3d(fn: string, name: string, image: VolumeInput): Image3d {
  const { values, shape } = readImage(fn, name, image, ['D', 'H', 'W']);
  const [depth, height, width] = shape as [number, number, number];
  return { values, depth, height, width };
}

/** A sublevel 3D image with a one-voxel border, and where each of its voxels takes its value from. */
export interface PaddedVolume {
  values: Float64Array;
  depth: number;
  height: number;
  width: number;
  /** For each padded voxel, the flat index of the original voxel whose value it holds. */
  source: Int32Array;
}

/**
 * {@link padRelative} in 3D: a frame of one voxel holding the minimum of the sublevel values (its
 * first voxel), so that everything touching the border is joined through the frame from the first
 * level on, and background touching the border encloses cavities.
 */
export function padRelative3d(f: Float64Array, depth: number, height: number, width: number): PaddedVolume {
  let argmin = 0;
  for (let i = 1; i < f.length; i++) if ((f[i] as number) < (f[argmin] as number)) argmin = i;
  const d = depth + 2;
  const h = height + 2;
  const w = width + 2;
  const values = new Float64Array(d * h * w).fill(f[argmin] as number);
  const source = new Int32Array(d * h * w).fill(argmin);
  for (let z = 0; z < depth; z++) {
    for (let r = 0; r < height; r++) {
      const from = (z * height + r) * width;
      const to = ((z + 1) * h + r + 1) * w + 1;
      for (let c = 0; c < width; c++) {
        values[to + c] = f[from + c] as number;
        source[to + c] = from + c;
      }
    }
  }
  return { values, depth: d, height: h, width: w, source };
}
