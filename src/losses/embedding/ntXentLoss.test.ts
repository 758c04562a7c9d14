import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  type RefDistance,
  type RefPairs,
  refAllPairs,
  refIsSimilarity,
  refMatrix,
  refMean,
  refMeanNonZero,
  refPerAnchor,
  refRows,
  refSum,
} from '../../../test/embedding-reference.js';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomLabels, randomMatrix, rng, values } from '../../../test/helpers.js';
import { ntXentLoss } from './ntXentLoss.js';

/** torch.finfo(float32).tiny, which the reference adds inside its log. */
const TINY = 2 ** -126;

interface RefOptions {
  temperature?: number;
  distance?: RefDistance;
  normalize?: boolean;
  pairs?: RefPairs;
}

// Float64 reference: PML's NTXentLoss, literally: one term per positive pair, its denominator the
// negative pairs with the same anchor (repeats included), shifted by the largest logit.
function reference(labels: number[], embeddings: number[][], o: RefOptions = {}) {
  const { temperature = 0.07, distance = 'cosine', normalize = true } = o;
  const mat = refMatrix(embeddings, distance, normalize);
  const logit = (i: number, j: number) => (refIsSimilarity(distance) ? mat[i]![j]! : -mat[i]![j]!) / temperature;
  const { a1, p, a2, n } = o.pairs ?? refAllPairs(labels);
  const losses =
    a1.length > 0 && a2.length > 0
      ? a1.map((a, k) => {
          const pos = logit(a, p[k]!);
          const negs = n.filter((_, q) => a2[q] === a).map((j) => logit(a, j));
          const max = Math.max(pos, ...negs);
          const numerator = Math.exp(pos - max);
          const denominator = refSum(negs.map((v) => Math.exp(v - max))) + numerator;
          return -Math.log(numerator / denominator + TINY);
        })
      : [];
  return { losses, mean: refMean(losses), meanNonZero: refMeanNonZero(losses), sum: refSum(losses), none: refPerAnchor(labels.length, losses.length > 0 ? a1 : [], losses) };
}

const scalar = (t: tf.Tensor) => t.dataSync()[0] as number;

describe('ntXentLoss(labels, embeddings, options)', () => {
  it('reproduces a hand-computed example', () => {
    // Cosines s01 = 0.6, s02 = 0, s12 = 0.8; positive pairs (0,1) and (1,0), negatives of both: sample 2.
    const sp = (x: number) => Math.log1p(Math.exp(x));
    const expected = [sp((0 - 0.6) / 0.07), sp((0.8 - 0.6) / 0.07)];
    const emb = [
      [1, 0],
      [0.6, 0.8],
      [0, 1],
    ];
    expectClose(scalar(ntXentLoss([0, 0, 1], emb)), refMean(expected), 1e-6);
    expectClose(values(ntXentLoss([0, 0, 1], emb, { reduction: 'none' })), [...expected, 0], 1e-6, 1e-7);
  });

  it('matches the float64 reference on random inputs, for every distance and reduction', () => {
    const r = rng(1);
    const emb = randomMatrix(r, 15, 6);
    const labels = randomLabels(r, 15, 4);
    const cases: RefOptions[] = [{}, { temperature: 0.5 }, { distance: 'euclidean', temperature: 0.2 }, { distance: 'dot', normalize: false, temperature: 2 }, { distance: 'squaredEuclidean', temperature: 1 }];
    for (const o of cases) {
      const ref = reference(labels, emb, o);
      expectClose(scalar(ntXentLoss(labels, emb, o)), ref.mean, 1e-5);
      expectClose(scalar(ntXentLoss(labels, emb, { ...o, reduction: 'meanNonZero' })), ref.meanNonZero, 1e-5);
      expectClose(scalar(ntXentLoss(labels, emb, { ...o, reduction: 'sum' })), ref.sum, 1e-5);
      expectClose(values(ntXentLoss(labels, emb, { ...o, reduction: 'none' })), ref.none, 1e-5, 1e-5);
    }
  });

  it('follows pytorch-metric-learning’s documented example: labels [0, 0, 1, 2] give two terms', () => {
    const emb = randomMatrix(rng(2), 4, 3);
    const none = values(ntXentLoss([0, 0, 1, 2], emb, { reduction: 'none' }));
    expect(none[2]).toBe(0);
    expect(none[3]).toBe(0);
    const mat = refMatrix(emb, 'cosine');
    const term = (a: number, p: number) => {
      const z = (j: number) => mat[a]![j]! / 0.07;
      return -z(p) + Math.log(Math.exp(z(p)) + Math.exp(z(2)) + Math.exp(z(3)));
    };
    expectClose(none.slice(0, 2), [term(0, 1), term(1, 0)], 1e-5);
    expectClose(scalar(ntXentLoss([0, 0, 1, 2], emb)), (term(0, 1) + term(1, 0)) / 2, 1e-5);
  });

  it('is SimCLR’s NT-Xent when each sample’s only positive is its other view', () => {
    const r = rng(3);
    const views = randomMatrix(r, 10, 4);
    const labels = [0, 1, 2, 3, 4, 0, 1, 2, 3, 4];
    const s = refMatrix(views, 'cosine');
    const tau = 0.5;
    const simclr = labels.map((_, i) => {
      const j = (i + 5) % 10;
      const others = labels.map((__, k) => k).filter((k) => k !== i);
      return -s[i]![j]! / tau + Math.log(refSum(others.map((k) => Math.exp(s[i]![k]! / tau))));
    });
    expectClose(scalar(ntXentLoss(labels, views, { temperature: tau })), refMean(simclr), 1e-5);
  });

  it('counts repeated negative pairs in the denominator, as the reference does', () => {
    const r = rng(4);
    const emb = randomMatrix(r, 6, 3);
    const pairs = { a1: [0, 0, 3], p: [1, 2, 4], a2: [0, 0, 0, 3], n: [5, 5, 4, 1] };
    const ref = reference([0, 0, 0, 1, 1, 2], emb, { pairs, temperature: 0.3 });
    expectClose(scalar(ntXentLoss([0, 0, 0, 1, 1, 2], emb, { indices: pairs, temperature: 0.3 })), ref.mean, 1e-5);
  });

  it('has the gradient of the float64 reference (finite differences)', () => {
    const r = rng(5);
    const emb = randomMatrix(r, 6, 3);
    const labels = [0, 0, 1, 1, 2, 0];
    for (const o of [{ temperature: 0.5 }, { temperature: 0.07 }, { distance: 'euclidean' as const, temperature: 0.3 }]) {
      const g = tf.grad((z: tf.Tensor) => ntXentLoss(labels, z, o))(tf.tensor(emb));
      const f = (x: number[]) => reference(labels, refRows(x, 3), o).mean;
      expectClose(values(g), numericGradient(f, emb.flat()), 1e-4, 1e-6);
    }
  });

  it('gives the same value and gradient chunked as unchunked', () => {
    const r = rng(6);
    const emb = tf.tensor(randomMatrix(r, 12, 4));
    const labels = randomLabels(r, 12, 4);
    const plain = scalar(ntXentLoss(labels, emb));
    const g0 = values(tf.grad((z: tf.Tensor) => ntXentLoss(labels, z))(emb));
    for (const chunkSize of [1, 5, 7]) {
      expectClose(scalar(ntXentLoss(labels, emb, { chunkSize })), plain, 1e-6);
      expectClose(values(tf.grad((z: tf.Tensor) => ntXentLoss(labels, z, { chunkSize }))(emb)), g0, 1e-5, 1e-6);
    }
  });

  it('stays finite, in value and gradient, for identical embeddings, one class, no positives and tiny τ', () => {
    const same = Array.from({ length: 6 }, () => [0.5, 0.5, -1]);
    // Identical embeddings: every logit equal, so each term is log(1 + #negatives).
    expectClose(scalar(ntXentLoss([0, 0, 1, 1, 2, 2], same)), Math.log(5), 1e-5);
    expectFinite(tf.grad((z: tf.Tensor) => ntXentLoss([0, 0, 1, 1, 2, 2], z))(tf.tensor(same)));
    const emb = randomMatrix(rng(7), 6, 3);
    for (const labels of [
      [4, 4, 4, 4, 4, 4],
      [0, 1, 2, 3, 4, 5],
    ]) {
      expect(scalar(ntXentLoss(labels, emb))).toBe(0);
      expectFinite(tf.grad((z: tf.Tensor) => ntXentLoss(labels, z))(tf.tensor(emb)));
    }
    // τ = 1e-4 makes logits of ±1e4: the softplus form stays exact and finite.
    const sharp = ntXentLoss([0, 0, 1, 1, 2, 2], emb, { temperature: 1e-4, reduction: 'none' });
    expectFinite(sharp);
    expectFinite(tf.grad((z: tf.Tensor) => ntXentLoss([0, 0, 1, 1, 2, 2], z, { temperature: 1e-4 }))(tf.tensor(emb)));
  });

  it('leaks no tensors', () => {
    const emb = tf.tensor(randomMatrix(rng(8), 6, 3));
    const labels = [0, 0, 1, 1, 2, 2];
    expect(leakedTensors(() => ntXentLoss(labels, emb))).toBe(0);
    expect(leakedTensors(() => tf.grad((z: tf.Tensor) => ntXentLoss(labels, z, { chunkSize: 4 }))(emb))).toBe(0);
    emb.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    const emb = [
      [1, 0],
      [0, 1],
    ];
    expect(() => ntXentLoss([0, 0], emb, { temperature: 0 })).toThrow('ntXentLoss: expected `temperature` to be a finite number > 0, got 0 (number)');
    expect(() => ntXentLoss([0, 0], emb, { indices: [0, 1] as never })).toThrow(
      'ntXentLoss: expected `indices` to be pairs {a1, p, a2, n} or triplets {a, p, n} of sample indices, got [0,1] (array)',
    );
    expect(() => ntXentLoss([0, 0], emb, { indices: { a1: [0], p: [1], a2: [0] } as never })).toThrow(
      'ntXentLoss: expected `indices` to be pairs {a1, p, a2, n} or triplets {a, p, n} of sample indices, got pairs without `n`',
    );
    expect(() => ntXentLoss([0, 0], emb, { indices: { a1: [0], p: [1], a2: [0, 1], n: [1] } })).toThrow(
      'ntXentLoss: expected `indices.a2` and `indices.n` to have the same length, got 2 and 1',
    );
  });
});
