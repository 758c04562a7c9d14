import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, randomMatrix, rng } from '../../test/helpers.js';
import { gaussianNaiveBayes } from './gaussianNaiveBayes.js';

// ---- Float64 reference written from the definitions, sharing nothing with the classifier ----

function reference(x: number[][], y: number[], shared: boolean, smoothing = 1e-9) {
  const classes = [...new Set(y)].sort((a, b) => a - b);
  const d = x[0]!.length;
  const n = x.length;
  const column = (rows: number[][], j: number) => rows.map((r) => r[j]!);
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const pvar = (v: number[]) => {
    const m = mean(v);
    return v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length;
  };
  const eps = smoothing * Math.max(...Array.from({ length: d }, (_, j) => pvar(column(x, j))));
  const groups = classes.map((c) => x.filter((_, i) => y[i] === c));
  const priors = groups.map((g) => g.length / n);
  const means = groups.map((g) => Array.from({ length: d }, (_, j) => mean(column(g, j))));
  const classVars = groups.map((g) => Array.from({ length: d }, (_, j) => pvar(column(g, j))));
  const variances = shared
    ? classVars.map(() => Array.from({ length: d }, (_, j) => classVars.reduce((s, v, k) => s + priors[k]! * v[j]!, 0) + eps))
    : classVars.map((v) => v.map((s) => s + eps));
  const logits = (q: number[][]) =>
    q.map((row) =>
      classes.map((_, k) => {
        let s = Math.log(priors[k]!);
        for (let j = 0; j < d; j++) {
          const v = variances[k]![j]!;
          s -= (0.5 * (row[j]! - means[k]![j]!) ** 2) / v;
          if (!shared) s -= 0.5 * Math.log(2 * Math.PI * v);
        }
        return s;
      }),
    );
  return { classes, means, variances, priors, eps, logits };
}

/** Two or more Gaussian classes in d dimensions: class k centred at `spread·k` along every axis. */
function mixture(seed: number, perClass: number[], d: number, spread = 1.5) {
  const r = rng(seed);
  const x: number[][] = [];
  const y: number[] = [];
  perClass.forEach((m, k) => {
    for (const row of randomMatrix(r, m, d, 1 + 0.3 * k)) {
      x.push(row.map((v, j) => v + spread * k * (j % 2 === 0 ? 1 : -1)));
      y.push(k);
    }
  });
  return { x, y };
}

const X = [[0, 1], [1, 2], [2, 0], [3, 1], [4, 3]];
const Y = [0, 0, 1, 1, 1];

describe('gaussianNaiveBayes(options)', () => {
  it('reproduces the spec values (papers-A A.13): means, shared variance and logits', () => {
    const nb = gaussianNaiveBayes().fit(X, Y);
    expect(nb.classes).toEqual([0, 1]);
    expect(nb.classCounts).toEqual([2, 3]);
    expectClose(nb.means.flat(), [0.5, 1.5, 3, 1.333333], 1e-6);
    expectClose(nb.variances[0]!, [0.5, 1.033333], 1e-6);
    expectClose(nb.variances[1]!, [0.5, 1.033333], 1e-6);
    expectClose(nb.logits([[1.5, 1]])[0]!, [-2.037258, -2.814589], 1e-6);
  });

  it('matches values derived by hand on the spec data', () => {
    const nb = gaussianNaiveBayes().fit(X, Y);
    // Feature variances over all data: 2 and 1.04, so ε = 2e-9; pooled variances 0.4·0.25 + 0.6·2/3 and 0.4·0.25 + 0.6·14/9.
    expectClose(nb.epsilon, 2e-9, 1e-12);
    expectClose(nb.variances[0]!, [0.5 + 2e-9, 0.1 + 0.6 * (14 / 9) + 2e-9], 1e-14);
    expectClose(nb.logPriors, [Math.log(0.4), Math.log(0.6)], 1e-15);
    // At (1.5, 1): class 0 is log 0.4 − ½ (1/0.5 + 0.25/1.0333…), class 1 is log 0.6 − ½ (2.25/0.5 + (1/9)/1.0333…).
    const v1 = 0.1 + 0.6 * (14 / 9) + 2e-9;
    const v0 = 0.5 + 2e-9;
    expectClose(nb.logits([[1.5, 1]])[0]!, [Math.log(0.4) - 0.5 * (1 / v0 + 0.25 / v1), Math.log(0.6) - 0.5 * (2.25 / v0 + 1 / 9 / v1)], 1e-14);
    // Per-class variances (scikit-learn's GaussianNB): [0.25, 0.25] and [2/3, 14/9], plus ε.
    const q = gaussianNaiveBayes({ sharedVariance: false }).fit(X, Y);
    expectClose(q.variances.flat(), [0.25 + 2e-9, 0.25 + 2e-9, 2 / 3 + 2e-9, 14 / 9 + 2e-9], 1e-14);
    const l0 = Math.log(0.4) - 0.5 * (2 * Math.log(2 * Math.PI * (0.25 + 2e-9)) + 1 / (0.25 + 2e-9) + 0.25 / (0.25 + 2e-9));
    expectClose(q.logits([[1.5, 1]])[0]![0]!, l0, 1e-14);
  });

  it('matches the float64 reference on random mixtures, shared and per-class variances', () => {
    const { x, y } = mixture(1, [30, 45, 25], 5);
    const test = mixture(2, [10, 10, 10], 5).x;
    for (const shared of [true, false]) {
      const nb = gaussianNaiveBayes({ sharedVariance: shared }).fit(x, y);
      const ref = reference(x, y, shared);
      expectClose(nb.means.flat(), ref.means.flat(), 1e-13);
      expectClose(nb.variances.flat(), ref.variances.flat(), 1e-12);
      expectClose(nb.epsilon, ref.eps, 1e-12);
      expectClose(nb.logits(test).flat(), ref.logits(test).flat(), 1e-12, 1e-12);
      // Posteriors: softmax of the reference logits.
      const post = ref.logits(test).map((row) => {
        const e = row.map(Math.exp);
        const s = e.reduce((a, b) => a + b, 0);
        return e.map((v) => v / s);
      });
      expectClose(nb.predictProba(test).flat(), post.flat(), 1e-10, 1e-14);
      expectClose(nb.predictLogProba(test).flat(), post.flat().map(Math.log), 1e-10, 1e-12);
      expect(nb.predict(test)).toEqual(ref.logits(test).map((row) => row.indexOf(Math.max(...row))));
    }
  });

  it('is linear in x with a shared variance: logit differences are affine functions of x', () => {
    const { x, y } = mixture(3, [20, 20], 3);
    const nb = gaussianNaiveBayes().fit(x, y);
    const f = (p: number[]) => {
      const l = nb.logits([p])[0]!;
      return l[1]! - l[0]!;
    };
    const a = [0.3, -1, 2];
    const b = [1, 0.5, -0.7];
    expectClose(f(a.map((v, j) => 0.25 * v + 0.75 * b[j]!)), 0.25 * f(a) + 0.75 * f(b), 1e-12, 1e-12);
  });

  it('fits in chunks (partialFit) as at once, new classes included', () => {
    const { x, y } = mixture(4, [15, 25, 10], 4);
    const order = x.map((_, i) => i).sort((i, j) => (i * 7919) % 50 - (j * 7919) % 50);
    const xs = order.map((i) => x[i]!);
    const ys = order.map((i) => y[i]!);
    for (const shared of [true, false]) {
      const once = gaussianNaiveBayes({ sharedVariance: shared }).fit(xs, ys);
      const chunked = gaussianNaiveBayes({ sharedVariance: shared });
      chunked.partialFit(xs.slice(0, 7), ys.slice(0, 7)).partialFit(xs.slice(7, 30), ys.slice(7, 30)).partialFit(xs.slice(30), ys.slice(30));
      expect(chunked.classCounts).toEqual(once.classCounts);
      expectClose(chunked.means.flat(), once.means.flat(), 1e-12, 1e-14);
      expectClose(chunked.variances.flat(), once.variances.flat(), 1e-12, 1e-14);
      expectClose(chunked.epsilon, once.epsilon, 1e-12);
      expectClose(chunked.logits(xs).flat(), once.logits(xs).flat(), 1e-10, 1e-10);
    }
    // fit starts over.
    const nb = gaussianNaiveBayes().partialFit(xs.slice(0, 10), ys.slice(0, 10)).fit(X, Y);
    expect(nb.classCounts).toEqual([2, 3]);
  });

  it('learns a near-Bayes classifier on separable Gaussian classes', () => {
    const { x, y } = mixture(5, [200, 200], 6, 2);
    const test = mixture(6, [300, 300], 6, 2);
    const nb = gaussianNaiveBayes().fit(x, y);
    expect(nb.score(test.x, test.y)).toBeGreaterThan(0.97);
  });

  it('keeps any non-negative integer labels, fixed priors and tensor inputs', () => {
    const labels = Y.map((v) => (v === 0 ? 7 : 3));
    const nb = gaussianNaiveBayes().fit(X, labels);
    expect(nb.classes).toEqual([3, 7]);
    expectClose(nb.logits([[1.5, 1]])[0]!, [-2.814589, -2.037258], 1e-6);
    expect(nb.predict([[1.5, 1], [4, 2]])).toEqual([7, 3]);
    const fixed = gaussianNaiveBayes({ priors: [0.5, 0.5] }).fit(X, Y);
    expectClose(fixed.logits([[1.5, 1]])[0]!, [-2.037258 - Math.log(0.4) + Math.log(0.5), -2.814589 - Math.log(0.6) + Math.log(0.5)], 1e-6);
    const t = gaussianNaiveBayes().fit(tf.tensor2d(X), tf.tensor1d(Y, 'int32'));
    expectClose(t.logits(tf.tensor2d([[1.5, 1]]))[0]!, [-2.037258, -2.814589], 1e-6);
  });

  it('stays finite when every feature is constant (ε falls back to varSmoothing)', () => {
    const nb = gaussianNaiveBayes().fit([[1, 2], [1, 2], [1, 2]], [0, 1, 1]);
    expect(nb.epsilon).toBe(1e-9);
    for (const v of nb.logits([[1, 2], [1, 2.001]]).flat()) expect(Number.isFinite(v)).toBe(true);
  });

  it('rejects bad input', () => {
    expect(() => gaussianNaiveBayes().predict(X)).toThrow('gaussianNaiveBayes.logits: expected the model to be fitted first (call fit or partialFit), got no data');
    expect(() => gaussianNaiveBayes().means).toThrow('gaussianNaiveBayes.means: expected the model to be fitted first (call fit or partialFit), got no data');
    expect(() => gaussianNaiveBayes().fit([1, 2], [0, 1])).toThrow('gaussianNaiveBayes.fit: expected `features` to have shape [N, d], got shape [2]');
    expect(() => gaussianNaiveBayes().fit(X, [0, 1])).toThrow('gaussianNaiveBayes.fit: expected `features` and `labels` to have the same number of rows, got [5,2] and [2]');
    expect(() => gaussianNaiveBayes().fit(X, [0, 1, 1, -1, 0])).toThrow('gaussianNaiveBayes.fit: expected every value of `labels` to be a non-negative integer class label, got -1 at index 3');
    expect(() => gaussianNaiveBayes().fit(X, Y).logits([[1, 2, 3]])).toThrow('gaussianNaiveBayes.logits: expected `features` to have 2 columns, as the fitted data, got shape [1,3]');
    expect(() => gaussianNaiveBayes().fit(X, Y).partialFit([[1, 2, 3]], [0])).toThrow('gaussianNaiveBayes.partialFit: expected `features` to have 2 columns, as the fitted data, got shape [1,3]');
    expect(() => gaussianNaiveBayes({ priors: [0.2, 0.3, 0.5] }).fit(X, Y)).toThrow('gaussianNaiveBayes.fit: expected `priors` to have one entry per class (2), got 3 entries');
    expect(() => gaussianNaiveBayes({ priors: [0.2, 0.3] })).toThrow('gaussianNaiveBayes: expected `priors` to sum to 1, got sum 0.5');
    expect(() => gaussianNaiveBayes({ varSmoothing: -1 })).toThrow('gaussianNaiveBayes: expected `varSmoothing` to be a finite number >= 0, got -1 (number)');
    expect(() => gaussianNaiveBayes({ shared: true } as never)).toThrow('gaussianNaiveBayes: expected each option to be one of varSmoothing, sharedVariance, priors, got `shared`');
    expect(() => gaussianNaiveBayes().fit([[0, Number.NaN]], [0])).toThrow('gaussianNaiveBayes.fit: expected every value of `features` to be finite, got NaN at flat index 1');
  });
});
