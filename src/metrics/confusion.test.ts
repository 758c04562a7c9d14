import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, randomLabels, randomMatrix, rng } from '../../test/helpers.js';
import { accuracy, balancedAccuracy, confusionMatrix, f1Score, fbetaScore, gMean, matthewsCorrcoef, precision, recall } from './confusion.js';

// ---- Float64 references written from the definitions, sharing nothing with the metrics ----

function refMatrix(yTrue: number[], yPred: number[], k: number): number[][] {
  const m = Array.from({ length: k }, () => Array.from({ length: k }, () => 0));
  yTrue.forEach((t, i) => {
    m[t]![yPred[i]!]! += 1;
  });
  return m;
}
const rowSum = (m: number[][], j: number) => m[j]!.reduce((a, b) => a + b, 0);
const colSum = (m: number[][], j: number) => m.reduce((a, row) => a + row[j]!, 0);
const safe = (a: number, b: number) => (b === 0 ? 0 : a / b);

/** Precision / recall / F-beta from a confusion matrix, averaged over classes seen in either vector. */
function refScore(m: number[][], which: 'p' | 'r' | 'f', average: 'macro' | 'micro' | 'weighted', beta = 1): number {
  const classes = m.map((_, j) => j).filter((j) => rowSum(m, j) + colSum(m, j) > 0);
  const f = (tp: number, predicted: number, actual: number) => {
    const p = safe(tp, predicted);
    const r = safe(tp, actual);
    if (which === 'p') return p;
    if (which === 'r') return r;
    return safe((1 + beta * beta) * p * r, beta * beta * p + r);
  };
  if (average === 'micro') {
    const tp = classes.reduce((a, j) => a + m[j]![j]!, 0);
    const total = classes.reduce((a, j) => a + rowSum(m, j), 0);
    return f(tp, total, total);
  }
  const w = classes.map((j) => (average === 'weighted' ? rowSum(m, j) : 1));
  const v = classes.map((j) => f(m[j]![j]!, colSum(m, j), rowSum(m, j)));
  return v.reduce((a, x, i) => a + x * w[i]!, 0) / w.reduce((a, b) => a + b, 0);
}

/** Gorodkin's R_K as the Pearson correlation of the centred one-hot matrices of labels and predictions. */
function refMcc(yTrue: number[], yPred: number[], k: number): number {
  const n = yTrue.length;
  const oneHot = (y: number[]) => y.map((v) => Array.from({ length: k }, (_, j) => (j === v ? 1 : 0)));
  const centre = (x: number[][]) => {
    const means = Array.from({ length: k }, (_, j) => x.reduce((a, row) => a + row[j]!, 0) / n);
    return x.map((row) => row.map((v, j) => v - means[j]!));
  };
  const x = centre(oneHot(yTrue));
  const y = centre(oneHot(yPred));
  const dot = (a: number[][], b: number[][]) => a.reduce((s, row, i) => s + row.reduce((t, v, j) => t + v * b[i]![j]!, 0), 0);
  const den = Math.sqrt(dot(x, x) * dot(y, y));
  return den === 0 ? 0 : dot(x, y) / den;
}

describe('confusion metrics: scikit-learn documentation examples', () => {
  const T = [0, 1, 2, 0, 1, 2];
  const P = [0, 2, 1, 0, 0, 1];

  it('accuracy_score([0,2,1,3], [0,1,2,3]) = 0.5', () => {
    expect(accuracy([0, 2, 1, 3], [0, 1, 2, 3])).toBe(0.5);
  });

  it('balanced_accuracy_score([0,1,0,0,1,0], [0,1,0,0,0,1]) = 0.625', () => {
    expect(balancedAccuracy([0, 1, 0, 0, 1, 0], [0, 1, 0, 0, 0, 1])).toBe(0.625);
  });

  it('precision / recall / f1 / fbeta(0.5) with macro, micro and weighted averages', () => {
    // By hand: class 0 has TP 2, FP 1, FN 0; classes 1 and 2 have TP 0. Supports are all 2, so macro = weighted.
    for (const average of ['macro', 'weighted'] as const) {
      expectClose(precision(T, P, { average }), 0.2222222222222222, 1e-15); // (2/3)/3
      expectClose(recall(T, P, { average }), 0.3333333333333333, 1e-15); // 1/3
      expectClose(f1Score(T, P, { average }), 0.26666666666666666, 1e-15); // F1_0 = 0.8
      expectClose(fbetaScore(T, P, { average, beta: 0.5 }), 0.23809523809523805, 1e-15); // F0.5_0 = 1.25·(2/3)/(0.25·(2/3)+1)
    }
    for (const f of [precision, recall, f1Score]) expectClose(f(T, P, { average: 'micro' }), 1 / 3, 1e-15);
    expectClose(fbetaScore(T, P, { average: 'micro', beta: 0.5 }), 1 / 3, 1e-15);
  });

  it('matthews_corrcoef([+1,+1,+1,−1], [+1,−1,+1,+1]) = −1/3 (−1 written as 0)', () => {
    // TP 2, TN 0, FP 1, FN 1: (0 − 1) / sqrt(3·3·1·1).
    expectClose(matthewsCorrcoef([1, 1, 1, 0], [1, 0, 1, 1]), -0.3333333333333333, 1e-15);
  });

  it('confusion_matrix([2,0,2,2,0,1], [0,0,2,2,0,2]) and the binary ravel (tn, fp, fn, tp) = (0, 2, 1, 1)', () => {
    expect(confusionMatrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2])).toEqual([
      [2, 0, 0],
      [0, 0, 1],
      [1, 0, 2],
    ]);
    expect(confusionMatrix([0, 1, 0, 1], [1, 1, 1, 0]).flat()).toEqual([0, 2, 1, 1]);
  });

  it("imbalanced-learn's geometric_mean_score examples: 0, and 0.01 with correction 0.001", () => {
    // Recalls (1, 0, 0): the product is 0; with 0 → 0.001 the cube root of 1e-6.
    expect(gMean(T, P)).toBe(0);
    expectClose(gMean(T, P, { correction: 0.001 }), 0.010000000000000004, 1e-14);
  });
});

describe('confusion metrics: values derived by hand', () => {
  // yTrue / yPred of 8 samples, 3 classes; confusion matrix rows true, columns predicted:
  //   [[2, 1, 0],     support 3, predicted 2
  //    [0, 1, 2],     support 3, predicted 3
  //    [0, 1, 1]]     support 2, predicted 3
  const T = [0, 0, 0, 1, 1, 1, 2, 2];
  const P = [0, 0, 1, 1, 2, 2, 1, 2];

  it('counts the confusion matrix', () => {
    expect(confusionMatrix(T, P)).toEqual([
      [2, 1, 0],
      [0, 1, 2],
      [0, 1, 1],
    ]);
  });

  it('accuracy 4/8, balanced accuracy (2/3 + 1/3 + 1/2)/3', () => {
    expect(accuracy(T, P)).toBe(0.5);
    expectClose(balancedAccuracy(T, P), (2 / 3 + 1 / 3 + 1 / 2) / 3, 1e-15);
    // adjusted: (s − 1/3) / (2/3)
    expectClose(balancedAccuracy(T, P, { adjusted: true }), ((2 / 3 + 1 / 3 + 1 / 2) / 3 - 1 / 3) / (2 / 3), 1e-15);
  });

  it('precision (1 + 1/3 + 1/3)/3, recall, weighted by support 3, 3, 2', () => {
    expectClose(precision(T, P, { average: 'macro' }), (1 + 1 / 3 + 1 / 3) / 3, 1e-15);
    expectClose(precision(T, P, { average: 'weighted' }), (3 * 1 + 3 / 3 + 2 / 3) / 8, 1e-15);
    expectClose(recall(T, P, { average: 'weighted' }), (3 * (2 / 3) + 3 * (1 / 3) + 2 * (1 / 2)) / 8, 1e-15);
    // F1 per class: 2·1·(2/3)/(5/3) = 0.8, 2·(1/3)(1/3)/(2/3) = 1/3, 2·(1/3)(1/2)/(5/6) = 0.4
    expectClose(f1Score(T, P, { average: 'macro' }), (0.8 + 1 / 3 + 0.4) / 3, 1e-15);
  });

  it('MCC: (c·s − Σ t_k p_k) / sqrt((s² − Σp²)(s² − Σt²)) = (4·8 − 21)/sqrt(42·42) = 11/42', () => {
    // supports t = (3, 3, 2), predicted p = (2, 3, 3): Σ t·p = 6 + 9 + 6 = 21, Σ t² = Σ p² = 22, s² = 64
    expectClose(matthewsCorrcoef(T, P), 11 / 42, 1e-15);
  });

  it('gMean: the cube root of 2/3 · 1/3 · 1/2; binary sqrt(TPR · TNR)', () => {
    expectClose(gMean(T, P), Math.cbrt((2 / 3) * (1 / 3) * (1 / 2)), 1e-14);
    // TN 2 of 3, TP 3 of 4
    expectClose(gMean([0, 0, 0, 1, 1, 1, 1], [0, 0, 1, 1, 1, 1, 0]), Math.sqrt((2 / 3) * (3 / 4)), 1e-15);
  });

  it("binary precision / recall / F-beta of class 1 (default) and of class 0 with posLabel", () => {
    const t = [1, 1, 1, 0, 0, 0, 0, 1];
    const p = [1, 0, 1, 1, 0, 0, 0, 0];
    // class 1: TP 2, FP 1, FN 2; class 0: TP 3, FP 2, FN 1
    expectClose(precision(t, p), 2 / 3, 1e-15);
    expectClose(recall(t, p), 0.5, 1e-15);
    expectClose(f1Score(t, p), 4 / 7, 1e-15);
    expectClose(fbetaScore(t, p, { beta: 2 }), (5 * 2) / (5 * 2 + 4 * 2 + 1), 1e-15);
    expectClose(precision(t, p, { posLabel: 0 }), 3 / 5, 1e-15);
    expectClose(recall(t, p, { posLabel: 0 }), 3 / 4, 1e-15);
    expectClose(fbetaScore(t, p, { beta: 0 }), 2 / 3, 1e-15); // β = 0 is precision
  });

  it('zero division gives 0: no predicted positive, no positive at all, one class everywhere', () => {
    expect(precision([0, 1, 0, 1], [0, 0, 0, 0])).toBe(0);
    expect(f1Score([0, 1, 0, 1], [0, 0, 0, 0])).toBe(0);
    expect(recall([0, 0, 0, 0], [0, 1, 0, 0])).toBe(0);
    expect(f1Score([0, 0, 0, 0], [0, 0, 0, 0])).toBe(0);
    // MCC is 0 when either side holds one class (scikit-learn's convention)
    expect(matthewsCorrcoef([0, 1, 0, 1], [1, 1, 1, 1])).toBe(0);
    expect(matthewsCorrcoef([1, 1, 1], [1, 1, 1])).toBe(0);
  });

  it('classes that occur in neither vector take no part in averages; predicted-only classes do', () => {
    // Label 3 never occurs: the same as the 3-class data. Class 5 predicted once but absent from yTrue:
    const t = [0, 0, 1, 1];
    const p = [0, 5, 1, 1];
    // precision: classes 0, 1, 5 → (1 + 1 + 0)/3; balanced accuracy leaves class 5 out: (1/2 + 1)/2
    expectClose(precision(t, p, { average: 'macro' }), 2 / 3, 1e-15);
    expectClose(balancedAccuracy(t, p), 0.75, 1e-15);
    // imbalanced-learn: class 5 has recall 0, so the geometric mean is 0
    expect(gMean(t, p)).toBe(0);
  });

  it('perfect predictions score 1 and MCC of exactly inverted binary predictions is −1', () => {
    const t = [0, 1, 2, 1, 0, 2];
    for (const f of [accuracy, balancedAccuracy, matthewsCorrcoef, gMean]) expect(f(t, t)).toBe(1);
    for (const average of ['macro', 'micro', 'weighted'] as const) expect(f1Score(t, t, { average })).toBe(1);
    expect(matthewsCorrcoef([0, 1, 1, 0], [1, 0, 0, 1])).toBe(-1);
  });
});

describe('confusion metrics: against float64 references on random data', () => {
  it('precision / recall / F-beta for every average, and micro = accuracy', () => {
    const r = rng(11);
    for (let trial = 0; trial < 40; trial++) {
      const n = 5 + Math.floor(r() * 60);
      const k = 2 + Math.floor(r() * 5);
      const t = randomLabels(r, n, k);
      const p = randomLabels(r, n, k);
      const m = refMatrix(t, p, k);
      for (const average of ['macro', 'micro', 'weighted'] as const) {
        expectClose(precision(t, p, { average }), refScore(m, 'p', average), 1e-12, 1e-15);
        expectClose(recall(t, p, { average }), refScore(m, 'r', average), 1e-12, 1e-15);
        expectClose(f1Score(t, p, { average }), refScore(m, 'f', average), 1e-12, 1e-15);
        expectClose(fbetaScore(t, p, { average, beta: 0.7 }), refScore(m, 'f', average, 0.7), 1e-12, 1e-15);
      }
      expectClose(f1Score(t, p, { average: 'micro' }), accuracy(t, p), 1e-12, 1e-15);
    }
  });

  it("MCC equals the correlation of the one-hot matrices, and the binary formula on two classes", () => {
    const r = rng(12);
    for (let trial = 0; trial < 40; trial++) {
      const n = 4 + Math.floor(r() * 60);
      const k = 2 + Math.floor(r() * 4);
      const t = randomLabels(r, n, k);
      const p = randomLabels(r, n, k);
      expectClose(matthewsCorrcoef(t, p), refMcc(t, p, Math.max(...t, ...p) + 1), 1e-12, 1e-14);
    }
    const t = randomLabels(r, 50, 2);
    const p = randomLabels(r, 50, 2);
    const [[tn, fp], [fn, tp]] = refMatrix(t, p, 2) as [[number, number], [number, number]];
    expectClose(matthewsCorrcoef(t, p), (tp * tn - fp * fn) / Math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)), 1e-12);
  });

  it('balanced accuracy and gMean are the arithmetic and geometric means of per-class recalls', () => {
    const r = rng(13);
    for (let trial = 0; trial < 30; trial++) {
      const n = 20 + Math.floor(r() * 40);
      const k = 2 + Math.floor(r() * 3);
      const t = randomLabels(r, n, k);
      const p = t.map((v) => (r() < 0.6 ? v : Math.floor(r() * k)));
      const m = refMatrix(t, p, k);
      const recalls = m.map((_, j) => j).filter((j) => rowSum(m, j) + colSum(m, j) > 0).map((j) => safe(m[j]![j]!, rowSum(m, j)));
      const seen = m.map((_, j) => j).filter((j) => rowSum(m, j) > 0).map((j) => m[j]![j]! / rowSum(m, j));
      expectClose(balancedAccuracy(t, p), seen.reduce((a, b) => a + b, 0) / seen.length, 1e-12);
      expectClose(gMean(t, p), recalls.reduce((a, b) => a * b, 1) ** (1 / recalls.length), 1e-12, 1e-15);
    }
  });
});

describe('confusion metrics: what yPred may hold', () => {
  it('reads score rows [N, C] as their argmax, the first maximum winning ties', () => {
    const rows = [
      [0.7, 0.2, 0.1],
      [0.3, 0.3, 0.4],
      [0.4, 0.4, 0.2], // tie: class 0
      [0.1, 0.1, 0.8],
    ];
    expect(confusionMatrix([0, 2, 1, 2], rows)).toEqual([
      [1, 0, 0],
      [1, 0, 0],
      [0, 0, 2],
    ]);
    expect(accuracy([0, 2, 1, 2], rows)).toBe(0.75);
    const r = rng(14);
    const scores = randomMatrix(r, 30, 4);
    const t = randomLabels(r, 30, 4);
    const argmax = scores.map((row) => row.indexOf(Math.max(...row)));
    expect(f1Score(t, scores, { average: 'macro' })).toBe(f1Score(t, argmax, { average: 'macro' }));
    // A matrix of size C even when the highest classes are never predicted
    expect(confusionMatrix([0, 0], [[0.9, 0.05, 0.05], [0.8, 0.1, 0.1]])).toEqual([
      [2, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });

  it('reads scores [N] as class 1 above `threshold` (strictly), and [N, 1] columns like [N]', () => {
    const t = [0, 1, 1, 0, 1];
    const s = [0.2, 0.5, 0.9, 0.7, 0.51];
    expect(confusionMatrix(t, s, { threshold: 0.5 })).toEqual([
      [1, 1],
      [1, 2],
    ]);
    expect(precision(t, s, { threshold: 0.5 })).toBe(precision(t, [0, 0, 1, 1, 1]));
    expect(matthewsCorrcoef(t, [[-2], [0.1], [3], [1], [0.2]], { threshold: 0 })).toBe(matthewsCorrcoef(t, [0, 1, 1, 1, 1]));
    expect(accuracy([[0], [1], [1]], [[0], [1], [0]])).toBe(2 / 3);
  });

  it('accepts tensors (float32, int32, bool), typed arrays and rows of typed arrays, and keeps no tensor', () => {
    const t = [0, 1, 2, 2, 1];
    const p = [0, 2, 2, 2, 1];
    const expected = f1Score(t, p, { average: 'weighted' });
    const tt = tf.tensor1d(t, 'int32');
    const pt = tf.tensor1d(p, 'float32');
    const bools = tf.tensor1d([true, false, true], 'bool');
    const before = tf.memory().numTensors;
    expect(f1Score(tt, pt, { average: 'weighted' })).toBe(expected);
    expect(f1Score(Int32Array.from(t), Float64Array.from(p), { average: 'weighted' })).toBe(expected);
    const rows = [Float32Array.of(1, 0, 0), Float32Array.of(0, 0, 1), Float32Array.of(0, 0, 1), Float32Array.of(0, 0, 1), Float32Array.of(0, 1, 0)];
    expect(f1Score(t, rows as never, { average: 'weighted' })).toBe(expected);
    expect(accuracy(bools, [1, 0, 0])).toBe(2 / 3);
    expect(tf.memory().numTensors).toBe(before);
    for (const x of [tt, pt, bools]) x.dispose();
  });
});

describe('confusion metrics: bad input', () => {
  it('rejects mismatched lengths, bad shapes and empty input with the library template', () => {
    expect(() => accuracy([0, 1, 1, 0], [0, 1, 1])).toThrow('accuracy: expected `yTrue` and `yPred` to have the same length, got [4] and [3]');
    expect(() => accuracy([0, 1, 1, 0], [[0.1, 0.9]])).toThrow('accuracy: expected `yTrue` and `yPred` to have the same number of rows, got [4] and [1,2]');
    expect(() => accuracy([[0, 1], [1, 0]], [0, 1])).toThrow('accuracy: expected `yTrue` to hold class labels of shape [N] or [N,1], got shape [2,2]');
    expect(() => accuracy([0, 1], [[[0]], [[1]]])).toThrow('accuracy: expected `yPred` to have shape [N], [N,1] or [N,C], got shape [2,1,1]');
    expect(() => accuracy([], [])).toThrow('accuracy: expected `yTrue` to hold at least one element, got shape [0]');
    expect(() => accuracy(3, [3])).toThrow('accuracy: expected `yTrue` to hold class labels of shape [N] or [N,1], got shape []');
    expect(() => accuracy([[0, 1], [1]] as never, [0, 1])).toThrow('accuracy: expected `yTrue` to be a rectangular array of shape [2,2], got length 1 at index [1]');
    expect(() => accuracy(['a', 'b'] as never, [0, 1])).toThrow('accuracy: expected every value of `yTrue` to be a number, got "a" (string) at index [0]');
    expect(() => accuracy('ab' as never, [0, 1])).toThrow('accuracy: expected `yTrue` to be a Tensor, number or numeric array, got "ab" (string)');
  });

  it('rejects labels that are not class indices, and scores without `threshold`', () => {
    expect(() => accuracy([0, -1, 1], [0, 1, 1])).toThrow('accuracy: expected every value of `yTrue` to be a non-negative integer class label, got -1 at index 1');
    expect(() => accuracy([0, 1.5, 1], [0, 1, 1])).toThrow('accuracy: expected every value of `yTrue` to be a non-negative integer class label, got 1.5 at index 1');
    expect(() => accuracy([0, 1, 1], [0.2, 0.7, 0.9])).toThrow('accuracy: expected every value of `yPred` to be a non-negative integer class label (pass `threshold` to read scores), got 0.2 at index 0');
    expect(() => accuracy([0, 3, 1], [[1, 0, 0], [0, 1, 0], [0, 0, 1]])).toThrow('accuracy: expected every value of `yTrue` to be an integer class index in [0, 2], got 3 at index 1');
    expect(() => accuracy([0, 1], [0.3, Number.NaN], { threshold: 0.5 })).toThrow('accuracy: expected every value of `yPred` to be a number, not NaN, got NaN at flat index 1');
    expect(() => accuracy([0, 1], [[0.3, Number.NaN], [1, 0]])).toThrow('accuracy: expected every value of `yPred` to be a number, not NaN, got NaN at flat index 1');
    expect(() => accuracy([0, 1], [[0.3, 0.7], [1, 0]], { threshold: 0.5 })).toThrow('accuracy: expected `threshold` to be used with scores of shape [N] or [N,1], got `yPred` of shape [2,2]');
  });

  it("rejects multiclass labels with average 'binary' (the default) and says what to choose", () => {
    const why = " with average 'binary' (choose average 'macro', 'micro' or 'weighted' for multiclass labels)";
    expect(() => precision([0, 1, 2], [0, 1, 1])).toThrow(`precision: expected every value of \`yTrue\` to be 0 or 1${why}, got 2 at index 2`);
    expect(() => recall([0, 1, 1], [0, 2, 1])).toThrow(`recall: expected every value of \`yPred\` to be 0 or 1${why}, got 2 at index 1`);
    expect(() => f1Score([0, 1], [[0.1, 0.2, 0.7], [0.5, 0.3, 0.2]])).toThrow(`f1Score: expected \`yPred\` to have 2 columns${why}, got shape [2,3]`);
  });

  it('rejects bad options: unknown keys, out-of-range numbers, bad choices, non-booleans', () => {
    expect(() => precision([0, 1], [0, 1], { average: 'samples' as never })).toThrow("precision: expected `average` to be one of 'binary' | 'macro' | 'micro' | 'weighted', got \"samples\" (string)");
    expect(() => precision([0, 1], [0, 1], { posLabel: 2 })).toThrow('precision: expected `posLabel` to be an integer >= 0 and <= 1, got 2 (number)');
    expect(() => fbetaScore([0, 1], [0, 1], { beta: -1 })).toThrow('fbetaScore: expected `beta` to be a finite number >= 0, got -1 (number)');
    expect(() => f1Score([0, 1], [0, 1], { beta: 2 } as never)).toThrow('f1Score: expected each option to be one of average, posLabel, threshold, got `beta`');
    expect(() => accuracy([0, 1], [0, 1], { weights: [1, 2] } as never)).toThrow('accuracy: expected each option to be one of threshold, got `weights`');
    expect(() => accuracy([0, 1], [0, 1], { threshold: '0.5' } as never)).toThrow('accuracy: expected `threshold` to be a finite number, got "0.5" (string)');
    expect(() => balancedAccuracy([0, 1], [0, 1], { adjusted: 1 } as never)).toThrow('balancedAccuracy: expected `adjusted` to be true or false, got 1 (number)');
    expect(() => gMean([0, 1], [0, 1], { correction: 2 })).toThrow('gMean: expected `correction` to be a finite number >= 0 and <= 1, got 2 (number)');
    expect(() => matthewsCorrcoef([0, 1], [0, 1], 3 as never)).toThrow('matthewsCorrcoef: expected `options` to be an object, got 3 (number)');
  });

  it('rejects a numClasses smaller than the labels or the score columns, and adjusted balanced accuracy of one class', () => {
    expect(confusionMatrix([0, 1], [1, 1], { numClasses: 3 })).toEqual([
      [0, 1, 0],
      [0, 1, 0],
      [0, 0, 0],
    ]);
    expect(() => confusionMatrix([0, 2], [0, 1], { numClasses: 2 })).toThrow('confusionMatrix: expected every value of `yTrue` to be an integer class index in [0, 1], got 2 at index 1');
    expect(() => confusionMatrix([0, 1], [0, 2], { numClasses: 2 })).toThrow('confusionMatrix: expected every value of `yPred` to be an integer class index in [0, 1], got 2 at index 1');
    expect(() => confusionMatrix([0, 1], [[1, 0, 0], [0, 1, 0]], { numClasses: 2 })).toThrow('confusionMatrix: expected `numClasses` to be at least the number of columns of `yPred` (3), got 2 (number)');
    expect(() => confusionMatrix([0, 1], [0, 1], { numClasses: 1.5 })).toThrow('confusionMatrix: expected `numClasses` to be an integer >= 1, got 1.5 (number)');
    expect(() => balancedAccuracy([1, 1], [1, 0], { adjusted: true })).toThrow('balancedAccuracy: expected `yTrue` to hold at least 2 classes with `adjusted: true` (chance level is undefined with one), got only class 1');
  });
});
