import * as tf from '@tensorflow/tfjs-core';
import { fail, formatShape, formatValue } from '../_shared/errors.js';
import { reduce } from '../_shared/reduction.js';
import { gatherFlat } from '../_shared/segments.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import { type TensorInput, toFloat } from '../_shared/to-tensor.js';
import { checkOptions, checkRank } from '../_shared/validate.js';
import { readIntegerLabels } from './few-shot.js';
import { readEmbeddings } from './labels.js';
import { epsilonDistances } from './protoTripletLoss.js';
import { sampleWeights } from './reduction.js';

const NAME = 'icnnLoss';

export interface IcnnScoreOptions {
  /** k >= 1: neighbours that enter the terms (clamped to |T| − 2 on small targets). @defaultValue `4` */
  k?: number;
  /** Neighbours retrieved per origin point (>= k); the `'full'` variant uses shot + query. @defaultValue `k + 1` */
  ipc?: number;
  /** The neighbours' set T `[T, D]` (support embeddings or prototypes). @defaultValue the embeddings themselves */
  target?: TensorInput;
  /** Integer labels `[T]` of `target`; required with it. */
  targetLabels?: TensorInput;
  /**
   * Drop the nearest neighbour also when `target` is given, as the authors' code does (it always
   * discards the first neighbour, which is the point itself only when T is the origin set).
   * @defaultValue `false`
   */
  codeCompat?: boolean;
  /** Per-sample weights `[N]` of the origin points: each counts w_i times in the means. @defaultValue all ones */
  weights?: TensorInput;
}

export interface IcnnLossOptions extends IcnnScoreOptions {
  /** `'mean'` and `'sum'` return the batch's value, `'none'` the same as `[1]`. @defaultValue `'mean'` */
  reduction?: 'mean' | 'sum' | 'none';
}

const PARAMS: ParamSpecs = {
  k: { kind: 'number', default: 4, integer: true, min: 1, doc: 'k: neighbours entering the terms (clamped to |T| − 2)' },
  ipc: { kind: 'data', type: 'integer >= k', default: null, doc: "neighbours retrieved per point; default k + 1 ('full' variant: shot + query)" },
  target: { kind: 'data', type: 'matrix [T, D]', doc: 'neighbour set T (support or prototypes); default the embeddings themselves' },
  targetLabels: { kind: 'data', type: 'integer labels [T]', doc: 'labels of target; required with it' },
  codeCompat: { kind: 'boolean', default: false, doc: "drop the nearest neighbour also when target is given, as the authors' code does" },
};

/** Stands in for +∞ where a minimum must skip an entry. */
const EXCLUDED = 1e30;
/** The code's ε in the two normalising denominators. */
const EPS = 1e-7;

/** Weighted mean Σ w v / Σ w m over the rows with m = 1 (constant 0/1), or `empty` when there are none. */
function maskedMean(v: tf.Tensor, w: tf.Tensor, rows: Float32Array, empty: number): tf.Tensor {
  const mask = tf.mul(w, tf.tensor1d(rows));
  const den = tf.sum(mask);
  const hasAny = tf.sign(den);
  // den where > 0, else 1 (sign keeps the comparison off the gradient path).
  return tf.add(tf.div(tf.sum(tf.mul(v, mask)), tf.add(den, tf.sub(1, hasAny))), tf.mul(tf.sub(1, hasAny), empty));
}

/** The ICNN score of a batch, a scalar in (0, 1]. */
function icnnScoreValue(fn: string, labels: TensorInput, embeddings: TensorInput, options: IcnnScoreOptions): tf.Tensor {
  const { k = 4, codeCompat = false } = options;
  const { embeddings: x } = readEmbeddings(fn, labels, embeddings);
  const y = readIntegerLabels(fn, 'labels', labels);
  const m = x.shape[0];
  let t: tf.Tensor2D = x;
  let yT = y;
  const selfTarget = options.target === undefined;
  if (options.target === undefined) {
    if (options.targetLabels !== undefined) fail(fn, '`targetLabels`', 'come with `target`', 'targetLabels without target');
  } else {
    if (options.targetLabels === undefined) fail(fn, '`targetLabels`', 'be given with `target`', 'undefined');
    t = toFloat(fn, 'target', options.target) as tf.Tensor2D;
    checkRank(fn, 'target', t, [2]);
    if (t.shape[1] !== x.shape[1]) fail(fn, '`target`', `have ${x.shape[1]} columns, as the embeddings`, `shape ${formatShape(t.shape)}`);
    yT = readIntegerLabels(fn, 'targetLabels', options.targetLabels);
    if (yT.length !== t.shape[0]) fail(fn, '`targetLabels` and `target`', 'have the same number of rows', `[${yT.length}] and ${formatShape(t.shape)}`);
  }
  const size = t.shape[0];
  const drop = selfTarget || codeCompat ? 1 : 0;
  if (size < 2) fail(fn, selfTarget ? '`embeddings`' : '`target`', 'have at least 2 rows (neighbours)', `shape ${formatShape(t.shape)}`);
  const clamped = k + 2 >= size;
  const kk = clamped ? size - 2 : k;
  const ipc = options.ipc === undefined ? kk + 1 : (options.ipc as number);
  if (!Number.isInteger(ipc) || ipc < kk || ipc < 1 || ipc + drop > size) {
    fail(fn, '`ipc`', `be an integer >= k (${kk}) and <= ${size - drop} (the neighbours available)`, formatValue(ipc));
  }
  const w = sampleWeights(fn, m, options.weights);
  if (kk === 0) return tf.add(1, tf.mul(tf.sum(x), 0)); // two target rows: every term is perfect

  // Neighbours: sorted by distance (ties by index) on the values, then gathered with their gradient.
  const d = epsilonDistances(x, t, 1e-6);
  const dv = d.dataSync();
  const flat = new Int32Array(m * ipc);
  const same = new Float32Array(m * ipc);
  for (let i = 0; i < m; i++) {
    let order = Array.from({ length: size }, (_, j) => j).sort((a, b) => (dv[i * size + a] as number) - (dv[i * size + b] as number) || a - b);
    if (codeCompat) order = order.slice(1);
    else if (selfTarget) order = order.filter((j) => j !== i);
    for (let r = 0; r < ipc; r++) {
      const j = order[r] as number;
      flat[i * ipc + r] = i * size + j;
      same[i * ipc + r] = yT[j] === y[i] ? 1 : 0;
    }
  }
  const dn = tf.reshape(gatherFlat(tf.reshape(d, [m * size]) as tf.Tensor1D, flat), [m, ipc]);
  const sc = tf.tensor2d(same, [m, ipc]);
  const dc = tf.sub(1, sc);
  const hasDc = new Float32Array(m);
  const scCount = new Float32Array(m);
  const dcCount = new Float32Array(m);
  for (let i = 0; i < m; i++) {
    for (let r = 0; r < ipc; r++) {
      if (same[i * ipc + r] === 0) hasDc[i] = 1;
      if (r < kk) {
        scCount[i] = (scCount[i] as number) + (same[i * ipc + r] as number);
        dcCount[i] = (dcCount[i] as number) + 1 - (same[i * ipc + r] as number);
      }
    }
  }
  const first = (a: tf.Tensor) => tf.slice(a, [0, 0], [m, kk]);
  const perRow = (a: Float32Array) => tf.tensor1d(a.map((v) => Math.max(v, 1)));

  // Intra-class term: first-k distances over the nearest other-class distance, each row scaled to max 1.
  const has = tf.tensor1d(hasDc);
  const nearestOther = tf.add(tf.mul(tf.min(tf.add(dn, tf.mul(sc, EXCLUDED)), 1), has), tf.sub(1, has));
  const ratio = tf.mul(first(dn), tf.expandDims(tf.div(has, tf.add(nearestOther, EPS)), 1));
  const nd = tf.div(ratio, tf.maximum(tf.max(ratio, 1, true), 1));
  const a = tf.div(tf.sum(tf.mul(nd, first(sc)), 1), perRow(scCount));
  const sclamb = tf.sub(1, maskedMean(a, w, scCount.map(Math.sign), 0));

  // Inter-class term: first-k other-class distances over their largest value in the batch.
  const otherDistances = tf.mul(first(dn), first(dc));
  const scaled = tf.div(otherDistances, tf.add(tf.max(otherDistances), EPS));
  const b = tf.div(tf.sum(scaled, 1), perRow(dcCount));
  const dclamb = maskedMean(b, w, dcCount.map(Math.sign), 1);

  const gamma = clamped ? tf.scalar(1) : tf.div(tf.sum(tf.mul(w, tf.tensor1d(scCount))), tf.mul(tf.sum(w), kk));
  return tf.div(tf.add(tf.div(tf.add(sclamb, dclamb), 2), gamma), 2);
}

function icnnScore_(labels: TensorInput, embeddings: TensorInput, options: IcnnScoreOptions = {}): tf.Tensor {
  const fn = 'icnnScore';
  checkOptions(fn, PARAMS, options);
  if ((options as { reduction?: unknown }).reduction !== undefined) fail(fn, 'each option', `be one of ${Object.keys(PARAMS).join(', ')}, weights`, '`reduction`');
  return icnnScoreValue(fn, labels, embeddings, options);
}

/**
 * The ICNN score of a labelled set of embeddings, in (0, 1]: how well its nearest neighbours
 * respect the classes (see {@link icnnLoss}, which is −log of it).
 *
 * @param labels - Integer class labels `[N]`.
 * @param embeddings - Embeddings `[N, D]`.
 * @returns A scalar.
 */
export const icnnScore = /* @__PURE__ */ tf.op({ icnnScore_ });

/**
 * ICNN loss (intra-class and inter-class nearest neighbours score, the "SuSana distancia" paper):
 * −log of a score in (0, 1] that is 1 when every point's k nearest neighbours share its class and the
 * other classes are far. For the origin points X (labels y) and their neighbours in T (default X,
 * the point itself excluded), with Dn_ij the distance √(‖·‖² + 1e-6) to the j-th nearest neighbour
 * (j <= ipc), sc_ij = 1 when it has the point's class and dc_ij = 1 − sc_ij (as the authors' code,
 * `modified_score`):
 *
 *     nn_i   = min_j {Dn_ij : dc_ij = 1}                            (∞ without one)
 *     nd_ij  = Dn_ij / (nn_i + 1e-7), j <= k,  then nd_i ← nd_i / max(1, max_j nd_ij)
 *     λ_sc   = 1 − mean_{i: Σsc>0} mean_{j<=k, sc=1} nd_ij          (1 without same-class neighbours)
 *     λ_dc   = mean_{i: Σdc>0} mean_{j<=k, dc=1} Dn_ij / (max_{i,j<=k, dc=1} Dn_ij + 1e-7)  (1 without any)
 *     γ      = mean_i Σ_{j<=k} sc_ij / k                            (1 when k was clamped)
 *     score  = ((λ_sc + λ_dc)/2 + γ)/2          ℓ = −log score
 *
 * k is clamped to |T| − 2 when k + 2 >= |T|. The same-class neighbours are scored relative to the
 * nearest intruder and the intruders relative to the farthest one, so the loss pulls classes tight
 * and pushes intruders out, without a margin to tune. The paper's variants pass different sets:
 * `'supp'` the support set alone, `'query'` the queries with `target` the support (or the
 * prototypes), `'full'` support and queries together with `ipc: shot + query`; it trains with their
 * average with the ProtoNet cross-entropy. Neighbours are chosen on the values (a selection, no
 * gradient); the gradient flows through the selected distances. With `target`, no neighbour is
 * dropped; the authors' code drops the nearest one anyway (with prototypes as target, the nearest
 * prototype), which `codeCompat: true` reproduces. The code's 1e-7 added to the counts it divides
 * by is left out (a relative 1e-7). `weights` make point i count w_i times in the means over i.
 *
 * The score couples the whole batch: `'mean'` and `'sum'` return the value as a scalar, `'none'` as
 * shape `[1]`.
 *
 * @param labels - Integer class labels `[N]` of the origin points.
 * @param embeddings - Origin embeddings `[N, D]`.
 * @returns A scalar, or `[1]` with `reduction: 'none'`.
 *
 * @example
 * icnnLoss([0, 0, 1, 1], [[0, 0], [0, 1], [5, 5], [5, 6]], { k: 1 }).print(); // 0.037909
 *
 * @see M. Mendez-Ruiz et al., "SuSana Distancia is all you need: Enforcing class separability in
 *   metric learning via two novel distance-based loss functions for few-shot image
 *   classification", 2023, https://arxiv.org/abs/2305.09062.
 */
function icnnLoss_(labels: TensorInput, embeddings: TensorInput, options: IcnnLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { reduction, ...scoreOptions } = options;
  const value = tf.reshape(tf.neg(tf.log(icnnScoreValue(NAME, labels, embeddings, scoreOptions))), [1]);
  return reduce(NAME, value, reduction === undefined ? {} : { reduction });
}

export const icnnLoss = /* @__PURE__ */ tf.op({ icnnLoss_ });

export const icnnLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: 'icnnLoss',
  family: 'embedding',
  summary: 'ICNN: −log of a nearest-neighbour score of class separability (intra-class closeness, inter-class distance, neighbour purity)',
  formula: 'ℓ = −log(((λ_sc + λ_dc)/2 + γ)/2)',
  fn: icnnLoss,
  target: 'embeddingLabels',
  prediction: 'embedding',
  tasks: ['embedding'],
  params: PARAMS,
  properties: ['nonNegative', 'batchCoupled'],
  reference:
    'M. Mendez-Ruiz et al., "SuSana Distancia is all you need: Enforcing class separability in metric learning via two novel distance-based loss functions for few-shot image classification", 2023, https://arxiv.org/abs/2305.09062',
  seed: 3,
};
