import './register-gradients.js';

export { LossInputError } from './losses/_shared/errors.js';
export type { Reduction, ReductionOptions } from './losses/_shared/reduction.js';
export type { LossSpec, FunctionLossSpec, FactoryLossSpec, ParamSpec, StatefulLoss } from './losses/_shared/spec.js';
export type { TensorInput } from './losses/_shared/to-tensor.js';
export { safeNorm, logSigmoid } from './losses/_shared/numerics.js';
export { registry, getLoss } from './registry.js';
export * as metrics from './metrics/index.js';

export { softmaxCrossEntropy, type SoftmaxCrossEntropyOptions } from './losses/classification/softmaxCrossEntropy.js';
export { compSumLoss, type CompSumLossOptions } from './losses/classification/compSumLoss.js';
export { generalizedCrossEntropy, type GeneralizedCrossEntropyOptions } from './losses/classification/generalizedCrossEntropy.js';
export { smoothAdversarialCompSumLoss, type SmoothAdversarialCompSumLossOptions } from './losses/classification/smoothAdversarialCompSumLoss.js';
export { zLoss, zNormalize, type ZLossOptions, type ZNormalizeOptions } from './losses/classification/zLoss.js';
export { sigmoidCrossEntropy, type SigmoidCrossEntropyOptions } from './losses/classification/sigmoidCrossEntropy.js';
export { sigmoidFocalLoss, type SigmoidFocalLossOptions } from './losses/classification/sigmoidFocalLoss.js';
export { softmaxFocalLoss, type SoftmaxFocalLossOptions } from './losses/classification/softmaxFocalLoss.js';
export { hingeLoss, type HingeLossOptions } from './losses/classification/hingeLoss.js';
export { exponentialLoss, type ExponentialLossOptions } from './losses/classification/exponentialLoss.js';
export { ldrKlLoss, type LdrKlLossOptions } from './losses/classification/ldrKlLoss.js';
export { createAldrKlLoss, type AldrKlLossOptions, type AldrKlLoss } from './losses/classification/createAldrKlLoss.js';
export { ensLoss, type EnsLossOptions } from './losses/classification/ensLoss.js';
export { anyLoss, softConfusion, type AnyLossOptions, type AnyLossMetric, type ConfusionScore, type SoftConfusion, type SoftConfusionOptions } from './losses/classification/anyLoss.js';
export { mannWhitneyLoss, type MannWhitneyLossOptions } from './losses/ranking/mannWhitneyLoss.js';
