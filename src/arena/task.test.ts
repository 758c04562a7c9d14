import { describe, expect, it } from 'vitest';
import { inputErrorOf } from '../../test/arena-errors.js';
import type { RawDataset } from './dataset.js';
import { encodeTarget, inferTask, MAX_INFERRED_CLASSES } from './task.js';

function raw(target: string[], extra: Partial<RawDataset> = {}): RawDataset {
  return {
    name: 't',
    source: 't.csv',
    digest: '0',
    numSamples: target.length,
    numFeatures: 1,
    features: Float64Array.from(target, (_, i) => i),
    featureNames: ['x'],
    targetName: 'label',
    target,
    ...extra,
  };
}


describe('inferTask', () => {
  it('reads strings and few integers as classes, and reals or many integers as regression', () => {
    expect(inferTask(['a', 'b', 'a'])).toBe('binary');
    expect(inferTask(['0', '1', '2'])).toBe('multiclass');
    expect(inferTask(['1', '2', '1'])).toBe('binary');
    expect(inferTask(['0.5', '1', '2'])).toBe('regression');
    const many = Array.from({ length: MAX_INFERRED_CLASSES + 1 }, (_, i) => String(i));
    expect(inferTask(many)).toBe('regression');
    expect(inferTask(many.slice(1))).toBe('multiclass');
  });
});

describe('encodeTarget', () => {
  it('puts the rarer class at index 1 of a binary task, or the one --positive names', () => {
    const data = raw(['no', 'yes', 'no', 'no']);
    const enc = encodeTarget(data);
    expect(enc.task).toBe('binary');
    expect(enc.classes).toEqual(['no', 'yes']);
    expect(Array.from(enc.y)).toEqual([0, 1, 0, 0]);
    const flipped = encodeTarget(raw(['b', 'a', 'b', 'b']));
    expect(flipped.classes).toEqual(['b', 'a']);
    expect(Array.from(flipped.y)).toEqual([0, 1, 0, 0]);
    const chosen = encodeTarget(data, { positive: 'no' });
    expect(chosen.classes).toEqual(['yes', 'no']);
    expect(Array.from(chosen.y)).toEqual([1, 0, 1, 1]);
  });

  it('orders classes numerically, or as the set declares them', () => {
    const enc = encodeTarget(raw(['10', '2', '1', '2']));
    expect(enc.classes).toEqual(['1', '2', '10']);
    expect(Array.from(enc.y)).toEqual([2, 1, 0, 1]);
    const declared = encodeTarget(raw(['c', 'a', 'b'], { classOrder: ['c', 'b', 'a', 'unused'] }));
    expect(declared.classes).toEqual(['c', 'b', 'a']);
  });

  it('keeps regression targets as numbers, and follows --task', () => {
    const enc = encodeTarget(raw(['1.5', '2', '-3']));
    expect(enc.task).toBe('regression');
    expect(enc.classes).toBeUndefined();
    expect(Array.from(enc.y)).toEqual([1.5, 2, -3]);
    expect(encodeTarget(raw(['0', '1', '1']), { task: 'regression' }).task).toBe('regression');
    expect(encodeTarget(raw(['0', '1', '1']), { task: 'multiclass' }).classes).toEqual(['0', '1']);
  });

  it('rejects targets the task cannot use, in one line', () => {
    expect(inputErrorOf(() => encodeTarget(raw(['a', 'a', 'a'])))).toBe('target column "label" has a single class ("a"); the arena needs at least 2');
    expect(inputErrorOf(() => encodeTarget(raw(['a', 'b', 'c']), { task: 'binary' }))).toBe('target column "label" has 3 classes ("a", "b", "c"); a binary task needs exactly 2');
    expect(inputErrorOf(() => encodeTarget(raw(['a', 'b']), { task: 'regression' }))).toBe('target column "label" must hold numbers for a regression task, got "a"');
    expect(inputErrorOf(() => encodeTarget(raw(['a', 'b']), { positive: 'c' }))).toBe('--positive "c" is not a class of the target column "label" ("a", "b")');
    expect(inputErrorOf(() => encodeTarget(raw(['a', 'b', 'c']), { positive: 'a' }))).toBe('--positive applies to binary tasks only');
  });
});
