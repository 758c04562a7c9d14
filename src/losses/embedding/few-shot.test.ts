import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, leakedTensors, randomMatrix, rng, values } from '../../../test/helpers.js';
import { protoLogits, prototypes, sampleEpisode } from './few-shot.js';

// A pool of 7 classes: class c has 3 + c samples, so classes 0 and 1 cannot serve S + Q = 5.
const POOL = Array.from({ length: 7 }, (_, c) => Array.from({ length: 3 + c }, () => c)).flat();

describe('sampleEpisode(labels, options)', () => {
  it('draws W distinct eligible classes, S support and Q query indices per class, class-major and disjoint', () => {
    const ep = sampleEpisode(POOL, { nWay: 4, kShot: 2, nQuery: 3, seed: 1 });
    expect(ep.classes).toHaveLength(4);
    expect(new Set(ep.classes).size).toBe(4);
    for (const c of ep.classes) expect(c).toBeGreaterThanOrEqual(2); // at least 5 samples
    expect(ep.support).toHaveLength(8);
    expect(ep.query).toHaveLength(12);
    expect(Array.from(ep.supportLabels)).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    expect(Array.from(ep.queryLabels)).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]);
    expect(Array.from(ep.support, (i) => POOL[i])).toEqual(Array.from(ep.support, (_, k) => ep.classes[Math.floor(k / 2)]));
    expect(Array.from(ep.query, (i) => POOL[i])).toEqual(Array.from(ep.query, (_, k) => ep.classes[Math.floor(k / 3)]));
    const all = [...ep.support, ...ep.query];
    expect(new Set(all).size).toBe(all.length);
  });

  it('is reproducible by seed and draws classes and samples uniformly', () => {
    const a = sampleEpisode(POOL, { nWay: 3, kShot: 1, nQuery: 1, seed: 5 });
    expect(sampleEpisode(POOL, { nWay: 3, kShot: 1, nQuery: 1, seed: 5 })).toEqual(a);
    expect(sampleEpisode(POOL, { nWay: 3, kShot: 1, nQuery: 1, seed: 6 })).not.toEqual(a);
    // 4000 one-way one-shot episodes over the 7 classes (all eligible): each class about 1/7.
    const counts = new Array(7).fill(0);
    const firstSample = new Array(3).fill(0);
    for (let s = 0; s < 4000; s++) {
      const ep = sampleEpisode(POOL, { nWay: 1, kShot: 1, seed: s });
      counts[ep.classes[0]!] += 1;
      if (ep.classes[0] === 0) firstSample[ep.support[0]!] += 1;
    }
    for (const c of counts) expect(Math.abs(c / 4000 - 1 / 7)).toBeLessThan(0.025);
    const zeros = firstSample.reduce((x, y) => x + y, 0);
    for (const c of firstSample) expect(Math.abs(c / zeros - 1 / 3)).toBeLessThan(0.08);
  });

  it('continues one stream without a seed, and accepts tensors', () => {
    const a = sampleEpisode(POOL, { nWay: 5, kShot: 1 });
    const b = sampleEpisode(tf.tensor1d(POOL, 'int32'), { nWay: 5, kShot: 1 });
    expect(a.support).toHaveLength(5);
    expect(b.query).toHaveLength(0);
  });

  it('rejects bad input with the library’s message', () => {
    expect(() => sampleEpisode(POOL, { nWay: 6, kShot: 3, nQuery: 2 })).toThrow(
      'sampleEpisode: expected `labels` to hold at least nWay (6) classes with kShot + nQuery (5) samples each, got 5 such classes',
    );
    expect(() => sampleEpisode(POOL, { kShot: 1 })).toThrow('sampleEpisode: expected `nWay` to be an integer >= 1, got undefined (undefined)');
    expect(() => sampleEpisode(POOL, { nWay: 2, kShot: 0 })).toThrow('sampleEpisode: expected `kShot` to be an integer >= 1, got 0 (number)');
    expect(() => sampleEpisode(POOL, { nWay: 2, kShot: 1, nQuery: 1.5 })).toThrow('sampleEpisode: expected `nQuery` to be an integer >= 0, got 1.5 (number)');
    expect(() => sampleEpisode([0, 1.5], { nWay: 1, kShot: 1 })).toThrow('sampleEpisode: expected every value of `labels` to be an integer class label, got 1.5 at index 1');
    expect(() => sampleEpisode([[0, 1]], { nWay: 1, kShot: 1 })).toThrow('sampleEpisode: expected `labels` to be integer class labels [N], got shape [1,2]');
    expect(() => sampleEpisode(POOL, { nWay: 1, kShot: 1, shots: 2 } as never)).toThrow('sampleEpisode: expected each option to be one of nWay, kShot, nQuery, seed, got `shots`');
  });
});

describe('prototypes(labels, embeddings, options) and protoLogits(embeddings, prototypes, options)', () => {
  const r = rng(2);
  const emb = randomMatrix(r, 9, 4);
  const labels = [0, 2, 1, 0, 2, 2, 1, 0, 0];
  const means = [0, 1, 2].map((c) => {
    const rows = emb.filter((_, i) => labels[i] === c);
    return rows[0]!.map((_, j) => rows.reduce((s, row) => s + row[j]!, 0) / rows.length);
  });

  it('are the class means (float64 reference), with zero rows for empty classes', () => {
    expectClose(values(prototypes(labels, emb)), means.flat(), 1e-6, 1e-7);
    const wide = values(prototypes(labels, emb, { numClasses: 5 }));
    expectClose(wide, [...means.flat(), ...new Array(8).fill(0)], 1e-6, 1e-7);
  });

  it('send each embedding 1/n_c of its prototype’s gradient', () => {
    const w = tf.tensor(randomMatrix(r, 3, 4));
    const g = values(tf.grad((z: tf.Tensor) => tf.sum(tf.mul(prototypes(labels, z), w)))(tf.tensor(emb)));
    const wv = w.arraySync() as number[][];
    const counts = [4, 2, 3];
    expectClose(g, labels.flatMap((c) => wv[c]!.map((v) => v / counts[c]!)), 1e-6, 1e-7);
  });

  it('give the ProtoNet logits −‖q − c‖²/T', () => {
    const q = randomMatrix(r, 5, 4);
    const expected = q.flatMap((row) => means.map((c) => -row.reduce((s, v, j) => s + (v - c[j]!) ** 2, 0) / 2));
    expectClose(values(protoLogits(q, prototypes(labels, emb), { temperature: 2 })), expected, 1e-5, 1e-5);
  });

  it('leak no tensors', () => {
    const e = tf.tensor(emb);
    expect(leakedTensors(() => prototypes(labels, e))).toBe(0);
    expect(leakedTensors(() => protoLogits(e, e))).toBe(0);
    expect(leakedTensors(() => tf.grad((z: tf.Tensor) => tf.sum(prototypes(labels, z)))(e))).toBe(0);
    e.dispose();
  });

  it('reject bad input with the library’s message', () => {
    expect(() => prototypes([0, 1], emb)).toThrow('prototypes: expected `labels` and `embeddings` to have the same number of rows, got [2] and [9,4]');
    expect(() => prototypes(labels, emb, { numClasses: 2 })).toThrow('prototypes: expected every value of `labels` to be an integer class index in [0, 1], got 2 at index 1');
    expect(() => prototypes(labels.map((v) => -v), emb)).toThrow('prototypes: expected every value of `labels` to be an integer class index in [0, 0], got -2 at index 1');
    expect(() => protoLogits(emb, [[1, 2]])).toThrow('protoLogits: expected `embeddings` and `prototypes` to have the same number of columns, got [9,4] and [1,2]');
    expect(() => protoLogits(emb, emb, { temperature: 0 })).toThrow('protoLogits: expected `temperature` to be a finite number > 0, got 0 (number)');
  });
});
