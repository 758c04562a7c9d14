import * as tf from '@tensorflow/tfjs-core';
import { fail, formatShape } from '../_shared/errors.js';
import { checkOptionKeys } from '../_shared/option-keys.js';
import type { ParamSpecs } from '../_shared/spec.js';
import { type TensorInput, toFloat } from '../_shared/to-tensor.js';
import { checkNotEmpty, checkOptions } from '../_shared/validate.js';

const NAME = 'probUNetLoss';

export const KL_REDUCTIONS = ['sum', 'mean'] as const;
export type KlReduction = (typeof KL_REDUCTIONS)[number];

export interface ProbUNetLossOptions {
  /** w_seg >= 0, the weight of the segmentation loss. @defaultValue `1` */
  segWeight?: number;
  /** w_KL >= 0, the weight of the KL term. @defaultValue `1` */
  klWeight?: number;
  /** How per-sample KL values are combined: summed over the batch (the official code) or averaged. @defaultValue `'sum'` */
  klReduction?: KlReduction;
}

const PARAMS: ParamSpecs = {
  segWeight: { kind: 'number', default: 1, min: 0, doc: 'weight w_seg of the segmentation loss' },
  klWeight: { kind: 'number', default: 1, min: 0, doc: 'weight w_KL of the KL term' },
  klReduction: { kind: 'choice', default: 'sum', choices: KL_REDUCTIONS, doc: "per-sample KL values summed over the batch ('sum', official code) or averaged ('mean')" },
};

/**
 * The objective of a probabilistic U-Net as PULASki trains it: a segmentation loss plus the KL
 * divergence between the latent posterior and prior, weighted.
 *
 *     L = w_seg · segLoss + w_KL · Σ_b KL_b        (Σ → mean with klReduction: 'mean')
 *
 * The segmentation term makes the samples decoded from posterior latents match the annotations
 * (the Focal Tversky loss against a random rater for PULASki's baseline, `pulaskiSetLoss` for its
 * set distances); the KL term (`diagGaussianKL`) keeps the prior, which is sampled at test time,
 * close to the posterior. The official code uses w_seg = w_KL = 1 and sums the KL over the batch
 * and the latent dimensions (`kl_divergence(posterior, prior).sum()`); the original probabilistic
 * U-Net averages over the batch instead (`klReduction: 'mean'`).
 *
 * @param segLoss - The segmentation loss, a scalar (already reduced over the batch).
 * @param kl - KL per sample `[B]` (from `diagGaussianKL`), or a scalar.
 * @returns A scalar.
 *
 * @example
 * probUNetLoss(0.3, [0.5, 0.25], { klWeight: 2 }).print(); // 0.3 + 2·0.75 = 1.8
 *
 * @see S. A. A. Kohl et al., A Probabilistic U-Net for Segmentation of Ambiguous Images, NeurIPS
 * 2018, https://arxiv.org/abs/1806.05034; S. Chatterjee et al., PULASki: Learning inter-rater
 * variability using statistical distances to improve probabilistic segmentation, Medical Image
 * Analysis 2025, https://arxiv.org/abs/2312.15686
 */
function probUNetLoss_(segLoss: TensorInput, kl: TensorInput, options: ProbUNetLossOptions = {}): tf.Tensor {
  checkOptionKeys(NAME, options, Object.keys(PARAMS));
  checkOptions(NAME, PARAMS, options);
  const { segWeight = 1, klWeight = 1, klReduction = 'sum' } = options;
  const seg = toFloat(NAME, 'segLoss', segLoss);
  if (seg.size !== 1) fail(NAME, '`segLoss`', 'be a scalar (reduce the segmentation loss over the batch first)', `shape ${formatShape(seg.shape)}`);
  const k = toFloat(NAME, 'kl', kl);
  checkNotEmpty(NAME, 'kl', k);
  const klTerm = klReduction === 'sum' ? tf.sum(k) : tf.mean(k);
  return tf.add(tf.mul(segWeight, tf.reshape(seg, [])), tf.mul(klWeight, klTerm));
}

export const probUNetLoss = /* @__PURE__ */ tf.op({ probUNetLoss_ });
