import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, leakedTensors, randomMatrix, rng, values } from '../../../test/helpers.js';
import { createPseudoNegativeSampler } from './pseudo-negatives.js';

const columnMean = (m: number[][]) => m[0]!.map((_, j) => m.reduce((s, row) => s + row[j]!, 0) / m.length);

describe('createPseudoNegativeSampler(options)', () => {
  const r = rng(1);
  const batches = [randomMatrix(r, 4, 3, 1).map((v) => v.map((x) => x + 2)), randomMatrix(r, 4, 3, 1), randomMatrix(r, 4, 3, 1).map((v) => v.map((x) => x - 1))];
  const means = batches.map(columnMean);

  it("follows the released code's recursion μ_t = α m_{t−1} + (1 − α) m_t (mode 'code', default)", () => {
    const sampler = createPseudoNegativeSampler({ seed: 1 });
    expect(sampler.mean).toBeNull();
    const expected = [means[0]!.map((m) => 0.2 * m), means[0]!.map((m, j) => 0.8 * m + 0.2 * means[1]![j]!), means[1]!.map((m, j) => 0.8 * m + 0.2 * means[2]![j]!)];
    batches.forEach((batch, t) => {
      sampler.sample(batch).dispose();
      expectClose(Array.from(sampler.mean!), expected[t]!, 1e-6, 1e-7);
    });
  });

  it("follows the paper's running mean μ_t = α μ_{t−1} + (1 − α) m_t with mode 'ema'", () => {
    const sampler = createPseudoNegativeSampler({ mode: 'ema', alpha: 0.5 });
    let mu = [0, 0, 0];
    batches.forEach((batch, t) => {
      sampler.sample(batch).dispose();
      mu = mu.map((m, j) => 0.5 * m + 0.5 * means[t]![j]!);
      expectClose(Array.from(sampler.mean!), mu, 1e-6, 1e-7);
    });
  });

  it('draws N(μ, σ²I) around the mean: σ = 0 gives the mean itself, large samples have its moments', () => {
    const exact = createPseudoNegativeSampler({ std: 0, alpha: 0 });
    expectClose(values(exact.sample(batches[0]!)), Array.from({ length: 4 }, () => means[0]!).flat(), 1e-6, 1e-6);
    const sampler = createPseudoNegativeSampler({ std: 2, alpha: 0, seed: 9 });
    const draws = sampler.sample(batches[1]!, 20000);
    expect(draws.shape).toEqual([20000, 3]);
    const rows = draws.arraySync() as number[][];
    const mu = columnMean(rows);
    const variance = mu.map((m, j) => rows.reduce((s, row) => s + (row[j]! - m) ** 2, 0) / rows.length);
    expectClose(mu, means[1]!, 0, 0.05);
    expectClose(variance, [4, 4, 4], 0.05);
  });

  it('is reproducible by seed, continues its stream across calls, and restarts on reset()', () => {
    const a = createPseudoNegativeSampler({ seed: 3 });
    const b = createPseudoNegativeSampler({ seed: 3 });
    const first = values(a.sample(batches[0]!));
    expectClose(values(b.sample(batches[0]!)), first, 0, 0);
    const second = values(a.sample(batches[0]!));
    expect(second).not.toEqual(first);
    a.reset();
    expect(a.mean).toBeNull();
    expectClose(values(a.sample(batches[0]!)), first, 0, 0);
    expect(values(createPseudoNegativeSampler({ seed: 4 }).sample(batches[0]!))).not.toEqual(first);
    expect(a.getConfig()).toEqual({ alpha: 0.8, std: 1, mode: 'code', seed: 3 });
  });

  it('returns one tensor per call and keeps none', () => {
    const sampler = createPseudoNegativeSampler();
    const x = tf.tensor(batches[0]!);
    expect(leakedTensors(() => sampler.sample(x))).toBe(0);
    expect(leakedTensors(() => sampler.sample(batches[1]!, 5))).toBe(0);
    sampler.dispose();
    x.dispose();
  });

  it('rejects bad input with the library’s message', () => {
    expect(() => createPseudoNegativeSampler({ alpha: 1.5 })).toThrow('createPseudoNegativeSampler: expected `alpha` to be a finite number >= 0 and <= 1, got 1.5 (number)');
    expect(() => createPseudoNegativeSampler({ std: -1 })).toThrow('createPseudoNegativeSampler: expected `std` to be a finite number >= 0, got -1 (number)');
    expect(() => createPseudoNegativeSampler({ mode: 'running' as never })).toThrow("createPseudoNegativeSampler: expected `mode` to be one of 'code' | 'ema', got \"running\" (string)");
    expect(() => createPseudoNegativeSampler({ seed: -1 })).toThrow('createPseudoNegativeSampler: expected `seed` to be an integer >= 0 and <= 4294967295, got -1 (number)');
    expect(() => createPseudoNegativeSampler({ sigma: 1 } as never)).toThrow('createPseudoNegativeSampler: expected each option to be one of alpha, std, mode, seed, got `sigma`');
    const sampler = createPseudoNegativeSampler();
    expect(() => sampler.sample([1, 2, 3])).toThrow('createPseudoNegativeSampler: expected `realFeatures` to have rank 2, got shape [3]');
    sampler.sample([[1, 2, 3]]).dispose();
    expect(() => sampler.sample([[1, 2]])).toThrow('createPseudoNegativeSampler: expected `realFeatures` to have 3 columns, as in the previous batches, got shape [1,2]');
    expect(() => sampler.sample([[1, 2, 3]], 0)).toThrow('createPseudoNegativeSampler: expected `count` to be an integer >= 1, got 0 (number)');
  });
});
