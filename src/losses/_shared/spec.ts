import type * as tf from '@tensorflow/tfjs-core';
import type { TensorInput } from './to-tensor.js';

/** A numeric option: its default, its allowed range and a one-line doc. */
export interface NumberParam {
  kind: 'number';
  default: number;
  min?: number;
  max?: number;
  /** The bound itself is excluded: `min: 0, exclusiveMin: true` reads "> 0". */
  exclusiveMin?: boolean;
  exclusiveMax?: boolean;
  integer?: boolean;
  doc: string;
}

/** An option that takes one of a few strings (or, for `custom`, a user function too). */
export interface ChoiceParam {
  kind: 'choice';
  default: string;
  choices: readonly string[];
  /** A function is accepted besides the listed strings (anyLoss's custom score). */
  allowsFunction?: boolean;
  doc: string;
}

export interface BooleanParam {
  kind: 'boolean';
  default: boolean;
  doc: string;
}

/** An option that holds data (class weights, a second set of logits, a seed); checked by the loss. */
export interface DataParam {
  kind: 'data';
  /** What it holds, in words, for `losskit info` and the docs. */
  type: string;
  default?: number | null;
  /** The loss cannot run without it. */
  required?: boolean;
  /** `'likePrediction'`: a tensor of yPred's shape (e.g. adversarial logits), which callers must supply. */
  shape?: 'likePrediction' | 'embeddingByClass' | 'rowLabels' | 'classRows'; // embeddingByClass: [D, numClasses], one column per class
  // rowLabels: integer class indices [N], one per row of yPred, in [0, C) with C = yPred's last dimension
  // classRows: [numClasses, D], one row per class of yTrue's labels, D = yPred's last dimension
  doc: string;
}

export type ParamSpec = NumberParam | ChoiceParam | BooleanParam | DataParam;
export type ParamSpecs = Readonly<Record<string, ParamSpec>>;

/** What `yTrue` holds. */
export type TargetKind =
  | 'classIndex' // integer class indices [N] (or one-hot / soft rows of the logits' shape)
  | 'binary' // {0,1} (or soft in [0,1]) of the scores' shape
  | 'mask' // segmentation masks, channels-last: [N,H,W] binary (or integer class masks / one-hot [N,H,W,C])
  | 'embeddingLabels' // one class label per embedding [N] (or label rows [N,L] with a labelSimilarity)
  | 'teacherLogits' // a teacher's logits of the (student) logits' shape [N,C], for distillation
  | 'view' // the first view's embeddings [N,D] of a two-view loss, row i paired with row i of yPred
  | 'real'; // real-valued regression targets of the predictions' shape: [N] or [N,D]

/** What `yPred` holds. */
export type PredictionKind = 'logits' | 'binaryLogits' | 'probability' | 'score' | 'embedding' | 'real'; // embedding: [N,D] rows; real: regression outputs [N] or [N,D]

/** The learning tasks the arena may use a loss for. */
export type Task = 'binary' | 'multiclass' | 'regression' | 'segmentation' | 'embedding';

export type Property =
  | 'nonNegative' // every per-sample value is >= 0
  | 'shiftInvariant' // adding a constant to every logit of a row changes nothing
  | 'scaleInvariant' // multiplying the logits by a positive constant changes nothing
  | 'batchCoupled' // a sample's value depends on the other samples of the batch
  | 'gradientSurrogate' // only the gradient has meaning; the value is not a loss
  | 'stochastic' // draws random numbers (seedable)
  | 'meanOverTuples'; // 'mean' averages over tuples (pairs, triplets, proxies), not over the rows of 'none'

/** A loss the arena trains with: call it on a batch. `sampleIds` index per-sample state. */
export type LossFn = (
  yTrue: TensorInput,
  yPred: TensorInput,
  options?: Record<string, unknown>,
  sampleIds?: tf.Tensor,
) => tf.Tensor;

/** An object made by a `createX` factory: a loss with state. */
export interface StatefulLoss {
  loss(yTrue: TensorInput, yPred: TensorInput, sampleIds: TensorInput): tf.Tensor;
  reset(): void;
  dispose(): void;
  getConfig(): Record<string, unknown>;
}

interface LossSpecBase {
  /** Equals the export name, the file name and the CLI value. */
  id: string;
  family: 'classification' | 'ranking' | 'segmentation' | 'embedding' | 'regression' | 'distillation' | 'calibration';
  /** One line for `losskit list`. */
  summary: string;
  /** The math, in plain text, for `losskit info` and the README. */
  formula: string;
  target: TargetKind;
  prediction: PredictionKind;
  tasks: readonly Task[];
  params: ParamSpecs;
  properties: readonly Property[];
  /** Authors, title, venue, year and link. */
  reference: string;
  /** Number of the paper in the seed list, where the loss comes from one. */
  seed?: number;
}

/** A plain function of `(yTrue, yPred, options)`. */
export interface FunctionLossSpec extends LossSpecBase {
  kind: 'function';
  fn: (yTrue: TensorInput, yPred: TensorInput, options?: never) => tf.Tensor;
}

/** A `createX(options)` factory whose object keeps per-sample state. */
export interface FactoryLossSpec extends LossSpecBase {
  kind: 'factory';
  /** `numSamples` is the size of the data set the sample ids index into. */
  create: (options: Record<string, unknown> & { numSamples: number }) => StatefulLoss;
}

export type LossSpec = FunctionLossSpec | FactoryLossSpec;

/** The registry's view of a loss function: any options object, checked by the loss itself. */
export type AnyOptionsLoss = (yTrue: TensorInput, yPred: TensorInput, options?: Record<string, unknown>) => tf.Tensor;

/** Calls a registered loss with options whose types the registry checks at run time. */
export function asAnyOptions(spec: FunctionLossSpec): AnyOptionsLoss {
  return spec.fn as unknown as AnyOptionsLoss;
}
