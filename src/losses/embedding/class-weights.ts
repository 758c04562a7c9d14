import * as tf from '@tensorflow/tfjs-core';
import { fail, formatShape, formatValue } from '../_shared/errors.js';
import { softTargetNll } from '../_shared/numerics.js';
import { checkSeed, seededUniform, standardNormals } from '../_shared/random.js';
import type { ParamSpecs } from '../_shared/spec.js';
import { type TensorInput, toFloat } from '../_shared/to-tensor.js';
import { checkClassIndices, checkNumber, checkRank } from '../_shared/validate.js';
import { normalizeRows } from './distances.js';
import { readEmbeddings } from './labels.js';
import { checkEmbeddingOptions, type EmbeddingReduction, type EmbeddingReductionOptions } from './reduction.js';

/** The checked inputs of a loss against one weight vector (proxy) per class. */
export interface ClassWeightInputs {
  /** L2-normalised embeddings `[N, D]`. */
  x: tf.Tensor2D;
  /** Cosine similarity of each embedding with each class column, `[N, C]`. */
  cosine: tf.Tensor2D;
  /** One-hot labels `[N, C]` (constant). */
  oneHot: tf.Tensor2D;
  labels: Int32Array;
  numClasses: number;
}

/**
 * Reads `(labels, embeddings)` and a class matrix `[D, C]` (one column per class, as
 * pytorch-metric-learning's `W`), and returns the cosine similarities of the normalised embeddings
 * with the normalised columns. Labels are integer class indices in [0, C).
 */
export function readClassWeightInputs(fn: string, labels: TensorInput, embeddings: TensorInput, matrixName: string, matrix: unknown): ClassWeightInputs {
  const { embeddings: e, labels: y } = readEmbeddings(fn, labels, embeddings);
  const dim = e.shape[1];
  if (matrix === undefined) fail(fn, `\`${matrixName}\``, `be given: a [D, numClasses] matrix, D = ${dim}`, 'undefined');
  if (!(matrix instanceof tf.Tensor || Array.isArray(matrix) || ArrayBuffer.isView(matrix))) fail(fn, `\`${matrixName}\``, `be a [${dim}, numClasses] matrix`, formatValue(matrix));
  const w = toFloat(fn, matrixName, matrix as TensorInput);
  checkRank(fn, matrixName, w, [2]);
  if (w.shape[0] !== dim || (w.shape[1] as number) < 1) {
    fail(fn, `\`${matrixName}\``, `have one row per embedding dimension and at least one column, [${dim}, numClasses]`, `shape ${formatShape(w.shape)}`);
  }
  const numClasses = w.shape[1] as number;
  if (!(y.rank === 1 || (y.rank === 2 && y.shape[1] === 1))) fail(fn, '`labels`', 'be integer class indices [N]', `shape ${formatShape(y.shape)}`);
  checkClassIndices(fn, 'labels', y, numClasses);
  const ids = Int32Array.from(y.dataSync());
  const x = normalizeRows(e);
  const columns = normalizeRows(tf.transpose(w) as tf.Tensor2D);
  const cosine = tf.matMul(x, columns, false, true) as tf.Tensor2D;
  const oneHot = tf.cast(tf.oneHot(tf.tensor1d(ids, 'int32'), numClasses), 'float32') as tf.Tensor2D;
  return { x, cosine, oneHot, labels: ids, numClasses };
}

/** What every class-weight factory is made from. */
export interface ClassWeightFactoryOptions {
  /** Number of classes C: columns of the weight matrix. */
  numClasses: number;
  /** Embedding dimension D: rows of the weight matrix. */
  embeddingSize: number;
  /** Seed of the initial weights (reproducible on every platform). @defaultValue `0` */
  seed?: number;
  /** Default reduction of `loss()`; a call's own `reduction` overrides it. @defaultValue `'mean'` */
  reduction?: EmbeddingReduction;
}

/** A loss with a trainable class matrix `W` `[D, C]`, made by `createX(options)`. */
export interface ClassWeightLoss<Config> {
  /** The loss of a batch with the current `W`; its gradient reaches the embeddings and `W`. */
  loss(labels: TensorInput, embeddings: TensorInput, options?: EmbeddingReductionOptions): tf.Tensor;
  /** The class matrix `[D, C]`, one column per class: train it with the embedding model. */
  readonly W: tf.Variable;
  /** `[W]`, for an optimizer's `varList`. */
  readonly trainableVariables: tf.Variable[];
  /** Sets `W` back to its seeded initial values. */
  reset(): void;
  /** Frees `W`; the object cannot be used afterwards. */
  dispose(): void;
  getConfig(): Config;
}

const FACTORY_PARAMS: ParamSpecs = {
  numClasses: { kind: 'data', type: 'integer >= 1', required: true, doc: 'number of classes C (columns of W)' },
  embeddingSize: { kind: 'data', type: 'integer >= 1', required: true, doc: 'embedding dimension D (rows of W)' },
  seed: { kind: 'data', type: 'integer in [0, 2^32 − 1]', default: 0, doc: 'seed of the initial weights' },
};

/**
 * Makes the stateful object of a class-weight loss: a trainable `W` `[D, C]` of seeded normal
 * draws times `std`, and `loss()` calling `lossFn` with it under the loss's own option name.
 */
export function createClassWeightLoss<Options extends object, Config>(
  fn: string,
  params: ParamSpecs,
  options: ClassWeightFactoryOptions & Options,
  std: (numClasses: number, embeddingSize: number) => number,
  lossFn: (labels: TensorInput, embeddings: TensorInput, w: tf.Tensor2D, options: EmbeddingReductionOptions) => tf.Tensor,
): ClassWeightLoss<Config> {
  const all = { ...FACTORY_PARAMS, ...params };
  checkEmbeddingOptions(fn, all, options);
  const opts = (options ?? {}) as ClassWeightFactoryOptions & { weights?: unknown };
  if (opts.weights !== undefined) fail(fn, '`weights`', 'be passed to loss() with each batch, not to the factory', formatValue(opts.weights));
  const numClasses = checkNumber(fn, 'numClasses', opts.numClasses, { integer: true, min: 1 });
  const embeddingSize = checkNumber(fn, 'embeddingSize', opts.embeddingSize, { integer: true, min: 1 });
  const seed = opts.seed === undefined ? 0 : checkSeed(fn, 'seed', opts.seed);
  const config = { ...options, numClasses, embeddingSize, seed, reduction: opts.reduction ?? 'mean' } as unknown as Config;
  const initial = (): tf.Tensor2D => {
    const draws = standardNormals(seededUniform(seed), embeddingSize * numClasses);
    const scale = std(numClasses, embeddingSize);
    return tf.tensor2d(Float32Array.from(draws, (v) => v * scale), [embeddingSize, numClasses]);
  };
  let w: tf.Variable | null = tf.tidy(() => tf.variable(initial(), true));
  const live = (): tf.Variable => {
    if (w === null) fail(fn, 'the loss object', 'be in use', 'a call after dispose()');
    return w;
  };
  return {
    loss(labels, embeddings, callOptions = {}) {
      const current = live();
      checkEmbeddingOptions(fn, {}, callOptions);
      const reduction = callOptions.reduction ?? opts.reduction ?? 'mean';
      return tf.tidy(() => {
        const { embeddings: e } = readEmbeddings(fn, labels, embeddings);
        if (e.shape[1] !== embeddingSize) fail(fn, '`embeddings`', `have embeddingSize (${embeddingSize}) columns`, `shape ${formatShape(e.shape)}`);
        return lossFn(labels, e, current as tf.Tensor2D, { reduction, ...(callOptions.weights === undefined ? {} : { weights: callOptions.weights }) });
      });
    },
    get W() {
      return live();
    },
    get trainableVariables() {
      return [live()];
    },
    reset() {
      const current = live();
      tf.tidy(() => current.assign(initial()));
    },
    dispose() {
      w?.dispose();
      w = null;
    },
    getConfig() {
      return { ...config };
    },
  };
}

/**
 * Softmax cross-entropy on scaled cosine logits whose target entry is replaced by
 * `targetLogit(cos_y)` (the margin of ArcFace, CosFace), per sample `[N]`:
 *
 *     ℓ_i = −log softmax(s · z_i)_{y_i}      z_ij = cos_ij (j ≠ y_i),  z_iy = targetLogit(cos_iy)
 */
export function marginSoftmaxLosses(inputs: ClassWeightInputs, scale: number, targetLogit: (cosTarget: tf.Tensor1D) => tf.Tensor1D): tf.Tensor1D {
  const { cosine, oneHot } = inputs;
  const cosTarget = tf.sum(tf.mul(cosine, oneHot), 1) as tf.Tensor1D;
  const shift = tf.sub(targetLogit(cosTarget), cosTarget);
  const logits = tf.mul(tf.add(cosine, tf.mul(oneHot, tf.expandDims(shift, 1))), scale);
  return softTargetNll(oneHot, logits) as tf.Tensor1D;
}
