import * as tf from '@tensorflow/tfjs-core';
import { fail, formatShape } from '../_shared/errors.js';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import { withRenamedErrors } from '../_shared/renamed-errors.js';
import {
  AGGREGATE_PARAMS,
  type AggregateOptions,
  CLASS_PARAMS,
  MODE_PARAMS,
  SMOOTHING_PARAMS,
  type SegmentationInputOptions,
  type SmoothingOptions,
} from '../_shared/segmentation.js';
import type { ParamSpecs } from '../_shared/spec.js';
import { type TensorInput, toFloat } from '../_shared/to-tensor.js';
import { checkOptions } from '../_shared/validate.js';
import { diceCrossEntropyLoss } from './diceCrossEntropyLoss.js';

const NAME = 'dualBranchSupervisedLoss';

export interface DualBranchSupervisedLossOptions extends SegmentationInputOptions, AggregateOptions, SmoothingOptions, ReductionOptions {
  /** Weight >= 0 of the Dice term of each branch (`diceCrossEntropyLoss`'s λ_Dice). @defaultValue `1` */
  dice?: number;
  /** Weight >= 0 of the cross-entropy term of each branch (`diceCrossEntropyLoss`'s λ_CE). @defaultValue `1` */
  ce?: number;
  /** Multiclass mode: `false` leaves channel 0 (background) of each branch out of its Dice term. @defaultValue `true` */
  includeBackground?: boolean;
}

const PARAMS: ParamSpecs = {
  ...MODE_PARAMS,
  mode: { ...(MODE_PARAMS.mode as Extract<ParamSpecs[string], { kind: 'choice' }>), default: 'multiclass' },
  ...AGGREGATE_PARAMS,
  includeBackground: CLASS_PARAMS.includeBackground as ParamSpecs[string],
  ...SMOOTHING_PARAMS,
  dice: { kind: 'number', default: 1, min: 0, doc: 'weight of the Dice term of each branch' },
  ce: { kind: 'number', default: 1, min: 0, doc: 'weight of the cross-entropy term of each branch' },
};

/**
 * Stage-1 supervised loss of a dual-branch (dual-path) segmentation network whose branches each
 * predict their own subset of the classes (Das, Ghosh & Stober: the PI-RADS prostate zones, grouped
 * so that each branch segments zones that share boundaries): Dice plus cross-entropy on each
 * branch, against that branch's own target, summed.
 *
 * Per image n, with `diceCrossEntropyLoss` DCE (same mode, activation and smoothing):
 *
 *     ℓ_n = DCE(yA, pA; λ_Dice = dice, λ_CE = ce)_n + DCE(yB, pB; λ_Dice = dice, λ_CE = ce)_n
 *
 * Splitting the zones between two branches lets each branch learn the boundaries of zones that
 * touch each other without competing with the small, far-apart ones; each branch's target is the
 * zone mask with the other branch's zones mapped to its background. The paper's loss is known only
 * from its abstract (no code was found): this is a reconstruction, Dice + cross-entropy per branch,
 * the usual supervised term of co-training; the weights are options because the paper's are
 * unverified. Stage 2 adds `branchDisagreementLoss` on the classes both branches see, and the
 * multi-task head `multiTaskAuxLoss`.
 *
 * @param yA - Targets of branch A: integer mask `[N,H,W]` or one-hot `[N,H,W,C_A]` (multiclass),
 *   `[N,H,W]` (binary), `[N,H,W,C_A]` (multilabel); 3D adds a depth axis after N.
 * @param yB - Targets of branch B, over the same images, with its own classes C_B.
 * @param pA - Probabilities of branch A `[N,H,W,C_A]` (softmax; `[N,H,W]` binary), or logits with `fromLogits: true`.
 * @param pB - Probabilities of branch B `[N,H,W,C_B]`, the same images.
 * @returns A scalar, or `[N]` with `reduction: 'none'` (`[1]` with `aggregate: 'batch'`).
 *
 * @example
 * // branch A: background / PZ / TZ; branch B: background / DPU / AFS (integer masks per branch)
 * dualBranchSupervisedLoss(yA, yB, softmaxA, softmaxB, { dice: 1, ce: 1 });
 *
 * @see R. Das, S. Ghosh, S. Stober, PI-RADS v2 Compliant Automated Segmentation of Prostate Zones
 * Using co-training Motivated Multi-task Dual-Path CNN, arXiv 2023, https://arxiv.org/abs/2309.12970
 */
function dualBranchSupervisedLoss_(yA: TensorInput, yB: TensorInput, pA: TensorInput, pB: TensorInput, options: DualBranchSupervisedLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { mode = 'multiclass', fromLogits = false, aggregate = 'perSample', includeBackground = true, smoothNumerator = 1e-5, smoothDenominator = 1e-5, dice = 1, ce = 1 } = options;
  const predA = toFloat(NAME, 'pA', pA);
  const predB = toFloat(NAME, 'pB', pB);
  const branch = { mode, fromLogits, aggregate, includeBackground, smoothNumerator, smoothDenominator, lambdaDice: dice, lambdaCe: ce, reduction: 'none' as const };
  const lossA = withRenamedErrors(NAME, 'diceCrossEntropyLoss', { yTrue: 'yA', yPred: 'pA' }, () => diceCrossEntropyLoss(yA, predA, branch));
  const lossB = withRenamedErrors(NAME, 'diceCrossEntropyLoss', { yTrue: 'yB', yPred: 'pB' }, () => diceCrossEntropyLoss(yB, predB, branch));
  // Both branches segment the same images: everything but the channel axis agrees.
  const pixels = (t: tf.Tensor) => (mode === 'binary' && t.rank === 3 ? t.shape : t.shape.slice(0, -1));
  if (!tf.util.arraysEqual(pixels(predA), pixels(predB))) {
    fail(NAME, '`pA` and `pB`', 'cover the same images (the same shape but for the channels)', `${formatShape(predA.shape)} and ${formatShape(predB.shape)}`);
  }
  return reduce(NAME, tf.add(lossA, lossB), options);
}

export const dualBranchSupervisedLoss = /* @__PURE__ */ tf.op({ dualBranchSupervisedLoss_ });
