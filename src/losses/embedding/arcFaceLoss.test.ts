import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { refClassCosines, refCrossEntropy, refMean, refMeanNonZero, refRows, refSum } from '../../../test/embedding-reference.js';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomLabels, randomMatrix, rng, values } from '../../../test/helpers.js';
import { arcFaceLoss } from './arcFaceLoss.js';

// Float64 reference: PML's ArcFaceLoss (acos of the clamped target cosine, cos(θ + m) while
// θ <= π − m, else cos θ − m sin m), scaled, then cross-entropy per sample.
function reference(labels: number[], embeddings: number[][], matrix: number[][], marginDegrees = 28.6, scale = 64): number[] {
  const m = (marginDegrees * Math.PI) / 180;
  return refClassCosines(embeddings, matrix).map((row, i) => {
    const y = labels[i]!;
    const theta = Math.acos(Math.min(1, Math.max(-1, row[y]!)));
    const target = theta <= Math.PI - m ? Math.cos(theta + m) : Math.cos(theta) - m * Math.sin(m);
    return refCrossEntropy(
      row.map((c, j) => scale * (j === y ? target : c)),
      y,
    );
  });
}

const scalar = (t: tf.Tensor) => t.dataSync()[0] as number;
const I2 = [
  [1, 0],
  [0, 1],
];

describe('arcFaceLoss(labels, embeddings, options)', () => {
  it('reproduces a hand-computed example', () => {
    // Sample 1: cos θ = 0.8, so the target logit is 64 cos(acos 0.8 + 28.6°) against 64 · 0.6.
    const m = (28.6 * Math.PI) / 180;
    const rows = [Math.log1p(Math.exp(-64 * Math.cos(m))), Math.log1p(Math.exp(38.4 - 64 * Math.cos(Math.acos(0.8) + m)))];
    expectClose(values(arcFaceLoss([0, 1], [[1, 0], [0.6, 0.8]], { classWeightsMatrix: I2, reduction: 'none' })), rows, 1e-5, 1e-7);
    expectClose(scalar(arcFaceLoss([0, 1], [[1, 0], [0.6, 0.8]], { classWeightsMatrix: I2 })), refMean(rows), 1e-5);
  });

  it('matches the float64 reference on random inputs, margins, scales and reductions', () => {
    const r = rng(1);
    const emb = randomMatrix(r, 20, 6);
    const w = randomMatrix(r, 6, 5);
    const labels = randomLabels(r, 20, 5);
    for (const [margin, scale] of [
      [28.6, 64],
      [10, 30],
      [0, 16],
      [80, 8],
      [150, 4],
    ] as const) {
      const rows = reference(labels, emb, w, margin, scale);
      const o = { classWeightsMatrix: w, margin, scale };
      expectClose(values(arcFaceLoss(labels, emb, { ...o, reduction: 'none' })), rows, 1e-4, 1e-4);
      expectClose(scalar(arcFaceLoss(labels, emb, o)), refMean(rows), 1e-4);
      expectClose(scalar(arcFaceLoss(labels, emb, { ...o, reduction: 'sum' })), refSum(rows), 1e-4);
      expectClose(scalar(arcFaceLoss(labels, emb, { ...o, reduction: 'meanNonZero' })), refMeanNonZero(rows), 1e-4);
    }
  });

  it('continues as cos θ − m sin m past θ = π − m, as the reference', () => {
    // The embedding points away from its class column: θ = 170° > 180° − 28.6°.
    const angle = (170 * Math.PI) / 180;
    const emb = [[Math.cos(angle), Math.sin(angle)]];
    expectClose(scalar(arcFaceLoss([0], emb, { classWeightsMatrix: I2, scale: 4 })), reference([0], emb, I2, 28.6, 4)[0]!, 1e-5);
    const m = (28.6 * Math.PI) / 180;
    const target = Math.cos(angle) - m * Math.sin(m);
    expectClose(scalar(arcFaceLoss([0], emb, { classWeightsMatrix: I2, scale: 4 })), refCrossEntropy([4 * target, 4 * Math.sin(angle)], 0), 1e-5);
  });

  it('is the scaled normalised softmax cross-entropy at margin 0', () => {
    const r = rng(2);
    const emb = randomMatrix(r, 8, 4);
    const w = randomMatrix(r, 4, 3);
    const labels = randomLabels(r, 8, 3);
    const expected = refClassCosines(emb, w).map((row, i) => refCrossEntropy(row.map((c) => 10 * c), labels[i]!));
    expectClose(values(arcFaceLoss(labels, emb, { classWeightsMatrix: w, margin: 0, scale: 10, reduction: 'none' })), expected, 1e-5, 1e-6);
  });

  it('has the gradient of the float64 reference (finite differences), on both branches', () => {
    const r = rng(3);
    const emb = randomMatrix(r, 5, 3);
    const w = randomMatrix(r, 3, 4);
    const labels = [0, 1, 2, 3, 0];
    emb[4] = w.map((row) => -row[0]!); // past π − m for class 0
    const g = tf.grad((z: tf.Tensor) => arcFaceLoss(labels, z, { classWeightsMatrix: w, scale: 8 }))(tf.tensor(emb));
    const f = (x: number[]) => refMean(reference(labels, refRows(x, 3), w, 28.6, 8));
    expectClose(values(g), numericGradient(f, emb.flat()), 1e-4, 1e-6);
    const gw = tf.grad((m: tf.Tensor) => arcFaceLoss(labels, emb, { classWeightsMatrix: m, scale: 8 }))(tf.tensor(w));
    const fw = (x: number[]) => refMean(reference(labels, emb, refRows(x, 4), 28.6, 8));
    expectClose(values(gw), numericGradient(fw, w.flat()), 1e-4, 1e-6);
  });

  it('stays finite, in value and gradient, when an embedding equals or opposes its class column, and with weights', () => {
    const w = [
      [1, 0, 0.3],
      [0, 1, -2],
    ];
    const emb = [
      [5, 0],
      [0, -3],
      [0.3, -2],
      [-0.3, 2],
    ];
    const labels = [0, 1, 2, 2];
    expectFinite(arcFaceLoss(labels, emb, { classWeightsMatrix: w, reduction: 'none' }));
    expectFinite(tf.grad((z: tf.Tensor) => arcFaceLoss(labels, z, { classWeightsMatrix: w }))(tf.tensor(emb)));
    expectClose(values(arcFaceLoss(labels, emb, { classWeightsMatrix: w, reduction: 'none' })), reference(labels, emb, w), 1e-4, 1e-4);
    const weights = [1, 0, 2, 0.5];
    const rows = reference(labels, emb, w);
    expectClose(scalar(arcFaceLoss(labels, emb, { classWeightsMatrix: w, weights })), refSum(rows.map((l, i) => l * weights[i]!)) / 3.5, 1e-4);
  });

  it('leaks no tensors', () => {
    const emb = tf.tensor(randomMatrix(rng(4), 6, 3));
    const w = randomMatrix(rng(5), 3, 4);
    expect(leakedTensors(() => arcFaceLoss([0, 1, 2, 3, 0, 1], emb, { classWeightsMatrix: w }))).toBe(0);
    expect(leakedTensors(() => tf.grad((z: tf.Tensor) => arcFaceLoss([0, 1, 2, 3, 0, 1], z, { classWeightsMatrix: w }))(emb))).toBe(0);
    emb.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    const emb = [
      [1, 0],
      [0, 1],
    ];
    expect(() => arcFaceLoss([0, 1], emb)).toThrow('arcFaceLoss: expected `classWeightsMatrix` to be given: a [D, numClasses] matrix, D = 2, got undefined');
    expect(() => arcFaceLoss([0, 1], emb, { classWeightsMatrix: [[1, 0, 0]] })).toThrow(
      'arcFaceLoss: expected `classWeightsMatrix` to have one row per embedding dimension and at least one column, [2, numClasses], got shape [1,3]',
    );
    expect(() => arcFaceLoss([0, 2], emb, { classWeightsMatrix: I2 })).toThrow('arcFaceLoss: expected every value of `labels` to be an integer class index in [0, 1], got 2 at index 1');
    expect(() => arcFaceLoss([0, 1], emb, { classWeightsMatrix: I2, margin: 180 })).toThrow('arcFaceLoss: expected `margin` to be a finite number >= 0 and < 180, got 180 (number)');
    expect(() => arcFaceLoss([0, 1], emb, { classWeightsMatrix: I2, scale: 0 })).toThrow('arcFaceLoss: expected `scale` to be a finite number > 0, got 0 (number)');
    expect(() => arcFaceLoss([[0, 1]], emb, { classWeightsMatrix: I2 })).toThrow('arcFaceLoss: expected `labels` and `embeddings` to have the same number of rows, got [1,2] and [2,2]');
    expect(() => arcFaceLoss([0, 1], emb, { classWeightsMatrix: 'W' as never })).toThrow('arcFaceLoss: expected `classWeightsMatrix` to be a [2, numClasses] matrix, got "W" (string)');
  });
});
