import * as tf from '@tensorflow/tfjs-core';
import { describe, it } from 'vitest';
import { refLogSumExp } from '../../../test/embedding-reference.js';
import { expectClose, expectFinite, values } from '../../../test/helpers.js';
import { maskedLogSumExp } from './logsumexp.js';

describe('maskedLogSumExp(z, counts, addOne)', () => {
  const z = [
    [1, 2, 3],
    [-1, 50, 0.5],
    [4, 4, 4],
  ];
  const counts = [
    [1, 0, 2],
    [0, 0, 0],
    [3, 1, 0],
  ];
  // Each kept entry repeated `count` times, in float64.
  const expected = (addOne: boolean) =>
    z.map((row, i) => {
      const kept = row.flatMap((v, j) => new Array<number>(counts[i]![j]!).fill(v));
      if (addOne) return refLogSumExp([0, ...kept]);
      return kept.length === 0 ? 0 : refLogSumExp(kept);
    });

  it('sums exp over the kept entries, each as often as counted, with or without the extra 1', () => {
    expectClose(values(maskedLogSumExp(tf.tensor2d(z), tf.tensor2d(counts), false)), expected(false), 1e-6, 1e-7);
    expectClose(values(maskedLogSumExp(tf.tensor2d(z), tf.tensor2d(counts), true)), expected(true), 1e-6, 1e-7);
  });

  it('ignores excluded entries of any size, in value and gradient, and keeps empty rows finite', () => {
    const huge = [
      [1e30, 0, 1],
      [3e38, -3e38, 0],
    ];
    const mask = [
      [0, 1, 1],
      [0, 0, 0],
    ];
    for (const addOne of [false, true]) {
      expectFinite(maskedLogSumExp(tf.tensor2d(huge), tf.tensor2d(mask), addOne));
      expectFinite(tf.grad((x: tf.Tensor) => tf.sum(maskedLogSumExp(x as tf.Tensor2D, tf.tensor2d(mask), addOne)))(tf.tensor2d(huge)));
    }
    expectClose(values(maskedLogSumExp(tf.tensor2d(huge), tf.tensor2d(mask), false)), [Math.log(1 + Math.E), 0], 1e-6, 1e-7);
  });
});
