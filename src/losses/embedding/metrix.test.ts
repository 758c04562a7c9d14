import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, leakedTensors, randomMatrix, rng, values } from '../../../test/helpers.js';
import { seededUniform } from '../_shared/random.js';
import { betaDraw, metrixPairs, mixEmbeddings } from './metrix.js';

const triples = (p: { anchors: Int32Array; first: Int32Array; second: Int32Array }) => Array.from(p.anchors, (a, k) => [a, p.first[k]!, p.second[k]!]);
const LABELS = [0, 0, 1, 1, 2];

describe('metrixPairs(labels, options)', () => {
  const posneg = [
    [0, 1, 2], [0, 1, 3], [0, 1, 4],
    [1, 0, 2], [1, 0, 3], [1, 0, 4],
    [2, 3, 0], [2, 3, 1], [2, 3, 4],
    [3, 2, 0], [3, 2, 1], [3, 2, 4],
  ];
  const anchorneg = [[4, 4, 0], [4, 4, 1], [4, 4, 2], [4, 4, 3]];

  it("mixes each positive with each negative for anchors with positives ('posneg'), the anchor with each negative otherwise ('anchorneg')", () => {
    expect(triples(metrixPairs(LABELS, { pairs: 'posneg' }))).toEqual(posneg);
    expect(triples(metrixPairs(LABELS, { pairs: 'anchorneg' }))).toEqual(anchorneg);
    const both = metrixPairs(LABELS);
    expect(both.pairing).toBe('both');
    expect(triples(both)).toEqual([...posneg, ...anchorneg]);
  });

  it("uses the anchor's first positive once per positive pair with positives: 'first' (the reference code)", () => {
    expect(triples(metrixPairs([0, 0, 0, 1], { pairs: 'posneg' }))).toEqual([
      [0, 1, 3], [0, 2, 3], [1, 0, 3], [1, 2, 3], [2, 0, 3], [2, 1, 3],
    ]);
    expect(triples(metrixPairs([0, 0, 0, 1], { pairs: 'posneg', positives: 'first' }))).toEqual([
      [0, 1, 3], [0, 1, 3], [1, 0, 3], [1, 0, 3], [2, 0, 3], [2, 0, 3],
    ]);
  });

  it("picks one pairing per call with pairs: 'random', by its seed", () => {
    const seen = new Set<string>();
    for (let seed = 0; seed < 20; seed++) {
      const p = metrixPairs(LABELS, { pairs: 'random', seed });
      seen.add(p.pairing);
      expect(triples(p)).toEqual(p.pairing === 'posneg' ? posneg : anchorneg);
      expect(metrixPairs(LABELS, { pairs: 'random', seed }).pairing).toBe(p.pairing);
    }
    expect([...seen].sort()).toEqual(['anchorneg', 'posneg']);
  });

  it('makes no mixture without negatives (one class)', () => {
    expect(metrixPairs([3, 3, 3]).anchors).toHaveLength(0);
  });
});

describe('mixEmbeddings(embeddings, labels, options)', () => {
  const r = rng(1);
  const x = randomMatrix(r, 5, 3);

  it('returns λ x_first + (1 − λ) x_second with positivity λ, and their gradient', () => {
    const out = mixEmbeddings(x, LABELS, { lambda: 0.3 });
    expect(out.lambda).toBe(0.3);
    const t = triples(out);
    expectClose(values(out.mixed), t.flatMap(([, i, j]) => x[i!]!.map((v, d) => 0.3 * v + 0.7 * x[j!]![d]!)), 1e-6, 1e-7);
    expectClose(Array.from(out.positivity), new Array(t.length).fill(0.3), 1e-7);
    // d/dx of Σ_k c_k · mixed_k: λ Σ_{first=i} c_k + (1 − λ) Σ_{second=i} c_k per row.
    const g = values(tf.grad((z: tf.Tensor) => tf.sum(mixEmbeddings(z, LABELS, { lambda: 0.3 }).mixed))(tf.tensor(x)));
    const expected = x.map((_, i) => t.reduce((s, [, a, b]) => s + (a === i ? 0.3 : 0) + (b === i ? 0.7 : 0), 0));
    expectClose(g, expected.flatMap((v) => [v, v, v]), 1e-6);
  });

  it('draws λ ~ Beta(α, α): reproducible by seed, with the Beta moments', () => {
    const a = mixEmbeddings(x, LABELS, { seed: 4 });
    expect(mixEmbeddings(x, LABELS, { seed: 4 }).lambda).toBe(a.lambda);
    expect(mixEmbeddings(x, LABELS, { seed: 5 }).lambda).not.toBe(a.lambda);
    for (const alpha of [2, 0.5]) {
      const random = seededUniform(11);
      const draws = Array.from({ length: 20000 }, () => betaDraw(alpha, random));
      const mean = draws.reduce((s, v) => s + v, 0) / draws.length;
      const variance = draws.reduce((s, v) => s + (v - mean) ** 2, 0) / draws.length;
      expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...draws)).toBeLessThanOrEqual(1);
      expectClose(mean, 0.5, 0, 0.01);
      expectClose(variance, 1 / (4 * (2 * alpha + 1)), 0.05); // αβ / ((α+β)²(α+β+1)) with α = β
    }
  });

  it('leaks no tensors but the mixtures', () => {
    const e = tf.tensor(x);
    expect(leakedTensors(() => mixEmbeddings(e, LABELS, { seed: 1 }).mixed)).toBe(0);
    expect(leakedTensors(() => tf.grad((z: tf.Tensor) => tf.sum(mixEmbeddings(z, LABELS, { seed: 1 }).mixed))(e))).toBe(0);
    e.dispose();
  });

  it('rejects bad input with the library’s message', () => {
    expect(() => mixEmbeddings(x, LABELS, { lambda: 1.5 })).toThrow('mixEmbeddings: expected `lambda` to be a finite number >= 0 and <= 1, got 1.5 (number)');
    expect(() => mixEmbeddings(x, LABELS, { alpha: 0 })).toThrow('mixEmbeddings: expected `alpha` to be a finite number > 0, got 0 (number)');
    expect(() => mixEmbeddings(x, LABELS, { pairs: 'all' as never })).toThrow("mixEmbeddings: expected `pairs` to be one of 'both' | 'posneg' | 'anchorneg' | 'random', got \"all\" (string)");
    expect(() => mixEmbeddings(x, LABELS, { positives: 'last' as never })).toThrow("mixEmbeddings: expected `positives` to be one of 'all' | 'first', got \"last\" (string)");
    expect(() => mixEmbeddings(x, [0, 1])).toThrow('mixEmbeddings: expected `labels` and `embeddings` to have the same number of rows, got [2] and [5,3]');
    expect(() => mixEmbeddings(x, LABELS, { lam: 0.5 } as never)).toThrow('mixEmbeddings: expected each option to be one of alpha, pairs, positives, lambda, seed, labelSimilarity, got `lam`');
    expect(() => metrixPairs(LABELS, { seed: -2 })).toThrow('metrixPairs: expected `seed` to be an integer >= 0 and <= 4294967295, got -2 (number)');
  });
});
