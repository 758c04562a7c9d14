import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, randomMatrix, rng } from '../../test/helpers.js';
import { meanAbsoluteError, r2Score, rootMeanSquaredError } from './regression.js';

// ---- Float64 references per output column, sharing nothing with the metrics ----
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const columns = (m: number[][]) => m[0]!.map((_, j) => m.map((row) => row[j]!));
const refMae = (t: number[], p: number[]) => mean(t.map((v, i) => Math.abs(v - p[i]!)));
const refRmse = (t: number[], p: number[]) => Math.sqrt(mean(t.map((v, i) => (v - p[i]!) ** 2)));
function refR2(t: number[], p: number[]): number {
  const m = mean(t);
  const res = t.reduce((s, v, i) => s + (v - p[i]!) ** 2, 0);
  const tot = t.reduce((s, v) => s + (v - m) ** 2, 0);
  return 1 - res / tot;
}

describe('regression metrics', () => {
  it('reproduce the scikit-learn documentation examples', () => {
    const t = [3, -0.5, 2, 7];
    const p = [2.5, 0.0, 2, 8];
    expect(meanAbsoluteError(t, p)).toBe(0.5);
    expectClose(rootMeanSquaredError(t, p), 0.6123724356957945, 1e-15); // sqrt(0.375)
    expectClose(r2Score(t, p), 0.9486081370449679, 1e-15); // 1 − 1.5 / 29.1875
    const tm = [[0.5, 1], [-1, 1], [7, -6]];
    const pm = [[0, 2], [-1, 2], [8, -5]];
    expect(meanAbsoluteError(tm, pm)).toBe(0.75);
    expectClose(rootMeanSquaredError(tm, pm), 0.8227486121839513, 1e-15); // (sqrt(1.25/3) + 1)/2
    expectClose(r2Score(tm, pm), 0.9368005266622779, 1e-15);
  });

  it('match per-output float64 references averaged over outputs', () => {
    const r = rng(41);
    for (const d of [1, 2, 5]) {
      const t = randomMatrix(r, 37, d, 3);
      const p = t.map((row) => row.map((v) => v + (r() - 0.5) * 2));
      const [ct, cp] = [columns(t), columns(p)];
      expectClose(meanAbsoluteError(t, p), mean(ct.map((c, j) => refMae(c, cp[j]!))), 1e-13);
      expectClose(rootMeanSquaredError(t, p), mean(ct.map((c, j) => refRmse(c, cp[j]!))), 1e-13);
      expectClose(r2Score(t, p), mean(ct.map((c, j) => refR2(c, cp[j]!))), 1e-13);
    }
  });

  it('score a perfect prediction 0 / 0 / 1, the mean prediction R² 0, and a constant target as scikit-learn', () => {
    const t = [1, 4, 2, 9];
    expect([meanAbsoluteError(t, t), rootMeanSquaredError(t, t), r2Score(t, t)]).toEqual([0, 0, 1]);
    expectClose(r2Score(t, [4, 4, 4, 4]), 0, 0, 1e-15);
    expect(r2Score([3, 3, 3], [3, 3, 3])).toBe(1);
    expect(r2Score([3, 3, 3], [3, 3, 4])).toBe(0);
    expectClose(r2Score([1, 2], [2, 1]), 1 - 2 / 0.5, 1e-15);
  });

  it('accept [N] against [N, 1], tensors and typed arrays, and keep no tensor', () => {
    const t = [3, -0.5, 2, 7];
    const p = [2.5, 0.0, 2, 8];
    const tt = tf.tensor2d(t, [4, 1]);
    const before = tf.memory().numTensors;
    expect(meanAbsoluteError(tt, p)).toBe(0.5);
    expectClose(r2Score(Float64Array.from(t), p.map((v) => [v])), 0.9486081370449679, 1e-15);
    expect(tf.memory().numTensors).toBe(before);
    tt.dispose();
  });

  it('reject shape mismatches, non-finite values, too few samples and options', () => {
    expect(() => meanAbsoluteError([1, 2, 3], [1, 2])).toThrow('meanAbsoluteError: expected `yTrue` and `yPred` to have the same shape, got [3] and [2]');
    expect(() => meanAbsoluteError([[1, 2]], [[1, 2, 3]])).toThrow('meanAbsoluteError: expected `yTrue` and `yPred` to have the same shape, got [1,2] and [1,3]');
    expect(() => rootMeanSquaredError([[[1]]], [[[1]]])).toThrow('rootMeanSquaredError: expected `yTrue` to have shape [N] or [N,D], got shape [1,1,1]');
    expect(() => rootMeanSquaredError([1, 2], [1, Number.NaN])).toThrow('rootMeanSquaredError: expected every value of `yPred` to be finite, got NaN at flat index 1');
    expect(() => r2Score([1, Number.POSITIVE_INFINITY], [1, 2])).toThrow('r2Score: expected every value of `yTrue` to be finite, got Infinity at flat index 1');
    expect(() => r2Score([1], [1])).toThrow('r2Score: expected `yTrue` to hold at least 2 samples (R² is undefined for one), got 1 sample');
    expect(() => meanAbsoluteError([], [])).toThrow('meanAbsoluteError: expected `yTrue` to hold at least one element, got shape [0]');
    expect(() => r2Score([1, 2], [1, 2], { multioutput: 'raw_values' } as never)).toThrow('r2Score: expected each option to be absent (this metric takes no options), got `multioutput`');
  });
});
