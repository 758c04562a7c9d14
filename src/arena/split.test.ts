import { describe, expect, it } from 'vitest';
import { expectClose } from '../../test/helpers.js';
import { ArenaInputError } from './errors.js';
import { stream } from './random.js';
import { checkDataSettings, type DataSettings, imbalancedRows, noisyLabels, prepareData } from './split.js';
import type { EncodedDataset } from './task.js';

/** n rows, 3 features, classes by the given counts; feature j of row i is a seeded draw scaled by j + 1 plus 10·j. */
function dataset(counts: number[]): EncodedDataset {
  const n = counts.reduce((a, b) => a + b, 0);
  const random = stream(7, 'test-data');
  const y = Float64Array.from(counts.flatMap((c, k) => Array.from({ length: c }, () => k)));
  const features = Float64Array.from({ length: n * 3 }, (_, i) => (random() - 0.5) * ((i % 3) + 1) + 10 * (i % 3));
  return {
    name: 'toy',
    source: 'test',
    digest: '0',
    numSamples: n,
    numFeatures: 3,
    features,
    targetName: 'y',
    task: counts.length === 2 ? 'binary' : 'multiclass',
    classes: counts.map((_, k) => `c${k}`),
    y,
  };
}

const settings: DataSettings = { splits: [0.6, 0.2, 0.2], noiseType: 'uniform' };

function counts(y: ArrayLike<number>, k: number): number[] {
  const out = Array.from({ length: k }, () => 0);
  for (let i = 0; i < y.length; i++) out[y[i] as number]! += 1;
  return out;
}

describe('prepareData', () => {
  it('splits each class in the given fractions', () => {
    const p = prepareData(dataset([50, 30, 20]), settings, 1);
    expect(counts(p.train.y, 3)).toEqual([30, 18, 12]);
    expect(counts(p.validation.y, 3)).toEqual([10, 6, 4]);
    expect(counts(p.test.y, 3)).toEqual([10, 6, 4]);
    expect(p.classCounts).toEqual([30, 18, 12]);
  });

  it('is the same for the same seed and different for another', () => {
    const data = dataset([40, 40]);
    expect(prepareData(data, settings, 3)).toEqual(prepareData(data, settings, 3));
    expect(Array.from(prepareData(data, settings, 4).train.x)).not.toEqual(Array.from(prepareData(data, settings, 3).train.x));
  });

  it('standardises every split with the training split\u2019s statistics', () => {
    const data = dataset([60, 40]);
    const p = prepareData(data, settings, 2);
    for (let j = 0; j < 3; j++) {
      const col = Array.from({ length: p.train.n }, (_, i) => p.train.x[i * 3 + j] as number);
      const mean = col.reduce((a, b) => a + b, 0) / col.length;
      const variance = col.reduce((a, b) => a + (b - mean) ** 2, 0) / col.length;
      expectClose(mean, 0, 0, 1e-5);
      expectClose(variance, 1, 1e-4);
    }
    const mu = [0, 1, 2].map((j) => Array.from(p.train.rows, (r) => data.features[r * 3 + j] as number).reduce((a, b) => a + b, 0) / p.train.n);
    const sigma = [0, 1, 2].map((j) =>
      Math.sqrt(Array.from(p.train.rows, (r) => ((data.features[r * 3 + j] as number) - (mu[j] as number)) ** 2).reduce((a, b) => a + b, 0) / p.train.n),
    );
    for (const part of [p.validation, p.test]) {
      const expected = Array.from(part.rows).flatMap((r) => [0, 1, 2].map((j) => ((data.features[r * 3 + j] as number) - (mu[j] as number)) / (sigma[j] as number)));
      expectClose(part.x, expected, 1e-5, 1e-5);
    }
    const all = [...p.train.rows, ...p.validation.rows, ...p.test.rows].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: data.numSamples }, (_, i) => i));
  });

  it('only centres a constant feature', () => {
    const data = dataset([10, 10]);
    for (let i = 0; i < data.numSamples; i++) data.features[i * 3] = 4;
    const p = prepareData(data, settings, 0);
    expect(Array.from({ length: p.test.n }, (_, i) => p.test.x[i * 3])).toEqual(Array.from({ length: p.test.n }, () => 0));
  });

  it('standardises a regression target with the training statistics and keeps them', () => {
    const data = { ...dataset([30]), task: 'regression' as const, y: Float64Array.from({ length: 30 }, (_, i) => 100 + i) };
    delete (data as Partial<EncodedDataset>).classes;
    const p = prepareData(data, settings, 0);
    const ys = Array.from(p.train.y);
    expectClose(ys.reduce((a, b) => a + b, 0) / ys.length, 0, 0, 1e-5);
    for (const part of [p.train, p.validation, p.test]) {
      for (const v of part.y) {
        const original = v * p.targetStd + p.targetMean;
        expect(Math.abs(original - Math.round(original))).toBeLessThan(1e-3);
      }
    }
    expect(p.train.n + p.validation.n + p.test.n).toBe(30);
  });

  it('applies imbalance to the whole set and label noise to training labels only', () => {
    const data = dataset([200, 100]);
    const noisy = prepareData(data, { ...settings, imbalance: 10, labelNoise: 0.3 }, 5);
    const clean = prepareData(data, { ...settings, imbalance: 10 }, 5);
    expect(clean.train.n + clean.validation.n + clean.test.n).toBe(220);
    expect(counts(clean.test.y, 2)).toEqual([40, 4]);
    expect(noisy.validation).toEqual(clean.validation);
    expect(noisy.test).toEqual(clean.test);
    expect(Array.from(noisy.train.x)).toEqual(Array.from(clean.train.x));
    const flipped = noisy.train.y.filter((v, i) => v !== clean.train.y[i]).length;
    expect(flipped).toBeGreaterThan(0.3 * clean.train.n - 20);
    expect(flipped).toBeLessThan(0.3 * clean.train.n + 20);
    expect(noisy.classCounts).toEqual(counts(noisy.train.y, 2));
  });
});

describe('imbalancedRows', () => {
  it('subsamples the rarest class to 1:r of the most frequent', () => {
    const data = dataset([357, 212]);
    expect(counts(imbalancedRows(data.y, 2, 10, 0).map((i) => data.y[i] as number), 2)).toEqual([357, 36]);
  });

  it('subsamples the most frequent class where the rarest is already rarer than 1:r', () => {
    const data = dataset([100, 5, 60]);
    expect(counts(imbalancedRows(data.y, 3, 2, 0).map((i) => data.y[i] as number), 3)).toEqual([10, 5, 60]);
  });
});

describe('noisyLabels', () => {
  it('replaces labels with another class (uniform) or the next class (class-dependent) at rate p', () => {
    const y = Float32Array.from({ length: 6000 }, (_, i) => i % 3);
    const uniform = noisyLabels(y, 3, 0.4, 'uniform', 1);
    const changed = uniform.filter((v, i) => v !== y[i]);
    expect(changed.length / y.length).toBeGreaterThan(0.37);
    expect(changed.length / y.length).toBeLessThan(0.43);
    // Uniform over the two other classes: from class 0, about half go to 1 and half to 2.
    const from0 = Array.from(uniform).filter((v, i) => y[i] === 0 && v !== 0);
    expect(from0.filter((v) => v === 1).length / from0.length).toBeGreaterThan(0.44);
    expect(from0.filter((v) => v === 1).length / from0.length).toBeLessThan(0.56);
    const pair = noisyLabels(y, 3, 0.4, 'classDependent', 1);
    expect(Array.from(pair).every((v, i) => v === y[i] || v === ((y[i] as number) + 1) % 3)).toBe(true);
    expect(pair.filter((v, i) => v !== y[i]).length / y.length).toBeGreaterThan(0.37);
    expect(noisyLabels(y, 3, 0, 'uniform', 1)).toEqual(y);
  });
});

describe('checkDataSettings', () => {
  it('names the class that a split would miss', () => {
    expect(() => checkDataSettings(dataset([50, 20]), settings)).not.toThrow();
    const tooRare = () => checkDataSettings(dataset([50, 20]), { ...settings, imbalance: 30 });
    expect(tooRare).toThrow(ArenaInputError);
    expect(tooRare).toThrow('class "c1" has 2 rows after --imbalance 30; the arena needs at least 3 per class (one per split)');
    expect(() => checkDataSettings(dataset([50, 2]), settings)).toThrow('class "c1" has 2 rows; the arena needs at least 3 per class (one per split)');
  });
});
