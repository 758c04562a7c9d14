import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { rng } from '../../test/helpers.js';
import { loadRoadMask, ROAD_MASKS } from '../../test/roads.js';
import { floodFillBetti } from '../../test/topology-reference.js';
import { bettiNumbers } from './bettiNumbers.js';

const toRows = (data: ArrayLike<number>, h: number, w: number, inside: (v: number) => boolean) =>
  Array.from({ length: h }, (_, r) => Array.from({ length: w }, (_, c) => inside(data[r * w + c] as number)));

describe('bettiNumbers', () => {
  it('counts a ring, a filled square and a grid', () => {
    expect(
      bettiNumbers([
        [1, 1, 1],
        [1, 0, 1],
        [1, 1, 1],
      ]),
    ).toEqual([1, 1]);
    expect(bettiNumbers(Array.from({ length: 3 }, () => [1, 1, 1]))).toEqual([1, 0]);
    const grid = Array.from({ length: 10 }, (_, r) => Array.from({ length: 10 }, (_, c) => (r % 3 === 0 || c % 3 === 0 ? 1 : 0)));
    expect(bettiNumbers(grid)).toEqual([1, 9]);
    expect(bettiNumbers([[0, 0]])).toEqual([0, 0]);
  });

  it.each(ROAD_MASKS)('gives the road mask %s the Betti numbers of a flood fill', (name) => {
    const { data, height, width } = loadRoadMask(name);
    const expected = floodFillBetti(toRows(data, height, width, (v) => v >= 0.5));
    expect(bettiNumbers({ data, shape: [height, width] })).toEqual(expected);
    expect(expected[0]).toBeGreaterThan(0);
    expect(expected[1]).toBeGreaterThan(0);
  });

  it('thresholds probability maps at t: {x >= t} (superlevel) and {x <= t} (sublevel)', () => {
    const r = rng(2);
    for (let k = 0; k < 30; k++) {
      const data = Array.from({ length: 8 * 9 }, () => Math.round(10 * r()) / 10);
      const t = [0.3, 0.5, 0.7][k % 3] as number;
      expect(bettiNumbers({ data, shape: [8, 9] }, { threshold: t })).toEqual(floodFillBetti(toRows(data, 8, 9, (v) => v >= t)));
      expect(bettiNumbers({ data, shape: [8, 9] }, { threshold: t, filtration: 'sublevel' })).toEqual(floodFillBetti(toRows(data, 8, 9, (v) => v <= t)));
    }
  });

  it('reads a tensor', () => {
    const t = tf.tensor2d([
      [1, 1, 1],
      [1, 0, 1],
      [1, 1, 1],
    ]);
    expect(bettiNumbers(t, { threshold: 1 })).toEqual([1, 1]);
    t.dispose();
  });

  it('throws the exact error for bad options', () => {
    expect(() => bettiNumbers([[1]], { threshold: Number.NaN })).toThrow('bettiNumbers: expected `threshold` to be a finite number, got NaN (number)');
    expect(() => bettiNumbers([[1]], { relative: true } as never)).toThrow('bettiNumbers: expected each option to be one of threshold, filtration, got `relative`');
    expect(() => bettiNumbers([1] as never)).toThrow('bettiNumbers: expected `image` to be a 2D image [H, W], got shape [1]');
  });
});
