import * as tf from '@tensorflow/tfjs-core';
import { fail, formatShape, formatValue } from '../_shared/errors.js';
import { logSoftmax } from '../_shared/numerics.js';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import { MODE_PARAMS, type SegmentationInputOptions, type SegmentationMode } from '../_shared/segmentation.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import { stopGradient } from '../_shared/stop-gradient.js';
import { type TensorInput, toFloat } from '../_shared/to-tensor.js';
import { checkNotEmpty, checkOptions, checkValuesInRange } from '../_shared/validate.js';

const NAME = 'branchDisagreementLoss';

/** Clip of probabilities inside the logarithms of 'kl' and 'js'. */
const EPSILON = 1e-7;

export const BRANCH_DISTANCES = ['mse', 'l1', 'kl', 'js'] as const;
export type BranchDistance = (typeof BRANCH_DISTANCES)[number];

export const BRANCH_STOP_GRADIENTS = ['none', 'A', 'B', 'both-cross'] as const;
export type BranchStopGradient = (typeof BRANCH_STOP_GRADIENTS)[number];

export interface BranchDisagreementLossOptions extends SegmentationInputOptions, ReductionOptions {
  /** Channels both branches predict, compared; the others are left out. @defaultValue all channels */
  classes?: readonly number[];
  /** Per-pixel distance between the two predictions. @defaultValue `'mse'` */
  distance?: BranchDistance;
  /**
   * `'none'`: both branches get the gradient; `'A'` / `'B'`: that branch is a constant (the other
   * one follows it); `'both-cross'`: d(sg(A), B) + d(A, sg(B)), each branch regresses the other's
   * detached prediction (value 2·d for the symmetric distances). @defaultValue `'none'`
   */
  stopGradient?: BranchStopGradient;
  /** Pixel weights >= 0, `[N,H,W]` (or `[N,H,W,1]`), e.g. 1 on unlabelled pixels: the mean becomes Σ m·d / Σ m. @defaultValue all ones */
  mask?: TensorInput;
}

const PARAMS: ParamSpecs = {
  ...MODE_PARAMS,
  classes: { kind: 'data', type: 'integer[] (distinct channel indices)', doc: 'channels predicted by both branches and compared; default all' },
  distance: { kind: 'choice', default: 'mse', choices: BRANCH_DISTANCES, doc: "per-pixel distance: 'mse', 'l1', 'kl' (generalised KL(A‖B)) or 'js' (Jensen–Shannon)" },
  stopGradient: {
    kind: 'choice',
    default: 'none',
    choices: BRANCH_STOP_GRADIENTS,
    doc: "'A' / 'B': that branch is a constant; 'both-cross': d(sg(A), B) + d(A, sg(B))",
  },
  mask: { kind: 'data', type: 'tensor [N,H,W] of weights >= 0', doc: 'pixel weights of the mean, e.g. 1 on unlabelled pixels; default all ones' },
};

/** The canonical `[N, ...spatial, C]` layout of a view, or a thrown error naming it. */
function canonical(name: string, x: tf.Tensor, mode: SegmentationMode): tf.Tensor {
  const s = x.shape;
  const last = s[s.length - 1] as number;
  if (mode === 'binary') {
    if (s.length === 3) return tf.expandDims(x, -1);
    if ((s.length === 4 || s.length === 5) && last === 1) return x;
    return fail(NAME, `\`${name}\``, 'have shape [N,H,W], [N,H,W,1] or [N,D,H,W,1] in binary mode', `shape ${formatShape(s)}`);
  }
  if (s.length !== 4 && s.length !== 5) fail(NAME, `\`${name}\``, `have shape [N,H,W,C] or [N,D,H,W,C] in ${mode} mode`, `shape ${formatShape(s)}`);
  if (mode === 'multiclass' && last < 2) fail(NAME, `\`${name}\``, "have at least 2 channels in multiclass mode (use mode: 'binary' for one foreground)", `shape ${formatShape(s)}`);
  return x;
}

/** The compared channels, checked: distinct integers in [0, C − 1]. */
function checkClasses(classes: unknown, numChannels: number): number[] {
  if (classes === undefined) return Array.from({ length: numChannels }, (_, c) => c);
  if (!Array.isArray(classes) || classes.length === 0) fail(NAME, '`classes`', 'be a non-empty array of channel indices', formatValue(classes));
  const list = classes as unknown[];
  list.forEach((c, i) => {
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c >= numChannels) {
      fail(NAME, `\`classes[${i}]\``, `be an integer channel index in [0, ${numChannels - 1}]`, formatValue(c));
    }
    if (list.indexOf(c) !== i) fail(NAME, '`classes`', 'hold distinct channel indices', `${c} twice`);
  });
  return list as number[];
}

/** Per element, with a and b clipped to [ε, 1]: generalised KL a·log(a/b) − a + b, >= 0. */
function klElements(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const ca = tf.clipByValue(a, EPSILON, 1);
  const cb = tf.clipByValue(b, EPSILON, 1);
  return tf.add(tf.sub(tf.mul(ca, tf.sub(tf.log(ca), tf.log(cb))), ca), cb);
}

/** Per element, with a and b clipped to [ε, 1] and m = (a + b)/2: ½(a·log(a/m) + b·log(b/m)), >= 0. */
function jsElements(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const ca = tf.clipByValue(a, EPSILON, 1);
  const cb = tf.clipByValue(b, EPSILON, 1);
  const logM = tf.log(tf.mul(0.5, tf.add(ca, cb)));
  return tf.mul(0.5, tf.add(tf.mul(ca, tf.sub(tf.log(ca), logM)), tf.mul(cb, tf.sub(tf.log(cb), logM))));
}

/** The per-pixel distance `[N, ...spatial]` between two probability maps of the compared channels. */
function pixelDistance(a: tf.Tensor, b: tf.Tensor, distance: BranchDistance, mode: SegmentationMode): tf.Tensor {
  if (distance === 'mse') return tf.mean(tf.square(tf.sub(a, b)), -1);
  if (distance === 'l1') return tf.mean(tf.abs(tf.sub(a, b)), -1);
  const elements = distance === 'kl' ? klElements : jsElements;
  // Multiclass channels are one categorical distribution per pixel: the divergence sums over them.
  if (mode === 'multiclass') return tf.sum(elements(a, b), -1);
  // Binary and multilabel channels are Bernoulli variables: each counts p and 1 − p, then the mean.
  return tf.mean(tf.add(elements(a, b), elements(tf.sub(1, a), tf.sub(1, b))), -1);
}

/**
 * Cross-branch disagreement of a dual-path (co-training) segmentation network: the unsupervised
 * loss of the second training stage of Das, Ghosh & Stober, which penalises the difference between
 * the two branches' predictions of the same class. Two views in, channels-last.
 *
 * Per image n, with A and B the probabilities of the two branches, C_s the compared channels,
 * m the pixel weights (all ones by default) and d a per-pixel distance:
 *
 *     mse:  d = (1/|C_s|) Σ_{c∈C_s} (A_c − B_c)²          l1:  d = (1/|C_s|) Σ_c |A_c − B_c|
 *     kl:   d = Σ_{c∈C_s} g(A_c, B_c)                       g(a, b) = a·log(a/b) − a + b
 *     js:   d = Σ_{c∈C_s} ½[a·log(a/m) + b·log(b/m)],      m = (a + b)/2
 *     ℓ_n = Σ_i m_i·d_i / Σ_i m_i                            (0 when Σ m = 0)
 *
 * Where the branches see the same zone they should agree; penalising their difference on
 * unlabelled (or all) pixels transfers what each branch learnt about the zones it was trained on,
 * the co-training idea. 'kl' and 'js' treat the channels of a multiclass map as one distribution per
 * pixel (with all channels, 'kl' is the KL divergence KL(A‖B)); in binary and multilabel modes each
 * channel is a Bernoulli variable (p and 1 − p both count) and d is the mean over channels. The
 * generalised KL g stays >= 0 when only some classes are compared; probabilities are clipped to
 * [1e-7, 1] inside the logarithms.
 *
 * The paper's loss is known only from its abstract (no code was found): this is a reconstruction,
 * MSE on the softmax probabilities of the classes both branches output by default, the standard
 * co-training / mean-teacher consistency; the distance, the stop-gradient policy and the mask are
 * options because the paper's exact choice is unverified. The paper's supervised stage (Dice +
 * cross-entropy per branch on its zones) is `dualBranchSupervisedLoss`, its multi-task head
 * `multiTaskAuxLoss`, and its final prediction the per-class mean of the branches.
 *
 * @param viewA - Probabilities of branch A: `[N,H,W]` binary, `[N,H,W,C]` multiclass or multilabel
 *   (3D adds a depth axis after N), or logits with `fromLogits: true`.
 * @param viewB - Branch B, the same shape.
 * @returns A scalar, or `[N]` with `reduction: 'none'`.
 *
 * @example
 * branchDisagreementLoss([[[0.2, 0.9]]], [[[0.4, 0.5]]]).print(); // 0.1 = ((0.2)² + (0.4)²) / 2
 *
 * @see R. Das, S. Ghosh, S. Stober, PI-RADS v2 Compliant Automated Segmentation of Prostate Zones
 * Using co-training Motivated Multi-task Dual-Path CNN, arXiv 2023, https://arxiv.org/abs/2309.12970
 */
function branchDisagreementLoss_(viewA: TensorInput, viewB: TensorInput, options: BranchDisagreementLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { mode = 'binary', fromLogits = false, distance = 'mse', stopGradient: policy = 'none' } = options;
  const rawA = toFloat(NAME, 'viewA', viewA);
  const rawB = toFloat(NAME, 'viewB', viewB);
  if (!tf.util.arraysEqual(rawA.shape, rawB.shape)) fail(NAME, '`viewA` and `viewB`', 'have the same shape', `${formatShape(rawA.shape)} and ${formatShape(rawB.shape)}`);
  checkNotEmpty(NAME, 'viewA', rawA);
  let a = canonical('viewA', rawA, mode);
  let b = canonical('viewB', rawB, mode);
  const numChannels = a.shape[a.rank - 1] as number;
  const classes = checkClasses(options.classes, numChannels);

  const pixelShape = a.shape.slice(0, -1);
  let weights: tf.Tensor | undefined;
  if (options.mask !== undefined) {
    const m = toFloat(NAME, 'mask', options.mask);
    const ok = tf.util.arraysEqual(m.shape, pixelShape) || tf.util.arraysEqual(m.shape, [...pixelShape, 1]);
    if (!ok) fail(NAME, '`mask`', `have the pixel shape ${formatShape(pixelShape)} of the views`, `shape ${formatShape(m.shape)}`);
    checkValuesInRange(NAME, 'mask', m, 0, Number.POSITIVE_INFINITY);
    weights = tf.reshape(m, pixelShape);
  }

  const activate = (x: tf.Tensor) => (mode === 'multiclass' ? tf.exp(logSoftmax(x)) : tf.sigmoid(x));
  if (fromLogits) {
    a = activate(a);
    b = activate(b);
  }
  if (classes.length < numChannels) {
    const index = tf.tensor1d(classes, 'int32');
    a = tf.gather(a, index, -1);
    b = tf.gather(b, index, -1);
  }
  let d: tf.Tensor;
  if (policy === 'both-cross') d = tf.add(pixelDistance(stopGradient(a), b, distance, mode), pixelDistance(a, stopGradient(b), distance, mode));
  else d = pixelDistance(policy === 'A' ? stopGradient(a) : a, policy === 'B' ? stopGradient(b) : b, distance, mode);

  const axes = Array.from({ length: d.rank - 1 }, (_, i) => i + 1);
  let perImage: tf.Tensor;
  if (weights === undefined) perImage = tf.mean(d, axes);
  else {
    // The mask is data, not a function of the predictions: comparing it keeps the gradient intact.
    const total = tf.sum(weights, axes);
    perImage = tf.div(tf.sum(tf.mul(weights, d), axes), tf.where(tf.greater(total, 0), total, tf.onesLike(total)));
  }
  return reduce(NAME, perImage, options);
}

export const branchDisagreementLoss = /* @__PURE__ */ tf.op({ branchDisagreementLoss_ });

export const branchDisagreementLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'segmentation',
  summary: 'Cross-branch disagreement of a dual-path network (PI-RADS zones, co-training stage 2); two views, reconstructed',
  formula: 'ℓ = Σ_i m_i·d(A_i, B_i) / Σ_i m_i,  d = mean_{c∈C_s} (A_c − B_c)² (or l1, KL, JS)',
  fn: branchDisagreementLoss,
  target: 'mask',
  prediction: 'probability',
  tasks: ['segmentation'],
  params: PARAMS,
  properties: ['nonNegative'],
  reference:
    'R. Das, S. Ghosh, S. Stober, PI-RADS v2 Compliant Automated Segmentation of Prostate Zones Using co-training Motivated Multi-task Dual-Path CNN, arXiv 2023, https://arxiv.org/abs/2309.12970 (loss reconstructed from the abstract)',
  seed: 41,
};
