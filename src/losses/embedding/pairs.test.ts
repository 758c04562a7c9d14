import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, values } from '../../../test/helpers.js';
import { contrastiveLoss } from './contrastiveLoss.js';
import { readEmbeddingBatch, sharesAnyLabel } from './labels.js';
import { pairSource, readIndices } from './pairs.js';

const list = (a: ArrayLike<number>) => Array.from(a);

describe('pair sources and index tuples', () => {
  const batch = (labels: number[] | number[][], similarity?: unknown) => readEmbeddingBatch('f', labels, tf.zeros([labels.length, 2]), similarity);

  it('pairs samples with equal labels as positives and the rest as negatives, never i with itself', () => {
    const { pos, neg } = pairSource('f', batch([0, 1, 0]), undefined).block(0, 3);
    expect(list(pos)).toEqual([0, 0, 1, 0, 0, 0, 1, 0, 0]);
    expect(list(neg)).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0]);
    const rows = pairSource('f', batch([0, 1, 0]), undefined).block(1, 3);
    expect(list(rows.pos)).toEqual([0, 0, 0, 1, 0, 0]);
    expect(pairSource('f', batch([3, 3]), undefined).any()).toEqual({ pos: true, neg: false });
    expect(pairSource('f', batch([1, 2]), undefined).any()).toEqual({ pos: false, neg: true });
  });

  it('counts repeated explicit pairs, and reads triplets as (a, p) and (a, n) pairs', () => {
    const b = batch([0, 0, 1]);
    const pairs = readIndices('f', { a1: [0, 0, 2], p: [1, 1, 2], a2: [1], n: [2] }, 3);
    const { pos, neg } = pairSource('f', b, pairs).block(0, 3);
    expect(list(pos)).toEqual([0, 2, 0, 0, 0, 0, 0, 0, 1]);
    expect(list(neg)).toEqual([0, 0, 0, 0, 0, 1, 0, 0, 0]);
    const triplets = readIndices('f', { a: [0, 0], p: [1, 1], n: [2, 1] }, 3);
    const fromTriplets = pairSource('f', b, triplets).block(0, 1);
    expect(list(fromTriplets.pos)).toEqual([0, 2, 0]);
    expect(list(fromTriplets.neg)).toEqual([0, 1, 1]);
  });

  it('reads indices from arrays, typed arrays and 1-D tensors alike', () => {
    const a = readIndices('f', { a: Int32Array.of(0, 1), p: tf.tensor1d([1, 0], 'int32'), n: [2, 2] }, 3);
    expect(a.kind).toBe('triplets');
    if (a.kind === 'triplets') expect([list(a.a), list(a.p), list(a.n)]).toEqual([[0, 1], [1, 0], [2, 2]]);
    expect(() => readIndices('f', { a: tf.zeros([2, 1]), p: [1, 0], n: [2, 2] }, 3)).toThrow('f: expected `indices.a` to be a 1-D list of sample indices, got a tensor of rank 2');
    expect(() => readIndices('f', { a: 'x', p: [1], n: [2] }, 3)).toThrow('f: expected `indices.a` to be an array of sample indices, got "x" (string)');
    expect(() => readIndices('f', { a: [-1], p: [1], n: [2] }, 3)).toThrow('f: expected every value of `indices.a` to be an integer sample index in [0, 2], got -1 (number) at index 0');
  });

  it('reads labels [N, 1] as [N], and label rows through a labelSimilarity hook', () => {
    const r = [
      [1, 0],
      [0.6, 0.8],
      [0, 1],
      [-1, 0],
    ];
    expectClose(values(contrastiveLoss([[0], [0], [1], [1]], r)), values(contrastiveLoss([0, 0, 1, 1], r)), 1e-7);
    const equalRows = (a: tf.Tensor2D, b: tf.Tensor2D) => tf.cast(tf.equal(a, tf.transpose(b)), 'float32');
    expectClose(values(contrastiveLoss([0, 0, 1, 1], r, { labelSimilarity: equalRows })), values(contrastiveLoss([0, 0, 1, 1], r)), 1e-7);
    const multiHot = [
      [1, 0, 0],
      [1, 1, 0],
      [0, 1, 0],
      [0, 0, 1],
    ];
    expect(values(sharesAnyLabel(tf.tensor2d(multiHot), tf.tensor2d(multiHot)))).toEqual([1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1]);
    const { pos } = pairSource('f', batch(multiHot, sharesAnyLabel), undefined).block(0, 4);
    expect(list(pos)).toEqual([0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
  });

  it('rejects a hook that is not a function, or that returns the wrong shape or values', () => {
    expect(() => batch([0, 1], 'same')).toThrow('f: expected `labelSimilarity` to be a function (labelsA [n,L], labelsB [m,L]) -> [n,m] tensor of 0 and 1, got "same" (string)');
    expect(() => pairSource('f', batch([0, 1], () => [[1, 0]]), undefined).block(0, 2)).toThrow('f: expected the result of `labelSimilarity` to be a tensor of shape [2,2], got [[1,0]] (array)');
    expect(() => pairSource('f', batch([0, 1], () => tf.tensor2d([[1, 2], [0, 1]])), undefined).block(0, 2)).toThrow(
      'f: expected every value returned by `labelSimilarity` to be 0 or 1, got 2 at flat index 1',
    );
    expect(() => readEmbeddingBatch('f', tf.zeros([2, 2, 2]), tf.zeros([2, 2]), sharesAnyLabel)).toThrow('f: expected `labels` to have rank 1 or 2, got shape [2,2,2]');
  });
});
