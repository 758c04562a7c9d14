import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, leakedTensors, randomLabels, randomMatrix, rng, values } from '../../../test/helpers.js';
import { blockwiseRows, rowBlocks } from './chunking.js';
import { contrastiveLoss } from './contrastiveLoss.js';
import { ntXentLoss } from './ntXentLoss.js';

// A block of row statistics with a [b, N] intermediate: per row i, Σ_j tanh(x_i · x_j) and Σ_j (x_i · x_j)².
function block(x: tf.Tensor2D, r0: number, r1: number): tf.Tensor2D {
  const s = tf.matMul(tf.slice(x, [r0, 0], [r1 - r0, x.shape[1]]), x, false, true);
  return tf.stack([tf.sum(tf.tanh(s), 1), tf.sum(tf.square(s), 1)], 1) as tf.Tensor2D;
}
const objective = (stats: tf.Tensor) => tf.sum(tf.mul(stats, tf.tensor1d([1, -0.1])));

describe('blockwiseRows(x, n, chunkSize, block)', () => {
  const x = tf.tensor2d(randomMatrix(rng(1), 9, 3));

  it('splits the rows into blocks of chunkSize', () => {
    expect(rowBlocks(5, 2)).toEqual([
      [0, 2],
      [2, 4],
      [4, 5],
    ]);
    expect(rowBlocks(5, undefined)).toEqual([[0, 5]]);
    expect(rowBlocks(3, 10)).toEqual([[0, 3]]);
  });

  it('gives the unchunked value and gradient for every block size', () => {
    const plain = values(block(x, 0, 9));
    const g0 = values(tf.grad((z: tf.Tensor) => objective(block(z as tf.Tensor2D, 0, 9)))(x));
    for (const chunkSize of [1, 2, 4, 8, 9]) {
      expectClose(values(blockwiseRows(x, 9, chunkSize, block)), plain, 1e-6, 1e-6);
      expectClose(values(tf.grad((z: tf.Tensor) => objective(blockwiseRows(z as tf.Tensor2D, 9, chunkSize, block)))(x)), g0, 1e-5, 1e-6);
    }
  });

  it('works inside valueAndGrad, variableGrads, an optimiser step, and twice in one graph', () => {
    const v = tf.variable(x.clone());
    const { value, grads } = tf.variableGrads(() => objective(blockwiseRows(v, 9, 2, block)) as tf.Scalar, [v]);
    const expected = tf.grad((z: tf.Tensor) => objective(block(z as tf.Tensor2D, 0, 9)))(x);
    expectClose(values(grads[v.name] as tf.Tensor), values(expected), 1e-5, 1e-6);
    expectClose(value.dataSync()[0]!, objective(block(x, 0, 9)).dataSync()[0]!, 1e-6);
    const twice = tf.grad((z: tf.Tensor) => tf.add(objective(blockwiseRows(z as tf.Tensor2D, 9, 4, block)), objective(blockwiseRows(tf.mul(z, 2) as tf.Tensor2D, 9, 3, block))))(x);
    const twiceRef = tf.grad((z: tf.Tensor) => tf.add(objective(block(z as tf.Tensor2D, 0, 9)), objective(block(tf.mul(z, 2) as tf.Tensor2D, 0, 9))))(x);
    expectClose(values(twice), values(twiceRef), 1e-5, 1e-5);
    const optimizer = tf.train.sgd(0.01);
    const before = tf.memory().numTensors;
    optimizer.minimize(() => objective(blockwiseRows(v, 9, 4, block)) as tf.Scalar);
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    v.dispose();
  });

  it('leaks no tensors, in value or gradient', () => {
    expect(leakedTensors(() => tf.tidy(() => blockwiseRows(x, 9, 2, block)))).toBe(0);
    expect(leakedTensors(() => tf.grad((z: tf.Tensor) => objective(blockwiseRows(z as tf.Tensor2D, 9, 2, block)))(x))).toBe(0);
  });

  it('bounds the memory of a pair loss’s forward and backward pass by the block, never an [N, N, D] tensor', async () => {
    const n = 192;
    const dim = 32;
    const r = rng(2);
    const emb = tf.tensor2d(randomMatrix(r, n, dim));
    const labels = randomLabels(r, n, 12);
    // tf.profile reuses its result object: read the numbers out before the next profile.
    const measure = async (chunkSize?: number) => {
      const info = await tf.profile(() => {
        const g = tf.grad((z: tf.Tensor) => ntXentLoss(labels, z, chunkSize === undefined ? {} : { chunkSize }))(emb);
        g.dispose();
      });
      const largest = Math.max(...info.kernels.flatMap((k) => k.outputShapes.map((shape) => (shape ?? []).reduce((a, b) => a * b, 1))));
      return { peak: info.peakBytes, largest };
    };
    const whole = await measure();
    const chunked = await measure(16);
    const finer = await measure(4);
    // Unchunked: [N, N] matrices, and never an [N, N, D] tensor.
    expect(whole.largest).toBe(n * n);
    // Chunked: nothing larger than a [16, N] block or the [N, D] embeddings, in either pass.
    expect(chunked.largest).toBe(Math.max(16 * n, n * dim));
    // The tape of the unchunked pass keeps dozens of [N, N] matrices; the chunked peak is the block's
    // share of that plus O(N·D), and shrinks with the block.
    expect(whole.peak).toBeGreaterThan(20 * n * n * 4);
    expect(chunked.peak).toBeLessThan(whole.peak / 5);
    expect(finer.peak).toBeLessThan(chunked.peak);
    emb.dispose();
  });

  it('frees everything on the wasm backend too (outside the test-mode kernel check)', async () => {
    const previous = tf.getBackend();
    const wasTest = tf.env().getBool('IS_TEST');
    await import('@tensorflow/tfjs-backend-wasm');
    await tf.setBackend('wasm');
    // In test mode tfjs counts the copy customGrad saves for the backward pass as a kernel leak;
    // the copy is freed after the backward pass, which is what numTensors checks here.
    tf.env().set('IS_TEST', false);
    try {
      const emb = tf.tensor2d(randomMatrix(rng(3), 10, 3));
      const labels = [0, 1, 2, 0, 1, 2, 0, 1, 2, 3];
      const cpuValue = values(contrastiveLoss(labels, emb));
      expect(leakedTensors(() => tf.grad((z: tf.Tensor) => contrastiveLoss(labels, z, { chunkSize: 3 }))(emb))).toBe(0);
      expectClose(values(contrastiveLoss(labels, emb, { chunkSize: 4 })), cpuValue, 1e-6);
      emb.dispose();
    } finally {
      tf.env().set('IS_TEST', wasTest);
      await tf.setBackend(previous);
    }
  });
});
