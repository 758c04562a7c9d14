import { fail, formatValue } from '../losses/_shared/errors.js';
import { MAX_SEED, type Uniform, seededUniform, standardNormals } from '../losses/_shared/random.js';
import type { ParamSpecs } from '../losses/_shared/spec.js';

/**
 * Pieces shared by the synthetic segmentation data generators: the returned layout, seeding that
 * makes each image independent of how many are drawn, and the image degradations (blur, noise).
 */

/** Images and their masks, row-major, channels-last. */
export interface SegmentationData {
  /** Pixel values in [0, 1], `imageShape` = [N, H, W, C]. */
  images: Float32Array;
  imageShape: [number, number, number, number];
  /** 1 on the structure, 0 elsewhere, `maskShape` = [N, H, W]. */
  masks: Uint8Array;
  maskShape: [number, number, number];
}

/** Options every generator takes. */
export interface GeneratorOptions {
  /** Seed (integer in [0, 2^32 − 1]): the same seed gives the same images, image i whatever `count` is. @defaultValue `0` */
  seed?: number;
  /** Number of images. @defaultValue `1` */
  count?: number;
  /** Image height in pixels. */
  height?: number;
  /** Image width in pixels. */
  width?: number;
  /** Standard deviation of the Gaussian noise added to every pixel value. */
  noise?: number;
  /** Standard deviation (pixels) of the Gaussian blur applied before the noise; 0 for none. */
  blur?: number;
  /** Probability that a structure segment is invisible in the image (its label kept): a topological challenge. @defaultValue `0` */
  dropoutProbability?: number;
  /** Probability that a structure segment is missing from the label (the image kept): label corruption. @defaultValue `0` */
  labelDropProbability?: number;
}

export function generatorParams(size: number, noise: number, blur: number): ParamSpecs {
  return {
    seed: { kind: 'number', default: 0, min: 0, max: MAX_SEED, integer: true, doc: 'seed; the same seed gives the same images' },
    count: { kind: 'number', default: 1, min: 1, integer: true, doc: 'number of images' },
    height: { kind: 'number', default: size, min: 8, integer: true, doc: 'image height in pixels' },
    width: { kind: 'number', default: size, min: 8, integer: true, doc: 'image width in pixels' },
    noise: { kind: 'number', default: noise, min: 0, doc: 'standard deviation of the Gaussian pixel noise' },
    blur: { kind: 'number', default: blur, min: 0, doc: 'standard deviation (pixels) of the Gaussian blur; 0 for none' },
    dropoutProbability: { kind: 'number', default: 0, min: 0, max: 1, doc: 'probability that a structure segment is invisible in the image (label kept)' },
    labelDropProbability: { kind: 'number', default: 0, min: 0, max: 1, doc: 'probability that a structure segment is missing from the label (image kept)' },
  };
}

/** A 32-bit hash of a list of integers (murmur-style mixing), for seeds derived from indices. */
export function hash32(...values: readonly number[]): number {
  let h = 0x811c9dc5;
  for (const v of values) {
    h = Math.imul(h ^ (v | 0), 0x01000193);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
  }
  return h >>> 0;
}

/** A uniform generator for one purpose of one image: streams never overlap, whatever is drawn from the others. */
export function streamFor(seed: number, image: number, purpose: number): Uniform {
  return seededUniform(hash32(seed, image, purpose));
}

/** A uniform number in [0, 1) fixed by a seed and a key (a segment's dropout draw, say). */
export function keyedUniform(...key: readonly number[]): number {
  return seededUniform(hash32(...key))();
}

/** Throws unless min <= max for a pair of options. */
export function checkOrdered(fn: string, minName: string, min: number, maxName: string, max: number): void {
  if (max < min) fail(fn, `\`${maxName}\``, `be >= \`${minName}\` (${min})`, formatValue(max));
}

/** Separable Gaussian blur of one channel (row-major `height × width`) with σ in pixels; edges replicate. */
export function gaussianBlur(values: Float64Array, height: number, width: number, sigma: number): Float64Array {
  if (sigma <= 0) return values;
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const kernel = Array.from({ length: 2 * radius + 1 }, (_, k) => Math.exp(-((k - radius) ** 2) / (2 * sigma * sigma)));
  const total = kernel.reduce((a, b) => a + b, 0);
  const weights = kernel.map((v) => v / total);
  const clampAt = (i: number, n: number) => Math.min(n - 1, Math.max(0, i));
  const tmp = new Float64Array(values.length);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      let s = 0;
      for (let k = -radius; k <= radius; k++) s += (weights[k + radius] as number) * (values[r * width + clampAt(c + k, width)] as number);
      tmp[r * width + c] = s;
    }
  }
  const out = new Float64Array(values.length);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      let s = 0;
      for (let k = -radius; k <= radius; k++) s += (weights[k + radius] as number) * (tmp[clampAt(r + k, height) * width + c] as number);
      out[r * width + c] = s;
    }
  }
  return out;
}

/** Adds N(0, σ²) noise from `random` and clips to [0, 1], in place. */
export function addNoiseAndClip(values: Float64Array, sigma: number, random: Uniform): Float64Array {
  const noise = sigma > 0 ? standardNormals(random, values.length) : undefined;
  for (let i = 0; i < values.length; i++) values[i] = Math.min(1, Math.max(0, (values[i] as number) + (noise ? sigma * (noise[i] as number) : 0)));
  return values;
}
