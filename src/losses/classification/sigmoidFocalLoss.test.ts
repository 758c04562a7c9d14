import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomMatrix, rng, values } from '../../../test/helpers.js';
import { sigmoidCrossEntropy } from './sigmoidCrossEntropy.js';
import { sigmoidFocalLoss } from './sigmoidFocalLoss.js';

// Float64 reference written from the paper's definition, sharing nothing with the loss:
// ℓ = α_t (1 − p_t)^γ · BCE, p_t = t p + (1 − t)(1 − p), 1 − p_t = t σ(−z) + (1 − t) σ(z).
const sig = (x: number) => 1 / (1 + Math.exp(-x));
const logSig = (x: number) => (x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x)));
function focal(t0: number, z: number, gamma: number, alpha: number | null, eps = 0): number {
  const t = t0 * (1 - eps) + eps / 2;
  const bce = -t * logSig(z) - (1 - t) * logSig(-z);
  const oneMinusPt = t * sig(-z) + (1 - t) * sig(z);
  const alphaT = alpha === null ? 1 : t * alpha + (1 - t) * (1 - alpha);
  return alphaT * oneMinusPt ** gamma * bce;
}
const reference = (t: number[][], z: number[][], gamma: number, alpha: number | null, eps = 0) => z.map((row, i) => row.map((zi, k) => focal(t[i]![k]!, zi, gamma, alpha, eps)));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const bits = (r: () => number, n: number, k: number) => Array.from({ length: n }, () => Array.from({ length: k }, () => (r() < 0.3 ? 1 : 0)));

const Z = [[2, -1], [0.5, 3], [-2, 0]];
const T = [[1, 0], [0, 1], [1, 1]];

describe('sigmoidFocalLoss(yTrue, logits, options)', () => {
  it('reproduces the Keras BinaryFocalCrossentropy(from_logits=True) documentation values', () => {
    // Keras docs: y_true [0,1,0,0], y_pred [-18.6,0.51,2.94,-12.8] gives 0.691 (γ=2), 0.51 with class
    // balancing (α=0.25) and 0.647 (γ=3); float64 from the formula: 0.691212, 0.510133, 0.646995.
    const t = [0, 1, 0, 0];
    const z = [-18.6, 0.51, 2.94, -12.8];
    const noAlpha = sigmoidFocalLoss(t, z, { alpha: null }).dataSync()[0]!;
    expectClose(noAlpha, 0.691, 0, 5e-4);
    expectClose(noAlpha, 0.691212, 1e-5);
    expectClose(sigmoidFocalLoss(t, z).dataSync()[0]!, 0.510133, 1e-5);
    expectClose(sigmoidFocalLoss(t, z, { gamma: 3, alpha: null }).dataSync()[0]!, 0.646995, 1e-5);
  });

  it('matches the float64 reference on random inputs, for several γ and α, hard and soft targets', () => {
    const r = rng(21);
    const z = randomMatrix(r, 30, 4, 4);
    const hard = bits(r, 30, 4);
    const soft = hard.map((row) => row.map(() => r()));
    for (const gamma of [0, 0.5, 1, 2, 3.5]) {
      for (const alpha of [0.25, null, 0.9]) {
        for (const t of [hard, soft]) {
          const got = values(sigmoidFocalLoss(t, z, { gamma, alpha, reduction: 'none' }));
          expectClose(got, reference(t, z, gamma, alpha).flat(), 1e-5, 1e-8);
        }
      }
    }
  });

  it('equals sigmoidCrossEntropy at γ = 0 without α, also with label smoothing and weights', () => {
    const r = rng(22);
    const z = randomMatrix(r, 20, 3, 3);
    const t = bits(r, 20, 3);
    const w = Array.from({ length: 20 }, () => r());
    for (const opts of [{}, { labelSmoothing: 0.2 }, { weights: w }, { reduction: 'none' as const }]) {
      const focalValue = values(sigmoidFocalLoss(t, z, { gamma: 0, alpha: null, ...opts }));
      expectClose(focalValue, values(sigmoidCrossEntropy(t, z, opts)), 1e-6, 1e-7);
    }
    // γ = 0 with α is the α-balanced cross-entropy.
    const balanced = values(sigmoidFocalLoss(t, z, { gamma: 0, alpha: 0.75, reduction: 'none' }));
    const bce = values(sigmoidCrossEntropy(t, z, { reduction: 'none' }));
    expectClose(balanced, bce.map((l, i) => l * (t.flat()[i] === 1 ? 0.75 : 0.25)), 1e-6, 1e-7);
  });

  it('keeps only negatives at α = 0, only positives at α = 1, and shrinks as γ grows', () => {
    const tFlat = T.flat();
    const a0 = values(sigmoidFocalLoss(T, Z, { alpha: 0, reduction: 'none' }));
    for (const [i, v] of a0.entries()) {
      if (tFlat[i] === 1) expect(v).toBe(0);
      else expect(v).toBeGreaterThan(0);
    }
    const a1 = values(sigmoidFocalLoss(T, Z, { alpha: 1, reduction: 'none' }));
    for (const [i, v] of a1.entries()) {
      if (tFlat[i] === 0) expect(v).toBe(0);
      else expect(v).toBeGreaterThan(0);
    }
    let previous = values(sigmoidFocalLoss(T, Z, { gamma: 0, reduction: 'none' }));
    for (const gamma of [0.5, 1, 2, 5]) {
      const next = values(sigmoidFocalLoss(T, Z, { gamma, reduction: 'none' }));
      for (const [i, v] of next.entries()) expect(v).toBeLessThan(previous[i]!);
      previous = next;
    }
  });

  it('smooths labels to t(1−ε) + ε/2 before p_t and α_t (Keras order)', () => {
    expectClose(values(sigmoidFocalLoss(T, Z, { labelSmoothing: 0.2, reduction: 'none' })), reference(T, Z, 2, 0.25, 0.2).flat(), 1e-5);
    expectClose(values(sigmoidFocalLoss(T, Z, { labelSmoothing: 0.2, gamma: 0.5, alpha: null, reduction: 'none' })), reference(T, Z, 0.5, null, 0.2).flat(), 1e-5);
  });

  it('has the gradient of the float64 reference (finite differences), γ = 2 and γ = 0.5', () => {
    const r = rng(23);
    const z = randomMatrix(r, 4, 3, 2);
    const t = bits(r, 4, 3).map((row) => row.map((v) => (r() < 0.5 ? v : r())));
    for (const [gamma, alpha] of [[2, 0.25], [0.5, null], [1.5, 0.8]] as const) {
      const g = tf.grad((x: tf.Tensor) => sigmoidFocalLoss(t, x, { gamma, alpha, labelSmoothing: 0.05 }))(tf.tensor(z));
      const f = (x: number[]) => mean(reference(t, [0, 1, 2, 3].map((i) => x.slice(3 * i, 3 * i + 3)), gamma, alpha, 0.05).flat());
      expectClose(values(g), numericGradient(f, z.flat()), 1e-4, 1e-7);
    }
    // t = ½ at z = 0: both terms of log(1 − p_t) are equal, where the log-sum-exp's max has no derivative.
    const tie = [[0.5, 0.5, 1]];
    const zTie = [[0, 0.3, 0]];
    const g = tf.grad((x: tf.Tensor) => sigmoidFocalLoss(tie, x, { gamma: 0.5 }))(tf.tensor(zTie));
    const f = (x: number[]) => mean(reference(tie, [x], 0.5, 0.25, 0).flat());
    expectClose(values(g), numericGradient(f, zTie.flat()), 1e-4, 1e-7);
  });

  it('keeps value and gradient accurate where 1 − p_t is tiny (z = ±30, γ = 0.5)', () => {
    const z = [30, -30, 25];
    const t = [1, 0, 1];
    const f = (x: number[]) => mean(x.map((zi, i) => focal(t[i]!, zi, 0.5, 0.25)));
    expectClose(sigmoidFocalLoss(t, z, { gamma: 0.5 }).dataSync()[0]!, f(z), 1e-4, 0);
    const g = tf.grad((x: tf.Tensor) => sigmoidFocalLoss(t, x, { gamma: 0.5 }))(tf.tensor(z));
    expectClose(values(g), numericGradient(f, z), 1e-3, 0);
  });

  it('stays finite, in value and gradient, at logits of ±1e4 and ±200 for γ in {0, 0.25, 0.5, 2}', () => {
    const z = tf.tensor([1e4, -1e4, 1e4, -1e4, 200, -200, 0]);
    const t = [1, 0, 0, 1, 1, 0, 1];
    for (const gamma of [0, 0.25, 0.5, 2]) {
      const value = sigmoidFocalLoss(t, z, { gamma, reduction: 'none' });
      expectFinite(value);
      expectClose(values(value).slice(0, 6), [0, 0, 0.75e4, 0.25e4, 0, 0], 1e-6, 0);
      const g = tf.grad((x: tf.Tensor) => sigmoidFocalLoss(t, x, { gamma }))(z);
      expectFinite(g);
      // Confident and right: 0; confident and wrong: α_t·sign/N, the cross-entropy slope.
      expectClose(values(g).slice(0, 6), [0, 0, 0.75 / 7, -0.25 / 7, 0, 0], 1e-6, 0);
    }
    expectFinite(sigmoidFocalLoss([0, 0, 0], [1e4, -1e4, 3], { gamma: 0.5 }));
    expectFinite(tf.grad((x: tf.Tensor) => sigmoidFocalLoss([0, 0, 0], x, { gamma: 0.5 }))(tf.tensor([1e4, -1e4, 3])));
  });

  it("reduces by 'mean' (over all elements), 'sum' and 'none' consistently, with weights as sum(w·l)/sum(w)", () => {
    const none = sigmoidFocalLoss(T, Z, { reduction: 'none' });
    expect(none.shape).toEqual([3, 2]);
    const l = values(none);
    expectClose(sigmoidFocalLoss(T, Z).dataSync()[0]!, mean(l), 1e-6);
    expectClose(sigmoidFocalLoss(T, Z, { reduction: 'sum' }).dataSync()[0]!, l.reduce((a, b) => a + b, 0), 1e-6);
    const w = [1, 2, 0.5];
    const expected = l.reduce((s, v, i) => s + v * w[Math.floor(i / 2)]!, 0) / 7;
    expectClose(sigmoidFocalLoss(T, Z, { weights: w }).dataSync()[0]!, expected, 1e-6);
    expectClose(sigmoidFocalLoss(T, Z, { weights: [1, 1, 1] }).dataSync()[0]!, mean(l), 1e-6);
    expectClose(values(sigmoidFocalLoss(T, Z, { weights: w, reduction: 'none' })), l.map((v, i) => v * w[Math.floor(i / 2)]!), 1e-6);
    expectClose(sigmoidFocalLoss(T, Z, { gamma: 2, alpha: 0.25, labelSmoothing: 0 }).dataSync()[0]!, sigmoidFocalLoss(T, Z).dataSync()[0]!, 0, 0);
  });

  it('accepts [N] labels against [N, 1] logits', () => {
    const a = sigmoidFocalLoss([1, 0, 1], [[0.3], [-1], [2]], { reduction: 'none' });
    expect(a.shape).toEqual([3, 1]);
    expectClose(values(a), reference([[1], [0], [1]], [[0.3], [-1], [2]], 2, 0.25).flat(), 1e-5);
  });

  it('leaks no tensors', () => {
    const z = tf.tensor(Z);
    expect(leakedTensors(() => sigmoidFocalLoss(T, z, { gamma: 0.5, labelSmoothing: 0.1, weights: [1, 2, 3] }))).toBe(0);
    expect(leakedTensors(() => tf.grad((x: tf.Tensor) => sigmoidFocalLoss(T, x, { alpha: null }))(z))).toBe(0);
    z.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => sigmoidFocalLoss([1, 0, 1], [1, 2])).toThrow('sigmoidFocalLoss: expected `yTrue` and `logits` to have the same shape, got [3] and [2]');
    expect(() => sigmoidFocalLoss([[[1]]], [[[1]]])).toThrow('sigmoidFocalLoss: expected `logits` to have rank 1 or 2, got shape [1,1,1]');
    expect(() => sigmoidFocalLoss([1, -1], [1, 2])).toThrow('sigmoidFocalLoss: expected every value of `yTrue` to lie in [0, 1], got -1 at flat index 1');
    expect(() => sigmoidFocalLoss(T, Z, { gamma: -1 })).toThrow('sigmoidFocalLoss: expected `gamma` to be a finite number >= 0, got -1 (number)');
    expect(() => sigmoidFocalLoss(T, Z, { alpha: 1.5 })).toThrow('sigmoidFocalLoss: expected `alpha` to be a finite number >= 0 and <= 1, got 1.5 (number)');
    expect(() => sigmoidFocalLoss(T, Z, { alpha: -1 })).toThrow('sigmoidFocalLoss: expected `alpha` to be a finite number >= 0 and <= 1, got -1 (number)');
    expect(() => sigmoidFocalLoss(T, Z, { alpha: '0.25' as never })).toThrow('sigmoidFocalLoss: expected `alpha` to be a finite number >= 0 and <= 1, got "0.25" (string)');
    expect(() => sigmoidFocalLoss(T, Z, { labelSmoothing: -0.1 })).toThrow('sigmoidFocalLoss: expected `labelSmoothing` to be a finite number >= 0 and <= 1, got -0.1 (number)');
    expect(() => sigmoidFocalLoss(T, Z, { gama: 2 } as never)).toThrow('sigmoidFocalLoss: expected each option to be one of gamma, alpha, labelSmoothing, reduction, weights, got `gama`');
    expect(() => sigmoidFocalLoss(T, Z, { reduction: 'avg' as never })).toThrow("sigmoidFocalLoss: expected `reduction` to be one of 'mean' | 'sum' | 'none', got \"avg\" (string)");
    expect(() => sigmoidFocalLoss(T, Z, { weights: [1, 2, 3, 4] })).toThrow("sigmoidFocalLoss: expected `weights` to be per sample or broadcast to the loss's shape [3,2], got shape [4]");
  });
});
