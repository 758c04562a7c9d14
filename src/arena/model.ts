import * as tf from '@tensorflow/tfjs-core';
import { standardNormals } from '../losses/_shared/random.js';
import { conv3x3, maxPool2x2, neighbourhoods, poolWindows } from './conv.js';
import { stream } from './random.js';

/** The network the arena trains: an MLP, or a small CNN for single-channel images. */
export interface ModelSpec {
  kind: 'mlp' | 'cnn';
  /** Widths of the hidden dense layers (ReLU). */
  hidden: number[];
}

/** Filters of the CNN's two 3x3 convolutions (each followed by ReLU and 2x2 max-pooling). */
export const CNN_FILTERS = [8, 16] as const;

/** How results name a model: `mlp(32,16)`, `cnn(conv8,conv16,32)`. */
export function describeModel(spec: ModelSpec): string {
  const layers = spec.kind === 'cnn' ? [...CNN_FILTERS.map((f) => `conv${f}`), ...spec.hidden] : spec.hidden;
  return `${spec.kind}(${layers.join(',')})`;
}

export interface Model {
  /** The trainable weights, in a fixed order. */
  variables: tf.Variable[];
  /** Predictions for inputs `[N, numFeatures]`: `[N, units]`, or `[N]` for a one-unit head. */
  apply(x: tf.Tensor2D): tf.Tensor;
  /**
   * The same predictions, row-major, for evaluation: an MLP computes them in float64 on the host
   * from its current weights (for inputs of a few thousand numbers this takes a fraction of the
   * kernels' fixed cost), a CNN by {@link apply}.
   */
  predict(x: Float32Array, n: number): Float64Array;
  dispose(): void;
}

export interface ModelShape {
  numFeatures: number;
  imageShape?: [number, number];
  /** Output units: C for logits, 1 for one score per sample. */
  units: number;
  /**
   * Width of the head the initial weights are drawn for: the number of classes (at least 2) for
   * classification, 1 for regression. A one-unit head on a 2-class head's draw takes the difference of
   * its two columns, so its initial score equals the 2-unit head's logit difference: every loss starts
   * from the same predicted probabilities.
   */
  headWidth: number;
}

/** A trainable variable holding `values` (the initial tensor is not kept). */
function variable(values: Float32Array, shape: number[]): tf.Variable {
  const initial = tf.tensor(values, shape);
  const v = tf.variable(initial);
  initial.dispose();
  return v;
}

/** He-normal weights `[fanIn, fanOut]` (or a conv kernel with that fan-in): N(0, 2 / fanIn). */
function heNormal(random: () => number, shape: number[], fanIn: number): tf.Variable {
  const values = standardNormals(random, shape.reduce((a, b) => a * b, 1)).map((v) => v * Math.sqrt(2 / fanIn));
  return variable(Float32Array.from(values), shape);
}

function zeros(n: number): tf.Variable {
  return variable(new Float32Array(n), [n]);
}

/**
 * Builds the model with weights drawn from the seed: hidden layers He-normal, the head Glorot-uniform,
 * U(±√(6 / (fanIn + headWidth))), biases zero. Same seed, same shape: same weights.
 */
export function createModel(spec: ModelSpec, shape: ModelShape, seed: number): Model {
  const random = stream(seed, 'init-hidden');
  const variables: tf.Variable[] = [];
  const convs: { kernel: tf.Variable; bias: tf.Variable; patches: tf.Tensor3D; windows: tf.Tensor3D[] }[] = [];
  let width = shape.numFeatures;
  if (spec.kind === 'cnn') {
    if (shape.imageShape === undefined) throw new Error('createModel: a CNN needs an image shape');
    let [h, w] = shape.imageShape;
    let channels = 1;
    for (const filters of CNN_FILTERS) {
      const kernel = heNormal(random, [3, 3, channels, filters], 9 * channels);
      const bias = zeros(filters);
      convs.push({ kernel, bias, patches: neighbourhoods(h, w), windows: poolWindows(h, w) });
      variables.push(kernel, bias);
      channels = filters;
      h = Math.ceil(h / 2);
      w = Math.ceil(w / 2);
    }
    width = h * w * channels;
  }
  const dense: { weight: tf.Variable; bias: tf.Variable }[] = [];
  for (const units of spec.hidden) {
    const weight = heNormal(random, [width, units], width);
    const bias = zeros(units);
    dense.push({ weight, bias });
    variables.push(weight, bias);
    width = units;
  }
  const headRandom = stream(seed, 'init-head');
  const limit = Math.sqrt(6 / (width + shape.headWidth));
  const draw = Array.from({ length: width * shape.headWidth }, () => (2 * headRandom() - 1) * limit);
  let head: number[];
  if (shape.units === shape.headWidth) head = draw;
  else if (shape.units === 1 && shape.headWidth === 2) head = Array.from({ length: width }, (_, i) => (draw[2 * i + 1] as number) - (draw[2 * i] as number));
  else throw new Error(`createModel: a ${shape.units}-unit head cannot share a ${shape.headWidth}-wide initial draw`);
  const headWeight = variable(Float32Array.from(head), [width, shape.units]);
  const headBias = zeros(shape.units);
  variables.push(headWeight, headBias);

  return {
    variables,
    apply(x) {
      return tf.tidy(() => {
        let h: tf.Tensor = x;
        if (convs.length > 0) {
          // Images as [N, pixels, channels]; flattening them keeps the [h, w, c] order.
          let img = tf.reshape(x, [x.shape[0], -1, 1]) as tf.Tensor3D;
          for (const { kernel, bias, patches, windows } of convs) {
            img = maxPool2x2(tf.relu(tf.add(conv3x3(img, kernel as tf.Tensor4D, patches), bias)) as tf.Tensor3D, windows);
          }
          h = tf.reshape(img, [x.shape[0], -1]);
        }
        for (const { weight, bias } of dense) h = tf.relu(tf.add(tf.matMul(h as tf.Tensor2D, weight as tf.Tensor2D), bias));
        const out = tf.add(tf.matMul(h as tf.Tensor2D, headWeight as tf.Tensor2D), headBias);
        return shape.units === 1 ? tf.reshape(out, [x.shape[0]]) : out;
      });
    },
    predict(x, n) {
      if (convs.length > 0) {
        const input = tf.tensor2d(x, [n, shape.numFeatures]);
        const out = this.apply(input);
        const values = new Float64Array(out.dataSync());
        tf.dispose([input, out]);
        return values;
      }
      // One element type through every layer keeps the inner loops monomorphic.
      let h: Float64Array = new Float64Array(x);
      let k = shape.numFeatures;
      for (const { weight, bias } of dense) {
        h = denseOnHost(h, n, k, weight, bias, true);
        k = weight.shape[1] as number;
      }
      return denseOnHost(h, n, k, headWeight, headBias, false);
    },
    dispose() {
      for (const v of variables) v.dispose();
      for (const { patches, windows } of convs) tf.dispose([patches, ...windows]);
    },
  };
}

/**
 * `max(0, x·W + b)` (or `x·W + b`) for row-major `x` `[rows, k]` and a dense layer's weight `[k, units]`,
 * in float64: the weight is transposed so that each output is a dot product of two contiguous rows,
 * and four input rows share each weight row read.
 */
function denseOnHost(x: Float64Array, rows: number, k: number, weight: tf.Variable, bias: tf.Variable, relu: boolean): Float64Array {
  const units = weight.shape[1] as number;
  const w = weight.dataSync();
  const b = new Float64Array(bias.dataSync());
  const wt = new Float64Array(units * k);
  for (let p = 0; p < k; p++) for (let j = 0; j < units; j++) wt[j * k + p] = w[p * units + j] as number;
  const out = new Float64Array(rows * units);
  let i = 0;
  for (; i + 3 < rows; i += 4) {
    const r0 = i * k;
    const r1 = r0 + k;
    const r2 = r1 + k;
    const r3 = r2 + k;
    for (let j = 0; j < units; j++) {
      const wj = j * k;
      const bj = b[j] as number;
      let s0 = bj;
      let s1 = bj;
      let s2 = bj;
      let s3 = bj;
      for (let p = 0; p < k; p++) {
        const wp = wt[wj + p] as number;
        s0 += (x[r0 + p] as number) * wp;
        s1 += (x[r1 + p] as number) * wp;
        s2 += (x[r2 + p] as number) * wp;
        s3 += (x[r3 + p] as number) * wp;
      }
      out[i * units + j] = s0;
      out[(i + 1) * units + j] = s1;
      out[(i + 2) * units + j] = s2;
      out[(i + 3) * units + j] = s3;
    }
  }
  for (; i < rows; i++) {
    for (let j = 0; j < units; j++) {
      let sum = b[j] as number;
      for (let p = 0; p < k; p++) sum += (x[i * k + p] as number) * (wt[j * k + p] as number);
      out[i * units + j] = sum;
    }
  }
  if (relu) for (let j = 0; j < out.length; j++) if ((out[j] as number) < 0) out[j] = 0;
  return out;
}
