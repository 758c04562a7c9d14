import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, randomLabels, randomMatrix, rng } from '../../test/helpers.js';
import { accuracy } from './confusion.js';
import { averagePrecision, rocAuc, topKAccuracy } from './ranking.js';

// ---- Float64 references written from the definitions, sharing nothing with the metrics ----

/** AUC by counting every positive–negative pair, a tie counting 1/2: O(N₊·N₋). */
function pairAuc(y: number[], s: number[]): number {
  let wins = 0;
  let pairs = 0;
  y.forEach((yi, i) => {
    if (yi !== 1) return;
    y.forEach((yj, j) => {
      if (yj !== 0) return;
      pairs++;
      wins += s[i]! > s[j]! ? 1 : s[i] === s[j] ? 0.5 : 0;
    });
  });
  return wins / pairs;
}

/** AUC as the trapezoidal area under the ROC curve through the distinct thresholds. */
function trapezoidAuc(y: number[], s: number[]): number {
  const thresholds = [...new Set(s)].sort((a, b) => b - a);
  const pos = y.filter((v) => v === 1).length;
  const neg = y.length - pos;
  let area = 0;
  let [fpr0, tpr0] = [0, 0];
  for (const t of thresholds) {
    const tpr = y.filter((v, i) => v === 1 && s[i]! >= t).length / pos;
    const fpr = y.filter((v, i) => v === 0 && s[i]! >= t).length / neg;
    area += ((fpr - fpr0) * (tpr + tpr0)) / 2;
    [fpr0, tpr0] = [fpr, tpr];
  }
  return area;
}

/** AP from the definition: Σ_n (R_n − R_{n−1}) P_n over the distinct thresholds, high to low. */
function stepAp(y: number[], s: number[]): number {
  const thresholds = [...new Set(s)].sort((a, b) => b - a);
  const pos = y.filter((v) => v === 1).length;
  let ap = 0;
  let previous = 0;
  for (const t of thresholds) {
    const tp = y.filter((v, i) => v === 1 && s[i]! >= t).length;
    const predicted = s.filter((v) => v >= t).length;
    ap += (tp / pos - previous) * (tp / predicted);
    previous = tp / pos;
  }
  return ap;
}

/** Top-k hit by sorting the classes: score descending, then (scikit-learn's reversed stable argsort) index descending. */
function topKHit(row: number[], y: number, k: number): boolean {
  const order = row.map((_, j) => j).sort((a, b) => row[b]! - row[a]! || b - a);
  return order.slice(0, k).includes(y);
}

const softmaxRows = (z: number[][]) =>
  z.map((row) => {
    const e = row.map(Math.exp);
    const total = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / total);
  });
const column = (m: number[][], k: number) => m.map((row) => row[k]!);
const oneVsRest = (y: number[], k: number): number[] => y.map((v) => (v === k ? 1 : 0));
/** Scores rounded to one decimal, so that ties are frequent. */
const tiedScores = (r: () => number, n: number) => Array.from({ length: n }, () => Math.round((r() * 2 - 1) * 10) / 10);

// A 12-sample, 3-class fixture with ties, and a 14-sample binary one; the values are those of
// scikit-learn 1.2.1 (roc_auc_score(multi_class='ovr'), average_precision_score on the binarised labels,
// top_k_accuracy_score).
const Y3 = [0, 1, 2, 2, 1, 0, 1, 2, 0, 1, 2, 2];
const P3 = [
  [0.5, 0.3, 0.2], [0.2, 0.5, 0.3], [0.1, 0.3, 0.6], [0.3, 0.3, 0.4], [0.4, 0.4, 0.2], [0.6, 0.2, 0.2],
  [0.3, 0.5, 0.2], [0.2, 0.2, 0.6], [0.2, 0.5, 0.3], [0.1, 0.8, 0.1], [0.4, 0.2, 0.4], [0.3, 0.4, 0.3],
];
const YB = [1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0];
const SB = [0.9, 0.1, 0.4, 0.4, 0.4, 0.2, 0.8, 0.8, 0.3, 0.3, 0.6, 0.9, 0.5, 0.05];

describe('rocAuc(yTrue, yScore, options)', () => {
  it('reproduces scikit-learn: the documentation example and the fixtures', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.75);
    expectClose(rocAuc(YB, SB), 0.7755102040816326, 1e-14);
    expectClose(rocAuc(Y3, P3), 0.8903604497354497, 1e-14);
    expectClose(rocAuc(Y3, P3, { average: 'weighted' }), 0.9064980158730158, 1e-14);
    expectClose(rocAuc(Y3, P3, { average: 'micro', multiClass: 'ovr' }), 0.8836805555555556, 1e-14);
  });

  it('counts ties as 1/2, by hand', () => {
    // positives {0.5, 0.9}, negatives {0.5, 0.2}: 0.5 + 1 + 1 + 1 of 4 pairs
    expect(rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9])).toBe(0.875);
    expect(rocAuc([0, 1, 0, 1], [3, 3, 3, 3])).toBe(0.5);
  });

  it('equals the pair count and the trapezoidal area on random data with ties', () => {
    const r = rng(21);
    for (let trial = 0; trial < 60; trial++) {
      const n = 2 + Math.floor(r() * 80);
      const y = randomLabels(r, n, 2);
      y[0] = 0;
      y[1] = 1;
      const s = tiedScores(r, n);
      const auc = rocAuc(y, s);
      expectClose(auc, pairAuc(y, s), 1e-12, 1e-15);
      expectClose(auc, trapezoidAuc(y, s), 1e-12, 1e-15);
    }
  });

  it('depends only on the order: invariant to monotone maps, 1 − AUC for negated scores', () => {
    const r = rng(22);
    const y = randomLabels(r, 200, 2);
    const s = tiedScores(r, 200);
    const auc = rocAuc(y, s);
    expectClose(rocAuc(y, s.map((v) => Math.exp(3 * v) - 7)), auc, 1e-15);
    expectClose(rocAuc(y, s.map((v) => -v)), 1 - auc, 1e-12);
    expect(rocAuc(y, y)).toBe(1);
  });

  it("multiclass one-vs-rest: macro, support-weighted and micro (all cells) averages of the binary AUC", () => {
    const r = rng(23);
    const p = softmaxRows(randomMatrix(r, 90, 4, 2));
    const y = randomLabels(r, 90, 4);
    const per = [0, 1, 2, 3].map((k) => pairAuc(oneVsRest(y, k), column(p, k)));
    const support = [0, 1, 2, 3].map((k) => oneVsRest(y, k).reduce((a, b) => a + b, 0));
    expectClose(rocAuc(y, p), per.reduce((a, b) => a + b, 0) / 4, 1e-12);
    expectClose(rocAuc(y, p, { average: 'weighted' }), per.reduce((a, v, k) => a + v * support[k]!, 0) / 90, 1e-12);
    expectClose(rocAuc(y, p, { average: 'micro' }), pairAuc(y.flatMap((v) => [0, 1, 2, 3].map((k) => (v === k ? 1 : 0))), p.flat()), 1e-12);
  });

  it('two probability columns give the binary AUC of the second; [N, 1] scores are binary scores', () => {
    const r = rng(24);
    const y = randomLabels(r, 50, 2);
    const q = Array.from({ length: 50 }, () => Math.round(r() * 20) / 20);
    expectClose(rocAuc(y, q.map((v) => [1 - v, v])), rocAuc(y, q), 1e-12);
    expect(rocAuc(y, q.map((v) => [v]))).toBe(rocAuc(y, q));
  });

  it('reads tensors and typed arrays and keeps no tensor', () => {
    const yt = tf.tensor1d(YB, 'int32');
    const st = tf.tensor1d(SB);
    const pt = tf.tensor2d(P3);
    const before = tf.memory().numTensors;
    // float32 rounding of the scores keeps their order here
    expectClose(rocAuc(yt, st), rocAuc(YB, SB), 1e-15);
    expectClose(rocAuc(Uint8Array.from(YB), Float32Array.from(SB)), rocAuc(YB, SB), 1e-15);
    expectClose(rocAuc(Y3, pt), rocAuc(Y3, P3), 1e-15);
    expect(tf.memory().numTensors).toBe(before);
    for (const x of [yt, st, pt]) x.dispose();
  });

  it('rejects one class, missing classes, non-probability rows, NaN scores and bad options', () => {
    expect(() => rocAuc([1, 1, 1], [0.2, 0.5, 0.1])).toThrow('rocAuc: expected `yTrue` to hold both classes 0 and 1 (the score is undefined with one class), got only class 1');
    expect(() => rocAuc([0, 0], [0.2, 0.5])).toThrow('rocAuc: expected `yTrue` to hold both classes 0 and 1 (the score is undefined with one class), got only class 0');
    expect(() => rocAuc([0, 1, 0], [[0.2, 0.8, 0], [0.5, 0.5, 0], [0.1, 0.9, 0]])).toThrow('rocAuc: expected every class of `yScore` to occur in `yTrue` (one-vs-rest needs positives of each class), got no sample of class 2');
    expect(() => rocAuc([0, 1, 2], [[2, 1, 0], [0, 1, 0], [0, 0, 1]])).toThrow('rocAuc: expected each row of `yScore` to sum to 1 (multiclass rocAuc takes probabilities, as scikit-learn: apply a softmax to logits), got a sum of 3 in row 0');
    expect(() => rocAuc([0, 1, 2], [0.1, 0.2, 0.3])).toThrow('rocAuc: expected every value of `yTrue` to be 0 or 1 with scores of shape [N] (pass score rows [N,C] for multiclass labels), got 2 at index 2');
    expect(() => rocAuc([0, 1, 3], P3.slice(0, 3))).toThrow('rocAuc: expected every value of `yTrue` to be an integer class index in [0, 2], got 3 at index 2');
    expect(() => rocAuc([0, 1, 1], [0.1, Number.NaN, 0.3])).toThrow('rocAuc: expected every value of `yScore` to be a number, not NaN, got NaN at flat index 1');
    expect(() => rocAuc([0, 1, 1, 0], [0.1, 0.2, 0.3])).toThrow('rocAuc: expected `yTrue` and `yScore` to have the same length, got [4] and [3]');
    expect(() => rocAuc([0, 1], [])).toThrow('rocAuc: expected `yScore` to hold at least one element, got shape [0]');
    expect(() => rocAuc([0, 1], [[[0.1]], [[0.2]]])).toThrow('rocAuc: expected `yScore` to have shape [N], [N,1] or [N,C], got shape [2,1,1]');
    expect(() => rocAuc([0, 1], [0.1, 0.2], { multiClass: 'ovo' } as never)).toThrow("rocAuc: expected `multiClass` to be one of 'ovr', got \"ovo\" (string)");
    expect(() => rocAuc([0, 1], [0.1, 0.2], { average: 'binary' } as never)).toThrow("rocAuc: expected `average` to be one of 'macro' | 'weighted' | 'micro', got \"binary\" (string)");
    expect(() => rocAuc([0, 1], [0.1, 0.2], { maxFpr: 0.5 } as never)).toThrow('rocAuc: expected each option to be one of average, multiClass, got `maxFpr`');
  });
});

describe('averagePrecision(yTrue, yScore, options)', () => {
  it('reproduces scikit-learn: the documentation example and the fixtures', () => {
    expectClose(averagePrecision([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.8333333333333333, 1e-15);
    expectClose(averagePrecision(YB, SB), 0.7694805194805194, 1e-14);
    expectClose(averagePrecision(Y3, P3), 0.8337301587301585, 1e-14);
    expectClose(averagePrecision(Y3, P3, { average: 'weighted' }), 0.8484126984126984, 1e-14);
    expectClose(averagePrecision(Y3, P3, { average: 'micro' }), 0.8008128646715604, 1e-14);
  });

  it('steps through tied thresholds without interpolation, by hand', () => {
    // thresholds 0.9 (R ½, P 1), 0.5 (R 1, P 2/3), 0.2 (R stays 1): ½ + ½·⅔
    expectClose(averagePrecision([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9]), 0.5 + 1 / 3, 1e-15);
    // one threshold for all: precision = positive rate
    expect(averagePrecision([0, 1, 0, 0], [7, 7, 7, 7])).toBe(0.25);
    expect(averagePrecision([1, 1, 1], [0.3, 0.1, 0.2])).toBe(1);
  });

  it('equals the step sum of the definition on random data with ties, and is order-only', () => {
    const r = rng(25);
    for (let trial = 0; trial < 60; trial++) {
      const n = 1 + Math.floor(r() * 80);
      const y = randomLabels(r, n, 2);
      y[0] = 1;
      const s = tiedScores(r, n);
      expectClose(averagePrecision(y, s), stepAp(y, s), 1e-12, 1e-15);
      expectClose(averagePrecision(y, s.map((v) => 2 * v + 5)), averagePrecision(y, s), 1e-15);
    }
  });

  it('multiclass one-vs-rest averages, rows not required to sum to 1', () => {
    const r = rng(26);
    const z = randomMatrix(r, 60, 3, 2);
    const y = randomLabels(r, 60, 3);
    const per = [0, 1, 2].map((k) => stepAp(oneVsRest(y, k), column(z, k)));
    const support = [0, 1, 2].map((k) => oneVsRest(y, k).reduce((a, b) => a + b, 0));
    expectClose(averagePrecision(y, z), per.reduce((a, b) => a + b, 0) / 3, 1e-12);
    expectClose(averagePrecision(y, z, { average: 'weighted' }), per.reduce((a, v, k) => a + v * support[k]!, 0) / 60, 1e-12);
    expectClose(averagePrecision(y, z, { average: 'micro' }), stepAp(y.flatMap((v) => [0, 1, 2].map((k) => (v === k ? 1 : 0))), z.flat()), 1e-12);
  });

  it('reads tensors and keeps none', () => {
    const st = tf.tensor1d(SB);
    const before = tf.memory().numTensors;
    expectClose(averagePrecision(YB, st), averagePrecision(YB, SB), 1e-15);
    expect(tf.memory().numTensors).toBe(before);
    st.dispose();
  });

  it('rejects data without positives and missing classes', () => {
    expect(() => averagePrecision([0, 0, 0], [0.2, 0.5, 0.1])).toThrow('averagePrecision: expected `yTrue` to hold at least one positive (the score is undefined without), got only class 0');
    expect(() => averagePrecision([0, 0], [[0.2, 0.8], [0.5, 0.5]])).toThrow('averagePrecision: expected every class of `yScore` to occur in `yTrue` (one-vs-rest needs positives of each class), got no sample of class 1');
    expect(() => averagePrecision([0, 1], [0.1, Number.NaN])).toThrow('averagePrecision: expected every value of `yScore` to be a number, not NaN, got NaN at flat index 1');
    expect(() => averagePrecision([0, 1], [0.1, 0.2], { multiClass: 'ovr' } as never)).toThrow('averagePrecision: expected each option to be one of average, got `multiClass`');
  });
});

describe('topKAccuracy(yTrue, yScore, options)', () => {
  it("reproduces scikit-learn's documentation example (k = 2) and fixture", () => {
    const scores = [
      [0.5, 0.2, 0.2],
      [0.3, 0.4, 0.2],
      [0.2, 0.4, 0.3],
      [0.7, 0.2, 0.1],
    ];
    expect(topKAccuracy([0, 1, 2, 2], scores, { k: 2 })).toBe(0.75);
    expectClose(topKAccuracy(Y3, P3, { k: 1 }), 0.8333333333333334, 1e-15);
    expectClose(topKAccuracy(Y3, P3, { k: 2 }), 0.9166666666666666, 1e-15);
  });

  it('breaks ties as scikit-learn: the higher class index ranks first', () => {
    const rows = [
      [0.2, 0.2, 0.2, 0.4], // y 0: behind 3, 2, 1 → miss at k = 2
      [0.2, 0.2, 0.2, 0.4], // y 1: behind 3, 2 → miss
      [0.2, 0.2, 0.2, 0.4], // y 2: behind 3 → hit
      [0.5, 0.5, 0, 0], // y 1: first → hit
    ];
    expect(topKAccuracy([0, 1, 2, 1], rows, { k: 2 })).toBe(0.5); // scikit-learn 1.2.1 gives 0.5
    expect(topKAccuracy([0, 1, 2, 1], rows, { k: 3 })).toBe(0.75);
  });

  it('matches a sort-based reference on random tied scores; k = 1 is argmax accuracy without ties; k >= C is 1', () => {
    const r = rng(27);
    for (let trial = 0; trial < 30; trial++) {
      const c = 2 + Math.floor(r() * 6);
      const n = 1 + Math.floor(r() * 40);
      const s = Array.from({ length: n }, () => tiedScores(r, c));
      const y = randomLabels(r, n, c);
      for (let k = 1; k <= c; k++) {
        expect(topKAccuracy(y, s, { k })).toBe(y.filter((v, i) => topKHit(s[i]!, v, k)).length / n);
      }
      expect(topKAccuracy(y, s, { k: c + 3 })).toBe(1);
    }
    const z = randomMatrix(r, 50, 6);
    const y = randomLabels(r, 50, 6);
    expect(topKAccuracy(y, z, { k: 1 })).toBe(accuracy(y, z));
    // the default k is 5
    expect(topKAccuracy(y, z)).toBe(topKAccuracy(y, z, { k: 5 }));
  });

  it('reads tensors and keeps none', () => {
    const z = tf.tensor2d(P3);
    const before = tf.memory().numTensors;
    expectClose(topKAccuracy(Y3, z, { k: 2 }), 0.9166666666666666, 1e-15);
    expect(tf.memory().numTensors).toBe(before);
    z.dispose();
  });

  it('rejects bad shapes, labels, NaN and k', () => {
    expect(() => topKAccuracy([0, 1], [0.1, 0.2])).toThrow('topKAccuracy: expected `yScore` to have shape [N,C] with C >= 2, got shape [2]');
    expect(() => topKAccuracy([0, 1], [[0.1], [0.2]])).toThrow('topKAccuracy: expected `yScore` to have shape [N,C] with C >= 2, got shape [2,1]');
    expect(() => topKAccuracy([0, 1, 1], [[0.1, 0.9], [0.2, 0.8]])).toThrow('topKAccuracy: expected `yTrue` and `yScore` to have the same number of rows, got [3] and [2,2]');
    expect(() => topKAccuracy([0, 2], [[0.1, 0.9], [0.2, 0.8]])).toThrow('topKAccuracy: expected every value of `yTrue` to be an integer class index in [0, 1], got 2 at index 1');
    expect(() => topKAccuracy([0, 1], [[0.1, Number.NaN], [0.2, 0.8]])).toThrow('topKAccuracy: expected every value of `yScore` to be a number, not NaN, got NaN at flat index 1');
    expect(() => topKAccuracy([0, 1], [[0.1, 0.9], [0.2, 0.8]], { k: 0 })).toThrow('topKAccuracy: expected `k` to be an integer >= 1, got 0 (number)');
    expect(() => topKAccuracy([0, 1], [[0.1, 0.9], [0.2, 0.8]], { k: 1.5 })).toThrow('topKAccuracy: expected `k` to be an integer >= 1, got 1.5 (number)');
  });
});
