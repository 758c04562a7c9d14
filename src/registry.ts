import { LossInputError } from './losses/_shared/errors.js';
import type { LossSpec } from './losses/_shared/spec.js';
import { softmaxCrossEntropySpec } from './losses/classification/softmaxCrossEntropy.js';
import { compSumLossSpec } from './losses/classification/compSumLoss.js';
import { generalizedCrossEntropySpec } from './losses/classification/generalizedCrossEntropy.js';
import { smoothAdversarialCompSumLossSpec } from './losses/classification/smoothAdversarialCompSumLoss.js';
import { zLossSpec } from './losses/classification/zLoss.js';
import { sigmoidCrossEntropySpec } from './losses/classification/sigmoidCrossEntropy.js';
import { sigmoidFocalLossSpec } from './losses/classification/sigmoidFocalLoss.js';
import { softmaxFocalLossSpec } from './losses/classification/softmaxFocalLoss.js';
import { hingeLossSpec } from './losses/classification/hingeLoss.js';
import { exponentialLossSpec } from './losses/classification/exponentialLoss.js';
import { ldrKlLossSpec } from './losses/classification/ldrKlLoss.js';
import { createAldrKlLossSpec } from './losses/classification/createAldrKlLoss.js';
import { ensLossSpec } from './losses/classification/ensLoss.js';
import { anyLossSpec } from './losses/classification/anyLoss.js';
import { mannWhitneyLossSpec } from './losses/ranking/mannWhitneyLoss.js';
import { diceLossSpec } from './losses/segmentation/diceLoss.js';
import { jaccardLossSpec } from './losses/segmentation/jaccardLoss.js';
import { tverskyLossSpec } from './losses/segmentation/tverskyLoss.js';
import { focalTverskyLossSpec } from './losses/segmentation/focalTverskyLoss.js';
import { generalizedDiceLossSpec } from './losses/segmentation/generalizedDiceLoss.js';
import { diceCrossEntropyLossSpec } from './losses/segmentation/diceCrossEntropyLoss.js';
import { clDiceLossSpec } from './losses/segmentation/clDiceLoss.js';
import { skeletonRecallLossSpec } from './losses/segmentation/skeletonRecallLoss.js';
import { rwLossSpec } from './losses/segmentation/rwLoss.js';
import { warpingLossSpec } from './losses/segmentation/warpingLoss.js';
import { cbDiceLossSpec } from './losses/segmentation/cbDiceLoss.js';
import { branchDisagreementLossSpec } from './losses/segmentation/branchDisagreementLoss.js';
import { multiTaskAuxLossSpec } from './losses/segmentation/multiTaskAuxLoss.js';
import { pulaskiSetLossSpec } from './losses/segmentation/pulaskiSetLoss.js';
import { topoLossSpec } from './losses/segmentation/topoLoss.js';
import { regionSeparationLossSpec } from './losses/segmentation/regionSeparationLoss.js';
import { bettiMatchingLossSpec } from './losses/segmentation/bettiMatchingLoss.js';
import { contrastiveLossSpec } from './losses/embedding/contrastiveLoss.js';
import { tripletMarginLossSpec } from './losses/embedding/tripletMarginLoss.js';
import { multiSimilarityLossSpec } from './losses/embedding/multiSimilarityLoss.js';
import { ntXentLossSpec } from './losses/embedding/ntXentLoss.js';
import { supConLossSpec } from './losses/embedding/supConLoss.js';
import { proxyAnchorLossSpec } from './losses/embedding/proxyAnchorLoss.js';
import { arcFaceLossSpec } from './losses/embedding/arcFaceLoss.js';
import { cosFaceLossSpec } from './losses/embedding/cosFaceLoss.js';
import { kdLossSpec } from './losses/distillation/kdLoss.js';
import { binaryKlLossSpec } from './losses/distillation/binaryKlLoss.js';
import { dualHeadKdLossSpec } from './losses/distillation/dualHeadKdLoss.js';
import { correctnessAwareLossSpec } from './losses/calibration/correctnessAwareLoss.js';
import { ebvLossSpec } from './losses/embedding/ebvLoss.js';
import { barlowTwinsLossSpec } from './losses/embedding/barlowTwinsLoss.js';
import { spectralContrastiveLossSpec } from './losses/embedding/spectralContrastiveLoss.js';
import { protoTripletLossSpec } from './losses/embedding/protoTripletLoss.js';
import { icnnLossSpec } from './losses/embedding/icnnLoss.js';
import { symmetryLossSpec } from './losses/embedding/symmetryLoss.js';
import { contrastiveMetrixLossSpec } from './losses/embedding/contrastiveMetrixLoss.js';
import { multiSimilarityMetrixLossSpec } from './losses/embedding/multiSimilarityMetrixLoss.js';
import { proxyAnchorMetrixLossSpec } from './losses/embedding/proxyAnchorMetrixLoss.js';
import { hypPairwiseConfusionLossSpec } from './losses/embedding/hypPairwiseConfusionLoss.js';
import { hypCrossEntropyLossSpec } from './losses/embedding/hypCrossEntropyLoss.js';
import { unpgLossSpec } from './losses/embedding/unpgLoss.js';
import { amclLossSpec } from './losses/embedding/amclLoss.js';
import { meanSquaredErrorSpec } from './losses/regression/meanSquaredError.js';
import { meanAbsoluteErrorSpec } from './losses/regression/meanAbsoluteError.js';
import { huberLossSpec } from './losses/regression/huberLoss.js';
import { logCoshLossSpec } from './losses/regression/logCoshLoss.js';
import { quantileLossSpec } from './losses/regression/quantileLoss.js';
import { closestNames } from './suggest.js';

/** Every loss the CLI, the docs and the arena offer; adding a loss adds one line here. */
export const registry: readonly LossSpec[] = Object.freeze([
  softmaxCrossEntropySpec,
  compSumLossSpec,
  generalizedCrossEntropySpec,
  smoothAdversarialCompSumLossSpec,
  zLossSpec,
  sigmoidCrossEntropySpec,
  sigmoidFocalLossSpec,
  softmaxFocalLossSpec,
  hingeLossSpec,
  exponentialLossSpec,
  ldrKlLossSpec,
  createAldrKlLossSpec,
  ensLossSpec,
  anyLossSpec,
  mannWhitneyLossSpec,
  diceLossSpec,
  jaccardLossSpec,
  tverskyLossSpec,
  focalTverskyLossSpec,
  generalizedDiceLossSpec,
  diceCrossEntropyLossSpec,
  clDiceLossSpec,
  skeletonRecallLossSpec,
  rwLossSpec,
  warpingLossSpec,
  cbDiceLossSpec,
  branchDisagreementLossSpec,
  multiTaskAuxLossSpec,
  pulaskiSetLossSpec,
  topoLossSpec,
  regionSeparationLossSpec,
  bettiMatchingLossSpec,
  contrastiveLossSpec,
  tripletMarginLossSpec,
  multiSimilarityLossSpec,
  ntXentLossSpec,
  supConLossSpec,
  proxyAnchorLossSpec,
  arcFaceLossSpec,
  cosFaceLossSpec,
  kdLossSpec,
  binaryKlLossSpec,
  dualHeadKdLossSpec,
  correctnessAwareLossSpec,
  ebvLossSpec,
  barlowTwinsLossSpec,
  spectralContrastiveLossSpec,
  protoTripletLossSpec,
  icnnLossSpec,
  symmetryLossSpec,
  contrastiveMetrixLossSpec,
  multiSimilarityMetrixLossSpec,
  proxyAnchorMetrixLossSpec,
  hypPairwiseConfusionLossSpec,
  hypCrossEntropyLossSpec,
  unpgLossSpec,
  amclLossSpec,
  meanSquaredErrorSpec,
  meanAbsoluteErrorSpec,
  huberLossSpec,
  logCoshLossSpec,
  quantileLossSpec,
]);

/** The registered loss with this id; an unknown id is an error that names the closest known ids. */
export function getLoss(id: string): LossSpec {
  const spec = registry.find((s) => s.id === id);
  if (spec === undefined) {
    const near = closestNames(id, registry.map((s) => s.id));
    throw new LossInputError(`getLoss: expected \`id\` to be a registered loss (did you mean ${near.join(', ')}?), got "${id}" (string)`);
  }
  return spec;
}
