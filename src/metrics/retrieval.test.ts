import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { randomLabels, randomMatrix, rng } from '../../test/helpers.js';
import { mapAtR, precisionAt1, recallAtK, rPrecision } from './retrieval.js';

// Float64 reference of pytorch-metric-learning's AccuracyCalculator (avg_of_avgs=False): k-nearest
// labels per query (self removed when the queries are the references), a relevance mask of the first
// R columns, lone queries dropped.
function reference(qLabels: number[], q: number[][], rLabels: number[], r: number[][], includesQuery: boolean, cosine = false) {
  const unit = (v: number[]) => {
    const n = Math.hypot(...v) || 1;
    return v.map((x) => x / n);
  };
  const qs = cosine ? q.map(unit) : q;
  const rs = cosine ? r.map(unit) : r;
  const dist = (a: number[], b: number[]) => (cosine ? -a.reduce((s, x, k) => s + x * b[k]!, 0) : a.reduce((s, x, k) => s + (x - b[k]!) ** 2, 0));
  const out = { p1: [] as number[], rp: [] as number[], map: [] as number[] };
  const knn: { labels: number[]; y: number; R: number }[] = [];
  qs.forEach((a, i) => {
    const y = qLabels[i]!;
    const R = rLabels.filter((l) => l === y).length - (includesQuery ? 1 : 0);
    if (R <= 0) return;
    const refs = rs.map((b, j) => ({ j, d: dist(a, b) })).filter(({ j }) => !(includesQuery && j === i));
    refs.sort((u, v) => u.d - v.d || u.j - v.j);
    knn.push({ labels: refs.map(({ j }) => rLabels[j]!), y, R });
  });
  for (const { labels, y, R } of knn) {
    out.p1.push(labels[0] === y ? 1 : 0);
    const same = labels.slice(0, R).map((l): number => (l === y ? 1 : 0));
    out.rp.push(same.reduce((s: number, v) => s + v, 0) / R);
    let cumulative = 0;
    out.map.push(same.reduce((s: number, v, i) => (v ? s + ++cumulative / (i + 1) : s), 0) / R);
  }
  const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
  return {
    p1: mean(out.p1),
    rp: mean(out.rp),
    map: mean(out.map),
    recall: (k: number) => mean(knn.map(({ labels, y }) => (labels.slice(0, k).includes(y) ? 1 : 0))),
  };
}

const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThan(1e-12);

describe('retrieval metrics', () => {
  it('reproduce hand-computed values', () => {
    const labels = [0, 0, 1, 1];
    const emb = [
      [0, 0],
      [0, 1],
      [5, 5],
      [0, 2],
    ];
    expect(precisionAt1(labels, emb)).toBe(0.75);
    expect(recallAtK(labels, emb, { k: 2 })).toBe(0.75);
    expect(recallAtK(labels, emb, { k: 3 })).toBe(1);
    expect(rPrecision(labels, emb)).toBe(0.75);
    // One query; references at distance 1, 2, 3, 4 with labels same, other, same, same: R = 3.
    const ref = { referenceEmbeddings: [[1], [2], [3], [4]], referenceLabels: [0, 1, 0, 0] };
    close(rPrecision([0], [[0]], ref), 2 / 3);
    close(mapAtR([0], [[0]], ref), (1 + 2 / 3) / 3);
    expect(precisionAt1([0], [[0]], ref)).toBe(1);
  });

  it('match the float64 reference on random data, Euclidean and cosine, with and without a reference set', () => {
    const r = rng(1);
    const q = randomMatrix(r, 40, 6);
    const y = randomLabels(r, 40, 7);
    const refs = randomMatrix(r, 30, 6);
    const refLabels = randomLabels(r, 30, 9);
    for (const distance of ['euclidean', 'cosine'] as const) {
      const cosine = distance === 'cosine';
      const self = reference(y, q, y, q, true, cosine);
      close(precisionAt1(y, q, { distance }), self.p1);
      close(rPrecision(y, q, { distance }), self.rp);
      close(mapAtR(y, q, { distance }), self.map);
      for (const k of [1, 4, 16]) close(recallAtK(y, q, { distance, k }), self.recall(k));
      const other = reference(y, q, refLabels, refs, false, cosine);
      const options = { distance, referenceEmbeddings: refs, referenceLabels: refLabels };
      close(precisionAt1(y, q, options), other.p1);
      close(rPrecision(y, q, options), other.rp);
      close(mapAtR(y, q, options), other.map);
      close(recallAtK(y, q, { ...options, k: 5 }), other.recall(5));
    }
  });

  it('leave out lone queries, never count a query as its own neighbour, and read tensors', () => {
    // Label 2 occurs once: that query is left out; the others each find their twin first.
    const emb = [
      [0, 0],
      [0, 0.1],
      [3, 3],
      [3, 3.1],
      [0, 0.05],
    ];
    const labels = [0, 0, 1, 1, 2];
    expect(precisionAt1(labels, emb)).toBe(0.5);
    expect(precisionAt1(tf.tensor1d(labels, 'int32'), tf.tensor2d(emb))).toBe(0.5);
    // Identical points: only the other copy can be the neighbour.
    expect(precisionAt1([0, 0, 1], [[1, 1], [1, 1], [1, 1]])).toBe(1);
  });

  it('equals recall@1 and precision@1, and are perfect for separated classes', () => {
    const r = rng(2);
    const q = randomMatrix(r, 25, 3);
    const y = randomLabels(r, 25, 4);
    close(recallAtK(y, q), precisionAt1(y, q));
    const separated = y.map((c, i) => [10 * c + 0.01 * i, 0]);
    expect([precisionAt1(y, separated), rPrecision(y, separated), mapAtR(y, separated)]).toEqual([1, 1, 1]);
  });

  it('reject bad input with a message naming the metric, the argument, the rule and the value', () => {
    const emb = [
      [0, 0],
      [1, 1],
    ];
    expect(() => precisionAt1([0, 1], emb)).toThrow(
      'precisionAt1: expected some query label to occur among the other samples (no query has a relevant neighbour), got labels [2] with no shared label',
    );
    expect(() => precisionAt1([0, 0, 1], emb)).toThrow('precisionAt1: expected `labels` and `embeddings` to have the same number of rows, got [3] and [2,2]');
    expect(() => rPrecision([0, 0], [0, 1])).toThrow('rPrecision: expected `embeddings` to have shape [N,D], got shape [2]');
    expect(() => mapAtR([0, 0.5], emb)).toThrow('mapAtR: expected every value of `labels` to be a non-negative integer class label, got 0.5 at index 1');
    expect(() => recallAtK([0, 0], emb, { k: 0 })).toThrow('recallAtK: expected `k` to be an integer >= 1, got 0 (number)');
    expect(() => recallAtK([0, 0], emb, { distance: 'manhattan' as never })).toThrow("recallAtK: expected `distance` to be one of 'euclidean' | 'cosine', got \"manhattan\" (string)");
    expect(() => precisionAt1([0, 0], emb, { referenceLabels: [0] })).toThrow('precisionAt1: expected `referenceEmbeddings` and `referenceLabels` to be given together, got only `referenceLabels`');
    expect(() => precisionAt1([0, 0], emb, { referenceEmbeddings: [[1, 2, 3]], referenceLabels: [0] })).toThrow(
      'precisionAt1: expected `embeddings` and `referenceEmbeddings` to have the same number of columns, got [2,2] and [1,3]',
    );
    expect(() => precisionAt1([0, 0], [[0, Number.NaN], [1, 1]])).toThrow('precisionAt1: expected every value of `embeddings` to be finite, got NaN at flat index 1');
    expect(() => precisionAt1([0, 0], emb, { k: 2 } as never)).toThrow('precisionAt1: expected each option to be one of distance, referenceEmbeddings, referenceLabels, got `k`');
  });
});
