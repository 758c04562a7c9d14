import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, randomLabels, randomMatrix, rng } from '../../test/helpers.js';
import { brierScore, expectedCalibrationError, logLoss, reliabilityBins } from './calibration.js';

// ---- Float64 references written from the definitions, sharing nothing with the metrics ----

const softmaxRows = (z: number[][]) =>
  z.map((row) => {
    const e = row.map(Math.exp);
    const total = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / total);
  });
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function refLogLoss(y: number[], rows: number[][], eps = 1e-15): number {
  return mean(rows.map((row, i) => -Math.log(Math.min(1 - eps, Math.max(eps, row[y[i]!]!)))));
}

function refBrierRows(y: number[], rows: number[][]): number {
  return mean(rows.map((row, i) => row.reduce((s, p, c) => s + (p - (c === y[i] ? 1 : 0)) ** 2, 0)));
}

/** ECE by scanning the bins (lo, hi] one by one (the first also holding 0), top-label confidence. */
function refEce(y: number[], rows: number[][], bins: number): number {
  const conf = rows.map((row) => Math.max(...row));
  const pred = rows.map((row) => row.indexOf(Math.max(...row)));
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    const [lo, hi] = [b / bins, (b + 1) / bins];
    const members = conf.map((_, i) => i).filter((i) => (conf[i]! > lo || (b === 0 && conf[i] === 0)) && conf[i]! <= hi);
    if (members.length === 0) continue;
    const acc = members.filter((i) => pred[i] === y[i]).length / members.length;
    const c = mean(members.map((i) => conf[i]!));
    ece += (members.length / y.length) * Math.abs(acc - c);
  }
  return ece;
}

// Fixtures shared with the ranking tests; values of scikit-learn 1.2.1 (log_loss, brier_score_loss,
// and numpy for the multiclass Brier sum).
const Y3 = [0, 1, 2, 2, 1, 0, 1, 2, 0, 1, 2, 2];
const P3 = [
  [0.5, 0.3, 0.2], [0.2, 0.5, 0.3], [0.1, 0.3, 0.6], [0.3, 0.3, 0.4], [0.4, 0.4, 0.2], [0.6, 0.2, 0.2],
  [0.3, 0.5, 0.2], [0.2, 0.2, 0.6], [0.2, 0.5, 0.3], [0.1, 0.8, 0.1], [0.4, 0.2, 0.4], [0.3, 0.4, 0.3],
];
const YB = [1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0];
const SB = [0.9, 0.1, 0.4, 0.4, 0.4, 0.2, 0.8, 0.8, 0.3, 0.3, 0.6, 0.9, 0.5, 0.05];

describe('logLoss(yTrue, yProb, options)', () => {
  it('reproduces scikit-learn: the documentation example and the fixtures', () => {
    // log_loss(["spam", "ham", "ham", "spam"], ...) with ham = 0, spam = 1
    expectClose(logLoss([1, 0, 0, 1], [[0.1, 0.9], [0.9, 0.1], [0.8, 0.2], [0.35, 0.65]]), 0.21616187468057912, 1e-15);
    expectClose(logLoss(Y3, P3), 0.7831120730562099, 1e-15);
    expectClose(logLoss(YB, SB), 0.5668994717597584, 1e-15);
  });

  it('is −mean log p of the true class, by hand; binary [N] equals rows [1 − p, p]', () => {
    expectClose(logLoss([1, 0], [0.8, 0.4]), -(Math.log(0.8) + Math.log(0.6)) / 2, 1e-15);
    const r = rng(31);
    const y = randomLabels(r, 40, 2);
    const p = Array.from({ length: 40 }, () => r());
    expectClose(logLoss(y, p), logLoss(y, p.map((v) => [1 - v, v])), 1e-14);
    const rows = softmaxRows(randomMatrix(r, 40, 5, 2));
    const yc = randomLabels(r, 40, 5);
    expectClose(logLoss(yc, rows), refLogLoss(yc, rows), 1e-14);
  });

  it('clips to [eps, 1 − eps]: finite at probability 0, eps = 1e-15 by default', () => {
    expectClose(logLoss([1], [0]), -Math.log(1e-15), 1e-15); // 34.538776394910684
    expectClose(logLoss([0, 1], [[0, 1], [1, 0]]), -Math.log(1e-15), 1e-15);
    expectClose(logLoss([1], [0], { eps: 1e-7 }), -Math.log(1e-7), 1e-15);
    expectClose(logLoss([1], [1]), -Math.log(1 - 1e-15), 1e-6);
    expect(logLoss([1], [0], { eps: 0 })).toBe(Number.POSITIVE_INFINITY);
  });

  it('uses rows as given, not renormalised (scikit-learn >= 1.5)', () => {
    expectClose(logLoss([0], [[0.5, 0.3, 0.1]]), -Math.log(0.5), 1e-15);
  });

  it('reads tensors and keeps none', () => {
    const yt = tf.tensor1d(Y3, 'int32');
    const pt = tf.tensor2d(P3);
    const before = tf.memory().numTensors;
    expectClose(logLoss(yt, pt), 0.7831120730562099, 1e-7); // float32 rows
    expect(tf.memory().numTensors).toBe(before);
    yt.dispose();
    pt.dispose();
  });

  it('rejects logits, bad labels and a bad eps', () => {
    expect(() => logLoss([0, 1], [-1.5, 2])).toThrow('logLoss: expected every value of `yProb` to lie in [0, 1] (probabilities: apply a sigmoid or softmax to logits first), got -1.5 at flat index 0');
    expect(() => logLoss([0, 1], [0.5, Number.NaN])).toThrow('logLoss: expected every value of `yProb` to lie in [0, 1] (probabilities: apply a sigmoid or softmax to logits first), got NaN at flat index 1');
    expect(() => logLoss([0, 2], [0.5, 0.5])).toThrow('logLoss: expected every value of `yTrue` to be 0 or 1 with probabilities of shape [N] (pass probability rows [N,C] for multiclass labels), got 2 at index 1');
    expect(() => logLoss([0, 3], [[0.5, 0.5], [0.2, 0.8]])).toThrow('logLoss: expected every value of `yTrue` to be an integer class index in [0, 1], got 3 at index 1');
    expect(() => logLoss([0, 1, 0], [[0.5, 0.5], [0.2, 0.8]])).toThrow('logLoss: expected `yTrue` and `yProb` to have the same number of rows, got [3] and [2,2]');
    expect(() => logLoss([0, 1], [0.5, 0.5], { eps: 0.5 })).toThrow('logLoss: expected `eps` to be a finite number >= 0 and < 0.5, got 0.5 (number)');
    expect(() => logLoss([0, 1], [0.5, 0.5], { normalize: false } as never)).toThrow('logLoss: expected each option to be one of eps, got `normalize`');
  });
});

describe('brierScore(yTrue, yProb)', () => {
  it('reproduces scikit-learn: the documentation example and the fixtures', () => {
    // (0.01 + 0.01 + 0.04 + 0.09) / 4
    expectClose(brierScore([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.3]), 0.0375, 1e-15);
    expectClose(brierScore(YB, SB), 0.20160714285714282, 1e-15);
    expectClose(brierScore(Y3, P3), 0.44333333333333336, 1e-15);
  });

  it('sums over classes for C >= 3 (range [0, 2]) and halves it for two columns', () => {
    // rows [0.8,0.1,0.1] (y 0), [0.2,0.7,0.1] (y 1), [0.2,0.2,0.6] (y 2): (0.06 + 0.14 + 0.24) / 3
    expectClose(brierScore([0, 1, 2], [[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.2, 0.2, 0.6]]), 0.44 / 3, 1e-15);
    expect(brierScore([0, 1], [[0, 1, 0], [1, 0, 0]])).toBe(2);
    const r = rng(32);
    const y = randomLabels(r, 30, 2);
    const p = Array.from({ length: 30 }, () => r());
    expectClose(brierScore(y, p.map((v) => [1 - v, v])), brierScore(y, p), 1e-14);
    expectClose(brierScore(y, p), mean(p.map((v, i) => (v - y[i]!) ** 2)), 1e-14);
    const rows = softmaxRows(randomMatrix(r, 30, 4));
    const yc = randomLabels(r, 30, 4);
    expectClose(brierScore(yc, rows), refBrierRows(yc, rows), 1e-14);
    expect(brierScore([0, 1, 2], [[1, 0, 0], [0, 1, 0], [0, 0, 1]])).toBe(0);
  });

  it('rejects probabilities outside [0, 1] and any option', () => {
    expect(() => brierScore([0, 1], [0.5, 1.5])).toThrow('brierScore: expected every value of `yProb` to lie in [0, 1] (probabilities: apply a sigmoid or softmax to logits first), got 1.5 at flat index 1');
    expect(() => brierScore([0, 1], [0.5, 0.5], { scaleByHalf: true } as never)).toThrow('brierScore: expected each option to be absent (this metric takes no options), got `scaleByHalf`');
    expect(() => brierScore([], [])).toThrow('brierScore: expected `yTrue` to hold at least one element, got shape [0]');
  });
});

describe('expectedCalibrationError / reliabilityBins(yTrue, yProb, { bins })', () => {
  it('by hand: 5 bins, top-label confidences 0.9, 0.9, 0.8, 0.7 all correct', () => {
    // bin (0.8, 1]: conf 0.9, acc 1; bin (0.6, 0.8]: conf 0.75, acc 1 → ½·0.1 + ½·0.25
    expectClose(expectedCalibrationError([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.3], { bins: 5 }), 0.175, 1e-15);
    const bins = reliabilityBins([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.3], { bins: 5 });
    expect(bins.map((b) => b.count)).toEqual([0, 0, 0, 2, 2]);
    expectClose([bins[3]!.confidence, bins[3]!.accuracy, bins[4]!.confidence, bins[4]!.accuracy], [0.75, 1, 0.9, 1], 1e-15);
    expect(bins[0]).toEqual({ lower: 0, upper: 0.2, confidence: 0, accuracy: 0, count: 0 });
  });

  it('is 0 for perfectly calibrated bins, and |acc − conf| for one bin', () => {
    // 8 samples at confidence 0.75 of which 6 right (p = 0.25 predicts 0), 4 at 0.5 of which 2 right
    // (binary p = 0.5 predicts 0); binary fractions, so the sums are exact
    const y = [1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 1, 1];
    const p = [0.75, 0.75, 0.75, 0.75, 0.75, 0.25, 0.75, 0.25, 0.5, 0.5, 0.5, 0.5];
    expect(expectedCalibrationError(y, p)).toBe(0);
    expect(reliabilityBins(y, p, { bins: 4 }).map((b) => [b.count, b.accuracy, b.confidence])).toEqual([[0, 0, 0], [4, 0.5, 0.5], [8, 0.75, 0.75], [0, 0, 0]]);
    // random bins: m samples at confidence k/m of which k right, in several classes
    const r = rng(35);
    const yy: number[] = [];
    const rows: number[][] = [];
    for (let bin = 0; bin < 12; bin++) {
      const m = 5 + Math.floor(r() * 20);
      const k = Math.ceil(m / 2) + Math.floor(r() * (m - Math.ceil(m / 2)));
      for (let i = 0; i < m; i++) {
        rows.push([k / m, 1 - k / m]);
        yy.push(i < k ? 0 : 1);
      }
    }
    expectClose(expectedCalibrationError(yy, rows, { bins: 40 }), 0, 0, 1e-14);
    expectClose(expectedCalibrationError([0, 0, 0, 0], [0.9, 0.9, 0.9, 0.9], { bins: 1 }), 0.9, 1e-15);
  });

  it('matches a bin-scanning reference on random rows, and [N] probabilities equal rows [1 − p, p]', () => {
    const r = rng(33);
    for (let trial = 0; trial < 20; trial++) {
      const c = 2 + Math.floor(r() * 4);
      const rows = softmaxRows(randomMatrix(r, 80, c, 1 + 2 * r()));
      const y = randomLabels(r, 80, c);
      for (const bins of [1, 5, 10, 15]) expectClose(expectedCalibrationError(y, rows, { bins }), refEce(y, rows, bins), 1e-12, 1e-15);
    }
    const y = randomLabels(r, 100, 2);
    const p = Array.from({ length: 100 }, () => Math.round(r() * 20) / 20); // hits 0.5 and bin edges
    expectClose(expectedCalibrationError(y, p), expectedCalibrationError(y, p.map((v) => [1 - v, v])), 1e-14);
    expect(reliabilityBins(y, p, { bins: 10 })).toEqual(reliabilityBins(y, p.map((v) => [1 - v, v]), { bins: 10 }));
  });

  it('bins are (b/B, (b+1)/B], the first holding 0, and the sum of |B|/N · gap is the ECE', () => {
    const count = (rows: number[][], bins: number) => reliabilityBins(rows.map(() => 0), rows, { bins }).map((b) => b.count);
    expect(count([[0.2, 0.2, 0.2, 0.2, 0.2]], 5)).toEqual([1, 0, 0, 0, 0]); // exactly on an upper edge
    expect(count([[0.7, 0.3]], 10)).toEqual([0, 0, 0, 0, 0, 0, 1, 0, 0, 0]); // 0.7·10 rounds to 7.000000000000001
    expect(count([[0.6666666666666667, 0.3333333333333333]], 3)).toEqual([0, 0, 1]); // just above 2/3
    expect(count([[1, 0]], 4)).toEqual([0, 0, 0, 1]);
    const bins = reliabilityBins([0, 1], [[0, 0, 0, 0], [0.1, 0.2, 0.3, 0.4]], { bins: 3 });
    expect(bins.map((b) => b.count)).toEqual([1, 1, 0]); // a confidence of 0 lands in the first bin
    expect(bins.map((b) => [b.lower, b.upper])).toEqual([[0, 1 / 3], [1 / 3, 2 / 3], [2 / 3, 1]]);
    const r = rng(34);
    const rows = softmaxRows(randomMatrix(r, 60, 3, 2));
    const y = randomLabels(r, 60, 3);
    const sum = reliabilityBins(y, rows).reduce((s, b) => s + (b.count / 60) * Math.abs(b.accuracy - b.confidence), 0);
    expectClose(expectedCalibrationError(y, rows), sum, 1e-15);
    expect(reliabilityBins(y, rows)).toHaveLength(15);
  });

  it('reads tensors and keeps none', () => {
    const pt = tf.tensor2d(P3);
    const before = tf.memory().numTensors;
    const flat = Array.from(pt.dataSync());
    const rows32 = Y3.map((_, i) => flat.slice(3 * i, 3 * i + 3)); // the float32 values the metric reads
    expectClose(expectedCalibrationError(Y3, pt, { bins: 4 }), refEce(Y3, rows32, 4), 1e-12);
    expect(tf.memory().numTensors).toBe(before);
    pt.dispose();
  });

  it('rejects bad bins, labels and probabilities', () => {
    expect(() => expectedCalibrationError([0, 1], [0.2, 0.7], { bins: 0 })).toThrow('expectedCalibrationError: expected `bins` to be an integer >= 1, got 0 (number)');
    expect(() => reliabilityBins([0, 1], [0.2, 0.7], { bins: 2.5 })).toThrow('reliabilityBins: expected `bins` to be an integer >= 1, got 2.5 (number)');
    expect(() => expectedCalibrationError([0, 1], [0.2, 7])).toThrow('expectedCalibrationError: expected every value of `yProb` to lie in [0, 1] (probabilities: apply a sigmoid or softmax to logits first), got 7 at flat index 1');
    expect(() => expectedCalibrationError([0, 1, 1], [0.2, 0.7])).toThrow('expectedCalibrationError: expected `yTrue` and `yProb` to have the same length, got [3] and [2]');
    expect(() => reliabilityBins([0, 1], [[[0.2]], [[0.7]]])).toThrow('reliabilityBins: expected `yProb` to have shape [N], [N,1] or [N,C], got shape [2,1,1]');
    expect(() => reliabilityBins([0, 1], [0.2, 0.7], { norm: 'max' } as never)).toThrow('reliabilityBins: expected each option to be one of bins, got `norm`');
  });
});
