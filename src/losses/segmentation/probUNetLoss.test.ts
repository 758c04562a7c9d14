import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, leakedTensors, values } from '../../../test/helpers.js';
import { diagGaussianKL } from './diagGaussianKL.js';
import { probUNetLoss } from './probUNetLoss.js';

describe('probUNetLoss(segLoss, kl, options)', () => {
  it('weighs the segmentation loss and the KL summed over the batch (official), or averaged', () => {
    expectClose(probUNetLoss(0.3, [0.5, 0.25]).dataSync()[0]!, 1.05, 1e-6);
    expectClose(probUNetLoss(0.3, [0.5, 0.25], { klWeight: 2 }).dataSync()[0]!, 1.8, 1e-6);
    expectClose(probUNetLoss(tf.scalar(0.3), [0.5, 0.25], { segWeight: 0.5, klReduction: 'mean' }).dataSync()[0]!, 0.15 + 0.375, 1e-6);
    expectClose(probUNetLoss([0.3], 0.4, { segWeight: 2, klWeight: 0 }).dataSync()[0]!, 0.6, 1e-6);
    expect(probUNetLoss(0.3, [0.5]).shape).toEqual([]);
  });

  it('passes the gradient to both terms, with their weights, and through diagGaussianKL to the latents', () => {
    const [gs, gk] = tf.grads((s: tf.Tensor, k: tf.Tensor) => probUNetLoss(s, k, { segWeight: 3, klWeight: 0.5, klReduction: 'mean' }))([tf.scalar(0.2), tf.tensor1d([1, 2, 3, 4])]);
    expectClose(values(gs!), [3], 1e-7);
    expectClose(values(gk!), [0.125, 0.125, 0.125, 0.125], 1e-7);
    // d/dμQ of Σ_b ½(μQ − μP)² (unit variances) = μQ − μP.
    const g = tf.grad((mu: tf.Tensor) => probUNetLoss(0, diagGaussianKL(mu, tf.zeros([2, 2]), tf.ones([2, 2]), tf.zeros([2, 2]))))(tf.tensor2d([[0.5, 2], [1, -1]]));
    expectClose(values(g), [-0.5, 1, 0, -2], 1e-6);
  });

  it('leaks no tensors', () => {
    const s = tf.scalar(0.2);
    const k = tf.tensor1d([0.1, 0.3]);
    expect(leakedTensors(() => probUNetLoss(s, k))).toBe(0);
    expect(leakedTensors(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => probUNetLoss(a, b))([s, k]))).toBe(0);
    s.dispose();
    k.dispose();
  });

  it('rejects bad input with a message naming the function, the argument, the rule and the value', () => {
    expect(() => probUNetLoss([0.1, 0.2], [0.5])).toThrow('probUNetLoss: expected `segLoss` to be a scalar (reduce the segmentation loss over the batch first), got shape [2]');
    expect(() => probUNetLoss(0.1, [])).toThrow('probUNetLoss: expected `kl` to hold at least one element, got shape [0]');
    expect(() => probUNetLoss(0.1, [0.5], { klWeight: -1 })).toThrow('probUNetLoss: expected `klWeight` to be a finite number >= 0, got -1 (number)');
    expect(() => probUNetLoss(0.1, [0.5], { klReduction: 'none' } as never)).toThrow("probUNetLoss: expected `klReduction` to be one of 'sum' | 'mean', got \"none\" (string)");
    expect(() => probUNetLoss(0.1, [0.5], { reduction: 'mean' } as never)).toThrow('probUNetLoss: expected each option to be one of segWeight, klWeight, klReduction, got `reduction`');
  });
});
