import * as tf from '@tensorflow/tfjs-core';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import { type TensorInput, toFloat } from '../_shared/to-tensor.js';
import { checkNotEmpty, checkOptions, checkRank, checkSameShape } from '../_shared/validate.js';
import { DEFAULT_CURVATURE, POINCARE_DISTANCE_FORMS, type PoincareDistanceForm, poincareDistanceT, projectToBallT, toPoincareT } from './hyperbolic.js';

const NAME = 'hypPairwiseConfusionLoss';

export interface HypPairwiseConfusionLossOptions extends ReductionOptions {
  /** c > 0: curvature of the Poincaré ball (radius 1/√c). @defaultValue `0.1` */
  c?: number;
  /** `'artanh'`: the Poincaré distance; `'atan'`: the released Hyp-OC code's variant. @defaultValue `'artanh'` */
  form?: PoincareDistanceForm;
  /** `'ball'`: rows are ball points (projected inside first); `'euclidean'`: features, mapped by `toPoincare`. @defaultValue `'ball'` */
  inputs?: 'ball' | 'euclidean';
  /** r > 0: with `inputs: 'euclidean'`, features are clipped to norm r before the map. @defaultValue `2` */
  clipRadius?: number;
  /** Added to the Möbius denominator (the reference adds 1e-5). @defaultValue `0` */
  epsilon?: number;
}

export const HYPERBOLIC_INPUT_PARAMS: ParamSpecs = {
  c: { kind: 'number', default: DEFAULT_CURVATURE, min: 0, exclusiveMin: true, doc: 'c: curvature of the Poincaré ball (radius 1/√c); Hyp-OC uses 0.1' },
  inputs: {
    kind: 'choice',
    default: 'ball',
    choices: ['ball', 'euclidean'],
    doc: "'ball': rows are Poincaré points (projected inside); 'euclidean': features mapped by toPoincare (clip, exp_0, project)",
  },
  clipRadius: { kind: 'number', default: 2, min: 0, exclusiveMin: true, doc: "r: with inputs 'euclidean', features are clipped to norm r first (Hyp-OC: 2)" },
  epsilon: { kind: 'number', default: 0, min: 0, doc: 'added to the Möbius denominator (the reference adds 1e-5)' },
};

const PARAMS: ParamSpecs = {
  form: {
    kind: 'choice',
    default: 'artanh',
    choices: POINCARE_DISTANCE_FORMS,
    doc: "'artanh': Poincaré distance; 'atan': the released code's variant (atan in place of artanh)",
  },
  ...HYPERBOLIC_INPUT_PARAMS,
};

/** Rows as ball points: projected into the ball, or mapped there from Euclidean features. */
export function toBall(x: tf.Tensor, c: number, inputs: 'ball' | 'euclidean', clipRadius: number, epsilon: number): tf.Tensor {
  return inputs === 'euclidean' ? toPoincareT(x, c, clipRadius, undefined, false, epsilon) : projectToBallT(x, c);
}

/**
 * Hyp-PC, the pairwise confusion loss of Hyp-OC: the real faces of a batch are split into two
 * halves L and R, and the i-th of each are pulled together in the Poincaré ball,
 *
 *     L_PC = (1/B) Σ_{i=1}^{B/2} d_c(L_i, R_i)      d_c(x, y) = (2/√c) artanh(√c ‖(−x) ⊕_c y‖)
 *
 * with B the number of real samples, so the per-pair value is ℓ_i = d_c(L_i, R_i) / 2 and the mean
 * over the B/2 pairs is L_PC. Pulling arbitrary pairs of real samples together "confuses" the
 * embedding about identity, so the one-class head keys on liveness, not on who the face is. The
 * released loss (`TPC_loss_hyp`) computes atan where the distance has artanh; `form: 'atan'`
 * reproduces it (for c = 0.1, x = (0.5, 0.2), y = (−0.3, 0.4): 1.602064 instead of 1.675349).
 * Rows are projected onto radius (1 − 1e-3)/√c first (or mapped by `toPoincare` with
 * `inputs: 'euclidean'`), and the artanh argument is clamped at 1 − 1e-5, so value and gradient stay
 * finite; identical rows give 0 with a zero gradient.
 *
 * Reduction over the pairs: `'none'` gives ℓ_i `[B/2]`, `'mean'` (default) their mean (= L_PC).
 *
 * @param left - The first half of the real embeddings `[B/2, d]` (Poincaré points).
 * @param right - The second half `[B/2, d]`, row i paired with row i of `left`.
 * @returns A scalar, or `[B/2]` with `reduction: 'none'`.
 *
 * @example
 * hypPairwiseConfusionLoss([[0.5, 0.2]], [[-0.3, 0.4]]).print(); // 0.837675 (= 1.675349 / 2)
 *
 * @see K. Narayan, V. M. Patel, "Hyp-OC: Hyperbolic One Class Classification for Face
 *   Anti-Spoofing", FG 2024, https://arxiv.org/abs/2404.14406 (code: Kartik-3004/hyp-oc).
 */
function hypPairwiseConfusionLoss_(left: TensorInput, right: TensorInput, options: HypPairwiseConfusionLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { c = DEFAULT_CURVATURE, form = 'artanh', inputs = 'ball', clipRadius = 2, epsilon = 0 } = options;
  const a = toFloat(NAME, 'left', left);
  const b = toFloat(NAME, 'right', right);
  checkRank(NAME, 'left', a, [2]);
  checkSameShape(NAME, 'left', a, 'right', b);
  checkNotEmpty(NAME, 'left', a);
  const distances = poincareDistanceT(toBall(a, c, inputs, clipRadius, epsilon), toBall(b, c, inputs, clipRadius, epsilon), c, form, epsilon);
  return reduce(NAME, tf.div(distances, 2), options);
}

export const hypPairwiseConfusionLoss = /* @__PURE__ */ tf.op({ hypPairwiseConfusionLoss_ });

export const hypPairwiseConfusionLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: 'hypPairwiseConfusionLoss',
  family: 'embedding',
  summary: 'Hyp-PC: half the Poincaré distance between paired real embeddings (pairwise confusion)',
  formula: 'L_PC = (1/B) Σ_{i=1}^{B/2} (2/√c) artanh(√c ‖(−L_i) ⊕_c R_i‖)',
  fn: hypPairwiseConfusionLoss,
  target: 'view',
  prediction: 'embedding',
  tasks: ['embedding'],
  params: PARAMS,
  properties: ['nonNegative'],
  reference: 'K. Narayan, V. M. Patel, "Hyp-OC: Hyperbolic One Class Classification for Face Anti-Spoofing", FG 2024, https://arxiv.org/abs/2404.14406',
  seed: 14,
};
