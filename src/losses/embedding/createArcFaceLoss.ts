import type { TensorInput } from '../_shared/to-tensor.js';
import { type ClassWeightFactoryOptions, type ClassWeightLoss, createClassWeightLoss } from './class-weights.js';
import { ARC_FACE_PARAMS, type ArcFaceLossOptions, arcFaceValue } from './arcFaceLoss.js';

const NAME = 'createArcFaceLoss';

export interface ArcFaceLossFactoryOptions extends ClassWeightFactoryOptions, Pick<ArcFaceLossOptions, 'margin' | 'scale'> {}

/** What `getConfig()` returns: every option, defaults filled in where the factory has them. */
export interface ArcFaceLossConfig extends ArcFaceLossFactoryOptions {
  numClasses: number;
  embeddingSize: number;
  seed: number;
  [key: string]: unknown;
}

/**
 * The stateful form of {@link arcFaceLoss}: holds the class matrix `W` `[D, C]` as a trainable
 * `tf.Variable`, initialised from `seed` with N(0, 1), as the reference's `normal_` initialisation. `loss(labels, embeddings)` is
 * `arcFaceLoss` with this `W`; its gradient reaches the embeddings and `W`, so pass
 * `trainableVariables` to the optimiser with the model's (`optimizer.minimize(f, false, [...model, ...loss.trainableVariables])`).
 * `reset()` re-draws the initial `W`, `dispose()` frees it. Defaults: margin 28.6 (degrees), scale 64, as
 * pytorch-metric-learning 2.8.1.
 *
 * @example
 * const head = createArcFaceLoss({ numClasses: 10, embeddingSize: 128 });
 * const value = head.loss(labels, embeddings); // inside optimizer.minimize
 * head.dispose();
 */
export function createArcFaceLoss(options: ArcFaceLossFactoryOptions): ClassWeightLoss<ArcFaceLossConfig> {
  const std = () => 1;
  return createClassWeightLoss<ArcFaceLossFactoryOptions, ArcFaceLossConfig>(NAME, ARC_FACE_PARAMS, options, std, (labels: TensorInput, embeddings: TensorInput, w, callOptions) =>
    arcFaceValue(NAME, labels, embeddings, w, { ...pickDefined(options), ...callOptions }),
  );
}

/** The loss options the factory was given (not its own numClasses, embeddingSize, seed, reduction). */
function pickDefined(options: ArcFaceLossFactoryOptions): ArcFaceLossOptions {
  const { numClasses: _c, embeddingSize: _d, seed: _s, reduction: _r, ...rest } = options;
  return rest as ArcFaceLossOptions;
}
