import * as tf from '@tensorflow/tfjs-core';
import { asAnyOptions, type StatefulLoss } from '../losses/_shared/spec.js';
import type { ArenaLoss } from './loss-config.js';
import { createModel, type ModelShape, type ModelSpec } from './model.js';
import { createOptimizer, type OptimizerSpec } from './optimizers.js';
import { evaluatePanel, METRIC_INFO, type PanelInput, reliability } from './panel.js';
import { shuffleInPlace, stream } from './random.js';
import type { EpochRecord, TrialResult } from './results.js';
import type { PreparedData, SplitPart } from './split.js';

/** How every trial of a run trains. */
export interface TrainSettings {
  model: ModelSpec;
  maxEpochs: number;
  /** Epochs without improvement of the validation primary metric before stopping. */
  patience: number;
  batchSize: number;
  optimizer: OptimizerSpec;
  learningRate: number;
  /** Metric of the validation split that early stopping watches. */
  primaryMetric: string;
  /** ε of the one-step FGSM that makes adversarial inputs, for losses that need predictions on them. */
  advEps: number;
}

/** Output units of the model for a loss: one per class for logits (2 for a binary task), else one. */
export function outputUnits(loss: ArenaLoss, data: PreparedData): number {
  if (data.task === 'regression') return 1;
  if (loss.spec.prediction === 'logits') return data.numClasses;
  if (loss.spec.prediction === 'probability' && data.task === 'multiclass') return data.numClasses;
  return 1;
}

/** The model a loss trains on a data set: its inputs, its output units and the width of the head's initial draw. */
export function modelShape(loss: ArenaLoss, data: PreparedData): ModelShape {
  const headWidth = data.task === 'regression' ? 1 : Math.max(data.numClasses, 2);
  return { numFeatures: data.numFeatures, units: outputUnits(loss, data), headWidth, ...(data.imageShape ? { imageShape: data.imageShape } : {}) };
}

/**
 * A training batch, assembled on the host (no gather kernels): the rows' features `[B, numFeatures]`
 * and the loss's `yTrue`: class indices, {0, 1} of the scores' shape, one-hot rows, or values.
 */
function batchFor(loss: ArenaLoss, data: PreparedData, rows: readonly number[], units: number): { x: tf.Tensor2D; y: tf.Tensor } {
  const d = data.numFeatures;
  const x = new Float32Array(rows.length * d);
  const y = new Float32Array(rows.length);
  rows.forEach((row, i) => {
    x.set(data.train.x.subarray(row * d, (row + 1) * d), i * d);
    y[i] = data.train.y[row] as number;
  });
  const features = tf.tensor2d(x, [rows.length, d]);
  if (data.task === 'regression' || units === 1) return { x: features, y: tf.tensor1d(y) };
  if (loss.spec.target === 'classIndex') return { x: features, y: tf.tensor1d(Int32Array.from(y), 'int32') };
  const oneHot = new Float32Array(rows.length * units);
  y.forEach((label, i) => {
    oneHot[i * units + label] = 1;
  });
  return { x: features, y: tf.tensor2d(oneHot, [rows.length, units]) };
}

/** What the loss receives from the model's raw outputs: probabilities for a 'probability' loss, else as is. */
function lossInput(loss: ArenaLoss, raw: tf.Tensor): tf.Tensor {
  if (loss.spec.prediction !== 'probability') return raw;
  return raw.rank === 1 ? tf.sigmoid(raw) : tf.softmax(raw);
}

/**
 * Class probabilities (P(positive) `[N]` for binary, rows for multiclass) or regression values, computed
 * in float64 from the head's outputs: the sigmoid of one score, the softmax of a row of logits (what a
 * 'probability' loss receives too).
 */
function panelValues(data: PreparedData, z: Float64Array, units: number): Float64Array {
  if (data.task === 'regression') return Float64Array.from(z, (v) => v * data.targetStd + data.targetMean);
  if (units === 1) return Float64Array.from(z, (v) => 1 / (1 + Math.exp(-v)));
  const c = units;
  const n = z.length / c;
  const rows = new Float64Array(n * c);
  for (let i = 0; i < n; i++) {
    let max = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < c; k++) max = Math.max(max, z[i * c + k] as number);
    let sum = 0;
    for (let k = 0; k < c; k++) sum += rows[i * c + k] = Math.exp((z[i * c + k] as number) - max);
    for (let k = 0; k < c; k++) rows[i * c + k] = (rows[i * c + k] as number) / sum;
  }
  if (data.task !== 'binary') return rows;
  return Float64Array.from({ length: n }, (_, i) => rows[i * c + 1] as number);
}

function originalTargets(data: PreparedData, part: SplitPart): Float64Array {
  return data.task === 'regression' ? Float64Array.from(part.y, (v) => v * data.targetStd + data.targetMean) : Float64Array.from(part.y);
}

/**
 * Trains one model with one loss on one seed and evaluates it: the optimiser (Adam or SGD) on shuffled mini-batches, the
 * validation panel after every epoch, early stopping on the primary metric with `patience` (a tie
 * with the best value counts as an improvement), and the test panel of the best epoch's weights.
 *
 * The loss is driven by its registry metadata only:
 * - `prediction` sets the head: logits `[N, C]`, or one score per sample `[N]`; 'probability' losses
 *   receive the sigmoid / softmax of the head. On a regression task the head is one unit and the
 *   loss receives its output `[N]`, on the standardised target's scale.
 * - `target` sets `yTrue`: class indices, {0, 1} of the scores' shape, one-hot rows, or (regression)
 *   the standardised target values `[N]`. The panel reads predictions back on the original scale.
 * - A `factory` loss is created once per trial with `numSamples` = the training-set size and called
 *   with each batch's sample ids (row numbers in the training split).
 * - A required data parameter of shape `likePrediction` gets the model's predictions on adversarial
 *   inputs x' = x + ε·sign(∇ₓ ℓ), one FGSM step on the standardised inputs; the attack's gradient is
 *   that of the loss itself with the clean predictions (held constant) in that parameter.
 * - A `stochastic` loss with a `seed` parameter the user did not set gets a new seed at every step,
 *   drawn from the trial's seed, so the trial is reproducible.
 * - A `gradientSurrogate` loss's value is not a loss: its training loss is recorded as NaN, and the
 *   optimiser still steps on its gradient.
 *
 * A trial whose loss throws, or whose training loss or predictions stop being finite, returns
 * `status: 'failed'` with the reason and the epochs it completed.
 */
export function runTrial(
  data: PreparedData,
  loss: ArenaLoss,
  seed: number,
  settings: TrainSettings,
  onEpoch?: (record: EpochRecord) => void,
): TrialResult {
  const shape = modelShape(loss, data);
  const units = shape.units;
  const model = createModel(settings.model, shape, seed);
  const optimizer = createOptimizer(settings.optimizer, model.variables, settings.learningRate);
  const higherIsBetter = METRIC_INFO[settings.primaryMetric]?.higherIsBetter ?? true;
  const surrogate = loss.spec.properties.includes('gradientSurrogate');
  const n = data.train.n;
  let stateful: StatefulLoss | undefined;
  const curve: EpochRecord[] = [];
  let best = Number.NaN;
  let bestEpoch = 0;
  let bestWeights: Float32Array[] | undefined;
  let phase = 'setup';

  const callLoss = (yTrue: tf.Tensor, pred: tf.Tensor, ids: tf.Tensor, extra: Record<string, unknown>): tf.Tensor => {
    if (loss.spec.kind === 'factory') return (stateful as StatefulLoss).loss(yTrue, pred, ids);
    return asAnyOptions(loss.spec)(yTrue, pred, { ...loss.config.options, ...extra });
  };

  // Read after every epoch.
  const validationTargets = originalTargets(data, data.validation);
  const predict = (part: SplitPart): PanelInput => {
    const values = panelValues(data, model.predict(part.x, part.n), units);
    if (!values.every(Number.isFinite)) throw new Error('the model\u2019s predictions are not finite');
    const yTrue = part === data.validation ? validationTargets : originalTargets(data, part);
    return { task: data.task, yTrue, values, numClasses: data.numClasses };
  };

  const fail = (error: unknown): TrialResult => ({
    loss: loss.config.key,
    seed,
    status: 'failed',
    error: `${phase}: ${error instanceof Error ? error.message : String(error)}`,
    epochs: curve.length,
    bestEpoch,
    secondsPerEpoch: curve.length === 0 ? Number.NaN : curve.reduce((a, r) => a + r.seconds, 0) / curve.length,
    test: {},
    curve,
  });

  try {
    if (loss.spec.kind === 'factory') stateful = loss.spec.create({ ...loss.config.options, numSamples: n });
    const order = Array.from({ length: n }, (_, i) => i);
    const shuffler = stream(seed, 'batches');
    // A stochastic loss left unseeded would draw from a stream shared by every trial of the thread:
    // it gets a fresh seed per step from the trial's own stream instead, so a trial repeats exactly
    // (on any worker, and after --resume) while each step still draws anew.
    const stepSeeds = loss.spec.properties.includes('stochastic') && 'seed' in loss.spec.params && loss.config.options.seed === undefined ? stream(seed, 'loss-draws') : undefined;
    for (let epoch = 1; epoch <= settings.maxEpochs; epoch++) {
      phase = `epoch ${epoch}`;
      shuffleInPlace(order, shuffler);
      const start = performance.now();
      let lossSum = 0;
      for (let b = 0; b < n; b += settings.batchSize) {
        const rows = order.slice(b, b + settings.batchSize);
        const value = tf.tidy(() => {
          const ids = tf.tensor1d(rows, 'int32');
          const { x: xb, y: yb } = batchFor(loss, data, rows, units);
          const extra: Record<string, unknown> = stepSeeds === undefined ? {} : { seed: Math.floor(stepSeeds() * 2 ** 32) };
          let xAdv: tf.Tensor2D | undefined;
          if (loss.adversarialOption !== undefined) {
            const option = loss.adversarialOption;
            const clean = lossInput(loss, model.apply(xb));
            const grad = tf.grad((x: tf.Tensor) => callLoss(yb, lossInput(loss, model.apply(x as tf.Tensor2D)), ids, { ...extra, [option]: clean }))(xb);
            xAdv = tf.add(xb, tf.mul(tf.sign(grad), settings.advEps)) as tf.Tensor2D;
          }
          const { value: cost, grads } = tf.variableGrads(() => {
            const pred = lossInput(loss, model.apply(xb));
            if (xAdv !== undefined) extra[loss.adversarialOption as string] = lossInput(loss, model.apply(xAdv));
            const l = callLoss(yb, pred, ids, extra);
            return (l.rank === 0 ? l : tf.mean(l)) as tf.Scalar;
          }, model.variables);
          optimizer.update(model.variables.map((v) => grads[v.name]));
          return surrogate ? Number.NaN : (cost.dataSync()[0] as number);
        });
        if (!surrogate && !Number.isFinite(value)) throw new Error(`the training loss is ${value}`);
        lossSum += value * rows.length;
      }
      const seconds = (performance.now() - start) / 1000;
      const validation = evaluatePanel(predict(data.validation));
      const record: EpochRecord = { epoch, trainLoss: surrogate ? Number.NaN : lossSum / n, validation, seconds };
      curve.push(record);
      onEpoch?.(record);
      const score = validation[settings.primaryMetric] as number;
      // A tie counts as an improvement: a metric that saturates on a small validation split (an
      // average precision of 1) keeps the later, longer-trained weights instead of stopping at its first epoch.
      if (Number.isNaN(best) || (higherIsBetter ? score >= best : score <= best)) {
        best = score;
        bestEpoch = epoch;
        bestWeights = optimizer.weights();
      } else if (epoch - bestEpoch >= settings.patience) break;
    }
    if (bestWeights !== undefined) optimizer.restore(bestWeights);
    phase = 'test';
    const test = predict(data.test);
    const bins = reliability(test);
    return {
      loss: loss.config.key,
      seed,
      status: 'done',
      epochs: curve.length,
      bestEpoch,
      secondsPerEpoch: curve.reduce((a, r) => a + r.seconds, 0) / curve.length,
      test: evaluatePanel(test),
      curve,
      ...(bins === undefined ? {} : { reliability: bins }),
    };
  } catch (error) {
    return fail(error);
  } finally {
    stateful?.dispose();
    model.dispose();
  }
}
