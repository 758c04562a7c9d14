import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { FactoryLossSpec, FunctionLossSpec, LossSpec, StatefulLoss } from '../losses/_shared/spec.js';
import { registry } from '../registry.js';
import { type ArenaLoss, checkLossesForTask, findLoss } from './loss-config.js';
import { defaultPrimaryMetric, metricNames } from './panel.js';
import { stream } from './random.js';
import type { ArenaTask, TrialResult } from './results.js';
import { type PreparedData, prepareData } from './split.js';
import type { EncodedDataset } from './task.js';
import { outputUnits, runTrial, type TrainSettings } from './train.js';

/** Gaussian blobs: class k centred at 1.5·e_k in 4 dimensions, plus noise; 90 rows. */
function blobs(numClasses: number, task: ArenaTask = numClasses === 2 ? 'binary' : 'multiclass'): EncodedDataset {
  const random = stream(3, 'blobs');
  const n = 90;
  const y = Float64Array.from({ length: n }, (_, i) => i % numClasses);
  const features = Float64Array.from({ length: n * 4 }, (_, j) => {
    const i = Math.floor(j / 4);
    return (j % 4 === (y[i] as number) ? 1.5 : 0) + (random() - 0.5) * 2;
  });
  return {
    name: 'blobs',
    source: 'test',
    digest: '0',
    numSamples: n,
    numFeatures: 4,
    features,
    targetName: 'y',
    task,
    classes: Array.from({ length: numClasses }, (_, k) => `c${k}`),
    y,
  };
}

/** The blobs with a real target, 1000 + 50·(first feature): a regression task, prepared for seed 0. */
function regressionBlobs(): PreparedData {
  const data = blobs(2, 'regression');
  const regression: EncodedDataset = { ...data, y: Float64Array.from({ length: 90 }, (_, i) => 1000 + 50 * (data.features[i * 4] as number)) };
  delete (regression as Partial<EncodedDataset>).classes;
  return prepareData(regression, { splits: [0.6, 0.2, 0.2], noiseType: 'uniform' }, 0);
}

const binary = prepareData(blobs(2), { splits: [0.6, 0.2, 0.2], noiseType: 'uniform' }, 0);
const multiclass = prepareData(blobs(3), { splits: [0.6, 0.2, 0.2], noiseType: 'uniform' }, 0);

const settings: TrainSettings = {
  model: { kind: 'mlp', hidden: [8] },
  maxEpochs: 4,
  patience: 10,
  batchSize: 16,
  optimizer: { kind: 'adam' },
  learningRate: 0.01,
  primaryMetric: 'averagePrecision',
  advEps: 0.05,
};

function arenaLoss(spec: LossSpec, task: ArenaTask, options: Record<string, unknown> = {}): ArenaLoss {
  return checkLossesForTask([{ config: { key: spec.id, id: spec.id, options }, spec }], task)[0] as ArenaLoss;
}

/** Mean softmax cross-entropy of class indices (logits [N, C]) or sigmoid cross-entropy of {0, 1} (scores [N]). */
function crossEntropy(yTrue: tf.Tensor, pred: tf.Tensor): tf.Tensor {
  if (pred.rank === 1) return tf.mean(tf.sub(tf.softplus(pred), tf.mul(yTrue, pred)));
  const oneHot = tf.oneHot(tf.cast(yTrue, 'int32'), pred.shape[1] as number);
  return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(pred)), -1)));
}

/** A test double of a function loss: softmax or sigmoid cross-entropy by the prediction kind, plus a spy. */
function fakeLoss(overrides: Partial<FunctionLossSpec>, spy?: (yTrue: tf.Tensor, pred: tf.Tensor, options: Record<string, unknown>) => void): FunctionLossSpec {
  const fn = (yTrue: tf.Tensor, pred: tf.Tensor, options: Record<string, unknown> = {}) => {
    spy?.(yTrue, pred, options);
    return crossEntropy(yTrue, pred);
  };
  return {
    kind: 'function',
    id: 'fake',
    family: 'classification',
    summary: '-',
    formula: '-',
    fn: fn as unknown as FunctionLossSpec['fn'],
    target: 'classIndex',
    prediction: 'logits',
    tasks: ['binary', 'multiclass', 'regression'],
    params: {},
    properties: [],
    reference: '-',
    ...overrides,
  };
}

function withoutTimes(r: TrialResult): unknown {
  return { ...r, secondsPerEpoch: 0, curve: r.curve.map((e) => ({ ...e, seconds: 0 })) };
}

describe('runTrial', () => {
  it('trains, records every epoch, and evaluates the test split on the panel', () => {
    const loss = arenaLoss(findLoss('softmaxCrossEntropy'), 'binary');
    const epochs: number[] = [];
    const r = runTrial(binary, loss, 0, settings, (rec) => epochs.push(rec.epoch));
    expect(r.error).toBeUndefined();
    expect(r.status).toBe('done');
    expect(r.epochs).toBe(4);
    expect(epochs).toEqual([1, 2, 3, 4]);
    expect(Object.keys(r.test)).toEqual([...metricNames('binary')]);
    expect(r.curve.every((e) => Number.isFinite(e.trainLoss) && e.seconds > 0)).toBe(true);
    expect(r.curve[3]?.trainLoss).toBeLessThan(r.curve[0]?.trainLoss as number);
    expect(r.test.rocAuc).toBeGreaterThan(0.8);
    expect(r.reliability?.reduce((a, b) => a + b.count, 0)).toBe(binary.test.n);
    expect(r.bestEpoch).toBeGreaterThanOrEqual(1);
  });

  it('is deterministic for a seed, and leaks no tensors', () => {
    const loss = arenaLoss(findLoss('softmaxCrossEntropy'), 'binary');
    const before = tf.memory().numTensors;
    const a = runTrial(binary, loss, 5, settings);
    expect(tf.memory().numTensors).toBe(before);
    const b = runTrial(binary, loss, 5, settings);
    expect(withoutTimes(a)).toEqual(withoutTimes(b));
    expect(withoutTimes(runTrial(binary, loss, 6, settings))).not.toEqual(withoutTimes(a));
  });

  it('stops after `patience` epochs without improvement and keeps the best epoch', () => {
    const loss = arenaLoss(findLoss('softmaxCrossEntropy'), 'binary');
    const r = runTrial(binary, loss, 0, { ...settings, learningRate: 0.5, maxEpochs: 40, patience: 2, primaryMetric: 'logLoss' });
    expect(r.epochs).toBe(r.bestEpoch + 2);
    const best = r.curve[r.bestEpoch - 1]?.validation.logLoss as number;
    expect(Math.min(...r.curve.map((e) => e.validation.logLoss as number))).toBe(best);
  });

  it('shapes the head by the prediction kind and the targets by the target kind', () => {
    const seen: [number[], string, number[]][] = [];
    const spy = (y: tf.Tensor, p: tf.Tensor) => seen.push([y.shape, y.dtype, p.shape]);
    const logits = arenaLoss(fakeLoss({}, spy), 'multiclass');
    expect(outputUnits(logits, multiclass)).toBe(3);
    runTrial(multiclass, logits, 0, { ...settings, maxEpochs: 1 }, undefined);
    expect(seen[0]).toEqual([[16], 'int32', [16, 3]]);
    seen.length = 0;
    const scores = arenaLoss(fakeLoss({ target: 'binary', prediction: 'binaryLogits' }, spy), 'binary');
    expect(outputUnits(scores, binary)).toBe(1);
    runTrial(binary, scores, 0, { ...settings, maxEpochs: 1 });
    expect(seen[0]).toEqual([[16], 'float32', [16]]);
  });

  it('feeds a likePrediction parameter with predictions on FGSM inputs', () => {
    const seen: { pred: number[]; adv: number[]; shape: number[] }[] = [];
    const spec = fakeLoss(
      { params: { adversarial: { kind: 'data', type: 'logits', required: true, shape: 'likePrediction', doc: '-' } } },
      (_, pred, options) => {
        const adv = options.adversarial as tf.Tensor;
        seen.push({ pred: Array.from(pred.dataSync()), adv: Array.from(adv.dataSync()), shape: adv.shape });
      },
    );
    const r = runTrial(binary, arenaLoss(spec, 'binary'), 0, { ...settings, maxEpochs: 1 });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe('done');
    // Per batch: the FGSM call (clean predictions in the option), then the training call.
    const training = seen[1] as (typeof seen)[number];
    expect(training.shape).toEqual([16, 2]);
    expect(training.adv).not.toEqual(training.pred);
    expect(seen[0]?.adv).toEqual(seen[0]?.pred);
    const none = runTrial(binary, arenaLoss(spec, 'binary'), 0, { ...settings, maxEpochs: 1, advEps: 0 });
    expect(none.status).toBe('done');
  });

  it('creates a factory loss once with the training size and calls it with each batch\u2019s sample ids', () => {
    const created: number[] = [];
    const ids: number[][] = [];
    const spec: FactoryLossSpec = {
      ...fakeLoss({}),
      kind: 'factory',
      params: { numSamples: { kind: 'data', type: 'integer', required: true, doc: '-' } },
      create: ({ numSamples }): StatefulLoss => {
        created.push(numSamples);
        return {
          loss: (yTrue, pred, sampleIds) => {
            ids.push(Array.from((sampleIds as tf.Tensor).dataSync()));
            return crossEntropy(yTrue as tf.Tensor, pred as tf.Tensor);
          },
          reset() {},
          dispose() {},
          getConfig: () => ({}),
        };
      },
    };
    const r = runTrial(binary, arenaLoss(spec, 'binary'), 0, { ...settings, maxEpochs: 2 });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe('done');
    expect(created).toEqual([binary.train.n]);
    const perEpoch = Math.ceil(binary.train.n / 16);
    expect(ids.length).toBe(2 * perEpoch);
    for (const epoch of [0, 1]) {
      const all = ids.slice(epoch * perEpoch, (epoch + 1) * perEpoch).flat();
      expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: binary.train.n }, (_, i) => i));
    }
  });

  it('records no training loss for a gradient surrogate, and still trains on its gradient', () => {
    const spec = fakeLoss({ properties: ['gradientSurrogate'] });
    const r = runTrial(binary, arenaLoss(spec, 'binary'), 0, settings);
    expect(r.error).toBeUndefined();
    expect(r.status).toBe('done');
    expect(r.curve.every((e) => Number.isNaN(e.trainLoss))).toBe(true);
    const plain = runTrial(binary, arenaLoss(fakeLoss({}), 'binary'), 0, settings);
    expect(r.test).toEqual(plain.test);
  });

  it('gives an unseeded stochastic loss a new seed at each step from the trial seed, and leaves a seed the user set', () => {
    const seedsOf = (trialSeed: number, options: Record<string, unknown> = {}) => {
      const seeds: unknown[] = [];
      const spec = fakeLoss({ properties: ['stochastic'], params: { seed: { kind: 'data', type: 'integer', default: null, doc: '-' } } }, (_, __, o) => seeds.push(o.seed));
      expect(runTrial(binary, arenaLoss(spec, 'binary', options), trialSeed, { ...settings, maxEpochs: 2 }).status).toBe('done');
      return seeds;
    };
    const first = seedsOf(0);
    expect(first).toHaveLength(2 * Math.ceil(binary.train.n / 16));
    expect(first.every((v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) < 2 ** 32)).toBe(true);
    expect(new Set(first).size).toBe(first.length);
    expect(seedsOf(0)).toEqual(first);
    expect(seedsOf(1)).not.toEqual(first);
    expect(new Set(seedsOf(0, { seed: 5 }))).toEqual(new Set([5]));
    // Without the property, or without a seed parameter, nothing is added.
    const plain: unknown[] = [];
    runTrial(binary, arenaLoss(fakeLoss({}, (_, __, o) => plain.push(o.seed)), 'binary'), 0, { ...settings, maxEpochs: 1 });
    expect(plain.every((v) => v === undefined)).toBe(true);
  });

  it('repeats a trial of the stochastic ensLoss exactly', () => {
    const ens = findLoss('ensLoss');
    const a = runTrial(binary, arenaLoss(ens, 'binary'), 2, settings);
    const b = runTrial(binary, arenaLoss(ens, 'binary'), 2, settings);
    expect(a.status).toBe('done');
    expect(withoutTimes(b)).toEqual(withoutTimes(a));
  });

  it('fails a trial whose loss stops being finite or throws, with the reason', () => {
    const nan = fakeLoss({ fn: ((_: tf.Tensor, p: tf.Tensor) => tf.mul(tf.sum(p), Number.NaN)) as unknown as FunctionLossSpec['fn'] });
    const before = tf.memory().numTensors;
    const r = runTrial(binary, arenaLoss(nan, 'binary'), 0, settings);
    expect(tf.memory().numTensors).toBe(before);
    expect(r.status).toBe('failed');
    expect(r.error).toBe('epoch 1: the training loss is NaN');
    expect(r.test).toEqual({});
    const throwing = fakeLoss({
      fn: (() => {
        throw new Error('bad batch');
      }) as unknown as FunctionLossSpec['fn'],
    });
    expect(runTrial(binary, arenaLoss(throwing, 'binary'), 0, settings).error).toBe('epoch 1: bad batch');
  });

  it('trains a regression model and reports metrics on the original scale', () => {
    const prepared = regressionBlobs();
    const shapes: number[][] = [];
    const mse = fakeLoss({
      target: 'real',
      prediction: 'real',
      fn: ((y: tf.Tensor, p: tf.Tensor) => {
        shapes.push(y.shape, p.shape);
        return tf.losses.meanSquaredError(y, p);
      }) as unknown as FunctionLossSpec['fn'],
    });
    const r = runTrial(prepared, arenaLoss(mse, 'regression'), 0, { ...settings, maxEpochs: 30, primaryMetric: 'rootMeanSquaredError' });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe('done');
    expect(shapes[0]).toEqual([16]);
    expect(shapes[1]).toEqual([16]);
    expect(Object.keys(r.test)).toEqual([...metricNames('regression')]);
    expect(r.test.r2Score).toBeGreaterThan(0.5);
    expect(r.test.meanAbsoluteError).toBeGreaterThan(1);
    expect(r.reliability).toBeUndefined();
    // Lower RMSE is better: the kept epoch is the one with the smallest validation RMSE.
    const rmse = r.curve.map((e) => e.validation.rootMeanSquaredError as number);
    expect(rmse[r.bestEpoch - 1]).toBe(Math.min(...rmse));
    expect(rmse[0]).toBeGreaterThan(Math.min(...rmse));
  });

  it('keeps the epoch of the lowest validation RMSE and stops after `patience` epochs without a lower one', () => {
    const prepared = regressionBlobs();
    // A loss that rewards predictions far from the target: the validation RMSE rises every epoch.
    const away = fakeLoss({
      target: 'real',
      prediction: 'real',
      fn: ((y: tf.Tensor, p: tf.Tensor) => tf.neg(tf.losses.meanSquaredError(y, p))) as unknown as FunctionLossSpec['fn'],
    });
    const r = runTrial(prepared, arenaLoss(away, 'regression'), 0, { ...settings, maxEpochs: 30, patience: 3, primaryMetric: 'rootMeanSquaredError' });
    expect(r.status).toBe('done');
    expect(r.bestEpoch).toBe(1);
    expect(r.epochs).toBe(4);
    const rmse = r.curve.map((e) => e.validation.rootMeanSquaredError as number);
    expect(rmse[3]).toBeGreaterThan(rmse[0] as number);
  });
});

describe('every registered loss in the arena', () => {
  for (const [task, data] of [
    ['binary', binary],
    ['multiclass', multiclass],
    ['regression', regressionBlobs()],
  ] as const) {
    for (const spec of registry.filter((s) => s.tasks.includes(task))) {
      it(`${spec.id} trains on a ${task} task`, () => {
        const r = runTrial(data, arenaLoss(spec, task), 0, { ...settings, maxEpochs: 2, primaryMetric: defaultPrimaryMetric(task) });
        expect(r.error).toBeUndefined();
        expect(r.error).toBeUndefined();
    expect(r.status).toBe('done');
        expect(Object.keys(r.test)).toEqual([...metricNames(task)]);
      });
    }
  }
});
