import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, rng, values } from '../../../test/helpers.js';
import { diceLoss } from './diceLoss.js';
import { multiTaskAuxLoss } from './multiTaskAuxLoss.js';

// Float64 references from the formulas, per image (a flat list of pixels), sharing nothing with the loss.
const clip = (p: number) => Math.min(Math.max(p, 1e-7), 1 - 1e-7);
const bce = (y: number[], p: number[]) => y.reduce((s, v, i) => s - v * Math.log(clip(p[i]!)) - (1 - v) * Math.log(1 - clip(p[i]!)), 0) / y.length;
const l1 = (y: number[], p: number[]) => y.reduce((s, v, i) => s + Math.abs(p[i]! - v), 0) / y.length;
const dice = (y: number[], p: number[]) => {
  const inter = y.reduce((s, v, i) => s + v * p[i]!, 0);
  return 1 - (2 * inter + 1e-5) / (y.reduce((a, b) => a + b, 0) + p.reduce((a, b) => a + b, 0) + 1e-5);
};
const REFERENCE = { 'boundary-bce': bce, 'distance-l1': l1, 'gland-dice': dice } as const;
type Kind = keyof typeof REFERENCE;
const KINDS = Object.keys(REFERENCE) as Kind[];

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const grid = (r: () => number, n: number, f: (u: number) => number) => Array.from({ length: n }, () => Array.from({ length: 5 }, () => Array.from({ length: 6 }, () => f(r()))));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Targets and outputs of each kind: boundary / gland masks and probabilities, or signed distance maps. */
function inputs(kind: Kind, seed: number, n = 3) {
  const r = rng(seed);
  if (kind === 'distance-l1') return { y: grid(r, n, (u) => 6 * u - 2), p: grid(r, n, (u) => 6 * u - 2) };
  return { y: grid(r, n, (u) => (u < 0.35 ? 1 : 0)), p: grid(r, n, (u) => 0.02 + 0.96 * u) };
}

describe('multiTaskAuxLoss(yTrue, yPred, options)', () => {
  it('matches the float64 reference of each auxiliary task, weighted', () => {
    for (const kind of KINDS) {
      const { y, p } = inputs(kind, 1);
      const expected = y.map((img, n) => 0.4 * REFERENCE[kind](img.flat(), p[n]!.flat()));
      expectClose(values(multiTaskAuxLoss(y, p, { kind, weight: 0.4, reduction: 'none' })), expected, 1e-5, 1e-7);
    }
    // Soft boundary targets, and the default kind.
    const r = rng(2);
    const soft = grid(r, 2, (u) => u);
    const p = grid(r, 2, (u) => 0.02 + 0.96 * u);
    expectClose(values(multiTaskAuxLoss(soft, p, { reduction: 'none' })), soft.map((img, n) => bce(img.flat(), p[n]!.flat())), 1e-5);
  });

  it("gives the documented example and reuses diceLoss for 'gland-dice'", () => {
    expectClose(multiTaskAuxLoss([[[0, 2]]], [[[0.5, 1]]], { kind: 'distance-l1', weight: 0.5 }).dataSync()[0]!, 0.375, 1e-7);
    const { y, p } = inputs('gland-dice', 3);
    expectClose(values(multiTaskAuxLoss(y, p, { kind: 'gland-dice', reduction: 'none' })), values(diceLoss(y, p, { reduction: 'none' })), 1e-7);
  });

  it('reads logits with fromLogits (sigmoid first), and [N,H,W,1] as [N,H,W]', () => {
    const r = rng(4);
    const z = grid(r, 2, (u) => 8 * u - 4);
    const probs = z.map((img) => img.map((row) => row.map(sigmoid)));
    for (const kind of ['boundary-bce', 'gland-dice'] as const) {
      const { y } = inputs(kind, 5, 2);
      expectClose(values(multiTaskAuxLoss(y, z, { kind, fromLogits: true, reduction: 'none' })), y.map((img, n) => REFERENCE[kind](img.flat(), probs[n]!.flat())), 1e-5);
    }
    const { y, p } = inputs('distance-l1', 6);
    const four = (x: number[][][]) => x.map((img) => img.map((row) => row.map((v) => [v])));
    expectClose(values(multiTaskAuxLoss(four(y), four(p), { kind: 'distance-l1', reduction: 'none' })), values(multiTaskAuxLoss(y, p, { kind: 'distance-l1', reduction: 'none' })), 1e-7);
  });

  it('has the gradient of the float64 reference (finite differences), for each task', () => {
    for (const kind of KINDS) {
      const { y, p } = inputs(kind, 7, 2);
      const f = (v: number[]) => mean(y.map((img, n) => 2 * REFERENCE[kind](img.flat(), v.slice(n * 30, (n + 1) * 30))));
      const g = tf.grad((x: tf.Tensor) => multiTaskAuxLoss(y, x, { kind, weight: 2 }))(tf.tensor(p));
      expectClose(values(g), numericGradient(f, p.flat(2)), 1e-3, 1e-6);
    }
  });

  it('is zero at its target and never negative', () => {
    const { y } = inputs('gland-dice', 8);
    expect(multiTaskAuxLoss(y, y, { kind: 'distance-l1' }).dataSync()[0]).toBe(0);
    expect(multiTaskAuxLoss(y, y, { kind: 'gland-dice' }).dataSync()[0]!).toBeLessThan(1e-6);
    expect(multiTaskAuxLoss(y, y, { kind: 'boundary-bce' }).dataSync()[0]!).toBeLessThan(1e-6);
    for (const kind of KINDS) {
      const { y: t, p } = inputs(kind, 9);
      expect(Math.min(...values(multiTaskAuxLoss(t, p, { kind, reduction: 'none' })))).toBeGreaterThanOrEqual(0);
    }
  });

  it('stays finite, in value and gradient, at logits of ±1e4, and with empty or full masks', () => {
    const z = tf.tensor([[[1e4, -1e4, 0], [-1e4, 1e4, 3]]]);
    for (const kind of ['boundary-bce', 'gland-dice'] as const) {
      for (const y of [[[[1, 0, 1], [0, 0, 1]]], [[[0, 0, 0], [0, 0, 0]]], [[[1, 1, 1], [1, 1, 1]]]]) {
        expectFinite(multiTaskAuxLoss(y, z, { kind, fromLogits: true }));
        expectFinite(tf.grad((x: tf.Tensor) => multiTaskAuxLoss(y, x, { kind, fromLogits: true }))(z));
        expectFinite(tf.grad((x: tf.Tensor) => multiTaskAuxLoss(y, x, { kind }))(tf.tensor([[[0, 1, 0.5], [1, 0, 0.5]]])));
      }
    }
  });

  it("reduces by 'mean' (default), 'sum' and 'none', and weighs images", () => {
    for (const kind of KINDS) {
      const { y, p } = inputs(kind, 10);
      const none = values(multiTaskAuxLoss(y, p, { kind, reduction: 'none' }));
      expect(none).toHaveLength(3);
      expectClose(multiTaskAuxLoss(y, p, { kind }).dataSync()[0]!, mean(none), 1e-6);
      expectClose(multiTaskAuxLoss(y, p, { kind, reduction: 'sum' }).dataSync()[0]!, none[0]! + none[1]! + none[2]!, 1e-6);
      expectClose(multiTaskAuxLoss(y, p, { kind, weights: [1, 0, 3] }).dataSync()[0]!, (none[0]! + 3 * none[2]!) / 4, 1e-6);
    }
  });

  it('leaks no tensors', () => {
    for (const kind of KINDS) {
      const { y, p } = inputs(kind, 11);
      const x = tf.tensor(p);
      expect(leakedTensors(() => multiTaskAuxLoss(y, x, { kind, weights: [1, 2, 3] }))).toBe(0);
      expect(leakedTensors(() => tf.grad((t: tf.Tensor) => multiTaskAuxLoss(y, t, { kind }))(x))).toBe(0);
      x.dispose();
    }
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    const y = [[[0, 1], [1, 0]]];
    const p = [[[0.2, 0.8], [0.6, 0.1]]];
    for (const kind of KINDS) {
      expect(() => multiTaskAuxLoss(y, [[[0.2, 0.8]]], { kind })).toThrow(/^multiTaskAuxLoss: expected `yTrue` and `yPred` to have the same shape, got \[1,2,2\] and \[1,1,2\]$/);
    }
    expect(() => multiTaskAuxLoss([[[0, 1.5], [1, 0]]], p)).toThrow('multiTaskAuxLoss: expected every value of `yTrue` to lie in [0, 1], got 1.5 at flat index 1');
    expect(() => multiTaskAuxLoss([[[0, 1.5], [1, 0]]], p, { kind: 'gland-dice' })).toThrow('multiTaskAuxLoss: expected every value of `yTrue` to lie in [0, 1], got 1.5 at flat index 1');
    expect(() => multiTaskAuxLoss([[0, 1]], [[0.2, 0.8]], { kind: 'gland-dice' })).toThrow('multiTaskAuxLoss: expected `yPred` to have shape [N,H,W], [N,H,W,1] or [N,D,H,W,1] in binary mode, got shape [1,2]');
    expect(() => multiTaskAuxLoss([0, 1], [0.2, 0.8], { kind: 'distance-l1' })).toThrow('multiTaskAuxLoss: expected `yPred` to have shape [N, ...] (one map per sample), got shape [2]');
    expect(() => multiTaskAuxLoss(y, p, { kind: 'distance-l1', fromLogits: true })).toThrow(
      "multiTaskAuxLoss: expected `fromLogits` to be false with kind 'distance-l1' (the distance map is regressed, not activated), got true (boolean)",
    );
    expect(() => multiTaskAuxLoss(y, p, { weight: -1 })).toThrow('multiTaskAuxLoss: expected `weight` to be a finite number >= 0, got -1 (number)');
    expect(() => multiTaskAuxLoss(y, p, { kind: 'edges' as never })).toThrow("multiTaskAuxLoss: expected `kind` to be one of 'boundary-bce' | 'distance-l1' | 'gland-dice', got \"edges\" (string)");
    expect(() => multiTaskAuxLoss(y, p, { lambda: 1 } as never)).toThrow('multiTaskAuxLoss: expected each option to be one of kind, weight, fromLogits, reduction, weights, got `lambda`');
  });
});
