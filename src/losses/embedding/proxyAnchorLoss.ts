import * as tf from '@tensorflow/tfjs-core';
import { fail } from '../_shared/errors.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { readClassWeightInputs } from './class-weights.js';
import { maskedLogSumExp } from './logsumexp.js';
import { checkEmbeddingOptions, type EmbeddingReductionOptions, reduceTupleStats, sampleWeights } from './reduction.js';

const NAME = 'proxyAnchorLoss';

export interface ProxyAnchorLossOptions extends EmbeddingReductionOptions {
  /** The proxies `[D, C]`, one column per class (as the class weights of `arcFaceLoss`). Required. */
  proxies?: TensorInput;
  /** δ: margin on the cosine similarity. @defaultValue `0.1` */
  margin?: number;
  /** α > 0: scale of the similarities in the soft maxima. @defaultValue `32` */
  alpha?: number;
}

export const PROXY_ANCHOR_PARAMS: ParamSpecs = {
  margin: { kind: 'number', default: 0.1, doc: 'δ: margin on the cosine similarity' },
  alpha: { kind: 'number', default: 32, min: 0, exclusiveMin: true, doc: 'α: scale of the similarities' },
};

const PARAMS: ParamSpecs = {
  proxies: { kind: 'data', type: 'matrix [D, numClasses]', required: true, shape: 'embeddingByClass', doc: 'one proxy per class, as columns' },
  ...PROXY_ANCHOR_PARAMS,
};

/**
 * The proxy-anchor loss of a batch for given proxies `[D, C]`; shared with `createProxyAnchorLoss`.
 */
export function proxyAnchorValue(fn: string, labels: TensorInput, embeddings: TensorInput, proxies: unknown, options: ProxyAnchorLossOptions): tf.Tensor {
  const { margin = 0.1, alpha = 32 } = options;
  const { cosine, oneHot, labels: ids, numClasses } = readClassWeightInputs(fn, labels, embeddings, 'proxies', proxies);
  const w = sampleWeights(fn, ids.length, options.weights);
  const weightValues = w.dataSync();
  for (let i = 0; i < weightValues.length; i++) {
    const v = weightValues[i] as number;
    if (!(v >= 0)) fail(fn, 'every value of `weights`', 'be >= 0 (they multiply each sample’s terms)', `${v} at index ${i}`);
  }
  // Per proxy (a column of cos), over the samples of its class and over the others.
  const positiveCounts = tf.transpose(tf.mul(oneHot, tf.expandDims(w, 1))) as tf.Tensor2D;
  const negativeCounts = tf.transpose(tf.mul(tf.sub(1, oneHot), tf.expandDims(w, 1))) as tf.Tensor2D;
  const cosT = tf.transpose(cosine) as tf.Tensor2D;
  const posTerm = maskedLogSumExp(tf.mul(tf.sub(margin, cosT), alpha) as tf.Tensor2D, positiveCounts, true);
  const negTerm = maskedLogSumExp(tf.mul(tf.add(cosT, margin), alpha) as tf.Tensor2D, negativeCounts, true);
  const present = new Float32Array(numClasses);
  for (const y of ids) present[y] = 1;
  const stats = tf.stack([posTerm, tf.tensor1d(present), tf.sign(posTerm), negTerm, tf.ones([numClasses]), tf.sign(negTerm)], 1) as tf.Tensor2D;
  const { reduction } = options;
  return reduceTupleStats(fn, stats, reduction === undefined ? {} : { reduction });
}

/**
 * Proxy-anchor loss (Kim et al.) for given proxies: each class proxy is an anchor, and its
 * similarities to the whole batch enter two soft maxima. With cosine similarities s(x, p) of the
 * normalised embeddings and proxies, P⁺ the proxies of classes present in the batch, X_p⁺ (X_p⁻)
 * the samples of (not of) p's class, and per-sample weights w_x (default 1),
 *
 *     ℓ = (1/|P⁺|) Σ_{p∈P⁺} log(1 + Σ_{x∈X_p⁺} w_x e^(−α(s(x,p) − δ)))
 *       + (1/|P|)  Σ_{p∈P}  log(1 + Σ_{x∈X_p⁻} w_x e^(α(s(x,p) + δ)))
 *
 * Each proxy weighs the samples by how hard they are, so hard positives and negatives get most of
 * the gradient while the data–proxy pairs keep the cost linear in the batch. The proxies are
 * passed in, `[D, C]` with one column per class (pytorch-metric-learning stores them as rows, `[C, D]`:
 * transpose them); `createProxyAnchorLoss` keeps them as a trainable variable.
 *
 * Reduction: `'mean'` (default) is the formula above (pytorch-metric-learning's `DivisorReducer`);
 * `'meanNonZero'` divides each sum by its number of proxies with a term > 0; `'sum'` adds the terms
 * of every proxy; `'none'` gives, per proxy, its positive plus its negative term, `[C]`. `weights`
 * multiply a sample's exponential terms (weight 0 leaves it out), as pytorch-metric-learning 3.x
 * applies miner weights (2.x multiplied them by e^(w − 1), which kept a weight-0 sample at e^(−1)).
 * Defaults equal pytorch-metric-learning 2.8.1's `ProxyAnchorLoss` (margin 0.1, α 32, cosine
 * similarity), unchanged in 3.x.
 *
 * @param labels - Integer class indices `[N]` in [0, C).
 * @param embeddings - Embeddings `[N, D]`.
 * @returns A scalar, or `[C]` with `reduction: 'none'`.
 *
 * @example
 * proxyAnchorLoss([0, 1], [[1, 0], [0, 1]], { proxies: [[1, 0], [0, 1]] }).print(); // 3.239953: each negative term log(1 + e^(32·0.1))
 *
 * @see S. Kim, D. Kim, M. Cho, S. Kwak, "Proxy Anchor Loss for Deep Metric Learning", CVPR 2020,
 *   https://arxiv.org/abs/2003.13911 (defaults: pytorch-metric-learning 2.8.1, `losses.ProxyAnchorLoss`).
 */
function proxyAnchorLoss_(labels: TensorInput, embeddings: TensorInput, options: ProxyAnchorLossOptions = {}): tf.Tensor {
  checkEmbeddingOptions(NAME, PARAMS, options);
  return proxyAnchorValue(NAME, labels, embeddings, options.proxies, options);
}

export const proxyAnchorLoss = /* @__PURE__ */ tf.op({ proxyAnchorLoss_ });

export const proxyAnchorLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: 'proxyAnchorLoss',
  family: 'embedding',
  summary: 'Proxy-anchor loss: each class proxy weighs the batch’s samples by hardness in two soft maxima',
  formula: 'ℓ = (1/|P⁺|) Σ_p log(1 + Σ_{x∈X_p⁺} e^(−α(s−δ))) + (1/|P|) Σ_p log(1 + Σ_{x∈X_p⁻} e^(α(s+δ)))',
  fn: proxyAnchorLoss,
  target: 'embeddingLabels',
  prediction: 'embedding',
  tasks: ['embedding'],
  params: PARAMS,
  properties: ['nonNegative', 'scaleInvariant', 'batchCoupled', 'meanOverTuples'],
  reference:
    'S. Kim, D. Kim, M. Cho, S. Kwak, "Proxy Anchor Loss for Deep Metric Learning", CVPR 2020, https://arxiv.org/abs/2003.13911; defaults of pytorch-metric-learning 2.8.1 ProxyAnchorLoss',
};
