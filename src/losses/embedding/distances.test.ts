import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { refMatrix, refNormalize, refPairDistance } from '../../../test/embedding-reference.js';
import { expectClose, expectFinite, randomMatrix, rng, values } from '../../../test/helpers.js';
import { DISTANCES, normalizeRows, pairwise, prepareEmbeddings, rowwise, safeSqrt, temperatureLogits } from './distances.js';

describe('distances', () => {
  const r = rng(1);
  const a = randomMatrix(r, 7, 5);
  const b = randomMatrix(r, 4, 5);

  it('computes every pairwise distance and similarity as the float64 reference, normalised or not', () => {
    for (const distance of DISTANCES) {
      for (const normalize of [true, false]) {
        if (distance === 'cosine' && !normalize) continue;
        const x = prepareEmbeddings(tf.tensor2d([...a, ...b]), distance, normalize);
        const got = values(pairwise(distance, tf.slice(x, [0, 0], [7, 5]), tf.slice(x, [7, 0], [4, 5])));
        const both = refMatrix([...a, ...b], distance, normalize);
        const expected = both.slice(0, 7).flatMap((row) => row.slice(7));
        expectClose(got, expected, 1e-5, 2e-6);
      }
    }
  });

  it('computes row-wise distances from differences: identical rows are exactly 0 apart', () => {
    for (const distance of DISTANCES) {
      const got = values(rowwise(distance, tf.tensor2d(a.slice(0, 4)), tf.tensor2d(b)));
      expectClose(
        got,
        b.map((row, i) => refPairDistance(distance, a[i]!, row)),
        1e-5,
        1e-6,
      );
    }
    expect(values(rowwise('euclidean', tf.tensor2d(a), tf.tensor2d(a)))).toEqual(new Array(7).fill(0));
  });

  it('normalises rows to unit length, keeps zero rows at zero with a finite gradient', () => {
    const rows = [...a, [0, 0, 0, 0, 0]];
    expectClose(values(normalizeRows(tf.tensor2d(rows))), [...refNormalize(a).flat(), 0, 0, 0, 0, 0], 1e-6, 1e-7);
    expectFinite(tf.grad((x: tf.Tensor) => tf.sum(tf.square(normalizeRows(x as tf.Tensor2D))))(tf.tensor2d(rows)));
  });

  it('takes square roots with a zero gradient at 0 and below (rounding)', () => {
    const x = tf.tensor1d([4, 0, -1e-9, 0.25]);
    expectClose(values(safeSqrt(x)), [2, 0, 0, 0.5], 1e-7, 0);
    expectClose(values(tf.grad((z: tf.Tensor) => tf.sum(safeSqrt(z)))(x)), [0.25, 0, 0, 1], 1e-6, 0);
  });

  it('gives a finite gradient of pairwise Euclidean distances between identical rows', () => {
    const same = tf.tensor2d([
      [1, 2, 3],
      [1, 2, 3],
      [0.5, 0, 1],
    ]);
    expectFinite(tf.grad((x: tf.Tensor) => tf.sum(pairwise('euclidean', x as tf.Tensor2D, x as tf.Tensor2D)))(same));
  });

  it('turns distances into logits as −d/τ and similarities as s/τ', () => {
    expectClose(values(temperatureLogits('cosine', tf.tensor2d([[0.5, -1]]), 0.5)), [1, -2], 1e-7, 0);
    expectClose(values(temperatureLogits('euclidean', tf.tensor2d([[0.5, 2]]), 0.5)), [-1, -4], 1e-7, 0);
  });
});
