import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, randomLabels, randomMatrix, rng, values } from '../../../test/helpers.js';
import { createAldrKlLoss } from './createAldrKlLoss.js';
import { ldrKlLoss } from './ldrKlLoss.js';

type Mode = 'none' | 'softplusMean' | 'l1Mean';
interface Config {
  lambda0: number;
  alpha: number;
  margin: number;
  normalize: Mode;
}
const DEFAULTS: Config = { lambda0: 10, alpha: 2, margin: 0.1, normalize: 'l1Mean' };

// Float64 reference of the authors' ALDRLoss_V1 step, written from the formulas, sharing nothing with the loss.
const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
function scores(row: number[], mode: Mode): number[] {
  if (mode === 'none') return row;
  const t = mode === 'softplusMean' ? row.map(softplus) : row;
  const m = t.reduce((a, v) => a + Math.abs(v), 0) / t.length;
  return m === 0 ? t.map(() => 0) : t.map((v) => v / m);
}
function softmax(x: number[]): number[] {
  const m = Math.max(...x);
  const e = x.map((v) => Math.exp(v - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}
/** λ_i after seeing the row with previous λ. */
function nextLambda(row: number[], previous: number, cfg: Config): number {
  const s = scores(row, cfg.normalize);
  const k = row.length;
  const q0 = softmax(s.map((v) => v / previous)).map((v) => v + 1e-5);
  const total = q0.reduce((a, b) => a + b, 0);
  const kl = q0.reduce((a, v) => a + (v / total) * Math.log((k * v) / total), 0);
  return cfg.lambda0 - (cfg.lambda0 * kl) / (cfg.alpha * Math.log(k));
}
/** ℓ_i at a fixed λ. */
function lossAt(row: number[], y: number, lambda: number, cfg: Config): number {
  const s = scores(row, cfg.normalize);
  const k = row.length;
  const d = s.map((v, j) => (j === y ? 0 : cfg.margin) + v - (s[y] as number));
  const m = Math.max(...d);
  const lse = m / lambda + Math.log(d.reduce((a, v) => a + Math.exp((v - m) / lambda), 0));
  return lambda * (lse - Math.log(k)) - ((cfg.alpha * Math.log(k)) / (2 * cfg.lambda0)) * (lambda - cfg.lambda0) ** 2;
}
/** One call: returns the per-sample losses and the λ used, and updates `state` (last occurrence of an id wins). */
function referenceStep(state: number[], labels: number[], logits: number[][], ids: number[], cfg: Config = DEFAULTS): { losses: number[]; lambdas: number[] } {
  const lambdas = logits.map((row, i) => nextLambda(row, state[ids[i] as number] as number, cfg));
  const losses = logits.map((row, i) => lossAt(row, labels[i] as number, lambdas[i] as number, cfg));
  ids.forEach((id, i) => {
    state[id] = lambdas[i] as number;
  });
  return { losses, lambdas };
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const rows = (x: number[], c: number) => Array.from({ length: x.length / c }, (_, i) => x.slice(i * c, (i + 1) * c));
/** Reads the λ state and disposes the copy. */
function lambdasOf(aldr: ReturnType<typeof createAldrKlLoss>): number[] {
  const t = aldr.lambdas;
  const v = values(t);
  t.dispose();
  return v;
}

const LOGITS = [[2, 0.5, -1], [0.1, 0.2, 0.3], [-0.5, 1.5, 0]];
const LABELS = [0, 2, 1];

describe('createAldrKlLoss(options)', () => {
  it('reproduces the spec values (papers-A A.5): one ALDR step from λ0 = 10', () => {
    const aldr = createAldrKlLoss({ numSamples: 3 });
    expectClose(values(aldr.loss(LABELS, LOGITS, [0, 1, 2], { reduction: 'none' })), [-1.168211, -0.426567, -1.606224], 2e-6, 1e-6);
    expectClose(lambdasOf(aldr), [9.975027, 9.99621, 9.961609], 1e-6);
    aldr.reset();
    expectClose(aldr.loss(LABELS, LOGITS, [0, 1, 2]).dataSync()[0]!, -1.067001, 2e-6);
    aldr.dispose();
  });

  it('matches the float64 reference over several steps with state, for each normalisation', () => {
    const r = rng(21);
    for (const normalize of ['l1Mean', 'softplusMean', 'none'] as const) {
      const cfg: Config = { lambda0: 3, alpha: 1.5, margin: 0.2, normalize };
      const aldr = createAldrKlLoss({ numSamples: 10, ...cfg });
      const state = Array(10).fill(cfg.lambda0);
      for (let step = 0; step < 4; step++) {
        const ids = [...Array(10).keys()].sort(() => r() - 0.5).slice(0, 6);
        const logits = randomMatrix(r, 6, 5, 2);
        const labels = randomLabels(r, 6, 5);
        const want = referenceStep(state, labels, logits, ids, cfg);
        expectClose(values(aldr.loss(labels, logits, ids, { reduction: 'none' })), want.losses, 1e-5, 1e-5);
        expectClose(lambdasOf(aldr), state, 1e-6);
      }
      aldr.dispose();
    }
  });

  it('keeps the λ state across calls: a second call on the same samples starts from the updated λ', () => {
    const aldr = createAldrKlLoss({ numSamples: 5, lambda0: 2 });
    const cfg = { ...DEFAULTS, lambda0: 2 };
    const state = Array(5).fill(2);
    referenceStep(state, LABELS, LOGITS, [4, 0, 2], cfg);
    aldr.loss(LABELS, LOGITS, [4, 0, 2]).dispose();
    const second = referenceStep(state, LABELS, LOGITS, [4, 0, 2], cfg);
    expectClose(values(aldr.loss(LABELS, LOGITS, [4, 0, 2], { reduction: 'none' })), second.losses, 1e-5);
    expectClose(lambdasOf(aldr), state, 1e-6);
    // The untouched samples keep λ0, and the two steps differ.
    expect(lambdasOf(aldr)[1]).toBe(2);
    expect(state[4]).not.toBeCloseTo(nextLambda(LOGITS[0]!, 2, cfg), 6);
    aldr.dispose();
  });

  it('stores the last row of a repeated id; each row uses its own new λ', () => {
    const aldr = createAldrKlLoss({ numSamples: 2 });
    const state = [10, 10];
    const want = referenceStep(state, LABELS, LOGITS, [1, 0, 1]);
    expectClose(values(aldr.loss(LABELS, LOGITS, [1, 0, 1], { reduction: 'none' })), want.losses, 1e-5);
    expectClose(lambdasOf(aldr), [want.lambdas[1]!, want.lambdas[2]!], 1e-6);
    aldr.dispose();
  });

  it('has the gradient of the float64 reference at the updated, detached λ (finite differences)', () => {
    const r = rng(22);
    const logits = randomMatrix(r, 4, 3, 2);
    const labels = randomLabels(r, 4, 3);
    for (const normalize of ['l1Mean', 'softplusMean', 'none'] as const) {
      const cfg: Config = { lambda0: 1.5, alpha: 2, margin: 0.3, normalize };
      const aldr = createAldrKlLoss({ numSamples: 4, ...cfg });
      const lambdas = logits.map((row) => nextLambda(row, cfg.lambda0, cfg));
      const g = tf.grad((z: tf.Tensor) => aldr.loss(labels, z, [0, 1, 2, 3]))(tf.tensor(logits));
      const f = (x: number[]) => mean(rows(x, 3).map((row, i) => lossAt(row, labels[i]!, lambdas[i]!, cfg)));
      expectClose(values(g), numericGradient(f, logits.flat()), 1e-4, 1e-6);
      expectClose(lambdasOf(aldr), lambdas, 1e-6);
      aldr.dispose();
    }
  });

  it('equals ldrKlLoss at the updated λ minus the λ penalty (normalisation and margin shared)', () => {
    const aldr = createAldrKlLoss({ numSamples: 3, lambda0: 4, alpha: 3 });
    const got = values(aldr.loss(LABELS, LOGITS, [0, 1, 2], { reduction: 'none' }));
    const lambdas = lambdasOf(aldr);
    lambdas.forEach((lambda, i) => {
      const ldr = ldrKlLoss([LABELS[i]!], [LOGITS[i]!], { lambda, margin: 0.1, normalize: 'l1Mean' }).dataSync()[0]!;
      expectClose(got[i]!, ldr - ((3 * Math.log(3)) / 8) * (lambda - 4) ** 2, 1e-5, 1e-6);
    });
    aldr.dispose();
  });

  it('keeps every λ_i in [λ0(1 − 1/α), λ0], near λ0(1 − 1/α) for a confident sample', () => {
    const r = rng(23);
    const aldr = createAldrKlLoss({ numSamples: 64, lambda0: 1, alpha: 1.25, normalize: 'none' });
    aldr.loss(randomLabels(r, 64, 4), randomMatrix(r, 64, 4, 20), [...Array(64).keys()]).dispose();
    for (const v of lambdasOf(aldr)) {
      expect(v).toBeGreaterThanOrEqual(0.2 - 1e-6);
      expect(v).toBeLessThanOrEqual(1 + 1e-6);
    }
    aldr.loss([0], [[1e3, 0, 0, 0]], [0]).dispose();
    expect(lambdasOf(aldr)[0]).toBeLessThan(0.2 + 0.01);
    aldr.dispose();
  });

  it("is invariant to a positive scale of the logits with the default 'l1Mean' normalisation", () => {
    const a = createAldrKlLoss({ numSamples: 3 });
    const b = createAldrKlLoss({ numSamples: 3 });
    for (let step = 0; step < 2; step++) {
      const la = values(a.loss(LABELS, LOGITS, [0, 1, 2], { reduction: 'none' }));
      const lb = values(b.loss(LABELS, LOGITS.map((row) => row.map((v) => v * 25)), [0, 1, 2], { reduction: 'none' }));
      expectClose(lb, la, 1e-5, 1e-6);
    }
    expectClose(lambdasOf(b), lambdasOf(a), 1e-6);
    a.dispose();
    b.dispose();
  });

  it('reset() restores λ0 for every sample', () => {
    const aldr = createAldrKlLoss({ numSamples: 4, lambda0: 5 });
    aldr.loss(LABELS, LOGITS, [3, 1, 0]).dispose();
    expect(lambdasOf(aldr).some((v) => v !== 5)).toBe(true);
    expect(leakedTensors(() => aldr.reset())).toBe(0);
    expect(lambdasOf(aldr)).toEqual([5, 5, 5, 5]);
    aldr.dispose();
  });

  it('hands out λ as a copy: disposing it leaves the state intact', () => {
    const aldr = createAldrKlLoss({ numSamples: 3 });
    const copy = aldr.lambdas;
    aldr.loss(LABELS, LOGITS, [0, 1, 2]).dispose();
    expect(values(copy)).toEqual([10, 10, 10]);
    copy.dispose();
    expectClose(lambdasOf(aldr), [9.975027, 9.99621, 9.961609], 1e-6);
    aldr.dispose();
  });

  it('dispose() frees the state tensor, and the object refuses further use', () => {
    const before = tf.memory().numTensors;
    const aldr = createAldrKlLoss({ numSamples: 100 });
    expect(tf.memory().numTensors).toBe(before + 1);
    aldr.loss(LABELS, LOGITS, [7, 8, 9]).dispose();
    aldr.dispose();
    expect(tf.memory().numTensors).toBe(before);
    aldr.dispose(); // a second dispose is harmless
    const message = 'createAldrKlLoss: expected the loss object to be in use, got a call after dispose()';
    expect(() => aldr.loss(LABELS, LOGITS, [0, 1, 2])).toThrow(message);
    expect(() => aldr.lambdas).toThrow(message);
    expect(() => aldr.reset()).toThrow(message);
  });

  it('leaks no tensors per call, per gradient and per failed call', () => {
    const aldr = createAldrKlLoss({ numSamples: 3 });
    const z = tf.tensor(LOGITS);
    expect(leakedTensors(() => aldr.loss(LABELS, z, [0, 1, 2], { weights: [1, 2, 3] }))).toBe(0);
    const ids = tf.tensor1d([2, 1, 0], 'int32');
    expect(leakedTensors(() => aldr.loss(LABELS, z, ids))).toBe(0);
    ids.dispose();
    expect(leakedTensors(() => tf.grad((x: tf.Tensor) => aldr.loss(LABELS, x, [0, 1, 2]))(z))).toBe(0);
    expect(
      leakedTensors(() => {
        expect(() => aldr.loss(LABELS, z, [0, 1, 3])).toThrow();
      }),
    ).toBe(0);
    z.dispose();
    aldr.dispose();
  });

  it('does not change the state when a call is rejected', () => {
    const aldr = createAldrKlLoss({ numSamples: 3 });
    expect(() => aldr.loss(LABELS, LOGITS, [0, 1, 5])).toThrow();
    expect(() => aldr.loss([0, 1, 7], LOGITS, [0, 1, 2])).toThrow();
    expect(lambdasOf(aldr)).toEqual([10, 10, 10]);
    aldr.dispose();
  });

  it('stays finite, in value and gradient, at logits of ±1e4, all-equal and all-zero logits', () => {
    const z = tf.tensor([[1e4, -1e4, 0], [-1e4, 1e4, 0], [5, 5, 5], [0, 0, 0], [-1e4, -1e4, -1e4]]);
    const labels = [1, 1, 2, 0, 2];
    for (const normalize of ['l1Mean', 'softplusMean', 'none'] as const) {
      const aldr = createAldrKlLoss({ numSamples: 5, normalize, lambda0: 0.5 });
      for (let step = 0; step < 2; step++) {
        expectFinite(aldr.loss(labels, z, [0, 1, 2, 3, 4], { reduction: 'none' }));
        expectFinite(tf.grad((x: tf.Tensor) => aldr.loss(labels, x, [0, 1, 2, 3, 4]))(z));
        expectFinite(aldr.lambdas);
      }
      aldr.dispose();
    }
    // Equal scores: q is uniform up to float32 rounding, so λ stays at λ0.
    const aldr = createAldrKlLoss({ numSamples: 1 });
    aldr.loss([2], [[5, 5, 5]], [0]).dispose();
    expectClose(lambdasOf(aldr), [10], 1e-6);
    aldr.dispose();
  });

  it("reduces by 'mean' (default), 'sum' and 'none' consistently; weights give the weighted mean", () => {
    const run = (opts: object, factory: object = {}) => {
      const aldr = createAldrKlLoss({ numSamples: 3, ...factory });
      const v = values(aldr.loss(LABELS, LOGITS, [0, 1, 2], opts));
      aldr.dispose();
      return v;
    };
    const l = run({ reduction: 'none' });
    expectClose(run({ reduction: 'sum' }), [l[0]! + l[1]! + l[2]!], 1e-6);
    expectClose(run({}), [mean(l)], 1e-6);
    expectClose(run({}, { reduction: 'sum' }), [l[0]! + l[1]! + l[2]!], 1e-6); // the factory's default reduction
    expectClose(run({ reduction: 'none' }, { reduction: 'sum' }), l, 1e-6); // a call overrides it
    expectClose(run({ weights: [1, 2, 0.5] }), [(l[0]! + 2 * l[1]! + 0.5 * l[2]!) / 3.5], 1e-6);
    expectClose(run({ weights: [1, 1, 1] }), [mean(l)], 1e-6);
    expectClose(run({}, { lambda0: 10, alpha: 2, margin: 0.1, normalize: 'l1Mean', reduction: 'mean' }), [mean(l)], 1e-6);
  });

  it('accepts one-hot rows, [N, 1] labels and ids, and int32 tensors', () => {
    const aldr = createAldrKlLoss({ numSamples: 3 });
    const oneHot = LABELS.map((y) => [0, 1, 2].map((k) => (k === y ? 1 : 0)));
    expectClose(values(aldr.loss(oneHot, LOGITS, [[0], [1], [2]], { reduction: 'none' })), [-1.168211, -0.426567, -1.606224], 2e-6, 1e-6);
    aldr.reset();
    const ids = tf.tensor1d([0, 1, 2], 'int32');
    expectClose(aldr.loss(tf.tensor1d(LABELS, 'int32'), LOGITS, ids).dataSync()[0]!, -1.067001, 2e-6);
    ids.dispose();
    aldr.dispose();
  });

  it('reports its configuration with defaults filled in', () => {
    const aldr = createAldrKlLoss({ numSamples: 7, alpha: 3 });
    expect(aldr.getConfig()).toEqual({ numSamples: 7, lambda0: 10, alpha: 3, margin: 0.1, normalize: 'l1Mean', reduction: 'mean' });
    aldr.dispose();
  });

  it('rejects bad options and input with a message naming the factory, the argument, the rule and the value', () => {
    const make = (o: object) => () => createAldrKlLoss(o as never).dispose();
    expect(make({})).toThrow('createAldrKlLoss: expected `numSamples` to be an integer >= 1, got undefined (undefined)');
    expect(make({ numSamples: 2.5 })).toThrow('createAldrKlLoss: expected `numSamples` to be an integer >= 1, got 2.5 (number)');
    expect(make({ numSamples: 0 })).toThrow('createAldrKlLoss: expected `numSamples` to be an integer >= 1, got 0 (number)');
    expect(make({ numSamples: 3, lambda0: 0 })).toThrow('createAldrKlLoss: expected `lambda0` to be a finite number > 0, got 0 (number)');
    expect(make({ numSamples: 3, alpha: 1 })).toThrow('createAldrKlLoss: expected `alpha` to be a finite number > 1, got 1 (number)');
    expect(make({ numSamples: 3, margin: -1 })).toThrow('createAldrKlLoss: expected `margin` to be a finite number >= 0, got -1 (number)');
    expect(make({ numSamples: 3, normalize: 'l2' })).toThrow("createAldrKlLoss: expected `normalize` to be one of 'none' | 'softplusMean' | 'l1Mean', got \"l2\" (string)");
    expect(make({ numSamples: 3, lamda0: 1 })).toThrow('createAldrKlLoss: expected each option to be one of numSamples, lambda0, alpha, margin, normalize, reduction, weights, got `lamda0`');
    expect(make({ numSamples: 3, weights: [1, 1, 1] })).toThrow('createAldrKlLoss: expected `weights` to be passed to loss() with each batch, not to the factory, got [1,1,1] (array)');
    expect(make({ numSamples: 3, reduction: 'avg' })).toThrow("createAldrKlLoss: expected `reduction` to be one of 'mean' | 'sum' | 'none', got \"avg\" (string)");

    const aldr = createAldrKlLoss({ numSamples: 3 });
    expect(() => aldr.loss(LABELS, LOGITS, [0, 1])).toThrow('createAldrKlLoss: expected `sampleIds` to hold one id per row of `logits` (shape [3]), got shape [2]');
    expect(() => aldr.loss(LABELS, LOGITS, [[0, 1, 2]])).toThrow('createAldrKlLoss: expected `sampleIds` to hold one id per row of `logits` (shape [3]), got shape [1,3]');
    expect(() => aldr.loss(LABELS, LOGITS, [0, 3, 1])).toThrow('createAldrKlLoss: expected every value of `sampleIds` to be an integer in [0, 2], got 3 at index 1');
    expect(() => aldr.loss(LABELS, LOGITS, [0, -1, 1])).toThrow('createAldrKlLoss: expected every value of `sampleIds` to be an integer in [0, 2], got -1 at index 1');
    expect(() => aldr.loss(LABELS, LOGITS, [0, 1, 1.5])).toThrow('createAldrKlLoss: expected every value of `sampleIds` to be an integer in [0, 2], got 1.5 at index 2');
    expect(() => aldr.loss(LABELS, LOGITS, 'abc' as never)).toThrow('createAldrKlLoss: expected `sampleIds` to be a Tensor, number or numeric array, got "abc" (string)');
    expect(() => aldr.loss([0, 1, 2, 0], LOGITS, [0, 1, 2])).toThrow('createAldrKlLoss: expected `yTrue` and `logits` to have the same number of rows, got [4] and [3,3]');
    expect(() => aldr.loss([0, 3, 1], LOGITS, [0, 1, 2])).toThrow('createAldrKlLoss: expected every value of `yTrue` to be an integer class index in [0, 2], got 3 at index 1');
    expect(() => aldr.loss([0, 1, 2], [1, 2, 3], [0, 1, 2])).toThrow('createAldrKlLoss: expected `logits` to have rank 2, got shape [3]');
    expect(() => aldr.loss([[0.25, 0.75, 0]], [[1, 2, 3]], [0])).toThrow('createAldrKlLoss: expected every row of `yTrue` to be one-hot (a single 1, the rest 0) or a class index, got [0.25,0.75,0] at row 0');
    expect(() => aldr.loss(LABELS, LOGITS, [0, 1, 2], { reduction: 'avg' as never })).toThrow("createAldrKlLoss: expected `reduction` to be one of 'mean' | 'sum' | 'none', got \"avg\" (string)");
    expect(() => aldr.loss(LABELS, LOGITS, [0, 1, 2], { margin: 1 } as never)).toThrow('createAldrKlLoss: expected each option to be one of reduction, weights, got `margin`');
    expect(() => aldr.loss(LABELS, LOGITS, [0, 1, 2], { weights: [1, 2] })).toThrow("createAldrKlLoss: expected `weights` to be per sample or broadcast to the loss's shape [3], got shape [2]");
    aldr.dispose();
  });
});
