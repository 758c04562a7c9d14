import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, values } from '../../../test/helpers.js';
import { logSigmoid, logSoftmax, safeNorm, softTargetNll } from './numerics.js';

describe('safeNorm(x)', () => {
  it('is the Euclidean norm of each row', () => {
    expectClose(values(safeNorm(tf.tensor([[3, 4], [0, 0], [1, -1]]))), [5, 0, Math.SQRT2], 1e-6);
  });

  it('has gradient x/|x| away from the origin and 0, not NaN, at it', () => {
    const g = tf.grad((x: tf.Tensor) => tf.sum(safeNorm(x)))(tf.tensor([[3, 4], [0, 0]]));
    expectClose(values(g), [0.6, 0.8, 0, 0], 1e-6, 0);
  });

  it('leaks no tensors under a gradient', () => {
    const x = tf.tensor([[3, 4], [0, 0]]);
    expect(leakedTensors(() => tf.grad((v: tf.Tensor) => tf.sum(safeNorm(v)))(x))).toBe(0);
    x.dispose();
  });
});

describe('logSigmoid(x)', () => {
  it('equals log(1/(1+e^−x)) and stays finite at ±1e4', () => {
    const xs = [-1e4, -30, -1, 0, 2, 1e4];
    expectClose(values(logSigmoid(tf.tensor(xs))), [-1e4, -30 - Math.log1p(Math.exp(-30)), -Math.log1p(Math.E), -Math.LN2, -Math.log1p(Math.exp(-2)), 0], 1e-6, 1e-7);
    expectFinite(tf.grad((x: tf.Tensor) => tf.sum(logSigmoid(x)))(tf.tensor(xs)));
  });
});

describe('logSoftmax(z) and softTargetNll(t, z)', () => {
  it('match z − logsumexp(z) and −Σ t log softmax(z), finite at ±1e4', () => {
    const z = [[1, 2, 3], [1e4, -1e4, 0]];
    const lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    expectClose(values(logSoftmax(tf.tensor(z))), [1 - lse, 2 - lse, 3 - lse, 0, -2e4, -1e4], 1e-6);
    expectClose(values(softTargetNll(tf.tensor([[0, 0.5, 0.5], [0, 1, 0]]), tf.tensor(z))), [-(2.5 - lse), 2e4], 1e-6);
    expectFinite(tf.grad((x: tf.Tensor) => tf.sum(softTargetNll(tf.tensor([[0, 1, 0], [0, 1, 0]]), x)))(tf.tensor(z)));
  });
});
