import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createOptimizer, describeOptimizer, HostAdam, HostSgd, type OptimizerSpec } from './optimizers.js';
import { stream } from './random.js';

const SHAPES = [[3, 4], [4], [1]];
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

function variables(seed: number): tf.Variable[] {
  const random = stream(seed, 'optimizer-test');
  return SHAPES.map((shape) => tf.variable(tf.tensor(Float32Array.from({ length: size(shape) }, () => 2 * random() - 1), shape)));
}

function values(vs: readonly tf.Variable[]): number[][] {
  return vs.map((v) => Array.from(v.dataSync()));
}

const SPECS: { spec: OptimizerSpec; lr: number; reference: (lr: number) => tf.Optimizer }[] = [
  { spec: { kind: 'adam' }, lr: 0.01, reference: (lr) => tf.train.adam(lr) },
  { spec: { kind: 'sgd', momentum: 0 }, lr: 0.05, reference: (lr) => tf.train.sgd(lr) },
  { spec: { kind: 'sgd', momentum: 0.9 }, lr: 0.01, reference: (lr) => tf.train.momentum(lr, 0.9) },
];

describe('host optimisers', () => {
  for (const { spec, lr, reference } of SPECS) {
    it(`${describeOptimizer(spec)} follows its tfjs optimiser step for step, a variable without a gradient in some steps included`, () => {
      const ours = variables(1);
      const theirs = variables(1);
      const host = createOptimizer(spec, ours, lr);
      const tfjs = reference(lr);
      const random = stream(2, 'gradients');
      for (let step = 1; step <= 40; step++) {
        const grads = SHAPES.map((shape, i) => (i === 1 && step % 5 === 0 ? undefined : tf.tensor(Float32Array.from({ length: size(shape) }, () => 4 * random() - 2), shape)));
        host.update(grads);
        tfjs.applyGradients(Object.fromEntries(theirs.map((v, i) => [v.name, grads[i] ?? null])) as Record<string, tf.Variable>);
        tf.dispose(grads.filter((g) => g !== undefined));
      }
      const a = values(ours).flat();
      const b = values(theirs).flat();
      // Both round each weight to float32 once a step (ulp 1.2e-7 below 2), tfjs its state too:
      // 40 steps differ by at most 40 ulps.
      a.forEach((x, j) => {
        expect(Math.abs(x - (b[j] as number))).toBeLessThan(40 * 1.2e-7);
      });
      expect(values(ours)[0]).not.toEqual(values(variables(1))[0]);
      tfjs.dispose();
      tf.dispose([...ours, ...theirs]);
    });
  }

  it('Adam moves every weight by the learning rate against the gradient sign in the first step', () => {
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

  it('SGD with momentum takes η·g, then η·(1 + μ)·g for a constant gradient', () => {
    const vs = variables(4);
    const w0 = values(vs).flat();
    const grads = SHAPES.map((shape) => tf.fill(shape, 2));
    const sgd = new HostSgd(vs, 0.1, 0.5);
    sgd.update(grads);
    const w1 = values(vs).flat();
    sgd.update(grads);
    const w2 = values(vs).flat();
    w0.forEach((w, j) => {
      expect((w1[j] as number) - w).toBeCloseTo(-0.2, 6);
      expect((w2[j] as number) - (w1[j] as number)).toBeCloseTo(-0.3, 6);
    });
    tf.dispose([...vs, ...grads]);
  });

  for (const { spec } of SPECS) {
    it(`${describeOptimizer(spec)} takes snapshots that later updates leave alone, restores them, and leaves no tensor behind`, () => {
      const vs = variables(5);
      const host = createOptimizer(spec, vs, 0.1);
      const grads = SHAPES.map((shape) => tf.ones(shape));
      const before = tf.memory().numTensors;
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
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([...vs, ...grads]);
    });
  }

  it('names the optimisers', () => {
    expect(describeOptimizer({ kind: 'adam' })).toBe('adam');
    expect(describeOptimizer({ kind: 'sgd', momentum: 0 })).toBe('sgd');
    expect(describeOptimizer({ kind: 'sgd', momentum: 0.9 })).toBe('sgd(momentum=0.9)');
  });
});
