import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { refClassCosines, refLogSumExp, refRows, refSum } from '../../../test/embedding-reference.js';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomLabels, randomMatrix, rng, values } from '../../../test/helpers.js';
import { proxyAnchorLoss } from './proxyAnchorLoss.js';

// Float64 reference: the Proxy Anchor objective as PML's ProxyAnchorLoss computes it (per proxy,
// log(1 + Σ) over its class's samples and over the others; divisors: proxies with positives, all
// proxies), with per-sample weights multiplying the exponential terms.
function reference(labels: number[], embeddings: number[][], proxies: number[][], o: { margin?: number; alpha?: number; weights?: number[] } = {}) {
  const { margin = 0.1, alpha = 32 } = o;
  const w = o.weights ?? labels.map(() => 1);
  const cos = refClassCosines(embeddings, proxies);
  const c = proxies[0]!.length;
  const log1pSum = (xs: number[]) => refLogSumExp([0, ...xs]);
  const pos: number[] = [];
  const neg: number[] = [];
  for (let p = 0; p < c; p++) {
    const members = labels.map((_, i) => i).filter((i) => labels[i] === p && w[i]! > 0);
    const others = labels.map((_, i) => i).filter((i) => labels[i] !== p && w[i]! > 0);
    pos.push(log1pSum(members.map((i) => Math.log(w[i]!) - alpha * (cos[i]![p]! - margin))));
    neg.push(log1pSum(others.map((i) => Math.log(w[i]!) + alpha * (cos[i]![p]! + margin))));
  }
  const withPositives = new Set(labels).size;
  return {
    mean: refSum(pos) / withPositives + refSum(neg) / c,
    meanNonZero: refSum(pos) / pos.filter((v) => v > 0).length + refSum(neg) / neg.filter((v) => v > 0).length,
    sum: refSum(pos) + refSum(neg),
    none: pos.map((v, p) => v + neg[p]!),
  };
}

const scalar = (t: tf.Tensor) => t.dataSync()[0] as number;

describe('proxyAnchorLoss(labels, embeddings, options)', () => {
  it('reproduces a hand-computed example', () => {
    // Orthogonal embeddings on their own proxies: positives cost log(1 + e^(−32·0.9)), negatives log(1 + e^(32·0.1)).
    const expected = Math.log1p(Math.exp(-28.8)) + Math.log1p(Math.exp(3.2));
    const eye = [
      [1, 0],
      [0, 1],
    ];
    expectClose(scalar(proxyAnchorLoss([0, 1], eye, { proxies: eye })), expected, 1e-6);
  });

  it('matches the float64 reference on random inputs, options and reductions (classes missing from the batch included)', () => {
    const r = rng(1);
    const emb = randomMatrix(r, 16, 5);
    const proxies = randomMatrix(r, 5, 6);
    const labels = randomLabels(r, 16, 4); // classes 4 and 5 have no sample
    for (const o of [{}, { margin: 0.3, alpha: 8 }, { margin: -0.1, alpha: 1 }]) {
      const ref = reference(labels, emb, proxies, o);
      expectClose(scalar(proxyAnchorLoss(labels, emb, { proxies, ...o })), ref.mean, 1e-5);
      expectClose(scalar(proxyAnchorLoss(labels, emb, { proxies, ...o, reduction: 'sum' })), ref.sum, 1e-5);
      expectClose(scalar(proxyAnchorLoss(labels, emb, { proxies, ...o, reduction: 'meanNonZero' })), ref.meanNonZero, 1e-5);
      expectClose(values(proxyAnchorLoss(labels, emb, { proxies, ...o, reduction: 'none' })), ref.none, 1e-5, 1e-6);
    }
  });

  it('multiplies each sample’s terms by its weight; weight 0 leaves the sample out', () => {
    const r = rng(2);
    const emb = randomMatrix(r, 8, 3);
    const proxies = randomMatrix(r, 3, 3);
    const labels = [0, 0, 1, 1, 2, 2, 0, 1];
    const weights = [1, 0.5, 2, 0, 1, 3, 0, 1];
    expectClose(scalar(proxyAnchorLoss(labels, emb, { proxies, weights, alpha: 4 })), reference(labels, emb, proxies, { weights, alpha: 4 }).mean, 1e-5);
    const kept = [0, 1, 2, 4, 5, 7];
    const sliced = reference(
      kept.map((i) => labels[i]!),
      kept.map((i) => emb[i]!),
      proxies,
      { alpha: 4, weights: kept.map((i) => weights[i]!) },
    );
    expectClose(scalar(proxyAnchorLoss(labels, emb, { proxies, weights, alpha: 4, reduction: 'sum' })), sliced.sum, 1e-5);
  });

  it('has the gradient of the float64 reference (finite differences), for embeddings and proxies', () => {
    const r = rng(3);
    const emb = randomMatrix(r, 6, 3);
    const proxies = randomMatrix(r, 3, 4);
    const labels = [0, 0, 1, 2, 2, 1];
    const g = tf.grad((z: tf.Tensor) => proxyAnchorLoss(labels, z, { proxies, alpha: 8 }))(tf.tensor(emb));
    expectClose(values(g), numericGradient((x) => reference(labels, refRows(x, 3), proxies, { alpha: 8 }).mean, emb.flat()), 1e-4, 1e-6);
    const gp = tf.grad((p: tf.Tensor) => proxyAnchorLoss(labels, emb, { proxies: p, alpha: 8 }))(tf.tensor(proxies));
    expectClose(values(gp), numericGradient((x) => reference(labels, emb, refRows(x, 4), { alpha: 8 }).mean, proxies.flat()), 1e-4, 1e-6);
  });

  it('stays finite, in value and gradient, for identical embeddings, one class and large α', () => {
    const proxies = randomMatrix(rng(4), 3, 3);
    const cases: [number[], number[][], number][] = [
      [[0, 1, 2, 0], Array.from({ length: 4 }, () => [1, 2, 3]), 32],
      [[1, 1, 1, 1], randomMatrix(rng(5), 4, 3), 32],
      [[0, 1, 2, 0], randomMatrix(rng(6), 4, 3), 1e4],
    ];
    for (const [labels, emb, alpha] of cases) {
      expectFinite(proxyAnchorLoss(labels, emb, { proxies, alpha, reduction: 'none' }));
      expectFinite(tf.grad((z: tf.Tensor) => proxyAnchorLoss(labels, z, { proxies, alpha }))(tf.tensor(emb)));
    }
  });

  it('leaks no tensors', () => {
    const emb = tf.tensor(randomMatrix(rng(7), 5, 3));
    const proxies = randomMatrix(rng(8), 3, 3);
    expect(leakedTensors(() => tf.grad((z: tf.Tensor) => proxyAnchorLoss([0, 1, 2, 0, 1], z, { proxies, weights: [1, 1, 0, 2, 1] }))(emb))).toBe(0);
    emb.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    const emb = [
      [1, 0],
      [0, 1],
    ];
    expect(() => proxyAnchorLoss([0, 1], emb)).toThrow('proxyAnchorLoss: expected `proxies` to be given: a [D, numClasses] matrix, D = 2, got undefined');
    expect(() => proxyAnchorLoss([0, 1], emb, { proxies: emb, weights: [1, -1] })).toThrow(
      'proxyAnchorLoss: expected every value of `weights` to be >= 0 (they multiply each sample’s terms), got -1 at index 1',
    );
    expect(() => proxyAnchorLoss([0, 1], emb, { proxies: emb, alpha: 0 })).toThrow('proxyAnchorLoss: expected `alpha` to be a finite number > 0, got 0 (number)');
    expect(() => proxyAnchorLoss([0, 5], emb, { proxies: emb })).toThrow('proxyAnchorLoss: expected every value of `labels` to be an integer class index in [0, 1], got 5 at index 1');
  });
});
