// Float64 building blocks for the embedding-loss references, written from pytorch-metric-learning's
// definitions with plain loops. They share nothing with src/losses/embedding.

export type RefDistance = 'euclidean' | 'squaredEuclidean' | 'cosine' | 'dot';

/** Rows over max(‖row‖, 1e-12), as torch.nn.functional.normalize. */
export function refNormalize(rows: number[][]): number[][] {
  return rows.map((r) => {
    const norm = Math.sqrt(r.reduce((s, v) => s + v * v, 0));
    return r.map((v) => v / Math.max(norm, 1e-12));
  });
}

export const refIsSimilarity = (d: RefDistance) => d === 'cosine' || d === 'dot';

/** d(a, b) from the difference (LpDistance) or the dot product (DotProductSimilarity). */
export function refPairDistance(distance: RefDistance, a: number[], b: number[]): number {
  if (refIsSimilarity(distance)) return a.reduce((s, v, k) => s + v * (b[k] as number), 0);
  const sq = a.reduce((s, v, k) => s + (v - (b[k] as number)) ** 2, 0);
  return distance === 'euclidean' ? Math.sqrt(sq) : sq;
}

/** The full matrix mat[i][j] of a batch, after normalising unless told not to. */
export function refMatrix(embeddings: number[][], distance: RefDistance, normalize = true): number[][] {
  const x = normalize || distance === 'cosine' ? refNormalize(embeddings) : embeddings;
  return x.map((a) => x.map((b) => refPairDistance(distance, a, b)));
}

/** pytorch-metric-learning's `distance.margin(x, y)`: x − y for distances, y − x for similarities. */
export const refMargin = (distance: RefDistance, x: number, y: number) => (refIsSimilarity(distance) ? y - x : x - y);

export interface RefPairs {
  a1: number[];
  p: number[];
  a2: number[];
  n: number[];
}

/** get_all_pairs_indices: positives share the label (or `same` says so), i ≠ j; the rest are negatives. */
export function refAllPairs(labels: number[], same: (i: number, j: number) => boolean = (i, j) => labels[i] === labels[j]): RefPairs {
  const out: RefPairs = { a1: [], p: [], a2: [], n: [] };
  for (let i = 0; i < labels.length; i++) {
    for (let j = 0; j < labels.length; j++) {
      if (i === j) continue;
      if (same(i, j)) {
        out.a1.push(i);
        out.p.push(j);
      } else {
        out.a2.push(i);
        out.n.push(j);
      }
    }
  }
  return out;
}

export const refSum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
/** MeanReducer: mean of the list, 0 when empty. */
export const refMean = (xs: number[]) => (xs.length === 0 ? 0 : refSum(xs) / xs.length);
/** AvgNonZeroReducer: mean of the entries > 0, 0 when none. */
export const refMeanNonZero = (xs: number[]) => refMean(xs.filter((v) => v > 0));
export const refSoftplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
export function refLogSumExp(xs: number[]): number {
  const m = Math.max(...xs);
  return m + Math.log(refSum(xs.map((v) => Math.exp(v - m))));
}

/** Per-anchor sums of tuple losses: the 'none' rows of the pair and triplet losses. */
export function refPerAnchor(n: number, anchors: number[], losses: number[]): number[] {
  const out = new Array<number>(n).fill(0);
  anchors.forEach((a, k) => {
    out[a] = (out[a] as number) + (losses[k] as number);
  });
  return out;
}

/** Flat [n·d] values to rows. */
export function refRows(flatValues: number[], d: number): number[][] {
  return Array.from({ length: flatValues.length / d }, (_, i) => flatValues.slice(i * d, (i + 1) * d));
}

/** Cosine of each embedding with each column of a [D, C] class matrix, [N][C]. */
export function refClassCosines(embeddings: number[][], matrix: number[][]): number[][] {
  const x = refNormalize(embeddings);
  const c = matrix[0]!.length;
  const columns = refNormalize(Array.from({ length: c }, (_, j) => matrix.map((row) => row[j]!)));
  return x.map((e) => columns.map((w) => e.reduce((s, v, k) => s + v * w[k]!, 0)));
}

/** −log softmax(logits)_y in float64. */
export function refCrossEntropy(logits: number[], y: number): number {
  return refLogSumExp(logits) - logits[y]!;
}
