import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, values } from '../../test/helpers.js';
import { conv3x3, maxPool2x2, neighbourhoods, poolWindows } from './conv.js';
import { stream } from './random.js';

function random(shape: number[], seed: number): tf.Tensor {
  const r = stream(seed, 'conv-test');
  return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 2 * r() - 1), shape);
}

/** Images [N, h, w, c] as the layers take them: [N, h·w, c]. */
const flat = (x: tf.Tensor) => tf.reshape(x, [x.shape[0] as number, -1, x.shape[3] as number]) as tf.Tensor3D;

describe('conv3x3', () => {
  for (const [h, w, cIn, cOut] of [
    [8, 8, 1, 4],
    [5, 3, 3, 2],
  ] as const) {
    it(`equals tf.conv2d 'same' in value and gradients (${h}x${w}, ${cIn} -> ${cOut} channels)`, () => {
      const x = random([3, h, w, cIn], 1) as tf.Tensor4D;
      const k = random([3, 3, cIn, cOut], 2) as tf.Tensor4D;
      const probe = random([3, h, w, cOut], 3);
      const patches = neighbourhoods(h, w);
      const ours = (a: tf.Tensor, b: tf.Tensor) => tf.reshape(conv3x3(flat(a), b as tf.Tensor4D, patches), [3, h, w, cOut]);
      const theirs = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same');
      expectClose(values(ours(x, k)), values(theirs(x, k)), 1e-5, 1e-5);
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(ours(a, b), probe)))([x, k]);
      const gRef = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(theirs(a, b), probe)))([x, k]);
      expectClose(values(g[0] as tf.Tensor), values(gRef[0] as tf.Tensor), 1e-4, 1e-5);
      expectClose(values(g[1] as tf.Tensor), values(gRef[1] as tf.Tensor), 1e-4, 1e-5);
      const input = flat(x);
      const before = tf.memory().numTensors;
      conv3x3(input, k, patches).dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});

describe('maxPool2x2', () => {
  for (const [h, w] of [
    [8, 8],
    [5, 3],
  ] as const) {
    it(`equals tf.maxPool(x, 2, 2, 'same') in value and gradient (${h}x${w})`, () => {
      const [h2, w2] = [Math.ceil(h / 2), Math.ceil(w / 2)];
      const x = random([2, h, w, 3], 4) as tf.Tensor4D;
      const windows = poolWindows(h, w);
      const ours = (a: tf.Tensor) => tf.reshape(maxPool2x2(flat(a), windows), [2, h2, w2, 3]);
      const theirs = (a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 2, 2, 'same');
      expect(values(ours(x))).toEqual(values(theirs(x)));
      const probe = random([2, h2, w2, 3], 5);
      const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(ours(a), probe)))(x);
      const gRef = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(theirs(a), probe)))(x);
      expectClose(values(g), values(gRef), 1e-6, 1e-7);
    });
  }
});
