import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomLabels, randomMatrix, rng, values } from '../../../test/helpers.js';
import { compSumLoss } from './compSumLoss.js';
import { smoothAdversarialCompSumLoss } from './smoothAdversarialCompSumLoss.js';

// Float64 reference: Φ_τ(1/p_y − 1) + ν‖z' − z‖ (or its square), written from the formula alone.
function softmax(row: number[]): number[] {
  const m = Math.max(...row);
  const e = row.map((z) => Math.exp(z - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}
function reference(targets: number[][], logits: number[][], adv: number[][], tau: number, nu: number, squared = false): number[] {
  return logits.map((row, i) => {
    const p = softmax(row);
    const onePlusU = p.reduce((acc, pc, c) => acc * pc ** -(targets[i]![c] as number), 1);
    const comp = tau === 1 ? Math.log(onePlusU) : (onePlusU ** (1 - tau) - 1) / (1 - tau);
    const sq = row.reduce((s, z, c) => s + (adv[i]![c]! - z) ** 2, 0);
    return comp + nu * (squared ? sq : Math.sqrt(sq));
  });
}
const oneHot = (labels: number[], c: number) => labels.map((y) => Array.from({ length: c }, (_, k) => (k === y ? 1 : 0)));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const rows = (x: number[], c: number) => Array.from({ length: x.length / c }, (_, i) => x.slice(i * c, (i + 1) * c));

const LOGITS = [[2, 0.5, -1], [0.1, 0.2, 0.3], [-0.5, 1.5, 0]];
const ADV = [[1, 0.5, -1], [0.4, 0.2, -0.1], [-0.5, 1.5, 0]];
const LABELS = [0, 2, 1];

describe('smoothAdversarialCompSumLoss(yTrue, logits, options)', () => {
  it('adds ν‖z′ − z‖₂ to the comp-sum loss (spec A.2 values plus the penalty)', () => {
    // ‖Δ‖₂ per sample: 1, 0.5, 0
    expectClose(values(smoothAdversarialCompSumLoss(LABELS, LOGITS, { adversarialLogits: ADV, reduction: 'none' })), [1.241311, 1.501943, 0.306356], 2e-6, 1e-6);
    expectClose(values(smoothAdversarialCompSumLoss(LABELS, LOGITS, { adversarialLogits: ADV, tau: 2, nu: 0.5, reduction: 'none' })), [0.714403, 0.882835, 0.263875], 2e-6, 1e-6);
    expectClose(values(smoothAdversarialCompSumLoss(LABELS, LOGITS, { adversarialLogits: ADV, tau: 0, penalty: 'squaredL2', reduction: 'none' })), [1.272917, 1.973568, 0.358465], 2e-6, 1e-6);
  });

  it('matches the float64 reference on random inputs for several τ, ν and both penalties', () => {
    const r = rng(31);
    const logits = randomMatrix(r, 32, 5, 2);
    const adv = logits.map((row) => row.map((z) => z + 0.5 * (r() - 0.5)));
    const labels = randomLabels(r, 32, 5);
    const soft = randomMatrix(r, 32, 5).map(softmax);
    for (const [tau, nu] of [[1, 1], [0, 0.3], [1.7, 6], [2, 0]] as const) {
      for (const penalty of ['l2', 'squaredL2'] as const) {
        for (const targets of [oneHot(labels, 5), soft]) {
          const got = values(smoothAdversarialCompSumLoss(targets, logits, { adversarialLogits: adv, tau, nu, penalty, reduction: 'none' }));
          expectClose(got, reference(targets, logits, adv, tau, nu, penalty === 'squaredL2'), 1e-5);
        }
      }
    }
  });

  it('is compSumLoss when the adversarial logits equal the logits or ν = 0', () => {
    const r = rng(32);
    const logits = randomMatrix(r, 8, 4);
    const labels = randomLabels(r, 8, 4);
    const adv = randomMatrix(r, 8, 4);
    for (const tau of [0, 1, 2]) {
      const base = values(compSumLoss(labels, logits, { tau, reduction: 'none' }));
      expectClose(values(smoothAdversarialCompSumLoss(labels, logits, { adversarialLogits: logits, tau, reduction: 'none' })), base, 1e-6, 0);
      expectClose(values(smoothAdversarialCompSumLoss(labels, logits, { adversarialLogits: adv, tau, nu: 0, reduction: 'none' })), base, 1e-6, 0);
    }
  });

  it('has a finite gradient, the comp-sum one, where the adversarial logits equal the logits', () => {
    const r = rng(33);
    const logits = tf.tensor(randomMatrix(r, 6, 4));
    const labels = randomLabels(r, 6, 4);
    const [gz, gadv] = tf.grads((z: tf.Tensor, a: tf.Tensor) => smoothAdversarialCompSumLoss(labels, z, { adversarialLogits: a, tau: 0.5 }))([logits, tf.clone(logits)]);
    expectFinite(gz!);
    expectFinite(gadv!);
    expectClose(values(gz!), values(tf.grad((z: tf.Tensor) => compSumLoss(labels, z, { tau: 0.5 }))(logits)), 1e-6, 1e-9);
    expectClose(values(gadv!), new Array(24).fill(0), 0, 0);
    // a single tensor passed as both: the penalty is identically 0
    expectFinite(tf.grad((z: tf.Tensor) => smoothAdversarialCompSumLoss(labels, z, { adversarialLogits: z }))(logits));
  });

  it('has the gradient of the float64 reference (finite differences), in the logits and the adversarial logits', () => {
    const r = rng(34);
    const logits = randomMatrix(r, 4, 3, 1.5);
    const adv = randomMatrix(r, 4, 3, 1.5);
    const targets = oneHot(randomLabels(r, 4, 3), 3);
    for (const [tau, nu] of [[1, 1], [0, 0.5], [1.5, 2]] as const) {
      for (const penalty of ['l2', 'squaredL2'] as const) {
        const sq = penalty === 'squaredL2';
        const [gz, ga] = tf.grads((z: tf.Tensor, a: tf.Tensor) => smoothAdversarialCompSumLoss(targets, z, { adversarialLogits: a, tau, nu, penalty }))([tf.tensor(logits), tf.tensor(adv)]);
        const fz = (x: number[]) => mean(reference(targets, rows(x, 3), adv, tau, nu, sq));
        const fa = (x: number[]) => mean(reference(targets, logits, rows(x, 3), tau, nu, sq));
        expectClose(values(gz!), numericGradient(fz, logits.flat()), 1e-4, 1e-6);
        expectClose(values(ga!), numericGradient(fa, adv.flat()), 1e-4, 1e-6);
      }
    }
  });

  it('is non-negative and grows with ν', () => {
    const r = rng(35);
    const logits = randomMatrix(r, 16, 4, 3);
    const adv = randomMatrix(r, 16, 4, 3);
    const labels = randomLabels(r, 16, 4);
    const small = values(smoothAdversarialCompSumLoss(labels, logits, { adversarialLogits: adv, nu: 0.1, reduction: 'none' }));
    const large = values(smoothAdversarialCompSumLoss(labels, logits, { adversarialLogits: adv, nu: 2, reduction: 'none' }));
    small.forEach((l, i) => {
      expect(l).toBeGreaterThanOrEqual(0);
      expect(large[i]!).toBeGreaterThan(l);
    });
  });

  it('stays finite, in value and gradient, at logits of ±1e4 and all-equal logits', () => {
    const z = [[1e4, -1e4, 0], [-1e4, 1e4, 0], [5, 5, 5]];
    const adv = [[-1e4, 1e4, 0], [-1e4, 1e4, 0], [5, 5, 5]];
    for (const tau of [0, 0.5, 1, 2, 3]) {
      for (const penalty of ['l2', 'squaredL2'] as const) {
        const value = smoothAdversarialCompSumLoss([1, 1, 2], z, { adversarialLogits: adv, tau, penalty, reduction: 'none' });
        expectFinite(value);
        const [gz, ga] = tf.grads((x: tf.Tensor, a: tf.Tensor) => smoothAdversarialCompSumLoss([1, 1, 2], x, { adversarialLogits: a, tau, penalty }))([tf.tensor(z), tf.tensor(adv)]);
        expectFinite(gz!);
        expectFinite(ga!);
      }
    }
    expectClose(values(smoothAdversarialCompSumLoss([1, 1, 2], z, { adversarialLogits: adv, reduction: 'none' })), [2e4 + 2e4 * Math.SQRT2, 0, Math.log(3)], 1e-6);
  });

  it("reduces by 'mean' (default), 'sum' and 'none' consistently, with weights as a weighted mean", () => {
    const opts = { adversarialLogits: ADV, tau: 0.5 };
    const none = values(smoothAdversarialCompSumLoss(LABELS, LOGITS, { ...opts, reduction: 'none' }));
    expectClose(smoothAdversarialCompSumLoss(LABELS, LOGITS, { ...opts, reduction: 'sum' }).dataSync()[0]!, none[0]! + none[1]! + none[2]!, 1e-6);
    expectClose(smoothAdversarialCompSumLoss(LABELS, LOGITS, opts).dataSync()[0]!, mean(none), 1e-6);
    const w = [1, 2, 0.5];
    expectClose(smoothAdversarialCompSumLoss(LABELS, LOGITS, { ...opts, weights: w }).dataSync()[0]!, (none[0]! + 2 * none[1]! + 0.5 * none[2]!) / 3.5, 1e-6);
    expectClose(smoothAdversarialCompSumLoss(LABELS, LOGITS, { ...opts, weights: [1, 1, 1] }).dataSync()[0]!, mean(none), 1e-6);
    const explicit = smoothAdversarialCompSumLoss(LABELS, LOGITS, { adversarialLogits: ADV, tau: 1, nu: 1, penalty: 'l2', labelSmoothing: 0 }).dataSync()[0]!;
    expect(explicit).toBe(smoothAdversarialCompSumLoss(LABELS, LOGITS, { adversarialLogits: ADV }).dataSync()[0]!);
  });

  it('applies classWeights and labelSmoothing, and ignoreIndex drops the whole sample, penalty included', () => {
    const none = values(smoothAdversarialCompSumLoss(LABELS, LOGITS, { adversarialLogits: ADV, reduction: 'none' }));
    expectClose(smoothAdversarialCompSumLoss(LABELS, LOGITS, { adversarialLogits: ADV, classWeights: [2, 1, 3] }).dataSync()[0]!, (2 * none[0]! + 3 * none[1]! + none[2]!) / 6, 1e-6);
    const eps = 0.2;
    const smooth = oneHot(LABELS, 3).map((row) => row.map((t) => t * (1 - eps) + eps / 3));
    expectClose(values(smoothAdversarialCompSumLoss(LABELS, LOGITS, { adversarialLogits: ADV, labelSmoothing: eps, reduction: 'none' })), reference(smooth, LOGITS, ADV, 1, 1), 1e-5);
    const labels = [0, -100, 1];
    const opts = { adversarialLogits: ADV, ignoreIndex: -100 };
    expectClose(values(smoothAdversarialCompSumLoss(labels, LOGITS, { ...opts, reduction: 'none' }))[1]!, 0, 0, 0);
    const sliced = smoothAdversarialCompSumLoss([0, 1], [LOGITS[0]!, LOGITS[2]!], { adversarialLogits: [ADV[0]!, ADV[2]!] });
    expectClose(smoothAdversarialCompSumLoss(labels, LOGITS, opts).dataSync()[0]!, sliced.dataSync()[0]!, 1e-6);
    const [gz, ga] = tf.grads((z: tf.Tensor, a: tf.Tensor) => smoothAdversarialCompSumLoss(labels, z, { adversarialLogits: a, ignoreIndex: -100 }))([tf.tensor(LOGITS), tf.tensor(ADV)]);
    expectClose(values(gz!).slice(3, 6), [0, 0, 0], 0, 0);
    expectClose(values(ga!).slice(3, 6), [0, 0, 0], 0, 0);
  });

  it('leaks no tensors', () => {
    const z = tf.tensor(LOGITS);
    const a = tf.tensor(ADV);
    expect(leakedTensors(() => smoothAdversarialCompSumLoss(LABELS, z, { adversarialLogits: a, classWeights: [1, 2, 3], labelSmoothing: 0.1, weights: [1, 2, 3] }))).toBe(0);
    expect(leakedTensors(() => smoothAdversarialCompSumLoss(LABELS, LOGITS, { adversarialLogits: ADV, penalty: 'squaredL2' }))).toBe(0);
    expect(leakedTensors(() => tf.grads((x: tf.Tensor, y: tf.Tensor) => smoothAdversarialCompSumLoss(LABELS, x, { adversarialLogits: y }))([z, a]))).toBe(0);
    z.dispose();
    a.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    const fn = smoothAdversarialCompSumLoss as unknown as (y: unknown, z: unknown, o?: unknown) => tf.Tensor;
    expect(() => fn(LABELS, LOGITS)).toThrow("smoothAdversarialCompSumLoss: expected `adversarialLogits` to be given: logits of the logits' shape for adversarially perturbed inputs, got undefined (undefined)");
    expect(() => fn(LABELS, LOGITS, { tau: 0.5 })).toThrow("smoothAdversarialCompSumLoss: expected `adversarialLogits` to be given: logits of the logits' shape for adversarially perturbed inputs, got undefined (undefined)");
    expect(() => smoothAdversarialCompSumLoss(LABELS, LOGITS, { adversarialLogits: [[1, 2, 3]] })).toThrow('smoothAdversarialCompSumLoss: expected `adversarialLogits` and `logits` to have the same shape, got [1,3] and [3,3]');
    expect(() => smoothAdversarialCompSumLoss(LABELS, LOGITS, { adversarialLogits: 'x' as never })).toThrow('smoothAdversarialCompSumLoss: expected `adversarialLogits` to be a Tensor, number or numeric array, got "x" (string)');
    expect(() => smoothAdversarialCompSumLoss(LABELS, LOGITS, { adversarialLogits: ADV, nu: -1 })).toThrow('smoothAdversarialCompSumLoss: expected `nu` to be a finite number >= 0, got -1 (number)');
    expect(() => smoothAdversarialCompSumLoss(LABELS, LOGITS, { adversarialLogits: ADV, tau: -1 })).toThrow('smoothAdversarialCompSumLoss: expected `tau` to be a finite number >= 0, got -1 (number)');
    expect(() => smoothAdversarialCompSumLoss(LABELS, LOGITS, { adversarialLogits: ADV, penalty: 'l1' as never })).toThrow("smoothAdversarialCompSumLoss: expected `penalty` to be one of 'l2' | 'squaredL2', got \"l1\" (string)");
    expect(() => smoothAdversarialCompSumLoss(LABELS, LOGITS, { adversarialLogits: ADV, gamma: 1 } as never)).toThrow(
      'smoothAdversarialCompSumLoss: expected each option to be one of adversarialLogits, tau, nu, penalty, classWeights, labelSmoothing, ignoreIndex, reduction, weights, got `gamma`',
    );
    expect(() => smoothAdversarialCompSumLoss([0, 1, 2, 0], LOGITS, { adversarialLogits: ADV })).toThrow('smoothAdversarialCompSumLoss: expected `yTrue` and `logits` to have the same number of rows, got [4] and [3,3]');
    expect(() => smoothAdversarialCompSumLoss([0, 3, 1], LOGITS, { adversarialLogits: ADV })).toThrow('smoothAdversarialCompSumLoss: expected every value of `yTrue` to be an integer class index in [0, 2], got 3 at index 1');
  });
});
