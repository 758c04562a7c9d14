import * as tf from '@tensorflow/tfjs-core';
import { fail, formatShape, formatValue } from '../_shared/errors.js';
import { safeNorm } from '../_shared/numerics.js';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import { type TensorInput, toFloat } from '../_shared/to-tensor.js';
import { checkNotEmpty, checkNumber, checkOptions, checkRank, checkSameShape } from '../_shared/validate.js';

const NAME = 'amclLoss';

/** The regulariser Ω of a temperature, given the head's embedding dimension d′. */
export type TemperatureRegularizer = (tau: tf.Tensor, dim: number) => tf.Tensor;

export interface AmclLossOptions extends ReductionOptions {
  /** τ⁺ `[N]` (one head) or `[C, N]`: temperature of each anchor's positive pair. @defaultValue `temperature` */
  temperaturePositive?: TensorInput;
  /** τ⁻ `[N, N]` or `[C, N, N]`: temperature of pair (i, n) (the diagonal is unused). @defaultValue `temperature` */
  temperatureNegative?: TensorInput;
  /** τ > 0 for every pair whose temperature is not given. @defaultValue `1` */
  temperature?: number;
  /** β >= 0: weight of the temperature regulariser. @defaultValue `0.1` */
  beta?: number;
  /** Ω(τ, d′): `'code'` is (d′/2) log τ + 1/τ, the released code's; or your own function. @defaultValue `'code'` */
  omega?: 'code' | TemperatureRegularizer;
  /**
   * `'simclr'` (Eq. 2.1): the hardest of the N − 1 negatives; `'infoNce'` (Eq. 2.4): the hardest of the
   * N candidates including the positive (with its τ⁺), so a positive that is already the most similar
   * costs nothing. @defaultValue `'simclr'`
   */
  variant?: 'simclr' | 'infoNce';
}

const PARAMS: ParamSpecs = {
  temperaturePositive: { kind: 'data', type: 'tensor [N] or [C, N]', doc: 'τ⁺ of each anchor’s positive pair, per head (e.g. from adaptiveTemperatures)' },
  temperatureNegative: { kind: 'data', type: 'tensor [N, N] or [C, N, N]', doc: 'τ⁻ of each pair (i, n), per head (e.g. from adaptiveTemperatures)' },
  temperature: { kind: 'number', default: 1, min: 0, exclusiveMin: true, doc: 'τ for every pair whose temperature is not given' },
  beta: { kind: 'number', default: 0.1, min: 0, doc: 'β: weight of the temperature regulariser Ω' },
  omega: { kind: 'choice', default: 'code', choices: ['code'], allowsFunction: true, doc: "Ω(τ, d′): 'code' = (d′/2) log τ + 1/τ (the released code), or a function" },
  variant: {
    kind: 'choice',
    default: 'simclr',
    choices: ['simclr', 'infoNce'],
    doc: "'simclr' (Eq. 2.1): hardest of the negatives; 'infoNce' (Eq. 2.4): hardest of negatives and positive",
  },
};

/** Views as `[C, N, D]` (a rank-2 view is one head). */
function readViews(fn: string, viewA: TensorInput, viewB: TensorInput): { a: tf.Tensor3D; b: tf.Tensor3D; heads: number; n: number; dim: number; rank: number } {
  const a = toFloat(fn, 'viewA', viewA);
  const b = toFloat(fn, 'viewB', viewB);
  checkRank(fn, 'viewA', a, [2, 3]);
  checkSameShape(fn, 'viewA', a, 'viewB', b);
  checkNotEmpty(fn, 'viewA', a);
  const rank = a.rank;
  const a3 = (rank === 2 ? tf.expandDims(a, 0) : a) as tf.Tensor3D;
  const b3 = (rank === 2 ? tf.expandDims(b, 0) : b) as tf.Tensor3D;
  const [heads, n, dim] = a3.shape;
  return { a: a3, b: b3, heads, n, dim, rank };
}

/** A temperature option as a tensor of `shape` (a rank-`rank − 1` shape when there is one head), or the constant. */
function readTemperature(fn: string, name: string, value: TensorInput | undefined, shape: number[], oneHead: boolean, fallback: number): tf.Tensor {
  if (value === undefined) return tf.fill(shape, fallback);
  const t = toFloat(fn, name, value);
  const wanted = oneHead ? shape.slice(1) : shape;
  if (!tf.util.arraysEqual(t.shape, wanted) && !tf.util.arraysEqual(t.shape, shape)) {
    fail(fn, `\`${name}\``, `have shape ${formatShape(wanted)}${oneHead ? '' : ' (heads first)'}`, `shape ${formatShape(t.shape)}`);
  }
  return tf.reshape(t, shape);
}

/** The released code's regulariser (d′/2) log τ + 1/τ. */
function codeOmega(tau: tf.Tensor, dim: number): tf.Tensor {
  return tf.add(tf.mul(tf.log(tau), dim / 2), tf.reciprocal(tau));
}

/** Rows divided by their norm (at least 1e-12), along the last axis. */
function unit(x: tf.Tensor): tf.Tensor {
  return tf.div(x, tf.maximum(tf.expandDims(safeNorm(x), -1), 1e-12));
}

/**
 * AMCL, adaptive multi-head contrastive learning, in its SimCLR / MoCo form (Eq. 2.1 of the paper's
 * Table 2): C projection heads each compare an anchor with its positive and with its hardest
 * negative, each pair at its own temperature, and a regulariser keeps the temperatures from
 * running off. With cosine similarities s of head c's embeddings z^c (view A) and z^{c+} (view B),
 * per anchor i,
 *
 *     n* = argmax_{n≠i} s(z_i^c, z_n^{c+})
 *     ℓ_i = Σ_c [ −s(z_i^c, z_i^{c+}) / τ_i^{c+} + s(z_i^c, z_{n*}^{c+}) / τ_{in*}^{c−}
 *                 + β Ω(τ_i^{c+}) − β Ω(τ_{in*}^{c−}) ]
 *
 * The hardest negative stands in for the log-sum-exp of InfoNCE; a pair-specific temperature lets
 * heads that see different augmentations weigh similarity differently, and the maximum-likelihood
 * view behind it turns the temperatures into learnable variances, which Ω regularises. Ω is not in
 * the paper's table; the default is the released code's (d′/2) log τ + 1/τ (d′ the head's
 * dimension) with β = 0.1, and `omega` takes any other. `variant: 'infoNce'` (Eq. 2.4) takes the
 * maximum over the positive as well. The temperatures are inputs: compute them with
 * `adaptiveTemperatures` (the code's τ = lo + (hi − lo)·sigmoid(MLP_c([z; z′]))) inside the gradient
 * so the MLPs train; without them every pair uses `temperature`. n* is chosen on the values (no
 * gradient through the choice). The anchors are view A's rows against view B; for SimCLR's
 * symmetric loss add `amclLoss(viewB, viewA, …)` with τ⁻ transposed. With one sample there is no
 * negative and only the positive terms remain. The value can be negative.
 *
 * @param viewA - Embeddings of the first view `[N, D]`, or `[C, N, D]` for C heads.
 * @param viewB - Embeddings of the second view, same shape; row i is anchor i's positive.
 * @returns A scalar, or `[N]` with `reduction: 'none'`.
 *
 * @example
 * amclLoss([[1, 0], [0, 1]], [[0.9, 0.1], [0.2, 0.8]], { temperature: 0.5 }).print();
 *
 * @see L. Wang, P. Koniusz, T. Gedeon, L. Zheng, "Adaptive Multi-head Contrastive Learning",
 *   ECCV 2024, https://arxiv.org/abs/2310.05615 (code: LeiWangR/cl).
 */
function amclLoss_(viewA: TensorInput, viewB: TensorInput, options: AmclLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { temperature = 1, beta = 0.1, omega = 'code', variant = 'simclr' } = options;
  const { a, b, heads, n, dim, rank } = readViews(NAME, viewA, viewB);
  const oneHead = rank === 2;
  const tauPos = readTemperature(NAME, 'temperaturePositive', options.temperaturePositive, [heads, n], oneHead, temperature);
  const tauNeg = readTemperature(NAME, 'temperatureNegative', options.temperatureNegative, [heads, n, n], oneHead, temperature);
  const reg: TemperatureRegularizer = omega === 'code' ? codeOmega : omega;
  const sim = tf.matMul(unit(a), unit(b), false, true); // [C, N, N]
  const eye = tf.eye(n);
  const sPos = tf.sum(tf.mul(sim, eye), -1); // [C, N]
  let perHead = tf.add(tf.neg(tf.div(sPos, tauPos)), tf.mul(reg(tauPos, dim), beta));
  if (n > 1 || variant === 'infoNce') {
    // Candidates: the negatives (the diagonal pushed below every cosine), or with 'infoNce' the positive too.
    const candidates = variant === 'infoNce' ? sim : tf.sub(sim, tf.mul(eye, 4));
    const tauCandidates = variant === 'infoNce' ? tf.add(tf.mul(tauNeg, tf.sub(1, eye)), tf.mul(eye, tf.expandDims(tauPos, -1))) : tauNeg;
    // [C, N, N], a constant selection (tf.oneHot needs a depth of 2 or more).
    const chosen = n === 1 ? tf.onesLike(sim) : tf.oneHot(tf.argMax(candidates, -1), n);
    const sHard = tf.sum(tf.mul(sim, chosen), -1);
    const tauHard = tf.sum(tf.mul(tauCandidates, chosen), -1);
    perHead = tf.add(perHead, tf.sub(tf.div(sHard, tauHard), tf.mul(reg(tauHard, dim), beta)));
  }
  return reduce(NAME, tf.sum(perHead, 0), options);
}

export const amclLoss = /* @__PURE__ */ tf.op({ amclLoss_ });

/** A temperature network: pair features `[M, 2D]` (z and z′ side by side) of head `head` to `[M]` or `[M, 1]` raw outputs. */
export type TemperatureNetwork = (pairs: tf.Tensor2D, head: number) => tf.Tensor;

export interface AdaptiveTemperaturesOptions {
  /** Lower bound of τ. @defaultValue `1e-5` */
  lo?: number;
  /** Upper bound of τ (> lo). @defaultValue `2` */
  hi?: number;
}

/**
 * AMCL's pair-adaptive temperatures: for head c and pair (z, z′), τ = lo + (hi − lo)·sigmoid(g_c([z; z′]))
 * with g_c your network (the released code: one MLP 2d′ → 128 → 1 per head). Returns τ⁺ for the
 * positive pairs (z_i, z′_i) and τ⁻ for every pair (z_i, z′_n), shaped for {@link amclLoss}: `[N]` and
 * `[N, N]` for rank-2 views, `[C, N]` and `[C, N, N]` for `[C, N, D]` views. Call it inside the
 * gradient so the networks train through the loss.
 *
 * @param viewA - `[N, D]` or `[C, N, D]`.
 * @param viewB - Same shape.
 * @param network - `(pairs [M, 2D], head) => [M]` raw scores.
 */
export function adaptiveTemperatures(viewA: TensorInput, viewB: TensorInput, network: TemperatureNetwork, options: AdaptiveTemperaturesOptions = {}): { positive: tf.Tensor; negative: tf.Tensor } {
  const fn = 'adaptiveTemperatures';
  if (typeof network !== 'function') fail(fn, '`network`', 'be a function (pairs [M, 2D], head) => [M] scores', formatValue(network));
  const lo = options.lo === undefined ? 1e-5 : checkNumber(fn, 'lo', options.lo, { min: 0 });
  const hi = options.hi === undefined ? 2 : checkNumber(fn, 'hi', options.hi, { min: lo, exclusiveMin: true });
  return tf.tidy(() => {
    const { a, b, heads, n, dim, rank } = readViews(fn, viewA, viewB);
    const squash = (raw: tf.Tensor, m: number) => {
      if (raw.size !== m) fail(fn, 'the result of `network`', `hold one score per pair (${m})`, `shape ${formatShape(raw.shape)}`);
      return tf.add(lo, tf.mul(tf.sigmoid(tf.reshape(raw, [m])), hi - lo));
    };
    const positive: tf.Tensor[] = [];
    const negative: tf.Tensor[] = [];
    for (let c = 0; c < heads; c++) {
      const za = tf.reshape(tf.slice(a, [c, 0, 0], [1, n, dim]), [n, dim]);
      const zb = tf.reshape(tf.slice(b, [c, 0, 0], [1, n, dim]), [n, dim]);
      positive.push(squash(network(tf.concat([za, zb], 1) as tf.Tensor2D, c), n));
      const all = tf.concat([tf.reshape(tf.tile(tf.expandDims(za, 1), [1, n, 1]), [n * n, dim]), tf.tile(zb, [n, 1])], 1) as tf.Tensor2D;
      negative.push(tf.reshape(squash(network(all, c), n * n), [n, n]));
    }
    return rank === 2 ? { positive: positive[0] as tf.Tensor, negative: negative[0] as tf.Tensor } : { positive: tf.stack(positive), negative: tf.stack(negative) };
  });
}

export const amclLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: 'amclLoss',
  family: 'embedding',
  summary: 'AMCL: multi-head contrastive loss with pair-adaptive temperatures and the hardest negative per head',
  formula: 'ℓ_i = Σ_c [−s_ii/τ⁺ + s_in*/τ⁻ + βΩ(τ⁺) − βΩ(τ⁻)],  n* = argmax_{n≠i} s_in',
  fn: amclLoss,
  target: 'view',
  prediction: 'embedding',
  tasks: ['embedding'],
  params: PARAMS,
  properties: ['scaleInvariant', 'batchCoupled'],
  reference: 'L. Wang, P. Koniusz, T. Gedeon, L. Zheng, "Adaptive Multi-head Contrastive Learning", ECCV 2024, https://arxiv.org/abs/2310.05615',
  seed: 55,
};
