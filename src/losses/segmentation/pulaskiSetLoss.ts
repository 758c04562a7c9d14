import * as tf from '@tensorflow/tfjs-core';
import { fail, formatShape } from '../_shared/errors.js';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import { boundingDiameter, epsilonSchedule, halfSquaredCosts, type SinkhornSettings, sinkhornLoop, softmin } from '../_shared/sinkhorn.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import { type TensorInput, toFloat } from '../_shared/to-tensor.js';
import { checkNotEmpty, checkOptions, checkValuesInRange } from '../_shared/validate.js';

const NAME = 'pulaskiSetLoss';

/** Squared distances below this are clamped before the square root (GeomLoss `distances`). */
const MIN_SQUARED_DISTANCE = 1e-8;

export const PULASKI_DISTANCES = ['energy', 'sinkhorn'] as const;
export type PulaskiDistance = (typeof PULASKI_DISTANCES)[number];

export interface PulaskiSetLossOptions extends ReductionOptions {
  /**
   * `'energy'`: the energy distance, what the official code's default mode 3 ("Hausdorff", GeomLoss
   * `"hausdorff"` with the energy kernel) computes; `'sinkhorn'`: the de-biased Sinkhorn divergence
   * of mode 2. @defaultValue `'energy'`
   */
  distance?: PulaskiDistance;
  /** `yPred` holds logits: the sigmoid is applied first. @defaultValue `false` */
  fromLogits?: boolean;
  /** Sinkhorn: blur σ > 0, the temperature is ε = σ² (GeomLoss `blur`). @defaultValue `0.05` */
  blur?: number;
  /** Sinkhorn: ratio of successive blurs of the ε-scaling schedule, in (0, 1) (GeomLoss `scaling`). @defaultValue `0.5` */
  scaling?: number;
  /** Sinkhorn: subtract the self-transport terms, S = OT(α,β) − ½OT(α,α) − ½OT(β,β) (GeomLoss `debias`). @defaultValue `true` */
  debias?: boolean;
  /** Sinkhorn: extra updates at ε = σ² after the schedule, until the potentials settle (0: GeomLoss's schedule only). @defaultValue `1000` */
  iterations?: number;
}

const PARAMS: ParamSpecs = {
  distance: {
    kind: 'choice',
    default: 'energy',
    choices: PULASKI_DISTANCES,
    doc: "'energy': energy distance (the official default mode, named \"Hausdorff\" there); 'sinkhorn': de-biased Sinkhorn divergence",
  },
  fromLogits: { kind: 'boolean', default: false, doc: 'yPred holds logits: sigmoid first' },
  blur: { kind: 'number', default: 0.05, min: 0, exclusiveMin: true, doc: 'Sinkhorn blur σ, temperature ε = σ² (GeomLoss blur)' },
  scaling: { kind: 'number', default: 0.5, min: 0, max: 1, exclusiveMin: true, exclusiveMax: true, doc: 'Sinkhorn ε-scaling ratio of successive blurs (GeomLoss scaling)' },
  debias: { kind: 'boolean', default: true, doc: 'Sinkhorn: de-biased divergence OT(α,β) − ½OT(α,α) − ½OT(β,β)' },
  iterations: { kind: 'number', default: 1000, min: 0, integer: true, doc: 'Sinkhorn: extra updates at the final temperature until the potentials settle (0: GeomLoss schedule only)' },
};

/** ‖a_i − b_j‖ with the squared distance clamped at 1e-8, `[B, n, m]`. */
function pairwiseDistances(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const squared = tf.sum(tf.square(tf.sub(tf.expandDims(a, 2), tf.expandDims(b, 1))), -1);
  return tf.sqrt(tf.maximum(squared, MIN_SQUARED_DISTANCE));
}

/** Energy distance with uniform weights, `[B]`: E = mean‖x−y‖ − ½ mean‖x−x'‖ − ½ mean‖y−y'‖. */
function energyDistance(x: tf.Tensor, y: tf.Tensor): tf.Tensor {
  const cross = tf.mean(pairwiseDistances(x, y), [1, 2]);
  const selfX = tf.mean(pairwiseDistances(x, x), [1, 2]);
  const selfY = tf.mean(pairwiseDistances(y, y), [1, 2]);
  return tf.sub(cross, tf.mul(0.5, tf.add(selfX, selfY)));
}

/** −ε log Σ_j exp(h_j − C_ij/ε) on the tape, `[B, n]`, for costs `[B, n, m]` and constants h `[B, m]`. */
function softminOnTape(eps: number, cost: tf.Tensor, h: tf.Tensor): tf.Tensor {
  return tf.mul(-eps, tf.logSumExp(tf.sub(tf.expandDims(h, 1), tf.div(cost, eps)), -1));
}

/** ½‖a_i − b_j‖², `[B, n, m]`. */
function halfSquared(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.mul(0.5, tf.sum(tf.square(tf.sub(tf.expandDims(a, 2), tf.expandDims(b, 1))), -1));
}

/**
 * De-biased Sinkhorn divergence with uniform weights, `[B]`. The potentials are solved on the CPU
 * (constants); one last update of the potentials on the x side is taken on the tape, so the
 * gradient flows through the costs C(x_i, ·) only, as in GeomLoss.
 */
function sinkhornDivergence(x: tf.Tensor, y: tf.Tensor, settings: SinkhornSettings): tf.Tensor {
  const [batch, n, dim] = x.shape as [number, number, number];
  const m = y.shape[1] as number;
  const xs = x.dataSync();
  const ys = y.dataSync();
  const xClouds = Array.from({ length: batch }, (_, b) => Float64Array.from(xs.subarray(b * n * dim, (b + 1) * n * dim)));
  const yClouds = Array.from({ length: batch }, (_, b) => Float64Array.from(ys.subarray(b * m * dim, (b + 1) * m * dim)));
  // One schedule for the batch, from the diameter of all its points (GeomLoss scaling_parameters).
  const schedule = epsilonSchedule(boundingDiameter([...xClouds, ...yClouds], dim), settings.blur, settings.scaling);
  const eps = settings.blur * settings.blur;
  const hB = new Float32Array(batch * m);
  const hA = new Float32Array(batch * n);
  const constant = new Float32Array(batch);
  for (let b = 0; b < batch; b++) {
    const xb = xClouds[b] as Float64Array;
    const yb = yClouds[b] as Float64Array;
    const { fBA, gAB, fAA, gBB } = sinkhornLoop(xb, n, yb, m, dim, schedule, settings);
    // The y-side potentials of the last update do not depend on x on the tape: float64 constants.
    const gLast = softmin(eps, halfSquaredCosts(yb, m, xb, n, dim), m, n, fBA);
    let c = gLast.reduce((s, v) => s + v, 0) / m;
    if (settings.debias) c -= softmin(eps, halfSquaredCosts(yb, m, yb, m, dim), m, m, gBB).reduce((s, v) => s + v, 0) / m;
    constant[b] = c;
    for (let j = 0; j < m; j++) hB[b * m + j] = -Math.log(m) + (gAB[j] as number) / eps;
    for (let i = 0; i < n; i++) hA[b * n + i] = -Math.log(n) + (fAA[i] as number) / eps;
  }
  const fLast = softminOnTape(eps, halfSquared(x, y), tf.tensor2d(hB, [batch, m]));
  let value = tf.add(tf.mean(fLast, 1), tf.tensor1d(constant));
  if (settings.debias) {
    // C(x_i, x_j) with the second argument a constant copy: the self term moves x_i only.
    const fSelf = softminOnTape(eps, halfSquared(x, tf.tensor3d(xs, [batch, n, dim])), tf.tensor2d(hA, [batch, n]));
    value = tf.sub(value, tf.mean(fSelf, 1));
  }
  return value;
}

/**
 * PULASki's statistical-distance segmentation loss (Chatterjee et al. 2025): the distance between
 * the set of segmentations sampled from a probabilistic model and the set of the raters' masks of
 * the same image, each segmentation one point of R^D (D = number of pixels), uniform weights.
 *
 * Per image b, with x_1..x_M the sampled probability maps and y_1..y_R the rater masks, flattened,
 * and ‖u‖ = sqrt(max(‖u‖², 1e-8)):
 *
 *     energy:    E = (1/MR) Σ_ij ‖x_i − y_j‖ − (1/2M²) Σ_ij ‖x_i − x_j‖ − (1/2R²) Σ_ij ‖y_i − y_j‖
 *     sinkhorn:  S_ε = OT_ε(α, β) − ½ OT_ε(α, α) − ½ OT_ε(β, β),   C(x, y) = ½‖x − y‖²,  ε = blur²
 *                OT_ε = min_π ⟨π, C⟩ + ε KL(π ‖ α⊗β)
 *
 * Comparing sets rather than one sample with one rater lets the model spread its samples over the
 * raters' disagreement instead of collapsing to their average: both distances are zero only when
 * the two sets coincide (as distributions), and their gradient pulls each sample toward the raters
 * it is matched with while the self terms push samples apart.
 *
 * The official code's default distance ("Hausdorff", GeomLoss `SamplesLoss("hausdorff",
 * kernel=energy_kernel)`) dispatches to the kernel norm and computes the energy distance above,
 * which is what `'energy'` implements and names it; the paper's "Hausdorff divergence" is not what
 * runs. `'sinkhorn'` follows GeomLoss's tensorised solver (p = 2, ε-scaling from the squared
 * diameter of all points of the batch down to blur², symmetric averaged log-domain updates, one last
 * update on the tape), then, unlike GeomLoss, keeps updating at ε = blur² until the potentials
 * settle (`iterations`), so the value is the divergence the gradient belongs to (`iterations: 0`
 * gives GeomLoss's schedule alone). Squared distances are summed from differences rather than
 * GeomLoss's expansion ‖x‖² − 2x·y + ‖y‖², which cancels badly in float32 for D in the thousands.
 * The baseline of the paper (Focal Tversky loss against one random rater) is `focalTverskyLoss`; the
 * KL term of the probabilistic U-Net is added by the model.
 *
 * @param yTrue - Rater masks `[B, R, ...]` in [0, 1] (e.g. `[B, R, H, W]`): R segmentations per image.
 * @param yPred - Sampled probability maps `[B, M, ...]` with the same trailing shape (M may differ
 *   from R), or logits with `fromLogits: true`.
 * @returns A scalar, or `[B]` with `reduction: 'none'`.
 *
 * @example
 * // two raters disagree on a pixel; two samples each copy one rater: the distance is 0
 * pulaskiSetLoss([[[1, 0], [1, 1]]], [[[1, 1], [1, 0]]]).print(); // ~0
 *
 * @see S. Chatterjee, F. Gaidzik, A. Sciarra, H. Mattern, G. Janiga, O. Speck, A. Nürnberger,
 * S. Pathiraja, PULASki: Learning inter-rater variability using statistical distances to improve
 * probabilistic segmentation, Medical Image Analysis 2025, https://arxiv.org/abs/2312.15686;
 * J. Feydy et al., Interpolating between Optimal Transport and MMD using Sinkhorn Divergences,
 * AISTATS 2019, https://arxiv.org/abs/1810.08278
 */
function pulaskiSetLoss_(yTrue: TensorInput, yPred: TensorInput, options: PulaskiSetLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { distance = 'energy', fromLogits = false, blur = 0.05, scaling = 0.5, debias = true, iterations = 1000 } = options;
  const raters = toFloat(NAME, 'yTrue', yTrue);
  const samples = toFloat(NAME, 'yPred', yPred);
  if (samples.rank < 3) fail(NAME, '`yPred`', 'have shape [B, M, ...]: M sampled segmentations per image', `shape ${formatShape(samples.shape)}`);
  const sameLayout = raters.rank === samples.rank && raters.shape[0] === samples.shape[0] && tf.util.arraysEqual(raters.shape.slice(2), samples.shape.slice(2));
  if (!sameLayout) {
    fail(NAME, '`yTrue` and `yPred`', 'have the same batch size and segmentation shape ([B, R, ...] and [B, M, ...])', `${formatShape(raters.shape)} and ${formatShape(samples.shape)}`);
  }
  checkNotEmpty(NAME, 'yTrue', raters);
  checkNotEmpty(NAME, 'yPred', samples);
  checkValuesInRange(NAME, 'yTrue', raters, 0, 1);
  const [batch, r] = raters.shape as [number, number];
  const m = samples.shape[1] as number;
  const dim = raters.size / (batch * r);
  const y = tf.reshape(raters, [batch, r, dim]);
  let x = tf.reshape(samples, [batch, m, dim]);
  if (fromLogits) x = tf.sigmoid(x);
  const perImage = distance === 'energy' ? energyDistance(x, y) : sinkhornDivergence(x, y, { blur, scaling, iterations, debias });
  return reduce(NAME, perImage, options);
}

export const pulaskiSetLoss = /* @__PURE__ */ tf.op({ pulaskiSetLoss_ });

export const pulaskiSetLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'segmentation',
  summary: 'PULASki: energy distance or Sinkhorn divergence between sampled segmentations and the raters\u2019 masks',
  formula: 'E = mean‖x_i − y_j‖ − ½ mean‖x_i − x_j‖ − ½ mean‖y_i − y_j‖  (or S_ε = OT_ε(α,β) − ½OT_ε(α,α) − ½OT_ε(β,β))',
  fn: pulaskiSetLoss,
  target: 'mask',
  prediction: 'probability',
  tasks: ['segmentation'],
  params: PARAMS,
  properties: [],
  reference:
    'S. Chatterjee et al., PULASki: Learning inter-rater variability using statistical distances to improve probabilistic segmentation, Medical Image Analysis 2025, https://arxiv.org/abs/2312.15686',
  seed: 43,
};
