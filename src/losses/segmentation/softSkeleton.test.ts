import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, rng, values } from '../../../test/helpers.js';
import { fromPicture, picture, softSkeletonRef } from '../../../test/segmentation-reference.js';
import { softSkeleton } from './softSkeleton.js';

/** Reference skeleton of a channels-last flat array [N, ...dims, C], each image and channel alone. */
function referenceBatch(flat: number[], n: number, dims: number[], c: number, k: number): number[] {
  const size = dims.reduce((a, b) => a * b, 1);
  const out = new Array<number>(flat.length).fill(0);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const image = Array.from({ length: size }, (_, i) => flat[(b * size + i) * c + ch]!);
      softSkeletonRef(image, dims, k).forEach((v, i) => {
        out[(b * size + i) * c + ch] = v;
      });
    }
  }
  return out;
}

const random = (seed: number, size: number) => {
  const r = rng(seed);
  return Array.from({ length: size }, () => r());
};

describe('softSkeleton(image, options)', () => {
  it('matches the float64 reference (min over the cross, max over 3×3, borders ignored) on random 2D and 3D maps', () => {
    const flat = random(1, 2 * 6 * 7 * 2);
    for (const iterations of [0, 1, 3, 5]) {
      expectClose(values(softSkeleton(tf.tensor(flat, [2, 6, 7, 2]), { iterations })), referenceBatch(flat, 2, [6, 7], 2, iterations), 1e-5, 1e-6);
    }
    const vol = random(2, 4 * 5 * 6);
    expectClose(values(softSkeleton(tf.tensor(vol, [1, 4, 5, 6, 1]))), referenceBatch(vol, 1, [4, 5, 6], 1, 3), 1e-5, 1e-6);
    // [N, H, W] is one channel.
    const img = random(3, 2 * 5 * 5);
    const out = softSkeleton(tf.tensor(img, [2, 5, 5]));
    expect(out.shape).toEqual([2, 5, 5]);
    expectClose(values(out), referenceBatch(img, 2, [5, 5], 1, 3), 1e-5, 1e-6);
  });

  it('thins a 5-pixel-wide bar to its one-pixel centre line', () => {
    const bar = [
      '.............',
      '.............',
      '..#########..',
      '..#########..',
      '..#########..',
      '..#########..',
      '..#########..',
      '.............',
      '.............',
    ];
    const centre = [
      '.............',
      '.............',
      '.............',
      '.............',
      '....#####....',
      '.............',
      '.............',
      '.............',
      '.............',
    ];
    const skeleton = values(softSkeleton(tf.tensor(fromPicture(bar), [1, 9, 13])));
    expect(picture(skeleton, 13)).toEqual(centre);
    expectClose(skeleton, fromPicture(centre), 0, 1e-7);
    // A bar running off the image is not eroded from the border: its whole middle row remains.
    const across = Array.from({ length: 11 }, (_, r) => (r >= 3 && r <= 7 ? '#'.repeat(11) : '.'.repeat(11)));
    const line = Array.from({ length: 11 }, (_, r) => (r === 5 ? '#'.repeat(11) : '.'.repeat(11)));
    expect(picture(values(softSkeleton(tf.tensor(fromPicture(across), [1, 11, 11]))), 11)).toEqual(line);
    // One erosion step is not enough to reach the middle of a 5-wide bar.
    expect(values(softSkeleton(tf.tensor(fromPicture(bar), [1, 9, 13]), { iterations: 1 })).every((v) => v === 0)).toBe(true);
  });

  it('keeps a one-pixel line, gives a binary subset of a binary mask and values in [0, 1] on probabilities', () => {
    const plus = ['.....', '..#..', '.###.', '..#..', '.....'];
    const thinLine = ['.....', '.#...', '..#..', '...#.', '.....'];
    expect(picture(values(softSkeleton(tf.tensor(fromPicture(thinLine), [1, 5, 5]))), 5)).toEqual(thinLine);
    const r = rng(4);
    const mask = Array.from({ length: 8 * 8 }, () => (r() < 0.6 ? 1 : 0));
    const s = values(softSkeleton(tf.tensor(mask, [1, 8, 8]), { iterations: 4 }));
    s.forEach((v, i) => {
      expect(v === 0 || v === 1).toBe(true);
      expect(v).toBeLessThanOrEqual(mask[i]!);
    });
    expect(values(softSkeleton(tf.tensor(fromPicture(plus), [1, 5, 5]))).some((v) => v > 0)).toBe(true);
    const p = random(5, 64);
    for (const v of values(softSkeleton(tf.tensor(p, [1, 8, 8])))) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
  });

  it('has the gradient of the float64 reference (finite differences)', () => {
    const flat = random(6, 2 * 5 * 5);
    const weights = random(7, 2 * 5 * 5);
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(softSkeleton(x, { iterations: 2 }), tf.tensor(weights, [2, 5, 5, 1]))))(tf.tensor(flat, [2, 5, 5, 1]));
    const f = (x: number[]) => referenceBatch(x, 2, [5, 5], 1, 2).reduce((a, v, i) => a + v * weights[i]!, 0);
    expectClose(values(g), numericGradient(f, flat), 1e-4, 1e-6);
    expectFinite(g);
  });

  it('leaks no tensors', () => {
    const x = tf.tensor(random(8, 2 * 6 * 6 * 2), [2, 6, 6, 2]);
    expect(leakedTensors(() => softSkeleton(x))).toBe(0);
    expect(leakedTensors(() => tf.grad((v: tf.Tensor) => tf.sum(softSkeleton(v)))(x))).toBe(0);
    const vol = tf.tensor(random(9, 3 * 4 * 4), [1, 3, 4, 4, 1]);
    expect(leakedTensors(() => tf.grad((v: tf.Tensor) => tf.sum(softSkeleton(v)))(vol))).toBe(0);
    x.dispose();
    vol.dispose();
  });

  it('rejects bad input with a message naming the function, the argument, the rule and the value', () => {
    expect(() => softSkeleton([[0, 1], [1, 0]])).toThrow('softSkeleton: expected `image` to have shape [N,H,W], [N,H,W,C] or [N,D,H,W,C], got shape [2,2]');
    expect(() => softSkeleton([[[0, 1]]], { iterations: 1.5 })).toThrow('softSkeleton: expected `iterations` to be an integer >= 0, got 1.5 (number)');
    expect(() => softSkeleton([[[0, 1]]], { iterations: -1 })).toThrow('softSkeleton: expected `iterations` to be an integer >= 0, got -1 (number)');
    expect(() => softSkeleton([[[0, 1]]], { reduction: 'mean' } as never)).toThrow('softSkeleton: expected each option to be one of iterations, got `reduction`');
    expect(() => softSkeleton(tf.zeros([0, 2, 2]))).toThrow('softSkeleton: expected `image` to hold at least one element, got shape [0,2,2]');
  });
});
