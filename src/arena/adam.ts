import * as tf from '@tensorflow/tfjs-core';

/**
 * Adam (Kingma & Ba, ICLR 2015) for the arena's small models, with the update of `tf.train.adam`:
 *
 *     m ← β₁·m + (1 − β₁)·g,   v ← β₂·v + (1 − β₂)·g²,
 *     w ← w − η · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
 *
 * computed on the host in one loop per variable instead of some fourteen tensor kernels per variable:
 * on models of a few thousand weights the kernels' fixed cost, not the arithmetic, is what Adam costs
 * (two fifths of a training step of the demo). Moments are kept in float64; a variable with no
 * gradient in a step keeps its weights and moments, and t still advances (as in tfjs).
 *
 * The weights handed to the variables are fresh arrays that are never written again, so
 * {@link HostAdam.weights} is a snapshot that costs nothing.
 */
export class HostAdam {
  private readonly first: Float64Array[];
  private readonly second: Float64Array[];
  private current: Float32Array[];
  private step = 0;

  constructor(
    private readonly variables: readonly tf.Variable[],
    private readonly learningRate: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-7,
  ) {
    this.first = variables.map((v) => new Float64Array(v.size));
    this.second = variables.map((v) => new Float64Array(v.size));
    this.current = variables.map((v) => Float32Array.from(v.dataSync() as Float32Array));
  }

  /** One update from the gradients of the variables, in their order (`undefined`: none this step). */
  update(gradients: readonly (tf.Tensor | undefined)[]): void {
    this.step++;
    const { beta1, beta2, epsilon, learningRate } = this;
    const correction1 = 1 - beta1 ** this.step;
    const correction2 = 1 - beta2 ** this.step;
    const next = this.current.slice();
    this.variables.forEach((variable, i) => {
      const gradient = gradients[i];
      if (gradient === undefined) return;
      const g = gradient.dataSync();
      const m = this.first[i] as Float64Array;
      const v = this.second[i] as Float64Array;
      const w = Float32Array.from(this.current[i] as Float32Array);
      for (let j = 0; j < w.length; j++) {
        const gj = g[j] as number;
        const mj = beta1 * (m[j] as number) + (1 - beta1) * gj;
        const vj = beta2 * (v[j] as number) + (1 - beta2) * gj * gj;
        m[j] = mj;
        v[j] = vj;
        w[j] = (w[j] as number) - (learningRate * (mj / correction1)) / (Math.sqrt(vj / correction2) + epsilon);
      }
      next[i] = w;
      assign(variable, w);
    });
    this.current = next;
  }

  /** The variables' current weights: arrays that no later update writes to. */
  weights(): Float32Array[] {
    return this.current.slice();
  }

  /** Puts weights taken by {@link weights} back into the variables (the moments are left as they are). */
  restore(weights: readonly Float32Array[]): void {
    this.current = weights.slice();
    this.variables.forEach((variable, i) => {
      assign(variable, weights[i] as Float32Array);
    });
  }
}

function assign(variable: tf.Variable, values: Float32Array): void {
  const tensor = tf.tensor(values, variable.shape, 'float32');
  variable.assign(tensor);
  tensor.dispose();
}
