import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, leakedTensors, values } from '../../../test/helpers.js';
import { gatherFlat, segmentSum } from './segments.js';

describe('gatherFlat(x, indices) and segmentSum(values, segmentIds, numSegments)', () => {
  it('gather by index, with a gradient that adds up repeated indices', () => {
    const x = tf.tensor1d([1, 2, 3, 4]);
    expectClose(values(gatherFlat(x, [3, 0, 3, 1])), [4, 1, 4, 2], 0, 0);
    // d/dx Σ_k c_k x[i_k] = Σ_{k: i_k = j} c_k
    const g = tf.grad((z: tf.Tensor) => tf.sum(tf.mul(gatherFlat(z as tf.Tensor1D, new Int32Array([3, 0, 3, 1])), tf.tensor1d([1, 10, 100, 1000]))))(x);
    expectClose(values(g), [10, 1000, 0, 101], 0, 0);
  });

  it('sums by segment, leaving empty segments at 0, with a gradient that reads each segment back', () => {
    const v = tf.tensor1d([1, 2, 3, 4, 5]);
    expectClose(values(segmentSum(v, [0, 0, 2, 2, 2], 4)), [3, 0, 12, 0], 0, 0);
    const g = tf.grad((z: tf.Tensor) => tf.sum(tf.mul(segmentSum(z as tf.Tensor1D, [0, 0, 2, 2, 2], 4), tf.tensor1d([1, 10, 100, 1000]))))(v);
    expectClose(values(g), [1, 1, 100, 100, 100], 0, 0);
  });

  it('leaks no tensors, with or without a gradient', () => {
    const x = tf.tensor1d([1, 2, 3]);
    expect(leakedTensors(() => gatherFlat(x, [0, 2]))).toBe(0);
    expect(leakedTensors(() => segmentSum(x, [1, 1, 0], 2))).toBe(0);
    expect(leakedTensors(() => tf.grad((z: tf.Tensor) => tf.sum(segmentSum(gatherFlat(z as tf.Tensor1D, [2, 2, 0]), [0, 1, 1], 3)))(x))).toBe(0);
    x.dispose();
  });
});
