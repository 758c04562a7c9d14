import { fail, formatShape, formatValue } from '../losses/_shared/errors.js';
import type { ParamSpecs } from '../losses/_shared/spec.js';
import type { TensorInput } from '../losses/_shared/to-tensor.js';
import { checkNumber } from '../losses/_shared/validate.js';
import { checkBinaryLabels, checkClassLabels, checkMetricOptions, type HardPredictions, readHardPredictions } from './_inputs.js';

/**
 * Metrics of hard predictions, all computed from the confusion counts. Each takes
 * `(yTrue, yPred, options?)`:
 *
 * - `yTrue`: integer class labels `[N]` (or `[N, 1]`); binary tasks use {0, 1}.
 * - `yPred`: predicted labels `[N]` (or `[N, 1]`); or score / probability rows `[N, C]`, read as
 *   their argmax (first maximum on ties, as `numpy.argmax`); or, with the `threshold` option,
 *   binary scores `[N]` read as `score > threshold ? 1 : 0`. Values are never guessed to be scores.
 *
 * The classes are those that occur in `yTrue` or in the predictions (scikit-learn's
 * `unique_labels` with `labels=None`): a class that occurs in neither takes no part in an average.
 */

/** The option every metric of hard predictions takes. */
export interface ThresholdOption {
  /** Reads `yPred` `[N]` as scores: class 1 where `score > threshold`, else 0. @defaultValue none: `yPred` holds labels */
  threshold?: number;
}

const THRESHOLD: ParamSpecs = {
  threshold: { kind: 'data', type: 'number', doc: 'reads yPred [N] as scores: class 1 where score > threshold' },
};

/** How per-class values are combined. */
export type Average = 'macro' | 'micro' | 'weighted';

/** Per-class counts of a pair of label vectors. */
interface ClassCounts {
  /** Number of classes: the largest label (or the number of score columns) plus one. */
  k: number;
  n: number;
  tp: Float64Array;
  /** Support: samples of each true class. */
  trueCount: Float64Array;
  /** Samples predicted as each class. */
  predCount: Float64Array;
}

function maxOf(values: Float64Array): number {
  let m = 0;
  for (const v of values) if (v > m) m = v;
  return m;
}

function countClasses({ yTrue, yPred, columns }: HardPredictions, k = Math.max(maxOf(yTrue) + 1, maxOf(yPred) + 1, columns ?? 0)): ClassCounts {
  const tp = new Float64Array(k);
  const trueCount = new Float64Array(k);
  const predCount = new Float64Array(k);
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i] as number;
    const p = yPred[i] as number;
    trueCount[t]! += 1;
    predCount[p]! += 1;
    if (t === p) tp[t]! += 1;
  }
  return { k, n: yTrue.length, tp, trueCount, predCount };
}

/** Classes that occur in `yTrue` or in the predictions. */
function presentClasses(c: ClassCounts): number[] {
  const out: number[] = [];
  for (let j = 0; j < c.k; j++) if ((c.trueCount[j] as number) > 0 || (c.predCount[j] as number) > 0) out.push(j);
  return out;
}

/** a / b, or 0 when b is 0 (scikit-learn's `zero_division=0`, without the warning). */
function ratio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

// ---------------------------------------------------------------------------------------------
// accuracy, balancedAccuracy

export interface AccuracyOptions extends ThresholdOption {}

/**
 * Accuracy: the fraction of samples whose predicted class equals the label.
 *
 *     accuracy = (1/N) Σ_i [ŷ_i = y_i]
 *
 * Agrees with scikit-learn's `accuracy_score`.
 *
 * @param yTrue - Class labels `[N]`.
 * @param yPred - Predicted labels `[N]`, score rows `[N, C]` (argmax), or scores `[N]` with `threshold`.
 * @returns A number in [0, 1].
 *
 * @example
 * metrics.accuracy([0, 2, 1, 3], [0, 1, 2, 3]); // 0.5
 */
export function accuracy(yTrue: TensorInput, yPred: TensorInput, options: AccuracyOptions = {}): number {
  checkMetricOptions('accuracy', THRESHOLD, options);
  const { yTrue: t, yPred: p } = readHardPredictions('accuracy', yTrue, yPred, options.threshold);
  let correct = 0;
  for (let i = 0; i < t.length; i++) if (t[i] === p[i]) correct++;
  return correct / t.length;
}

export interface BalancedAccuracyOptions extends ThresholdOption {
  /** Rescales so that chance level is 0 and perfect is 1: `(s − 1/K) / (1 − 1/K)`. @defaultValue `false` */
  adjusted?: boolean;
}

const BALANCED_PARAMS: ParamSpecs = {
  adjusted: { kind: 'boolean', default: false, doc: 'rescale so chance is 0: (s − 1/K)/(1 − 1/K)' },
  ...THRESHOLD,
};

/**
 * Balanced accuracy: the mean recall over the classes that occur in `yTrue`.
 *
 *     balancedAccuracy = (1/K) Σ_{k in yTrue} TP_k / (TP_k + FN_k)
 *
 * Classes that are only predicted have no recall and are left out, as in scikit-learn's
 * `balanced_accuracy_score` (which warns about them). For binary labels this is (TPR + TNR) / 2.
 *
 * @param yTrue - Class labels `[N]`.
 * @param yPred - Predicted labels `[N]`, score rows `[N, C]` (argmax), or scores `[N]` with `threshold`.
 * @returns A number in [0, 1] (adjusted: at most 1, 0 at chance level).
 *
 * @example
 * metrics.balancedAccuracy([0, 1, 0, 0, 1, 0], [0, 1, 0, 0, 0, 1]); // 0.625
 */
export function balancedAccuracy(yTrue: TensorInput, yPred: TensorInput, options: BalancedAccuracyOptions = {}): number {
  checkMetricOptions('balancedAccuracy', BALANCED_PARAMS, options);
  const c = countClasses(readHardPredictions('balancedAccuracy', yTrue, yPred, options.threshold));
  let sum = 0;
  let classes = 0;
  for (let j = 0; j < c.k; j++) {
    const support = c.trueCount[j] as number;
    if (support === 0) continue;
    sum += (c.tp[j] as number) / support;
    classes++;
  }
  const score = sum / classes;
  if (!options.adjusted) return score;
  if (classes < 2) fail('balancedAccuracy', '`yTrue`', 'hold at least 2 classes with `adjusted: true` (chance level is undefined with one)', `only class ${c.trueCount.findIndex((v) => v > 0)}`);
  const chance = 1 / classes;
  return (score - chance) / (1 - chance);
}

// ---------------------------------------------------------------------------------------------
// precision, recall, F-beta

export interface PrecisionRecallOptions extends ThresholdOption {
  /**
   * `'binary'`: the value for class `posLabel` (labels must be 0 / 1). `'macro'`: the unweighted
   * mean over classes. `'weighted'`: the mean weighted by support. `'micro'`: from the counts
   * summed over classes (equal to accuracy for single-label data). @defaultValue `'binary'`
   */
  average?: 'binary' | Average;
  /** The positive class with `average: 'binary'`. @defaultValue `1` */
  posLabel?: number;
}

export interface FbetaScoreOptions extends PrecisionRecallOptions {
  /** β: recall is β times as important as precision. @defaultValue `1` */
  beta?: number;
}

const PR_PARAMS: ParamSpecs = {
  average: { kind: 'choice', default: 'binary', choices: ['binary', 'macro', 'micro', 'weighted'], doc: "'binary' reports class posLabel; otherwise how per-class values are averaged" },
  posLabel: { kind: 'number', default: 1, min: 0, max: 1, integer: true, doc: "positive class with average 'binary'" },
  ...THRESHOLD,
};

const FBETA_PARAMS: ParamSpecs = {
  beta: { kind: 'number', default: 1, min: 0, doc: 'β: weight of recall relative to precision' },
  ...PR_PARAMS,
};

type Which = 'precision' | 'recall' | 'fbeta';

/** Precision, recall or F-beta of one class from its counts; 0 where a denominator is 0. */
function perClass(which: Which, tp: number, predicted: number, support: number, beta: number): number {
  if (which === 'precision') return ratio(tp, predicted);
  if (which === 'recall') return ratio(tp, support);
  const b2 = beta * beta;
  const fp = predicted - tp;
  const fn = support - tp;
  return ratio((1 + b2) * tp, (1 + b2) * tp + b2 * fn + fp);
}

function precisionRecallF(fn: string, which: Which, yTrue: TensorInput, yPred: TensorInput, options: FbetaScoreOptions): number {
  const { average = 'binary', posLabel = 1, beta = 1, threshold } = options;
  const read = readHardPredictions(fn, yTrue, yPred, threshold);
  if (average === 'binary') {
    const why = " with average 'binary' (choose average 'macro', 'micro' or 'weighted' for multiclass labels)";
    checkBinaryLabels(fn, 'yTrue', read.yTrue, why);
    if (read.columns !== undefined && read.columns > 2) fail(fn, '`yPred`', `have 2 columns${why}`, `shape ${formatShape([read.yTrue.length, read.columns])}`);
    checkBinaryLabels(fn, 'yPred', read.yPred, why);
    const c = countClasses(read, 2);
    return perClass(which, c.tp[posLabel] as number, c.predCount[posLabel] as number, c.trueCount[posLabel] as number, beta);
  }
  const c = countClasses(read);
  const classes = presentClasses(c);
  if (average === 'micro') {
    let tp = 0;
    let predicted = 0;
    let support = 0;
    for (const j of classes) {
      tp += c.tp[j] as number;
      predicted += c.predCount[j] as number;
      support += c.trueCount[j] as number;
    }
    return perClass(which, tp, predicted, support, beta);
  }
  let sum = 0;
  let weightSum = 0;
  for (const j of classes) {
    const w = average === 'weighted' ? (c.trueCount[j] as number) : 1;
    sum += w * perClass(which, c.tp[j] as number, c.predCount[j] as number, c.trueCount[j] as number, beta);
    weightSum += w;
  }
  return ratio(sum, weightSum);
}

/**
 * Precision: of the samples predicted as a class, the fraction that belong to it.
 *
 *     precision_k = TP_k / (TP_k + FP_k)        (0 when nothing is predicted as k)
 *
 * A zero denominator gives 0, as scikit-learn's `precision_score(zero_division=0)` (no warning).
 * Agrees with `precision_score` for `average` 'binary' (with `pos_label`), 'macro', 'micro' and 'weighted'.
 *
 * @param yTrue - Class labels `[N]` ({0, 1} with `average: 'binary'`).
 * @param yPred - Predicted labels `[N]`, score rows `[N, C]` (argmax), or scores `[N]` with `threshold`.
 * @returns A number in [0, 1].
 *
 * @example
 * metrics.precision([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], { average: 'macro' }); // 0.2222222222222222
 */
export function precision(yTrue: TensorInput, yPred: TensorInput, options: PrecisionRecallOptions = {}): number {
  checkMetricOptions('precision', PR_PARAMS, options);
  return precisionRecallF('precision', 'precision', yTrue, yPred, options);
}

/**
 * Recall (sensitivity, true-positive rate): of the samples of a class, the fraction predicted as it.
 *
 *     recall_k = TP_k / (TP_k + FN_k)           (0 when the class has no sample)
 *
 * A zero denominator gives 0, as scikit-learn's `recall_score(zero_division=0)` (no warning).
 *
 * @param yTrue - Class labels `[N]` ({0, 1} with `average: 'binary'`).
 * @param yPred - Predicted labels `[N]`, score rows `[N, C]` (argmax), or scores `[N]` with `threshold`.
 * @returns A number in [0, 1].
 *
 * @example
 * metrics.recall([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], { average: 'macro' }); // 0.3333333333333333
 */
export function recall(yTrue: TensorInput, yPred: TensorInput, options: PrecisionRecallOptions = {}): number {
  checkMetricOptions('recall', PR_PARAMS, options);
  return precisionRecallF('recall', 'recall', yTrue, yPred, options);
}

/**
 * F-beta score: the weighted harmonic mean of precision and recall, from the counts.
 *
 *     F_β,k = (1 + β²) TP_k / ((1 + β²) TP_k + β² FN_k + FP_k)    (0 when TP_k = FP_k = FN_k = 0)
 *
 * β > 1 favours recall, β < 1 precision; β = 0 gives precision. Agrees with scikit-learn's
 * `fbeta_score(zero_division=0)`.
 *
 * @param yTrue - Class labels `[N]` ({0, 1} with `average: 'binary'`).
 * @param yPred - Predicted labels `[N]`, score rows `[N, C]` (argmax), or scores `[N]` with `threshold`.
 * @returns A number in [0, 1].
 *
 * @example
 * metrics.fbetaScore([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], { beta: 0.5, average: 'macro' }); // 0.2380952380952381
 */
export function fbetaScore(yTrue: TensorInput, yPred: TensorInput, options: FbetaScoreOptions = {}): number {
  checkMetricOptions('fbetaScore', FBETA_PARAMS, options);
  return precisionRecallF('fbetaScore', 'fbeta', yTrue, yPred, options);
}

/**
 * F1 score: `fbetaScore` with β = 1, the harmonic mean of precision and recall.
 *
 *     F1_k = 2 TP_k / (2 TP_k + FN_k + FP_k)
 *
 * @param yTrue - Class labels `[N]` ({0, 1} with `average: 'binary'`).
 * @param yPred - Predicted labels `[N]`, score rows `[N, C]` (argmax), or scores `[N]` with `threshold`.
 * @returns A number in [0, 1].
 *
 * @example
 * metrics.f1Score([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], { average: 'macro' }); // 0.26666666666666666
 */
export function f1Score(yTrue: TensorInput, yPred: TensorInput, options: PrecisionRecallOptions = {}): number {
  checkMetricOptions('f1Score', PR_PARAMS, options);
  return precisionRecallF('f1Score', 'fbeta', yTrue, yPred, { ...options, beta: 1 });
}

// ---------------------------------------------------------------------------------------------
// matthewsCorrcoef, gMean

export interface MatthewsCorrcoefOptions extends ThresholdOption {}

/**
 * Matthews correlation coefficient, in its multiclass form (Gorodkin's R_K), from the confusion
 * matrix C with true-class counts t_k, predicted-class counts p_k, c = Σ_k C_kk and s = N:
 *
 *     MCC = (c·s − Σ_k t_k p_k) / sqrt((s² − Σ_k p_k²)(s² − Σ_k t_k²))
 *
 * For binary labels this is (TP·TN − FP·FN) / sqrt((TP+FP)(TP+FN)(TN+FP)(TN+FN)). When either
 * factor under the root is 0 (one class in yTrue or in the predictions) it is 0, as scikit-learn's
 * `matthews_corrcoef`. A correlation: 1 perfect, 0 no better than chance, −1 inverse.
 *
 * @param yTrue - Class labels `[N]`.
 * @param yPred - Predicted labels `[N]`, score rows `[N, C]` (argmax), or scores `[N]` with `threshold`.
 * @returns A number in [−1, 1].
 * @see J. Gorodkin, "Comparing two K-category assignments by a K-category correlation coefficient",
 *   Computational Biology and Chemistry 28(5–6), 2004.
 *
 * @example
 * metrics.matthewsCorrcoef([1, 1, 1, 0], [1, 0, 1, 1]); // -0.3333333333333333
 */
export function matthewsCorrcoef(yTrue: TensorInput, yPred: TensorInput, options: MatthewsCorrcoefOptions = {}): number {
  checkMetricOptions('matthewsCorrcoef', THRESHOLD, options);
  const c = countClasses(readHardPredictions('matthewsCorrcoef', yTrue, yPred, options.threshold));
  let correct = 0;
  let tp = 0;
  let pp = 0;
  let tt = 0;
  for (let j = 0; j < c.k; j++) {
    const t = c.trueCount[j] as number;
    const p = c.predCount[j] as number;
    correct += c.tp[j] as number;
    tp += t * p;
    pp += p * p;
    tt += t * t;
  }
  const s = c.n;
  const covPredPred = s * s - pp;
  const covTrueTrue = s * s - tt;
  if (covPredPred === 0 || covTrueTrue === 0) return 0;
  return (correct * s - tp) / Math.sqrt(covTrueTrue * covPredPred);
}

export interface GMeanOptions extends ThresholdOption {
  /** Replaces a recall of 0 by this value, so one missed class does not zero the score. @defaultValue `0` */
  correction?: number;
}

const GMEAN_PARAMS: ParamSpecs = {
  correction: { kind: 'number', default: 0, min: 0, max: 1, doc: 'value that replaces a per-class recall of 0' },
  ...THRESHOLD,
};

/**
 * Geometric mean of the per-class recalls over the K classes that occur in `yTrue` or in the
 * predictions, as imbalanced-learn's `geometric_mean_score` (its default `average='multiclass'`):
 *
 *     gMean = (Π_k recall_k)^(1/K)          binary: sqrt(TPR · TNR)
 *
 * A class missed entirely makes it 0, which is the point for imbalanced data; `correction` replaces
 * recalls of 0 (a class that is only predicted has recall 0, as in imbalanced-learn).
 *
 * @param yTrue - Class labels `[N]`.
 * @param yPred - Predicted labels `[N]`, score rows `[N, C]` (argmax), or scores `[N]` with `threshold`.
 * @returns A number in [0, 1].
 * @see M. Kubat, S. Matwin, "Addressing the curse of imbalanced training sets: one-sided
 *   selection", ICML 1997.
 *
 * @example
 * metrics.gMean([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], { correction: 0.001 }); // ≈ 0.01
 */
export function gMean(yTrue: TensorInput, yPred: TensorInput, options: GMeanOptions = {}): number {
  checkMetricOptions('gMean', GMEAN_PARAMS, options);
  const { correction = 0 } = options;
  const c = countClasses(readHardPredictions('gMean', yTrue, yPred, options.threshold));
  const classes = presentClasses(c);
  let logSum = 0;
  for (const j of classes) {
    let r = ratio(c.tp[j] as number, c.trueCount[j] as number);
    if (r === 0) r = correction;
    if (r === 0) return 0;
    logSum += Math.log(r);
  }
  return Math.exp(logSum / classes.length);
}

// ---------------------------------------------------------------------------------------------
// confusionMatrix

export interface ConfusionMatrixOptions extends ThresholdOption {
  /** Size K of the matrix. @defaultValue the largest label, predicted label or score column, plus one */
  numClasses?: number;
}

const CONFUSION_PARAMS: ParamSpecs = {
  numClasses: { kind: 'data', type: 'integer >= 1', doc: 'matrix size K (default: largest label + 1)' },
  ...THRESHOLD,
};

/**
 * Confusion matrix: `C[i][j]` counts the samples of true class i predicted as class j (rows true,
 * columns predicted, as scikit-learn's `confusion_matrix`). For binary labels,
 * `[[TN, FP], [FN, TP]]`.
 *
 * Unlike scikit-learn, which sizes the matrix by the labels that occur, rows and columns are the
 * class indices 0..K−1, so a class that never occurs has a row and a column of zeros.
 *
 * @param yTrue - Class labels `[N]`.
 * @param yPred - Predicted labels `[N]`, score rows `[N, C]` (argmax), or scores `[N]` with `threshold`.
 * @returns K arrays of K counts.
 *
 * @example
 * metrics.confusionMatrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2]); // [[2, 0, 0], [0, 0, 1], [1, 0, 2]]
 */
export function confusionMatrix(yTrue: TensorInput, yPred: TensorInput, options: ConfusionMatrixOptions = {}): number[][] {
  checkMetricOptions('confusionMatrix', CONFUSION_PARAMS, options);
  const { numClasses } = options;
  if (numClasses !== undefined) checkNumber('confusionMatrix', 'numClasses', numClasses, { integer: true, min: 1 });
  const read = readHardPredictions('confusionMatrix', yTrue, yPred, options.threshold);
  let k = Math.max(maxOf(read.yTrue) + 1, maxOf(read.yPred) + 1, read.columns ?? 0);
  if (numClasses !== undefined) {
    if (read.columns !== undefined && read.columns > numClasses) {
      fail('confusionMatrix', '`numClasses`', `be at least the number of columns of \`yPred\` (${read.columns})`, formatValue(numClasses));
    }
    checkClassLabels('confusionMatrix', 'yTrue', read.yTrue, numClasses);
    checkClassLabels('confusionMatrix', 'yPred', read.yPred, numClasses);
    k = numClasses;
  }
  const matrix = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < read.yTrue.length; i++) (matrix[read.yTrue[i] as number] as number[])[read.yPred[i] as number]! += 1;
  return matrix;
}
