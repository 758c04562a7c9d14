import { inputError } from './errors.js';
import { shuffleInPlace, stream } from './random.js';
import type { ArenaTask } from './results.js';
import type { EncodedDataset } from './task.js';

/** How the data are split and stressed; everything random in here draws from the trial seed. */
export interface DataSettings {
  /** Fractions of train / validation / test, summing to 1. */
  splits: [number, number, number];
  /** r: the rarest class is subsampled so that rarest : most frequent = 1 : r. */
  imbalance?: number;
  /** p: the probability that a training label is replaced. */
  labelNoise?: number;
  /** `uniform`: replaced by another class drawn uniformly; `classDependent`: class k becomes k + 1 (mod C). */
  noiseType: 'uniform' | 'classDependent';
}

export interface SplitPart {
  /** Standardised features, row-major `[n, numFeatures]`. */
  x: Float32Array;
  /** Class index (classification) or standardised target (regression). */
  y: Float32Array;
  n: number;
  /** Row numbers in the data set, one per sample. */
  rows: Int32Array;
}

export interface PreparedData {
  task: ArenaTask;
  numFeatures: number;
  /** Number of classes (classification), 0 for regression. */
  numClasses: number;
  imageShape?: [number, number];
  /** Training labels after label noise; sample i of `train` has id i for per-sample loss state. */
  train: SplitPart;
  validation: SplitPart;
  test: SplitPart;
  /** Training samples per class after imbalance and noise (classification). */
  classCounts: number[];
  /** Regression: the training target's mean and standard deviation, to undo the standardisation. */
  targetMean: number;
  targetStd: number;
}

function byClass(y: Float64Array, numClasses: number, indices: readonly number[]): number[][] {
  const groups: number[][] = Array.from({ length: numClasses }, () => []);
  for (const i of indices) (groups[y[i] as number] as number[]).push(i);
  return groups;
}

/**
 * The rows kept by `--imbalance r`: the rarest class is subsampled to ⌊n_max / r⌉ rows, or, where it
 * is already rarer than that, the most frequent class to ⌊n_min · r⌉; every other class is kept whole.
 */
export function imbalancedRows(y: Float64Array, numClasses: number, r: number, seed: number): number[] {
  const all = Array.from(y, (_, i) => i);
  const groups = byClass(y, numClasses, all);
  const sizes = groups.map((g) => g.length);
  const rare = sizes.indexOf(Math.min(...sizes));
  const common = sizes.lastIndexOf(Math.max(...sizes));
  const random = stream(seed, 'imbalance');
  const nRare = sizes[rare] as number;
  const nCommon = sizes[common] as number;
  const [which, keep] = nCommon / r <= nRare ? [rare, Math.round(nCommon / r)] : [common, Math.round(nRare * r)];
  groups[which] = shuffleInPlace(groups[which] as number[], random).slice(0, keep);
  return groups.flat().sort((a, b) => a - b);
}

/** Train / validation / test counts for n rows: each part gets at least one row when n >= 3. */
function partSizes(n: number, splits: [number, number, number]): [number, number, number] {
  let nVal = Math.round(n * splits[1]);
  let nTest = Math.round(n * splits[2]);
  if (n >= 3) {
    nVal = Math.max(nVal, splits[1] > 0 ? 1 : 0);
    nTest = Math.max(nTest, splits[2] > 0 ? 1 : 0);
  }
  return [n - nVal - nTest, nVal, nTest];
}

/** Stratified (classification) or plain (regression) split of `rows` into three index lists. */
function splitRows(data: EncodedDataset, numClasses: number, rows: number[], splits: [number, number, number], seed: number): [number[], number[], number[]] {
  const random = stream(seed, 'split');
  const groups = data.task === 'regression' ? [rows.slice()] : byClass(data.y, numClasses, rows);
  const parts: [number[], number[], number[]] = [[], [], []];
  for (const group of groups) {
    shuffleInPlace(group, random);
    const [nTrain, nVal] = partSizes(group.length, splits);
    parts[0].push(...group.slice(0, nTrain));
    parts[1].push(...group.slice(nTrain, nTrain + nVal));
    parts[2].push(...group.slice(nTrain + nVal));
  }
  for (const part of parts) shuffleInPlace(part, random);
  return parts;
}

/** Replaces each label with probability p (see {@link DataSettings.noiseType}). */
export function noisyLabels(y: Float32Array, numClasses: number, p: number, type: DataSettings['noiseType'], seed: number): Float32Array {
  const random = stream(seed, 'noise');
  return y.map((label) => {
    const flip = random() < p;
    const draw = random();
    if (!flip) return label;
    if (type === 'classDependent') return (label + 1) % numClasses;
    const other = Math.floor(draw * (numClasses - 1));
    return other >= label ? other + 1 : other;
  });
}

/**
 * Everything one trial trains and evaluates on, for one seed: imbalance applied to the whole set,
 * a stratified split, label noise on the training labels only, and features standardised with the
 * training split's mean and standard deviation (a constant feature is only centred). A regression
 * target is standardised the same way.
 */
export function prepareData(data: EncodedDataset, settings: DataSettings, seed: number): PreparedData {
  const numClasses = data.classes?.length ?? 0;
  const d = data.numFeatures;
  let rows = Array.from({ length: data.numSamples }, (_, i) => i);
  if (settings.imbalance !== undefined) rows = imbalancedRows(data.y, numClasses, settings.imbalance, seed);
  const [trainRows, valRows, testRows] = splitRows(data, numClasses, rows, settings.splits, seed);

  const mu = new Float64Array(d);
  const sigma = new Float64Array(d);
  for (const i of trainRows) for (let j = 0; j < d; j++) mu[j] = (mu[j] as number) + (data.features[i * d + j] as number);
  for (let j = 0; j < d; j++) mu[j] = (mu[j] as number) / trainRows.length;
  for (const i of trainRows) for (let j = 0; j < d; j++) sigma[j] = (sigma[j] as number) + ((data.features[i * d + j] as number) - (mu[j] as number)) ** 2;
  for (let j = 0; j < d; j++) {
    const s = Math.sqrt((sigma[j] as number) / trainRows.length);
    sigma[j] = s > 1e-12 ? s : 1;
  }
  let targetMean = 0;
  let targetStd = 1;
  if (data.task === 'regression') {
    const ys = trainRows.map((i) => data.y[i] as number);
    targetMean = ys.reduce((a, b) => a + b, 0) / ys.length;
    const s = Math.sqrt(ys.reduce((a, b) => a + (b - targetMean) ** 2, 0) / ys.length);
    targetStd = s > 1e-12 ? s : 1;
  }
  const part = (indices: number[]): SplitPart => {
    const x = new Float32Array(indices.length * d);
    const y = new Float32Array(indices.length);
    indices.forEach((i, r) => {
      for (let j = 0; j < d; j++) x[r * d + j] = ((data.features[i * d + j] as number) - (mu[j] as number)) / (sigma[j] as number);
      y[r] = data.task === 'regression' ? ((data.y[i] as number) - targetMean) / targetStd : (data.y[i] as number);
    });
    return { x, y, n: indices.length, rows: Int32Array.from(indices) };
  };

  const train = part(trainRows);
  if (settings.labelNoise !== undefined && settings.labelNoise > 0) {
    train.y = noisyLabels(train.y, numClasses, settings.labelNoise, settings.noiseType, seed);
  }
  const classCounts = Array.from({ length: numClasses }, () => 0);
  for (const label of train.y) if (numClasses > 0) classCounts[label] = (classCounts[label] as number) + 1;
  return {
    task: data.task,
    numFeatures: d,
    numClasses,
    ...(data.imageShape === undefined ? {} : { imageShape: data.imageShape }),
    train,
    validation: part(valRows),
    test: part(testRows),
    classCounts,
    targetMean,
    targetStd,
  };
}

/**
 * Checks, before any training, that the settings leave every class in every split: throws a one-line
 * error naming the class that would go missing.
 */
export function checkDataSettings(data: EncodedDataset, settings: DataSettings): void {
  if (data.task === 'regression') {
    if (settings.imbalance !== undefined) inputError('--imbalance applies to classification tasks only');
    if (settings.labelNoise !== undefined) inputError('--label-noise applies to classification tasks only');
    if (data.numSamples < 3) inputError(`data set "${data.name}" has ${data.numSamples} rows; the arena needs at least 3`);
    return;
  }
  const classes = data.classes as string[];
  const rows = settings.imbalance === undefined ? Array.from(data.y, (_, i) => i) : imbalancedRows(data.y, classes.length, settings.imbalance, 0);
  const groups = byClass(data.y, classes.length, rows);
  groups.forEach((group, k) => {
    const sizes = partSizes(group.length, settings.splits);
    if (sizes.some((s) => s < 1)) {
      const why = settings.imbalance === undefined ? '' : ` after --imbalance ${settings.imbalance}`;
      inputError(`class "${classes[k]}" has ${group.length} rows${why}; the arena needs at least 3 per class (one per split)`);
    }
  });
}
