import { NUMBER_TEXT } from './csv.js';
import type { RawDataset } from './dataset.js';
import { inputError } from './errors.js';
import type { ArenaTask } from './results.js';

/** The most distinct integer values a numeric target may have and still be read as class labels. */
export const MAX_INFERRED_CLASSES = 20;

/** A data set whose target is encoded for training: class indices, or real values for regression. */
export interface EncodedDataset {
  name: string;
  source: string;
  digest: string;
  numSamples: number;
  numFeatures: number;
  /** Row-major `[numSamples, numFeatures]`. */
  features: Float64Array;
  imageShape?: [number, number];
  targetName: string;
  task: ArenaTask;
  /** Class names in index order (classification); for a binary task index 1 is the positive class. */
  classes?: string[];
  /** Class index (classification) or target value (regression), one per row. */
  y: Float64Array;
}

function isNumericColumn(values: readonly string[]): boolean {
  return values.every((v) => NUMBER_TEXT.test(v));
}

function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/**
 * The task a target column calls for: regression for a numeric column with non-integer values or more
 * than {@link MAX_INFERRED_CLASSES} distinct values; otherwise classification, binary with 2 classes and
 * multiclass with more.
 */
export function inferTask(target: readonly string[]): ArenaTask {
  const values = distinct(target);
  if (isNumericColumn(values)) {
    const numbers = values.map(Number);
    if (numbers.some((v) => !Number.isInteger(v)) || values.length > MAX_INFERRED_CLASSES) return 'regression';
  }
  return values.length <= 2 ? 'binary' : 'multiclass';
}

/** Classes in the data set's own order where it has one, else numerically or alphabetically. */
function classOrder(raw: RawDataset, values: string[]): string[] {
  if (raw.classOrder !== undefined) return raw.classOrder.filter((c) => values.includes(c));
  if (isNumericColumn(values)) return [...values].sort((a, b) => Number(a) - Number(b));
  return [...values].sort((a, b) => a.localeCompare(b));
}

function list(values: readonly string[]): string {
  const shown = values.slice(0, 8).map((v) => JSON.stringify(v));
  return values.length > 8 ? `${shown.join(', ')}, ...` : shown.join(', ');
}

export interface EncodeOptions {
  /** Overrides the inferred task. */
  task?: ArenaTask;
  /** Binary tasks: the class scored as positive (index 1). Default: the less frequent class. */
  positive?: string;
}

/**
 * Encodes the target for the task: class indices in {@link EncodedDataset.classes} order, or numbers.
 * For a binary task the positive class gets index 1 (default: the rarer class, so that F1, average
 * precision and the like score the class that imbalance makes hard).
 */
export function encodeTarget(raw: RawDataset, options: EncodeOptions = {}): EncodedDataset {
  const column = `target column "${raw.targetName}"`;
  const values = distinct(raw.target);
  const task = options.task ?? inferTask(raw.target);
  const base = {
    name: raw.name,
    source: raw.source,
    digest: raw.digest,
    numSamples: raw.numSamples,
    numFeatures: raw.numFeatures,
    features: raw.features,
    targetName: raw.targetName,
    task,
    ...(raw.imageShape === undefined ? {} : { imageShape: raw.imageShape }),
  };
  if (task === 'regression') {
    if (!isNumericColumn(values)) {
      const bad = raw.target.find((v) => !NUMBER_TEXT.test(v)) as string;
      inputError(`${column} must hold numbers for a regression task, got ${JSON.stringify(bad)}`);
    }
    if (values.length < 2) inputError(`${column} has a single value (${values[0]}); a regression target must vary`);
    return { ...base, y: Float64Array.from(raw.target, Number) };
  }
  if (values.length < 2) inputError(`${column} has a single class (${JSON.stringify(values[0])}); the arena needs at least 2`);
  let classes = classOrder(raw, values);
  if (task === 'binary') {
    if (classes.length !== 2) inputError(`${column} has ${classes.length} classes (${list(classes)}); a binary task needs exactly 2`);
    const count = (c: string) => raw.target.filter((v) => v === c).length;
    const [a, b] = classes as [string, string];
    let positive = count(a) < count(b) ? a : b;
    if (options.positive !== undefined) {
      if (!classes.includes(options.positive)) inputError(`--positive "${options.positive}" is not a class of the ${column} (${list(classes)})`);
      positive = options.positive;
    }
    classes = [positive === a ? b : a, positive];
  } else if (options.positive !== undefined) {
    inputError('--positive applies to binary tasks only');
  }
  const index = new Map(classes.map((c, i) => [c, i]));
  return { ...base, classes, y: Float64Array.from(raw.target, (v) => index.get(v) as number) };
}
