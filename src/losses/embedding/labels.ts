import * as tf from '@tensorflow/tfjs-core';
import { fail, formatShape, formatValue } from '../_shared/errors.js';
import { type TensorInput, toFloat, toTensor } from '../_shared/to-tensor.js';
import { checkNotEmpty, checkRank } from '../_shared/validate.js';

/**
 * Which pairs of samples are positives: called with label rows `labelsA` `[n, L]` and `labelsB`
 * `[m, L]` (integer labels `[N]` arrive as `[N, 1]`), it returns an `[n, m]` tensor of 0 and 1, 1
 * where the two samples count as similar. It only reads labels, so it needs no gradient. Every other
 * pair of distinct samples is a negative; a sample is never paired with itself.
 */
export type LabelSimilarity = (labelsA: tf.Tensor2D, labelsB: tf.Tensor2D) => tf.Tensor;

/**
 * A ready-made {@link LabelSimilarity} for multi-hot labels `[N, L]`: two samples are similar when
 * they share at least one label, `sign(a · b)` for 0/1 rows.
 *
 * @example
 * contrastiveLoss([[1, 0, 1], [0, 0, 1], [0, 1, 0]], embeddings, { labelSimilarity: sharesAnyLabel });
 */
export function sharesAnyLabel(labelsA: tf.Tensor2D, labelsB: tf.Tensor2D): tf.Tensor {
  return tf.tidy(() => tf.sign(tf.matMul(labelsA, labelsB, false, true)));
}

/** Labels as the pair builders read them: integer labels, or label rows with their similarity hook. */
export type BatchLabels =
  | { kind: 'index'; values: Float64Array }
  | { kind: 'custom'; values: Float32Array; width: number; similarity: LabelSimilarity };

/** The checked inputs of an embedding loss. */
export interface EmbeddingBatch {
  /** Embeddings `[N, D]`, float32. */
  embeddings: tf.Tensor2D;
  /** Rows N. */
  n: number;
  /** Columns D. */
  dim: number;
  labels: BatchLabels;
}

/** Throws unless every value is an integer (labels are compared for equality). */
function checkIntegerLabels(fn: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isInteger(v)) fail(fn, 'every value of `labels`', 'be an integer class label', `${v} at index ${i}`);
  }
}

/** Reads `embeddings` `[N, D]` and checks that `labels` has one entry (or row) per embedding. */
export function readEmbeddings(fn: string, labels: TensorInput, embeddings: TensorInput): { embeddings: tf.Tensor2D; labels: tf.Tensor } {
  const x = toFloat(fn, 'embeddings', embeddings);
  checkRank(fn, 'embeddings', x, [2]);
  checkNotEmpty(fn, 'embeddings', x);
  const y = toTensor(fn, 'labels', labels);
  if (y.rank === 0 || y.shape[0] !== x.shape[0]) {
    fail(fn, '`labels` and `embeddings`', 'have the same number of rows', `${formatShape(y.shape)} and ${formatShape(x.shape)}`);
  }
  return { embeddings: x as tf.Tensor2D, labels: y };
}

/**
 * Reads `(labels, embeddings)`: embeddings `[N, D]`, and integer labels `[N]` (or `[N, 1]`), or, with
 * a `labelSimilarity` hook, label rows `[N]` or `[N, L]` of any numbers.
 */
export function readEmbeddingBatch(fn: string, labels: TensorInput, embeddings: TensorInput, labelSimilarity?: unknown): EmbeddingBatch {
  if (labelSimilarity !== undefined && typeof labelSimilarity !== 'function') {
    fail(fn, '`labelSimilarity`', 'be a function (labelsA [n,L], labelsB [m,L]) -> [n,m] tensor of 0 and 1', formatValue(labelSimilarity));
  }
  const { embeddings: x, labels: y } = readEmbeddings(fn, labels, embeddings);
  const [n, dim] = x.shape;
  let batchLabels: BatchLabels;
  if (labelSimilarity === undefined) {
    if (!(y.rank === 1 || (y.rank === 2 && y.shape[1] === 1))) {
      fail(fn, '`labels`', 'be integer class labels [N] (pass `labelSimilarity` to use label rows [N,L])', `shape ${formatShape(y.shape)}`);
    }
    const values = Float64Array.from(y.dataSync());
    checkIntegerLabels(fn, values);
    batchLabels = { kind: 'index', values };
  } else {
    if (y.rank > 2) fail(fn, '`labels`', 'have rank 1 or 2', `shape ${formatShape(y.shape)}`);
    const width = y.rank === 1 ? 1 : (y.shape[1] as number);
    batchLabels = { kind: 'custom', values: Float32Array.from(y.dataSync()), width, similarity: labelSimilarity as LabelSimilarity };
  }
  return { embeddings: x, n, dim, labels: batchLabels };
}

/**
 * The similarity of the label rows r0..r1−1 with every label row, row-major `[r1 − r0, N]`, as 0/1
 * values, from the caller's hook (whose result is checked).
 */
export function customSimilarity(fn: string, labels: Extract<BatchLabels, { kind: 'custom' }>, r0: number, r1: number): Uint8Array {
  const n = labels.values.length / labels.width;
  const b = r1 - r0;
  return tf.tidy(() => {
    const all = tf.tensor2d(labels.values, [n, labels.width]);
    const rows = tf.slice(all, [r0, 0], [b, labels.width]);
    const result = labels.similarity(rows, all);
    if (!(result instanceof tf.Tensor) || result.rank !== 2 || result.shape[0] !== b || result.shape[1] !== n) {
      const got = result instanceof tf.Tensor ? `shape ${formatShape(result.shape)}` : formatValue(result);
      fail(fn, 'the result of `labelSimilarity`', `be a tensor of shape [${b},${n}]`, got);
    }
    const values = result.dataSync();
    const out = new Uint8Array(b * n);
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      if (v !== 0 && v !== 1) fail(fn, 'every value returned by `labelSimilarity`', 'be 0 or 1', `${v} at flat index ${i}`);
      out[i] = v;
    }
    return out;
  });
}
