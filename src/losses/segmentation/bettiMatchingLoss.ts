import * as tf from '@tensorflow/tfjs-core';
import { unmatchedIndices } from '../../topology/bettiMatching.js';
import { BATCH_SHAPES, batchSpatialShape, checkDimensionsForRank, matchSublevel } from '../../topology/batch.js';
import { FILTRATIONS, type Filtration, sublevelValues } from '../../topology/image.js';
import type { DimensionMatching2d } from '../../topology/matching.js';
import { fail, formatShape } from '../_shared/errors.js';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import { segmentationInputs } from '../_shared/segmentation.js';
import { gatherFlat, segmentSum } from '../_shared/segments.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import { type TensorInput, toFloat, toTensor } from '../_shared/to-tensor.js';
import { checkOptions } from '../_shared/validate.js';

const NAME = 'bettiMatchingLoss';

export interface BettiMatchingLossOptions extends ReductionOptions {
  /**
   * Homology dimensions matched: 0 (components), 1 (holes; loops in volumes), 2 (cavities, volumes
   * only). @defaultValue `[0, 1]` for images, `[0, 1, 2]` for volumes
   */
  dimensions?: readonly number[];
  /** `'superlevel'`: features of the foreground {p >= t}; `'sublevel'`: of {p <= t}. @defaultValue `'superlevel'` */
  filtration?: Filtration;
  /** `yPred` holds logits: the sigmoid is applied first. @defaultValue `false` */
  fromLogits?: boolean;
  /**
   * Homology relative to the border: each image (volume) gets a one-pixel (one-voxel) frame holding
   * its own maximum (minimum for sublevel), so that what touches the border is connected to it (the
   * released configurations of the paper use it; the loss's code default does not). @defaultValue `false`
   */
  relative?: boolean;
  /** Adds the target's unmatched intervals, Σ (b' − d')², a constant of the prediction, as the official code does. @defaultValue `true` */
  includeTargetUnmatched?: boolean;
  /** Weight of the matched term (topolosses `topology_weights[0]`). @defaultValue `1` */
  matchedWeight?: number;
  /** Weight of the prediction's unmatched term (topolosses `topology_weights[1]`). @defaultValue `1` */
  unmatchedWeight?: number;
}

const PARAMS: ParamSpecs = {
  dimensions: {
    kind: 'data',
    type: 'number[] (a non-empty subset of [0, 1] for images, of [0, 1, 2] for volumes)',
    doc: 'homology dimensions matched: 0 components, 1 holes (loops), 2 cavities (volumes); default all of them',
  },
  filtration: { kind: 'choice', default: 'superlevel', choices: FILTRATIONS, doc: "'superlevel': features of {p >= t} (foreground); 'sublevel': of {p <= t}" },
  fromLogits: { kind: 'boolean', default: false, doc: 'yPred holds logits: sigmoid first' },
  relative: { kind: 'boolean', default: false, doc: 'homology relative to the border: a frame holding each image’s (volume’s) maximum joins what touches it' },
  includeTargetUnmatched: { kind: 'boolean', default: true, doc: 'add the target’s unmatched intervals (a constant), as the official code does' },
  matchedWeight: { kind: 'number', default: 1, min: 0, doc: 'weight of the matched term' },
  unmatchedWeight: { kind: 'number', default: 1, min: 0, doc: 'weight of the prediction’s unmatched term' },
};

/** Critical cells (flat indices over the batch), target values and sample of every term. */
class Terms {
  matchedBirth: number[] = [];
  matchedDeath: number[] = [];
  targetBirth: number[] = [];
  targetDeath: number[] = [];
  matchedSample: number[] = [];
  unmatchedBirth: number[] = [];
  unmatchedDeath: number[] = [];
  unmatchedSample: number[] = [];
  /** Per sample: the target's unmatched term (a constant). */
  constant: number[] = [];
}

/** The Betti matching of one sample (its probabilities and targets, flat), one entry per dimension. */
type SampleMatcher = (prediction: Float64Array, target: Float64Array) => readonly (DimensionMatching2d | undefined)[];

interface TermWeights {
  includeTargetUnmatched: boolean;
  matchedWeight: number;
  unmatchedWeight: number;
}

/**
 * The loss of a batch from the matchings of its samples, whatever their spatial rank: the critical
 * cells of every pair are gathered from `probs` (flat over the batch), the formula is assembled with
 * tfjs ops and summed per sample, `[N]`. A sample whose prediction holds NaN gets NaN (value and
 * gradient) and is not matched.
 */
function lossFromMatchings(probs: tf.Tensor, targets: tf.Tensor, match: SampleMatcher, weights: TermWeights): tf.Tensor1D {
  const { includeTargetUnmatched, matchedWeight, unmatchedWeight } = weights;
  const n = probs.shape[0] as number;
  const size = probs.size / n;
  const pAll = probs.dataSync();
  const tAll = targets.dataSync();
  const terms = new Terms();
  const nanSamples: number[] = [];
  for (let s = 0; s < n; s++) {
    const p = Float64Array.from(pAll.subarray(s * size, (s + 1) * size));
    const t = Float64Array.from(tAll.subarray(s * size, (s + 1) * size));
    let constant = 0;
    if (p.some(Number.isNaN)) nanSamples.push(s);
    else {
      for (const m of match(p, t)) {
        if (m === undefined) continue;
        for (let k = 0; k < m.count; k++) {
          const i = m.matchedPrediction[k] as number;
          const j = m.matchedTarget[k] as number;
          terms.matchedBirth.push(s * size + (m.prediction.birth[i] as number));
          terms.matchedDeath.push(s * size + (m.prediction.death[i] as number));
          terms.targetBirth.push(t[m.target.birth[j] as number] as number);
          terms.targetDeath.push(t[m.target.death[j] as number] as number);
          terms.matchedSample.push(s);
        }
        for (const i of unmatchedIndices(m.prediction.length, m.matchedPrediction)) {
          terms.unmatchedBirth.push(s * size + (m.prediction.birth[i] as number));
          terms.unmatchedDeath.push(s * size + (m.prediction.death[i] as number));
          terms.unmatchedSample.push(s);
        }
        if (includeTargetUnmatched) {
          for (const j of unmatchedIndices(m.target.length, m.matchedTarget)) {
            constant += ((t[m.target.birth[j] as number] as number) - (t[m.target.death[j] as number] as number)) ** 2;
          }
        }
      }
    }
    terms.constant.push(constant);
  }

  const flat = tf.reshape(probs, [n * size]) as tf.Tensor1D;
  // One gather for all critical cells (one scatter in the backward pass), from typed arrays, which
  // tfjs copies as they are.
  const m = terms.matchedBirth.length;
  const u = terms.unmatchedBirth.length;
  const cells = Int32Array.from([...terms.matchedBirth, ...terms.matchedDeath, ...terms.unmatchedBirth, ...terms.unmatchedDeath]);
  const gathered = gatherFlat(flat, cells);
  const part = (start: number, length: number) => tf.slice(gathered, [start], [length]);
  const values = (list: number[]) => tf.tensor1d(Float32Array.from(list));
  const matched = tf.mul(
    2 * matchedWeight,
    tf.add(tf.square(tf.sub(part(0, m), values(terms.targetBirth))), tf.square(tf.sub(part(m, m), values(terms.targetDeath)))),
  ) as tf.Tensor1D;
  const unmatched = tf.mul(unmatchedWeight, tf.square(tf.sub(part(2 * m, u), part(2 * m + u, u)))) as tf.Tensor1D;
  const sums = tf.add(segmentSum(matched, Int32Array.from(terms.matchedSample), n), segmentSum(unmatched, Int32Array.from(terms.unmatchedSample), n));
  let perSample = tf.add(sums, values(terms.constant)) as tf.Tensor1D;
  if (nanSamples.length > 0) {
    const isNan = tf.tensor1d(Array.from({ length: n }, (_, s) => (nanSamples.includes(s) ? Number.NaN : 0)));
    // NaN times the sample's probabilities: NaN value and gradient for that sample only.
    perSample = tf.add(perSample, tf.mul(isNan, tf.sum(tf.reshape(probs, [n, size]), 1)));
  }
  return perSample;
}

/**
 * Reads the masks under the rank rule of {@link batchSpatialShape}: probabilities and targets in
 * the canonical `[N, ...spatial, 1]` layout, and the spatial shape.
 */
function readMasks(yTrue: TensorInput, yPred: TensorInput, fromLogits: boolean): { probs: tf.Tensor; targets: tf.Tensor; spatial: number[] } {
  const pred = toFloat(NAME, 'yPred', yPred);
  const spatial = batchSpatialShape(pred.shape);
  if (spatial === undefined) return fail(NAME, '`yPred`', `have shape ${BATCH_SHAPES}`, `shape ${formatShape(pred.shape)}`);
  const canonical = [pred.shape[0] as number, ...spatial, 1];
  // yTrue may carry the channel axis or not, whichever yPred does (as in the other segmentation losses).
  const y = toTensor(NAME, 'yTrue', yTrue);
  const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
  if (!(same(y.shape, canonical) || same(y.shape, canonical.slice(0, -1)))) {
    fail(NAME, '`yTrue` and `yPred`', 'have the same shape', `${formatShape(y.shape)} and ${formatShape(pred.shape)}`);
  }
  const rank = spatial.length as 2 | 3;
  const { probs, targets } = segmentationInputs(NAME, y, tf.reshape(pred, canonical), { fromLogits }, { spatialRanks: [rank] });
  return { probs, targets, spatial };
}

/**
 * Betti matching loss on probability maps and volumes (binary segmentation, 2D or 3D), computed on
 * the CPU for the pairing and with tfjs for the gradient.
 *
 * The barcodes of the prediction P and the target G (cubical, V-construction, superlevel sets of
 * the probabilities) are matched through the comparison image max(P, G) (Betti matching); with
 * q = (b, d) the birth and death values of an interval:
 *
 *     ℓ = Σ_{dim} [ w_m Σ_{(q,q') matched} 2‖q − q'‖²               = 2[(b − b')² + (d − d')²]
 *                 + w_u Σ_{q unmatched in P} 2‖q − π_Δ(q)‖²         = (b − d)²
 *                 +     Σ_{q' unmatched in G} (b' − d')² ]          (a constant of P)
 *
 *     dim ∈ {0 components, 1 holes} for images, {0 components, 1 loops, 2 cavities} for volumes
 *     value: ℓ per image or volume, then the reduction over the batch (mean by default)
 *
 * Matched intervals are pulled onto their partner, unmatched ones pushed onto the diagonal, which
 * removes spurious features and restores missing ones where they belong: the matching pairs
 * features that overlap in the comparison image, not merely features of similar persistence.
 * Every cell takes its value from one pixel (voxel), so each interval is (P[i_b], P[i_d]) for two
 * critical pixels: the pairing is computed from the detached values and the loss gathers the
 * probabilities at those pixels, so the gradient reaches exactly them. The pairing is piecewise
 * constant in P, and the loss piecewise quadratic; this is its gradient almost everywhere.
 *
 * Shapes and rank rule (by the shape of `yPred`): `[N,H,W]` and `[N,H,W,1]` are images (Betti
 * matching in 2D, dimensions [0, 1]); `[N,D,H,W]` (a 4D shape whose last axis is not 1) and
 * `[N,D,H,W,1]` are volumes (3D: components 6-connected, cavities 26-connected background, loops in
 * between; dimensions [0, 1, 2]). A 4D shape ending in 1 is always images with a channel axis;
 * volumes one voxel wide are written `[N,D,H,1,1]`, and `dimensions` with 2 on images is an error
 * that says so. `yTrue` has the shape of `yPred`, with or without the channel axis. With
 * `relative`, a volume is framed on all six faces.
 *
 * Paper and code: the paper's unmatched term is written over the prediction's intervals; both
 * official implementations also add the target's unmatched intervals, a constant that shifts the
 * value only (`includeTargetUnmatched`, on by default as in the code). The essential component is
 * left out (as in the official C++ code and topolosses; the first Python code kept it). Ties are
 * broken as the official code does (value, then row, column; in 3D z, row, column); a binary
 * target is all ties, which changes its critical pixels but not its values. The 3D loss is the same
 * formula over the three dimensions, as in the 3D paper. NaN in a prediction makes that sample's
 * value and gradient NaN.
 *
 * @param yTrue - Targets in [0, 1], usually binary masks: `[N,H,W]`, `[N,H,W,1]`, `[N,D,H,W]` or
 * `[N,D,H,W,1]`, the shape of `yPred` (the channel axis may be left out).
 * @param yPred - Probabilities of that shape, or logits with `fromLogits: true`.
 * @returns A scalar, or `[N]` (one value per image or volume) with `reduction: 'none'`.
 *
 * @example
 * // The second component, (0.6, 0.2) in P and (1, 0) in G, is matched: 2[(0.6 − 1)² + (0.2 − 0)²]
 * bettiMatchingLoss([[[1, 0, 1]]], [[[0.9, 0.2, 0.6]]]).print(); // 0.4
 * // The same row as a volume [1, 1, 1, 3] (dimensions 0, 1, 2): the same value
 * bettiMatchingLoss([[[[1, 0, 1]]]], [[[[0.9, 0.2, 0.6]]]]).print(); // 0.4
 *
 * @see N. Stucki, J. C. Paetzold, S. Shit, B. Menze, U. Bauer, Topologically faithful image
 * segmentation via induced matching of persistence barcodes, ICML 2023, https://arxiv.org/abs/2211.15272
 * @see N. Stucki, V. Bürgin, J. C. Paetzold, U. Bauer, Efficient Betti matching enables
 * topology-aware 3D segmentation via persistent homology, 2024, https://arxiv.org/abs/2407.04683
 */
function bettiMatchingLoss_(yTrue: TensorInput, yPred: TensorInput, options: BettiMatchingLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { filtration = 'superlevel', fromLogits = false, relative = false, includeTargetUnmatched = true, matchedWeight = 1, unmatchedWeight = 1 } = options;
  const { probs, targets, spatial } = readMasks(yTrue, yPred, fromLogits);
  const dimensions = checkDimensionsForRank(NAME, options.dimensions, spatial.length);
  const match: SampleMatcher = (p, t) => matchSublevel(sublevelValues(p, filtration), sublevelValues(t, filtration), spatial, { relative, dimensions });
  return reduce(NAME, lossFromMatchings(probs, targets, match, { includeTargetUnmatched, matchedWeight, unmatchedWeight }), options);
}

export const bettiMatchingLoss = /* @__PURE__ */ tf.op({ bettiMatchingLoss_ });

export const bettiMatchingLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'segmentation',
  summary: 'Betti matching loss: persistence barcodes of prediction and target matched by location (2D images or 3D volumes, binary)',
  formula: 'ℓ = Σ_dim [ Σ_matched 2‖q − q′‖² + Σ_unmatched P (b − d)² + Σ_unmatched G (b′ − d′)² ]',
  fn: bettiMatchingLoss,
  target: 'mask',
  prediction: 'probability',
  tasks: ['segmentation'],
  params: PARAMS,
  properties: ['nonNegative'],
  reference:
    'N. Stucki, J. C. Paetzold, S. Shit, B. Menze, U. Bauer, Topologically faithful image segmentation via induced matching of persistence barcodes, ICML 2023, https://arxiv.org/abs/2211.15272; 3D: N. Stucki, V. Bürgin, J. C. Paetzold, U. Bauer, Efficient Betti matching enables topology-aware 3D segmentation via persistent homology, 2024, https://arxiv.org/abs/2407.04683',
  seed: 5,
};
