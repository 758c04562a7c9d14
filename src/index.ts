import './register-gradients.js';

export { LossInputError } from './losses/_shared/errors.js';
export type { Reduction, ReductionOptions } from './losses/_shared/reduction.js';
export type { LossSpec, FunctionLossSpec, FactoryLossSpec, ParamSpec, StatefulLoss } from './losses/_shared/spec.js';
export type { TensorInput } from './losses/_shared/to-tensor.js';
export { safeNorm, logSigmoid } from './losses/_shared/numerics.js';
export { registry, getLoss } from './registry.js';

export { softmaxCrossEntropy, type SoftmaxCrossEntropyOptions } from './losses/classification/softmaxCrossEntropy.js';
