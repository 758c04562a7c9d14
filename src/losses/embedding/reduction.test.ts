import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, values } from '../../../test/helpers.js';
import { softmaxCrossEntropy } from '../classification/softmaxCrossEntropy.js';
import { checkEmbeddingOptions, reduceElements, reduceTupleStats, tupleStats } from './reduction.js';

describe('embedding reductions', () => {
  // Two anchors, two groups: [sum, count, nonZero] for positive pairs, then for negative pairs.
  const stats = tf.tensor2d([
    [3, 2, 1, 1, 4, 1],
    [0, 1, 0, 5, 2, 2],
  ]);

  it('averages each group over its tuples, and adds the groups', () => {
    expectClose(reduceTupleStats('f', stats, {}).dataSync()[0]!, 3 / 3 + 6 / 6, 1e-7);
    expectClose(reduceTupleStats('f', stats, { reduction: 'meanNonZero' }).dataSync()[0]!, 3 / 1 + 6 / 3, 1e-7);
    expectClose(reduceTupleStats('f', stats, { reduction: 'sum' }).dataSync()[0]!, 9, 1e-7);
    expectClose(values(reduceTupleStats('f', stats, { reduction: 'none' })), [4, 5], 1e-7);
  });

  it('weights each anchor’s tuples by the anchor’s weight', () => {
    const weights = [2, 0.5];
    expectClose(reduceTupleStats('f', stats, { weights }).dataSync()[0]!, (2 * 3) / (2 * 2 + 0.5) + (2 * 1 + 0.5 * 5) / (2 * 4 + 0.5 * 2), 1e-6);
    expectClose(values(reduceTupleStats('f', stats, { weights, reduction: 'none' })), [8, 2.5], 1e-7);
  });

  it('gives 0, not NaN, for a group without tuples, with a finite gradient', () => {
    const empty = tf.tensor2d([[0, 0, 0]]);
    expect(reduceTupleStats('f', empty, {}).dataSync()[0]).toBe(0);
    expect(reduceTupleStats('f', empty, { reduction: 'meanNonZero' }).dataSync()[0]).toBe(0);
    const g = tf.grad((s: tf.Tensor) => reduceTupleStats('f', s as tf.Tensor2D, {}))(empty);
    expect(values(g).every(Number.isFinite)).toBe(true);
  });

  it('builds the columns from tuple losses and counts: counts weigh, nonzero counts losses > 0', () => {
    const losses = tf.tensor2d([[0.5, 0, 2]]);
    const counts = tf.tensor2d([[2, 1, 0]]);
    expectClose(values(tupleStats([[losses, counts]])), [1, 3, 2], 1e-7);
  });

  it('reduces per-element losses with meanNonZero over the elements > 0, weighted', () => {
    const losses = tf.tensor1d([0, 2, 4, 0]);
    expectClose(reduceElements('f', losses, { reduction: 'meanNonZero' }).dataSync()[0]!, 3, 1e-7);
    expectClose(reduceElements('f', losses, { reduction: 'meanNonZero', weights: [5, 1, 3, 1] }).dataSync()[0]!, (2 + 12) / 4, 1e-7);
    expectClose(reduceElements('f', losses, {}).dataSync()[0]!, 1.5, 1e-7);
    expect(reduceElements('f', tf.zeros([3]), { reduction: 'meanNonZero' }).dataSync()[0]).toBe(0);
  });

  it("accepts 'meanNonZero' for embedding losses only: the shared reductions still reject it", () => {
    expect(() => checkEmbeddingOptions('f', {}, { reduction: 'meanNonZero' })).not.toThrow();
    expect(() => checkEmbeddingOptions('f', {}, { reduction: 'max' })).toThrow("f: expected `reduction` to be one of 'mean' | 'sum' | 'none' | 'meanNonZero', got \"max\" (string)");
    expect(() => checkEmbeddingOptions('f', {}, { reduction: 'meanNonZero', other: 1 })).toThrow('f: expected each option to be one of reduction, weights, got `other`');
    expect(() => softmaxCrossEntropy([0], [[1, 2]], { reduction: 'meanNonZero' as never })).toThrow(
      "softmaxCrossEntropy: expected `reduction` to be one of 'mean' | 'sum' | 'none', got \"meanNonZero\" (string)",
    );
  });
});
