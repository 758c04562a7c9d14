import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, normals, numericGradient, rng, values } from '../../../test/helpers.js';
import { diagGaussianKL } from './diagGaussianKL.js';

// Float64 reference in the standard-deviation form (torch.distributions' Normal–Normal KL),
// independent of the log-variance form of the function.
function klReference(muQ: number[], logvarQ: number[], muP: number[], logvarP: number[]): number {
  return muQ.reduce((s, mq, d) => {
    const sq = Math.exp(0.5 * logvarQ[d]!);
    const sp = Math.exp(0.5 * logvarP[d]!);
    return s + Math.log(sp / sq) + (sq * sq + (mq - muP[d]!) ** 2) / (2 * sp * sp) - 0.5;
  }, 0);
}

const rows = (r: () => number, b: number, l: number, scale = 1) => Array.from({ length: b }, () => normals(r, l).map((v) => v * scale));

describe('diagGaussianKL(muQ, logvarQ, muP, logvarP)', () => {
  it('matches the float64 reference per sample, summed over the latent dimensions', () => {
    const r = rng(1);
    const [mq, lq, mp, lp] = [rows(r, 4, 3), rows(r, 4, 3, 0.7), rows(r, 4, 3), rows(r, 4, 3, 0.7)];
    const out = diagGaussianKL(mq, lq, mp, lp);
    expect(out.shape).toEqual([4]);
    expectClose(values(out), mq.map((_, b) => klReference(mq[b]!, lq[b]!, mp[b]!, lp[b]!)), 1e-5, 1e-6);
    // One sample [L]: a scalar. Latent maps [B, H, W, L]: every axis but the first is summed.
    expectClose(diagGaussianKL(mq[0]!, lq[0]!, mp[0]!, lp[0]!).dataSync()[0]!, klReference(mq[0]!, lq[0]!, mp[0]!, lp[0]!), 1e-5);
    const maps = (x: number[][]) => tf.tensor(x.flat(), [2, 2, 1, 3]);
    const expectedMaps = [0, 1].map((b) => klReference(mq[2 * b]!.concat(mq[2 * b + 1]!), lq[2 * b]!.concat(lq[2 * b + 1]!), mp[2 * b]!.concat(mp[2 * b + 1]!), lp[2 * b]!.concat(lp[2 * b + 1]!)));
    expectClose(values(diagGaussianKL(maps(mq), maps(lq), maps(mp), maps(lp))), expectedMaps, 1e-5, 1e-6);
  });

  it('gives the closed forms: 0 for equal Gaussians, ½Δμ² for unit variances, ½(e^t − t − 1) for a variance ratio e^t', () => {
    expect(diagGaussianKL([[0.3, -1]], [[0.2, 0.5]], [[0.3, -1]], [[0.2, 0.5]]).dataSync()[0]).toBe(0);
    expectClose(diagGaussianKL([[1]], [[0]], [[0]], [[0]]).dataSync()[0]!, 0.5, 1e-7);
    expectClose(diagGaussianKL([[0, 0]], [[1, 0]], [[0, 0]], [[0, 0]]).dataSync()[0]!, 0.5 * (Math.E - 2), 1e-6);
  });

  it('is non-negative and asymmetric', () => {
    const r = rng(2);
    const [mq, lq, mp, lp] = [rows(r, 6, 4), rows(r, 6, 4), rows(r, 6, 4), rows(r, 6, 4)];
    const forward = values(diagGaussianKL(mq, lq, mp, lp));
    expect(Math.min(...forward)).toBeGreaterThan(0);
    const backward = values(diagGaussianKL(mp, lp, mq, lq));
    expect(forward.some((v, i) => Math.abs(v - backward[i]!) > 1e-3)).toBe(true);
  });

  it('has the gradient of the float64 reference (finite differences) in all four arguments', () => {
    const r = rng(3);
    const args = [rows(r, 1, 3)[0]!, rows(r, 1, 3, 0.5)[0]!, rows(r, 1, 3)[0]!, rows(r, 1, 3, 0.5)[0]!];
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => diagGaussianKL(a, b, c, d))(args.map((a) => tf.tensor1d(a)));
    args.forEach((arg, k) => {
      const f = (v: number[]) => klReference(...(args.map((a, j) => (j === k ? v : a)) as [number[], number[], number[], number[]]));
      expectClose(values(grads[k]!), numericGradient(f, arg), 1e-4, 1e-6);
    });
  });

  it('stays finite, in value and gradient, at log-variances of ±40 and large means', () => {
    const args = [[[1e3, -1e3]], [[40, -40]], [[-1e3, 0]], [[-40, 40]]].map((a) => tf.tensor2d(a));
    expectFinite(diagGaussianKL(args[0]!, args[1]!, args[2]!, args[3]!));
    for (const g of tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => diagGaussianKL(a, b, c, d))(args)) expectFinite(g);
  });

  it('leaks no tensors', () => {
    const args = [[[0.1, 0.2]], [[0, 0.3]], [[0.5, -0.2]], [[0.1, 0]]].map((a) => tf.tensor2d(a));
    expect(leakedTensors(() => diagGaussianKL(args[0]!, args[1]!, args[2]!, args[3]!))).toBe(0);
    expect(leakedTensors(() => tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => diagGaussianKL(a, b, c, d))(args))).toBe(0);
    for (const a of args) a.dispose();
  });

  it('rejects bad input with a message naming the function, the argument, the rule and the value', () => {
    expect(() => diagGaussianKL([[0, 1]], [[0, 1]], [[0, 1, 2]], [[0, 1]])).toThrow('diagGaussianKL: expected `muQ` and `muP` to have the same shape, got [1,2] and [1,3]');
    expect(() => diagGaussianKL([[0, 1]], [[0]], [[0, 1]], [[0, 1]])).toThrow('diagGaussianKL: expected `muQ` and `logvarQ` to have the same shape, got [1,2] and [1,1]');
    expect(() => diagGaussianKL(0, 0, 0, 0)).toThrow('diagGaussianKL: expected `muQ` to have shape [B, L] (or [L] for one sample), got a scalar');
    expect(() => diagGaussianKL([], [], [], [])).toThrow('diagGaussianKL: expected `muQ` to hold at least one element, got shape [0]');
    expect(() => diagGaussianKL('a' as never, [0], [0], [0])).toThrow('diagGaussianKL: expected `muQ` to be a Tensor, number or numeric array, got "a" (string)');
  });
});
