import { fail, formatShape } from '../losses/_shared/errors.js';
import type { ParamSpecs } from '../losses/_shared/spec.js';
import type { TensorInput } from '../losses/_shared/to-tensor.js';
import {
  checkBinaryLabels,
  checkClassLabels,
  checkLabelShape,
  checkMetricOptions,
  checkNoNaN,
  checkNotEmpty,
  checkSameRows,
  isColumn,
  type NumericArray,
  readArray,
} from './_inputs.js';
import type { Average } from './confusion.js';

/**
 * Metrics of scores: they rank the samples (or the classes of a sample) by score, so only the order
 * of the scores matters. Ties are handled as scikit-learn does. A NaN score cannot be ranked and is
 * an error.
 */

/** Indices 0..n−1 sorted by score, ascending (stable). */
function sortedIndices(scores: Float64Array, descending: boolean): Uint32Array {
  const order = new Uint32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  const sign = descending ? -1 : 1;
  return order.sort((a, b) => {
    const sa = scores[a] as number;
    const sb = scores[b] as number;
    return sa < sb ? -sign : sa > sb ? sign : a - b;
  });
}

/**
 * Binary ROC AUC as the Mann–Whitney statistic with mid-ranks: the probability that a random
 * positive scores above a random negative, a tie counting 1/2. It equals the trapezoidal area under
 * the ROC curve drawn through the distinct thresholds. Both classes must be present.
 */
function binaryRocAuc(positive: Uint8Array, scores: Float64Array): number {
  const n = scores.length;
  const order = sortedIndices(scores, false);
  let rankSum = 0;
  let nPos = 0;
  for (let i = 0; i < n; ) {
    const s = scores[order[i] as number];
    let j = i;
    while (j + 1 < n && scores[order[j + 1] as number] === s) j++;
    const midRank = (i + j) / 2 + 1; // the mean of the 1-based ranks i+1 .. j+1
    for (let m = i; m <= j; m++) {
      if (positive[order[m] as number]) {
        rankSum += midRank;
        nPos++;
      }
    }
    i = j + 1;
  }
  const nNeg = n - nPos;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * Binary average precision without interpolation: over the distinct thresholds t_1 > t_2 > ...,
 * Σ_n (R_n − R_{n−1}) P_n with R_0 = 0, where P_n and R_n are the precision and recall of
 * predicting positive every sample scored >= t_n. At least one positive must be present.
 */
function binaryAveragePrecision(positive: Uint8Array, scores: Float64Array): number {
  const n = scores.length;
  const order = sortedIndices(scores, true);
  let totalPos = 0;
  for (const v of positive) totalPos += v;
  let tp = 0;
  let fp = 0;
  let previousRecall = 0;
  let ap = 0;
  for (let i = 0; i < n; ) {
    const s = scores[order[i] as number];
    let j = i;
    while (j + 1 < n && scores[order[j + 1] as number] === s) j++;
    for (let m = i; m <= j; m++) {
      if (positive[order[m] as number]) tp++;
      else fp++;
    }
    const r = tp / totalPos;
    ap += (r - previousRecall) * (tp / (tp + fp));
    previousRecall = r;
    i = j + 1;
  }
  return ap;
}

type BinaryScore = (positive: Uint8Array, scores: Float64Array) => number;

/** One-vs-rest: the binary score of each column against its class, averaged; or micro over all cells. */
function oneVsRest(metric: BinaryScore, labels: Float64Array, scores: Float64Array, c: number, average: Average): number {
  const n = labels.length;
  if (average === 'micro') {
    const positive = new Uint8Array(n * c);
    for (let i = 0; i < n; i++) positive[i * c + (labels[i] as number)] = 1;
    return metric(positive, scores);
  }
  let sum = 0;
  let weightSum = 0;
  const column = new Float64Array(n);
  const positive = new Uint8Array(n);
  for (let k = 0; k < c; k++) {
    let support = 0;
    for (let i = 0; i < n; i++) {
      column[i] = scores[i * c + k] as number;
      positive[i] = labels[i] === k ? 1 : 0;
      support += positive[i] as number;
    }
    const w = average === 'weighted' ? support : 1;
    sum += w * metric(positive, column);
    weightSum += w;
  }
  return sum / weightSum;
}

interface ScoreInputs {
  labels: Float64Array;
  scores: NumericArray;
  /** Score columns: undefined for binary scores `[N]` / `[N, 1]`. */
  columns: number | undefined;
}

/**
 * Reads `(yTrue, yScore)`: labels `[N]` with binary scores `[N]` / `[N, 1]`, or labels with score
 * rows `[N, C]`, C >= 2. Every class must occur in `yTrue` (`needsNegatives`: and be absent from some
 * sample, which for binary scores means both 0 and 1 occur).
 */
function readScores(fn: string, yTrue: TensorInput, yScore: TensorInput, needsNegatives: boolean): ScoreInputs {
  const t = readArray(fn, 'yTrue', yTrue);
  const s = readArray(fn, 'yScore', yScore);
  checkLabelShape(fn, 'yTrue', t);
  if (s.shape.length !== 1 && s.shape.length !== 2) fail(fn, '`yScore`', 'have shape [N], [N,1] or [N,C]', `shape ${formatShape(s.shape)}`);
  checkNotEmpty(fn, 'yScore', s);
  checkSameRows(fn, 'yTrue', t, 'yScore', s);
  const columns = isColumn(s) ? undefined : (s.shape[1] as number);
  if (columns === undefined) checkBinaryLabels(fn, 'yTrue', t.values, ' with scores of shape [N] (pass score rows [N,C] for multiclass labels)');
  else checkClassLabels(fn, 'yTrue', t.values, columns);
  checkNoNaN(fn, 'yScore', s.values);
  if (columns === undefined) {
    const positives = t.values.reduce((a, v) => a + v, 0);
    if (positives === 0 || (needsNegatives && positives === t.values.length)) {
      const rule = needsNegatives ? 'hold both classes 0 and 1 (the score is undefined with one class)' : 'hold at least one positive (the score is undefined without)';
      fail(fn, '`yTrue`', rule, `only class ${t.values[0]}`);
    }
  } else {
    const seen = new Uint8Array(columns);
    for (const v of t.values) seen[v] = 1;
    const missing = seen.indexOf(0);
    if (missing >= 0) fail(fn, 'every class of `yScore`', 'occur in `yTrue` (one-vs-rest needs positives of each class)', `no sample of class ${missing}`);
  }
  return { labels: t.values, scores: s, columns };
}

// ---------------------------------------------------------------------------------------------
// rocAuc

export interface RocAucOptions {
  /**
   * Multiclass only: `'macro'` is the unweighted mean of the one-vs-rest AUCs, `'weighted'` weighs
   * them by class support, `'micro'` is the binary AUC of all (sample, class) cells. @defaultValue `'macro'`
   */
  average?: Average;
  /** Multiclass strategy: one-vs-rest. @defaultValue `'ovr'` */
  multiClass?: 'ovr';
}

const ROC_PARAMS: ParamSpecs = {
  average: { kind: 'choice', default: 'macro', choices: ['macro', 'weighted', 'micro'], doc: 'how one-vs-rest AUCs are averaged (multiclass)' },
  multiClass: { kind: 'choice', default: 'ovr', choices: ['ovr'], doc: 'multiclass strategy: one-vs-rest' },
};

/** Tolerance on the row sums of multiclass probabilities (scikit-learn uses 1e-5; float32 rows need more). */
const ROW_SUM_TOLERANCE = 1e-4;

/**
 * Area under the ROC curve: the probability that a random positive is scored above a random
 * negative, ties counting 1/2 (the Mann–Whitney U statistic over N₊·N₋):
 *
 *     AUC = (Σ_{i positive} rank_i − N₊(N₊+1)/2) / (N₊ N₋)       ranks 1..N, tied scores share their mean rank
 *
 * This is the trapezoidal area through the distinct thresholds, so it agrees with scikit-learn's
 * `roc_auc_score`; computed in O(N log N) by sorting. Multiclass score rows `[N, C]` give the
 * one-vs-rest AUCs averaged as `average` says (`multi_class='ovr'` in scikit-learn); as there, the rows
 * must be probabilities (summing to 1, here within 1e-4) and every class must occur in `yTrue`.
 * With one class only the AUC is undefined and it is an error (scikit-learn raises too).
 *
 * @param yTrue - Labels {0, 1} `[N]` with scores `[N]`, or class labels `[N]` with score rows `[N, C]`.
 * @param yScore - Scores `[N]` (any monotone scale: logits, probabilities) or probability rows `[N, C]`.
 * @returns A number in [0, 1]; 0.5 is chance.
 * @see J. A. Hanley, B. J. McNeil, "The meaning and use of the area under a receiver operating
 *   characteristic (ROC) curve", Radiology 143(1), 1982.
 *
 * @example
 * metrics.rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]); // 0.75
 */
export function rocAuc(yTrue: TensorInput, yScore: TensorInput, options: RocAucOptions = {}): number {
  checkMetricOptions('rocAuc', ROC_PARAMS, options);
  const { average = 'macro' } = options;
  const { labels, scores, columns } = readScores('rocAuc', yTrue, yScore, true);
  if (columns === undefined) return binaryRocAuc(Uint8Array.from(labels), scores.values);
  const n = labels.length;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let k = 0; k < columns; k++) sum += scores.values[i * columns + k] as number;
    if (!(Math.abs(sum - 1) <= ROW_SUM_TOLERANCE)) {
      fail('rocAuc', 'each row of `yScore`', 'sum to 1 (multiclass rocAuc takes probabilities, as scikit-learn: apply a softmax to logits)', `a sum of ${sum} in row ${i}`);
    }
  }
  return oneVsRest(binaryRocAuc, labels, scores.values, columns, average);
}

// ---------------------------------------------------------------------------------------------
// averagePrecision

export interface AveragePrecisionOptions {
  /** Multiclass only: how the one-vs-rest values are averaged, as in `rocAuc`. @defaultValue `'macro'` */
  average?: Average;
}

const AP_PARAMS: ParamSpecs = {
  average: { kind: 'choice', default: 'macro', choices: ['macro', 'weighted', 'micro'], doc: 'how one-vs-rest values are averaged (multiclass)' },
};

/**
 * Average precision: the area under the precision–recall curve as a step sum, without
 * interpolation. Over the distinct score thresholds t_1 > t_2 > ... (predict positive when score >= t_n):
 *
 *     AP = Σ_n (R_n − R_{n−1}) P_n          R_0 = 0
 *
 * Agrees with scikit-learn's `average_precision_score`. Multiclass score rows `[N, C]` give the
 * one-vs-rest values averaged as `average` says (rows need not sum to 1). Without any positive the
 * value is undefined and it is an error (scikit-learn returns 0 with a warning).
 *
 * @param yTrue - Labels {0, 1} `[N]` with scores `[N]`, or class labels `[N]` with score rows `[N, C]`.
 * @param yScore - Scores `[N]` or score rows `[N, C]`; only their order matters.
 * @returns A number in (0, 1]; the positive rate is chance level.
 *
 * @example
 * metrics.averagePrecision([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]); // 0.8333333333333333
 */
export function averagePrecision(yTrue: TensorInput, yScore: TensorInput, options: AveragePrecisionOptions = {}): number {
  checkMetricOptions('averagePrecision', AP_PARAMS, options);
  const { average = 'macro' } = options;
  const { labels, scores, columns } = readScores('averagePrecision', yTrue, yScore, false);
  if (columns === undefined) return binaryAveragePrecision(Uint8Array.from(labels), scores.values);
  return oneVsRest(binaryAveragePrecision, labels, scores.values, columns, average);
}

// ---------------------------------------------------------------------------------------------
// topKAccuracy

export interface TopKAccuracyOptions {
  /** How many of the best-scored classes count as a hit. @defaultValue `5` */
  k?: number;
}

const TOPK_PARAMS: ParamSpecs = {
  k: { kind: 'number', default: 5, min: 1, integer: true, doc: 'number of best-scored classes that count as a hit' },
};

/**
 * Top-k accuracy: the fraction of samples whose true class is among the k best-scored classes.
 *
 *     rank_i = #{j : s_ij > s_iy} + #{j > y : s_ij = s_iy}        hit when rank_i < k
 *
 * Ties are broken as scikit-learn's `top_k_accuracy_score` breaks them (a stable argsort, reversed):
 * among equal scores the higher class index ranks first, so a true class tied at the cut-off may
 * miss. With k >= C every sample is a hit. The default k = 5 follows Keras; scikit-learn's is 2.
 *
 * @param yTrue - Class labels `[N]`.
 * @param yScore - Score rows `[N, C]`, C >= 2 (logits or probabilities; only the order matters).
 * @returns A number in [0, 1].
 *
 * @example
 * metrics.topKAccuracy([0, 1, 2, 2], [[0.5, 0.2, 0.2], [0.3, 0.4, 0.2], [0.2, 0.4, 0.3], [0.7, 0.2, 0.1]], { k: 2 }); // 0.75
 */
export function topKAccuracy(yTrue: TensorInput, yScore: TensorInput, options: TopKAccuracyOptions = {}): number {
  const fn = 'topKAccuracy';
  checkMetricOptions(fn, TOPK_PARAMS, options);
  const { k = 5 } = options;
  const t = readArray(fn, 'yTrue', yTrue);
  const s = readArray(fn, 'yScore', yScore);
  checkLabelShape(fn, 'yTrue', t);
  if (s.shape.length !== 2 || (s.shape[1] as number) < 2) fail(fn, '`yScore`', 'have shape [N,C] with C >= 2', `shape ${formatShape(s.shape)}`);
  checkNotEmpty(fn, 'yScore', s);
  checkSameRows(fn, 'yTrue', t, 'yScore', s);
  const c = s.shape[1] as number;
  checkClassLabels(fn, 'yTrue', t.values, c);
  checkNoNaN(fn, 'yScore', s.values);
  const n = t.values.length;
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const y = t.values[i] as number;
    const sy = s.values[i * c + y] as number;
    let rank = 0;
    for (let j = 0; j < c; j++) {
      const sj = s.values[i * c + j] as number;
      if (sj > sy || (sj === sy && j > y)) rank++;
    }
    if (rank < k) hits++;
  }
  return hits / n;
}
