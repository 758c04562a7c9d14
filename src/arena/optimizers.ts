import * as tf from '@tensorflow/tfjs-core';

/** The optimiser of a run: Adam (the default) or SGD with heavy-ball momentum (0: plain SGD). */
export type OptimizerSpec = { kind: 'adam' } | { kind: 'sgd'; momentum: number };

/** How results name an optimiser: `adam`, `sgd`, `sgd(momentum=0.9)`. */
export function describeOptimizer(spec: OptimizerSpec): string {
  return spec.kind === 'sgd' && spec.momentum > 0 ? `sgd(momentum=${spec.momentum})` : spec.kind;
}

/**
 * An optimiser of the arena's small models that updates the weights on the host, one loop per
 * variable, instead of running a dozen tensor kernels per variable: on models of a few thousand
 * weights the kernels' fixed cost, not the arithmetic, is what the update costs (with Adam, two
 * fifths of a training step of the demo). State is kept in float64. A variable with no gradient in a
 * step keeps its weights and its state.
 *
 * The weights handed to the variables are fresh arrays that are never written again, so
 * {@link HostOptimizer.weights} is a snapshot that costs nothing.
 */
export abstract class HostOptimizer {
  private current: Float32Array[];

  constructor(
    private readonly variables: readonly tf.Variable[],
    protected readonly learningRate: number,
  ) {
    this.current = variables.map((v) => Float32Array.from(v.dataSync() as Float32Array));
  }

  /** Called once per update, before the variables. */
  protected abstract beginStep(): void;

  /** Updates the weights `w` of variable `index` in place from its gradient `g`. */
  protected abstract step(index: number, g: ArrayLike<number>, w: Float32Array): void;

  /** One update from the gradients of the variables, in their order (`undefined`: none this step). */
  update(gradients: readonly (tf.Tensor | undefined)[]): void {
    this.beginStep();
    const next = this.current.slice();
    this.variables.forEach((variable, i) => {
      const gradient = gradients[i];
      if (gradient === undefined) return;
      const w = Float32Array.from(this.current[i] as Float32Array);
      this.step(i, gradient.dataSync(), w);
      next[i] = w;
      assign(variable, w);
    });
    this.current = next;
  }

  /** The variables' current weights: arrays that no later update writes to. */
  weights(): Float32Array[] {
    return this.current.slice();
  }

  /** Puts weights taken by {@link weights} back into the variables (the optimiser's state is left as it is). */
  restore(weights: readonly Float32Array[]): void {
    this.current = weights.slice();
    this.variables.forEach((variable, i) => {
      assign(variable, weights[i] as Float32Array);
    });
  }
}

/**
 * Adam (Kingma & Ba, ICLR 2015) with the update of `tf.train.adam` (and Keras):
 *
 *     m ← β₁·m + (1 − β₁)·g,   v ← β₂·v + (1 − β₂)·g²,
 *     w ← w − η · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
 *
 * t counts every update, also for a variable without a gradient in it (as in tfjs).
 */
export class HostAdam extends HostOptimizer {
  private readonly first: Float64Array[];
  private readonly second: Float64Array[];
  private t = 0;
  private correction1 = 1;
  private correction2 = 1;

  constructor(
    variables: readonly tf.Variable[],
    learningRate: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-7,
  ) {
    super(variables, learningRate);
    this.first = variables.map((v) => new Float64Array(v.size));
    this.second = variables.map((v) => new Float64Array(v.size));
  }

  protected beginStep(): void {
    this.t++;
    this.correction1 = 1 - this.beta1 ** this.t;
    this.correction2 = 1 - this.beta2 ** this.t;
  }

  protected step(index: number, g: ArrayLike<number>, w: Float32Array): void {
    const { beta1, beta2, epsilon, learningRate, correction1, correction2 } = this;
    const m = this.first[index] as Float64Array;
    const v = this.second[index] as Float64Array;
    for (let j = 0; j < w.length; j++) {
      const gj = g[j] as number;
      const mj = beta1 * (m[j] as number) + (1 - beta1) * gj;
      const vj = beta2 * (v[j] as number) + (1 - beta2) * gj * gj;
      m[j] = mj;
      v[j] = vj;
      w[j] = (w[j] as number) - (learningRate * (mj / correction1)) / (Math.sqrt(vj / correction2) + epsilon);
    }
  }
}

/**
 * SGD with heavy-ball momentum μ, the update of `tf.train.momentum` (and of PyTorch's SGD without
 * dampening or Nesterov): u ← μ·u + g, w ← w − η·u. μ = 0 is plain SGD, `tf.train.sgd`.
 */
export class HostSgd extends HostOptimizer {
  private readonly velocity: Float64Array[];

  constructor(
    variables: readonly tf.Variable[],
    learningRate: number,
    private readonly momentum = 0,
  ) {
    super(variables, learningRate);
    this.velocity = variables.map((v) => new Float64Array(v.size));
  }

  protected beginStep(): void {}

  protected step(index: number, g: ArrayLike<number>, w: Float32Array): void {
    const { momentum, learningRate } = this;
    const u = this.velocity[index] as Float64Array;
    for (let j = 0; j < w.length; j++) {
      const uj = momentum * (u[j] as number) + (g[j] as number);
      u[j] = uj;
      w[j] = (w[j] as number) - learningRate * uj;
    }
  }
}

/** The host optimiser of a spec for these variables. */
export function createOptimizer(spec: OptimizerSpec, variables: readonly tf.Variable[], learningRate: number): HostOptimizer {
  return spec.kind === 'adam' ? new HostAdam(variables, learningRate) : new HostSgd(variables, learningRate, spec.momentum);
}

function assign(variable: tf.Variable, values: Float32Array): void {
  const tensor = tf.tensor(values, variable.shape, 'float32');
  variable.assign(tensor);
  tensor.dispose();
}
