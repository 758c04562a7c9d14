/**
 * Evaluation metrics: plain functions of `(yTrue, yScore | yPred, options?)` that return numbers,
 * computed in float64 JavaScript from arrays, typed arrays or tensors (read once, never kept).
 * Their values agree with scikit-learn where it has the metric; each function's doc says where a
 * choice had to be made.
 */
export {
  type AccuracyOptions,
  accuracy,
  type Average,
  type BalancedAccuracyOptions,
  balancedAccuracy,
  type ConfusionMatrixOptions,
  confusionMatrix,
  type FbetaScoreOptions,
  f1Score,
  fbetaScore,
  type GMeanOptions,
  gMean,
  type MatthewsCorrcoefOptions,
  matthewsCorrcoef,
  type PrecisionRecallOptions,
  precision,
  recall,
  type ThresholdOption,
} from './confusion.js';
export {
  type AveragePrecisionOptions,
  averagePrecision,
  type RocAucOptions,
  rocAuc,
  type TopKAccuracyOptions,
  topKAccuracy,
} from './ranking.js';
export {
  type BrierScoreOptions,
  brierScore,
  type CalibrationBinsOptions,
  expectedCalibrationError,
  type LogLossOptions,
  logLoss,
  type ReliabilityBin,
  reliabilityBins,
} from './calibration.js';
export { meanAbsoluteError, type RegressionOptions, r2Score, rootMeanSquaredError } from './regression.js';
export { clDiceScore, diceScore, type Hausdorff95Options, hausdorff95, type SegmentationMetricOptions } from './segmentation.js';
export { type BettiMatchingErrorOptions, bettiMatchingError, bettiNumberError, type TopologyMetricOptions } from './topology.js';
export { nc1, type Nc1Options, nc2, nc2Features, type Nc2Options, nc3, type Nc3Options, type NeuralCollapseTarget } from './neuralCollapse.js';
export { mapAtR, precisionAt1, type RecallAtKOptions, type RetrievalOptions, recallAtK, rPrecision } from './retrieval.js';
export { type UtilizationOptions, utilization } from './utilization.js';
