import * as tf from '@tensorflow/tfjs-core';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { blockwiseRows } from './chunking.js';
import { repeatColumns, temperatureLogits } from './distances.js';
import { maskedLogSumExp } from './logsumexp.js';
import { type PairLossOptions, pairParams, readPairInputs } from './pair-options.js';
import { pairBlock, pairSource } from './pairs.js';
import { checkEmbeddingOptions, reduceElements } from './reduction.js';

const NAME = 'supConLoss';

export interface SupConLossOptions extends PairLossOptions {
  /** τ > 0: similarities are divided by it before the softmax. @defaultValue `0.1` */
  temperature?: number;
}

const PARAMS: ParamSpecs = {
  temperature: { kind: 'number', default: 0.1, min: 0, exclusiveMin: true, doc: 'τ: temperature dividing the similarities' },
  ...pairParams('cosine'),
};

/**
 * Supervised contrastive loss (Khosla et al., the "L_out" form): per anchor, the mean over its
 * positives of the log-probability of the positive in a softmax over all its pairs,
 *
 *     ℓ_i = −(1/|P_i|) Σ_{p∈P_i} log [ e^(s_ip/τ) / Σ_{k∈P_i∪N_i} e^(s_ik/τ) ]
 *
 * with s the cosine similarity by default (with a distance d, s = −d). Unlike NT-Xent the other
 * positives of the anchor are in the denominator, and one anchor's positives are averaged into one
 * term. An anchor without positives gives 0, and a batch without any positive pair or without any
 * negative pair gives 0 (as the reference does). Pairs are every ordered pair i ≠ j by the labels,
 * or the explicit `indices` (repeated pairs count once).
 *
 * Reduction: `'none'` gives ℓ_i, `[N]`; `'mean'` (default, `MeanReducer`) their mean over every
 * anchor; `'meanNonZero'` the mean over ℓ_i > 0, which is pytorch-metric-learning's default
 * (`AvgNonZeroReducer`) and leaves out anchors without positives. Defaults equal
 * pytorch-metric-learning 2.8.1's `SupConLoss` (τ 0.1, cosine similarity).
 *
 * @param labels - Integer class labels `[N]` (or label rows `[N, L]` with `labelSimilarity`).
 * @param embeddings - Embeddings `[N, D]`.
 * @returns A scalar, or `[N]` with `reduction: 'none'`.
 *
 * @example
 * supConLoss([0, 0, 1], [[1, 0], [0.6, 0.8], [0, 1]]).print(); // 0.7098013
 *
 * @see P. Khosla, P. Teterwak, C. Wang, A. Sarna, Y. Tian, P. Isola, A. Maschinot, C. Liu,
 *   D. Krishnan, "Supervised Contrastive Learning", NeurIPS 2020, https://arxiv.org/abs/2004.11362
 *   (defaults: pytorch-metric-learning 2.8.1, `losses.SupConLoss`).
 */
function supConLoss_(labels: TensorInput, embeddings: TensorInput, options: SupConLossOptions = {}): tf.Tensor {
  checkEmbeddingOptions(NAME, PARAMS, options);
  const { temperature = 0.1 } = options;
  const { batch, x, distance, indices, chunkSize } = readPairInputs(NAME, labels, embeddings, options, 'cosine');
  const source = pairSource(NAME, batch, indices);
  const present = source.any();
  const active = present.pos && present.neg ? 1 : 0;
  const losses = blockwiseRows(x, batch.n, chunkSize, (z, r0, r1) => {
    const { m, pos, neg } = pairBlock(z, distance, source, r0, r1);
    const positives = tf.sign(pos) as tf.Tensor2D;
    const logits = temperatureLogits(distance, m, temperature);
    const denominator = maskedLogSumExp(logits, tf.sign(tf.add(positives, neg)) as tf.Tensor2D, false);
    const logProb = tf.sub(logits, repeatColumns(denominator, source.n));
    const perAnchor = tf.div(tf.sum(tf.mul(positives, logProb), 1), tf.maximum(tf.sum(positives, 1), 1));
    return tf.expandDims(tf.mul(perAnchor, -active), 1) as tf.Tensor2D;
  });
  return reduceElements(NAME, tf.reshape(losses, [batch.n]), options);
}

export const supConLoss = /* @__PURE__ */ tf.op({ supConLoss_ });

export const supConLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: 'supConLoss',
  family: 'embedding',
  summary: 'Supervised contrastive loss: mean log-probability of each anchor’s positives in a softmax over its pairs',
  formula: 'ℓ_i = −(1/|P_i|) Σ_p log e^(s_ip/τ) / Σ_{k≠i} e^(s_ik/τ)',
  fn: supConLoss,
  target: 'embeddingLabels',
  prediction: 'embedding',
  tasks: ['embedding'],
  params: PARAMS,
  properties: ['nonNegative', 'scaleInvariant', 'batchCoupled'],
  reference:
    'P. Khosla et al., "Supervised Contrastive Learning", NeurIPS 2020, https://arxiv.org/abs/2004.11362; defaults of pytorch-metric-learning 2.8.1 SupConLoss',
};
