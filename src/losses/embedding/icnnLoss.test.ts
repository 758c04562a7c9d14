import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomLabels, randomMatrix, rng, values } from '../../../test/helpers.js';
import { type IcnnLossOptions, icnnLoss, icnnScore } from './icnnLoss.js';

// Float64 reference of the score, written from the description of the authors' modified score.
interface Ref {
  k?: number;
  ipc?: number;
  target?: number[][];
  targetLabels?: number[];
  codeCompat?: boolean;
  weights?: number[];
}
function score(labels: number[], x: number[][], o: Ref = {}): number {
  const { k = 4, codeCompat = false } = o;
  const t = o.target ?? x;
  const yT = o.targetLabels ?? labels;
  const w = o.weights ?? labels.map(() => 1);
  const clamped = k + 2 >= t.length;
  const kk = clamped ? t.length - 2 : k;
  const ipc = o.ipc ?? kk + 1;
  if (kk === 0) return 1;
  const rows = x.map((xi, i) => {
    const d = t.map((tj) => Math.sqrt(xi.reduce((s, v, c) => s + (v - tj[c]!) ** 2, 0) + 1e-6));
    let order = d.map((_, j) => j).sort((a, b) => d[a]! - d[b]! || a - b);
    if (codeCompat) order = order.slice(1);
    else if (o.target === undefined) order = order.filter((j) => j !== i);
    const nbr = order.slice(0, ipc);
    return { dn: nbr.map((j) => d[j]!), sc: nbr.map((j): number => (yT[j] === labels[i] ? 1 : 0)) };
  });
  let aSum = 0;
  let aW = 0;
  let bSum = 0;
  let bW = 0;
  let gSum = 0;
  let big = 0;
  for (const { dn, sc } of rows) for (let j = 0; j < kk; j++) if (!sc[j]) big = Math.max(big, dn[j]!);
  rows.forEach(({ dn, sc }, i) => {
    const others = dn.filter((_, j) => !sc[j]);
    const nn = others.length > 0 ? Math.min(...others) : Number.POSITIVE_INFINITY;
    let nd = dn.slice(0, kk).map((v) => (Number.isFinite(nn) ? v / (nn + 1e-7) : 0));
    const top = Math.max(1, ...nd);
    nd = nd.map((v) => v / top);
    const same = sc.slice(0, kk);
    const cnt = same.reduce((a, b) => a + b, 0);
    if (cnt > 0) {
      aSum += (w[i]! * nd.reduce((s, v, j) => s + v * same[j]!, 0)) / cnt;
      aW += w[i]!;
    }
    if (kk - cnt > 0) {
      bSum += (w[i]! * dn.slice(0, kk).reduce((s, v, j) => s + (same[j] ? 0 : v / (big + 1e-7)), 0)) / (kk - cnt);
      bW += w[i]!;
    }
    gSum += (w[i]! * cnt) / kk;
  });
  const sclamb = 1 - (aW > 0 ? aSum / aW : 0);
  const dclamb = bW > 0 ? bSum / bW : 1;
  const gamma = clamped ? 1 : gSum / w.reduce((a, b) => a + b, 0);
  return ((sclamb + dclamb) / 2 + gamma) / 2;
}
const reference = (labels: number[], x: number[][], o: Ref = {}) => -Math.log(score(labels, x, o));
const chunk = (flat: number[], d: number) => Array.from({ length: flat.length / d }, (_, i) => flat.slice(i * d, (i + 1) * d));
const value = (t: tf.Tensor) => t.dataSync()[0]!;

describe('icnnLoss(labels, embeddings, options)', () => {
  it('computes a hand-worked example: two tight pairs far apart, k = 1', () => {
    // Each point's nearest neighbour is its partner (distance 1); its nearest intruder is at √41 or √50.
    // λ_sc = 1 − mean(1/√50, 1/√41, 1/√41, 1/√50); no intruder among the first neighbours: λ_dc = 1; γ = 1.
    const x = [[0, 0], [0, 1], [5, 5], [5, 6]];
    const d = (v: number) => Math.sqrt(v + 1e-6);
    const a = [d(1) / (d(50) + 1e-7), d(1) / (d(41) + 1e-7), d(1) / (d(41) + 1e-7), d(1) / (d(50) + 1e-7)];
    const expected = -Math.log(((1 - a.reduce((s, v) => s + v, 0) / 4 + 1) / 2 + 1) / 2);
    expectClose(expected, 0.037909, 1e-4);
    expectClose(value(icnnLoss([0, 0, 1, 1], x, { k: 1 })), expected, 1e-5);
    expectClose(value(icnnScore([0, 0, 1, 1], x, { k: 1 })), Math.exp(-expected), 1e-6);
  });

  it('matches the float64 reference on random inputs: k, ipc, a target set, codeCompat and weights', () => {
    const r = rng(1);
    const x = randomMatrix(r, 20, 4);
    const labels = randomLabels(r, 20, 4);
    const support = randomMatrix(r, 10, 4);
    const supportLabels = randomLabels(r, 10, 4);
    const cases: Ref[] = [
      {},
      { k: 2 },
      { k: 3, ipc: 8 },
      { target: support, targetLabels: supportLabels },
      { target: support, targetLabels: supportLabels, codeCompat: true, k: 2, ipc: 5 },
      { codeCompat: true },
      { weights: labels.map((_, i) => (i % 3) * 0.5) },
    ];
    for (const o of cases) {
      expectClose(value(icnnLoss(labels, x, o as IcnnLossOptions)), reference(labels, x, o), 1e-5, 1e-6);
    }
  });

  it('has the gradient of the float64 reference (finite differences)', () => {
    const r = rng(2);
    const x = randomMatrix(r, 8, 3);
    const labels = [0, 1, 2, 0, 1, 2, 0, 1];
    for (const o of [{ k: 2 }, { k: 3, ipc: 5 }] as Ref[]) {
      const g = tf.grad((z: tf.Tensor) => icnnLoss(labels, z, o as IcnnLossOptions))(tf.tensor(x));
      expectClose(values(g), numericGradient((f) => reference(labels, chunk(f, 3), o), x.flat()), 1e-3, 1e-6);
    }
    const support = randomMatrix(r, 6, 3);
    const supportLabels = [0, 0, 1, 1, 2, 2];
    const gt = tf.grad((t: tf.Tensor) => icnnLoss(labels, x, { target: t, targetLabels: supportLabels, k: 2 }))(tf.tensor(support));
    expectClose(values(gt), numericGradient((f) => reference(labels, x, { target: chunk(f, 3), targetLabels: supportLabels, k: 2 }), support.flat()), 1e-3, 1e-6);
  });

  it('scores pure and far-apart classes near 1, mixed ones lower; small sets clamp k (γ = 1); two rows give 0', () => {
    const r = rng(3);
    const centres = [[10, 0], [0, 10], [-10, -10]];
    const labels = Array.from({ length: 18 }, (_, i) => i % 3);
    const tight = labels.map((y) => centres[y]!.map((c) => c + 0.1 * (r() - 0.5)));
    const shuffled = labels.map(() => [20 * r() - 10, 20 * r() - 10]);
    expect(value(icnnScore(labels, tight))).toBeGreaterThan(0.97);
    expect(value(icnnScore(labels, shuffled))).toBeLessThan(value(icnnScore(labels, tight)));
    // |T| = 4 with k = 4: k is clamped to 2 and γ = 1.
    expectClose(value(icnnLoss([0, 1, 0, 1], [[0, 0], [1, 0], [0, 1], [1, 1]])), reference([0, 1, 0, 1], [[0, 0], [1, 0], [0, 1], [1, 1]]), 1e-5);
    expectClose(value(icnnLoss([0, 1], [[0, 0], [1, 1]])), 0, 0, 0);
  });

  it('stays finite, in value and gradient, for identical embeddings, one class, no positive pair and ±1e4', () => {
    const cases: [number[], number[][]][] = [
      [[0, 1, 0, 1, 0, 1], new Array(6).fill([1, 2])],
      [[3, 3, 3, 3, 3, 3], randomMatrix(rng(4), 6, 2)],
      [[0, 1, 2, 3, 4, 5], randomMatrix(rng(4), 6, 2)],
      [[0, 1, 2, 0, 1, 2], [[1e4, 0], [-1e4, 0], [0, 1e4], [1e4, 1], [-1e4, 1], [1, 1e4]]],
    ];
    for (const [labels, x] of cases) {
      const v = icnnLoss(labels, x);
      expectFinite(v);
      expect(value(v)).toBeGreaterThanOrEqual(0);
      expectFinite(tf.grad((z: tf.Tensor) => icnnLoss(labels, z))(tf.tensor(x)));
    }
    // One class: every neighbour shares it, no intruder anywhere: λ_sc = 1, λ_dc = 1, γ = 1.
    expectClose(value(icnnLoss([3, 3, 3, 3, 3, 3], randomMatrix(rng(5), 6, 2))), 0, 0, 1e-6);
  });

  it("returns the batch's value for 'mean' and 'sum' and as [1] for 'none'; weights of ones change nothing", () => {
    const r = rng(6);
    const x = randomMatrix(r, 10, 3);
    const labels = randomLabels(r, 10, 3);
    const v = value(icnnLoss(labels, x));
    expect(icnnLoss(labels, x, { reduction: 'none' }).shape).toEqual([1]);
    expectClose(values(icnnLoss(labels, x, { reduction: 'none' })), [v], 1e-7);
    expectClose(value(icnnLoss(labels, x, { reduction: 'sum' })), v, 1e-7);
    expectClose(value(icnnLoss(labels, x, { weights: new Array(10).fill(1) })), v, 1e-6);
    expect(icnnLoss(labels, x).shape).toEqual([]);
  });

  it('leaks no tensors', () => {
    const x = tf.tensor(randomMatrix(rng(7), 8, 3));
    const labels = [0, 1, 2, 0, 1, 2, 0, 1];
    expect(leakedTensors(() => icnnLoss(labels, x, { weights: [1, 2, 1, 2, 1, 2, 1, 2] }))).toBe(0);
    expect(leakedTensors(() => icnnLoss(labels, x, { target: x, targetLabels: labels, codeCompat: true }))).toBe(0);
    expect(leakedTensors(() => icnnScore(labels, x))).toBe(0);
    expect(leakedTensors(() => tf.grad((z: tf.Tensor) => icnnLoss(labels, z))(x))).toBe(0);
    x.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    const x = [[0, 0], [1, 0], [0, 1], [1, 1], [2, 2]];
    const labels = [0, 1, 0, 1, 0];
    expect(() => icnnLoss([0, 1], x)).toThrow('icnnLoss: expected `labels` and `embeddings` to have the same number of rows, got [2] and [5,2]');
    expect(() => icnnLoss([0], [[1, 2]])).toThrow('icnnLoss: expected `embeddings` to have at least 2 rows (neighbours), got shape [1,2]');
    expect(() => icnnLoss(labels, x, { target: x })).toThrow('icnnLoss: expected `targetLabels` to be given with `target`, got undefined');
    expect(() => icnnLoss(labels, x, { targetLabels: labels })).toThrow('icnnLoss: expected `targetLabels` to come with `target`, got targetLabels without target');
    expect(() => icnnLoss(labels, x, { target: [[1, 2, 3]], targetLabels: [0] })).toThrow('icnnLoss: expected `target` to have 2 columns, as the embeddings, got shape [1,3]');
    expect(() => icnnLoss(labels, x, { target: x, targetLabels: [0, 1] })).toThrow('icnnLoss: expected `targetLabels` and `target` to have the same number of rows, got [2] and [5,2]');
    expect(() => icnnLoss(labels, x, { k: 2, ipc: 5 })).toThrow('icnnLoss: expected `ipc` to be an integer >= k (2) and <= 4 (the neighbours available), got 5 (number)');
    expect(() => icnnLoss(labels, x, { k: 2, ipc: 1 })).toThrow('icnnLoss: expected `ipc` to be an integer >= k (2) and <= 4 (the neighbours available), got 1 (number)');
    expect(() => icnnLoss(labels, x, { k: 0 })).toThrow('icnnLoss: expected `k` to be an integer >= 1, got 0 (number)');
    expect(() => icnnLoss(labels, x, { neighbours: 3 } as never)).toThrow('icnnLoss: expected each option to be one of k, ipc, target, targetLabels, codeCompat, reduction, weights, got `neighbours`');
    expect(() => icnnScore(labels, x, { reduction: 'sum' } as never)).toThrow('icnnScore: expected each option to be one of k, ipc, target, targetLabels, codeCompat, weights, got `reduction`');
  });
});
