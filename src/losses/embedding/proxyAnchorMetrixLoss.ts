import * as tf from '@tensorflow/tfjs-core';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import { type TensorInput, toFloat } from '../_shared/to-tensor.js';
import { readClassWeightInputs } from './class-weights.js';
import { normalizeRows } from './distances.js';
import { maskedLogSumExp } from './logsumexp.js';
import { drawLambda, METRIX_PARAMS, mixingStream } from './metrix.js';
import { PROXY_ANCHOR_PARAMS, proxyAnchorValue } from './proxyAnchorLoss.js';
import { checkEmbeddingOptions, type EmbeddingReductionOptions, reduceTupleStats, sampleWeights } from './reduction.js';

const NAME = 'proxyAnchorMetrixLoss';

export interface ProxyAnchorMetrixLossOptions extends EmbeddingReductionOptions {
  /** The proxies `[D, C]`, one column per class (as `proxyAnchorLoss`'s). Required. */
  proxies?: TensorInput;
  /** δ: margin on the cosine similarity. @defaultValue `0.1` */
  margin?: number;
  /** α > 0: scale of the similarities in the soft maxima. @defaultValue `32` */
  alpha?: number;
  /** w >= 0: weight of the mixed term. @defaultValue `0.4` */
  mixWeight?: number;
  /** α > 0 of the mixing coefficient's Beta(α, α). @defaultValue `2` */
  mixAlpha?: number;
  /** λ in [0, 1], fixed; without it λ ~ Beta(mixAlpha, mixAlpha) is drawn once per call. */
  lambda?: number;
  /** Seed (integer in [0, 2^32 − 1]) of λ; without it each call continues one module-wide stream. */
  seed?: number;
}

const { pairs: _pairs, positives: _positives, ...MIX_PARAMS } = METRIX_PARAMS;

const PARAMS: ParamSpecs = {
  proxies: { kind: 'data', type: 'matrix [D, numClasses]', required: true, shape: 'embeddingByClass', doc: 'one proxy per class, as columns' },
  ...PROXY_ANCHOR_PARAMS,
  ...MIX_PARAMS,
};

/**
 * Proxy-anchor loss with Metrix (mixup for metric learning): the proxy-anchor loss of the batch
 * plus w times its generalised form on mixtures of sample pairs of different classes, whose
 * positivity towards each proxy is interpolated. For every pair i < j with y_i ≠ y_j, the mixture
 * x̃ = λ x_i + (1 − λ) x_j has positivity y_c(x̃) = λ·[y_i = c] + (1 − λ)·[y_j = c] towards proxy c, and
 * with s the cosine similarity (the mixture normalised after mixing),
 *
 *     ℓ̃ = (1/|P̃⁺|) Σ_{c∈P̃⁺} log(1 + Σ_x̃ y_c(x̃) e^(−α(s(x̃,c) − δ)))
 *        + (1/|P|)   Σ_{c∈P}   log(1 + Σ_x̃ (1 − y_c(x̃)) e^(α(s(x̃,c) + δ)))
 *     ℓ  = proxyAnchorLoss + w ℓ̃
 *
 * with P̃⁺ the proxies some mixture is positive for. A mixture is a partial positive of the two
 * classes it mixes and a negative of every other, so the proxies are also trained on the space
 * between classes. The paper names Proxy-Anchor among the losses Metrix extends, but its released
 * code has no such variant: the mixtures (every pair of different classes, one λ ~ Beta(2, 2) per
 * call) are this library's reading of the paper's generalised form. `weights` w_i multiply sample
 * i's terms, as in `proxyAnchorLoss`, and a mixture's terms by w_i·w_j.
 *
 * Reduction: as `proxyAnchorLoss` for each part, the parts added: `'none'` gives per proxy its
 * clean plus w times its mixed terms, `[C]`.
 *
 * @param labels - Integer class indices `[N]` in [0, C).
 * @param embeddings - Embeddings `[N, D]`.
 * @returns A scalar, or `[C]` with `reduction: 'none'`.
 *
 * @see S. Venkataramanan, B. Psomas, E. Kijak, L. Amsaleg, K. Karantzalos, Y. Avrithis, "It Takes Two
 *   to Tango: Mixup for Deep Metric Learning", ICLR 2022, https://arxiv.org/abs/2106.04990;
 *   S. Kim, D. Kim, M. Cho, S. Kwak, "Proxy Anchor Loss for Deep Metric Learning", CVPR 2020,
 *   https://arxiv.org/abs/2003.13911.
 */
function proxyAnchorMetrixLoss_(labels: TensorInput, embeddings: TensorInput, options: ProxyAnchorMetrixLossOptions = {}): tf.Tensor {
  checkEmbeddingOptions(NAME, PARAMS, options);
  const { margin = 0.1, alpha = 32, mixWeight = 0.4, mixAlpha = 2, reduction, weights } = options;
  const random = mixingStream(NAME, options.seed);
  const lambda = drawLambda(NAME, options.lambda, mixAlpha, random);
  const clean = proxyAnchorValue(NAME, labels, embeddings, options.proxies, { margin, alpha, ...(reduction === undefined ? {} : { reduction }), ...(weights === undefined ? {} : { weights }) });
  const { labels: ids, numClasses } = readClassWeightInputs(NAME, labels, embeddings, 'proxies', options.proxies);
  const n = ids.length;
  const w = sampleWeights(NAME, n, weights).dataSync();
  const rows: number[] = [];
  const cols: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (ids[i] === ids[j]) continue;
      rows.push(i);
      cols.push(j);
    }
  }
  const k = rows.length;
  if (k === 0) return clean; // one class: no mixture
  // Mixing matrix [K, N], positivity Y [K, C] and each mixture's weight.
  const mixing = new Float32Array(k * n);
  const positive = new Float32Array(numClasses * k);
  const negative = new Float32Array(numClasses * k);
  const present = new Float32Array(numClasses);
  for (let t = 0; t < k; t++) {
    const i = rows[t] as number;
    const j = cols[t] as number;
    mixing[t * n + i] = lambda;
    mixing[t * n + j] = 1 - lambda;
    const v = (w[i] as number) * (w[j] as number);
    for (let c = 0; c < numClasses; c++) {
      const y = (ids[i] === c ? lambda : 0) + (ids[j] === c ? 1 - lambda : 0);
      positive[c * k + t] = y * v;
      negative[c * k + t] = (1 - y) * v;
      if (y * v > 0) present[c] = 1;
    }
  }
  const x = toFloat(NAME, 'embeddings', embeddings) as tf.Tensor2D;
  const mixedEmbeddings = normalizeRows(tf.matMul(tf.tensor2d(mixing, [k, n]), x) as tf.Tensor2D);
  const columns = normalizeRows(tf.transpose(toFloat(NAME, 'proxies', options.proxies as TensorInput)) as tf.Tensor2D);
  const cosT = tf.matMul(columns, mixedEmbeddings, false, true) as tf.Tensor2D; // [C, K]
  const posTerm = maskedLogSumExp(tf.mul(tf.sub(margin, cosT), alpha) as tf.Tensor2D, tf.tensor2d(positive, [numClasses, k]), true);
  const negTerm = maskedLogSumExp(tf.mul(tf.add(cosT, margin), alpha) as tf.Tensor2D, tf.tensor2d(negative, [numClasses, k]), true);
  const stats = tf.stack([posTerm, tf.tensor1d(present), tf.sign(posTerm), negTerm, tf.ones([numClasses]), tf.sign(negTerm)], 1) as tf.Tensor2D;
  const mixed = reduceTupleStats(NAME, stats, reduction === undefined ? {} : { reduction });
  return tf.add(clean, tf.mul(mixed, mixWeight));
}

export const proxyAnchorMetrixLoss = /* @__PURE__ */ tf.op({ proxyAnchorMetrixLoss_ });

export const proxyAnchorMetrixLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: 'proxyAnchorMetrixLoss',
  family: 'embedding',
  summary: 'Proxy-anchor loss plus Metrix: its generalised form on mixtures of samples of different classes',
  formula: 'ℓ = PA + w[(1/|P̃⁺|) Σ_c log(1 + Σ_x̃ y_c e^(−α(s−δ))) + (1/|P|) Σ_c log(1 + Σ_x̃ (1−y_c) e^(α(s+δ)))]',
  fn: proxyAnchorMetrixLoss,
  target: 'embeddingLabels',
  prediction: 'embedding',
  tasks: ['embedding'],
  params: PARAMS,
  properties: ['nonNegative', 'scaleInvariant', 'batchCoupled', 'stochastic', 'meanOverTuples'],
  reference:
    'S. Venkataramanan, B. Psomas, E. Kijak, L. Amsaleg, K. Karantzalos, Y. Avrithis, "It Takes Two to Tango: Mixup for Deep Metric Learning", ICLR 2022, https://arxiv.org/abs/2106.04990',
  seed: 8,
};
