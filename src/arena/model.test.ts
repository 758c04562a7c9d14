import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, values } from '../../test/helpers.js';
import { CNN_FILTERS, createModel, describeModel } from './model.js';
import { stream } from './random.js';

function inputs(n: number, d: number, seed = 1): tf.Tensor2D {
  const random = stream(seed, 'model-test');
  return tf.tensor2d(Float32Array.from({ length: n * d }, () => 2 * random() - 1), [n, d]);
}

describe('createModel', () => {
  it('draws the same weights for the same seed and shape, and others for another seed', () => {
    const shape = { numFeatures: 5, units: 3, headWidth: 3 };
    const a = createModel({ kind: 'mlp', hidden: [8, 4] }, shape, 11);
    const b = createModel({ kind: 'mlp', hidden: [8, 4] }, shape, 11);
    const c = createModel({ kind: 'mlp', hidden: [8, 4] }, shape, 12);
    expect(a.variables.map((v) => v.shape)).toEqual([[5, 8], [8], [8, 4], [4], [4, 3], [3]]);
    a.variables.forEach((v, i) => {
      expect(values(v)).toEqual(values(b.variables[i] as tf.Variable));
    });
    expect(values(a.variables[0] as tf.Variable)).not.toEqual(values(c.variables[0] as tf.Variable));
    for (const m of [a, b, c]) m.dispose();
  });

  it('gives a one-unit head the logit difference of the two-unit head: same initial probabilities', () => {
    const x = inputs(6, 4);
    const two = createModel({ kind: 'mlp', hidden: [7] }, { numFeatures: 4, units: 2, headWidth: 2 }, 3);
    const one = createModel({ kind: 'mlp', hidden: [7] }, { numFeatures: 4, units: 1, headWidth: 2 }, 3);
    const logits = two.apply(x);
    const score = one.apply(x);
    expect(score.shape).toEqual([6]);
    const l = values(logits);
    expectClose(values(score), [0, 1, 2, 3, 4, 5].map((i) => (l[2 * i + 1] as number) - (l[2 * i] as number)), 1e-5, 1e-6);
    // Hidden layers are shared exactly.
    expect(values(one.variables[0] as tf.Variable)).toEqual(values(two.variables[0] as tf.Variable));
    tf.dispose([x, logits, score]);
    one.dispose();
    two.dispose();
  });

  it('initialises hidden layers He-normal, the head Glorot-uniform and biases at zero', () => {
    const m = createModel({ kind: 'mlp', hidden: [400] }, { numFeatures: 300, units: 10, headWidth: 10 }, 5);
    const w = values(m.variables[0] as tf.Variable);
    const mean = w.reduce((a, b) => a + b, 0) / w.length;
    const variance = w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length;
    expect(Math.abs(mean)).toBeLessThan(0.003);
    expectClose(variance, 2 / 300, 0.03);
    const head = values(m.variables[2] as tf.Variable);
    const limit = Math.sqrt(6 / 410);
    expect(Math.max(...head.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...head.map(Math.abs))).toBeGreaterThan(0.95 * limit);
    expect(values(m.variables[1] as tf.Variable).every((v) => v === 0)).toBe(true);
    m.dispose();
  });

  it('builds a linear model without hidden layers', () => {
    const m = createModel({ kind: 'mlp', hidden: [] }, { numFeatures: 3, units: 1, headWidth: 1 }, 0);
    expect(m.variables.map((v) => v.shape)).toEqual([[3, 1], [1]]);
    m.dispose();
  });

  it('builds a CNN for 8x8 images', () => {
    const m = createModel({ kind: 'cnn', hidden: [16] }, { numFeatures: 64, imageShape: [8, 8], units: 10, headWidth: 10 }, 0);
    expect(m.variables.map((v) => v.shape)).toEqual([[3, 3, 1, CNN_FILTERS[0]], [CNN_FILTERS[0]], [3, 3, CNN_FILTERS[0], CNN_FILTERS[1]], [CNN_FILTERS[1]], [2 * 2 * CNN_FILTERS[1], 16], [16], [16, 10], [10]]);
    const x = inputs(5, 64);
    const out = m.apply(x);
    expect(out.shape).toEqual([5, 10]);
    tf.dispose([x, out]);
    m.dispose();
  });

  it('leaks no tensors, and dispose frees the weights', () => {
    const before = tf.memory().numTensors;
    const m = createModel({ kind: 'mlp', hidden: [4] }, { numFeatures: 3, units: 2, headWidth: 2 }, 0);
    const x = inputs(2, 3);
    const afterBuild = tf.memory().numTensors;
    const out = m.apply(x);
    out.dispose();
    m.predict(x.dataSync() as Float32Array, 2);
    expect(tf.memory().numTensors).toBe(afterBuild);
    x.dispose();
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('predicts on the host what apply computes: float64 layer by layer, any number of rows', () => {
    // Reference: the layers' plain sums in float64 from the variables' float32 weights.
    const reference = (m: ReturnType<typeof createModel>, x: Float32Array, n: number): number[] => {
      let h = Array.from(x);
      let k = x.length / n;
      for (let l = 0; l < m.variables.length; l += 2) {
        const w = values(m.variables[l] as tf.Variable);
        const b = values(m.variables[l + 1] as tf.Variable);
        const units = b.length;
        const last = l === m.variables.length - 2;
        const out: number[] = [];
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < units; j++) {
            let sum = b[j] as number;
            for (let p = 0; p < k; p++) sum += (h[i * k + p] as number) * (w[p * units + j] as number);
            out.push(last ? sum : Math.max(0, sum));
          }
        }
        h = out;
        k = units;
      }
      return h;
    };
    const cases = [
      { hidden: [8, 4], units: 3, headWidth: 3 },
      { hidden: [7], units: 1, headWidth: 2 },
      { hidden: [], units: 1, headWidth: 1 },
    ];
    for (const { hidden, units, headWidth } of cases) {
      const m = createModel({ kind: 'mlp', hidden }, { numFeatures: 5, units, headWidth }, 9);
      for (const n of [1, 3, 4, 9]) {
        const x = inputs(n, 5, n);
        const xs = x.dataSync() as Float32Array;
        const predicted = Array.from(m.predict(xs, n));
        expectClose(predicted, reference(m, xs, n), 1e-12, 1e-12);
        const applied = m.apply(x);
        expect(applied.shape).toEqual(units === 1 ? [n] : [n, units]);
        expectClose(predicted, values(applied), 1e-5, 1e-6);
        tf.dispose([x, applied]);
      }
      m.dispose();
    }
  });

  it('predicts with a CNN through apply', () => {
    const m = createModel({ kind: 'cnn', hidden: [6] }, { numFeatures: 36, imageShape: [6, 6], units: 4, headWidth: 4 }, 2);
    const x = inputs(3, 36);
    const applied = m.apply(x);
    const before = tf.memory().numTensors;
    expect(Array.from(m.predict(x.dataSync() as Float32Array, 3))).toEqual(values(applied));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, applied]);
    m.dispose();
  });

  it('is named by kind and widths', () => {
    expect(describeModel({ kind: 'mlp', hidden: [32, 16] })).toBe('mlp(32,16)');
    expect(describeModel({ kind: 'cnn', hidden: [32] })).toBe('cnn(conv8,conv16,32)');
  });
});
