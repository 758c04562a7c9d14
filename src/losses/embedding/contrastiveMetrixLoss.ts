import * as tf from '@tensorflow/tfjs-core';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { checkDistance, type DistanceName, marginOf, prepareEmbeddings } from './distances.js';
import { drawMixing, METRIX_PARAMS, type MetrixMixOptions, mixedBlock } from './metrix.js';
import { pairParams } from './pair-options.js';
import { pairBlock, pairSource } from './pairs.js';
import { checkEmbeddingOptions, type EmbeddingReductionOptions, reduceTupleStats, tupleStats } from './reduction.js';

const NAME = 'contrastiveMetrixLoss';

export interface ContrastiveMetrixLossOptions extends EmbeddingReductionOptions, MetrixMixOptions {
  /** m⁺: positive pairs within this distance cost nothing. @defaultValue `0` */
  posMargin?: number;
  /** m⁻: negative pairs beyond this distance cost nothing. @defaultValue `0.5` */
  negMargin?: number;
  /** w >= 0: weight of the mixed term. @defaultValue `0.4` */
  mixWeight?: number;
  /** α > 0 of λ ~ Beta(α, α). @defaultValue `2` */
  mixAlpha?: number;
  /** How embeddings are compared. @defaultValue `'euclidean'` */
  distance?: DistanceName;
  /** L2-normalise the embeddings (and the mixtures, after mixing) first. @defaultValue `true` */
  normalize?: boolean;
}

/** The shared pair options without explicit tuples and chunking (the mixtures are built from the labels). */
export function metrixPairParams(defaultDistance: DistanceName): ParamSpecs {
  const { indices: _indices, chunkSize: _chunkSize, ...rest } = pairParams(defaultDistance);
  return rest;
}

const PARAMS: ParamSpecs = {
  posMargin: { kind: 'number', default: 0, doc: 'm⁺: positive pairs closer than this cost nothing' },
  negMargin: { kind: 'number', default: 0.5, doc: 'm⁻: negative pairs farther than this cost nothing (the reference: 0.5)' },
  ...METRIX_PARAMS,
  ...metrixPairParams('euclidean'),
};

/**
 * Contrastive loss with Metrix (mixup for metric learning): the contrastive loss of the batch plus
 * w times the same loss on mixed embeddings, whose label towards the anchor is interpolated. For
 * an anchor a and a mixture x̃ = λ x_i + (1 − λ) x_j with positivity y = λ·[x_i ∈ P(a)] + (1 − λ)·[x_j ∈ P(a)]
 * (here always λ: x_i is a positive of a or a itself, x_j a negative), with d the distance of the
 * normalised embeddings (the mixture is normalised after mixing),
 *
 *     ℓ = mean_pos [d_ap − m⁺]_+ + mean_neg [m⁻ − d_an]_+                          (clean)
 *       + w ( mean_x̃ y [d_ax̃ − m⁺]_+ + mean_x̃ (1 − y) [m⁻ − d_ax̃]_+ )          (mixed)
 *
 * The mixtures fill the space between positives and negatives with examples whose targets are
 * neither 0 nor 1, so the embedding is trained on its in-between regions too. The mixtures are
 * the paper's and the reference code's: positive with negative for anchors with positives,
 * anchor with negative for anchors without (`pairs`); one λ ~ Beta(2, 2) per call (`mixAlpha`,
 * `lambda`, `seed`); w = 0.4; m⁺ = 0, m⁻ = 0.5 (the reference's margins). The reference picks one of
 * the two pairings at random per iteration (`pairs: 'random'`) and uses each anchor's first positive
 * (`positives: 'first'`); the default makes both kinds and uses every positive. Similarities of
 * anchors to mixtures come from the Gram matrix, without building the up to N³ mixed embeddings of
 * D values each (`mixEmbeddings` builds them).
 *
 * Reduction: as `contrastiveLoss`, each of the four groups (clean positive, clean negative, mixed
 * positive part, mixed negative part) averaged over its pairs and the four added (`'mean'`), or
 * over its pairs > 0 (`'meanNonZero'`); `'sum'` adds all; `'none'` gives per anchor the sum of its
 * (weighted) pair losses, `[N]`.
 *
 * @param labels - Integer class labels `[N]` (or label rows `[N, L]` with `labelSimilarity`).
 * @param embeddings - Embeddings `[N, D]`.
 * @returns A scalar, or `[N]` with `reduction: 'none'`.
 *
 * @example
 * contrastiveMetrixLoss([0, 0, 1, 1], embeddings, { seed: 1 });
 *
 * @see S. Venkataramanan, B. Psomas, E. Kijak, L. Amsaleg, K. Karantzalos, Y. Avrithis, "It Takes Two
 *   to Tango: Mixup for Deep Metric Learning", ICLR 2022, https://arxiv.org/abs/2106.04990.
 */
function contrastiveMetrixLoss_(labels: TensorInput, embeddings: TensorInput, options: ContrastiveMetrixLossOptions = {}): tf.Tensor {
  checkEmbeddingOptions(NAME, PARAMS, options);
  const { posMargin = 0, negMargin = 0.5, mixWeight = 0.4, distance = 'euclidean', normalize = true } = options;
  checkDistance(NAME, distance, normalize);
  const { batch, lambda, mixed } = drawMixing(NAME, labels, embeddings, options);
  const x = prepareEmbeddings(batch.embeddings, distance, normalize);
  const { m, pos, neg } = pairBlock(x, distance, pairSource(NAME, batch, undefined), 0, batch.n);
  const clean = tupleStats([
    [tf.relu(marginOf(distance, m, posMargin)), pos],
    [tf.relu(marginOf(distance, negMargin, m)), neg],
  ]);
  const block = mixedBlock(batch.embeddings, mixed, lambda, distance, normalize);
  const mixedStats =
    block === undefined
      ? tf.zeros([batch.n, 6])
      : tupleStats([
          [tf.mul(tf.relu(marginOf(distance, block.m, posMargin)), mixWeight * lambda), block.counts],
          [tf.mul(tf.relu(marginOf(distance, negMargin, block.m)), mixWeight * (1 - lambda)), block.counts],
        ]);
  return reduceTupleStats(NAME, tf.concat([clean, mixedStats], 1) as tf.Tensor2D, options);
}

export const contrastiveMetrixLoss = /* @__PURE__ */ tf.op({ contrastiveMetrixLoss_ });

export const contrastiveMetrixLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: 'contrastiveMetrixLoss',
  family: 'embedding',
  summary: 'Contrastive loss plus Metrix: the same loss on mixed embeddings with interpolated labels',
  formula: 'ℓ = contrastive + w (mean y[d_ax̃ − m⁺]_+ + mean (1 − y)[m⁻ − d_ax̃]_+),  x̃ = λx_i + (1−λ)x_j',
  fn: contrastiveMetrixLoss,
  target: 'embeddingLabels',
  prediction: 'embedding',
  tasks: ['embedding'],
  params: PARAMS,
  properties: ['nonNegative', 'scaleInvariant', 'batchCoupled', 'stochastic', 'meanOverTuples'],
  reference:
    'S. Venkataramanan, B. Psomas, E. Kijak, L. Amsaleg, K. Karantzalos, Y. Avrithis, "It Takes Two to Tango: Mixup for Deep Metric Learning", ICLR 2022, https://arxiv.org/abs/2106.04990',
  seed: 8,
};
