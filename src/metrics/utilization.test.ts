import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, randomMatrix, rng } from '../../test/helpers.js';
import { utilization } from './utilization.js';

// Float64 reference.
const unit = (a: number[]) => {
  const n = Math.sqrt(a.reduce((s, v) => s + v * v, 0));
  return n > 0 ? a.map((v) => v / n) : a;
};
function reference(q: number[][], x: number[][], normalize = true): number {
  const [qq, xx] = normalize ? [q.map(unit), x.map(unit)] : [q, x];
  return qq.reduce((s, a) => s + Math.min(...xx.map((b) => a.reduce((t, v, k) => t + (v - b[k]!) ** 2, 0))), 0) / qq.length;
}

describe('utilization(queries, references, options)', () => {
  it('is the mean squared distance to the nearest reference on normalised embeddings', () => {
    expectClose(utilization([[1, 0]], [[0, 1], [0.6, 0.8]]), 0.8, 1e-12);
    const r = rng(1);
    const q = randomMatrix(r, 30, 5);
    const x = randomMatrix(r, 50, 5);
    expectClose(utilization(q, x), reference(q, x), 1e-12);
    expectClose(utilization(q, x, { normalize: false }), reference(q, x, false), 1e-12);
    expectClose(utilization(tf.tensor(q), tf.tensor(x)), reference(q, x), 1e-6);
  });

  it('is 0 when every query is a (scaled) training embedding and at most 4 otherwise', () => {
    const x = randomMatrix(rng(2), 10, 3);
    expectClose(utilization(x.slice(0, 4).map((v) => v.map((a) => 3 * a)), x), 0, 0, 1e-12);
    expect(utilization([[1, 0]], [[-1, 0]])).toBeCloseTo(4, 12);
  });

  it('rejects bad input with the library’s message', () => {
    expect(() => utilization([[1, 2]], [[1, 2, 3]])).toThrow('utilization: expected `queries` and `references` to have the same number of columns, got 2 and 3');
    expect(() => utilization([1, 2], [[1, 2]])).toThrow('utilization: expected `queries` to have shape [N,D], got shape [2]');
    expect(() => utilization([[1, Number.NaN]], [[1, 2]])).toThrow('utilization: expected every value of `queries` to be finite, got NaN at flat index 1');
    expect(() => utilization([[1, 2]], [[1, 2]], { normalise: true } as never)).toThrow('utilization: expected each option to be one of normalize, got `normalise`');
    expect(() => utilization([[1, 2]], [[1, 2]], { normalize: 1 } as never)).toThrow('utilization: expected `normalize` to be true or false, got 1 (number)');
  });
});
