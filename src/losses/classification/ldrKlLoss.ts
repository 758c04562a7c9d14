import * as tf from '@tensorflow/tfjs-core';
import { CLASS_TARGET_PARAMS, type ClassTargetOptions, classTargets } from '../_shared/class-targets.js';
import { checkOneHotRows } from '../_shared/one-hot.js';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import type { FunctionLossSpec, ParamSpec, ParamSpecs } from '../_shared/spec.js';
import { type TensorInput, toTensor } from '../_shared/to-tensor.js';
import { checkOptions } from '../_shared/validate.js';

const NAME = 'ldrKlLoss';

/** How the logits are rescaled before the LDR-KL formula. */
export const LDR_NORMALIZATIONS = ['none', 'softplusMean', 'l1Mean'] as const;
export type LdrNormalize = (typeof LDR_NORMALIZATIONS)[number];

export interface LdrKlLossOptions extends ReductionOptions {
  /** λ > 0: strength of the KL regulariser (the temperature of the worst-case label distribution). @defaultValue `1` */
  lambda?: number;
  /** c >= 0: margin added to every wrong class, δ_k = c·1[k ≠ y]. @defaultValue `0.1` */
  margin?: number;
  /**
   * Rescaling of the logits f before the formula: `'none'` uses f; `'softplusMean'` uses
   * softplus(f) / mean_k softplus(f) (what the authors' code does for LDR-KL); `'l1Mean'` uses
   * f / mean_k |f_k| (what their code does for ALDR-KL). @defaultValue `'none'`
   */
  normalize?: LdrNormalize;
  /** Per-class weights `[C]`: sample i is weighted by `classWeights[y_i]`. */
  classWeights?: ClassTargetOptions['classWeights'];
}

const PARAMS: ParamSpecs = {
  lambda: { kind: 'number', default: 1, min: 0, exclusiveMin: true, doc: 'λ: KL regularisation strength (temperature); → 0 gives Crammer–Singer, → ∞ the mean of d' },
  margin: { kind: 'number', default: 0.1, min: 0, doc: 'c: margin added to every wrong class' },
  normalize: {
    kind: 'choice',
    default: 'none',
    choices: LDR_NORMALIZATIONS,
    doc: "logit rescaling: 'none'; 'softplusMean' = softplus(f)/mean softplus(f) (the official LDR code); 'l1Mean' = f/mean|f| (the official ALDR code)",
  },
  classWeights: CLASS_TARGET_PARAMS.classWeights as ParamSpec,
};

/**
 * A per-row mean `[N, 1]` of non-negative values, replaced by 1 where it is 0, so an all-zero row
 * stays zero instead of NaN: m + 1 − sign(m). Built from sign (gradient 0) rather than a comparison,
 * which has no gradient in tfjs and would break the tape.
 */
function safeRowMean(x: tf.Tensor2D): tf.Tensor2D {
  const m = tf.mean(x, 1, true);
  return tf.sub(tf.add(m, 1), tf.sign(m)) as tf.Tensor2D;
}

/**
 * Rescales logits `[N, K]` row by row: `'softplusMean'` s = softplus(f) / mean_k softplus(f),
 * `'l1Mean'` s = f / mean_k |f_k|, `'none'` s = f. A row whose mean is 0 (all-zero logits for
 * `'l1Mean'`, logits below about −104 for `'softplusMean'`, where softplus underflows) maps to zeros.
 */
export function normalizeLdrScores(f: tf.Tensor2D, mode: LdrNormalize): tf.Tensor2D {
  switch (mode) {
    case 'none':
      return f;
    case 'softplusMean': {
      const sp = tf.softplus(f) as tf.Tensor2D;
      return tf.div(sp, safeRowMean(sp));
    }
    case 'l1Mean':
      return tf.div(f, safeRowMean(tf.abs(f) as tf.Tensor2D));
  }
}

/**
 * Per-sample LDR-KL values `[N]` of scores s `[N, K]` against one-hot targets t, margin c and
 * λ (a number, or one λ per sample `[N]`):
 *
 *     d_k = c (1 − t_k) + s_k − Σ_j t_j s_j,   m = max_k d_k
 *     ψ   = λ (log mean_k exp(d_k/λ)) = m + λ log1p(mean_k expm1((d_k − m)/λ))
 *
 * The expm1 / log1p form keeps float32 accuracy when λ is large and d/λ is small, where
 * λ·(LSE(d/λ) − log K) would lose the result to cancellation. That relies on the backend's log1p:
 * the cpu backend's is accurate; the wasm backend's is log(1 + x), which leaves an absolute error
 * of about λ·1e-8 (1e-4 at λ = 1e4; the gradient is unaffected).
 */
export function ldrKlValues(s: tf.Tensor2D, t: tf.Tensor2D, margin: number, lambda: number | tf.Tensor1D): tf.Tensor1D {
  const sy = tf.sum(tf.mul(t, s), 1, true);
  const d = tf.add(tf.mul(tf.sub(1, t), margin), tf.sub(s, sy));
  const m = tf.max(d, 1, true);
  const lam = typeof lambda === 'number' ? lambda : tf.expandDims(lambda, 1);
  const logMeanExp = tf.log1p(tf.mean(tf.expm1(tf.div(tf.sub(d, m), lam)), 1, true));
  return tf.reshape(tf.add(m, tf.mul(lam, logMeanExp)), [s.shape[0]]) as tf.Tensor1D;
}

/**
 * LDR-KL loss, the label-distributionally-robust loss with a KL regulariser (Zhu, Ying & Yang).
 *
 * With scores s (the logits f, rescaled by `normalize`), margin c, K classes and true class y, per sample:
 *
 *     ψ_λ(s, y) = max_{p ∈ Δ_K} Σ_k p_k d_k − λ KL(p ‖ uniform),   d_k = c·1[k ≠ y] + s_k − s_y
 *               = λ (log Σ_k exp(d_k/λ) − log K)
 *     ∂ψ/∂s     = p* − e_y,   p* = softmax(d/λ)        (the worst-case label distribution)
 *
 * Limits: λ → 0 gives the Crammer–Singer loss max_k d_k; λ → ∞ gives the linear mean_k d_k; with
 * c = 0 it equals λ·CE(s/λ) − λ log K, the temperature-scaled cross-entropy shifted by a constant.
 * The value lies above −λ log K (the k = y term alone) and is often negative. The gradient
 * p* − e_y has the cross-entropy's form but a worst-case p* that the margin and λ keep spread over
 * the classes; with a bounded `normalize` this bounds each sample's pull, the source of the loss's
 * robustness to label noise.
 *
 * `normalize` is not part of the paper's formula: the authors' code (`LDRLoss_V1`) applies
 * `'softplusMean'` before it and their ALDR code applies `'l1Mean'`; the default here is the plain
 * formula `'none'`. The reference values of the code's settings are reproduced in the tests.
 *
 * Computed as m + λ log1p(mean_k expm1((d_k − m)/λ)), m = max_k d_k: finite for logits of ±1e4
 * and any λ > 0, and accurate in float32 for large λ (on the cpu backend; see `ldrKlValues` for wasm).
 * A row whose normalisation mean is 0 maps to zeros.
 *
 * @param yTrue - Class indices `[N]` (or `[N, 1]`), or one-hot rows `[N, C]` (soft targets are rejected:
 *   the loss is defined by a single true class).
 * @param logits - Unnormalised scores `[N, C]`, C >= 2.
 * @returns A scalar, or `[N]` with `reduction: 'none'`.
 *
 * @example
 * ldrKlLoss([0, 2, 1], [[2, 0.5, -1], [0.1, 0.2, 0.3], [-0.5, 1.5, 0]]).print(); // -0.544040
 *
 * @see D. Zhu, Y. Ying, T. Yang, "Label Distributionally Robust Losses for Multi-class Classification:
 *   Consistency, Robustness and Adaptivity", ICML 2023, https://arxiv.org/abs/2112.14869
 *   (official code: github.com/Optimization-AI/ICML2023_LDR, `loss.py`, `LDRLoss_V1`).
 */
function ldrKlLoss_(yTrue: TensorInput, logits: TensorInput, options: LdrKlLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { lambda = 1, margin = 0.1, normalize = 'none', classWeights } = options;
  const $yTrue = toTensor(NAME, 'yTrue', yTrue);
  const { logits: f, hardTargets, sampleWeights } = classTargets(NAME, $yTrue, logits, classWeights === undefined ? {} : { classWeights });
  if ($yTrue.rank === 2 && $yTrue.shape[1] !== 1) checkOneHotRows(NAME, 'yTrue', hardTargets);
  const losses = ldrKlValues(normalizeLdrScores(f, normalize), hardTargets, margin, lambda);
  return reduce(NAME, losses, options, sampleWeights);
}

export const ldrKlLoss = /* @__PURE__ */ tf.op({ ldrKlLoss_ });

export const ldrKlLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: 'ldrKlLoss',
  family: 'classification',
  summary: 'Label-distributionally-robust loss with KL regulariser (LDR-KL); value may be negative',
  formula: 'ψ = λ (log Σ_k exp(d_k/λ) − log K),  d_k = c·1[k≠y] + s_k − s_y,  s = normalize(f)',
  fn: ldrKlLoss,
  target: 'classIndex',
  prediction: 'logits',
  tasks: ['binary', 'multiclass'],
  params: PARAMS,
  // shiftInvariant holds for normalize 'none' (the default) only.
  properties: ['shiftInvariant'],
  reference:
    'D. Zhu, Y. Ying, T. Yang, "Label Distributionally Robust Losses for Multi-class Classification: Consistency, Robustness and Adaptivity", ICML 2023, https://arxiv.org/abs/2112.14869',
  seed: 6,
};
