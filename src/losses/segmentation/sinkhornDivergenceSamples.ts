import * as tf from '@tensorflow/tfjs-core';
import { checkOptionKeys } from '../_shared/option-keys.js';
import { readSampleSets } from '../_shared/sample-sets.js';
import { boundingDiameter, epsilonSchedule, halfSquaredCosts, type SinkhornSettings, sinkhornLoop, softmin } from '../_shared/sinkhorn.js';
import type { ParamSpecs } from '../_shared/spec.js';
import { stopGradient } from '../_shared/stop-gradient.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { checkOptions } from '../_shared/validate.js';

const NAME = 'sinkhornDivergenceSamples';

export interface SinkhornDivergenceSamplesOptions {
  /** Blur σ > 0: the temperature is ε = σ² (GeomLoss `blur`). @defaultValue `0.05` */
  blur?: number;
  /** Ratio of successive blurs of the ε-scaling schedule, in (0, 1) (GeomLoss `scaling`). @defaultValue `0.5` */
  scaling?: number;
  /** Subtract the self-transport terms, S = OT(α,β) − ½OT(α,α) − ½OT(β,β) (GeomLoss `debias`). @defaultValue `true` */
  debias?: boolean;
  /** Extra updates at ε = blur² after the schedule, until the potentials settle (0: GeomLoss's schedule only). @defaultValue `1000` */
  iterations?: number;
}

export const SINKHORN_PARAMS: ParamSpecs = {
  blur: { kind: 'number', default: 0.05, min: 0, exclusiveMin: true, doc: 'Sinkhorn blur σ, temperature ε = σ² (GeomLoss blur)' },
  scaling: { kind: 'number', default: 0.5, min: 0, max: 1, exclusiveMin: true, exclusiveMax: true, doc: 'Sinkhorn ε-scaling ratio of successive blurs (GeomLoss scaling)' },
  debias: { kind: 'boolean', default: true, doc: 'Sinkhorn: de-biased divergence OT(α,β) − ½OT(α,α) − ½OT(β,β)' },
  iterations: { kind: 'number', default: 1000, min: 0, integer: true, doc: 'Sinkhorn: extra updates at the final temperature until the potentials settle (0: GeomLoss schedule only)' },
};

/** −ε log Σ_j exp(h_j − C_ij/ε) on the tape, `[B, n]`, for costs `[B, n, m]` and constants h `[B, m]`. */
function softminOnTape(eps: number, cost: tf.Tensor, h: Float32Array, batch: number, m: number): tf.Tensor {
  return tf.mul(-eps, tf.logSumExp(tf.sub(tf.expandDims(tf.tensor2d(h, [batch, m]), 1), tf.div(cost, eps)), -1));
}

/** ½‖a_i − b_j‖², `[B, n, m]`, from summed differences (no cancellation in float32 for large D). */
function halfSquared(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.mul(0.5, tf.sum(tf.square(tf.sub(tf.expandDims(a, 2), tf.expandDims(b, 1))), -1));
}

const mean = (v: Float64Array) => v.reduce((s, a) => s + a, 0) / v.length;

/**
 * The de-biased Sinkhorn divergence with uniform weights of point sets already read, `[B]` (for
 * the losses that validate their own inputs). The potentials are solved on the CPU in float64 and
 * the value is their float64 result; the gradient is that of GeomLoss's last, differentiable
 * update: each potential on the side of x is a soft C-transform of C(x, ·) against the constant
 * potentials and points of the other side (the same for y), so x and y each move through their own
 * costs only.
 */
export function sinkhornDivergenceOfSets(x: tf.Tensor3D, y: tf.Tensor3D, settings: SinkhornSettings): tf.Tensor1D {
  const [batch, n, dim] = x.shape;
  const m = y.shape[1];
  const xs = x.dataSync();
  const ys = y.dataSync();
  const xClouds = Array.from({ length: batch }, (_, b) => Float64Array.from(xs.subarray(b * n * dim, (b + 1) * n * dim)));
  const yClouds = Array.from({ length: batch }, (_, b) => Float64Array.from(ys.subarray(b * m * dim, (b + 1) * m * dim)));
  // One schedule for the batch, from the diameter of all its points (GeomLoss scaling_parameters).
  const schedule = epsilonSchedule(boundingDiameter([...xClouds, ...yClouds], dim), settings.blur, settings.scaling);
  const eps = settings.blur * settings.blur;
  // h = log weights + potential/ε of the side each last update integrates over.
  const hXY = new Float32Array(batch * m);
  const hYX = new Float32Array(batch * n);
  const hXX = new Float32Array(batch * n);
  const hYY = new Float32Array(batch * m);
  const value = new Float32Array(batch);
  for (let b = 0; b < batch; b++) {
    const xb = xClouds[b] as Float64Array;
    const yb = yClouds[b] as Float64Array;
    const { fBA, gAB, fAA, gBB } = sinkhornLoop(xb, n, yb, m, dim, schedule, settings);
    // The last update, in float64: its potentials give the value.
    let v = mean(softmin(eps, halfSquaredCosts(xb, n, yb, m, dim), n, m, gAB)) + mean(softmin(eps, halfSquaredCosts(yb, m, xb, n, dim), m, n, fBA));
    if (settings.debias) {
      v -= mean(softmin(eps, halfSquaredCosts(xb, n, xb, n, dim), n, n, fAA)) + mean(softmin(eps, halfSquaredCosts(yb, m, yb, m, dim), m, m, gBB));
    }
    value[b] = v;
    for (let j = 0; j < m; j++) {
      hXY[b * m + j] = -Math.log(m) + (gAB[j] as number) / eps;
      hYY[b * m + j] = -Math.log(m) + (gBB[j] as number) / eps;
    }
    for (let i = 0; i < n; i++) {
      hYX[b * n + i] = -Math.log(n) + (fBA[i] as number) / eps;
      hXX[b * n + i] = -Math.log(n) + (fAA[i] as number) / eps;
    }
  }
  // The same last update on the tape, with the second argument of each cost detached (GeomLoss's
  // C(x, y.detach()), C(y, x.detach()), ...): it carries the gradient, not the value.
  const xc = stopGradient(x);
  const yc = stopGradient(y);
  let tape = tf.add(tf.mean(softminOnTape(eps, halfSquared(x, yc), hXY, batch, m), 1), tf.mean(softminOnTape(eps, halfSquared(y, xc), hYX, batch, n), 1));
  if (settings.debias) {
    const self = tf.add(tf.mean(softminOnTape(eps, halfSquared(x, xc), hXX, batch, n), 1), tf.mean(softminOnTape(eps, halfSquared(y, yc), hYY, batch, m), 1));
    tape = tf.sub(tape, self);
  }
  // float64 value, gradient of the tape: value + (tape − sg(tape)).
  return tf.add(tf.tensor1d(value), tf.sub(tape, stopGradient(tape))) as tf.Tensor1D;
}

/**
 * De-biased Sinkhorn divergence between two sets of samples with uniform weights, per batch
 * element, as GeomLoss's `SamplesLoss("sinkhorn", p=2, blur, scaling, debias)` computes it
 * (PULASki's distance mode 2).
 *
 * For sets x_1..x_N and y_1..y_M in R^D, weights α = 1/N, β = 1/M, C(x, y) = ½‖x − y‖², ε = blur²:
 *
 *     OT_ε(α, β) = min_π ⟨π, C⟩ + ε KL(π ‖ α⊗β) = ⟨α, f⟩ + ⟨β, g⟩   (optimal dual potentials f, g)
 *     S_ε(α, β)  = OT_ε(α, β) − ½ OT_ε(α, α) − ½ OT_ε(β, β)          (OT_ε(α, β) with debias: false)
 *
 * Entropic optimal transport matches the points of the two sets softly at the scale blur; the
 * de-biasing removes the entropic bias, so S is >= 0 and 0 when the sets coincide, interpolating
 * between optimal transport (blur → 0) and an MMD (blur → ∞). As GeomLoss: ε-scaling from the
 * squared diameter of all points of the batch down to blur², symmetric averaged log-domain updates,
 * one last update whose potentials carry the gradient (earlier ones detached); then, unlike
 * GeomLoss, more updates at ε = blur² until the potentials settle (`iterations`; 0 gives GeomLoss's
 * schedule alone), so the value is the divergence the gradient belongs to. The potentials are
 * solved on the CPU in float64 and the value is returned from them; both x and y get gradients.
 * Only the cost p = 2 is implemented (GeomLoss's `p`).
 *
 * @param x - Points `[B, N, D]` (or one set `[N, D]`).
 * @param y - Points `[B, M, D]` (or `[M, D]`), the same B and D.
 * @returns `[B]` (a scalar for unbatched sets): no reduction.
 *
 * @example
 * // between two single points it is the cost itself: ½‖x − y‖²
 * sinkhornDivergenceSamples([[0.2, 0.5, 0.9]], [[1, 0, 1]]).print(); // 0.45
 *
 * @see J. Feydy, T. Séjourné, F.-X. Vialard, S. Amari, A. Trouvé, G. Peyré, Interpolating between
 * Optimal Transport and MMD using Sinkhorn Divergences, AISTATS 2019, https://arxiv.org/abs/1810.08278;
 * S. Chatterjee et al., PULASki, Medical Image Analysis 2025, https://arxiv.org/abs/2312.15686
 */
function sinkhornDivergenceSamples_(x: TensorInput, y: TensorInput, options: SinkhornDivergenceSamplesOptions = {}): tf.Tensor {
  checkOptionKeys(NAME, options, Object.keys(SINKHORN_PARAMS));
  checkOptions(NAME, SINKHORN_PARAMS, options);
  const { blur = 0.05, scaling = 0.5, debias = true, iterations = 1000 } = options;
  const sets = readSampleSets(NAME, x, y);
  const value = sinkhornDivergenceOfSets(sets.x, sets.y, { blur, scaling, debias, iterations });
  return sets.batched ? value : tf.reshape(value, []);
}

export const sinkhornDivergenceSamples = /* @__PURE__ */ tf.op({ sinkhornDivergenceSamples_ });
