import { type CubicalComplex2d, dualEnds, edgeOtherEnd, edgePixel, squarePixel } from './complex.js';
import { PairBuffer } from './pairs.js';
import { dualYounger, primalYounger, UnionFind } from './unionFind.js';

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

/** A growable list of matches: index pairs into two barcodes. */
export class MatchBuffer {
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

export function result(prediction: PairBuffer, target: PairBuffer, matches: MatchBuffer): DimensionMatching2d {
  return { prediction, target, matchedPrediction: matches.a.subarray(0, matches.count), matchedTarget: matches.b.subarray(0, matches.count), count: matches.count };
}

/**
 * Holes of one input k: its dual union–find runs over its edges from the top down. The same
 * merges in the comparison image's dual graph give the same partition with other elders, so each
 * set also records its eldest node by the comparison's values: of the two merged sets, the younger
 * of those is the death of the image of the k-bar in the comparison image, and keys the k-bar.
 * Edges that merge dual components are marked, as they cannot merge components in dimension 0.
 */
function inputHoles(cx: CubicalComplex2d, comparison: CubicalComplex2d, marks: Uint8Array): { pairs: PairBuffer; key: Int32Array } {
  const { height, width, edges, edgeRank, squareRank } = cx;
  const compRank = comparison.squareRank;
  const ends = new Int32Array(2);
  const key = new Int32Array(squareRank.length).fill(-1);
  const compElder = new Int32Array(squareRank.length);
  for (let i = 0; i < compElder.length; i++) compElder[i] = i;
  const pairs = new PairBuffer();
  const uf = new UnionFind(squareRank, 'dual');
  for (let i = edges.length - 1; i >= 0; i--) {
    const e = edges[i] as number;
    dualEnds(e, height, width, ends);
    const a = uf.find(ends[0] as number);
    const b = uf.find(ends[1] as number);
    if (a === b) continue;
    const younger = uf.link(a, b);
    const ca = compElder[a] as number;
    const cb = compElder[b] as number;
    const imageDeath = dualYounger(compRank, ca, cb);
    compElder[younger === a ? b : a] = imageDeath === ca ? cb : ca;
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
  const input0 = inputHoles(prediction, comparison, cleared[0] as Uint8Array);
  const input1 = inputHoles(target, comparison, cleared[1] as Uint8Array);
  const compUf = new UnionFind(squareRank, 'dual');
  const key0 = input0.key;
  const key1 = input1.key;
  const matches = new MatchBuffer();
  const marks = cleared[2] as Uint8Array;
  const ends = new Int32Array(2);
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

/** Components of one input: its barcode, each bar keyed by its birth pixel. */
function inputComponents(cx: CubicalComplex2d, marks: Uint8Array | undefined): { pairs: PairBuffer; key: Int32Array } {
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
  return { pairs, key };
}

/**
 * Components: the comparison image's edges from the bottom up. Each set of its union–find also
 * records its eldest pixel by each input's values (the roots the inputs' own union–finds would
 * have, merged in step): at a merge, the younger of those are the births of the two inputs' image
 * bars that die at this edge. A comparison component is matched when both are births of input bars.
 */
function matchComponents(prediction: CubicalComplex2d, target: CubicalComplex2d, comparison: CubicalComplex2d, cleared: Uint8Array[] | undefined): DimensionMatching2d {
  const input0 = inputComponents(prediction, cleared?.[0]);
  const input1 = inputComponents(target, cleared?.[1]);
  const { key: key0 } = input0;
  const { key: key1 } = input1;
  const rank0 = prediction.rank;
  const rank1 = target.rank;
  const { width, edges, edgeRank, rank } = comparison;
  const elder0 = new Int32Array(rank.length);
  const elder1 = new Int32Array(rank.length);
  for (let i = 0; i < rank.length; i++) elder0[i] = elder1[i] = i;
  const matches = new MatchBuffer();
  const marks = cleared?.[2];
  const compUf = new UnionFind(rank, 'primal');
  for (let i = 0; i < edges.length; i++) {
    const e = edges[i] as number;
    if (marks !== undefined && marks[e] === 1) continue;
    const a = compUf.find(e >> 1);
    const b = compUf.find(edgeOtherEnd(e, width));
    if (a === b) continue;
    const younger = compUf.link(a, b);
    const root = younger === a ? b : a;
    const a0 = elder0[a] as number;
    const b0 = elder0[b] as number;
    const birth0 = primalYounger(rank0, a0, b0);
    elder0[root] = birth0 === a0 ? b0 : a0;
    const a1 = elder1[a] as number;
    const b1 = elder1[b] as number;
    const birth1 = primalYounger(rank1, a1, b1);
    elder1[root] = birth1 === a1 ? b1 : a1;
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
