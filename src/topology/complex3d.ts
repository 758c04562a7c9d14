/**
 * The cubical complex of a 3D image in the V-construction, and the order in which its cells enter
 * the sublevel filtration.
 *
 * Cells of a D×H×W image f (voxel p = (z·H + r)·W + c, strides [H·W, W, 1] along axes 0, 1, 2):
 *
 *     vertex  p          value f(p)
 *     edge    3p + t     from voxel p one step along axis t (t = 0: z, 1: row, 2: col)
 *     square  3p + t     the unit square at p normal to axis t (t = 0 spans (row, col),
 *                        t = 1 spans (z, col), t = 2 spans (z, row)); max of its 4 voxels
 *     cube    (z·(H−1) + r)·(W−1) + c    the 2×2×2 block at p; max of its 8 voxels
 *
 * A cell's value is the max of its voxels. Cells of one dimension are compared by value, ties by
 * index: (value, z, row, col, type), the order of the official Betti-Matching-3D code, whose cell
 * index packs (x, y, z, type) the same way (its x, y, z are our z, row, col). Values are replaced
 * by dense integer ranks, so the cells are sorted by counting sorts after one sort of the voxels.
 *
 * The dual graph used for dimension 2 has the cubes as nodes plus one node outside the image
 * (index (D−1)(H−1)(W−1), value +∞); each square separates two of them.
 */
import { denseRanks, OUTSIDE_RANK, type Ranking } from './complex.js';

export interface CubicalComplex3d {
  depth: number;
  height: number;
  width: number;
  /** Dense rank of each voxel value (0 = the lowest), `[n]`, n = D·H·W. */
  rank: Int32Array;
  /** Rank of each edge by id `3p + t` (−1 where the edge does not exist), `[3n]`. */
  edgeRank: Int32Array;
  /** The ids of the existing edges in filtration order (rank, then id), ascending. */
  edges: Int32Array;
  /** Rank of each square by id `3p + t` (−1 where the square does not exist), `[3n]`. */
  squareRank: Int32Array;
  /** The ids of the existing squares in filtration order, ascending. */
  squares: Int32Array;
  /** Rank of each cube, then the outside node (OUTSIDE_RANK), `[(D−1)(H−1)(W−1) + 1]`. */
  cubeRank: Int32Array;
}

/** The ids of the cells with a rank (>= 0), ordered by (rank, id): a stable counting sort. */
function sortByRank(cellRank: Int32Array, distinct: number): Int32Array {
  const counts = new Int32Array(distinct + 1);
  let total = 0;
  for (let i = 0; i < cellRank.length; i++) {
    const k = cellRank[i] as number;
    if (k >= 0) {
      counts[k + 1]!++;
      total++;
    }
  }
  for (let k = 1; k <= distinct; k++) counts[k]! += counts[k - 1] as number;
  const order = new Int32Array(total);
  for (let i = 0; i < cellRank.length; i++) {
    const k = cellRank[i] as number;
    if (k >= 0) order[counts[k]!++] = i;
  }
  return order;
}

/** Builds the complex of a sublevel 3D image (no NaN) of shape [depth, height, width]. */
export function buildComplex3d(f: Float64Array, depth: number, height: number, width: number, ranking: Ranking = denseRanks(f)): CubicalComplex3d {
  const { rank } = ranking;
  const distinct = ranking.sorted.length;
  const hw = height * width;
  const n = depth * hw;
  const edgeRank = new Int32Array(3 * n).fill(-1);
  for (let z = 0; z < depth; z++) {
    for (let r = 0; r < height; r++) {
      for (let c = 0; c < width; c++) {
        const p = (z * height + r) * width + c;
        const rp = rank[p] as number;
        if (z + 1 < depth) edgeRank[3 * p] = Math.max(rp, rank[p + hw] as number);
        if (r + 1 < height) edgeRank[3 * p + 1] = Math.max(rp, rank[p + width] as number);
        if (c + 1 < width) edgeRank[3 * p + 2] = Math.max(rp, rank[p + 1] as number);
      }
    }
  }
  const squareRank = new Int32Array(3 * n).fill(-1);
  for (let z = 0; z < depth; z++) {
    for (let r = 0; r < height; r++) {
      for (let c = 0; c < width; c++) {
        const p = (z * height + r) * width + c;
        // Each square is the union of two parallel edges.
        if (r + 1 < height && c + 1 < width) squareRank[3 * p] = Math.max(edgeRank[3 * p + 2] as number, edgeRank[3 * (p + width) + 2] as number);
        if (z + 1 < depth && c + 1 < width) squareRank[3 * p + 1] = Math.max(edgeRank[3 * p + 2] as number, edgeRank[3 * (p + hw) + 2] as number);
        if (z + 1 < depth && r + 1 < height) squareRank[3 * p + 2] = Math.max(edgeRank[3 * p + 1] as number, edgeRank[3 * (p + hw) + 1] as number);
      }
    }
  }
  const md = depth - 1;
  const mh = height - 1;
  const mw = width - 1;
  const numCubes = md * mh * mw;
  const cubeRank = new Int32Array(numCubes + 1);
  for (let z = 0; z < md; z++) {
    for (let r = 0; r < mh; r++) {
      for (let c = 0; c < mw; c++) {
        const p = (z * height + r) * width + c;
        cubeRank[(z * mh + r) * mw + c] = Math.max(squareRank[3 * p] as number, squareRank[3 * (p + hw)] as number);
      }
    }
  }
  cubeRank[numCubes] = OUTSIDE_RANK;
  return { depth, height, width, rank, edgeRank, edges: sortByRank(edgeRank, distinct), squareRank, squares: sortByRank(squareRank, distinct), cubeRank };
}

/** Flat offset of one step along axis t. */
function stride(cx: CubicalComplex3d, t: number): number {
  return t === 0 ? cx.height * cx.width : t === 1 ? cx.width : 1;
}

/** The second voxel of edge e (the first is ⌊e / 3⌋). */
export function edgeOtherEnd(cx: CubicalComplex3d, e: number): number {
  const p = (e / 3) | 0;
  return p + stride(cx, e - 3 * p);
}

/**
 * The squares that have edge e = 3p + t as a face, written into `out`; returns how many (2 to 4
 * inside the grid, fewer at its border). The squares are those through p spanning t and one other
 * axis, on either side of e along that axis.
 */
export function edgeCofaces(cx: CubicalComplex3d, e: number, out: Int32Array): number {
  const { depth, height, width } = cx;
  const hw = height * width;
  const p = (e / 3) | 0;
  const t = e - 3 * p;
  const z = (p / hw) | 0;
  const rest = p - z * hw;
  const r = (rest / width) | 0;
  const c = rest - r * width;
  let k = 0;
  if (t === 0) {
    // Along z: squares of type 1 (z, col) at c and c − 1, of type 2 (z, row) at r and r − 1.
    if (c + 1 < width) out[k++] = 3 * p + 1;
    if (c > 0) out[k++] = 3 * (p - 1) + 1;
    if (r + 1 < height) out[k++] = 3 * p + 2;
    if (r > 0) out[k++] = 3 * (p - width) + 2;
  } else if (t === 1) {
    // Along rows: type 0 (row, col) at c and c − 1, type 2 (z, row) at z and z − 1.
    if (c + 1 < width) out[k++] = 3 * p;
    if (c > 0) out[k++] = 3 * (p - 1);
    if (z + 1 < depth) out[k++] = 3 * p + 2;
    if (z > 0) out[k++] = 3 * (p - hw) + 2;
  } else {
    // Along cols: type 0 (row, col) at r and r − 1, type 1 (z, col) at z and z − 1.
    if (r + 1 < height) out[k++] = 3 * p;
    if (r > 0) out[k++] = 3 * (p - width);
    if (z + 1 < depth) out[k++] = 3 * p + 1;
    if (z > 0) out[k++] = 3 * (p - hw) + 1;
  }
  return k;
}

/**
 * The two dual nodes (cubes, or the outside node) that square s separates, written into `out`:
 * the cubes before and after it along its normal axis; cubes off the grid are the outside node.
 */
export function squareDualEnds(cx: CubicalComplex3d, s: number, out: Int32Array): void {
  const { height, width } = cx;
  const p = (s / 3) | 0;
  const t = s - 3 * p;
  const hw = height * width;
  const z = (p / hw) | 0;
  const rest = p - z * hw;
  const r = (rest / width) | 0;
  const c = rest - r * width;
  const md = cx.depth - 1;
  const mh = height - 1;
  const mw = width - 1;
  const outside = cx.cubeRank.length - 1;
  const cube = (z * mh + r) * mw + c;
  if (t === 0) {
    out[0] = z === 0 ? outside : cube - mh * mw;
    out[1] = z === md ? outside : cube;
  } else if (t === 1) {
    out[0] = r === 0 ? outside : cube - mw;
    out[1] = r === mh ? outside : cube;
  } else {
    out[0] = c === 0 ? outside : cube - 1;
    out[1] = c === mw ? outside : cube;
  }
}

/** The voxel whose value an edge takes: the second endpoint when it holds the edge's value, else the first. */
export function edgeVoxel(cx: CubicalComplex3d, e: number): number {
  const q = edgeOtherEnd(cx, e);
  return cx.rank[q] === cx.edgeRank[e] ? q : (e / 3) | 0;
}

/**
 * The voxel whose value a square takes: the first of its four voxels, from the highest flat index
 * down, that holds the square's value (the official code's order).
 */
export function squareVoxel(cx: CubicalComplex3d, s: number): number {
  const p = (s / 3) | 0;
  const t = s - 3 * p;
  const hw = cx.height * cx.width;
  const w = cx.width;
  // The two axes the square spans, the larger stride first.
  const a = t === 0 ? w : hw;
  const b = t === 2 ? w : 1;
  const v = cx.squareRank[s];
  const { rank } = cx;
  if (rank[p + a + b] === v) return p + a + b;
  if (rank[p + a] === v) return p + a;
  if (rank[p + b] === v) return p + b;
  return p;
}

/**
 * The voxel whose value a cube takes: the first of its eight voxels, from the lowest flat index up,
 * that holds the cube's value (the official code's order).
 */
export function cubeVoxel(cx: CubicalComplex3d, q: number): number {
  const { height, width, rank } = cx;
  const mh = height - 1;
  const mw = width - 1;
  const z = (q / (mh * mw)) | 0;
  const rest = q - z * mh * mw;
  const r = (rest / mw) | 0;
  const c = rest - r * mw;
  const p = (z * height + r) * width + c;
  const hw = height * width;
  const v = cx.cubeRank[q];
  if (rank[p] === v) return p;
  if (rank[p + 1] === v) return p + 1;
  if (rank[p + width] === v) return p + width;
  if (rank[p + width + 1] === v) return p + width + 1;
  if (rank[p + hw] === v) return p + hw;
  if (rank[p + hw + 1] === v) return p + hw + 1;
  if (rank[p + hw + width] === v) return p + hw + width;
  return p + hw + width + 1;
}
