import * as tf from '@tensorflow/tfjs-core';
import { fail, formatShape } from '../_shared/errors.js';
import { checkSeed, seededUniform, type Uniform } from '../_shared/random.js';
import { type TensorInput, toFloat, toTensor } from '../_shared/to-tensor.js';
import { checkOptionKeys } from '../_shared/option-keys.js';
import { checkNumber, checkRank } from '../_shared/validate.js';
import { pairwise } from './distances.js';
import { readEmbeddings } from './labels.js';

/* Few-shot building blocks: episodes, class prototypes and prototypical-network logits. */

/** Reads integer labels `[N]` (or `[N, 1]`) into a float64 array. */
export function readIntegerLabels(fn: string, name: string, labels: TensorInput): Float64Array {
  const y = toTensor(fn, name, labels);
  if (!(y.rank === 1 || (y.rank === 2 && y.shape[1] === 1))) fail(fn, `\`${name}\``, 'be integer class labels [N]', `shape ${formatShape(y.shape)}`);
  const values = Float64Array.from(y.dataSync());
  if (y !== labels) y.dispose();
  values.forEach((v, i) => {
    if (!Number.isInteger(v)) fail(fn, `every value of \`${name}\``, 'be an integer class label', `${v} at index ${i}`);
  });
  return values;
}

export interface EpisodeOptions {
  /** W >= 1: classes per episode. Required. */
  nWay?: number;
  /** S >= 1: support samples per class. Required. */
  kShot?: number;
  /** Q >= 0: query samples per class. @defaultValue `0` */
  nQuery?: number;
  /** Seed (integer in [0, 2^32 − 1]); without it each call continues one module-wide stream. */
  seed?: number;
}

/** One few-shot episode: row indices into the labelled pool, class-major. */
export interface Episode {
  /** The pool labels of the episode's classes, in episode order: episode class k is `classes[k]`. */
  classes: number[];
  /** W·S support indices: the S of episode class 0, then those of class 1, … */
  support: Int32Array;
  /** W·Q query indices, class-major as `support`. */
  query: Int32Array;
  /** Episode class (0..W−1) of each support index. */
  supportLabels: Int32Array;
  /** Episode class (0..W−1) of each query index. */
  queryLabels: Int32Array;
}

/** Calls without a seed continue this stream: it starts from a fixed state when the module loads. */
const unseededStream = seededUniform(0x3e915dd5);

/** The first `count` entries of a seeded Fisher–Yates shuffle of `items` (which it reorders). */
function drawWithoutReplacement(items: number[], count: number, random: Uniform): number[] {
  for (let k = 0; k < count; k++) {
    const j = k + Math.floor(random() * (items.length - k));
    [items[k], items[j]] = [items[j] as number, items[k] as number];
  }
  return items.slice(0, count);
}

/**
 * Draws an N-way K-shot episode from a labelled pool, as prototypical networks train: W classes
 * uniformly among those with at least S + Q samples, then S support and Q query samples of each
 * class without replacement (support and query disjoint). Indices are class-major, and the episode
 * relabels its classes 0..W−1 in draw order, so `supportLabels` / `queryLabels` index the rows of
 * `prototypes(supportLabels, supportEmbeddings)`.
 *
 * @param labels - Integer class labels of the pool `[N]`.
 * @returns The episode's classes, support and query indices and their episode labels.
 *
 * @example
 * const ep = sampleEpisode(poolLabels, { nWay: 5, kShot: 5, nQuery: 15, seed: 1 });
 * const support = tf.gather(poolEmbeddings, ep.support); // [25, D]
 */
export function sampleEpisode(labels: TensorInput, options: EpisodeOptions = {}): Episode {
  const fn = 'sampleEpisode';
  checkOptionKeys(fn, options, ['nWay', 'kShot', 'nQuery', 'seed']);
  const nWay = checkNumber(fn, 'nWay', options.nWay, { integer: true, min: 1 });
  const kShot = checkNumber(fn, 'kShot', options.kShot, { integer: true, min: 1 });
  const nQuery = options.nQuery === undefined ? 0 : checkNumber(fn, 'nQuery', options.nQuery, { integer: true, min: 0 });
  const random = options.seed === undefined ? unseededStream : seededUniform(checkSeed(fn, 'seed', options.seed));
  const values = readIntegerLabels(fn, 'labels', labels);
  const byClass = new Map<number, number[]>();
  values.forEach((v, i) => {
    const list = byClass.get(v);
    if (list === undefined) byClass.set(v, [i]);
    else list.push(i);
  });
  const perClass = kShot + nQuery;
  const eligible = [...byClass.keys()].filter((c) => (byClass.get(c) as number[]).length >= perClass).sort((a, b) => a - b);
  if (eligible.length < nWay) {
    fail(fn, '`labels`', `hold at least nWay (${nWay}) classes with kShot + nQuery (${perClass}) samples each`, `${eligible.length} such classes`);
  }
  const classes = drawWithoutReplacement(eligible, nWay, random);
  const support = new Int32Array(nWay * kShot);
  const query = new Int32Array(nWay * nQuery);
  classes.forEach((c, k) => {
    const drawn = drawWithoutReplacement((byClass.get(c) as number[]).slice(), perClass, random);
    support.set(drawn.slice(0, kShot), k * kShot);
    query.set(drawn.slice(kShot), k * nQuery);
  });
  const episodeLabels = (per: number) => Int32Array.from({ length: nWay * per }, (_, i) => Math.floor(i / per));
  return { classes, support, query, supportLabels: episodeLabels(kShot), queryLabels: episodeLabels(nQuery) };
}

/**
 * Class means `[W, D]` of embeddings `[N, D]` by labels in [0, W): a constant averaging matrix times
 * the embeddings, so the gradient reaches every embedding (1/n_c each). Empty classes give zero rows.
 */
export function classMeans(x: tf.Tensor2D, ids: ArrayLike<number>, numClasses: number): tf.Tensor2D {
  const n = ids.length;
  const counts = new Float64Array(numClasses);
  for (let i = 0; i < n; i++) counts[ids[i] as number] = (counts[ids[i] as number] as number) + 1;
  const averaging = new Float32Array(numClasses * n);
  for (let i = 0; i < n; i++) {
    const c = ids[i] as number;
    averaging[c * n + i] = 1 / (counts[c] as number);
  }
  return tf.matMul(tf.tensor2d(averaging, [numClasses, n]), x) as tf.Tensor2D;
}

export interface PrototypesOptions {
  /** W: number of prototypes (rows of the result). @defaultValue the largest label + 1 */
  numClasses?: number;
}

function prototypes_(labels: TensorInput, embeddings: TensorInput, options: PrototypesOptions = {}): tf.Tensor {
  const fn = 'prototypes';
  checkOptionKeys(fn, options, ['numClasses']);
  const { embeddings: x } = readEmbeddings(fn, labels, embeddings);
  const ids = readIntegerLabels(fn, 'labels', labels);
  const top = ids.reduce((m, v) => Math.max(m, v), -1);
  const numClasses = options.numClasses === undefined ? top + 1 : checkNumber(fn, 'numClasses', options.numClasses, { integer: true, min: 1 });
  ids.forEach((v, i) => {
    if (v < 0 || v >= numClasses) fail(fn, 'every value of `labels`', `be an integer class index in [0, ${numClasses - 1}]`, `${v} at index ${i}`);
  });
  return classMeans(x, ids, numClasses);
}

/**
 * Prototypical-network prototypes: the mean embedding of each class,
 *
 *     c_k = (1/|S_k|) Σ_{i∈S_k} f(x_i)
 *
 * Differentiable (each support embedding receives 1/|S_k| of its prototype's gradient). A class with
 * no sample gets a zero row.
 *
 * @param labels - Integer class indices `[N]` in [0, W) (an episode's `supportLabels`).
 * @param embeddings - Support embeddings `[N, D]`.
 * @returns Prototypes `[W, D]`.
 *
 * @example
 * prototypes([0, 0, 1], [[0, 0], [2, 0], [1, 1]]).print(); // [[1, 0], [1, 1]]
 */
export const prototypes = /* @__PURE__ */ tf.op({ prototypes_ });

export interface ProtoLogitsOptions {
  /** T > 0: the squared distances are divided by it. @defaultValue `1` */
  temperature?: number;
}

function protoLogits_(embeddings: TensorInput, protos: TensorInput, options: ProtoLogitsOptions = {}): tf.Tensor {
  const fn = 'protoLogits';
  checkOptionKeys(fn, options, ['temperature']);
  const temperature = options.temperature === undefined ? 1 : checkNumber(fn, 'temperature', options.temperature, { min: 0, exclusiveMin: true });
  const q = toFloat(fn, 'embeddings', embeddings);
  const c = toFloat(fn, 'prototypes', protos);
  checkRank(fn, 'embeddings', q, [2]);
  checkRank(fn, 'prototypes', c, [2]);
  if (q.shape[1] !== c.shape[1]) fail(fn, '`embeddings` and `prototypes`', 'have the same number of columns', `${formatShape(q.shape)} and ${formatShape(c.shape)}`);
  return tf.div(tf.neg(pairwise('squaredEuclidean', q as tf.Tensor2D, c as tf.Tensor2D)), temperature);
}

/**
 * Prototypical-network logits, −‖q − c_k‖² / T `[Q, W]`: feed them to `softmaxCrossEntropy` with the
 * episode's `queryLabels` for the ProtoNet loss (the `cross` term of the proto-triplet paper).
 *
 * @param embeddings - Query embeddings `[Q, D]`.
 * @param protos - Prototypes `[W, D]`.
 * @returns Logits `[Q, W]`.
 */
export const protoLogits = /* @__PURE__ */ tf.op({ protoLogits_ });
