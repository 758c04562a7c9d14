import { type CubicalComplex3d, cubeVoxel, edgeCofaces, edgeOtherEnd, edgeVoxel, squareDualEnds, squareVoxel } from './complex3d.js';
import { PairBuffer } from './pairs.js';
import { UnionFind } from './unionFind.js';

/** The finite persistence pairs of one 3D image, as critical voxels, and its essential class. */
export interface PersistencePairs3d {
  /** Components: birth at a voxel, death at the edge that merges it into an elder component. */
  dim0: PairBuffer;
  /** Loops (tunnels): birth at the edge that closes the loop, death at the square that fills it; from the last birth to the first. */
  dim1: PairBuffer;
  /** Cavities: birth at the square that closes the cavity, death at the cube that fills it. */
  dim2: PairBuffer;
  /** Birth voxel of the one component that never dies (the lowest value, ties to the lowest index). */
  essentialVoxel: number;
}

/**
 * Dimension 2 by Alexander duality: the cavities of the sublevel sets are the bounded components
 * of their complements, so the dimension-2 pairs are the dimension-0 pairs of the dual graph (cubes
 * + outside) with the squares taken from the top value down. Every square that merges two dual
 * components is marked in `closingSquares`: it creates a 2-cycle, so it is never the death of a
 * loop and drops out of the reduction in dimension 1 (clearing).
 */
export function cavities(cx: CubicalComplex3d, closingSquares: Uint8Array): PairBuffer {
  const { squares, squareRank, cubeRank } = cx;
  const ends = new Int32Array(2);
  const pairs = new PairBuffer();
  const dual = new UnionFind(cubeRank, 'dual');
  for (let k = squares.length - 1; k >= 0; k--) {
    const s = squares[k] as number;
    squareDualEnds(cx, s, ends);
    const a = dual.find(ends[0] as number);
    const b = dual.find(ends[1] as number);
    if (a === b) continue;
    const younger = dual.link(a, b);
    closingSquares[s] = 1;
    if (cubeRank[younger] !== squareRank[s]) pairs.push(squareVoxel(cx, s), cubeVoxel(cx, younger));
  }
  return pairs;
}

/**
 * A working column over Z/2 on rows 0..size−1: a bit per row, under a tree of 32-bit words whose
 * bits say which words below are non-zero. Adding an entry flips its bit (and the bits above it
 * when its word turns empty or non-empty); the last row is found in log₃₂(size) steps.
 */
class WorkingColumn {
  private readonly levels: Uint32Array[] = [];

  constructor(size: number) {
    let n = Math.max(1, size);
    do {
      n = (n + 31) >>> 5;
      this.levels.push(new Uint32Array(n));
    } while (n > 1);
  }

  /** Adds row x (removes it when present). */
  toggle(x: number): void {
    const { levels } = this;
    const leaf = levels[0] as Uint32Array;
    let w = x >>> 5;
    const before = leaf[w] as number;
    const after = (before ^ (1 << (x & 31))) >>> 0;
    leaf[w] = after;
    if ((before === 0) === (after === 0)) return;
    // Word w became empty or non-empty: update the bits above it.
    let nonEmpty = after !== 0;
    for (let l = 1; l < levels.length; l++) {
      const words = levels[l] as Uint32Array;
      const parent = w >>> 5;
      const bit = 1 << (w & 31);
      const was = words[parent] as number;
      const now = (nonEmpty ? was | bit : was & ~bit) >>> 0;
      words[parent] = now;
      if ((was === 0) === (now === 0)) return;
      nonEmpty = now !== 0;
      w = parent;
    }
  }

  /** The last row present; −1 when the column is zero. */
  pivot(): number {
    const { levels } = this;
    let l = levels.length - 1;
    if ((levels[l] as Uint32Array)[0] === 0) return -1;
    let i = 0;
    for (; l >= 0; l--) i = (i << 5) | (31 - Math.clz32((levels[l] as Uint32Array)[i] as number));
    return i;
  }
}

/**
 * Pairs between edges and squares by a reduction over Z/2 of the coboundary matrix (the
 * anti-transpose of the boundary matrix between edges and squares: the same pairs, fewer additions):
 * the edges of `edgesFrom` are the columns, from the last in its filtration order down; a column
 * holds the squares that have the edge as a face, ordered by `squaresFrom`'s filtration, and its
 * pivot is the first of them. While another column owns the pivot, that column is added.
 * `onPivot(edge, square)` is called for each column that does not reduce to zero.
 *
 * - Clearing: the edges marked in `skipEdges` (those that merged components in dimension 0: their
 *   columns reduce to zero) and the squares marked in `skipSquares` (those that closed cavities in
 *   dimension 2: never a pivot, so dropped from every column) are left out.
 * - Emergent pairs: when the first coface of an edge is not yet a pivot, the edge is paired with it
 *   at once, without building a working column; most pairs are found this way.
 * - The working column is a bit set under a tree of non-empty flags: an addition costs one bit flip
 *   per entry. The columns that needed additions are kept reduced, to be added to later ones; the
 *   others are rebuilt from their cofaces.
 *
 * With one complex on both sides this is persistence in dimension 1; with the edges of an input
 * image and the squares of the comparison image (whose sublevel sets contain the input's), image
 * persistence: the pivot of an edge is the death square of the image bar that the edge gives birth to.
 */
export function reduceCoboundaries(
  edgesFrom: CubicalComplex3d,
  skipEdges: Uint8Array,
  squaresFrom: CubicalComplex3d,
  skipSquares: Uint8Array,
  onPivot: (edge: number, square: number) => void,
): void {
  const { edges } = edgesFrom;
  const { squares } = squaresFrom;
  const last = squares.length - 1;
  // Row key of each square: larger for earlier squares, so that the pivot is the largest key;
  // −1 for squares left out (cleared, or absent).
  const key = new Int32Array(squaresFrom.squareRank.length).fill(-1);
  for (let k = 0; k <= last; k++) {
    const s = squares[k] as number;
    if (skipSquares[s] !== 1) key[s] = last - k;
  }
  // For each row key, the edge whose reduced column has it as pivot (−1: none yet).
  const owner = new Int32Array(squares.length).fill(-1);
  // Reduced columns of the edges that needed additions: `stored[e]` is the offset in `pool` of
  // [length, entries...]; −1 when the edge's column is its coboundary.
  const stored = new Int32Array(edgesFrom.edgeRank.length).fill(-1);
  let pool = new Int32Array(1024);
  let poolSize = 0;
  const work = new WorkingColumn(squares.length);
  const cofaces = new Int32Array(4);

  /** The row keys of the coboundary of e, written into `cofaces`; returns how many. */
  const coboundary = (e: number) => {
    const count = edgeCofaces(edgesFrom, e, cofaces);
    let n = 0;
    for (let i = 0; i < count; i++) {
      const k = key[cofaces[i] as number] as number;
      if (k >= 0) cofaces[n++] = k;
    }
    return n;
  };

  for (let k = edges.length - 1; k >= 0; k--) {
    const e = edges[k] as number;
    if (skipEdges[e] === 1) continue;
    const n = coboundary(e);
    let pivot = -1;
    for (let i = 0; i < n; i++) pivot = Math.max(pivot, cofaces[i] as number);
    if (pivot < 0) continue;
    if ((owner[pivot] as number) < 0) {
      owner[pivot] = e;
      onPivot(e, squares[last - pivot] as number);
      continue;
    }
    for (let i = 0; i < n; i++) work.toggle(cofaces[i] as number);
    for (;;) {
      const o = owner[pivot] as number;
      if (o < 0) break;
      const at = stored[o] as number;
      if (at >= 0) {
        const end = at + 1 + (pool[at] as number);
        for (let i = at + 1; i < end; i++) work.toggle(pool[i] as number);
      } else {
        const m = coboundary(o);
        for (let i = 0; i < m; i++) work.toggle(cofaces[i] as number);
      }
      pivot = work.pivot();
      if (pivot < 0) break; // a cocycle that is not cleared
    }
    if (pivot < 0) continue;
    owner[pivot] = e;
    onPivot(e, squares[last - pivot] as number);
    // Keep the reduced column, its entries in descending order; this also empties the working one.
    stored[e] = poolSize;
    let length = 0;
    for (let x = pivot; x >= 0; x = work.pivot()) {
      work.toggle(x);
      if (pool.length <= poolSize + 1 + length) {
        const grown = new Int32Array(2 * pool.length);
        grown.set(pool.subarray(0, poolSize + 1 + length));
        pool = grown;
      }
      pool[poolSize + 1 + length++] = x;
    }
    pool[poolSize] = length;
    poolSize += length + 1;
  }
}

/**
 * Dimension 1 of one complex: its coboundary reduction, cleared by the edges that merged
 * components (dimension 0) and by the squares that closed cavities (dimension 2).
 */
export function loops(cx: CubicalComplex3d, mergingEdges: Uint8Array, closingSquares: Uint8Array): PairBuffer {
  const { edgeRank, squareRank } = cx;
  const pairs = new PairBuffer();
  reduceCoboundaries(cx, mergingEdges, cx, closingSquares, (e, s) => {
    if (edgeRank[e] !== squareRank[s]) pairs.push(edgeVoxel(cx, e), squareVoxel(cx, s));
  });
  return pairs;
}

/**
 * Components: union–find over the edges in filtration order. Every edge that merges two components
 * is marked in `mergingEdges`: it kills a class in dimension 0, so its coboundary column reduces to
 * zero in dimension 1 (clearing).
 */
export function components(cx: CubicalComplex3d, mergingEdges: Uint8Array): PairBuffer {
  const { edges, edgeRank, rank } = cx;
  const pairs = new PairBuffer();
  const uf = new UnionFind(rank, 'primal');
  for (let k = 0; k < edges.length; k++) {
    const e = edges[k] as number;
    const a = uf.find((e / 3) | 0);
    const b = uf.find(edgeOtherEnd(cx, e));
    if (a === b) continue;
    const younger = uf.link(a, b);
    mergingEdges[e] = 1;
    if (rank[younger] !== edgeRank[e]) pairs.push(younger, edgeVoxel(cx, e));
  }
  return pairs;
}

/**
 * Persistence pairs of the sublevel filtration of a 3D V-construction complex, zero-length pairs
 * dropped: dimension 2 by union–find on the dual graph, dimension 0 by union–find, then dimension 1
 * by a coboundary reduction cleared by both. The cell order (value, then index) is that of the
 * official Betti-Matching-3D code, so the pairs are the same as its own (which are unique for a
 * given order, whatever the algorithm). Each pair is given by the critical voxels of its cells.
 */
export function persistencePairs3d(cx: CubicalComplex3d): PersistencePairs3d {
  const closingSquares = new Uint8Array(cx.squareRank.length);
  const mergingEdges = new Uint8Array(cx.edgeRank.length);
  const dim2 = cavities(cx, closingSquares);
  const dim0 = components(cx, mergingEdges);
  const dim1 = loops(cx, mergingEdges, closingSquares);
  let essentialVoxel = 0;
  while (cx.rank[essentialVoxel] !== 0) essentialVoxel++;
  return { dim0, dim1, dim2, essentialVoxel };
}
