import * as tf from '@tensorflow/tfjs-core';
import { fail, formatShape } from '../_shared/errors.js';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import { type TensorInput, toFloat } from '../_shared/to-tensor.js';
import { checkOptions, checkRank } from '../_shared/validate.js';
import { classMeans, readIntegerLabels } from './few-shot.js';
import { readEmbeddings } from './labels.js';

const NAME = 'protoTripletLoss';

export interface ProtoTripletLossOptions extends ReductionOptions {
  /** Prototypes `[W, D]`, row k the prototype of class k. @defaultValue the class means of the batch */
  prototypes?: TensorInput;
  /** m: wanted gap between the distance to the nearest other prototype and to the own one. @defaultValue `0.5` */
  margin?: number;
  /** ε > 0 inside the square root of the distance, √(‖a − b‖² + ε). @defaultValue `1e-6` */
  epsilon?: number;
}

const PARAMS: ParamSpecs = {
  prototypes: { kind: 'data', type: 'matrix [numClasses, D]', shape: 'classRows', doc: 'one prototype per class (row k: class k); default: the class means of the batch' },
  margin: { kind: 'number', default: 0.5, doc: 'm: wanted gap between the nearest other prototype and the own one' },
  epsilon: { kind: 'number', default: 1e-6, min: 0, exclusiveMin: true, doc: 'ε inside the square root of the distance (finite gradient at 0)' },
};

/** Distances √(‖a_i − b_j‖² + ε) `[n, m]`, from the differences (exact at small distances). */
export function epsilonDistances(a: tf.Tensor2D, b: tf.Tensor2D, epsilon: number): tf.Tensor2D {
  const diff = tf.sub(tf.expandDims(a, 1), tf.expandDims(b, 0));
  return tf.sqrt(tf.add(tf.sum(tf.square(diff), -1), epsilon)) as tf.Tensor2D;
}

/** Added to the own prototype's distance so that the minimum over the others never picks it. */
const EXCLUDED = 1e30;

/**
 * Proto-triplet loss (the "SuSana distancia" paper): each query should be nearer its own class
 * prototype than the nearest prototype of another class, by a margin. With prototypes c_k (the
 * class means of an episode's support set) and d(a, b) = √(‖a − b‖² + ε), per query q of class y,
 *
 *     d⁺ = d(q, c_y)     d⁻ = min_{k≠y} d(q, c_k)     ℓ_q = [d⁺ − d⁻ + m]_+
 *
 * It is a triplet loss whose positive and negative are prototypes, so each query is compared with
 * W prototypes instead of every pair of samples, and the hardest wrong prototype is the negative.
 * The paper trains it with the ProtoNet cross-entropy, `(CE + PT)/2` (its `cross,prototriplet`).
 * With `prototypes` (e.g. from `prototypes(episode.supportLabels, supportEmbeddings)`) the labels
 * index its rows; without, the prototypes are the class means of the batch itself and only the
 * classes present compete. A query with no other prototype (one class) gets 0, with a zero gradient;
 * ε keeps the gradient finite when a query sits on a prototype. Defaults equal the authors' code
 * (m = 0.5, ε = 1e-6).
 *
 * @param labels - Integer class labels `[Q]` (indices into `prototypes` when given).
 * @param embeddings - Query embeddings `[Q, D]`.
 * @returns A scalar, or `[Q]` with `reduction: 'none'`.
 *
 * @example
 * protoTripletLoss([0, 1, 0], [[0, 0], [1, 1], [2, 0]], { prototypes: [[0, 1], [1, 0]] }).print(); // 0.912023
 *
 * @see M. Mendez-Ruiz et al., "SuSana Distancia is all you need: Enforcing class separability in
 *   metric learning via two novel distance-based loss functions for few-shot image
 *   classification", 2023, https://arxiv.org/abs/2305.09062.
 */
function protoTripletLoss_(labels: TensorInput, embeddings: TensorInput, options: ProtoTripletLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { margin = 0.5, epsilon = 1e-6 } = options;
  const { embeddings: x } = readEmbeddings(NAME, labels, embeddings);
  const values = readIntegerLabels(NAME, 'labels', labels);
  let protos: tf.Tensor2D;
  let ids: Int32Array;
  if (options.prototypes !== undefined) {
    protos = toFloat(NAME, 'prototypes', options.prototypes) as tf.Tensor2D;
    checkRank(NAME, 'prototypes', protos, [2]);
    if (protos.shape[1] !== x.shape[1] || protos.shape[0] === 0) {
      fail(NAME, '`prototypes`', `be [numClasses, ${x.shape[1]}], one row per class`, `shape ${formatShape(protos.shape)}`);
    }
    const rows = protos.shape[0];
    values.forEach((v, i) => {
      if (v < 0 || v >= rows) fail(NAME, 'every value of `labels`', `be an integer class index in [0, ${rows - 1}] (a row of \`prototypes\`)`, `${v} at index ${i}`);
    });
    ids = Int32Array.from(values);
  } else {
    const classes = [...new Set(values)].sort((a, b) => a - b);
    const dense = new Map(classes.map((c, k) => [c, k]));
    ids = Int32Array.from(values, (v) => dense.get(v) as number);
    protos = classMeans(x, ids, classes.length);
  }
  const w = protos.shape[0];
  const ownValues = new Float32Array(ids.length * w);
  ids.forEach((k, i) => {
    ownValues[i * w + k] = 1;
  });
  const own = tf.tensor2d(ownValues, [ids.length, w]);
  const d = epsilonDistances(x, protos, epsilon);
  const dPos = tf.sum(tf.mul(d, own), 1);
  const dNeg = tf.min(tf.add(d, tf.mul(own, EXCLUDED)), 1);
  return reduce(NAME, tf.relu(tf.add(tf.sub(dPos, dNeg), margin)), options);
}

export const protoTripletLoss = /* @__PURE__ */ tf.op({ protoTripletLoss_ });

export const protoTripletLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: 'protoTripletLoss',
  family: 'embedding',
  summary: 'Proto-triplet: each query nearer its own class prototype than the nearest other prototype by a margin',
  formula: 'ℓ_q = [d(q, c_y) − min_{k≠y} d(q, c_k) + m]_+,  d(a, b) = √(‖a − b‖² + ε)',
  fn: protoTripletLoss,
  target: 'embeddingLabels',
  prediction: 'embedding',
  tasks: ['embedding'],
  params: PARAMS,
  properties: ['nonNegative', 'batchCoupled'],
  reference:
    'M. Mendez-Ruiz et al., "SuSana Distancia is all you need: Enforcing class separability in metric learning via two novel distance-based loss functions for few-shot image classification", 2023, https://arxiv.org/abs/2305.09062',
  seed: 3,
};
