import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, randomLabels, randomMatrix, rng, values } from './helpers.js';

/** What a `create*Loss` factory with a trainable class matrix returns. */
interface ClassWeightHead {
  W: tf.Variable;
  trainableVariables: tf.Variable[];
  loss(labels: unknown, embeddings: unknown, options?: Record<string, unknown>): tf.Tensor;
  reset(): void;
  getConfig(): Record<string, unknown>;
  dispose(): void;
}

export interface ClassWeightFactoryCase {
  /** The factory's name, as its errors start. */
  name: string;
  create(options: Record<string, unknown>): ClassWeightHead;
  /** The plain loss the factory wraps, and the option through which it takes the class matrix. */
  plainName: string;
  plain(labels: unknown, embeddings: unknown, options: Record<string, unknown>): tf.Tensor;
  matrixOption: string;
  /** Non-default loss options, to check that the factory passes them on. */
  lossOptions: Record<string, unknown>;
  /** Standard deviation of the initial draws of W for 40 classes in 256 dimensions. */
  initStd: number;
}

const scalar = (t: tf.Tensor) => t.dataSync()[0] as number;

/**
 * The contract of a factory that owns a trainable class matrix W `[D, C]` (proxies, ArcFace /
 * CosFace weights): seeded initial draws of the stated spread, the plain loss's value with W passed in,
 * gradients reaching W, `reset`, `getConfig`, `dispose`, no leaks, and its exact errors.
 */
export function describeClassWeightFactory(c: ClassWeightFactoryCase): void {
  describe(`${c.name}(options)`, () => {
    const r = rng(1);
    const emb = randomMatrix(r, 12, 5);
    const labels = randomLabels(r, 12, 4);
    const plainWith = (w: tf.Tensor, extra: Record<string, unknown> = {}) => c.plain(labels, emb, { [c.matrixOption]: w, ...c.lossOptions, ...extra });

    it('holds a trainable W [D, C] of seeded draws: same seed, same W', () => {
      const a = c.create({ numClasses: 4, embeddingSize: 5, seed: 7 });
      const b = c.create({ numClasses: 4, embeddingSize: 5, seed: 7 });
      const d = c.create({ numClasses: 4, embeddingSize: 5, seed: 8 });
      expect(a.W.shape).toEqual([5, 4]);
      expect(a.W.trainable).toBe(true);
      expect(a.trainableVariables).toEqual([a.W]);
      expect(values(a.W)).toEqual(values(b.W));
      expect(values(a.W)).not.toEqual(values(d.W));
      for (const head of [a, b, d]) head.dispose();
      // The spread of the initial draws, over 256 · 40 entries.
      const big = c.create({ numClasses: 40, embeddingSize: 256 });
      const v = values(big.W);
      const mean = v.reduce((s, x) => s + x, 0) / v.length;
      const std = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length);
      expectClose(std, c.initStd, 0.03);
      expect(Math.abs(mean)).toBeLessThan(0.05 * c.initStd);
      big.dispose();
    });

    it(`is ${c.plainName} with its W and options; a call may override the reduction`, () => {
      const head = c.create({ numClasses: 4, embeddingSize: 5, ...c.lossOptions });
      expectClose(scalar(head.loss(labels, emb)), scalar(plainWith(head.W)), 1e-6);
      expectClose(values(head.loss(labels, emb, { reduction: 'none' })), values(plainWith(head.W, { reduction: 'none' })), 1e-6);
      const summed = c.create({ numClasses: 4, embeddingSize: 5, ...c.lossOptions, reduction: 'sum' });
      expectClose(scalar(summed.loss(labels, emb)), scalar(plainWith(summed.W, { reduction: 'sum' })), 1e-6);
      expectClose(scalar(summed.loss(labels, emb, { reduction: 'mean' })), scalar(plainWith(summed.W)), 1e-6);
      head.dispose();
      summed.dispose();
    });

    it('passes the gradient to W, and training W and the embeddings lowers the loss', () => {
      const head = c.create({ numClasses: 4, embeddingSize: 5, seed: 3 });
      const x = tf.variable(tf.tensor(emb));
      const { grads } = tf.variableGrads(() => head.loss(labels, x) as tf.Scalar, [x, head.W]);
      const expected = tf.grad((m: tf.Tensor) => c.plain(labels, x, { [c.matrixOption]: m }))(head.W);
      expectFinite(grads[head.W.name] as tf.Tensor);
      expectClose(values(grads[head.W.name] as tf.Tensor), values(expected), 1e-5, 1e-7);
      tf.dispose(Object.values(grads));
      const optimizer = tf.train.sgd(0.05);
      const before = scalar(head.loss(labels, x));
      for (let step = 0; step < 20; step++) optimizer.minimize(() => head.loss(labels, x) as tf.Scalar, false, [x, ...head.trainableVariables]);
      expect(scalar(head.loss(labels, x))).toBeLessThan(before);
      optimizer.dispose();
      x.dispose();
      head.dispose();
    });

    it('resets W to its initial draws, reports its configuration, and frees W on dispose', () => {
      const head = c.create({ numClasses: 3, embeddingSize: 2, seed: 11, ...c.lossOptions });
      const initial = values(head.W);
      head.W.assign(tf.zeros([2, 3]));
      head.reset();
      expect(values(head.W)).toEqual(initial);
      expect(head.getConfig()).toMatchObject({ numClasses: 3, embeddingSize: 2, seed: 11, reduction: 'mean', ...c.lossOptions });
      const before = tf.memory().numTensors;
      head.dispose();
      expect(tf.memory().numTensors).toBe(before - 1);
      expect(() => head.loss([0], [[1, 0]])).toThrow(`${c.name}: expected the loss object to be in use, got a call after dispose()`);
    });

    it('leaks no tensors', () => {
      const head = c.create({ numClasses: 4, embeddingSize: 5 });
      const x = tf.tensor(emb);
      expect(leakedTensors(() => head.loss(labels, x, { weights: labels.map(() => 2) }))).toBe(0);
      expect(leakedTensors(() => tf.grad((z: tf.Tensor) => head.loss(labels, z))(x))).toBe(0);
      x.dispose();
      head.dispose();
    });

    it('rejects bad options with a message naming the factory, the option, the rule and the value', () => {
      const n = c.name;
      expect(() => c.create({ embeddingSize: 4 })).toThrow(`${n}: expected \`numClasses\` to be an integer >= 1, got undefined (undefined)`);
      expect(() => c.create({ numClasses: 2, embeddingSize: 0 })).toThrow(`${n}: expected \`embeddingSize\` to be an integer >= 1, got 0 (number)`);
      expect(() => c.create({ numClasses: 2, embeddingSize: 2, seed: -1 })).toThrow(`${n}: expected \`seed\` to be an integer >= 0 and <= 4294967295, got -1 (number)`);
      expect(() => c.create({ numClasses: 2, embeddingSize: 2, weights: [1] })).toThrow(`${n}: expected \`weights\` to be passed to loss() with each batch, not to the factory, got [1] (array)`);
      expect(() => c.create({ numClasses: 2, embeddingSize: 2, W: 1 })).toThrow(new RegExp(`^${n}: expected each option to be one of numClasses, embeddingSize, seed, .*, got \`W\`$`));
      const head = c.create({ numClasses: 2, embeddingSize: 2 });
      expect(() => head.loss([0, 1], [[1, 0, 0]])).toThrow(`${n}: expected \`labels\` and \`embeddings\` to have the same number of rows, got [2] and [1,3]`);
      expect(() => head.loss([0], [[1, 0, 0]])).toThrow(`${n}: expected \`embeddings\` to have embeddingSize (2) columns, got shape [1,3]`);
      expect(() => head.loss([0], [[1, 0]], { margin: 1 })).toThrow(`${n}: expected each option to be one of reduction, weights, got \`margin\``);
      head.dispose();
    });
  });
}
