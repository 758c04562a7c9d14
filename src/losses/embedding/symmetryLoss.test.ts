import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomLabels, randomMatrix, rng, values } from '../../../test/helpers.js';
import { arcFaceLoss } from './arcFaceLoss.js';
import { frontnessRho, symmetryLoss } from './symmetryLoss.js';

// Float64 reference.
const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);
const unit = (a: number[]) => a.map((v) => v / Math.max(Math.sqrt(dot(a, a)), 1e-12));
function reference(left: number[][], right: number[][], distance: 'cosine' | 'squaredEuclidean' | 'euclidean' = 'cosine', normalize = true): number[] {
  return left.map((l, i) => {
    const a = normalize || distance === 'cosine' ? unit(l) : l;
    const b = normalize || distance === 'cosine' ? unit(right[i]!) : right[i]!;
    if (distance === 'cosine') return 1 - dot(a, b);
    const sq = a.reduce((s, v, k) => s + (v - b[k]!) ** 2, 0);
    return distance === 'euclidean' ? Math.sqrt(sq) : sq;
  });
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const chunk = (flat: number[], d: number) => Array.from({ length: flat.length / d }, (_, i) => flat.slice(i * d, (i + 1) * d));

describe('symmetryLoss(left, right, options)', () => {
  it('matches the float64 reference on random inputs for each distance', () => {
    const r = rng(1);
    const left = randomMatrix(r, 16, 8);
    const right = randomMatrix(r, 16, 8);
    expectClose(values(symmetryLoss(left, right, { reduction: 'none' })), reference(left, right), 1e-5, 1e-6);
    for (const distance of ['squaredEuclidean', 'euclidean'] as const) {
      expectClose(values(symmetryLoss(left, right, { distance, reduction: 'none' })), reference(left, right, distance), 1e-5, 1e-6);
      expectClose(values(symmetryLoss(left, right, { distance, normalize: false, reduction: 'none' })), reference(left, right, distance, false), 1e-5, 1e-5);
    }
  });

  it('is 0 for identical halves, 2 for opposite ones, scale invariant, and twice cosine for squaredEuclidean', () => {
    const r = rng(2);
    const a = randomMatrix(r, 5, 4);
    const b = randomMatrix(r, 5, 4);
    expectClose(values(symmetryLoss(a, a, { reduction: 'none' })), new Array(5).fill(0), 0, 1e-6);
    expectClose(values(symmetryLoss(a, a.map((v) => v.map((x) => -3 * x)), { reduction: 'none' })), new Array(5).fill(2), 1e-6);
    expectClose(symmetryLoss(a.map((v) => v.map((x) => 5 * x)), b).dataSync()[0]!, symmetryLoss(a, b).dataSync()[0]!, 1e-5);
    expectClose(symmetryLoss(a, b, { distance: 'squaredEuclidean' }).dataSync()[0]!, 2 * symmetryLoss(a, b).dataSync()[0]!, 1e-5);
  });

  it('has the gradient of the float64 reference (finite differences), symmetric in the halves', () => {
    const r = rng(3);
    const a = randomMatrix(r, 3, 4);
    const b = randomMatrix(r, 3, 4);
    const g = tf.grad((z: tf.Tensor) => symmetryLoss(a, z))(tf.tensor(b));
    expectClose(values(g), numericGradient((f) => mean(reference(a, chunk(f, 4))), b.flat()), 1e-4, 1e-7);
    const gl = tf.grad((z: tf.Tensor) => symmetryLoss(z, b))(tf.tensor(a));
    expectClose(values(gl), numericGradient((f) => mean(reference(chunk(f, 4), b)), a.flat()), 1e-4, 1e-7);
  });

  it('is added to a margin loss as SymFace does: L = arcFace(full faces) + w · symmetry(halves, weights = ρ)', () => {
    const r = rng(4);
    const faces = randomMatrix(r, 4, 3);
    const labels = randomLabels(r, 4, 3);
    const W = randomMatrix(r, 3, 3);
    const left = randomMatrix(r, 4, 3);
    const right = randomMatrix(r, 4, 3);
    const rho = [1, 0.5, 0, 1];
    const total = tf.add(arcFaceLoss(labels, faces, { classWeightsMatrix: W }), symmetryLoss(left, right, { weights: rho }));
    const sym = reference(left, right);
    const expected = arcFaceLoss(labels, faces, { classWeightsMatrix: W }).dataSync()[0]! + (sym[0]! + 0.5 * sym[1]! + sym[3]!) / 2.5;
    expectClose(total.dataSync()[0]!, expected, 1e-5);
  });

  it('stays finite, in value and gradient, for identical, zero and ±1e4 embeddings', () => {
    const cases = [
      [[[1, 2], [3, 4]], [[1, 2], [3, 4]]],
      [[[1e4, -1e4], [-1e4, 1e4]], [[1e4, 1e4], [-1e4, -1e4]]],
      [[[0, 0], [1, 0]], [[1, 0], [0, 0]]],
    ];
    for (const [a, b] of cases) {
      for (const distance of ['cosine', 'squaredEuclidean', 'euclidean'] as const) {
        expectFinite(symmetryLoss(a!, b!, { distance, reduction: 'none' }));
        expectFinite(tf.grad((z: tf.Tensor) => symmetryLoss(a!, z, { distance }))(tf.tensor(b!)));
      }
    }
  });

  it("reduces by 'mean', 'sum', 'none' and averages over the weighted (frontal) faces", () => {
    const r = rng(5);
    const a = randomMatrix(r, 3, 4);
    const b = randomMatrix(r, 3, 4);
    const none = values(symmetryLoss(a, b, { reduction: 'none' }));
    expectClose(symmetryLoss(a, b, { reduction: 'sum' }).dataSync()[0]!, none[0]! + none[1]! + none[2]!, 1e-6);
    expectClose(symmetryLoss(a, b).dataSync()[0]!, mean(none), 1e-6);
    expectClose(symmetryLoss(a, b, { weights: [1, 0, 1] }).dataSync()[0]!, (none[0]! + none[2]!) / 2, 1e-6);
  });

  it('frontnessRho is 1 for a centred nose, falls linearly to 0 at an eye, clipped beyond', () => {
    const le = [[0, 0], [0, 0], [0, 0], [0, 0]];
    const re = [[4, 0], [4, 0], [4, 0], [4, 0]];
    const nose = [[2, 3], [3, 3], [4, 3], [7, 3]];
    expectClose(values(frontnessRho(le, re, nose)), [1, 0.5, 0, 0], 1e-6);
    expectClose(values(frontnessRho([[4, 0]], [[0, 0]], [[1, 1]])), [0.5], 1e-6); // eye order does not matter
  });

  it('leaks no tensors', () => {
    const a = tf.tensor([[1, 2], [3, 4]]);
    const b = tf.tensor([[2, 1], [0, 4]]);
    expect(leakedTensors(() => symmetryLoss(a, b, { weights: [1, 0.5], distance: 'euclidean' }))).toBe(0);
    expect(leakedTensors(() => tf.grad((z: tf.Tensor) => symmetryLoss(a, z))(b))).toBe(0);
    expect(leakedTensors(() => frontnessRho(a, b, a))).toBe(0);
    tf.dispose([a, b]);
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => symmetryLoss([[1, 2]], [[1, 2], [3, 4]])).toThrow('symmetryLoss: expected `left` and `right` to have the same shape, got [1,2] and [2,2]');
    expect(() => symmetryLoss([1, 2], [1, 2])).toThrow('symmetryLoss: expected `left` to have rank 2, got shape [2]');
    expect(() => symmetryLoss([[1, 2]], [[1, 2]], { distance: 'dot' as never })).toThrow(
      "symmetryLoss: expected `distance` to be one of 'cosine' | 'squaredEuclidean' | 'euclidean', got \"dot\" (string)",
    );
    expect(() => symmetryLoss([[1, 2]], [[1, 2]], { normalize: false })).toThrow("symmetryLoss: expected `normalize` to be true with distance 'cosine', got false (boolean)");
    expect(() => symmetryLoss([[1, 2]], [[1, 2]], { rho: 1 } as never)).toThrow('symmetryLoss: expected each option to be one of distance, normalize, reduction, weights, got `rho`');
    expect(() => frontnessRho([[1, 2, 3]], [[1, 2, 3]], [[1, 2, 3]])).toThrow('frontnessRho: expected `leftEye` to hold one (x, y) landmark per face, [N,2], got shape [1,3]');
    expect(() => frontnessRho([[1, 2]], [[1, 2]], [[1, 2], [3, 4]])).toThrow('frontnessRho: expected `leftEye` and `nose` to have the same shape, got [1,2] and [2,2]');
  });
});
