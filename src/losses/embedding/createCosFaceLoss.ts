import type { TensorInput } from '../_shared/to-tensor.js';
import { type ClassWeightFactoryOptions, type ClassWeightLoss, createClassWeightLoss } from './class-weights.js';
import { COS_FACE_PARAMS, type CosFaceLossOptions, cosFaceValue } from './cosFaceLoss.js';

const NAME = 'createCosFaceLoss';

export interface CosFaceLossFactoryOptions extends ClassWeightFactoryOptions, Pick<CosFaceLossOptions, 'margin' | 'scale'> {}

/** What `getConfig()` returns: every option, defaults filled in where the factory has them. */
export interface CosFaceLossConfig extends CosFaceLossFactoryOptions {
  numClasses: number;
  embeddingSize: number;
  seed: number;
  [key: string]: unknown;
}

/**
 * The stateful form of {@link cosFaceLoss}: holds the class matrix `W` `[D, C]` as a trainable
 * `tf.Variable`, initialised from `seed` with N(0, 1), as the reference's `normal_` initialisation. `loss(labels, embeddings)` is
 * `cosFaceLoss` with this `W`; its gradient reaches the embeddings and `W`, so pass
 * `trainableVariables` to the optimiser with the model's (`optimizer.minimize(f, false, [...model, ...loss.trainableVariables])`).
 * `reset()` re-draws the initial `W`, `dispose()` frees it. Defaults: margin 0.35, scale 64, as
 * pytorch-metric-learning 2.8.1.
 *
 * @example
 * const head = createCosFaceLoss({ numClasses: 10, embeddingSize: 128 });
 * const value = head.loss(labels, embeddings); // inside optimizer.minimize
 * head.dispose();
 */
export function createCosFaceLoss(options: CosFaceLossFactoryOptions): ClassWeightLoss<CosFaceLossConfig> {
  const std = () => 1;
  return createClassWeightLoss<CosFaceLossFactoryOptions, CosFaceLossConfig>(NAME, COS_FACE_PARAMS, options, std, (labels: TensorInput, embeddings: TensorInput, w, callOptions) =>
    cosFaceValue(NAME, labels, embeddings, w, { ...pickDefined(options), ...callOptions }),
  );
}

/** The loss options the factory was given (not its own numClasses, embeddingSize, seed, reduction). */
function pickDefined(options: CosFaceLossFactoryOptions): CosFaceLossOptions {
  const { numClasses: _c, embeddingSize: _d, seed: _s, reduction: _r, ...rest } = options;
  return rest as CosFaceLossOptions;
}
