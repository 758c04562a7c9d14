import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomMatrix, rng, values } from '../../../test/helpers.js';
import { chunk, dot, log1pSumExp, unit } from '../../../test/metrix-reference.js';
import { proxyAnchorLoss } from './proxyAnchorLoss.js';
import { type ProxyAnchorMetrixLossOptions, proxyAnchorMetrixLoss } from './proxyAnchorMetrixLoss.js';

interface Ref {
  margin?: number;
  alpha?: number;
  w?: number;
  lambda: number;
  weights?: number[];
}
/** Per-proxy terms [pos, neg] of the proxy-anchor loss over samples with positivity y and weight v. */
function proxyTerms(samples: { x: number[]; y: number[]; v: number }[], proxies: number[][], margin: number, alpha: number): { pos: number[]; neg: number[]; present: boolean[] } {
  const cols = proxies[0]!.map((_, c) => unit(proxies.map((row) => row[c]!)));
  const pos = cols.map((col, c) => log1pSumExp(samples.map((s) => -alpha * (dot(unit(s.x), col) - margin)), samples.map((s) => s.y[c]! * s.v)));
  const neg = cols.map((col, c) => log1pSumExp(samples.map((s) => alpha * (dot(unit(s.x), col) + margin)), samples.map((s) => (1 - s.y[c]!) * s.v)));
  const present = cols.map((_, c) => samples.some((s) => s.y[c]! * s.v > 0));
  return { pos, neg, present };
}
function reduceTerms({ pos, neg, present }: ReturnType<typeof proxyTerms>, reduction: 'mean' | 'none' | 'sum'): number | number[] {
  if (reduction === 'none') return pos.map((p, c) => p + neg[c]!);
  if (reduction === 'sum') return pos.reduce((a, b) => a + b, 0) + neg.reduce((a, b) => a + b, 0);
  const nPos = present.filter(Boolean).length;
  return (nPos === 0 ? 0 : pos.reduce((s, p, c) => s + (present[c] ? p : 0), 0) / nPos) + neg.reduce((a, b) => a + b, 0) / neg.length;
}
function reference(labels: number[], x: number[][], proxies: number[][], o: Ref, reduction: 'mean' | 'none' | 'sum' = 'mean'): number | number[] {
  const { margin = 0.1, alpha = 32, w = 0.4, lambda } = o;
  const c = proxies[0]!.length;
  const v = o.weights ?? labels.map(() => 1);
  const oneHot = (y: number) => Array.from({ length: c }, (_, k) => (k === y ? 1 : 0));
  const clean = reduceTerms(proxyTerms(labels.map((y, i) => ({ x: x[i]!, y: oneHot(y), v: v[i]! })), proxies, margin, alpha), reduction);
  const mixed: { x: number[]; y: number[]; v: number }[] = [];
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      if (labels[i] === labels[j]) continue;
      mixed.push({ x: x[i]!.map((u, d) => lambda * u + (1 - lambda) * x[j]![d]!), y: oneHot(labels[i]!).map((a, k) => lambda * a + (1 - lambda) * oneHot(labels[j]!)[k]!), v: v[i]! * v[j]! });
    }
  }
  if (mixed.length === 0) return clean;
  const extra = reduceTerms(proxyTerms(mixed, proxies, margin, alpha), reduction);
  return typeof clean === 'number' ? clean + w * (extra as number) : clean.map((p, k) => p + w * (extra as number[])[k]!);
}

describe('proxyAnchorMetrixLoss(labels, embeddings, options)', () => {
  const r = rng(1);
  const x = randomMatrix(r, 8, 4);
  const proxies = randomMatrix(r, 4, 5); // [D, C]
  const labels = [0, 0, 1, 1, 2, 3, 3, 3];

  it('matches the float64 reference (clean + w · mixed over every pair of different classes) on random inputs', () => {
    for (const o of [{ lambda: 0.3 }, { lambda: 0.7, margin: 0.3, alpha: 8 }, { lambda: 1, w: 1 }] as Ref[]) {
      const options = Object.fromEntries(Object.entries({ proxies, lambda: o.lambda, margin: o.margin, alpha: o.alpha, mixWeight: o.w }).filter(([, v]) => v !== undefined)) as ProxyAnchorMetrixLossOptions;
      expectClose(proxyAnchorMetrixLoss(labels, x, options).dataSync()[0]!, reference(labels, x, proxies, o) as number, 1e-5, 1e-5);
      expectClose(values(proxyAnchorMetrixLoss(labels, x, { ...options, reduction: 'none' })), reference(labels, x, proxies, o, 'none') as number[], 1e-5, 1e-5);
      expectClose(proxyAnchorMetrixLoss(labels, x, { ...options, reduction: 'sum' }).dataSync()[0]!, reference(labels, x, proxies, o, 'sum') as number, 1e-5, 1e-5);
    }
  });

  it('has the gradient of the float64 reference at fixed λ, in the embeddings and in the proxies', () => {
    const z = randomMatrix(r, 5, 3);
    const p = randomMatrix(r, 3, 3);
    const y = [0, 0, 1, 2, 2];
    const o = { lambda: 0.4, alpha: 4 };
    const g = tf.grad((t: tf.Tensor) => proxyAnchorMetrixLoss(y, t, { proxies: p, ...o }))(tf.tensor(z));
    expectClose(values(g), numericGradient((f) => reference(y, chunk(f, 3), p, o) as number, z.flat()), 1e-3, 1e-6);
    const gp = tf.grad((t: tf.Tensor) => proxyAnchorMetrixLoss(y, z, { proxies: t, ...o }))(tf.tensor(p));
    expectClose(values(gp), numericGradient((f) => reference(y, z, chunk(f, 3), o) as number, p.flat()), 1e-3, 1e-6);
  });

  it('is proxyAnchorLoss when w = 0 or for one class (no mixture), and draws λ by its seed', () => {
    expectClose(proxyAnchorMetrixLoss(labels, x, { proxies, mixWeight: 0, seed: 1 }).dataSync()[0]!, proxyAnchorLoss(labels, x, { proxies }).dataSync()[0]!, 1e-6);
    const one = [2, 2, 2, 2, 2, 2, 2, 2];
    expectClose(proxyAnchorMetrixLoss(one, x, { proxies, seed: 1 }).dataSync()[0]!, proxyAnchorLoss(one, x, { proxies }).dataSync()[0]!, 1e-6);
    const a = proxyAnchorMetrixLoss(labels, x, { proxies, seed: 3 }).dataSync()[0]!;
    expectClose(proxyAnchorMetrixLoss(labels, x, { proxies, seed: 3 }).dataSync()[0]!, a, 0, 0);
    expect(proxyAnchorMetrixLoss(labels, x, { proxies, seed: 4 }).dataSync()[0]!).not.toBe(a);
  });

  it('weights a sample’s terms by w_i and a mixture’s by w_i·w_j', () => {
    const w = [1, 0, 2, 1, 0.5, 1, 3, 1];
    const o = { lambda: 0.6 };
    expectClose(proxyAnchorMetrixLoss(labels, x, { proxies, ...o, weights: w }).dataSync()[0]!, reference(labels, x, proxies, { ...o, weights: w }) as number, 1e-5, 1e-5);
    expectClose(proxyAnchorMetrixLoss(labels, x, { proxies, ...o, weights: new Array(8).fill(1) }).dataSync()[0]!, reference(labels, x, proxies, o) as number, 1e-5, 1e-5);
  });

  it('stays finite, in value and gradient, for identical embeddings, embeddings on their proxy and ±1e4', () => {
    const I = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
    const cases: [number[], number[][]][] = [
      [[0, 1, 2, 0], new Array(4).fill([1, 1, 1])],
      [[0, 1, 2], I],
      [[0, 1, 2], [[1e4, 0, -1e4], [0, 1e4, 0], [-1e4, -1e4, 1e4]]],
    ];
    for (const [y, e] of cases) {
      expectFinite(proxyAnchorMetrixLoss(y, e, { proxies: I, seed: 1, reduction: 'none' }));
      expectFinite(tf.grad((t: tf.Tensor) => proxyAnchorMetrixLoss(y, t, { proxies: I, seed: 1 }))(tf.tensor(e)));
    }
  });

  it('leaks no tensors', () => {
    const e = tf.tensor(x);
    const p = tf.tensor(proxies);
    expect(leakedTensors(() => proxyAnchorMetrixLoss(labels, e, { proxies: p, seed: 2, weights: new Array(8).fill(2) }))).toBe(0);
    expect(leakedTensors(() => tf.grad((t: tf.Tensor) => proxyAnchorMetrixLoss(labels, t, { proxies: p, seed: 2 }))(e))).toBe(0);
    tf.dispose([e, p]);
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => proxyAnchorMetrixLoss([0, 1], x, { proxies })).toThrow('proxyAnchorMetrixLoss: expected `labels` and `embeddings` to have the same number of rows, got [2] and [8,4]');
    expect(() => proxyAnchorMetrixLoss(labels, x)).toThrow('proxyAnchorMetrixLoss: expected `proxies` to be given: a [D, numClasses] matrix, D = 4, got undefined');
    expect(() => proxyAnchorMetrixLoss([0, 0, 1, 1, 2, 3, 3, 5], x, { proxies })).toThrow('proxyAnchorMetrixLoss: expected every value of `labels` to be an integer class index in [0, 4], got 5 at index 7');
    expect(() => proxyAnchorMetrixLoss(labels, x, { proxies, alpha: 0 })).toThrow('proxyAnchorMetrixLoss: expected `alpha` to be a finite number > 0, got 0 (number)');
    expect(() => proxyAnchorMetrixLoss(labels, x, { proxies, lambda: 3 })).toThrow('proxyAnchorMetrixLoss: expected `lambda` to be a finite number >= 0 and <= 1, got 3 (number)');
    expect(() => proxyAnchorMetrixLoss(labels, x, { proxies, pairs: 'posneg' } as never)).toThrow(
      'proxyAnchorMetrixLoss: expected each option to be one of proxies, margin, alpha, mixWeight, mixAlpha, lambda, seed, reduction, weights, got `pairs`',
    );
  });
});
