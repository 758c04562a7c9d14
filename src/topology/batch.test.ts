import { describe, expect, it } from 'vitest';
import { batchSpatialShape, checkDimensionsForRank } from './batch.js';

describe('batchSpatialShape (the rank rule of the topology losses and metrics)', () => {
  it('reads [N,H,W] and [N,H,W,1] as images, [N,D,H,W] and [N,D,H,W,1] as volumes', () => {
    expect(batchSpatialShape([2, 5, 6])).toEqual([5, 6]);
    expect(batchSpatialShape([2, 5, 6, 1])).toEqual([5, 6]);
    expect(batchSpatialShape([2, 4, 5, 6])).toEqual([4, 5, 6]);
    expect(batchSpatialShape([2, 4, 5, 6, 1])).toEqual([4, 5, 6]);
    // The two readings of a 4D shape ending in 1: images with a channel; a volume one voxel wide has both axes.
    expect(batchSpatialShape([2, 4, 5, 1])).toEqual([4, 5]);
    expect(batchSpatialShape([2, 4, 5, 1, 1])).toEqual([4, 5, 1]);
  });

  it('rejects other ranks and channel counts', () => {
    for (const shape of [[], [3], [3, 4], [2, 4, 5, 6, 2], [1, 1, 1, 1, 1, 1]]) expect(batchSpatialShape(shape)).toBeUndefined();
  });
});

describe('checkDimensionsForRank', () => {
  it('defaults to every dimension of the rank and returns a valid list as it is', () => {
    expect(checkDimensionsForRank('f', undefined, 2)).toEqual([0, 1]);
    expect(checkDimensionsForRank('f', undefined, 3)).toEqual([0, 1, 2]);
    expect(checkDimensionsForRank('f', [1, 0], 2)).toEqual([1, 0]);
    expect(checkDimensionsForRank('f', [2], 3)).toEqual([2]);
  });

  it('throws the exact errors, saying why dimension 2 is refused on images', () => {
    expect(() => checkDimensionsForRank('f', [2], 2)).toThrow(
      'f: expected `dimensions` to be a non-empty list of distinct dimensions from [0, 1] for images (dimension 2 needs volumes [N,D,H,W] or [N,D,H,W,1]; a 4D shape ending in 1 is read as images [N,H,W,1]), got [2] (array)',
    );
    expect(() => checkDimensionsForRank('f', [0, 0], 2)).toThrow('f: expected `dimensions` to be a non-empty list of distinct dimensions from [0, 1], got [0,0] (array)');
    expect(() => checkDimensionsForRank('f', [0, 3], 3)).toThrow('f: expected `dimensions` to be a non-empty list of distinct dimensions from [0, 1, 2], got [0,3] (array)');
  });
});
