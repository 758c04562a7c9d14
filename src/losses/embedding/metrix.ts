import * as tf from '@tensorflow/tfjs-core';
import { fail, formatValue } from '../_shared/errors.js';
import { checkSeed, seededUniform, standardNormals, type Uniform } from '../_shared/random.js';
import { gatherFlat } from '../_shared/segments.js';
import type { ParamSpecs } from '../_shared/spec.js';
import { type TensorInput, toTensor } from '../_shared/to-tensor.js';
import { checkOptionKeys } from '../_shared/option-keys.js';
import { checkNumber } from '../_shared/validate.js';
import { type DistanceName, safeSqrt } from './distances.js';
import { type LabelSimilarity, readEmbeddingBatch } from './labels.js';
import { pairSource } from './pairs.js';

/*
 * Metrix (mixup for deep metric learning): mixed embeddings x̃ = λ x_i + (1 − λ) x_j with a mixed
 * positivity towards an anchor, y = λ·[x_i positive] + (1 − λ)·[x_j positive], and the Gram-matrix
 * arithmetic that gives an anchor's similarity to a mixture without building it.
 */

/**
 * Which mixtures are made. `'posneg'`: for each anchor with positives, each of its positives with
 * each of its negatives; `'anchorneg'`: for each anchor without positives, the anchor itself with each
 * of its negatives; `'both'`: each anchor gets the first kind if it has positives, else the second;
 * `'random'`: one of the first two for the whole batch, by a fair coin (the reference code's
 * per-iteration choice).
 */
export type MetrixPairing = 'posneg' | 'anchorneg' | 'both' | 'random';

/**
 * Which positive a `'posneg'` mixture uses: `'all'` each positive in turn; `'first'` the anchor's
 * first positive, once per positive pair (the reference code: same number of mixtures, one positive).
 */
export type MetrixPositives = 'all' | 'first';

/** The options every Metrix loss and `mixEmbeddings` share. */
export interface MetrixMixOptions {
  /** Which mixtures are made. @defaultValue `'both'` */
  pairs?: MetrixPairing;
  /** Which positive a positive–negative mixture uses. @defaultValue `'all'` */
  positives?: MetrixPositives;
  /** λ in [0, 1], fixed; without it λ ~ Beta(α, α) is drawn once per call. */
  lambda?: number;
  /** Seed (integer in [0, 2^32 − 1]) of λ (and of the `'random'` coin); without it each call continues one module-wide stream. */
  seed?: number;
  /** Which pairs are positives, for label rows such as multi-hot labels. @defaultValue equal integer labels */
  labelSimilarity?: LabelSimilarity;
}

/** Mixed pairs of a batch: anchor, the two mixed rows, by index; the mixture is λ x[first] + (1 − λ) x[second]. */
export interface MixedPairs {
  /** The anchor of each mixture. */
  anchors: Int32Array;
  /** Mixed with weight λ: a positive of the anchor (`'posneg'`) or the anchor itself (`'anchorneg'`). */
  first: Int32Array;
  /** Mixed with weight 1 − λ: a negative of the anchor. */
  second: Int32Array;
  /** The pairing made (`'random'` resolved). */
  pairing: Exclude<MetrixPairing, 'random'>;
}

export const METRIX_PARAMS: ParamSpecs = {
  mixWeight: { kind: 'number', default: 0.4, min: 0, doc: 'w: weight of the mixed term (the reference: 0.4; 0.3 in its anchor–negative embedding branch)' },
  mixAlpha: { kind: 'number', default: 2, min: 0, exclusiveMin: true, doc: 'α of λ ~ Beta(α, α) (the reference: 2)' },
  lambda: { kind: 'data', type: 'number in [0, 1]', default: null, doc: 'fixed λ instead of a Beta draw' },
  seed: { kind: 'data', type: 'integer in [0, 4294967295]', default: null, doc: 'seed of λ and of the random pairing; without it each call draws anew' },
  pairs: {
    kind: 'choice',
    default: 'both',
    choices: ['both', 'posneg', 'anchorneg', 'random'],
    doc: "mixtures: 'posneg' (positive with negative, anchors with positives), 'anchorneg' (anchor with negative, anchors without), 'both', 'random' (one of the two per call, as the reference)",
  },
  positives: { kind: 'choice', default: 'all', choices: ['all', 'first'], doc: "'all': every positive; 'first': the anchor's first positive once per positive pair (the reference code)" },
};

/** Calls without a seed continue this stream: it starts from a fixed state when the module loads. */
const unseededStream = seededUniform(0x3e7a1c55);

/** A Gamma(shape, 1) draw (Marsaglia–Tsang; shape < 1 through Gamma(shape + 1)·U^(1/shape)). */
function gammaDraw(shape: number, random: Uniform): number {
  if (shape < 1) return gammaDraw(shape + 1, random) * (1 - random()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = standardNormals(random, 1)[0] as number;
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = 1 - random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** A Beta(a, a) draw, X / (X + Y) with X, Y ~ Gamma(a). */
export function betaDraw(a: number, random: Uniform): number {
  const x = gammaDraw(a, random);
  const y = gammaDraw(a, random);
  return x + y === 0 ? 0.5 : x / (x + y);
}

/** The mixed pairs of anchors' positive and negative masks (row-major `[n, n]`, self excluded). */
function pairsFromMasks(pos: Float32Array, neg: Float32Array, n: number, pairing: Exclude<MetrixPairing, 'random'>, positives: MetrixPositives): MixedPairs {
  const anchors: number[] = [];
  const first: number[] = [];
  const second: number[] = [];
  for (let a = 0; a < n; a++) {
    const ps: number[] = [];
    const ns: number[] = [];
    for (let j = 0; j < n; j++) {
      if ((pos[a * n + j] as number) > 0) ps.push(j);
      else if ((neg[a * n + j] as number) > 0) ns.push(j);
    }
    const usePositives = ps.length > 0 && pairing !== 'anchorneg';
    const useAnchor = ps.length === 0 && pairing !== 'posneg';
    if (usePositives) {
      for (const p of ps) {
        for (const q of ns) {
          anchors.push(a);
          first.push(positives === 'first' ? (ps[0] as number) : p);
          second.push(q);
        }
      }
    } else if (useAnchor) {
      for (const q of ns) {
        anchors.push(a);
        first.push(a);
        second.push(q);
      }
    }
  }
  return { anchors: Int32Array.from(anchors), first: Int32Array.from(first), second: Int32Array.from(second), pairing };
}

/** The stream of a call: seeded, or the module-wide one. */
export function mixingStream(fn: string, seed: unknown): Uniform {
  return seed === undefined ? unseededStream : seededUniform(checkSeed(fn, 'seed', seed));
}

/** λ: the fixed `lambda` option, or a Beta(α, α) draw from `random`. */
export function drawLambda(fn: string, lambda: unknown, mixAlpha: number, random: Uniform): number {
  return lambda === undefined ? betaDraw(mixAlpha, random) : checkNumber(fn, 'lambda', lambda, { min: 0, max: 1 });
}

/** Reads the mixing options and draws the pairing and λ (in that order, from one stream). */
export function drawMixing(fn: string, labels: TensorInput, embeddings: TensorInput, options: MetrixMixOptions & { mixAlpha?: number }) {
  const { pairs = 'both', positives = 'all', mixAlpha = 2 } = options;
  if (!['both', 'posneg', 'anchorneg', 'random'].includes(pairs)) fail(fn, '`pairs`', "be one of 'both' | 'posneg' | 'anchorneg' | 'random'", formatValue(pairs));
  if (positives !== 'all' && positives !== 'first') fail(fn, '`positives`', "be one of 'all' | 'first'", formatValue(positives));
  const random = mixingStream(fn, options.seed);
  if (options.lambda !== undefined) checkNumber(fn, 'lambda', options.lambda, { min: 0, max: 1 });
  const batch = readEmbeddingBatch(fn, labels, embeddings, options.labelSimilarity);
  const pairing = pairs === 'random' ? (random() < 0.5 ? 'posneg' : 'anchorneg') : pairs;
  const lambda = drawLambda(fn, options.lambda, mixAlpha, random);
  const { pos, neg } = pairSource(fn, batch, undefined).block(0, batch.n);
  return { batch, lambda, mixed: pairsFromMasks(pos, neg, batch.n, pairing, positives) };
}

/**
 * The mixed pairs of a batch: for each anchor, which rows are mixed (see {@link MetrixPairing}).
 * Deterministic given the labels, except for `pairs: 'random'`, whose coin `seed` fixes.
 *
 * @param labels - Integer class labels `[N]` (or label rows with `labelSimilarity`).
 * @returns Anchor, first and second row of each mixture; mixture = λ x[first] + (1 − λ) x[second].
 */
export function metrixPairs(labels: TensorInput, options: Omit<MetrixMixOptions, 'lambda'> = {}): MixedPairs {
  const fn = 'metrixPairs';
  checkOptionKeys(fn, options, ['pairs', 'positives', 'seed', 'labelSimilarity']);
  let out: MixedPairs | undefined;
  tf.tidy(() => {
    const y = toTensor(fn, 'labels', labels);
    const n = y.rank === 0 ? 1 : (y.shape[0] as number);
    out = drawMixing(fn, labels, tf.zeros([n, 1]), { ...options, lambda: 0.5 }).mixed;
  });
  return out as MixedPairs;
}

export interface MixEmbeddingsOptions extends MetrixMixOptions {
  /** α of λ ~ Beta(α, α). @defaultValue `2` */
  alpha?: number;
}

/** Mixed embeddings of a batch, with what they were made from. */
export interface MixedEmbeddings extends MixedPairs {
  /** λ x[first] + (1 − λ) x[second], `[K, D]`. */
  mixed: tf.Tensor2D;
  /** The λ used. */
  lambda: number;
  /** Positivity of each mixture towards its anchor, λ·[first positive or anchor] + (1 − λ)·[second positive] = λ. */
  positivity: Float32Array;
}

/**
 * Metrix's embedding mixup: mixtures x̃ = λ x_i + (1 − λ) x_j of a batch's embeddings, with the
 * positivity of each towards its anchor, y = λ (the first row is a positive of the anchor or the
 * anchor itself, the second a negative). One λ ~ Beta(α, α) per call (α = 2 as the reference), or
 * `lambda`. The mixtures carry the gradient to both rows. The Metrix losses compute the same
 * mixtures' similarities without building them; this is for your own losses.
 *
 * @param embeddings - Embeddings `[N, D]` (mixed as given: the losses normalise after mixing).
 * @param labels - Integer class labels `[N]`.
 * @returns The mixtures `[K, D]` and their anchors, rows, λ and positivity.
 *
 * @example
 * const { mixed, anchors, lambda } = mixEmbeddings(embeddings, labels, { seed: 3 });
 *
 * @see S. Venkataramanan, B. Psomas, E. Kijak, L. Amsaleg, K. Karantzalos, Y. Avrithis, "It Takes Two
 *   to Tango: Mixup for Deep Metric Learning", ICLR 2022, https://arxiv.org/abs/2106.04990.
 */
export function mixEmbeddings(embeddings: TensorInput, labels: TensorInput, options: MixEmbeddingsOptions = {}): MixedEmbeddings {
  const fn = 'mixEmbeddings';
  checkOptionKeys(fn, options, ['alpha', 'pairs', 'positives', 'lambda', 'seed', 'labelSimilarity']);
  const alpha = options.alpha === undefined ? 2 : checkNumber(fn, 'alpha', options.alpha, { min: 0, exclusiveMin: true });
  let result: Omit<MixedEmbeddings, 'mixed'> | undefined;
  const mixed = tf.tidy(() => {
    const { batch, lambda, mixed: pairs } = drawMixing(fn, labels, embeddings, { ...options, mixAlpha: alpha });
    result = { ...pairs, lambda, positivity: new Float32Array(pairs.anchors.length).fill(lambda) };
    const { n, dim } = batch;
    const rows = (list: Int32Array) => {
      const flat = new Int32Array(list.length * dim);
      list.forEach((r, k) => {
        for (let d = 0; d < dim; d++) flat[k * dim + d] = r * dim + d;
      });
      return tf.reshape(gatherFlat(tf.reshape(batch.embeddings, [n * dim]) as tf.Tensor1D, flat), [list.length, dim]);
    };
    return tf.add(tf.mul(rows(pairs.first), lambda), tf.mul(rows(pairs.second), 1 - lambda)) as tf.Tensor2D;
  });
  return { ...(result as Omit<MixedEmbeddings, 'mixed'>), mixed };
}

/** An anchor's mixtures in a padded `[N, K]` layout: the similarity (or distance) to each, and 0/1 counts. */
export interface MixedBlock {
  m: tf.Tensor2D;
  counts: tf.Tensor2D;
}

/**
 * The distance (or similarity) of each anchor to each of its mixtures, padded per anchor to `[N, K]`
 * (K the most mixtures an anchor has; padding has count 0). Computed from the Gram matrix G = x xᵀ
 * of the raw embeddings, with x̃ = λ x_i + (1 − λ) x_j:
 *
 *     a·x̃ = λ G_ai + (1 − λ) G_aj      ‖x̃‖² = λ² G_ii + (1 − λ)² G_jj + 2λ(1 − λ) G_ij
 *
 * then normalised (cosine) when `normalize`, as a distance normalises the mixture after mixing.
 * Undefined when there is no mixture.
 */
export function mixedBlock(x: tf.Tensor2D, pairs: MixedPairs, lambda: number, distance: DistanceName, normalize: boolean): MixedBlock | undefined {
  const total = pairs.anchors.length;
  if (total === 0) return undefined;
  const n = x.shape[0];
  const perAnchor = new Int32Array(n);
  for (const a of pairs.anchors) perAnchor[a] = (perAnchor[a] as number) + 1;
  const k = Math.max(...perAnchor);
  const slot = new Int32Array(n);
  const counts = new Float32Array(n * k);
  const index = { aa: new Int32Array(n * k), ai: new Int32Array(n * k), aj: new Int32Array(n * k), ii: new Int32Array(n * k), jj: new Int32Array(n * k), ij: new Int32Array(n * k) };
  for (let t = 0; t < total; t++) {
    const a = pairs.anchors[t] as number;
    const i = pairs.first[t] as number;
    const j = pairs.second[t] as number;
    const at = a * k + (slot[a] as number);
    slot[a] = (slot[a] as number) + 1;
    counts[at] = 1;
    index.aa[at] = a * n + a;
    index.ai[at] = a * n + i;
    index.aj[at] = a * n + j;
    index.ii[at] = i * n + i;
    index.jj[at] = j * n + j;
    index.ij[at] = i * n + j;
  }
  const gram = tf.reshape(tf.matMul(x, x, false, true), [n * n]) as tf.Tensor1D;
  const g = (list: Int32Array) => tf.reshape(gatherFlat(gram, list), [n, k]);
  const l = lambda;
  const dot = tf.add(tf.mul(g(index.ai), l), tf.mul(g(index.aj), 1 - l));
  const mixNorm2 = tf.relu(tf.addN([tf.mul(g(index.ii), l * l), tf.mul(g(index.jj), (1 - l) * (1 - l)), tf.mul(g(index.ij), 2 * l * (1 - l))]));
  const anchorNorm2 = tf.relu(g(index.aa));
  let m: tf.Tensor;
  if (normalize || distance === 'cosine') {
    const anchorNorm = tf.maximum(safeSqrt(anchorNorm2), 1e-12);
    const mixNorm = tf.maximum(safeSqrt(mixNorm2), 1e-12);
    const cos = tf.div(dot, tf.mul(anchorNorm, mixNorm));
    if (distance === 'cosine' || distance === 'dot') m = cos;
    else {
      const squared = tf.relu(tf.sub(tf.add(tf.div(anchorNorm2, tf.square(anchorNorm)), tf.div(mixNorm2, tf.square(mixNorm))), tf.mul(cos, 2)));
      m = distance === 'euclidean' ? safeSqrt(squared) : squared;
    }
  } else if (distance === 'dot') {
    m = dot;
  } else {
    const squared = tf.relu(tf.sub(tf.add(anchorNorm2, mixNorm2), tf.mul(dot, 2)));
    m = distance === 'euclidean' ? safeSqrt(squared) : squared;
  }
  return { m: m as tf.Tensor2D, counts: tf.tensor2d(counts, [n, k]) };
}
