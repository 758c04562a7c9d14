import * as tf from '@tensorflow/tfjs-core';
import { checkDimensions, matchSublevelImages, unmatchedIndices } from '../../topology/bettiMatching.js';
import { FILTRATIONS, type Filtration, sublevelValues } from '../../topology/image.js';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import { segmentationInputs } from '../_shared/segmentation.js';
import { gatherFlat, segmentSum } from '../_shared/segments.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { checkOptions } from '../_shared/validate.js';

const NAME = 'bettiMatchingLoss';

export interface BettiMatchingLossOptions extends ReductionOptions {
  /** Homology dimensions matched: 0 (components), 1 (holes). @defaultValue `[0, 1]` */
  dimensions?: readonly number[];
  /** `'superlevel'`: features of the foreground {p >= t}; `'sublevel'`: of {p <= t}. @defaultValue `'superlevel'` */
  filtration?: Filtration;
  /** `yPred` holds logits: the sigmoid is applied first. @defaultValue `false` */
  fromLogits?: boolean;
  /**
   * Homology relative to the image border: each image gets a one-pixel frame holding its own
   * maximum (minimum for sublevel), so that what touches the border is connected to it (the
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
  dimensions: { kind: 'data', type: 'number[] (a non-empty subset of [0, 1])', doc: 'homology dimensions matched: 0 components, 1 holes (default [0, 1])' },
  filtration: { kind: 'choice', default: 'superlevel', choices: FILTRATIONS, doc: "'superlevel': features of {p >= t} (foreground); 'sublevel': of {p <= t}" },
  fromLogits: { kind: 'boolean', default: false, doc: 'yPred holds logits: sigmoid first' },
  relative: { kind: 'boolean', default: false, doc: 'homology relative to the border: a frame holding each image’s maximum joins what touches it' },
  includeTargetUnmatched: { kind: 'boolean', default: true, doc: 'add the target’s unmatched intervals (a constant), as the official code does' },
  matchedWeight: { kind: 'number', default: 1, min: 0, doc: 'weight of the matched term' },
  unmatchedWeight: { kind: 'number', default: 1, min: 0, doc: 'weight of the prediction’s unmatched term' },
};

/** Critical pixels (flat over the batch), target values and sample of every term. */
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

/**
 * Betti matching loss on probability maps (binary segmentation, 2D), computed on the CPU for the
 * pairing and with tfjs for the gradient.
 *
 * The barcodes of the prediction P and the target G (cubical, V-construction, superlevel sets of
 * the probabilities) are matched through the comparison image max(P, G) (Betti matching); with
 * q = (b, d) the birth and death values of an interval:
 *
 *     ℓ = Σ_{dim} [ w_m Σ_{(q,q') matched} 2‖q − q'‖²               = 2[(b − b')² + (d − d')²]
 *                 + w_u Σ_{q unmatched in P} 2‖q − π_Δ(q)‖²         = (b − d)²
 *                 +     Σ_{q' unmatched in G} (b' − d')² ]          (a constant of P)
 *
 * Matched intervals are pulled onto their partner, unmatched ones pushed onto the diagonal, which
 * removes spurious components and holes and restores missing ones where they belong: the matching
 * pairs features that overlap in the comparison image, not merely features of similar persistence.
 * Every cell takes its value from one pixel, so each interval is (P[i_b], P[i_d]) for two critical
 * pixels: the pairing is computed from the detached values and the loss gathers the probabilities
 * at those pixels, so the gradient reaches exactly them. The pairing is piecewise constant in P, and
 * the loss piecewise quadratic; this is its gradient almost everywhere.
 *
 * Paper and code: the paper's unmatched term is written over the prediction's intervals; both
 * official implementations also add the target's unmatched intervals, a constant that shifts the
 * value only (`includeTargetUnmatched`, on by default as in the code). The essential component is
 * left out (as in the official C++ code and topolosses; the first Python code kept it). Ties are
 * broken as the official code does (value, then row, column); a binary target is all ties, which
 * changes its critical pixels but not its values. NaN in a prediction makes that sample's value and
 * gradient NaN.
 *
 * @param yTrue - Targets `[N,H,W]` (or `[N,H,W,1]`) in [0, 1], usually binary masks.
 * @param yPred - Probabilities of the same shape, or logits with `fromLogits: true`.
 * @returns A scalar, or `[N]` (one value per image) with `reduction: 'none'`.
 *
 * @example
 * // The second component, (0.6, 0.2) in P and (1, 0) in G, is matched: 2[(0.6 − 1)² + (0.2 − 0)²]
 * bettiMatchingLoss([[[1, 0, 1]]], [[[0.9, 0.2, 0.6]]]).print(); // 0.4
 *
 * @see N. Stucki, J. C. Paetzold, S. Shit, B. Menze, U. Bauer, Topologically faithful image
 * segmentation via induced matching of persistence barcodes, ICML 2023, https://arxiv.org/abs/2211.15272
 */
function bettiMatchingLoss_(yTrue: TensorInput, yPred: TensorInput, options: BettiMatchingLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const dimensions = checkDimensions(NAME, options.dimensions);
  const { filtration = 'superlevel', fromLogits = false, relative = false, includeTargetUnmatched = true, matchedWeight = 1, unmatchedWeight = 1 } = options;
  const { probs, targets } = segmentationInputs(NAME, yTrue, yPred, { fromLogits }, { spatialRanks: [2] });
  const [n, h, w] = probs.shape as [number, number, number, number];
  const hw = h * w;
  const pAll = probs.dataSync();
  const tAll = targets.dataSync();
  const terms = new Terms();
  const nanSamples: number[] = [];
  for (let s = 0; s < n; s++) {
    const p = Float64Array.from(pAll.subarray(s * hw, (s + 1) * hw));
    const t = Float64Array.from(tAll.subarray(s * hw, (s + 1) * hw));
    let constant = 0;
    if (p.some(Number.isNaN)) nanSamples.push(s);
    else {
      const dims = matchSublevelImages(sublevelValues(p, filtration), sublevelValues(t, filtration), h, w, { relative, dimensions });
      for (const m of dims) {
        if (m === undefined) continue;
        for (let k = 0; k < m.count; k++) {
          const i = m.matchedPrediction[k] as number;
          const j = m.matchedTarget[k] as number;
          terms.matchedBirth.push(s * hw + (m.prediction.birth[i] as number));
          terms.matchedDeath.push(s * hw + (m.prediction.death[i] as number));
          terms.targetBirth.push(t[m.target.birth[j] as number] as number);
          terms.targetDeath.push(t[m.target.death[j] as number] as number);
          terms.matchedSample.push(s);
        }
        for (const i of unmatchedIndices(m.prediction.length, m.matchedPrediction)) {
          terms.unmatchedBirth.push(s * hw + (m.prediction.birth[i] as number));
          terms.unmatchedDeath.push(s * hw + (m.prediction.death[i] as number));
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

  const flat = tf.reshape(probs, [n * hw]) as tf.Tensor1D;
  // One gather for all critical pixels (one scatter in the backward pass), from typed arrays, which
  // tfjs copies as they are.
  const m = terms.matchedBirth.length;
  const u = terms.unmatchedBirth.length;
  const pixels = Int32Array.from([...terms.matchedBirth, ...terms.matchedDeath, ...terms.unmatchedBirth, ...terms.unmatchedDeath]);
  const gathered = gatherFlat(flat, pixels);
  const part = (start: number, size: number) => tf.slice(gathered, [start], [size]);
  const values = (list: number[]) => tf.tensor1d(Float32Array.from(list));
  const matched = tf.mul(
    2 * matchedWeight,
    tf.add(tf.square(tf.sub(part(0, m), values(terms.targetBirth))), tf.square(tf.sub(part(m, m), values(terms.targetDeath)))),
  ) as tf.Tensor1D;
  const unmatched = tf.mul(unmatchedWeight, tf.square(tf.sub(part(2 * m, u), part(2 * m + u, u)))) as tf.Tensor1D;
  const sums = tf.add(segmentSum(matched, Int32Array.from(terms.matchedSample), n), segmentSum(unmatched, Int32Array.from(terms.unmatchedSample), n));
  let perSample = tf.add(sums, values(terms.constant));
  if (nanSamples.length > 0) {
    const isNan = tf.tensor1d(Array.from({ length: n }, (_, s) => (nanSamples.includes(s) ? Number.NaN : 0)));
    // NaN times the sample's probabilities: NaN value and gradient for that sample only.
    perSample = tf.add(perSample, tf.mul(isNan, tf.sum(tf.reshape(probs, [n, hw]), 1)));
  }
  return reduce(NAME, perSample, options);
}

export const bettiMatchingLoss = /* @__PURE__ */ tf.op({ bettiMatchingLoss_ });

export const bettiMatchingLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'segmentation',
  summary: 'Betti matching loss: persistence barcodes of prediction and target matched by location (2D, binary)',
  formula: 'ℓ = Σ_dim [ Σ_matched 2‖q − q′‖² + Σ_unmatched P (b − d)² + Σ_unmatched G (b′ − d′)² ]',
  fn: bettiMatchingLoss,
  target: 'mask',
  prediction: 'probability',
  tasks: ['segmentation'],
  params: PARAMS,
  properties: ['nonNegative'],
  reference:
    'N. Stucki, J. C. Paetzold, S. Shit, B. Menze, U. Bauer, Topologically faithful image segmentation via induced matching of persistence barcodes, ICML 2023, https://arxiv.org/abs/2211.15272',
  seed: 5,
};
