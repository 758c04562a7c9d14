import { type CubicalComplex3d, cubeVoxel, edgeOtherEnd, edgeVoxel, squareDualEnds, squareVoxel } from './complex3d.js';
import { type DimensionMatching2d, MatchBuffer, result } from './matching.js';
import { PairBuffer } from './pairs.js';
import { reduceCoboundaries } from './persistence3d.js';
import { dualYounger, primalYounger, UnionFind } from './unionFind.js';

/** The Betti matching of one dimension (the layout of the 2D one: voxels instead of pixels). */
export type DimensionMatching3d = DimensionMatching2d;

export interface Matching3d {
  /** Index 0: components, 1: loops, 2: cavities; undefined for a dimension not asked for. */
  dims: [DimensionMatching3d | undefined, DimensionMatching3d | undefined, DimensionMatching3d | undefined];
}

/**
 * Cavities of one input: its dual union–find over cubes runs over its squares from the top down.
 * Each set also records its eldest cube by the comparison image's values: of the two merged sets,
 * the younger of those is the death of the image of the input's bar in the comparison, and keys
 * the bar. Squares that merge dual components are marked (clearing for dimension 1).
 */
function inputCavities(cx: CubicalComplex3d, comparison: CubicalComplex3d, marks: Uint8Array): { pairs: PairBuffer; key: Int32Array } {
  const { squares, squareRank, cubeRank } = cx;
  const compRank = comparison.cubeRank;
  const ends = new Int32Array(2);
  const key = new Int32Array(cubeRank.length).fill(-1);
  const compElder = new Int32Array(cubeRank.length);
  for (let i = 0; i < compElder.length; i++) compElder[i] = i;
  const pairs = new PairBuffer();
  const uf = new UnionFind(cubeRank, 'dual');
  for (let k = squares.length - 1; k >= 0; k--) {
    const s = squares[k] as number;
    squareDualEnds(cx, s, ends);
    const a = uf.find(ends[0] as number);
    const b = uf.find(ends[1] as number);
    if (a === b) continue;
    const younger = uf.link(a, b);
    const ca = compElder[a] as number;
    const cb = compElder[b] as number;
    const imageDeath = dualYounger(compRank, ca, cb);
    compElder[younger === a ? b : a] = imageDeath === ca ? cb : ca;
    marks[s] = 1;
    if (cubeRank[younger] !== squareRank[s]) key[imageDeath] = pairs.push(squareVoxel(cx, s), cubeVoxel(cx, younger));
  }
  return { pairs, key };
}

/** Cavities: the comparison's dual union–find; a comparison cavity is matched when both inputs keyed a bar to its death cube. */
function matchCavities(prediction: CubicalComplex3d, target: CubicalComplex3d, comparison: CubicalComplex3d, marks: Uint8Array[]): DimensionMatching3d {
  const input0 = inputCavities(prediction, comparison, marks[0] as Uint8Array);
  const input1 = inputCavities(target, comparison, marks[1] as Uint8Array);
  const { squares, squareRank, cubeRank } = comparison;
  const uf = new UnionFind(cubeRank, 'dual');
  const { key: key0 } = input0;
  const { key: key1 } = input1;
  const matches = new MatchBuffer();
  const compMarks = marks[2] as Uint8Array;
  const ends = new Int32Array(2);
  for (let k = squares.length - 1; k >= 0; k--) {
    const s = squares[k] as number;
    squareDualEnds(comparison, s, ends);
    const a = uf.find(ends[0] as number);
    const b = uf.find(ends[1] as number);
    if (a === b) continue;
    const younger = uf.link(a, b);
    compMarks[s] = 1;
    if (cubeRank[younger] !== squareRank[s] && (key0[younger] as number) >= 0 && (key1[younger] as number) >= 0) {
      matches.push(key0[younger] as number, key1[younger] as number);
    }
  }
  return result(input0.pairs, input1.pairs, matches);
}

/** Loops of one input: its own reduction, each bar keyed by its birth edge. */
function inputLoops(cx: CubicalComplex3d, mergingEdges: Uint8Array, closingSquares: Uint8Array): { pairs: PairBuffer; key: Int32Array } {
  const { edgeRank, squareRank } = cx;
  const key = new Int32Array(edgeRank.length).fill(-1);
  const pairs = new PairBuffer();
  reduceCoboundaries(cx, mergingEdges, cx, closingSquares, (e, s) => {
    if (edgeRank[e] !== squareRank[s]) key[e] = pairs.push(edgeVoxel(cx, e), squareVoxel(cx, s));
  });
  return { pairs, key };
}

/**
 * Loops, with the induced matchings the official 3D code computes: the inputs' and the
 * comparison's own barcodes, and for each input the image of its loops in the comparison (image
 * persistence: the input's edges in the input's order against the comparison's squares in the
 * comparison's order), which pairs the birth edge of each image bar with the comparison square
 * where it dies. A comparison bar is matched when, at its death square, both image bars start at
 * the birth edges of input bars (Bauer–Lesnick: the image bar has the input bar's birth and the
 * comparison bar's death). Every reduction is cleared by its complexes' dimensions 0 and 2.
 */
function matchLoops(prediction: CubicalComplex3d, target: CubicalComplex3d, comparison: CubicalComplex3d, mergingEdges: Uint8Array[], closingSquares: Uint8Array[]): DimensionMatching3d {
  const input0 = inputLoops(prediction, mergingEdges[0] as Uint8Array, closingSquares[0] as Uint8Array);
  const input1 = inputLoops(target, mergingEdges[1] as Uint8Array, closingSquares[1] as Uint8Array);
  const compSquares = closingSquares[2] as Uint8Array;
  const image = [prediction, target].map((cx, k) => {
    const birth = new Int32Array(comparison.squareRank.length).fill(-1);
    reduceCoboundaries(cx, mergingEdges[k] as Uint8Array, comparison, compSquares, (e, s) => {
      birth[s] = e;
    });
    return birth;
  }) as [Int32Array, Int32Array];
  const { edgeRank, squareRank } = comparison;
  const matches = new MatchBuffer();
  reduceCoboundaries(comparison, mergingEdges[2] as Uint8Array, comparison, compSquares, (e, s) => {
    if (edgeRank[e] === squareRank[s]) return;
    const e0 = image[0][s] as number;
    const e1 = image[1][s] as number;
    if (e0 < 0 || e1 < 0) return;
    const i0 = input0.key[e0] as number;
    const i1 = input1.key[e1] as number;
    if (i0 >= 0 && i1 >= 0) matches.push(i0, i1);
  });
  return result(input0.pairs, input1.pairs, matches);
}

/** Components of one input: its barcode, each bar keyed by its birth voxel; merging edges are marked (clearing for dimension 1). */
function inputComponents(cx: CubicalComplex3d, marks: Uint8Array): { pairs: PairBuffer; key: Int32Array } {
  const { edges, edgeRank, rank } = cx;
  const key = new Int32Array(rank.length).fill(-1);
  const pairs = new PairBuffer();
  const uf = new UnionFind(rank, 'primal');
  for (let k = 0; k < edges.length; k++) {
    const e = edges[k] as number;
    const a = uf.find((e / 3) | 0);
    const b = uf.find(edgeOtherEnd(cx, e));
    if (a === b) continue;
    const younger = uf.link(a, b);
    marks[e] = 1;
    if (rank[younger] !== edgeRank[e]) key[younger] = pairs.push(younger, edgeVoxel(cx, e));
  }
  return { pairs, key };
}

/**
 * Components: the comparison's edges from the bottom up; each of its sets also records its eldest
 * voxel by each input's values, so that at a merge the younger of those are the births of the two
 * inputs' image bars that die at this edge. Matched when both are births of input bars.
 */
function matchComponents(prediction: CubicalComplex3d, target: CubicalComplex3d, comparison: CubicalComplex3d, mergingEdges: Uint8Array[]): DimensionMatching3d {
  const input0 = inputComponents(prediction, mergingEdges[0] as Uint8Array);
  const input1 = inputComponents(target, mergingEdges[1] as Uint8Array);
  const { key: key0 } = input0;
  const { key: key1 } = input1;
  const rank0 = prediction.rank;
  const rank1 = target.rank;
  const { edges, edgeRank, rank } = comparison;
  const elder0 = new Int32Array(rank.length);
  const elder1 = new Int32Array(rank.length);
  for (let i = 0; i < rank.length; i++) elder0[i] = elder1[i] = i;
  const matches = new MatchBuffer();
  const marks = mergingEdges[2] as Uint8Array;
  const uf = new UnionFind(rank, 'primal');
  for (let k = 0; k < edges.length; k++) {
    const e = edges[k] as number;
    const a = uf.find((e / 3) | 0);
    const b = uf.find(edgeOtherEnd(comparison, e));
    if (a === b) continue;
    const younger = uf.link(a, b);
    marks[e] = 1;
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
 * Betti matching of two 3D images of the same shape through their comparison image (the pointwise
 * minimum of the sublevel values, i.e. the union of the superlevel sets), with the induced
 * matchings of the official 3D algorithm: cavities by union–find on the dual graph, components by
 * union–find, loops by coboundary reductions (persistence and image persistence) cleared by both.
 * A bar of the prediction and a bar of the target are matched when their induced matchings into
 * the comparison image's barcode reach the same bar.
 *
 * @param prediction - Complex of the prediction's sublevel values.
 * @param target - Complex of the target's sublevel values.
 * @param comparison - Complex of their pointwise minimum.
 * @param dimensions - Which dimensions to match.
 */
export function bettiMatching3dPairs(
  prediction: CubicalComplex3d,
  target: CubicalComplex3d,
  comparison: CubicalComplex3d,
  dimensions: readonly number[] = [0, 1, 2],
): Matching3d {
  const complexes = [prediction, target, comparison];
  const loops = dimensions.includes(1);
  // The passes of dimensions 0 and 2 also clear the reductions of dimension 1: with loops asked
  // for, they run whatever the dimensions.
  let closingSquares: Uint8Array[] = [];
  let mergingEdges: Uint8Array[] = [];
  let cavities: DimensionMatching3d | undefined;
  let components: DimensionMatching3d | undefined;
  if (dimensions.includes(2) || loops) {
    closingSquares = complexes.map((cx) => new Uint8Array(cx.squareRank.length));
    cavities = matchCavities(prediction, target, comparison, closingSquares);
  }
  if (dimensions.includes(0) || loops) {
    mergingEdges = complexes.map((cx) => new Uint8Array(cx.edgeRank.length));
    components = matchComponents(prediction, target, comparison, mergingEdges);
  }
  return {
    dims: [
      dimensions.includes(0) ? components : undefined,
      loops ? matchLoops(prediction, target, comparison, mergingEdges, closingSquares) : undefined,
      dimensions.includes(2) ? cavities : undefined,
    ],
  };
}
