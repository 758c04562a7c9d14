import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, leakedTensors, randomLabels, randomMatrix, rng, values } from '../../../test/helpers.js';
import { AUTO_CHUNK_ELEMENTS, autoChunkSize, blockwisePairLoss, blockwisePairRows, blockwiseRows, rowBlocks } from './chunking.js';
import { pairwiseOfOperands, pairwiseOperand } from './distances.js';
import { contrastiveLoss } from './contrastiveLoss.js';
import { multiSimilarityLoss } from './multiSimilarityLoss.js';
import { ntXentLoss } from './ntXentLoss.js';
import { supConLoss } from './supConLoss.js';
import { tripletMarginLoss } from './tripletMarginLoss.js';

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

  it('blockwisePairRows: the unchunked value and gradient from shared operands, for every block size', () => {
    // Per row i, over the pairs j ≠ i (as a pair loss, which never pairs a sample with itself, whose
    // Euclidean distance has an unbounded derivative): Σ_j tanh(m_ij) and Σ_j m_ij², for the Euclidean
    // distance (two different operands) and the dot product (the embeddings as both operands).
    const stats = (distance: 'euclidean' | 'dot', rows: tf.Tensor2D, right: tf.Tensor2D, r0: number) => {
      const off = tf.tensor2d(Array.from({ length: rows.shape[0] }, (_, i) => Array.from({ length: 9 }, (_, j) => (j === r0 + i ? 0 : 1))));
      const m = tf.mul(pairwiseOfOperands(distance, rows, right), off);
      return tf.stack([tf.sum(tf.tanh(m), 1), tf.sum(tf.square(m), 1)], 1) as tf.Tensor2D;
    };
    for (const distance of ['euclidean', 'dot'] as const) {
      const run = (z: tf.Tensor2D, chunkSize: number | undefined) =>
        blockwisePairRows(pairwiseOperand(distance, z, 'left'), pairwiseOperand(distance, z, 'right'), 9, chunkSize, (rows, right, r0) => stats(distance, rows, right, r0));
      const plain = values(run(x, undefined));
      const g0 = values(tf.grad((z: tf.Tensor) => objective(run(z as tf.Tensor2D, undefined)))(x));
      for (const chunkSize of [1, 2, 4, 8, 9]) {
        expectClose(values(run(x, chunkSize)), plain, 1e-6, 1e-6);
        expectClose(values(tf.grad((z: tf.Tensor) => objective(run(z as tf.Tensor2D, chunkSize)))(x)), g0, 1e-5, 1e-6);
      }
      expect(leakedTensors(() => tf.grad((z: tf.Tensor) => objective(run(z as tf.Tensor2D, 2)))(x))).toBe(0);
    }
  });

  it('blockwisePairLoss: value and gradient in one pass per block equal the unchunked and the checkpointed ones', () => {
    // stats [b, 2]: Σ_j tanh(s_ij) and a constant column (a count); reduce: Σ c ⊙ stats with c = [w_i / Σw, 0] plus the
    // count column's mean (which has no gradient), as the losses' 'mean' reductions are.
    const w = tf.tensor1d([1, 2, 0.5, 3, 1, 1, 2, 4, 1]);
    const block = (rows: tf.Tensor2D, right: tf.Tensor2D) => {
      const s = tf.matMul(rows, right, false, true);
      return tf.stack([tf.sum(tf.tanh(s), 1), tf.fill([rows.shape[0]], 3)], 1) as tf.Tensor2D;
    };
    const reduce = (stats: tf.Tensor2D) =>
      tf.add(tf.div(tf.sum(tf.mul(w, tf.reshape(tf.slice(stats, [0, 0], [9, 1]), [9]))), tf.sum(w)), tf.mean(tf.slice(stats, [0, 1], [9, 1])));
    const coefficients = () => tf.stack([tf.div(w, tf.sum(w)), tf.zeros([9])], 1) as tf.Tensor2D;
    const run = (z: tf.Tensor2D, chunkSize: number | undefined, c?: () => tf.Tensor2D) => blockwisePairLoss(z, z, 9, chunkSize, block, reduce, c);
    const plain = values(run(x, undefined));
    const g0 = values(tf.grad((z: tf.Tensor) => run(z as tf.Tensor2D, undefined))(x));
    for (const chunkSize of [1, 2, 4, 8]) {
      for (const c of [coefficients, undefined]) {
        expectClose(values(run(x, chunkSize, c)), plain, 1e-6, 1e-6);
        expectClose(values(tf.grad((z: tf.Tensor) => run(z as tf.Tensor2D, chunkSize, c))(x)), g0, 1e-5, 1e-6);
        // Scaled downstream: the upstream gradient multiplies the precomputed one.
        expectClose(values(tf.grad((z: tf.Tensor) => tf.mul(run(z as tf.Tensor2D, chunkSize, c), -2.5))(x)), g0.map((g) => -2.5 * g), 1e-5, 1e-6);
      }
    }
    // Inside variableGrads, an optimiser step, twice in one graph; no leaks.
    const v = tf.variable(x.clone());
    const { value, grads } = tf.variableGrads(() => run(v, 2, coefficients) as tf.Scalar, [v]);
    expectClose(values(grads[v.name] as tf.Tensor), g0, 1e-5, 1e-6);
    expectClose(value.dataSync()[0]!, plain[0]!, 1e-6);
    const twice = tf.grad((z: tf.Tensor) => tf.add(run(z as tf.Tensor2D, 4, coefficients), run(tf.mul(z, 2) as tf.Tensor2D, 3, coefficients)))(x);
    const twiceRef = tf.grad((z: tf.Tensor) => tf.add(run(z as tf.Tensor2D, undefined), run(tf.mul(z, 2) as tf.Tensor2D, undefined)))(x);
    expectClose(values(twice), values(twiceRef), 1e-5, 1e-5);
    const optimizer = tf.train.sgd(0.01);
    const before = tf.memory().numTensors;
    optimizer.minimize(() => run(v, 4, coefficients) as tf.Scalar);
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    v.dispose();
    expect(leakedTensors(() => tf.grad((z: tf.Tensor) => run(z as tf.Tensor2D, 2, coefficients))(x))).toBe(0);
    expect(leakedTensors(() => tf.tidy(() => run(x, 2, coefficients)))).toBe(0);
    // Recorded but never differentiated (no path to the variable asked for): nothing kept afterwards.
    const u = tf.variable(x.clone());
    expect(
      leakedTensors(() => {
        const { value: total, grads: onlyU } = tf.variableGrads(() => tf.add(tf.sum(u), tf.mul(run(x, 2, coefficients), 0)) as tf.Scalar, [u]);
        return [total, ...Object.values(onlyU)];
      }),
    ).toBe(0);
    u.dispose();
    w.dispose();
  });

  it('the chunked losses equal the unchunked ones for every reduction, in value and gradient', () => {
    const r = rng(11);
    const emb = tf.tensor2d(randomMatrix(r, 13, 4));
    const labels = randomLabels(r, 13, 4);
    const weights = Array.from({ length: 13 }, (_, i) => 1 + (i % 3));
    const losses: [string, (z: tf.Tensor, o: object) => tf.Tensor][] = [
      ['contrastiveLoss', (z, o) => contrastiveLoss(labels, z, o)],
      ['ntXentLoss', (z, o) => ntXentLoss(labels, z, o)],
      ['multiSimilarityLoss', (z, o) => multiSimilarityLoss(labels, z, o)],
      ['supConLoss', (z, o) => supConLoss(labels, z, o)],
      ['tripletMarginLoss', (z, o) => tripletMarginLoss(labels, z, { margin: 0.3, ...o })],
      ['tripletMarginLoss (listed)', (z, o) => tripletMarginLoss(labels, z, { indices: { a: [0, 0, 5, 12, 3], p: [4, 4, 1, 2, 7], n: [1, 9, 0, 4, 12] }, ...o })],
    ];
    for (const [, loss] of losses) {
      for (const o of [{}, { reduction: 'sum' }, { reduction: 'meanNonZero' }, { weights }, { reduction: 'sum', weights }]) {
        const plain = values(loss(emb, o));
        const g0 = values(tf.grad((z: tf.Tensor) => loss(z, o))(emb));
        for (const chunkSize of [2, 5]) {
          expectClose(values(loss(emb, { ...o, chunkSize })), plain, 1e-5, 1e-6);
          expectClose(values(tf.grad((z: tf.Tensor) => loss(z, { ...o, chunkSize }))(emb)), g0, 1e-4, 1e-6);
        }
      }
      const none = values(tf.grad((z: tf.Tensor) => tf.sum(tf.mul(loss(z, { reduction: 'none' }), tf.range(0, 13))))(emb));
      expectClose(values(tf.grad((z: tf.Tensor) => tf.sum(tf.mul(loss(z, { reduction: 'none', chunkSize: 4 }), tf.range(0, 13))))(emb)), none, 1e-4, 1e-6);
    }
    emb.dispose();
  });

  it('autoChunkSize: one block while a row’s intermediates fit the budget n times, else a multiple of 8 rows', () => {
    expect(autoChunkSize(4096, 4096)).toBeUndefined();
    expect(autoChunkSize(256, 256 * 256)).toBeUndefined();
    expect(autoChunkSize(8192, 8192)).toBe(2048);
    expect(autoChunkSize(5000, 5000)).toBe(3352); // ⌊2^24 / 5000⌋ = 3355, down to a multiple of 8
    expect(autoChunkSize(512, 512 * 512)).toBe(64);
    expect(autoChunkSize(4096, 4096 * 4096)).toBe(1);
    expect(AUTO_CHUNK_ELEMENTS).toBe(2 ** 24);
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
