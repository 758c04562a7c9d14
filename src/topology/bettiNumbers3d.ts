import type { ParamSpecs } from '../losses/_shared/spec.js';
import { checkMetricOptions } from '../metrics/_inputs.js';
import { TOPOLOGY_PARAMS } from './cubicalPersistence.js';
import { type Filtration, readImage3d, type VolumeInput } from './image.js';
import { UnionFind } from './unionFind.js';

export interface BettiNumbers3dOptions {
  /** The level t: the set is {x >= t} (superlevel) or {x <= t} (sublevel). @defaultValue `0.5` */
  threshold?: number;
  /** @defaultValue `'superlevel'` */
  filtration?: Filtration;
}

const PARAMS: ParamSpecs = {
  threshold: { kind: 'number', default: 0.5, doc: 'the level t of the set {x >= t} (superlevel) or {x <= t} (sublevel)' },
  filtration: TOPOLOGY_PARAMS.filtration as ParamSpecs[string],
};

/** Number of distinct roots among the nodes where `member` is 1. */
function countRoots(uf: UnionFind, member: (i: number) => boolean, size: number): number {
  let count = 0;
  for (let i = 0; i < size; i++) if (member(i) && uf.find(i) === i) count++;
  return count;
}

/**
 * Betti numbers of one level set of a 3D image, in the V-construction (the complex of
 * {@link cubicalPersistence3d}): the cells whose voxels all lie in the set.
 *
 *     X = {x >= t}  (superlevel)  or  {x <= t}  (sublevel)
 *     β0 = number of 6-connected components of X
 *     β2 = number of cavities: 26-connected components of the complement that do not touch the border
 *     β1 = β0 + β2 − χ(X),   χ = #voxels − #edges + #squares − #cubes of X   (Euler–Poincaré)
 *
 * β0 by union–find over the edges of X, β2 by union–find over the cubes not in X and the outside,
 * joined through the squares not in X (Alexander duality), β1 from the Euler characteristic: linear
 * time, with no boundary-matrix reduction. The numbers are those of the barcode's intervals alive
 * at t.
 *
 * @param image - `[D, H, W]` tensor, `number[][][]`, or `{ data, shape: [D, H, W] }`.
 * @returns `[β0, β1, β2]`.
 *
 * @example
 * bettiNumbers3d([[[1, 1, 1], [1, 1, 1], [1, 1, 1]], [[1, 1, 1], [1, 0, 1], [1, 1, 1]], [[1, 1, 1], [1, 1, 1], [1, 1, 1]]]); // [1, 0, 1]
 */
export function bettiNumbers3d(image: VolumeInput, options: BettiNumbers3dOptions = {}): [number, number, number] {
  const fn = 'bettiNumbers3d';
  checkMetricOptions(fn, PARAMS, options);
  const { threshold = 0.5, filtration = 'superlevel' } = options;
  const { values, depth, height, width } = readImage3d(fn, 'image', image);
  const hw = height * width;
  const n = depth * hw;
  const inside = new Uint8Array(n);
  for (let i = 0; i < n; i++) inside[i] = (filtration === 'superlevel' ? (values[i] as number) >= threshold : (values[i] as number) <= threshold) ? 1 : 0;

  const voxels = new UnionFind(new Int32Array(n), 'primal');
  const md = depth - 1;
  const mh = height - 1;
  const mw = width - 1;
  const outside = md * mh * mw;
  const cubes = new UnionFind(new Int32Array(outside + 1), 'primal');
  const cubeIn = new Uint8Array(outside + 1);
  const join = (uf: UnionFind, a: number, b: number) => {
    const x = uf.find(a);
    const y = uf.find(b);
    if (x !== y) uf.link(x, y);
  };
  const cube = (z: number, r: number, c: number) => (z < 0 || r < 0 || c < 0 || z >= md || r >= mh || c >= mw ? outside : (z * mh + r) * mw + c);
  // A square not in X joins the two cubes (or the outside) on either side of it.
  const separate = (inside4: boolean, before: number, after: number) => {
    if (inside4) return 1;
    if (before !== after) join(cubes, before, after);
    return 0;
  };
  let euler = 0;
  for (let z = 0; z < depth; z++) {
    for (let r = 0; r < height; r++) {
      for (let c = 0; c < width; c++) {
        const p = (z * height + r) * width + c;
        const inP = inside[p] === 1;
        const z1 = z < md;
        const r1 = r < mh;
        const c1 = c < mw;
        if (inP) euler++;
        // Edges from p along z, rows and cols.
        if (inP && z1 && inside[p + hw] === 1) {
          euler--;
          join(voxels, p, p + hw);
        }
        if (inP && r1 && inside[p + width] === 1) {
          euler--;
          join(voxels, p, p + width);
        }
        if (inP && c1 && inside[p + 1] === 1) {
          euler--;
          join(voxels, p, p + 1);
        }
        // Squares at p normal to z, rows and cols.
        const here = cube(z, r, c);
        if (r1 && c1) euler += separate(inP && inside[p + width] === 1 && inside[p + 1] === 1 && inside[p + width + 1] === 1, cube(z - 1, r, c), here);
        if (z1 && c1) euler += separate(inP && inside[p + hw] === 1 && inside[p + 1] === 1 && inside[p + hw + 1] === 1, cube(z, r - 1, c), here);
        if (z1 && r1) euler += separate(inP && inside[p + hw] === 1 && inside[p + width] === 1 && inside[p + hw + width] === 1, cube(z, r, c - 1), here);
        // The cube at p.
        if (z1 && r1 && c1) {
          const top = p + hw;
          const all =
            inP &&
            inside[p + 1] === 1 &&
            inside[p + width] === 1 &&
            inside[p + width + 1] === 1 &&
            inside[top] === 1 &&
            inside[top + 1] === 1 &&
            inside[top + width] === 1 &&
            inside[top + width + 1] === 1;
          if (all) euler--;
          cubeIn[here] = all ? 1 : 0;
        }
      }
    }
  }
  const b0 = countRoots(voxels, (i) => inside[i] === 1, n);
  const b2 = countRoots(cubes, (i) => cubeIn[i] === 0, outside + 1) - 1;
  return [b0, b0 + b2 - euler, b2];
}
