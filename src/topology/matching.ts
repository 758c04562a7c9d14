import { type CubicalComplex2d, dualEnds, edgeOtherEnd, edgePixel, squarePixel } from './complex.js';
import { PairBuffer } from './pairs.js';
import { UnionFind } from './unionFind.js';

/** The Betti matching of one dimension, as critical pixels and indices into the two barcodes. */
export interface DimensionMatching2d {
  /** Finite pairs of the prediction (input 0). */
  prediction: PairBuffer;
  /** Finite pairs of the target (input 1). */
  target: PairBuffer;
  /** Matched pairs: `prediction` index and `target` index, `count` of them. */
  matchedPrediction: Int32Array;
  matchedTarget: Int32Array;
  count: number;
}

export interface Matching2d {
  /** Index 0: components, 1: holes; undefined for a dimension not asked for. */
  dims: [DimensionMatching2d | undefined, DimensionMatching2d | undefined];
}

class MatchBuffer {
  a = new Int32Array(16);
  b = new Int32Array(16);
  count = 0;

  push(i: number, j: number): void {
    if (this.count === this.a.length) {
      const a = new Int32Array(2 * this.count);
      const b = new Int32Array(2 * this.count);
      a.set(this.a);
      b.set(this.b);
      this.a = a;
      this.b = b;
    }
    this.a[this.count] = i;
    this.b[this.count++] = j;
  }
}

function result(prediction: PairBuffer, target: PairBuffer, matches: MatchBuffer): DimensionMatching2d {
  return { prediction, target, matchedPrediction: matches.a.subarray(0, matches.count), matchedTarget: matches.b.subarray(0, matches.count), count: matches.count };
}

/**
 * Holes of one input k: its dual union–find runs over its edges from the top down, and a dual
 * union–find of the comparison image is merged in step with it (same partition, the comparison's
 * values): the node that dies there is the death of the image of the k-bar in the comparison image,
 * and keys the k-bar. Edges that merge dual components are marked, as they cannot merge components
 * in dimension 0.
 */
function inputHoles(cx: CubicalComplex2d, compUf: UnionFind, marks: Uint8Array): { pairs: PairBuffer; key: Int32Array } {
  const { height, width, edges, edgeRank, squareRank } = cx;
  const ends = new Int32Array(2);
  const key = new Int32Array(squareRank.length).fill(-1);
  const pairs = new PairBuffer();
  const uf = new UnionFind(squareRank, 'dual');
  compUf.reset();
  for (let i = edges.length - 1; i >= 0; i--) {
    const e = edges[i] as number;
    dualEnds(e, height, width, ends);
    const a = uf.find(ends[0] as number);
    const b = uf.find(ends[1] as number);
    if (a === b) continue;
    const younger = uf.link(a, b);
    const imageDeath = compUf.link(compUf.find(ends[0] as number), compUf.find(ends[1] as number));
    marks[e] = 1;
    if (squareRank[younger] !== edgeRank[e]) key[imageDeath] = pairs.push(edgePixel(cx, e), squarePixel(cx, younger));
  }
  return { pairs, key };
}

/**
 * Holes: the comparison image's dual union–find, from the top down; a comparison hole is matched
 * when both inputs keyed a bar to its death square.
 */
function matchHoles(prediction: CubicalComplex2d, target: CubicalComplex2d, comparison: CubicalComplex2d, cleared: Uint8Array[]): DimensionMatching2d {
  const { height, width, edges, edgeRank, squareRank } = comparison;
  const compUf = new UnionFind(squareRank, 'dual');
  const input0 = inputHoles(prediction, compUf, cleared[0] as Uint8Array);
  const input1 = inputHoles(target, compUf, cleared[1] as Uint8Array);
  const key0 = input0.key;
  const key1 = input1.key;
  const matches = new MatchBuffer();
  const marks = cleared[2] as Uint8Array;
  const ends = new Int32Array(2);
  compUf.reset();
  for (let i = edges.length - 1; i >= 0; i--) {
    const e = edges[i] as number;
    dualEnds(e, height, width, ends);
    const a = compUf.find(ends[0] as number);
    const b = compUf.find(ends[1] as number);
    if (a === b) continue;
    const younger = compUf.link(a, b);
    marks[e] = 1;
    if (squareRank[younger] !== edgeRank[e] && (key0[younger] as number) >= 0 && (key1[younger] as number) >= 0) {
      matches.push(key0[younger] as number, key1[younger] as number);
    }
  }
  return result(input0.pairs, input1.pairs, matches);
}

/**
 * Components of one input: its barcode, each bar keyed by its birth pixel, and its union–find
 * (reset) for the comparison pass.
 */
function inputComponents(cx: CubicalComplex2d, marks: Uint8Array | undefined): { pairs: PairBuffer; key: Int32Array; uf: UnionFind } {
  const { width, edges, edgeRank, rank } = cx;
  const key = new Int32Array(rank.length).fill(-1);
  const pairs = new PairBuffer();
  const uf = new UnionFind(rank, 'primal');
  for (let i = 0; i < edges.length; i++) {
    const e = edges[i] as number;
    if (marks !== undefined && marks[e] === 1) continue;
    const a = uf.find(e >> 1);
    const b = uf.find(edgeOtherEnd(e, width));
    if (a === b) continue;
    const younger = uf.link(a, b);
    if (rank[younger] !== edgeRank[e]) key[younger] = pairs.push(younger, edgePixel(cx, e));
  }
  uf.reset();
  return { pairs, key, uf };
}

/**
 * Components: the comparison image's edges from the bottom up, each merge repeated in both inputs'
 * union–finds (same partition, each with its own elder rule): the younger roots are the births of
 * the image bars that die at this edge. A comparison component is matched when both are births of
 * input bars.
 */
function matchComponents(prediction: CubicalComplex2d, target: CubicalComplex2d, comparison: CubicalComplex2d, cleared: Uint8Array[] | undefined): DimensionMatching2d {
  const input0 = inputComponents(prediction, cleared?.[0]);
  const input1 = inputComponents(target, cleared?.[1]);
  const { key: key0, uf: uf0 } = input0;
  const { key: key1, uf: uf1 } = input1;
  const matches = new MatchBuffer();
  const marks = cleared?.[2];
  const { width, edges, edgeRank, rank } = comparison;
  const compUf = new UnionFind(rank, 'primal');
  for (let i = 0; i < edges.length; i++) {
    const e = edges[i] as number;
    if (marks !== undefined && marks[e] === 1) continue;
    const p = e >> 1;
    const q = edgeOtherEnd(e, width);
    const a = compUf.find(p);
    const b = compUf.find(q);
    if (a === b) continue;
    const younger = compUf.link(a, b);
    const birth0 = uf0.link(uf0.find(p), uf0.find(q));
    const birth1 = uf1.link(uf1.find(p), uf1.find(q));
    if (rank[younger] !== edgeRank[e] && (key0[birth0] as number) >= 0 && (key1[birth1] as number) >= 0) {
      matches.push(key0[birth0] as number, key1[birth1] as number);
    }
  }
  return result(input0.pairs, input1.pairs, matches);
}

/**
 * Betti matching of two images of the same shape through their comparison image (the pointwise
 * minimum of the sublevel values, i.e. the union of the superlevel sets), following the efficient
 * 2D algorithm of Betti-Matching-3D: a bar of the prediction and a bar of the target are matched
 * when their induced matchings into the comparison image's barcode reach the same bar (Bauer and
 * Lesnick: the image bar keeps the input bar's birth and the comparison bar's death).
 *
 * @param prediction - Complex of the prediction's sublevel values.
 * @param target - Complex of the target's sublevel values.
 * @param comparison - Complex of their pointwise minimum.
 * @param dimensions - Which dimensions to match.
 */
export function bettiMatching2d(
  prediction: CubicalComplex2d,
  target: CubicalComplex2d,
  comparison: CubicalComplex2d,
  dimensions: readonly number[] = [0, 1],
): Matching2d {
  let cleared: Uint8Array[] | undefined;
  let holes: DimensionMatching2d | undefined;
  if (dimensions.includes(1)) {
    cleared = [prediction, target, comparison].map((cx) => new Uint8Array(cx.edgeRank.length));
    holes = matchHoles(prediction, target, comparison, cleared);
  }
  const components = dimensions.includes(0) ? matchComponents(prediction, target, comparison, cleared) : undefined;
  return { dims: [components, holes] };
}
