import { fail, formatShape } from '../losses/_shared/errors.js';
import type { ParamSpecs } from '../losses/_shared/spec.js';
import type { TensorInput } from '../losses/_shared/to-tensor.js';
import { checkFinite, checkMetricOptions, checkNotEmpty, readArray } from './_inputs.js';

export interface UtilizationOptions {
  /** L2-normalise every embedding first (zero rows stay zero). @defaultValue `true` */
  normalize?: boolean;
}

const PARAMS: ParamSpecs = {
  normalize: { kind: 'boolean', default: true, doc: 'L2-normalise the embeddings first' },
};

/** Rows of an `[N, D]` array, normalised when asked. */
function readRows(fn: string, name: string, x: TensorInput, normalize: boolean): { rows: Float64Array[]; dim: number } {
  const a = readArray(fn, name, x);
  if (a.shape.length !== 2) fail(fn, `\`${name}\``, 'have shape [N,D]', `shape ${formatShape(a.shape)}`);
  checkNotEmpty(fn, name, a);
  checkFinite(fn, name, a.values);
  const [n, dim] = a.shape as [number, number];
  const rows = Array.from({ length: n }, (_, i) => {
    const row = a.values.slice(i * dim, (i + 1) * dim);
    if (!normalize) return row;
    const norm = Math.sqrt(row.reduce((s, v) => s + v * v, 0));
    return norm > 0 ? row.map((v) => v / norm) : row;
  });
  return { rows, dim };
}

/**
 * Utilization of the embedding space (Metrix): the mean squared distance from each query embedding
 * to its nearest training embedding,
 *
 *     u(Q) = (1/|Q|) Σ_{q∈Q} min_{x∈X} ‖f(q) − f(x)‖²
 *
 * on L2-normalised embeddings (so u lies in [0, 4]). Lower means the test queries (typically of
 * unseen classes) fall where training put embeddings, i.e. training used more of the space; Metrix
 * reports that mixup lowers it. The definition follows the Metrix paper as far as it could be
 * checked; whether it normalises or squares the distance is not certain, so `normalize` can be
 * turned off. Computed in float64 with a brute-force nearest-neighbour search, O(|Q|·|X|·D).
 *
 * @param queries - Query (test) embeddings `[Q, D]`.
 * @param references - Training embeddings `[X, D]`.
 * @returns A number >= 0.
 *
 * @example
 * metrics.utilization([[1, 0]], [[0, 1], [0.6, 0.8]]); // 0.8 (‖(1,0) − (0.6,0.8)‖²)
 *
 * @see S. Venkataramanan, B. Psomas, E. Kijak, L. Amsaleg, K. Karantzalos, Y. Avrithis, "It Takes Two
 *   to Tango: Mixup for Deep Metric Learning", ICLR 2022, https://arxiv.org/abs/2106.04990.
 */
export function utilization(queries: TensorInput, references: TensorInput, options: UtilizationOptions = {}): number {
  const fn = 'utilization';
  checkMetricOptions(fn, PARAMS, options);
  const normalize = options.normalize ?? true;
  const q = readRows(fn, 'queries', queries, normalize);
  const x = readRows(fn, 'references', references, normalize);
  if (q.dim !== x.dim) fail(fn, '`queries` and `references`', 'have the same number of columns', `${q.dim} and ${x.dim}`);
  let total = 0;
  for (const a of q.rows) {
    let best = Number.POSITIVE_INFINITY;
    for (const b of x.rows) {
      let d = 0;
      for (let k = 0; k < q.dim; k++) d += ((a[k] as number) - (b[k] as number)) ** 2;
      if (d < best) best = d;
    }
    total += best;
  }
  return total / q.rows.length;
}
