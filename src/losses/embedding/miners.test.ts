import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { type RefDistance, refAllPairs, refIsSimilarity, refMatrix, refMean, refRows } from '../../../test/embedding-reference.js';
import { expectClose, leakedTensors, numericGradient, randomLabels, randomMatrix, rng, values } from '../../../test/helpers.js';
import { sharesAnyLabel } from './labels.js';
import { allPairsMiner, batchHardMiner, multiSimilarityMiner, semiHardMiner } from './miners.js';
import { multiSimilarityLoss } from './multiSimilarityLoss.js';
import { tripletMarginLoss } from './tripletMarginLoss.js';

const list = (a: ArrayLike<number>) => Array.from(a);

// Float64 references of pytorch-metric-learning's miners, from its definitions.
function refBatchHard(labels: number[], emb: number[][], distance: RefDistance = 'euclidean') {
  const mat = refMatrix(emb, distance);
  const harder = (x: number, y: number) => (refIsSimilarity(distance) ? x < y : x > y);
  const out = { a: [] as number[], p: [] as number[], n: [] as number[] };
  labels.forEach((y, i) => {
    let p = -1;
    let n = -1;
    labels.forEach((z, j) => {
      if (j === i) return;
      if (z === y && (p < 0 || harder(mat[i]![j]!, mat[i]![p]!))) p = j;
      if (z !== y && (n < 0 || harder(mat[i]![n]!, mat[i]![j]!))) n = j;
    });
    if (p >= 0 && n >= 0) {
      out.a.push(i);
      out.p.push(p);
      out.n.push(n);
    }
  });
  return out;
}

function refSemiHard(labels: number[], emb: number[][], margin: number, distance: RefDistance = 'euclidean') {
  const mat = refMatrix(emb, distance);
  const out = { a: [] as number[], p: [] as number[], n: [] as number[] };
  labels.forEach((y, a) => {
    labels.forEach((z, p) => {
      if (p === a || z !== y) return;
      labels.forEach((w, n) => {
        if (w === y) return;
        const gap = refIsSimilarity(distance) ? mat[a]![p]! - mat[a]![n]! : mat[a]![n]! - mat[a]![p]!;
        if (gap > 0 && gap <= margin) {
          out.a.push(a);
          out.p.push(p);
          out.n.push(n);
        }
      });
    });
  });
  return out;
}

function refMultiSimilarity(labels: number[], emb: number[][], epsilon: number, distance: RefDistance = 'cosine') {
  const mat = refMatrix(emb, distance);
  const sim = refIsSimilarity(distance);
  const out = { a1: [] as number[], p: [] as number[], a2: [] as number[], n: [] as number[] };
  labels.forEach((y, i) => {
    const others = labels.map((_, j) => j).filter((j) => j !== i);
    const byValue = (js: number[]) => js.sort((u, v) => mat[i]![u]! - mat[i]![v]! || u - v);
    const pos = byValue(others.filter((j) => labels[j] === y));
    const neg = byValue(others.filter((j) => labels[j] !== y));
    const v = (j: number) => mat[i]![j]!;
    for (const j of pos) {
      const hard = sim ? neg.length > 0 && v(j) - epsilon < v(neg.at(-1)!) : neg.length > 0 && v(j) + epsilon > v(neg[0]!);
      if (hard) {
        out.a1.push(i);
        out.p.push(j);
      }
    }
    for (const j of neg) {
      const hard = sim ? pos.length > 0 && v(j) + epsilon > v(pos[0]!) : pos.length > 0 && v(j) - epsilon < v(pos.at(-1)!);
      if (hard) {
        out.a2.push(i);
        out.n.push(j);
      }
    }
  });
  return out;
}

const toLists = (t: Record<string, ArrayLike<number>>) => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, list(v)]));

describe('miners', () => {
  const r = rng(1);
  const emb = randomMatrix(r, 14, 4);
  const labels = randomLabels(r, 14, 3);

  it('allPairsMiner lists every positive and negative pair, row-major (pytorch-metric-learning’s example)', () => {
    expect(toLists(allPairsMiner([0, 0, 1]) as never)).toEqual({ a1: [0, 1], p: [1, 0], a2: [0, 1, 2, 2], n: [2, 2, 0, 1] });
    expect(toLists(allPairsMiner(labels) as never)).toEqual(refAllPairs(labels));
    const multiHot = [
      [1, 0],
      [1, 1],
      [0, 1],
    ];
    expect(toLists(allPairsMiner(multiHot, { labelSimilarity: sharesAnyLabel }) as never)).toEqual({ a1: [0, 1, 1, 2], p: [1, 0, 2, 1], a2: [0, 2], n: [2, 0] });
  });

  it('batchHardMiner picks each anchor’s hardest positive and negative, for distances and similarities', () => {
    for (const distance of ['euclidean', 'cosine', 'squaredEuclidean'] as const) {
      expect(toLists(batchHardMiner(labels, emb, { distance }) as never)).toEqual(refBatchHard(labels, emb, distance));
    }
    // Anchors without a positive (label 9) or without a negative are left out.
    expect(list(batchHardMiner([0, 0, 9, 0], randomMatrix(rng(2), 4, 3)).a)).toEqual([0, 1, 3]);
    expect(list(batchHardMiner([5, 5, 5], randomMatrix(rng(2), 3, 3)).a)).toEqual([]);
  });

  it('semiHardMiner keeps the triplets with 0 < d_an − d_ap <= margin, in row-major order', () => {
    expect(toLists(semiHardMiner(labels, emb) as never)).toEqual(refSemiHard(labels, emb, 0.2));
    expect(toLists(semiHardMiner(labels, emb, { margin: 0.5, distance: 'cosine' }) as never)).toEqual(refSemiHard(labels, emb, 0.5, 'cosine'));
  });

  it('multiSimilarityMiner keeps the pairs within ε of the other kind’s extreme', () => {
    expect(toLists(multiSimilarityMiner(labels, emb) as never)).toEqual(refMultiSimilarity(labels, emb, 0.1));
    expect(toLists(multiSimilarityMiner(labels, emb, { epsilon: 0.5 }) as never)).toEqual(refMultiSimilarity(labels, emb, 0.5));
    expect(toLists(multiSimilarityMiner(labels, emb, { distance: 'euclidean', epsilon: 0.3 }) as never)).toEqual(refMultiSimilarity(labels, emb, 0.3, 'euclidean'));
    expect(toLists(multiSimilarityMiner([1, 1, 1], randomMatrix(rng(3), 3, 2)) as never)).toEqual({ a1: [], p: [], a2: [], n: [] });
  });

  it('gives the same tuples with chunkSize', () => {
    for (const chunkSize of [1, 4, 13]) {
      expect(toLists(batchHardMiner(labels, emb, { chunkSize }) as never)).toEqual(toLists(batchHardMiner(labels, emb) as never));
      expect(toLists(semiHardMiner(labels, emb, { chunkSize }) as never)).toEqual(toLists(semiHardMiner(labels, emb) as never));
      expect(toLists(multiSimilarityMiner(labels, emb, { chunkSize }) as never)).toEqual(toLists(multiSimilarityMiner(labels, emb) as never));
    }
  });

  it('feeds the losses: batch-hard triplet loss is the mean over anchors of [max d_ap − min d_an + m]_+, with its gradient', () => {
    const small = randomMatrix(rng(4), 8, 3);
    const y = [0, 0, 0, 1, 1, 1, 2, 2];
    const batchHard = (x: number[][]) => {
      const mat = refMatrix(x, 'euclidean');
      const terms = y.map((c, i) => {
        const pos = y.map((_, j) => j).filter((j) => j !== i && y[j] === c);
        const neg = y.map((_, j) => j).filter((j) => y[j] !== c);
        return Math.max(0, Math.max(...pos.map((j) => mat[i]![j]!)) - Math.min(...neg.map((j) => mat[i]![j]!)) + 0.2);
      });
      return refMean(terms);
    };
    const indices = batchHardMiner(y, small);
    expectClose(tripletMarginLoss(y, small, { indices, margin: 0.2 }).dataSync()[0]!, batchHard(small), 1e-5);
    const g = tf.grad((z: tf.Tensor) => tripletMarginLoss(y, z, { indices, margin: 0.2 }))(tf.tensor(small));
    expectClose(values(g), numericGradient((x) => batchHard(refRows(x, 3)), small.flat()), 1e-4, 1e-6);
    // Multi-similarity loss on mined pairs, as the paper trains it.
    const pairs = multiSimilarityMiner(labels, emb);
    expect(Number.isFinite(multiSimilarityLoss(labels, emb, { indices: pairs }).dataSync()[0])).toBe(true);
  });

  it('mines off the gradient tape: inside tf.grad it changes neither the gradient nor the memory kept', async () => {
    const x = tf.tensor(emb);
    const premined = batchHardMiner(labels, x);
    const g0 = values(tf.grad((z: tf.Tensor) => tripletMarginLoss(labels, z, { indices: premined }))(x));
    const inline = (z: tf.Tensor) => tripletMarginLoss(labels, z, { indices: batchHardMiner(labels, z, { chunkSize: 4 }) });
    expectClose(values(tf.grad(inline)(x)), g0, 1e-6, 1e-7);
    expect(leakedTensors(() => tf.grad(inline)(x))).toBe(0);
    const peak = async (f: (z: tf.Tensor) => tf.Tensor) => (await tf.profile(() => void tf.grad(f)(x).dispose())).peakBytes;
    const withMining = await peak(inline);
    const without = await peak((z) => tripletMarginLoss(labels, z, { indices: premined }));
    // Mining adds at most its own [4, N] block (and the [N, D] rows it reads), nothing kept for the backward pass.
    expect(withMining - without).toBeLessThanOrEqual(4 * 14 * 4 + 2 * 14 * 4 * 4);
    x.dispose();
  });

  it('leaks no tensors and leaves the caller’s embeddings alive', () => {
    const x = tf.tensor(emb);
    expect(leakedTensors(() => void batchHardMiner(labels, x, { normalize: false, distance: 'dot' }))).toBe(0);
    expect(leakedTensors(() => void semiHardMiner(labels, x, { chunkSize: 5 }))).toBe(0);
    expect(leakedTensors(() => void multiSimilarityMiner(labels, emb))).toBe(0);
    expect(leakedTensors(() => void allPairsMiner(tf.tensor1d(labels)))).toBe(1); // the caller's labels tensor
    expect(x.isDisposed).toBe(false);
    x.dispose();
  });

  it('rejects bad input with a message naming the miner, the argument, the rule and the value', () => {
    expect(() => batchHardMiner([0, 1], emb)).toThrow('batchHardMiner: expected `labels` and `embeddings` to have the same number of rows, got [2] and [14,4]');
    expect(() => batchHardMiner(labels, emb, { reduction: 'mean' } as never)).toThrow(
      'batchHardMiner: expected each option to be one of distance, normalize, labelSimilarity, chunkSize, got `reduction`',
    );
    expect(() => semiHardMiner(labels, emb, { margin: Number.NaN })).toThrow('semiHardMiner: expected `margin` to be a finite number, got NaN (number)');
    expect(() => multiSimilarityMiner(labels, emb, { distance: 'cosine', normalize: false })).toThrow(
      "multiSimilarityMiner: expected `normalize` to be true with distance 'cosine' (use distance 'dot' for unnormalised inner products), got false (boolean)",
    );
    expect(() => allPairsMiner(3 as never)).toThrow('allPairsMiner: expected `labels` to hold one label (or label row) per sample, got a scalar');
    expect(() => multiSimilarityMiner(labels, emb, { chunkSize: 1.5 })).toThrow('multiSimilarityMiner: expected `chunkSize` to be an integer >= 1, got 1.5 (number)');
  });
});
