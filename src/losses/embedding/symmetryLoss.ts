import * as tf from '@tensorflow/tfjs-core';
import { fail, formatShape } from '../_shared/errors.js';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import { type TensorInput, toFloat } from '../_shared/to-tensor.js';
import { checkNotEmpty, checkOptions, checkRank, checkSameShape } from '../_shared/validate.js';
import { prepareEmbeddings, rowwise } from './distances.js';

const NAME = 'symmetryLoss';

/** How the two half-face embeddings are compared. */
export type SymmetryDistance = 'cosine' | 'squaredEuclidean' | 'euclidean';

export interface SymmetryLossOptions extends ReductionOptions {
  /** `'cosine'`: 1 − cos; `'squaredEuclidean'` / `'euclidean'`: ‖a − b‖² / ‖a − b‖. @defaultValue `'cosine'` */
  distance?: SymmetryDistance;
  /** L2-normalise the embeddings first (always for cosine). @defaultValue `true` */
  normalize?: boolean;
}

const PARAMS: ParamSpecs = {
  distance: {
    kind: 'choice',
    default: 'cosine',
    choices: ['cosine', 'squaredEuclidean', 'euclidean'],
    doc: "'cosine': 1 − cos(e_L, e_R); 'squaredEuclidean' / 'euclidean': distance of the (normalised) embeddings",
  },
  normalize: { kind: 'boolean', default: true, doc: 'L2-normalise the embeddings first (always for cosine)' },
};

/**
 * SymFace's facial symmetry loss: the embeddings of the left and the right half of the same
 * (frontal, aligned) face should agree. Per face i, with ê the L2-normalised embeddings,
 *
 *     ℓ_i = 1 − ê_L,i · ê_R,i                     ('cosine', default)
 *     ℓ_i = ‖ê_L,i − ê_R,i‖²  (or its root)        ('squaredEuclidean', 'euclidean')
 *
 * A face is roughly mirror-symmetric, so the two halves carry the same identity; asking their
 * embeddings to coincide regularises the face embedding against pose and occlusion of one side.
 * SymFace adds it to the face-recognition loss with weight 1, `L = L_face + L_sym`: add the value
 * of `arcFaceLoss` (or `cosFaceLoss`) on the full faces to `w · symmetryLoss(left, right)`, with
 * `weights` the frontal mask or a frontness coefficient ρ (e.g. `frontnessRho`), which the weighted
 * mean Σ w ℓ / Σ w then averages over the frontal faces only. The paper's exact distance, how ρ
 * enters (weight or gate) and how the halves are fed to the network could not be checked against
 * its text: cosine is the default and the others are options; ρ is whatever `weights` you pass.
 * With the default normalisation the loss is 0 for identical embeddings, lies in [0, 2] and does
 * not change with the embeddings' scale.
 *
 * @param left - Embeddings of the left half-faces `[N, D]`.
 * @param right - Embeddings of the right half-faces `[N, D]`, row i of the same face as row i of `left`.
 * @returns A scalar, or `[N]` with `reduction: 'none'`.
 *
 * @example
 * const total = tf.add(arcFaceLoss(labels, faces, { classWeightsMatrix: W }), symmetryLoss(leftHalves, rightHalves, { weights: rho }));
 *
 * @see Prakash et al., "SymFace: Additional Facial Symmetry Loss for Deep Face Recognition", 2024,
 *   https://arxiv.org/abs/2409.11816.
 */
function symmetryLoss_(left: TensorInput, right: TensorInput, options: SymmetryLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { distance = 'cosine', normalize = true } = options;
  if (distance === 'cosine' && !normalize) fail(NAME, '`normalize`', "be true with distance 'cosine'", 'false (boolean)');
  const a = toFloat(NAME, 'left', left);
  const b = toFloat(NAME, 'right', right);
  checkRank(NAME, 'left', a, [2]);
  checkSameShape(NAME, 'left', a, 'right', b);
  checkNotEmpty(NAME, 'left', a);
  const pa = prepareEmbeddings(a as tf.Tensor2D, distance, normalize);
  const pb = prepareEmbeddings(b as tf.Tensor2D, distance, normalize);
  const value = rowwise(distance, pa, pb);
  // 1 − cos is >= 0; rounding could give −1e-8 for identical rows, which the clamp removes.
  return reduce(NAME, distance === 'cosine' ? tf.relu(tf.sub(1, value)) : value, options);
}

export const symmetryLoss = /* @__PURE__ */ tf.op({ symmetryLoss_ });

function frontnessRho_(leftEye: TensorInput, rightEye: TensorInput, nose: TensorInput): tf.Tensor {
  const fn = 'frontnessRho';
  const le = toFloat(fn, 'leftEye', leftEye);
  const re = toFloat(fn, 'rightEye', rightEye);
  const no = toFloat(fn, 'nose', nose);
  checkRank(fn, 'leftEye', le, [2]);
  if (le.shape[1] !== 2) fail(fn, '`leftEye`', 'hold one (x, y) landmark per face, [N,2]', `shape ${formatShape(le.shape)}`);
  checkSameShape(fn, 'leftEye', le, 'rightEye', re);
  checkSameShape(fn, 'leftEye', le, 'nose', no);
  const x = (t: tf.Tensor) => tf.reshape(tf.slice(t, [0, 0], [t.shape[0] as number, 1]), [t.shape[0] as number]);
  const offset = tf.abs(tf.sub(x(no), tf.div(tf.add(x(le), x(re)), 2)));
  const halfSpan = tf.maximum(tf.div(tf.abs(tf.sub(x(re), x(le))), 2), 1e-12);
  return tf.clipByValue(tf.sub(1, tf.div(offset, halfSpan)), 0, 1);
}

/**
 * A frontness coefficient ρ in [0, 1] per face from three landmarks (e.g. RetinaFace's): 1 when the
 * nose lies midway between the eyes, falling to 0 as it reaches an eye,
 *
 *     ρ = clip(1 − |x_nose − (x_le + x_re)/2| / (|x_re − x_le| / 2), 0, 1)
 *
 * Use it as `weights` of {@link symmetryLoss}, or threshold it into a frontal mask. SymFace's
 * 3-point symmetric split measures the same nose-to-eye-midpoint discrepancy, but its exact scaling
 * is not known: this normalisation is the library's, not the paper's. No gradient is intended.
 *
 * @param leftEye - `[N, 2]` (x, y) per face.
 * @param rightEye - `[N, 2]`.
 * @param nose - `[N, 2]`.
 * @returns ρ `[N]`.
 */
export const frontnessRho = /* @__PURE__ */ tf.op({ frontnessRho_ });

export const symmetryLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: 'symmetryLoss',
  family: 'embedding',
  summary: 'SymFace symmetry loss: embeddings of the left and right half-faces should agree (add to ArcFace / CosFace)',
  formula: 'ℓ_i = 1 − cos(e_L,i, e_R,i)',
  fn: symmetryLoss,
  target: 'view',
  prediction: 'embedding',
  tasks: ['embedding'],
  params: PARAMS,
  properties: ['nonNegative', 'scaleInvariant'],
  reference: 'Prakash et al., "SymFace: Additional Facial Symmetry Loss for Deep Face Recognition", 2024, https://arxiv.org/abs/2409.11816',
  seed: 7,
};
