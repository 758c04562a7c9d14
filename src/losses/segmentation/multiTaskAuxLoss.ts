import * as tf from '@tensorflow/tfjs-core';
import { fail, formatShape } from '../_shared/errors.js';
import { binaryPixelCrossEntropy } from '../_shared/pixel-cross-entropy.js';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import { withRenamedErrors } from '../_shared/renamed-errors.js';
import { MODE_PARAMS, segmentationInputs } from '../_shared/segmentation.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import { type TensorInput, toFloat } from '../_shared/to-tensor.js';
import { checkNotEmpty, checkOptions } from '../_shared/validate.js';
import { diceLoss } from './diceLoss.js';

const NAME = 'multiTaskAuxLoss';

export const AUX_TASKS = ['boundary-bce', 'distance-l1', 'gland-dice'] as const;
/**
 * - `'boundary-bce'`: the head predicts zone boundaries, binary cross-entropy against a boundary mask.
 * - `'distance-l1'`: the head regresses a distance map, L1 against the target map.
 * - `'gland-dice'`: the head segments the whole gland, soft Dice against the gland mask.
 */
export type AuxTask = (typeof AUX_TASKS)[number];

export interface MultiTaskAuxLossOptions extends ReductionOptions {
  /** The auxiliary task (see {@link AuxTask}). @defaultValue `'boundary-bce'` */
  kind?: AuxTask;
  /** Weight >= 0 of the auxiliary loss in the total. @defaultValue `1` */
  weight?: number;
  /** `'boundary-bce'`, `'gland-dice'`: `yPred` holds logits, the sigmoid is applied first. @defaultValue `false` */
  fromLogits?: boolean;
}

const PARAMS: ParamSpecs = {
  kind: {
    kind: 'choice',
    default: 'boundary-bce',
    choices: AUX_TASKS,
    doc: "'boundary-bce': boundary map, BCE; 'distance-l1': distance map, L1; 'gland-dice': whole-gland mask, soft Dice",
  },
  weight: { kind: 'number', default: 1, min: 0, doc: 'weight of the auxiliary loss' },
  fromLogits: { ...(MODE_PARAMS.fromLogits as Extract<ParamSpecs[string], { kind: 'boolean' }>), doc: "'boundary-bce', 'gland-dice': yPred holds logits, sigmoid first" },
};

/** Mean over every axis but the first, `[N]`. */
function meanPerSample(x: tf.Tensor): tf.Tensor {
  return tf.mean(x, Array.from({ length: x.rank - 1 }, (_, i) => i + 1));
}

/**
 * Auxiliary-task loss of a multi-task segmentation network (Das, Ghosh & Stober add multi-task
 * learning to their dual-path PI-RADS zone network): an extra head predicts a related map, and its
 * loss, weighted, joins the supervised loss. Binary maps, channels-last.
 *
 * Per image n, over its pixels i (|n| of them), with p the head's output and y its target:
 *
 *     boundary-bce:  ℓ_n = w · (1/|n|) Σ_i −y_i log p_i − (1 − y_i) log(1 − p_i)
 *     distance-l1:   ℓ_n = w · (1/|n|) Σ_i |p_i − y_i|
 *     gland-dice:    ℓ_n = w · (1 − (2 Σ p·y + 1e-5) / (Σ p + Σ y + 1e-5))      (`diceLoss`)
 *
 * A second task that needs the same features (where the zones meet, how far each pixel lies from
 * them, where the gland is) regularises the shared encoder and sharpens the boundaries the main
 * task is scored on (MASD). The paper's auxiliary task is known only from its abstract ("multi-task
 * learning is added", no code was found): this is a reconstruction offering the three usual
 * auxiliary targets, chosen by `kind`, with the weight an option because the paper's is
 * unverified. The cross-entropy is taken from logits with `fromLogits` and from probabilities
 * clipped to [1e-7, 1 − 1e-7] otherwise; the boundary and gland targets may be soft (in [0, 1]);
 * the distance target may be any real map (signed distances included), compared with the raw
 * output. The targets are computed by the caller from the zone masks (e.g. the boundary as the
 * mask minus its erosion, the distance by a distance transform).
 *
 * @param yTrue - The auxiliary target: `[N,H,W]` (or `[N,H,W,1]`; 3D `[N,D,H,W,1]`), in [0, 1]
 *   for 'boundary-bce' and 'gland-dice', any values `[N, ...]` for 'distance-l1'.
 * @param yPred - The auxiliary head's output of the same shape: probabilities (or logits with
 *   `fromLogits: true`), or the regressed map for 'distance-l1'.
 * @returns A scalar, or `[N]` with `reduction: 'none'`.
 *
 * @example
 * multiTaskAuxLoss([[[0, 2]]], [[[0.5, 1]]], { kind: 'distance-l1', weight: 0.5 }).print(); // 0.375 = 0.5 · (0.5 + 1)/2
 *
 * @see R. Das, S. Ghosh, S. Stober, PI-RADS v2 Compliant Automated Segmentation of Prostate Zones
 * Using co-training Motivated Multi-task Dual-Path CNN, arXiv 2023, https://arxiv.org/abs/2309.12970
 */
function multiTaskAuxLoss_(yTrue: TensorInput, yPred: TensorInput, options: MultiTaskAuxLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { kind = 'boundary-bce', weight = 1, fromLogits = false } = options;
  let perImage: tf.Tensor;
  if (kind === 'boundary-bce') {
    const { raw, targets } = segmentationInputs(NAME, yTrue, yPred, { mode: 'binary', fromLogits });
    perImage = meanPerSample(binaryPixelCrossEntropy(targets, raw, fromLogits));
  } else if (kind === 'gland-dice') {
    perImage = withRenamedErrors(NAME, 'diceLoss', {}, () => diceLoss(yTrue, yPred, { mode: 'binary', fromLogits, reduction: 'none' }));
  } else {
    if (fromLogits) fail(NAME, '`fromLogits`', "be false with kind 'distance-l1' (the distance map is regressed, not activated)", 'true (boolean)');
    const pred = toFloat(NAME, 'yPred', yPred);
    const target = toFloat(NAME, 'yTrue', yTrue);
    if (pred.rank < 2) fail(NAME, '`yPred`', 'have shape [N, ...] (one map per sample)', `shape ${formatShape(pred.shape)}`);
    if (!tf.util.arraysEqual(target.shape, pred.shape)) fail(NAME, '`yTrue` and `yPred`', 'have the same shape', `${formatShape(target.shape)} and ${formatShape(pred.shape)}`);
    checkNotEmpty(NAME, 'yPred', pred);
    perImage = meanPerSample(tf.abs(tf.sub(pred, target)));
  }
  return reduce(NAME, tf.mul(weight, perImage), options);
}

export const multiTaskAuxLoss = /* @__PURE__ */ tf.op({ multiTaskAuxLoss_ });

export const multiTaskAuxLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'segmentation',
  summary: 'Auxiliary-task loss of a multi-task segmentation network (PI-RADS zones): boundary BCE, distance L1 or gland Dice, weighted; reconstructed',
  formula: 'ℓ = w · mean_i bce(p_i, y_i)  (or w · mean_i |p_i − y_i|, or w · (1 − Dice))',
  fn: multiTaskAuxLoss,
  target: 'mask',
  prediction: 'probability',
  tasks: ['segmentation'],
  params: PARAMS,
  properties: ['nonNegative'],
  reference:
    'R. Das, S. Ghosh, S. Stober, PI-RADS v2 Compliant Automated Segmentation of Prostate Zones Using co-training Motivated Multi-task Dual-Path CNN, arXiv 2023, https://arxiv.org/abs/2309.12970 (loss reconstructed from the abstract)',
  seed: 41,
};
