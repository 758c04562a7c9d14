import type { TensorInput } from '../_shared/to-tensor.js';
import { type ClassWeightFactoryOptions, type ClassWeightLoss, createClassWeightLoss } from './class-weights.js';
import { PROXY_ANCHOR_PARAMS, type ProxyAnchorLossOptions, proxyAnchorValue } from './proxyAnchorLoss.js';

const NAME = 'createProxyAnchorLoss';

export interface ProxyAnchorLossFactoryOptions extends ClassWeightFactoryOptions, Pick<ProxyAnchorLossOptions, 'margin' | 'alpha'> {}

/** What `getConfig()` returns: every option, defaults filled in where the factory has them. */
export interface ProxyAnchorLossConfig extends ProxyAnchorLossFactoryOptions {
  numClasses: number;
  embeddingSize: number;
  seed: number;
  [key: string]: unknown;
}

/**
 * The stateful form of {@link proxyAnchorLoss}: holds the class matrix `W` `[D, C]` as a trainable
 * `tf.Variable`, initialised from `seed` with N(0, 2/C) draws (variance 2/C), the reference's Kaiming-normal (fan-out) initialisation of its [C, D] proxies. `loss(labels, embeddings)` is
 * `proxyAnchorLoss` with this `W`; its gradient reaches the embeddings and `W`, so pass
 * `trainableVariables` to the optimiser with the model's (`optimizer.minimize(f, false, [...model, ...loss.trainableVariables])`).
 * `reset()` re-draws the initial `W`, `dispose()` frees it. Defaults: margin 0.1, α 32, as
 * pytorch-metric-learning 2.8.1.
 *
 * @example
 * const head = createProxyAnchorLoss({ numClasses: 10, embeddingSize: 128 });
 * const value = head.loss(labels, embeddings); // inside optimizer.minimize
 * head.dispose();
 */
export function createProxyAnchorLoss(options: ProxyAnchorLossFactoryOptions): ClassWeightLoss<ProxyAnchorLossConfig> {
  const std = (numClasses: number) => Math.sqrt(2 / numClasses);
  return createClassWeightLoss<ProxyAnchorLossFactoryOptions, ProxyAnchorLossConfig>(NAME, PROXY_ANCHOR_PARAMS, options, std, (labels: TensorInput, embeddings: TensorInput, w, callOptions) =>
    proxyAnchorValue(NAME, labels, embeddings, w, { ...pickDefined(options), ...callOptions }),
  );
}

/** The loss options the factory was given (not its own numClasses, embeddingSize, seed, reduction). */
function pickDefined(options: ProxyAnchorLossFactoryOptions): ProxyAnchorLossOptions {
  const { numClasses: _c, embeddingSize: _d, seed: _s, reduction: _r, ...rest } = options;
  return rest as ProxyAnchorLossOptions;
}
