import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { type RefDistance, type RefPairs, refAllPairs, refLogSumExp, refMargin, refMatrix, refMean, refMeanNonZero, refRows, refSum } from '../../../test/embedding-reference.js';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomLabels, randomMatrix, rng, values } from '../../../test/helpers.js';
import { multiSimilarityLoss } from './multiSimilarityLoss.js';

interface RefOptions {
  alpha?: number;
  beta?: number;
  base?: number;
  distance?: RefDistance;
  normalize?: boolean;
  pairs?: RefPairs;
}

// Float64 reference: PML's MultiSimilarityLoss, one term per anchor from its (binary) pair masks.
function reference(labels: number[], embeddings: number[][], o: RefOptions = {}): number[] {
  const { alpha = 2, beta = 50, base = 0.5, distance = 'cosine', normalize = true } = o;
  const mat = refMatrix(embeddings, distance, normalize);
  const { a1, p, a2, n } = o.pairs ?? refAllPairs(labels);
  return labels.map((_, i) => {
    const positives = [...new Set(p.filter((_, k) => a1[k] === i))];
    const negatives = [...new Set(n.filter((_, k) => a2[k] === i))];
    // (1/α) log(1 + Σ e^(α x)) = (1/α) logsumexp([0, α x...]); an empty set gives log 1 = 0.
    const pos = refLogSumExp([0, ...positives.map((j) => alpha * refMargin(distance, mat[i]![j]!, base))]) / alpha;
    const neg = refLogSumExp([0, ...negatives.map((j) => beta * refMargin(distance, base, mat[i]![j]!))]) / beta;
    return pos + neg;
  });
}

const scalar = (t: tf.Tensor) => t.dataSync()[0] as number;

describe('multiSimilarityLoss(labels, embeddings, options)', () => {
  it('reproduces a hand-computed example', () => {
    // Cosines s01 = 0.6, s02 = 0, s12 = 0.8; labels [0, 0, 1].
    const pos = Math.log1p(Math.exp(-2 * 0.1)) / 2;
    const rows = [pos + Math.log1p(Math.exp(-25)) / 50, pos + Math.log1p(Math.exp(15)) / 50, Math.log(1 + Math.exp(-25) + Math.exp(15)) / 50];
    const emb = [
      [1, 0],
      [0.6, 0.8],
      [0, 1],
    ];
    expectClose(values(multiSimilarityLoss([0, 0, 1], emb, { reduction: 'none' })), rows, 1e-6);
    expectClose(scalar(multiSimilarityLoss([0, 0, 1], emb)), refMean(rows), 1e-6);
  });

  it('matches the float64 reference on random inputs, for every distance and reduction', () => {
    const r = rng(1);
    const emb = randomMatrix(r, 16, 5);
    const labels = randomLabels(r, 16, 4);
    const cases: RefOptions[] = [{}, { alpha: 1, beta: 10, base: 0.2 }, { distance: 'euclidean', base: 1 }, { distance: 'dot', normalize: false, beta: 2, base: 0 }, { distance: 'squaredEuclidean', base: 1.5 }];
    for (const o of cases) {
      const rows = reference(labels, emb, o);
      expectClose(values(multiSimilarityLoss(labels, emb, { ...o, reduction: 'none' })), rows, 1e-5, 1e-6);
      expectClose(scalar(multiSimilarityLoss(labels, emb, o)), refMean(rows), 1e-5);
      expectClose(scalar(multiSimilarityLoss(labels, emb, { ...o, reduction: 'meanNonZero' })), refMeanNonZero(rows), 1e-5);
      expectClose(scalar(multiSimilarityLoss(labels, emb, { ...o, reduction: 'sum' })), refSum(rows), 1e-5);
    }
  });

  it('uses explicit pairs as masks: a repeated pair counts once', () => {
    const r = rng(2);
    const emb = randomMatrix(r, 8, 3);
    const labels = randomLabels(r, 8, 2);
    const pairs = { a1: [0, 0, 0, 4], p: [1, 1, 2, 6], a2: [0, 3, 3], n: [5, 7, 7] };
    const rows = reference(labels, emb, { pairs });
    expectClose(values(multiSimilarityLoss(labels, emb, { indices: pairs, reduction: 'none' })), rows, 1e-5, 1e-6);
    const once = { a1: [0, 0, 4], p: [1, 2, 6], a2: [0, 3], n: [5, 7] };
    expectClose(scalar(multiSimilarityLoss(labels, emb, { indices: once })), scalar(multiSimilarityLoss(labels, emb, { indices: pairs })), 1e-6);
  });

  it('has the gradient of the float64 reference (finite differences)', () => {
    const r = rng(3);
    const emb = randomMatrix(r, 6, 3);
    const labels = [0, 0, 1, 1, 2, 0];
    for (const o of [{}, { distance: 'euclidean' as const, base: 1 }, { beta: 5 }]) {
      const g = tf.grad((z: tf.Tensor) => multiSimilarityLoss(labels, z, o))(tf.tensor(emb));
      const f = (x: number[]) => refMean(reference(labels, refRows(x, 3), o));
      expectClose(values(g), numericGradient(f, emb.flat()), 1e-4, 1e-6);
    }
  });

  it('gives an anchor without positives (negatives) 0 for that term, as pytorch-metric-learning documents', () => {
    const emb = randomMatrix(rng(4), 4, 3);
    const noPositives = values(multiSimilarityLoss([0, 1, 2, 3], emb, { reduction: 'none' }));
    const mat = refMatrix(emb, 'cosine');
    noPositives.forEach((v, i) => {
      const neg = Math.log(1 + refSum([0, 1, 2, 3].filter((j) => j !== i).map((j) => Math.exp(50 * (mat[i]![j]! - 0.5))))) / 50;
      expectClose(v, neg, 1e-5, 1e-7);
    });
    const oneClass = values(multiSimilarityLoss([7, 7, 7, 7], emb, { reduction: 'none' }));
    oneClass.forEach((v, i) => {
      const pos = Math.log(1 + refSum([0, 1, 2, 3].filter((j) => j !== i).map((j) => Math.exp(-2 * (mat[i]![j]! - 0.5))))) / 2;
      expectClose(v, pos, 1e-5, 1e-7);
    });
  });

  it("emptyAnchors: 'exclude' averages over the anchors with a pair (3.x), 'count' over every anchor (2.8.1)", () => {
    const r = rng(10);
    const emb = randomMatrix(r, 8, 3);
    const labels = [0, 0, 1, 1, 2, 2, 0, 1];
    // Anchors 0, 2 and 5 have pairs; the others none.
    const pairs = { a1: [0, 2, 2], p: [1, 3, 7], a2: [0, 5, 5], n: [2, 0, 1] };
    const rows = reference(labels, emb, { pairs });
    const w = [1, 2, 3, 4, 5, 6, 7, 8];
    const hasPair = [1, 0, 1, 0, 0, 1, 0, 0];
    const weighted = (mask: number[]) => refSum(rows.map((l, i) => w[i]! * l)) / refSum(mask.map((m, i) => w[i]! * m));
    expectClose(scalar(multiSimilarityLoss(labels, emb, { indices: pairs })), refMean(rows), 1e-5);
    expectClose(scalar(multiSimilarityLoss(labels, emb, { indices: pairs, emptyAnchors: 'exclude' })), refSum(rows) / 3, 1e-5);
    expectClose(scalar(multiSimilarityLoss(labels, emb, { indices: pairs, emptyAnchors: 'exclude', weights: w })), weighted(hasPair), 1e-5);
    expectClose(scalar(multiSimilarityLoss(labels, emb, { indices: pairs, weights: w })), weighted(w.map(() => 1)), 1e-5);
    for (const reduction of ['sum', 'meanNonZero', 'none'] as const) {
      expectClose(values(multiSimilarityLoss(labels, emb, { indices: pairs, emptyAnchors: 'exclude', reduction })), values(multiSimilarityLoss(labels, emb, { indices: pairs, reduction })), 1e-6, 1e-7);
    }
    const f = (x: number[]) => refSum(reference(labels, refRows(x, 3), { pairs })) / 3;
    const g = tf.grad((z: tf.Tensor) => multiSimilarityLoss(labels, z, { indices: pairs, emptyAnchors: 'exclude' }))(tf.tensor(emb));
    expectClose(values(g), numericGradient(f, emb.flat()), 1e-4, 1e-6);
    // With labels every anchor has pairs: the two agree.
    expectClose(scalar(multiSimilarityLoss(labels, emb, { emptyAnchors: 'exclude' })), scalar(multiSimilarityLoss(labels, emb)), 1e-6);
    // No pair at all: 0, not 0/0.
    expect(scalar(multiSimilarityLoss(labels, emb, { indices: { a1: [], p: [], a2: [], n: [] }, emptyAnchors: 'exclude' }))).toBe(0);
  });

  it('gives the same value and gradient chunked as unchunked', () => {
    const r = rng(5);
    const emb = tf.tensor(randomMatrix(r, 9, 4));
    const labels = randomLabels(r, 9, 3);
    const plain = values(multiSimilarityLoss(labels, emb, { reduction: 'none' }));
    const g0 = values(tf.grad((z: tf.Tensor) => multiSimilarityLoss(labels, z))(emb));
    for (const chunkSize of [1, 2, 4]) {
      expectClose(values(multiSimilarityLoss(labels, emb, { chunkSize, reduction: 'none' })), plain, 1e-6, 1e-7);
      expectClose(values(tf.grad((z: tf.Tensor) => multiSimilarityLoss(labels, z, { chunkSize }))(emb)), g0, 1e-5, 1e-7);
    }
  });

  it('stays finite, in value and gradient, for identical embeddings, one class, no positive pairs and large β', () => {
    const same = Array.from({ length: 5 }, () => [2, 0, -1]);
    const cases: [number[], number[][], object][] = [
      [[0, 0, 1, 1, 2], same, {}],
      [[0, 0, 1, 1, 2], same, { distance: 'euclidean' }],
      [[3, 3, 3, 3, 3], randomMatrix(rng(6), 5, 3), {}],
      [[0, 1, 2, 3, 4], randomMatrix(rng(7), 5, 3), {}],
      [[0, 0, 1, 1, 2], randomMatrix(rng(8), 5, 3), { beta: 1e4, alpha: 1e3 }],
    ];
    for (const [labels, emb, o] of cases) {
      expectFinite(multiSimilarityLoss(labels, emb, { ...o, reduction: 'none' }));
      expectFinite(tf.grad((z: tf.Tensor) => multiSimilarityLoss(labels, z, o))(tf.tensor(emb)));
    }
  });

  it('leaks no tensors', () => {
    const emb = tf.tensor(randomMatrix(rng(9), 6, 3));
    const labels = [0, 0, 1, 1, 2, 2];
    expect(leakedTensors(() => multiSimilarityLoss(labels, emb, { reduction: 'meanNonZero' }))).toBe(0);
    expect(leakedTensors(() => tf.grad((z: tf.Tensor) => multiSimilarityLoss(labels, z, { chunkSize: 4 }))(emb))).toBe(0);
    emb.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    const emb = [
      [1, 0],
      [0, 1],
    ];
    expect(() => multiSimilarityLoss([0, 1], emb, { alpha: 0 })).toThrow('multiSimilarityLoss: expected `alpha` to be a finite number > 0, got 0 (number)');
    expect(() => multiSimilarityLoss([0, 1], emb, { beta: -1 })).toThrow('multiSimilarityLoss: expected `beta` to be a finite number > 0, got -1 (number)');
    expect(() => multiSimilarityLoss([0, 1], emb, { base: Number.POSITIVE_INFINITY })).toThrow('multiSimilarityLoss: expected `base` to be a finite number, got Infinity (number)');
    expect(() => multiSimilarityLoss([0, 1], emb, { emptyAnchors: 'all' as never })).toThrow(
      `multiSimilarityLoss: expected \`emptyAnchors\` to be one of 'count' | 'exclude', got "all" (string)`,
    );
    expect(() => multiSimilarityLoss([0, 1], emb, { labelSimilarity: 3 as never })).toThrow(
      'multiSimilarityLoss: expected `labelSimilarity` to be a function (labelsA [n,L], labelsB [m,L]) -> [n,m] tensor of 0 and 1, got 3 (number)',
    );
  });
});
