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
export type { Aggregate, SegmentationMode } from './losses/_shared/segmentation.js';
export { diceLoss, type DiceLossOptions } from './losses/segmentation/diceLoss.js';
export { jaccardLoss, type JaccardLossOptions } from './losses/segmentation/jaccardLoss.js';
export { tverskyLoss, type TverskyLossOptions } from './losses/segmentation/tverskyLoss.js';
export { focalTverskyLoss, type FocalTverskyLossOptions } from './losses/segmentation/focalTverskyLoss.js';
export { generalizedDiceLoss, type GeneralizedDiceLossOptions } from './losses/segmentation/generalizedDiceLoss.js';
export { diceCrossEntropyLoss, type DiceCrossEntropyLossOptions } from './losses/segmentation/diceCrossEntropyLoss.js';
export { softSkeleton, type SoftSkeletonOptions } from './losses/segmentation/softSkeleton.js';
export { clDiceLoss, type ClDiceLossOptions } from './losses/segmentation/clDiceLoss.js';
export { skeletonRecallLoss, type SkeletonRecallLossOptions } from './losses/segmentation/skeletonRecallLoss.js';
export { rwLoss, type RwLossOptions } from './losses/segmentation/rwLoss.js';
export { warpingLoss, type WarpingLossOptions, type WarpingPixelLoss } from './losses/segmentation/warpingLoss.js';
export { cbDiceLoss, type CbDiceLossOptions } from './losses/segmentation/cbDiceLoss.js';
export { branchDisagreementLoss, type BranchDisagreementLossOptions, type BranchDistance, type BranchStopGradient } from './losses/segmentation/branchDisagreementLoss.js';
export { pulaskiSetLoss, type PulaskiSetLossOptions, type PulaskiDistance } from './losses/segmentation/pulaskiSetLoss.js';
export { energyDistanceSamples, type EnergyDistanceSamplesOptions } from './losses/segmentation/energyDistanceSamples.js';
export { sinkhornDivergenceSamples, type SinkhornDivergenceSamplesOptions } from './losses/segmentation/sinkhornDivergenceSamples.js';
export { diagGaussianKL } from './losses/segmentation/diagGaussianKL.js';
export { probUNetLoss, type ProbUNetLossOptions, type KlReduction } from './losses/segmentation/probUNetLoss.js';
export { dualBranchSupervisedLoss, type DualBranchSupervisedLossOptions } from './losses/segmentation/dualBranchSupervisedLoss.js';
export { multiTaskAuxLoss, type MultiTaskAuxLossOptions, type AuxTask } from './losses/segmentation/multiTaskAuxLoss.js';
export { topoLoss, type TopoLossOptions, type TopoMatching } from './losses/segmentation/topoLoss.js';
export { regionSeparationLoss, type RegionSeparationLossOptions, type RegionSeparationVariant } from './losses/segmentation/regionSeparationLoss.js';
export type { GeneratorOptions, SegmentationData } from './data/common.js';
export { brickWall, type BrickWallOptions } from './data/brickWall.js';
export { curvilinear, type CurvilinearOptions, type CurvilinearStyle } from './data/curvilinear.js';
export { bettiMatchingLoss, type BettiMatchingLossOptions } from './losses/segmentation/bettiMatchingLoss.js';
export * from './topology/index.js';
export type { DistanceName } from './losses/embedding/distances.js';
export { sharesAnyLabel, type LabelSimilarity } from './losses/embedding/labels.js';
export type { IndexTuple, PairIndices, TripletIndices } from './losses/embedding/pairs.js';
export type { EmbeddingReduction, EmbeddingReductionOptions } from './losses/embedding/reduction.js';
export type { PairLossOptions } from './losses/embedding/pair-options.js';
export type { ClassWeightFactoryOptions, ClassWeightLoss } from './losses/embedding/class-weights.js';
export {
  allPairsMiner,
  batchHardMiner,
  semiHardMiner,
  multiSimilarityMiner,
  type MinedPairs,
  type MinedTriplets,
  type MinerOptions,
  type SemiHardMinerOptions,
  type MultiSimilarityMinerOptions,
} from './losses/embedding/miners.js';
export { contrastiveLoss, type ContrastiveLossOptions } from './losses/embedding/contrastiveLoss.js';
export { tripletMarginLoss, type TripletMarginLossOptions } from './losses/embedding/tripletMarginLoss.js';
export { multiSimilarityLoss, type MultiSimilarityLossOptions } from './losses/embedding/multiSimilarityLoss.js';
export { ntXentLoss, type NtXentLossOptions } from './losses/embedding/ntXentLoss.js';
export { supConLoss, type SupConLossOptions } from './losses/embedding/supConLoss.js';
export { proxyAnchorLoss, type ProxyAnchorLossOptions } from './losses/embedding/proxyAnchorLoss.js';
export { createProxyAnchorLoss, type ProxyAnchorLossFactoryOptions, type ProxyAnchorLossConfig } from './losses/embedding/createProxyAnchorLoss.js';
export { arcFaceLoss, type ArcFaceLossOptions } from './losses/embedding/arcFaceLoss.js';
export { createArcFaceLoss, type ArcFaceLossFactoryOptions, type ArcFaceLossConfig } from './losses/embedding/createArcFaceLoss.js';
export { cosFaceLoss, type CosFaceLossOptions } from './losses/embedding/cosFaceLoss.js';
export { createCosFaceLoss, type CosFaceLossFactoryOptions, type CosFaceLossConfig } from './losses/embedding/createCosFaceLoss.js';
export { kdLoss, type KdLossOptions } from './losses/distillation/kdLoss.js';
export { binaryKlLoss, type BinaryKlLossOptions } from './losses/distillation/binaryKlLoss.js';
export { dualHeadKdLoss, type DualHeadKdLossOptions, type DualHeadLogitLoss } from './losses/distillation/dualHeadKdLoss.js';
export { correctnessAwareLoss, type CorrectnessAwareLossOptions, type CorrectnessAwareForm, type CorrectnessAwareWeighting } from './losses/calibration/correctnessAwareLoss.js';
export { ebvLoss, ebvPredict, type EbvLossOptions } from './losses/embedding/ebvLoss.js';
export { generateEquiangularBasis, welchBound, type EquiangularBasis, type EquiangularBasisOptions } from './losses/embedding/ebvBasis.js';
export { barlowTwinsLoss, type BarlowTwinsLossOptions, type BarlowTwinsNormalization } from './losses/embedding/barlowTwinsLoss.js';
export { spectralContrastiveLoss, type SpectralContrastiveLossOptions } from './losses/embedding/spectralContrastiveLoss.js';
export { sampleEpisode, prototypes, protoLogits, type Episode, type EpisodeOptions, type PrototypesOptions, type ProtoLogitsOptions } from './losses/embedding/few-shot.js';
export { protoTripletLoss, type ProtoTripletLossOptions } from './losses/embedding/protoTripletLoss.js';
export { icnnLoss, icnnScore, type IcnnLossOptions, type IcnnScoreOptions } from './losses/embedding/icnnLoss.js';
export { symmetryLoss, frontnessRho, type SymmetryLossOptions, type SymmetryDistance } from './losses/embedding/symmetryLoss.js';
export { mixEmbeddings, metrixPairs, type MixEmbeddingsOptions, type MixedEmbeddings, type MixedPairs, type MetrixMixOptions, type MetrixPairing, type MetrixPositives } from './losses/embedding/metrix.js';
export { contrastiveMetrixLoss, type ContrastiveMetrixLossOptions } from './losses/embedding/contrastiveMetrixLoss.js';
export { multiSimilarityMetrixLoss, type MultiSimilarityMetrixLossOptions } from './losses/embedding/multiSimilarityMetrixLoss.js';
export { proxyAnchorMetrixLoss, type ProxyAnchorMetrixLossOptions } from './losses/embedding/proxyAnchorMetrixLoss.js';
export {
  expMap0,
  expMap,
  logMap0,
  mobiusAdd,
  projectToBall,
  poincareDistance,
  toPoincare,
  hyperbolicMlrLogits,
  type CurvatureOptions,
  type MobiusAddOptions,
  type PoincareDistanceOptions,
  type PoincareDistanceForm,
  type ToPoincareOptions,
  type HyperbolicMlrOptions,
} from './losses/embedding/hyperbolic.js';
export { hypPairwiseConfusionLoss, type HypPairwiseConfusionLossOptions } from './losses/embedding/hypPairwiseConfusionLoss.js';
export { hypCrossEntropyLoss, type HypCrossEntropyLossOptions } from './losses/embedding/hypCrossEntropyLoss.js';
export { createPseudoNegativeSampler, type PseudoNegativeSampler, type PseudoNegativeSamplerOptions, type PseudoNegativeMode } from './losses/embedding/pseudo-negatives.js';
export { unpgLoss, boxAndWhiskerMask, type UnpgLossOptions, type UnpgHead } from './losses/embedding/unpgLoss.js';
export { amclLoss, adaptiveTemperatures, type AmclLossOptions, type AdaptiveTemperaturesOptions, type TemperatureNetwork, type TemperatureRegularizer } from './losses/embedding/amclLoss.js';
export { gaussianNaiveBayes, type GaussianNaiveBayes, type GaussianNaiveBayesOptions } from './eval/gaussianNaiveBayes.js';
export { meanSquaredError, type MeanSquaredErrorOptions } from './losses/regression/meanSquaredError.js';
export { meanAbsoluteError, type MeanAbsoluteErrorOptions } from './losses/regression/meanAbsoluteError.js';
export { huberLoss, type HuberLossOptions } from './losses/regression/huberLoss.js';
export { logCoshLoss, type LogCoshLossOptions } from './losses/regression/logCoshLoss.js';
export { quantileLoss, type QuantileLossOptions } from './losses/regression/quantileLoss.js';
