import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { refClassCosines, refCrossEntropy, refMean, refMeanNonZero, refRows, refSum } from '../../../test/embedding-reference.js';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomLabels, randomMatrix, rng, values } from '../../../test/helpers.js';
import { cosFaceLoss } from './cosFaceLoss.js';

// Float64 reference: PML's CosFaceLoss, s (cos θ_j − m [j = y]) then cross-entropy per sample.
function reference(labels: number[], embeddings: number[][], matrix: number[][], margin = 0.35, scale = 64): number[] {
  return refClassCosines(embeddings, matrix).map((row, i) =>
    refCrossEntropy(
      row.map((c, j) => scale * (j === labels[i] ? c - margin : c)),
      labels[i]!,
    ),
  );
}

const scalar = (t: tf.Tensor) => t.dataSync()[0] as number;
const I3 = [
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
];

describe('cosFaceLoss(labels, embeddings, options)', () => {
  it('reproduces the spec value (papers-A A.11: plain CosFace, m = 0.35, s = 64)', () => {
    const emb = [
      [1, 0, 0],
      [0.8, 0.6, 0],
      [0, 1, 0],
      [0, 0.6, 0.8],
    ];
    expectClose(scalar(cosFaceLoss([0, 0, 1, 2], emb, { classWeightsMatrix: I3 })), 4.800034, 2e-6);
  });

  it('matches the float64 reference on random inputs, margins, scales and reductions', () => {
    const r = rng(1);
    const emb = randomMatrix(r, 20, 6);
    const w = randomMatrix(r, 6, 5);
    const labels = randomLabels(r, 20, 5);
    for (const [margin, scale] of [
      [0.35, 64],
      [0.1, 30],
      [0, 10],
      [-0.2, 5],
    ] as const) {
      const rows = reference(labels, emb, w, margin, scale);
      const o = { classWeightsMatrix: w, margin, scale };
      expectClose(values(cosFaceLoss(labels, emb, { ...o, reduction: 'none' })), rows, 1e-4, 1e-4);
      expectClose(scalar(cosFaceLoss(labels, emb, o)), refMean(rows), 1e-4);
      expectClose(scalar(cosFaceLoss(labels, emb, { ...o, reduction: 'sum' })), refSum(rows), 1e-4);
      expectClose(scalar(cosFaceLoss(labels, emb, { ...o, reduction: 'meanNonZero' })), refMeanNonZero(rows), 1e-4);
    }
  });

  it('has the gradient of the float64 reference (finite differences), for embeddings and class weights', () => {
    const r = rng(2);
    const emb = randomMatrix(r, 5, 3);
    const w = randomMatrix(r, 3, 4);
    const labels = [0, 1, 2, 3, 1];
    const g = tf.grad((z: tf.Tensor) => cosFaceLoss(labels, z, { classWeightsMatrix: w, scale: 8 }))(tf.tensor(emb));
    expectClose(values(g), numericGradient((x) => refMean(reference(labels, refRows(x, 3), w, 0.35, 8)), emb.flat()), 1e-4, 1e-6);
    const gw = tf.grad((m: tf.Tensor) => cosFaceLoss(labels, emb, { classWeightsMatrix: m, scale: 8 }))(tf.tensor(w));
    expectClose(values(gw), numericGradient((x) => refMean(reference(labels, emb, refRows(x, 4), 0.35, 8)), w.flat()), 1e-4, 1e-6);
  });

  it('stays finite, in value and gradient, for identical embeddings, zero rows and large scales', () => {
    const emb = [
      [1, 1, 1],
      [1, 1, 1],
      [0, 0, 0],
    ];
    for (const scale of [64, 1e4]) {
      expectFinite(cosFaceLoss([0, 1, 2], emb, { classWeightsMatrix: I3, scale, reduction: 'none' }));
      expectFinite(tf.grad((z: tf.Tensor) => cosFaceLoss([0, 1, 2], z, { classWeightsMatrix: I3, scale }))(tf.tensor(emb)));
    }
  });

  it('leaks no tensors', () => {
    const emb = tf.tensor(randomMatrix(rng(3), 4, 3));
    expect(leakedTensors(() => tf.grad((z: tf.Tensor) => cosFaceLoss([0, 1, 2, 0], z, { classWeightsMatrix: I3 }))(emb))).toBe(0);
    emb.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => cosFaceLoss([0, 1], [[1, 0, 0]], { classWeightsMatrix: I3 })).toThrow('cosFaceLoss: expected `labels` and `embeddings` to have the same number of rows, got [2] and [1,3]');
    expect(() => cosFaceLoss([0], [[1, 0, 0]], { classWeightsMatrix: [1, 2, 3] })).toThrow('cosFaceLoss: expected `classWeightsMatrix` to have rank 2, got shape [3]');
    expect(() => cosFaceLoss([0], [[1, 0, 0]], { classWeightsMatrix: I3, margin: Number.NaN })).toThrow('cosFaceLoss: expected `margin` to be a finite number, got NaN (number)');
    expect(() => cosFaceLoss([0], [[1, 0, 0]], { classWeightsMatrix: I3, reduction: 'avg' as never })).toThrow(
      "cosFaceLoss: expected `reduction` to be one of 'mean' | 'sum' | 'none' | 'meanNonZero', got \"avg\" (string)",
    );
  });
});
