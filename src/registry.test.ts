import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, leakedTensors, normals, rng } from '../test/helpers.js';
import * as losskit from './index.js';
import { LossInputError } from './losses/_shared/errors.js';
import { asAnyOptions, type LossSpec } from './losses/_shared/spec.js';
import { describeRange } from './losses/_shared/validate.js';
import { getLoss, registry } from './registry.js';

const N = 8;
const C = 4;

interface Inputs {
  yTrue: tf.Tensor;
  yPred: number[] | number[][] | number[][][];
  options: Record<string, unknown>;
}

/** Embedding dimension of the embedding losses' inputs, [N, 4]. */
const EMBEDDING_DIM = 4;

/** Masks and probability maps for segmentation losses: [2, 8, 8]. */
const MASK_SHAPE = [2, 8, 8] as const;

/** Random valid inputs for a loss, from what its metadata says yTrue and yPred hold. */
function inputsFor(spec: LossSpec, seed = 11): Inputs {
  const r = rng(seed);
  const options: Record<string, unknown> = {};
  let yTrue: tf.Tensor;
  let yPred: number[] | number[][] | number[][][];
  if (spec.target === 'mask') {
    // Binary masks, and probabilities that are a random permutation of k/65 (k = 1..64) per image:
    // distinct values 1/65 apart, so the ±1e-2 finite-difference steps never swap the order that
    // min/max pooling (soft skeletons) selects on.
    const [n, h, w] = MASK_SHAPE;
    yTrue = tf.tensor3d(Array.from({ length: n }, () => Array.from({ length: h }, () => Array.from({ length: w }, () => (r() < 0.4 ? 1 : 0)))));
    yPred = Array.from({ length: n }, () => {
      const levels = Array.from({ length: h * w }, (_, k) => (k + 1) / (h * w + 1));
      for (let k = levels.length - 1; k > 0; k--) {
        const j = Math.floor(r() * (k + 1));
        [levels[k], levels[j]] = [levels[j] as number, levels[k] as number];
      }
      return Array.from({ length: h }, (_, i) => levels.slice(i * w, (i + 1) * w));
    });
  } else if (spec.target === 'embeddingLabels') {
    // Embedding losses: labels [8] with two samples per class, embeddings [8, 4].
    yTrue = tf.tensor1d(Array.from({ length: N }, (_, i) => i % C), 'int32');
    yPred = Array.from({ length: N }, () => normals(r, EMBEDDING_DIM));
    // Cosine-softmax losses default to logits scaled by 64, which puts per-sample values near 60 on
    // random inputs, where one float32 ulp already exceeds the absolute tolerance of the reduction
    // check; a moderate scale keeps them O(1).
    if (spec.params.scale?.kind === 'number') options.scale = 4;
  } else if (spec.target === 'view') {
    // Two-view losses: the first view [8, 4], and a second view correlated with it.
    const first = Array.from({ length: N }, () => normals(r, EMBEDDING_DIM));
    yTrue = tf.tensor2d(first);
    yPred = first.map((row) => row.map((v) => 0.8 * v + 0.6 * (normals(r, 1)[0] as number)));
  } else if (spec.target === 'teacherLogits') {
    // Distillation losses: teacher and student logits [8, 4].
    yTrue = tf.tensor2d(Array.from({ length: N }, () => normals(r, C).map((v) => 2 * v)));
    yPred = Array.from({ length: N }, () => normals(r, C).map((v) => 2 * v));
  } else if (spec.target === 'real') {
    // Regression losses: real targets [8] and predictions [8], independent draws of scale 2.
    yTrue = tf.tensor1d(normals(r, N).map((v) => 2 * v));
    yPred = normals(r, N).map((v) => 2 * v);
  } else if (spec.target === 'classIndex') {
    yTrue = tf.tensor1d(Array.from({ length: N }, (_, i) => (i < C ? i : Math.floor(r() * C))), 'int32');
    yPred = Array.from({ length: N }, () => normals(r, C).map((v) => 2 * v));
  } else {
    yTrue = tf.tensor1d(Array.from({ length: N }, (_, i) => i % 2));
    yPred = normals(r, N).map((v) => 2 * v);
  }
  for (const [key, param] of Object.entries(spec.params)) {
    if (param.kind === 'data' && param.required && param.shape === 'embeddingByClass') {
      // One column per class, [D, C] (class weights, proxies).
      options[key] = tf.tensor2d(Array.from({ length: EMBEDDING_DIM }, () => normals(r, C)));
    }
    if (param.kind === 'data' && param.required && param.shape === 'rowLabels') {
      // Class indices [8], one per row of yPred, covering every class.
      options[key] = tf.tensor1d(Array.from({ length: N }, (_, i) => i % C), 'int32');
    }
    if (param.kind === 'data' && param.required && param.shape === 'classRows') {
      // One row per class, [C, D] (a fixed class basis).
      options[key] = tf.tensor2d(Array.from({ length: C }, () => normals(r, EMBEDDING_DIM)));
    }
    if (param.kind === 'data' && param.required && param.shape === 'likePrediction') {
      options[key] = tf.tidy(() => { const p = tf.tensor(yPred); return tf.add(p, tf.randomNormal(p.shape, 0, 0.3, 'float32', seed)); });
    }
  }
  if (spec.properties.includes('stochastic')) options.seed = 5;
  return { yTrue, yPred, options };
}

/** Evaluates a registered loss once: a fresh object per call for factories, so state does not drift. */
function evaluate(spec: LossSpec, yTrue: tf.Tensor, yPred: tf.Tensor, options: Record<string, unknown>): tf.Tensor {
  if (spec.kind === 'function') return asAnyOptions(spec)(yTrue, yPred, options);
  const { reduction, weights, ...rest } = options;
  const made = spec.create({ ...rest, numSamples: yTrue.shape[0] as number });
  try {
    const ids = tf.range(0, yTrue.shape[0] as number, 1, 'int32');
    const value = made.loss(yTrue, yPred, ids);
    ids.dispose();
    if (reduction === undefined && weights === undefined) return value;
    throw new Error('factory losses are reduced by their own options');
  } finally {
    made.dispose();
  }
}

const scalar = (t: tf.Tensor) => {
  const v = t.dataSync()[0] as number;
  t.dispose();
  return v;
};

describe.each(registry.map((spec) => [spec.id, spec] as const))('%s (registry contract)', (id, spec) => {
  const { yTrue, yPred, options } = inputsFor(spec);
  const pred = () => tf.tensor(yPred);

  it('is exported from the package root under its id, with complete metadata', () => {
    const exported = (losskit as Record<string, unknown>)[id];
    expect(exported).toBeTypeOf('function');
    if (spec.kind === 'function') expect(exported).toBe(spec.fn);
    expect(getLoss(id)).toBe(spec);
    expect(spec.summary.length).toBeGreaterThan(0);
    expect(spec.formula.length).toBeGreaterThan(0);
    expect(spec.reference.length).toBeGreaterThan(0);
    if (spec.seed !== undefined) expect(spec.seed >= 1 && spec.seed <= 58).toBe(true);
    for (const p of Object.values(spec.params)) expect(p.doc.length).toBeGreaterThan(0);
  });

  it('returns a finite scalar with a finite gradient on random valid inputs', () => {
    const value = evaluate(spec, yTrue, pred(), options);
    expect(value.shape).toEqual([]);
    expect(Number.isFinite(scalar(value))).toBe(true);
    const g = tf.grad((z: tf.Tensor) => evaluate(spec, yTrue, z, options))(pred());
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
  });

  // A gradient surrogate's value is built with detached factors, so its gradient is by design not
  // the derivative of its value; its own test checks the gradient against the defining procedure.
  it.runIf(!spec.properties.includes('gradientSurrogate'))('has a gradient that matches central finite differences of its own value', () => {
    // A coarse float32 check that the gradient belongs to the value; each loss's own test compares
    // with finite differences of an independent float64 reference at tight tolerance.
    const x = tf.tensor(yPred);
    const analytic = tf.grad((z: tf.Tensor) => evaluate(spec, yTrue, z, options))(x).dataSync();
    const flat = Array.from(x.dataSync());
    const h = 1e-2;
    const at = (v: number[]) => scalar(evaluate(spec, yTrue, tf.tensor(v, x.shape), options));
    flat.forEach((xi, i) => {
      const up = flat.slice();
      const down = flat.slice();
      up[i] = xi + h;
      down[i] = xi - h;
      const center = at(flat);
      const forward = (at(up) - center) / h;
      const backward = (center - at(down)) / h;
      const tol = 2e-3 + 2e-2 * Math.max(Math.abs(forward), Math.abs(backward));
      const g = analytic[i] as number;
      // Where the one-sided slopes disagree a kink lies within h (hinge, ranks): the gradient must
      // then lie between them, as a subgradient does; elsewhere it must match the central difference.
      if (Math.abs(forward - backward) > tol) {
        expect(g).toBeGreaterThanOrEqual(Math.min(forward, backward) - tol);
        expect(g).toBeLessThanOrEqual(Math.max(forward, backward) + tol);
      } else {
        expect(Math.abs(g - (forward + backward) / 2)).toBeLessThanOrEqual(tol);
      }
    });
  });

  it.runIf(spec.kind === 'function')("reduces consistently: 'mean' and 'sum' are the mean and sum of 'none'", () => {
    const none = Array.from(evaluate(spec, yTrue, pred(), { ...options, reduction: 'none' }).dataSync());
    const sum = none.reduce((a, b) => a + b, 0);
    // Relative tolerances: float32 sums of a few large per-sample values (scale-64 margin losses).
    expectClose(scalar(evaluate(spec, yTrue, pred(), { ...options, reduction: 'sum' })), sum, 1e-5, 1e-5);
    // 'meanOverTuples' losses (pair and triplet losses) average over tuples, while their 'none' rows
    // are per anchor (or proxy) sums of tuple losses: only the sum identity holds for them.
    if (!spec.properties.includes('meanOverTuples')) {
      expectClose(scalar(evaluate(spec, yTrue, pred(), { ...options, reduction: 'mean' })), sum / none.length, 1e-5, 1e-6);
    }
  });

  it.runIf(spec.kind === 'function')('is unchanged by weights of ones', () => {
    const plain = scalar(evaluate(spec, yTrue, pred(), options));
    const ones = scalar(evaluate(spec, yTrue, pred(), { ...options, weights: tf.ones([yTrue.shape[0] as number]) }));
    expectClose(ones, plain, 1e-6, 1e-6);
  });

  it('gives the same value with its declared defaults spelled out', () => {
    const defaults = Object.fromEntries(
      Object.entries(spec.params)
        .filter(([, p]) => p.default !== undefined && p.default !== null)
        .map(([k, p]) => [k, p.default]),
    );
    expect(scalar(evaluate(spec, yTrue, pred(), { ...defaults, ...options }))).toBeCloseTo(scalar(evaluate(spec, yTrue, pred(), options)), 6);
  });

  it('leaks no tensors, in value or gradient', () => {
    const x = pred();
    expect(leakedTensors(() => evaluate(spec, yTrue, x, options))).toBe(0);
    expect(leakedTensors(() => tf.grad((z: tf.Tensor) => evaluate(spec, yTrue, z, options))(x))).toBe(0);
    x.dispose();
  });

  it.runIf(spec.properties.includes('nonNegative'))('is never negative', () => {
    for (const seed of [1, 2, 3]) {
      const other = inputsFor(spec, seed);
      const reduction = spec.kind === 'function' ? { reduction: 'none' } : {};
      const values = evaluate(spec, other.yTrue, tf.tensor(other.yPred), { ...other.options, ...reduction }).dataSync();
      expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    }
  });

  it.runIf(spec.properties.includes('shiftInvariant'))('is unchanged when a constant is added to every logit of a row', () => {
    const shifted = (yPred as number[][]).map((row, i) => row.map((z) => z + 3 * i - 7));
    expect(scalar(evaluate(spec, yTrue, tf.tensor(shifted), options))).toBeCloseTo(scalar(evaluate(spec, yTrue, pred(), options)), 4);
  });

  it.runIf(spec.properties.includes('scaleInvariant'))('is unchanged when the logits are multiplied by a positive constant', () => {
    const scaled = (yPred as number[][]).map((row) => row.map((z) => z * 3.5));
    expect(scalar(evaluate(spec, yTrue, tf.tensor(scaled), options))).toBeCloseTo(scalar(evaluate(spec, yTrue, pred(), options)), 4);
  });

  it('rejects a prediction whose rows do not match the targets, naming itself', () => {
    const extra =
      spec.target === 'mask'
        ? [...(yPred as number[][][]), (yPred as number[][][])[0]!]
        : spec.target === 'classIndex' || spec.target === 'embeddingLabels' || spec.target === 'view' || spec.target === 'teacherLogits'
          ? [...(yPred as number[][]), (yPred as number[][])[0]!]
          : [...(yPred as number[]), 0.5];
    expect(() => evaluate(spec, yTrue, tf.tensor(extra), options)).toThrow(LossInputError);
    expect(() => evaluate(spec, yTrue, tf.tensor(extra), options)).toThrow(new RegExp(`^${id}: expected `));
  });

  it('rejects an unknown option and each number option outside its declared range', () => {
    expect(() => evaluate(spec, yTrue, pred(), { ...options, notAnOption: 1 })).toThrow(
      new RegExp(`^${id}: expected each option to be one of .*, got \`notAnOption\``),
    );
    for (const [key, p] of Object.entries(spec.params)) {
      if (p.kind !== 'number') continue;
      const bad = p.integer ? 0.5 : p.min !== undefined ? (p.exclusiveMin ? p.min : p.min - 1) : p.max !== undefined ? p.max + 1 : Number.NaN;
      const got = Number.isNaN(bad) ? 'NaN (number)' : `${bad} (number)`;
      expect(() => evaluate(spec, yTrue, pred(), { ...options, [key]: bad })).toThrow(`${id}: expected \`${key}\` to be ${describeRange(p)}, got ${got}`);
    }
  });
});

describe('registry', () => {
  it('holds unique ids', () => {
    const ids = registry.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('names the closest ids for an unknown one', () => {
    expect(() => getLoss('softmaxCrossEntropi')).toThrow(/^getLoss: expected `id` to be a registered loss \(did you mean softmaxCrossEntropy/);
  });
});
