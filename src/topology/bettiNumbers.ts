import type { ParamSpecs } from '../losses/_shared/spec.js';
import { checkMetricOptions } from '../metrics/_inputs.js';
import { buildComplex2d } from './complex.js';
import { TOPOLOGY_PARAMS } from './cubicalPersistence.js';
import { type Filtration, type ImageInput, readImage2d, sublevelValues } from './image.js';
import { persistencePairs2d } from './persistence.js';

export interface BettiNumbersOptions {
  /** The level t: the set is {x >= t} (superlevel) or {x <= t} (sublevel). @defaultValue `0.5` */
  threshold?: number;
  /** @defaultValue `'superlevel'` */
  filtration?: Filtration;
}

const PARAMS: ParamSpecs = {
  threshold: { kind: 'number', default: 0.5, doc: 'the level t of the set {x >= t} (superlevel) or {x <= t} (sublevel)' },
  filtration: TOPOLOGY_PARAMS.filtration as ParamSpecs[string],
};

/**
 * Betti numbers of one level set of a 2D image, read off its barcode: the number of intervals
 * alive at the level.
 *
 *     X = {x >= t}  (superlevel)  or  {x <= t}  (sublevel)
 *     β0 = number of 4-connected components of X
 *     β1 = number of holes: 8-connected components of the complement that do not touch the border
 *
 * The connectivities are those of the V-construction: pixels of X are joined through the edges
 * between 4-neighbours, and two diagonal pixels outside X touch through the open square between
 * them, which is filled only when all four of its pixels are in X.
 *
 * @param image - `[H, W]` tensor, `number[][]`, or `{ data, shape: [H, W] }`.
 * @returns `[β0, β1]`.
 *
 * @example
 * bettiNumbers([[1, 1, 1], [1, 0, 1], [1, 1, 1]]); // [1, 1]
 */
export function bettiNumbers(image: ImageInput, options: BettiNumbersOptions = {}): [number, number] {
  const fn = 'bettiNumbers';
  checkMetricOptions(fn, PARAMS, options);
  const { threshold = 0.5, filtration = 'superlevel' } = options;
  const { values, height, width } = readImage2d(fn, 'image', image);
  const pairs = persistencePairs2d(buildComplex2d(sublevelValues(values, filtration), height, width));
  // In sublevel units s = ±x, an interval [b, d) is alive at level s when b <= s < d.
  const sign = filtration === 'superlevel' ? -1 : 1;
  const level = sign * threshold;
  const alive = (b: number, d: number) => sign * b <= level && level < sign * d;
  const count = (birth: Int32Array, death: Int32Array, length: number) => {
    let k = 0;
    for (let i = 0; i < length; i++) if (alive(values[birth[i] as number] as number, values[death[i] as number] as number)) k++;
    return k;
  };
  const essential = sign * (values[pairs.essentialPixel] as number) <= level ? 1 : 0;
  return [count(pairs.dim0.birth, pairs.dim0.death, pairs.dim0.length) + essential, count(pairs.dim1.birth, pairs.dim1.death, pairs.dim1.length)];
}
