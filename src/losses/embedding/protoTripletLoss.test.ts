import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomLabels, randomMatrix, rng, values } from '../../../test/helpers.js';
import { prototypes, sampleEpisode } from './few-shot.js';
import { protoTripletLoss } from './protoTripletLoss.js';

// Float64 reference written from the formula.
const dist = (a: number[], b: number[], eps: number) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0) + eps);
function classMeans(labels: number[], emb: number[][]): { protos: number[][]; ids: number[] } {
  const classes = [...new Set(labels)].sort((a, b) => a - b);
  const protos = classes.map((c) => {
    const rows = emb.filter((_, i) => labels[i] === c);
    return rows[0]!.map((_, j) => rows.reduce((s, row) => s + row[j]!, 0) / rows.length);
  });
  return { protos, ids: labels.map((y) => classes.indexOf(y)) };
}
function reference(labels: number[], q: number[][], protos?: number[][], margin = 0.5, eps = 1e-6): number[] {
  const { protos: p, ids } = protos === undefined ? classMeans(labels, q) : { protos, ids: labels };
  return q.map((row, i) => {
    const d = p.map((c) => dist(row, c, eps));
    const others = d.filter((_, k) => k !== ids[i]);
    return others.length === 0 ? 0 : Math.max(d[ids[i]!]! - Math.min(...others) + margin, 0);
  });
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const chunk = (flat: number[], d: number) => Array.from({ length: flat.length / d }, (_, i) => flat.slice(i * d, (i + 1) * d));

const Q = [[0, 0], [1, 1], [2, 0]];
const QL = [0, 1, 0];
const PROTOS = [[0, 1], [1, 0]];

describe('protoTripletLoss(labels, embeddings, options)', () => {
  it('reproduces the spec value (papers-A A.3): d⁺ = [1, 1, √5], d⁻ = [1, 1, 1], loss 0.912023', () => {
    expectClose(protoTripletLoss(QL, Q, { prototypes: PROTOS }).dataSync()[0]!, 0.912023, 2e-6);
    expectClose(values(protoTripletLoss(QL, Q, { prototypes: PROTOS, reduction: 'none' })), [0.5, 0.5, Math.sqrt(5 + 1e-6) - Math.sqrt(1 + 1e-6) + 0.5], 2e-6);
  });

  it('matches the float64 reference on random inputs, with given prototypes and with the batch’s class means', () => {
    const r = rng(1);
    const q = randomMatrix(r, 30, 6);
    const labels = randomLabels(r, 30, 5);
    const protos = randomMatrix(r, 5, 6);
    expectClose(values(protoTripletLoss(labels, q, { prototypes: protos, reduction: 'none' })), reference(labels, q, protos), 1e-5, 1e-6);
    expectClose(values(protoTripletLoss(labels, q, { prototypes: protos, margin: 2, reduction: 'none' })), reference(labels, q, protos, 2), 1e-5, 1e-6);
    const sparse = labels.map((y) => 10 * y + 3); // arbitrary integer labels without prototypes
    expectClose(values(protoTripletLoss(sparse, q, { reduction: 'none' })), reference(sparse, q), 1e-5, 1e-6);
    expectClose(values(protoTripletLoss(labels, q, { epsilon: 0.5, reduction: 'none' })), reference(labels, q, undefined, 0.5, 0.5), 1e-5, 1e-6);
  });

  it('has the gradient of the float64 reference, through the queries and through batch prototypes', () => {
    const r = rng(2);
    const q = randomMatrix(r, 6, 3);
    const labels = [0, 1, 2, 0, 1, 2];
    const protos = randomMatrix(r, 3, 3);
    const g = tf.grad((z: tf.Tensor) => protoTripletLoss(labels, z, { prototypes: protos, margin: 3 }))(tf.tensor(q));
    expectClose(values(g), numericGradient((f) => mean(reference(labels, chunk(f, 3), protos, 3)), q.flat()), 1e-3, 1e-6);
    const gb = tf.grad((z: tf.Tensor) => protoTripletLoss(labels, z, { margin: 3 }))(tf.tensor(q));
    expectClose(values(gb), numericGradient((f) => mean(reference(labels, chunk(f, 3), undefined, 3)), q.flat()), 1e-3, 1e-6);
    const gp = tf.grad((p: tf.Tensor) => protoTripletLoss(labels, q, { prototypes: p, margin: 3 }))(tf.tensor(protos));
    expectClose(values(gp), numericGradient((f) => mean(reference(labels, q, chunk(f, 3), 3)), protos.flat()), 1e-3, 1e-6);
  });

  it('works on an episode: queries against the prototypes of the support set', () => {
    const r = rng(3);
    const pool = Array.from({ length: 40 }, (_, i) => i % 8);
    const emb = randomMatrix(r, 40, 4);
    const ep = sampleEpisode(pool, { nWay: 3, kShot: 2, nQuery: 2, seed: 1 });
    const support = Array.from(ep.support, (i) => emb[i]!);
    const queries = Array.from(ep.query, (i) => emb[i]!);
    const protos = values(prototypes(ep.supportLabels, support));
    const expected = reference(Array.from(ep.queryLabels), queries, chunk(protos, 4));
    expectClose(values(protoTripletLoss(ep.queryLabels, queries, { prototypes: chunk(protos, 4), reduction: 'none' })), expected, 1e-5, 1e-6);
  });

  it('is 0 with a zero gradient for one class, and 0 once every query beats the margin', () => {
    const one = protoTripletLoss([4, 4, 4], Q);
    expectClose(one.dataSync()[0]!, 0, 0, 0);
    expectClose(values(tf.grad((z: tf.Tensor) => protoTripletLoss([4, 4, 4], z))(tf.tensor(Q))), new Array(6).fill(0), 0, 0);
    expectClose(protoTripletLoss([0, 1], [[0, 0], [10, 10]], { prototypes: [[0, 0.1], [10, 9.9]] }).dataSync()[0]!, 0, 0, 0);
  });

  it('stays finite, in value and gradient, for identical embeddings, queries on prototypes, no positive pair and ±1e4', () => {
    const same = [[1, 2], [1, 2], [1, 2], [1, 2]];
    expectClose(protoTripletLoss([0, 1, 0, 1], same).dataSync()[0]!, 0.5, 1e-6);
    expectFinite(tf.grad((z: tf.Tensor) => protoTripletLoss([0, 1, 0, 1], z))(tf.tensor(same)));
    expectFinite(tf.grad((z: tf.Tensor) => protoTripletLoss([0, 1], z, { prototypes: [[0, 1], [1, 0]] }))(tf.tensor([[0, 1], [1, 0]])));
    // No positive pair (every label once): each query is its own prototype, d⁺ = √ε.
    expectClose(values(protoTripletLoss([5, 6, 7], Q, { reduction: 'none' })), reference([5, 6, 7], Q), 1e-5, 1e-6);
    expectFinite(tf.grad((z: tf.Tensor) => protoTripletLoss([5, 6, 7], z))(tf.tensor(Q)));
    const huge = [[1e4, -1e4], [-1e4, 1e4], [1e4, 1e4]];
    expectFinite(protoTripletLoss([0, 1, 2], huge, { reduction: 'none' }));
    expectFinite(tf.grad((z: tf.Tensor) => protoTripletLoss([0, 1, 0], z, { prototypes: PROTOS }))(tf.tensor(huge)));
  });

  it("reduces by 'mean', 'sum', 'none' and takes weighted means", () => {
    const none = values(protoTripletLoss(QL, Q, { prototypes: PROTOS, reduction: 'none' }));
    expectClose(protoTripletLoss(QL, Q, { prototypes: PROTOS, reduction: 'sum' }).dataSync()[0]!, none[0]! + none[1]! + none[2]!, 1e-6);
    expectClose(protoTripletLoss(QL, Q, { prototypes: PROTOS, weights: [1, 2, 0] }).dataSync()[0]!, (none[0]! + 2 * none[1]!) / 3, 1e-6);
    expectClose(protoTripletLoss(QL, Q, { prototypes: PROTOS, weights: [1, 1, 1] }).dataSync()[0]!, 0.912023, 2e-6);
  });

  it('leaks no tensors', () => {
    const q = tf.tensor(Q);
    const p = tf.tensor(PROTOS);
    expect(leakedTensors(() => protoTripletLoss(QL, q, { prototypes: p, weights: [1, 2, 3] }))).toBe(0);
    expect(leakedTensors(() => protoTripletLoss(QL, q))).toBe(0);
    expect(leakedTensors(() => tf.grad((z: tf.Tensor) => protoTripletLoss(QL, z))(q))).toBe(0);
    tf.dispose([q, p]);
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => protoTripletLoss([0, 1], Q)).toThrow('protoTripletLoss: expected `labels` and `embeddings` to have the same number of rows, got [2] and [3,2]');
    expect(() => protoTripletLoss([0, 2, 0], Q, { prototypes: PROTOS })).toThrow('protoTripletLoss: expected every value of `labels` to be an integer class index in [0, 1] (a row of `prototypes`), got 2 at index 1');
    expect(() => protoTripletLoss([0, 0.5, 0], Q)).toThrow('protoTripletLoss: expected every value of `labels` to be an integer class label, got 0.5 at index 1');
    expect(() => protoTripletLoss(QL, Q, { prototypes: [[1, 2, 3]] })).toThrow('protoTripletLoss: expected `prototypes` to be [numClasses, 2], one row per class, got shape [1,3]');
    expect(() => protoTripletLoss(QL, Q, { epsilon: 0 })).toThrow('protoTripletLoss: expected `epsilon` to be a finite number > 0, got 0 (number)');
    expect(() => protoTripletLoss(QL, Q, { margin: Number.NaN })).toThrow('protoTripletLoss: expected `margin` to be a finite number, got NaN (number)');
    expect(() => protoTripletLoss(QL, Q, { protos: PROTOS } as never)).toThrow('protoTripletLoss: expected each option to be one of prototypes, margin, epsilon, reduction, weights, got `protos`');
  });
});
