import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, randomLabels, randomMatrix, rng, values } from '../../../test/helpers.js';
import { createProxyAnchorLoss } from './createProxyAnchorLoss.js';
import { proxyAnchorLoss } from './proxyAnchorLoss.js';

const scalar = (t: tf.Tensor) => t.dataSync()[0] as number;

describe('createProxyAnchorLoss(options)', () => {
  const r = rng(1);
  const emb = randomMatrix(r, 12, 5);
  const labels = randomLabels(r, 12, 4);

  it('holds a trainable W [D, C] of seeded draws: same seed, same W', () => {
    const a = createProxyAnchorLoss({ numClasses: 4, embeddingSize: 5, seed: 7 });
    const b = createProxyAnchorLoss({ numClasses: 4, embeddingSize: 5, seed: 7 });
    const c = createProxyAnchorLoss({ numClasses: 4, embeddingSize: 5, seed: 8 });
    expect(a.W.shape).toEqual([5, 4]);
    expect(a.W.trainable).toBe(true);
    expect(a.trainableVariables).toEqual([a.W]);
    expect(values(a.W)).toEqual(values(b.W));
    expect(values(a.W)).not.toEqual(values(c.W));
    for (const head of [a, b, c]) head.dispose();
    // The spread of the initial draws, over 256 · 40 entries.
    const big = createProxyAnchorLoss({ numClasses: 40, embeddingSize: 256 });
    const v = values(big.W);
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    const std = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length);
    expectClose(std, Math.sqrt(2 / 40), 0.03);
    expect(Math.abs(mean)).toBeLessThan(0.05 * Math.sqrt(2 / 40));
    big.dispose();
  });

  it('is proxyAnchorLoss with its W and options; a call may override the reduction', () => {
    const head = createProxyAnchorLoss({ numClasses: 4, embeddingSize: 5, margin: 0.2, alpha: 8 });
    const w = head.W;
    expectClose(scalar(head.loss(labels, emb)), scalar(proxyAnchorLoss(labels, emb, { proxies: w, margin: 0.2, alpha: 8 })), 1e-6);
    expectClose(values(head.loss(labels, emb, { reduction: 'none' })), values(proxyAnchorLoss(labels, emb, { proxies: w, margin: 0.2, alpha: 8, reduction: 'none' })), 1e-6);
    const summed = createProxyAnchorLoss({ numClasses: 4, embeddingSize: 5, margin: 0.2, alpha: 8, reduction: 'sum' });
    expectClose(scalar(summed.loss(labels, emb)), scalar(proxyAnchorLoss(labels, emb, { proxies: summed.W, margin: 0.2, alpha: 8, reduction: 'sum' })), 1e-6);
    expectClose(scalar(summed.loss(labels, emb, { reduction: 'mean' })), scalar(proxyAnchorLoss(labels, emb, { proxies: summed.W, margin: 0.2, alpha: 8 })), 1e-6);
    head.dispose();
    summed.dispose();
  });

  it('passes the gradient to W, and training W and the embeddings lowers the loss', () => {
    const head = createProxyAnchorLoss({ numClasses: 4, embeddingSize: 5, seed: 3 });
    const x = tf.variable(tf.tensor(emb));
    const { grads } = tf.variableGrads(() => head.loss(labels, x) as tf.Scalar, [x, head.W]);
    const expected = tf.grad((m: tf.Tensor) => proxyAnchorLoss(labels, x, { proxies: m }))(head.W);
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
    const head = createProxyAnchorLoss({ numClasses: 3, embeddingSize: 2, seed: 11, margin: 0.2, alpha: 8 });
    const initial = values(head.W);
    head.W.assign(tf.zeros([2, 3]));
    head.reset();
    expect(values(head.W)).toEqual(initial);
    expect(head.getConfig()).toMatchObject({ numClasses: 3, embeddingSize: 2, seed: 11, reduction: 'mean', margin: 0.2, alpha: 8 });
    const before = tf.memory().numTensors;
    head.dispose();
    expect(tf.memory().numTensors).toBe(before - 1);
    expect(() => head.loss([0], [[1, 0]])).toThrow('createProxyAnchorLoss: expected the loss object to be in use, got a call after dispose()');
  });

  it('leaks no tensors', () => {
    const head = createProxyAnchorLoss({ numClasses: 4, embeddingSize: 5 });
    const x = tf.tensor(emb);
    expect(leakedTensors(() => head.loss(labels, x, { weights: labels.map(() => 2) }))).toBe(0);
    expect(leakedTensors(() => tf.grad((z: tf.Tensor) => head.loss(labels, z))(x))).toBe(0);
    x.dispose();
    head.dispose();
  });

  it('rejects bad options with a message naming the factory, the option, the rule and the value', () => {
    expect(() => createProxyAnchorLoss({ embeddingSize: 4 } as never)).toThrow('createProxyAnchorLoss: expected `numClasses` to be an integer >= 1, got undefined (undefined)');
    expect(() => createProxyAnchorLoss({ numClasses: 2, embeddingSize: 0 })).toThrow('createProxyAnchorLoss: expected `embeddingSize` to be an integer >= 1, got 0 (number)');
    expect(() => createProxyAnchorLoss({ numClasses: 2, embeddingSize: 2, seed: -1 })).toThrow('createProxyAnchorLoss: expected `seed` to be an integer >= 0 and <= 4294967295, got -1 (number)');
    expect(() => createProxyAnchorLoss({ numClasses: 2, embeddingSize: 2, weights: [1] } as never)).toThrow(
      'createProxyAnchorLoss: expected `weights` to be passed to loss() with each batch, not to the factory, got [1] (array)',
    );
    expect(() => createProxyAnchorLoss({ numClasses: 2, embeddingSize: 2, W: 1 } as never)).toThrow(/^createProxyAnchorLoss: expected each option to be one of numClasses, embeddingSize, seed, .*, got `W`$/);
    const head = createProxyAnchorLoss({ numClasses: 2, embeddingSize: 2 });
    expect(() => head.loss([0, 1], [[1, 0, 0]])).toThrow('createProxyAnchorLoss: expected `labels` and `embeddings` to have the same number of rows, got [2] and [1,3]');
    expect(() => head.loss([0], [[1, 0, 0]])).toThrow('createProxyAnchorLoss: expected `embeddings` to have embeddingSize (2) columns, got shape [1,3]');
    expect(() => head.loss([0], [[1, 0]], { margin: 1 } as never)).toThrow('createProxyAnchorLoss: expected each option to be one of reduction, weights, got `margin`');
    head.dispose();
  });
});
