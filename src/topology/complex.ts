/**
 * The cubical complex of a 2D image in the V-construction, and the order in which its cells enter
 * the sublevel filtration.
 *
 * Cells of an H×W image f (row-major, pixel p = r·W + c):
 *
 *     vertex   p                        value f(p)
 *     edge     e = 2p + t               t = 0: (r, c)–(r+1, c) (r < H−1);  t = 1: (r, c)–(r, c+1) (c < W−1)
 *     square   s = r·(W−1) + c          the 2×2 block with top-left (r, c), value max of its 4 pixels
 *
 * An edge's value is the max of its two pixels. Cells are compared by value, ties by index: edges
 * by (value, r, c, t), the order of the official Betti-Matching-3D code, whose cell index packs
 * (r, c, t) the same way. Values are replaced by dense integer ranks (equal values, equal rank),
 * which keeps every comparison and makes the edge order a counting sort after one sort of the
 * pixel values: O(n log n) in all.
 *
 * The dual graph used for dimension 1 has the squares as nodes plus one node outside the image
 * (index (H−1)(W−1), value +∞); each edge separates two of them.
 */

/** Rank of the node outside the image in the dual graph: above every pixel rank. */
export const OUTSIDE_RANK = 0x7fffffff;

export interface CubicalComplex2d {
  height: number;
  width: number;
  /** Dense rank of each pixel value (0 = the lowest), `[H·W]`. */
  rank: Int32Array;
  /** Rank of each edge by id `2p + t` (−1 where the edge does not exist), `[2·H·W]`. */
  edgeRank: Int32Array;
  /** Rank of each square, then the outside node (OUTSIDE_RANK), `[(H−1)(W−1) + 1]`. */
  squareRank: Int32Array;
  /** The ids of the existing edges in filtration order (value, then id), ascending. */
  edges: Int32Array;
}

/** Ranks of values: equal values share a rank, and ranks follow the order of the values. */
export interface Ranking {
  /** Rank of each value. */
  rank: Int32Array;
  /** The distinct values in increasing order: value k has rank k. */
  sorted: Float64Array;
}

/** Up to this many distinct values are ranked by a lookup instead of a sort (masks, quantised maps). */
const FEW_VALUES = 8;

/** Ranks by lookup when there are at most FEW_VALUES distinct values; undefined otherwise. */
function fewRanks(values: Float64Array): Ranking | undefined {
  const seen: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!seen.includes(v)) {
      if (seen.length === FEW_VALUES) return undefined;
      seen.push(v);
    }
  }
  const sorted = Float64Array.from(seen).sort();
  const rank = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) rank[i] = sorted.indexOf(values[i] as number);
  return { rank, sorted };
}

/**
 * Dense ranks of the values (consecutive from 0). With more than a few distinct values, the sort is
 * a least-significant-digit radix sort of the IEEE-754 bit patterns made monotone (negative numbers
 * have all bits flipped, others only the sign bit), over the bits that differ between values only:
 * float32 data leaves the low 29 mantissa bits zero, so two passes of at most 17 bits usually do.
 * Values must not be NaN, and −0 must have been made +0.
 */
export function denseRanks(values: Float64Array): Ranking {
  const few = fewRanks(values);
  if (few !== undefined) return few;
  const n = values.length;
  const words = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  const lo = new Uint32Array(n);
  const hi = new Uint32Array(n);
  const little = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;
  for (let i = 0; i < n; i++) {
    const l = words[little ? 2 * i : 2 * i + 1] as number;
    const h = words[little ? 2 * i + 1 : 2 * i] as number;
    const negative = h >>> 31 === 1;
    lo[i] = negative ? ~l >>> 0 : l;
    hi[i] = negative ? ~h >>> 0 : (h | 0x80000000) >>> 0;
  }
  let varyLo = 0;
  let varyHi = 0;
  for (let i = 1; i < n; i++) {
    varyLo |= (lo[i] as number) ^ (lo[0] as number);
    varyHi |= (hi[i] as number) ^ (hi[0] as number);
  }
  const lowest = varyLo !== 0 ? 31 - Math.clz32(varyLo & -varyLo) : varyHi !== 0 ? 63 - Math.clz32(varyHi & -varyHi) : 64;
  const highest = varyHi !== 0 ? 63 - Math.clz32(varyHi) : varyLo !== 0 ? 31 - Math.clz32(varyLo) : -1;
  const bits = highest - lowest + 1;
  const passes = bits > 0 ? Math.ceil(bits / 17) : 0;
  const width = passes > 0 ? Math.ceil(bits / passes) : 0;
  const mask = (1 << width) - 1;
  let order = new Int32Array(n);
  let next = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const digit = new Int32Array(n);
  const counts = new Int32Array(mask + 2);
  for (let pass = 0; pass < passes; pass++) {
    const at = lowest + pass * width;
    if (at >= 32) for (let i = 0; i < n; i++) digit[i] = ((hi[i] as number) >>> (at - 32)) & mask;
    else if (at === 0) for (let i = 0; i < n; i++) digit[i] = (lo[i] as number) & mask;
    else for (let i = 0; i < n; i++) digit[i] = (((lo[i] as number) >>> at) | ((hi[i] as number) << (32 - at))) & mask;
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(digit[i] as number) + 1]!++;
    for (let d = 1; d <= mask; d++) counts[d]! += counts[d - 1] as number;
    for (let i = 0; i < n; i++) {
      const j = order[i] as number;
      next[counts[digit[j] as number]!++] = j;
    }
    const swap = order;
    order = next;
    next = swap;
  }
  const rank = new Int32Array(n);
  const sorted = new Float64Array(n);
  let distinct = 0;
  for (let i = 0; i < n; i++) {
    const v = values[order[i] as number] as number;
    if (distinct === 0 || v !== sorted[distinct - 1]) sorted[distinct++] = v;
    rank[order[i] as number] = distinct - 1;
  }
  return { rank, sorted: sorted.slice(0, distinct) };
}

/**
 * Ranks of the pointwise minimum of two ranked images without sorting again: its values are among
 * the two sets of distinct values, so merging the two sorted lists gives every value its rank in
 * the union, which keeps order and ties (the ranks need not be consecutive).
 */
export function minimumRanks(a: Float64Array, ra: Ranking, b: Float64Array, rb: Ranking): Ranking {
  const ua = ra.sorted;
  const ub = rb.sorted;
  const mapA = new Int32Array(ua.length);
  const mapB = new Int32Array(ub.length);
  const merged = new Float64Array(ua.length + ub.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < ua.length || j < ub.length) {
    const va = i < ua.length ? (ua[i] as number) : Infinity;
    const vb = j < ub.length ? (ub[j] as number) : Infinity;
    const v = Math.min(va, vb);
    merged[k] = v;
    if (i < ua.length && va === v) mapA[i++] = k;
    if (j < ub.length && vb === v) mapB[j++] = k;
    k++;
  }
  const rank = new Int32Array(a.length);
  for (let p = 0; p < a.length; p++) {
    rank[p] = (a[p] as number) <= (b[p] as number) ? (mapA[ra.rank[p] as number] as number) : (mapB[rb.rank[p] as number] as number);
  }
  return { rank, sorted: merged.slice(0, k) };
}

/** Builds the complex of a sublevel image (no NaN) of shape [height, width], ranked here or before. */
export function buildComplex2d(f: Float64Array, height: number, width: number, ranking: Ranking = denseRanks(f)): CubicalComplex2d {
  const { rank } = ranking;
  const distinct = ranking.sorted.length;
  const n = height * width;
  const edgeRank = new Int32Array(2 * n).fill(-1);
  const counts = new Int32Array(distinct + 1);
  let numEdges = 0;
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const p = r * width + c;
      const rp = rank[p] as number;
      if (r + 1 < height) {
        const rq = rank[p + width] as number;
        const er = Math.max(rp, rq);
        edgeRank[2 * p] = er;
        counts[er + 1]!++;
        numEdges++;
      }
      if (c + 1 < width) {
        const rq = rank[p + 1] as number;
        const er = Math.max(rp, rq);
        edgeRank[2 * p + 1] = er;
        counts[er + 1]!++;
        numEdges++;
      }
    }
  }
  for (let k = 1; k <= distinct; k++) counts[k]! += counts[k - 1] as number;
  // Counting sort: a stable pass over the edge ids puts equal ranks in id order.
  const edges = new Int32Array(numEdges);
  for (let e = 0; e < 2 * n; e++) {
    const er = edgeRank[e] as number;
    if (er >= 0) edges[counts[er]!++] = e;
  }
  const m = width - 1;
  const squareRank = new Int32Array((height - 1) * m + 1);
  for (let r = 0; r + 1 < height; r++) {
    for (let c = 0; c < m; c++) {
      const p = r * width + c;
      const a = edgeRank[2 * p + 1] as number; // (r, c)–(r, c+1)
      const b = edgeRank[2 * (p + width) + 1] as number; // (r+1, c)–(r+1, c+1)
      squareRank[r * m + c] = Math.max(a, b);
    }
  }
  squareRank[(height - 1) * m] = OUTSIDE_RANK;
  return { height, width, rank, edgeRank, squareRank, edges };
}

/** The second pixel of edge e (the first is e >> 1). */
export function edgeOtherEnd(e: number, width: number): number {
  return (e & 1) === 0 ? (e >> 1) + width : (e >> 1) + 1;
}

/**
 * The two dual nodes (squares, or the outside node) that edge e separates, written into `out`:
 * a vertical pair (r, c)–(r+1, c) separates squares (r, c−1) and (r, c); a horizontal pair
 * (r, c)–(r, c+1) separates squares (r−1, c) and (r, c); squares off the grid are the outside node.
 */
export function dualEnds(e: number, height: number, width: number, out: Int32Array): void {
  const p = e >> 1;
  const r = (p / width) | 0;
  const c = p - r * width;
  const m = width - 1;
  const outside = (height - 1) * m;
  if ((e & 1) === 0) {
    out[0] = c === 0 ? outside : r * m + c - 1;
    out[1] = c === m ? outside : r * m + c;
  } else {
    out[0] = r === 0 ? outside : (r - 1) * m + c;
    out[1] = r === height - 1 ? outside : r * m + c;
  }
}

/**
 * The pixel whose value an edge takes (the official code's "parent voxel"): the second endpoint
 * when it holds the edge's value, else the first.
 */
export function edgePixel(cx: CubicalComplex2d, e: number): number {
  const q = edgeOtherEnd(e, cx.width);
  return cx.rank[q] === cx.edgeRank[e] ? q : e >> 1;
}

/**
 * The pixel whose value a square takes: the first of (r+1, c+1), (r+1, c), (r, c+1), (r, c) that
 * holds the square's value, the official code's order.
 */
export function squarePixel(cx: CubicalComplex2d, s: number): number {
  const m = cx.width - 1;
  const r = (s / m) | 0;
  const p = r * cx.width + (s - r * m);
  const v = cx.squareRank[s];
  const { rank, width } = cx;
  if (rank[p + width + 1] === v) return p + width + 1;
  if (rank[p + width] === v) return p + width;
  if (rank[p + 1] === v) return p + 1;
  return p;
}
