import type { ParamSpecs } from '../losses/_shared/spec.js';
import { checkMetricOptions } from '../metrics/_inputs.js';
import { buildComplex2d } from './complex.js';
import { FILTRATIONS, type Filtration, type ImageInput, padRelative, readImage2d, sublevelValues } from './image.js';
import type { PairBuffer } from './pairs.js';
import { persistencePairs2d } from './persistence.js';

/** A finite interval of a barcode, in the image's own units, with the pixels its ends are read from. */
export interface PersistencePair {
  /** Value at which the feature appears (the larger one in a superlevel filtration). */
  birth: number;
  /** Value at which it disappears. */
  death: number;
  /** [row, col] of the pixel holding the birth value. */
  birthPixel: [number, number];
  /** [row, col] of the pixel holding the death value. */
  deathPixel: [number, number];
}

/** An interval that never ends: in 2D, the component of the whole image. */
export interface EssentialPair {
  dimension: number;
  birth: number;
  /** −Infinity for a superlevel filtration, +Infinity for a sublevel one. */
  death: number;
  birthPixel: [number, number];
  deathPixel: null;
}

export interface Barcode {
  /** Connected components, in the order they die. */
  dim0: PersistencePair[];
  /** Holes, in the order they appear, from the first value of the filtration on. */
  dim1: PersistencePair[];
  /** The intervals that never end. */
  essential: EssentialPair[];
}

export interface CubicalPersistenceOptions {
  /**
   * `'superlevel'`: sets {x >= t} for t from the top down (foreground probabilities: births are
   * high values, deaths lower ones); `'sublevel'`: sets {x <= t} from the bottom up. @defaultValue `'superlevel'`
   */
  filtration?: Filtration;
  /**
   * Homology relative to the image border: a one-pixel frame holding the image's first value
   * (its maximum for superlevel) joins everything that touches the border, and background touching
   * the border encloses holes. @defaultValue `false`
   */
  relative?: boolean;
}

export const TOPOLOGY_PARAMS: ParamSpecs = {
  filtration: { kind: 'choice', default: 'superlevel', choices: FILTRATIONS, doc: "'superlevel': sets {x >= t} from the top down; 'sublevel': sets {x <= t}" },
  relative: { kind: 'boolean', default: false, doc: 'homology relative to the border: a frame holding the first value joins what touches it' },
};

/**
 * Persistent homology of a 2D image: the barcode of its cubical complex in the V-construction
 * (pixels are vertices, 4-neighbours share an edge, 2×2 blocks are squares; a cell's value is the
 * max of its pixels in the sublevel order), as in the official Betti matching code.
 *
 *     superlevel:  X_t = {x >= t},  components 4-connected, holes = 8-connected background
 *                  regions that do not touch the border
 *     a bar (b, d) is alive at t when  b >= t > d  (sublevel:  b <= t < d)
 *
 * Dimension 0 is computed by union–find with path compression over the edges in filtration order
 * (the elder component survives a merge, ties to the lower pixel index); dimension 1 as dimension 0
 * of the dual graph by Alexander duality; one sort of the pixel values, O(n log n) in all. Intervals
 * of length zero are left out; each end carries the pixel holding its value (the official code's
 * critical pixel), so a loss can move it.
 *
 * @param image - `[H, W]` tensor, `number[][]`, or `{ data, shape: [H, W] }` with row-major data.
 * @returns The finite intervals per dimension and the essential one.
 *
 * @example
 * cubicalPersistence([[1, 0, 0.6]]).dim0; // [{ birth: 0.6, death: 0, birthPixel: [0, 2], deathPixel: [0, 1] }]
 *
 * @see N. Stucki, J. C. Paetzold, S. Shit, B. Menze, U. Bauer, Topologically faithful image
 * segmentation via induced matching of persistence barcodes, ICML 2023, https://arxiv.org/abs/2211.15272
 */
export function cubicalPersistence(image: ImageInput, options: CubicalPersistenceOptions = {}): Barcode {
  const fn = 'cubicalPersistence';
  checkMetricOptions(fn, TOPOLOGY_PARAMS, options);
  const { filtration = 'superlevel', relative = false } = options;
  const { values, height, width } = readImage2d(fn, 'image', image);
  let f = sublevelValues(values, filtration);
  let h = height;
  let w = width;
  let source: Int32Array | undefined;
  if (relative) {
    const padded = padRelative(f, height, width);
    ({ values: f, height: h, width: w, source } = padded);
  }
  const pairs = persistencePairs2d(buildComplex2d(f, h, w));
  const original = (p: number) => (source === undefined ? p : (source[p] as number));
  const pixel = (p: number): [number, number] => [Math.floor(original(p) / width), original(p) % width];
  const list = (buffer: PairBuffer): PersistencePair[] =>
    Array.from({ length: buffer.length }, (_, i) => {
      const b = buffer.birth[i] as number;
      const d = buffer.death[i] as number;
      return { birth: values[original(b)] as number, death: values[original(d)] as number, birthPixel: pixel(b), deathPixel: pixel(d) };
    });
  const e = pairs.essentialPixel;
  return {
    dim0: list(pairs.dim0),
    dim1: list(pairs.dim1),
    essential: [{ dimension: 0, birth: values[original(e)] as number, death: filtration === 'superlevel' ? -Infinity : Infinity, birthPixel: pixel(e), deathPixel: null }],
  };
}
