import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, leakedTensors, randomMatrix, rng, values } from '../../../test/helpers.js';
import { gatherRows, sumRows } from './rows.js';

describe('gatherRows and sumRows', () => {
  const x = tf.tensor2d(randomMatrix(rng(1), 5, 3));
  const idx = Int32Array.of(4, 0, 4, 2);
  const weights = tf.tensor2d(randomMatrix(rng(2), 4, 3));

  it('gather rows and add rows (repeats summed), with the gradients tf.gather and tf.unsortedSegmentSum have', () => {
    const i = tf.tensor1d(idx, 'int32');
    expect(values(gatherRows(x, idx))).toEqual(values(tf.gather(x, i)));
    expectClose(values(sumRows(weights, idx, 5)), values(tf.unsortedSegmentSum(weights, i, 5)), 1e-6, 1e-7);
    const f = (z: tf.Tensor) => tf.sum(tf.mul(gatherRows(z as tf.Tensor2D, idx), weights));
    const g = (z: tf.Tensor) => tf.sum(tf.mul(tf.gather(z, i), weights));
    expectClose(values(tf.grad(f)(x)), values(tf.grad(g)(x)), 1e-6, 1e-7);
    const h = (v: tf.Tensor) => tf.sum(tf.mul(sumRows(v as tf.Tensor2D, idx, 5), x));
    const k = (v: tf.Tensor) => tf.sum(tf.mul(tf.unsortedSegmentSum(v, i, 5), x));
    expectClose(values(tf.grad(h)(weights)), values(tf.grad(k)(weights)), 1e-6, 1e-7);
  });

  it('handle an empty index list: no rows, zero sums and zero gradients', () => {
    const none = new Int32Array(0);
    expect(gatherRows(x, none).shape).toEqual([0, 3]);
    expect(values(sumRows(tf.zeros([0, 2]) as tf.Tensor2D, none, 3))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(values(tf.grad((z: tf.Tensor) => tf.sum(gatherRows(z as tf.Tensor2D, none)))(x))).toEqual(new Array(15).fill(0));
  });

  it('leak no tensors', () => {
    expect(leakedTensors(() => tf.grad((z: tf.Tensor) => tf.sum(sumRows(gatherRows(z as tf.Tensor2D, idx), idx, 5)))(x))).toBe(0);
  });
});
