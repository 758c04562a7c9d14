import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { HostAdam } from './adam.js';
import { stream } from './random.js';

const SHAPES = [[3, 4], [4], [1]];

function variables(seed: number): tf.Variable[] {
  const random = stream(seed, 'adam-test');
  return SHAPES.map((shape) => tf.variable(tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 2 * random() - 1), shape)));
}

function values(vs: readonly tf.Variable[]): number[][] {
  return vs.map((v) => Array.from(v.dataSync()));
}

describe('HostAdam', () => {
  it('follows tf.train.adam step for step, a variable without a gradient in some steps included', () => {
    const ours = variables(1);
    const theirs = variables(1);
    const host = new HostAdam(ours, 0.01);
    const reference = tf.train.adam(0.01);
    const random = stream(2, 'gradients');
    for (let step = 1; step <= 40; step++) {
      const grads = SHAPES.map((shape, i) => (i === 1 && step % 5 === 0 ? undefined : tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 4 * random() - 2), shape)));
      host.update(grads);
      reference.applyGradients(Object.fromEntries(theirs.map((v, i) => [v.name, grads[i] ?? null])) as Record<string, tf.Variable>);
      tf.dispose(grads.filter((g) => g !== undefined));
    }
    const a = values(ours).flat();
    const b = values(theirs).flat();
    // Both round each weight to float32 once a step (ulp 1.2e-7 below 2), tfjs its moments too:
    // 40 steps differ by at most 40 ulps.
    a.forEach((x, j) => {
      expect(Math.abs(x - (b[j] as number))).toBeLessThan(40 * 1.2e-7);
    });
    expect(values(ours)[0]).not.toEqual(values(variables(1))[0]);
    reference.dispose();
    tf.dispose([...ours, ...theirs]);
  });

  it('moves every weight by the learning rate against the gradient sign in the first step', () => {
    const vs = variables(3);
    const before = values(vs).flat();
    const grads = SHAPES.map((shape, i) => tf.fill(shape, i === 0 ? 0.3 : -7));
    new HostAdam(vs, 0.05).update(grads);
    const after = values(vs).flat();
    // m̂ = g and v̂ = g² after one step: the step is η·g / (|g| + ε).
    after.forEach((w, j) => {
      expect(w - (before[j] as number)).toBeCloseTo(j < 12 ? -0.05 : 0.05, 6);
    });
    tf.dispose([...vs, ...grads]);
  });

  it('takes snapshots that later updates leave alone, and restores them', () => {
    const vs = variables(4);
    const host = new HostAdam(vs, 0.1);
    const grads = SHAPES.map((shape) => tf.ones(shape));
    host.update(grads);
    const snapshot = host.weights();
    const copy = snapshot.map((w) => Array.from(w));
    host.update(grads);
    host.update(grads);
    expect(snapshot.map((w) => Array.from(w))).toEqual(copy);
    expect(values(vs)).not.toEqual(copy);
    host.restore(snapshot);
    expect(values(vs)).toEqual(copy);
    host.update(grads);
    expect(snapshot.map((w) => Array.from(w))).toEqual(copy);
    tf.dispose([...vs, ...grads]);
  });

  it('leaves no tensor behind', () => {
    const vs = variables(5);
    const grads = SHAPES.map((shape) => tf.ones(shape));
    const host = new HostAdam(vs, 0.1);
    const before = tf.memory().numTensors;
    host.update(grads);
    host.restore(host.weights());
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([...vs, ...grads]);
  });
});
