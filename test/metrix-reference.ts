/**
 * Float64 references for the Metrix losses' tests, written from the paper's generalised formulas
 * and sharing nothing with the library.
 */

export const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * (b[i] as number), 0);
export const unit = (a: number[]) => a.map((v) => v / Math.max(Math.sqrt(dot(a, a)), 1e-12));

/** Mixtures (anchor, first, second) of a batch: positive × negative for anchors with positives, anchor × negative otherwise. */
export function mixtures(labels: number[], pairing: 'both' | 'posneg' | 'anchorneg' = 'both', positives: 'all' | 'first' = 'all'): [number, number, number][] {
  const out: [number, number, number][] = [];
  labels.forEach((ya, a) => {
    const pos = labels.flatMap((y, j) => (j !== a && y === ya ? [j] : []));
    const neg = labels.flatMap((y, j) => (y !== ya ? [j] : []));
    if (pos.length > 0 && pairing !== 'anchorneg') {
      for (const p of pos) for (const n of neg) out.push([a, positives === 'first' ? (pos[0] as number) : p, n]);
    } else if (pos.length === 0 && pairing !== 'posneg') {
      for (const n of neg) out.push([a, a, n]);
    }
  });
  return out;
}

export type Distance = 'euclidean' | 'squaredEuclidean' | 'cosine' | 'dot';

/** Distance (or similarity) of two rows, normalised first when asked (cosine always). */
export function compare(a: number[], b: number[], distance: Distance, normalize: boolean): number {
  const [u, v] = normalize || distance === 'cosine' ? [unit(a), unit(b)] : [a, b];
  if (distance === 'cosine' || distance === 'dot') return dot(u, v);
  const sq = u.reduce((s, x, i) => s + (x - (v[i] as number)) ** 2, 0);
  return distance === 'euclidean' ? Math.sqrt(sq) : sq;
}

export const mix = (x: number[][], i: number, j: number, lambda: number) => (x[i] as number[]).map((v, d) => lambda * v + (1 - lambda) * ((x[j] as number[])[d] as number));

export const isSimilarity = (d: Distance) => d === 'cosine' || d === 'dot';

/** log(1 + Σ_k w_k e^(z_k)) over the entries with w_k > 0, in float64. */
export function log1pSumExp(z: number[], w: number[]): number {
  const kept = z.filter((_, k) => (w[k] as number) > 0);
  const m = Math.max(0, ...kept);
  return m + Math.log(Math.exp(-m) + z.reduce((s, v, k) => s + ((w[k] as number) > 0 ? (w[k] as number) * Math.exp(v - m) : 0), 0));
}

export const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
export const chunk = (flat: number[], d: number) => Array.from({ length: flat.length / d }, (_, i) => flat.slice(i * d, (i + 1) * d));
