import { fail, formatShape } from '../losses/_shared/errors.js';
import type { ParamSpecs } from '../losses/_shared/spec.js';
import type { TensorInput } from '../losses/_shared/to-tensor.js';
import { checkClassLabels, checkFinite, checkLabelShape, checkMetricOptions, checkNotEmpty, checkSameRows, type NumericArray, readArray } from './_inputs.js';

/**
 * Retrieval metrics of embeddings, as pytorch-metric-learning's `AccuracyCalculator` defines them:
 * each query's references are ranked by distance, nearest first, and the metric asks how many of the
 * first ones share the query's label. Without a reference set the queries are the references, and
 * a query is never its own neighbour. Queries whose label occurs in no reference (besides
 * themselves) have no relevant neighbour and are left out of the average, as in the reference.
 * Computed in float64; ties in distance are ranked by reference index.
 */

export interface RetrievalOptions {
  /**
   * `'euclidean'` on the embeddings as given (the calculator's default, Faiss' L2 search) or
   * `'cosine'` (the rows are normalised first). @defaultValue `'euclidean'`
   */
  distance?: 'euclidean' | 'cosine';
  /** Reference embeddings `[M, D]` to search, instead of the queries themselves. */
  referenceEmbeddings?: TensorInput;
  /** Labels `[M]` of `referenceEmbeddings`. */
  referenceLabels?: TensorInput;
}

export interface RecallAtKOptions extends RetrievalOptions {
  /** How many nearest references are looked at. @defaultValue `1` */
  k?: number;
}

const PARAMS: ParamSpecs = {
  distance: { kind: 'choice', default: 'euclidean', choices: ['euclidean', 'cosine'], doc: 'how references are ranked' },
  referenceEmbeddings: { kind: 'data', type: 'embeddings [M, D]', doc: 'reference set searched instead of the queries' },
  referenceLabels: { kind: 'data', type: 'labels [M]', doc: 'labels of the reference set' },
};

const RECALL_PARAMS: ParamSpecs = {
  ...PARAMS,
  k: { kind: 'number', default: 1, min: 1, integer: true, doc: 'number of nearest references looked at' },
};

interface Ranked {
  /** For each scored query, the labels of its references, nearest first, and its number of relevant ones. */
  rows: { labels: Float64Array; relevant: number; label: number }[];
}

function readEmbeddingMatrix(fn: string, name: string, x: TensorInput): NumericArray {
  const e = readArray(fn, name, x);
  if (e.shape.length !== 2) fail(fn, `\`${name}\``, 'have shape [N,D]', `shape ${formatShape(e.shape)}`);
  checkNotEmpty(fn, name, e);
  checkFinite(fn, name, e.values);
  return e;
}

function readLabels(fn: string, name: string, y: TensorInput): NumericArray {
  const t = readArray(fn, name, y);
  checkLabelShape(fn, name, t);
  checkClassLabels(fn, name, t.values);
  return t;
}

/** Unit rows (zero rows stay zero). */
function normalized(values: Float64Array, n: number, d: number): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += (values[i * d + k] as number) ** 2;
    const norm = Math.sqrt(s) || 1;
    for (let k = 0; k < d; k++) out[i * d + k] = (values[i * d + k] as number) / norm;
  }
  return out;
}

/** Reads the inputs and ranks every reference for every query that has a relevant reference. */
function rankReferences(fn: string, labels: TensorInput, embeddings: TensorInput, options: RetrievalOptions): Ranked {
  const { distance = 'euclidean', referenceEmbeddings, referenceLabels } = options;
  const qLabels = readLabels(fn, 'labels', labels);
  const q = readEmbeddingMatrix(fn, 'embeddings', embeddings);
  checkSameRows(fn, 'labels', qLabels, 'embeddings', q);
  const separate = referenceEmbeddings !== undefined || referenceLabels !== undefined;
  if (separate && (referenceEmbeddings === undefined || referenceLabels === undefined)) {
    fail(fn, '`referenceEmbeddings` and `referenceLabels`', 'be given together', referenceEmbeddings === undefined ? 'only `referenceLabels`' : 'only `referenceEmbeddings`');
  }
  const rLabels = separate ? readLabels(fn, 'referenceLabels', referenceLabels as TensorInput) : qLabels;
  const r = separate ? readEmbeddingMatrix(fn, 'referenceEmbeddings', referenceEmbeddings as TensorInput) : q;
  if (separate) {
    checkSameRows(fn, 'referenceLabels', rLabels, 'referenceEmbeddings', r);
    if (r.shape[1] !== q.shape[1]) {
      fail(fn, '`embeddings` and `referenceEmbeddings`', 'have the same number of columns', `${formatShape(q.shape)} and ${formatShape(r.shape)}`);
    }
  }
  const [n, d] = q.shape as [number, number];
  const m = r.shape[0] as number;
  const cosine = distance === 'cosine';
  const qv = cosine ? normalized(q.values, n, d) : q.values;
  const rv = separate ? (cosine ? normalized(r.values, m, d) : r.values) : qv;

  const counts = new Map<number, number>();
  for (const y of rLabels.values) counts.set(y, (counts.get(y) ?? 0) + 1);
  const rows: Ranked['rows'] = [];
  const dist = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    const label = qLabels.values[i] as number;
    const relevant = (counts.get(label) ?? 0) - (separate ? 0 : 1);
    if (relevant <= 0) continue;
    const order: number[] = [];
    for (let j = 0; j < m; j++) {
      if (!separate && j === i) continue;
      let s = 0;
      for (let k = 0; k < d; k++) {
        const a = qv[i * d + k] as number;
        const b = rv[j * d + k] as number;
        s += cosine ? -a * b : (a - b) * (a - b);
      }
      dist[j] = s;
      order.push(j);
    }
    order.sort((u, v) => (dist[u] as number) - (dist[v] as number) || u - v);
    rows.push({ labels: Float64Array.from(order, (j) => rLabels.values[j] as number), relevant, label });
  }
  if (rows.length === 0) {
    fail(fn, 'some query label', `occur among the ${separate ? 'reference labels' : 'other samples'} (no query has a relevant neighbour)`, `labels ${formatShape(qLabels.shape)} with no shared label`);
  }
  return { rows };
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function readOptions(fn: string, params: ParamSpecs, options: RetrievalOptions | RecallAtKOptions): void {
  const { referenceEmbeddings: _e, referenceLabels: _l, ...rest } = (options ?? {}) as RecallAtKOptions;
  checkMetricOptions(fn, params, options === undefined || options === null || typeof options !== 'object' ? options : rest);
}

/**
 * Precision at 1: the fraction of queries whose nearest reference shares their label.
 *
 *     P@1 = mean_q [label(nn_1(q)) = label(q)]
 *
 * @param labels - Integer class labels `[N]` of the queries.
 * @param embeddings - Query embeddings `[N, D]`.
 * @returns A number in [0, 1].
 *
 * @example
 * metrics.precisionAt1([0, 0, 1, 1], [[0, 0], [0, 1], [5, 5], [0, 2]]); // 0.75
 */
export function precisionAt1(labels: TensorInput, embeddings: TensorInput, options: RetrievalOptions = {}): number {
  readOptions('precisionAt1', PARAMS, options);
  const { rows } = rankReferences('precisionAt1', labels, embeddings, options);
  return mean(rows.map((row) => (row.labels[0] === row.label ? 1 : 0)));
}

/**
 * Recall at k, as deep metric learning reports it: the fraction of queries with at least one
 * reference of their label among the k nearest. With k = 1 it equals {@link precisionAt1}.
 *
 *     R@k = mean_q [∃ i <= k : label(nn_i(q)) = label(q)]
 *
 * @param labels - Integer class labels `[N]` of the queries.
 * @param embeddings - Query embeddings `[N, D]`.
 * @returns A number in [0, 1].
 *
 * @example
 * metrics.recallAtK([0, 0, 1, 1], [[0, 0], [0, 1], [5, 5], [0, 2]], { k: 3 }); // 1
 */
export function recallAtK(labels: TensorInput, embeddings: TensorInput, options: RecallAtKOptions = {}): number {
  readOptions('recallAtK', RECALL_PARAMS, options);
  const { k = 1 } = options;
  const { rows } = rankReferences('recallAtK', labels, embeddings, options);
  return mean(rows.map((row) => (row.labels.subarray(0, k).includes(row.label) ? 1 : 0)));
}

/**
 * R-precision: with R the number of references sharing the query's label (itself excluded), the
 * fraction of the R nearest references that share it.
 *
 *     RP = mean_q (1/R_q) Σ_{i<=R_q} [label(nn_i(q)) = label(q)]
 *
 * @param labels - Integer class labels `[N]` of the queries.
 * @param embeddings - Query embeddings `[N, D]`.
 * @returns A number in [0, 1].
 *
 * @example
 * metrics.rPrecision([0], [[0]], { referenceEmbeddings: [[1], [2], [3], [4]], referenceLabels: [0, 1, 0, 0] }); // 2/3
 */
export function rPrecision(labels: TensorInput, embeddings: TensorInput, options: RetrievalOptions = {}): number {
  readOptions('rPrecision', PARAMS, options);
  const { rows } = rankReferences('rPrecision', labels, embeddings, options);
  return mean(
    rows.map((row) => {
      let hits = 0;
      for (let i = 0; i < row.relevant; i++) if (row.labels[i] === row.label) hits++;
      return hits / row.relevant;
    }),
  );
}

/**
 * Mean average precision at R (Musgrave et al.): average precision over the R nearest references
 * only, divided by R rather than by the number of hits, so it rewards ranking every relevant
 * reference first.
 *
 *     MAP@R = mean_q (1/R_q) Σ_{i<=R_q} P_q(i) [label(nn_i(q)) = label(q)]        P_q(i) = precision of the first i
 *
 * @param labels - Integer class labels `[N]` of the queries.
 * @param embeddings - Query embeddings `[N, D]`.
 * @returns A number in [0, 1].
 *
 * @example
 * metrics.mapAtR([0], [[0]], { referenceEmbeddings: [[1], [2], [3], [4]], referenceLabels: [0, 1, 0, 0] }); // (1 + 2/3) / 3
 *
 * @see K. Musgrave, S. Belongie, S.-N. Lim, "A Metric Learning Reality Check", ECCV 2020,
 *   https://arxiv.org/abs/2003.08505
 */
export function mapAtR(labels: TensorInput, embeddings: TensorInput, options: RetrievalOptions = {}): number {
  readOptions('mapAtR', PARAMS, options);
  const { rows } = rankReferences('mapAtR', labels, embeddings, options);
  return mean(
    rows.map((row) => {
      let hits = 0;
      let sum = 0;
      for (let i = 0; i < row.relevant; i++) {
        if (row.labels[i] !== row.label) continue;
        hits++;
        sum += hits / (i + 1);
      }
      return sum / row.relevant;
    }),
  );
}
