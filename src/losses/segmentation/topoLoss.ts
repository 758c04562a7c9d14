import * as tf from '@tensorflow/tfjs-core';
import { checkDimensions } from '../../topology/bettiMatching.js';
import { cubicalPersistence, type PersistencePair } from '../../topology/cubicalPersistence.js';
import { hardMaskValues } from '../_shared/hard-masks.js';
import { binaryPixelCrossEntropy } from '../_shared/pixel-cross-entropy.js';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import { gatherFlat, segmentSum } from '../_shared/segments.js';
import { MODE_PARAMS, segmentationInputs } from '../_shared/segmentation.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { checkOptions } from '../_shared/validate.js';

const NAME = 'topoLoss';

export interface TopoLossOptions extends ReductionOptions {
  /** `yPred` holds logits: the sigmoid is applied first. @defaultValue `false` */
  fromLogits?: boolean;
  /**
   * λ >= 0, the weight of the topological term. TopoMortar uses 100 on 512×512 images, switched on
   * after 70% of training; the term is a mean over pixels, so the weight that balances it against
   * the cross-entropy depends on the image size. @defaultValue `1`
   */
  lambda?: number;
  /** Weight >= 0 of the cross-entropy term. @defaultValue `1` */
  ceWeight?: number;
  /** Side of the square patches whose barcodes are compared (the last row and column of patches may be smaller). @defaultValue `50` */
  patchSize?: number;
  /** Homology dimensions: 0 (components, TopoMortar) and/or 1 (holes). @defaultValue `[0]` */
  dimensions?: readonly number[];
  /**
   * How the prediction's bars are paired with the target's: `'optimal'`, the optimal (Wasserstein-2)
   * matching of the paper's definition; `'persistence'`, the official code's heuristic (the k longest
   * bars are fixed, the others removed, with the two thresholds). @defaultValue `'optimal'`
   */
  matching?: TopoMatching;
  /** `'persistence'` matching: bars with persistence at most this are left alone rather than removed. @defaultValue `0.03` */
  persistenceThreshold?: number;
  /** `'persistence'` matching: bars with persistence above this count as perfect and are not fixed. @defaultValue `0.99` */
  perfectThreshold?: number;
}

export const TOPO_MATCHINGS = ['optimal', 'persistence'] as const;
export type TopoMatching = (typeof TOPO_MATCHINGS)[number];

const PARAMS: ParamSpecs = {
  fromLogits: MODE_PARAMS.fromLogits as ParamSpecs[string],
  lambda: { kind: 'number', default: 1, min: 0, doc: 'weight λ of the topological term (TopoMortar: 100 on 512×512 images)' },
  ceWeight: { kind: 'number', default: 1, min: 0, doc: 'weight of the cross-entropy term' },
  patchSize: { kind: 'number', default: 50, min: 2, integer: true, doc: 'side of the square patches whose barcodes are compared' },
  dimensions: { kind: 'data', type: 'number[] (a non-empty subset of [0, 1])', doc: 'homology dimensions: 0 components (default, TopoMortar), 1 holes' },
  matching: {
    kind: 'choice',
    default: 'optimal',
    choices: TOPO_MATCHINGS,
    doc: "'optimal': Wasserstein-2 matching to the target's bars (the paper); 'persistence': the k longest fixed, the rest removed (official code)",
  },
  persistenceThreshold: { kind: 'number', default: 0.03, min: 0, max: 1, doc: "'persistence' matching: bars this short or shorter are not removed" },
  perfectThreshold: { kind: 'number', default: 0.99, min: 0, max: 1, doc: "'persistence' matching: bars longer than this count as perfect and are not fixed" },
};

/** The bars to move, as critical pixels (flat over the batch) and the image each belongs to. */
class Bars {
  fixBirth: number[] = [];
  fixDeath: number[] = [];
  fixImage: number[] = [];
  removeBirth: number[] = [];
  removeDeath: number[] = [];
  removeImage: number[] = [];
}

interface Selection {
  /** Indices of the bars matched to the target's (1, 0). */
  fix: number[];
  /** Indices of the bars sent to the diagonal. */
  remove: number[];
}

/**
 * The optimal matching of bars (b, d) to k target bars at (1, 0) or to the diagonal: matching a bar
 * costs (b − 1)² + d², sending it to the diagonal (b − d)²/2, leaving a target bar unmatched ½; so
 * the matched bars are those with Δ = (b − 1)² + d² − (b − d)²/2 − ½ < 0, the k smallest.
 */
function optimalSelection(bars: readonly PersistencePair[], k: number): Selection {
  const gain = bars.map((bar) => (bar.birth - 1) ** 2 + bar.death ** 2 - (bar.birth - bar.death) ** 2 / 2 - 0.5);
  const fix = bars
    .map((_, i) => i)
    .filter((i) => (gain[i] as number) < 0)
    .sort((a, b) => (gain[a] as number) - (gain[b] as number) || a - b)
    .slice(0, k);
  const remove = bars.map((_, i) => i).filter((i) => !fix.includes(i));
  return { fix, remove };
}

/**
 * The official heuristic: bars sorted by persistence, longest first (ties in barcode order); the
 * first k are fixed unless perfect, the others longer than the threshold removed.
 */
function persistenceSelection(bars: readonly PersistencePair[], k: number, o: { persistenceThreshold: number; perfectThreshold: number }): Selection {
  const length = (i: number) => (bars[i] as PersistencePair).birth - (bars[i] as PersistencePair).death;
  const order = bars.map((_, i) => i).sort((a, b) => length(b) - length(a) || a - b);
  return {
    fix: order.slice(0, k).filter((i) => length(i) <= o.perfectThreshold),
    remove: order.slice(k).filter((i) => length(i) > o.persistenceThreshold),
  };
}

/**
 * Topological loss of Hu et al. (NeurIPS 2019) through persistent homology, with the cross-entropy
 * it is trained with on TopoMortar; binary, 2D, channels-last.
 *
 * Per image n, each square patch of P (probabilities) and Y (target) is compared through its
 * barcode (superlevel filtration, cubical V-construction: see `cubicalPersistence`), dimension by
 * dimension, on the CPU. The target is binary, so its k finite bars all sit at (1, 0); each bar
 * (b, d) of the prediction, with birth and death pixels b_i and d_i, is either matched to one of
 * them (fixed) or to the diagonal (removed):
 *
 *     fixed:    (P(b_i) − 1)² + (P(d_i) − 0)²
 *     removed:  ½(P(b_i) − P(d_i))²          (the squared distance to the diagonal)
 *     optimal:  the matching of least total cost, each target bar left unmatched costing ½:
 *               fixed are the bars with Δ = (b − 1)² + d² − ½(b − d)² − ½ < 0, the k smallest
 *     ℓ_n = w_CE·CE_n + λ·(1/(H·W))·[Σ_fixed + Σ_removed + ½·#unmatched target bars]
 *
 * Each bar of the barcode takes its two values from two pixels, so moving those pixels moves the
 * bar: the fixed ones become full-length features and the others shrink onto the diagonal until
 * the prediction has as many components (holes) per patch as the target, which is what its Betti
 * numbers count. The pairing is read from the detached prediction; the gradient flows through a
 * gather of P at the critical pixels. With the optimal matching (the paper's definition, a
 * Wasserstein distance between the diagrams) the value is continuous in P and piecewise quadratic.
 *
 * `matching: 'persistence'` is the official code's heuristic instead: the k longest bars are fixed
 * unless already perfect (persistence > `perfectThreshold`, 0.99), the others longer than
 * `persistenceThreshold` (0.03) removed, each end pulled toward the other's value, the term
 * (P(b_i) − P(d_i))², whose gradient 2(b − d) is the official force (the official value, with
 * detached references, is twice that). Its value jumps when a bar crosses a threshold or changes
 * rank. Differences from the official TopoMortar port, whose bugs are not copied: it applies the
 * softmax a second time to probabilities; it reads the target's background channel
 * (`target[:,0]`) as the ground truth; it sets the references of a fixed bar's birth pixel to 0
 * and death pixel to 1 in probability space while its barcodes are of 1 − P, which pushes the bars
 * it means to fix toward the diagonal; and it skips a patch whose target has no finite bar, so
 * extra components beside a single true one are never removed (here they are). Components are
 * 4-connected here (the V-construction), 8-connected in the official GUDHI T-construction. A pixel
 * that ends several bars gets the sum of their terms (the paper's sum over the diagram), where the
 * official code keeps the last reference written to it. Cross-entropy is taken from logits with
 * `fromLogits`, otherwise from probabilities clipped to [1e-7, 1 − 1e-7]. TopoMortar trains with
 * λ = 100 on 512×512 images and switches the topological term on after 70% of the iterations (pass
 * `lambda: 0` before that); the default λ = 1 is smaller because the term, a mean over pixels,
 * weighs more on small images (a bar costs up to λ/(H·W), 100/64 on an 8×8 image).
 *
 * @param yTrue - Hard masks `[N,H,W]` (or `[N,H,W,1]`) in {0, 1}.
 * @param yPred - Foreground probabilities of the same shape, or logits with `fromLogits: true`.
 * @returns A scalar, or `[N]` with `reduction: 'none'`.
 *
 * @example
 * // two predicted components where the target has one: the weaker bar (0.6, 0.2) goes to the diagonal
 * topoLoss([[[1, 1, 1, 0, 0]]], [[[0.9, 0.2, 0.6, 0.1, 0.05]]], { ceWeight: 0, lambda: 1 }).print(); // ½(0.6 − 0.2)²/5 = 0.016
 *
 * @see X. Hu, F. Li, D. Samaras, C. Chen, Topology-Preserving Deep Image Segmentation, NeurIPS 2019,
 * https://arxiv.org/abs/1906.05404; TopoMortar (J. M. Valverde et al., BMVC 2025), https://arxiv.org/abs/2503.03365
 */
function topoLoss_(yTrue: TensorInput, yPred: TensorInput, options: TopoLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const dimensions = options.dimensions === undefined ? [0] : [...checkDimensions(NAME, options.dimensions)].sort();
  const { fromLogits = false, lambda = 1, ceWeight = 1, patchSize = 50, matching = 'optimal', persistenceThreshold = 0.03, perfectThreshold = 0.99 } = options;
  const { raw, probs, targets } = segmentationInputs(NAME, yTrue, yPred, { mode: 'binary', fromLogits }, { spatialRanks: [2] });
  const target = hardMaskValues(NAME, targets, 'its barcode is compared with the prediction’s');
  const [n, h, w] = targets.shape as [number, number, number, number];
  const hw = h * w;
  const predicted = probs.dataSync();
  const bars = new Bars();
  // The ½ per target bar left unmatched (optimal matching): a constant of P that keeps the value continuous.
  const unmatchedTarget = new Float32Array(n);
  for (let b = 0; b < n; b++) {
    // A NaN prediction has no barcode; its cross-entropy carries the NaN.
    if (predicted.subarray(b * hw, (b + 1) * hw).some(Number.isNaN)) continue;
    for (let y0 = 0; y0 < h; y0 += patchSize) {
      for (let x0 = 0; x0 < w; x0 += patchSize) {
        const ph = Math.min(patchSize, h - y0);
        const pw = Math.min(patchSize, w - x0);
        const lh = new Float64Array(ph * pw);
        const gt = new Float64Array(ph * pw);
        for (let r = 0; r < ph; r++) {
          for (let c = 0; c < pw; c++) {
            lh[r * pw + c] = predicted[b * hw + (y0 + r) * w + x0 + c] as number;
            gt[r * pw + c] = target[b * hw + (y0 + r) * w + x0 + c] as number;
          }
        }
        const barsPred = cubicalPersistence({ data: lh, shape: [ph, pw] });
        const barsTrue = cubicalPersistence({ data: gt, shape: [ph, pw] });
        const toFlat = ([r, c]: [number, number]) => b * hw + (y0 + r) * w + x0 + c;
        for (const d of dimensions) {
          const key = d === 0 ? 'dim0' : 'dim1';
          const pred = barsPred[key];
          const k = barsTrue[key].length;
          const chosen = matching === 'optimal' ? optimalSelection(pred, k) : persistenceSelection(pred, k, { persistenceThreshold, perfectThreshold });
          if (matching === 'optimal') unmatchedTarget[b] = (unmatchedTarget[b] as number) + 0.5 * (k - chosen.fix.length);
          for (const i of chosen.fix) {
            bars.fixBirth.push(toFlat((pred[i] as PersistencePair).birthPixel));
            bars.fixDeath.push(toFlat((pred[i] as PersistencePair).deathPixel));
            bars.fixImage.push(b);
          }
          for (const i of chosen.remove) {
            bars.removeBirth.push(toFlat((pred[i] as PersistencePair).birthPixel));
            bars.removeDeath.push(toFlat((pred[i] as PersistencePair).deathPixel));
            bars.removeImage.push(b);
          }
        }
      }
    }
  }
  const flat = tf.reshape(probs, [n * hw]) as tf.Tensor1D;
  const at = (indices: number[]) => gatherFlat(flat, indices);
  const fixed = tf.add(tf.square(tf.sub(at(bars.fixBirth), 1)), tf.square(at(bars.fixDeath))) as tf.Tensor1D;
  // To the diagonal: (b − d)²/2 for the optimal matching; the official force 2(b − d) for 'persistence'.
  const removed = tf.mul(matching === 'optimal' ? 0.5 : 1, tf.square(tf.sub(at(bars.removeBirth), at(bars.removeDeath)))) as tf.Tensor1D;
  const topo = tf.div(tf.add(tf.add(segmentSum(fixed, bars.fixImage, n), segmentSum(removed, bars.removeImage, n)), tf.tensor1d(unmatchedTarget)), hw);
  const ce = tf.mean(binaryPixelCrossEntropy(targets, raw, fromLogits), [1, 2, 3]);
  return reduce(NAME, tf.add(tf.mul(ceWeight, ce), tf.mul(lambda, topo)), options);
}

export const topoLoss = /* @__PURE__ */ tf.op({ topoLoss_ });

export const topoLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'segmentation',
  summary: 'TopoLoss (Hu et al. 2019): pushes persistence bars of the prediction to match the target\u2019s Betti numbers per patch, plus CE',
  formula: 'ℓ = w_CE·CE + λ/HW·[Σ_fixed ((P(b) − 1)² + P(d)²) + Σ_removed ½(P(b) − P(d))² + ½·#unmatched], optimal matching to the target bars',
  fn: topoLoss,
  target: 'mask',
  prediction: 'probability',
  tasks: ['segmentation'],
  params: PARAMS,
  properties: ['nonNegative'],
  reference:
    'X. Hu, F. Li, D. Samaras, C. Chen, Topology-Preserving Deep Image Segmentation, NeurIPS 2019, https://arxiv.org/abs/1906.05404; as used in TopoMortar (J. M. Valverde et al., BMVC 2025, https://arxiv.org/abs/2503.03365)',
  seed: 9,
};
