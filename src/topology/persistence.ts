import { type CubicalComplex2d, dualEnds, edgeOtherEnd, edgePixel, squarePixel } from './complex.js';
import { PairBuffer } from './pairs.js';
import { UnionFind } from './unionFind.js';

/** The finite persistence pairs of one image, as critical pixels, and its essential class. */
export interface PersistencePairs2d {
  /** Components: birth at a pixel, death at the edge that merges it into an elder component. */
  dim0: PairBuffer;
  /** Holes: birth at the edge that closes the loop, death at the square that fills the hole. */
  dim1: PairBuffer;
  /** Birth pixel of the one component that never dies (the lowest value, ties to the lowest index). */
  essentialPixel: number;
}

/**
 * Persistence pairs of the sublevel filtration of a V-construction complex, zero-length pairs
 * dropped. Dimension 1 first, by Alexander duality: the holes of the sublevel sets are the bounded
 * components of their complements, so the dimension-1 pairs are the dimension-0 pairs of the dual
 * graph (squares + outside) with the edges taken from the top value down. An edge that merges two
 * dual components closes a loop, so it can never merge two components of the image itself: those
 * edges are skipped in dimension 0 (the official code's clearing).
 */
export function persistencePairs2d(cx: CubicalComplex2d): PersistencePairs2d {
  const { height, width, rank, edgeRank, squareRank, edges } = cx;
  const cleared = new Uint8Array(edgeRank.length);
  const ends = new Int32Array(2);

  const dim1 = new PairBuffer();
  const dual = new UnionFind(squareRank, 'dual');
  for (let k = edges.length - 1; k >= 0; k--) {
    const e = edges[k] as number;
    dualEnds(e, height, width, ends);
    const a = dual.find(ends[0] as number);
    const b = dual.find(ends[1] as number);
    if (a === b) continue;
    const younger = dual.link(a, b);
    cleared[e] = 1;
    if (squareRank[younger] !== edgeRank[e]) dim1.push(edgePixel(cx, e), squarePixel(cx, younger));
  }

  const dim0 = new PairBuffer();
  const uf = new UnionFind(rank, 'primal');
  for (let k = 0; k < edges.length; k++) {
    const e = edges[k] as number;
    if (cleared[e] === 1) continue;
    const a = uf.find(e >> 1);
    const b = uf.find(edgeOtherEnd(e, width));
    if (a === b) continue;
    const younger = uf.link(a, b);
    if (rank[younger] !== edgeRank[e]) dim0.push(younger, edgePixel(cx, e));
  }

  let essentialPixel = 0;
  while (rank[essentialPixel] !== 0) essentialPixel++;
  return { dim0, dim1, essentialPixel };
}
