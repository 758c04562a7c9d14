import * as tf from '@tensorflow/tfjs-core';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { metrixPairParams } from './contrastiveMetrixLoss.js';
import { checkDistance, type DistanceName, marginOf, prepareEmbeddings } from './distances.js';
import { maskedLogSumExp } from './logsumexp.js';
import { drawMixing, METRIX_PARAMS, type MetrixMixOptions, mixedBlock } from './metrix.js';
import { pairBlock, pairSource } from './pairs.js';
import { checkEmbeddingOptions, type EmbeddingReductionOptions, reduceElements } from './reduction.js';

const NAME = 'multiSimilarityMetrixLoss';

export interface MultiSimilarityMetrixLossOptions extends EmbeddingReductionOptions, MetrixMixOptions {
  /** α > 0: sharpness of the positive term. @defaultValue `2` */
  alpha?: number;
  /** β > 0: sharpness of the negative term. @defaultValue `50` */
  beta?: number;
  /** λ_ms: the similarity both terms are measured from. @defaultValue `0.5` */
  base?: number;
  /** w >= 0: weight of the mixed term. @defaultValue `0.4` */
  mixWeight?: number;
  /** α > 0 of the mixing coefficient's Beta(α, α). @defaultValue `2` */
  mixAlpha?: number;
  /** How embeddings are compared. @defaultValue `'cosine'` */
  distance?: DistanceName;
  /** L2-normalise the embeddings (and the mixtures, after mixing) first. @defaultValue `true` */
  normalize?: boolean;
}

const PARAMS: ParamSpecs = {
  alpha: { kind: 'number', default: 2, min: 0, exclusiveMin: true, doc: 'α: sharpness of the positive-pair term' },
  beta: { kind: 'number', default: 50, min: 0, exclusiveMin: true, doc: 'β: sharpness of the negative-pair term' },
  base: { kind: 'number', default: 0.5, doc: 'λ_ms: similarity both terms are measured from' },
  ...METRIX_PARAMS,
  ...metrixPairParams('cosine'),
};

/**
 * Multi-similarity loss with Metrix (mixup for metric learning): the multi-similarity loss of the
 * batch plus w times its generalised form on mixed embeddings with interpolated labels. With S the
 * cosine similarity, per anchor i with positives P_i, negatives N_i and mixtures x̃ of positivity y
 * (= λ, see `contrastiveMetrixLoss`),
 *
 *     ℓ_i = (1/α) log[1 + Σ_{P_i} e^(−α(S_ik − λ_ms))] + (1/β) log[1 + Σ_{N_i} e^(β(S_ik − λ_ms))]
 *         + w ( (1/α) log[1 + Σ_x̃ y e^(−α(S_ix̃ − λ_ms))] + (1/β) log[1 + Σ_x̃ (1 − y) e^(β(S_ix̃ − λ_ms))] )
 *
 * the paper's form ℓ + w·ℓ̃ with σ⁺(t) = (1/α) log(1 + t), σ⁻(t) = (1/β) log(1 + t) and each mixture
 * counted y times as a positive and 1 − y times as a negative. The reference code differs: it puts
 * the clean (scaled by λ) and mixed sums inside one logarithm, indexes its mixed similarity matrix
 * by batch rows, and writes the mixed negative mask into the clean one, so its mixed negatives never
 * count; none of that is reproduced. Mixtures, λ and w as `contrastiveMetrixLoss`; α = 2, β = 50,
 * λ_ms = 0.5 as `multiSimilarityLoss` (the values Metrix used could not be checked).
 *
 * Reduction over anchors: `'none'` gives ℓ_i `[N]`; `'mean'` (default) their mean over every anchor;
 * `'meanNonZero'` over ℓ_i > 0.
 *
 * @param labels - Integer class labels `[N]` (or label rows `[N, L]` with `labelSimilarity`).
 * @param embeddings - Embeddings `[N, D]`.
 * @returns A scalar, or `[N]` with `reduction: 'none'`.
 *
 * @see S. Venkataramanan, B. Psomas, E. Kijak, L. Amsaleg, K. Karantzalos, Y. Avrithis, "It Takes Two
 *   to Tango: Mixup for Deep Metric Learning", ICLR 2022, https://arxiv.org/abs/2106.04990;
 *   X. Wang et al., "Multi-Similarity Loss with General Pair Weighting for Deep Metric Learning",
 *   CVPR 2019, https://arxiv.org/abs/1904.06627.
 */
function multiSimilarityMetrixLoss_(labels: TensorInput, embeddings: TensorInput, options: MultiSimilarityMetrixLossOptions = {}): tf.Tensor {
  checkEmbeddingOptions(NAME, PARAMS, options);
  const { alpha = 2, beta = 50, base = 0.5, mixWeight = 0.4, distance = 'cosine', normalize = true } = options;
  checkDistance(NAME, distance, normalize);
  const { batch, lambda, mixed } = drawMixing(NAME, labels, embeddings, options);
  const x = prepareEmbeddings(batch.embeddings, distance, normalize);
  const { m, pos, neg } = pairBlock(x, distance, pairSource(NAME, batch, undefined), 0, batch.n);
  const posTerm = (z: tf.Tensor, counts: tf.Tensor) => tf.div(maskedLogSumExp(tf.mul(marginOf(distance, z, base), alpha) as tf.Tensor2D, counts as tf.Tensor2D, true), alpha);
  const negTerm = (z: tf.Tensor, counts: tf.Tensor) => tf.div(maskedLogSumExp(tf.mul(marginOf(distance, base, z), beta) as tf.Tensor2D, counts as tf.Tensor2D, true), beta);
  let losses = tf.add(posTerm(m, tf.sign(pos)), negTerm(m, tf.sign(neg)));
  const block = mixedBlock(batch.embeddings, mixed, lambda, distance, normalize);
  if (block !== undefined) {
    const mixedTerm = tf.add(posTerm(block.m, tf.mul(block.counts, lambda)), negTerm(block.m, tf.mul(block.counts, 1 - lambda)));
    losses = tf.add(losses, tf.mul(mixedTerm, mixWeight));
  }
  return reduceElements(NAME, losses, options);
}

export const multiSimilarityMetrixLoss = /* @__PURE__ */ tf.op({ multiSimilarityMetrixLoss_ });

export const multiSimilarityMetrixLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: 'multiSimilarityMetrixLoss',
  family: 'embedding',
  summary: 'Multi-similarity loss plus Metrix: its generalised form on mixed embeddings with interpolated labels',
  formula: 'ℓ_i = MS_i + w[(1/α) log(1 + Σ_x̃ y e^(−α(S−λ))) + (1/β) log(1 + Σ_x̃ (1−y) e^(β(S−λ)))]',
  fn: multiSimilarityMetrixLoss,
  target: 'embeddingLabels',
  prediction: 'embedding',
  tasks: ['embedding'],
  params: PARAMS,
  properties: ['nonNegative', 'scaleInvariant', 'batchCoupled', 'stochastic'],
  reference:
    'S. Venkataramanan, B. Psomas, E. Kijak, L. Amsaleg, K. Karantzalos, Y. Avrithis, "It Takes Two to Tango: Mixup for Deep Metric Learning", ICLR 2022, https://arxiv.org/abs/2106.04990',
  seed: 8,
};
