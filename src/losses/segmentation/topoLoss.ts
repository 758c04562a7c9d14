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
  /** λ >= 0, the weight of the topological term (TopoMortar: 100, switched on after 70% of training). @defaultValue `100` */
  lambda?: number;
  /** Weight >= 0 of the cross-entropy term. @defaultValue `1` */
  ceWeight?: number;
  /** Side of the square patches whose barcodes are compared (the last row and column of patches may be smaller). @defaultValue `50` */
  patchSize?: number;
  /** Homology dimensions: 0 (components, TopoMortar) and/or 1 (holes). @defaultValue `[0]` */
  dimensions?: readonly number[];
  /** Bars of the prediction with persistence at most this are left alone rather than removed. @defaultValue `0.03` */
  persistenceThreshold?: number;
  /** Bars with persistence above this count as perfect and are not fixed. @defaultValue `0.99` */
  perfectThreshold?: number;
}

const PARAMS: ParamSpecs = {
  fromLogits: MODE_PARAMS.fromLogits as ParamSpecs[string],
  lambda: { kind: 'number', default: 100, min: 0, doc: 'weight λ of the topological term (TopoMortar 100)' },
  ceWeight: { kind: 'number', default: 1, min: 0, doc: 'weight of the cross-entropy term' },
  patchSize: { kind: 'number', default: 50, min: 2, integer: true, doc: 'side of the square patches whose barcodes are compared' },
  dimensions: { kind: 'data', type: 'number[] (a non-empty subset of [0, 1])', doc: 'homology dimensions: 0 components (default, TopoMortar), 1 holes' },
  persistenceThreshold: { kind: 'number', default: 0.03, min: 0, max: 1, doc: 'prediction bars this short or shorter are not removed' },
  perfectThreshold: { kind: 'number', default: 0.99, min: 0, max: 1, doc: 'prediction bars longer than this count as perfect and are not fixed' },
};

/** Critical pixels of the topological term (flat over the batch), their reference values and images. */
interface Targets {
  pixels: number[];
  refs: number[];
  images: number[];
}

/**
 * Writes the reference values of one patch's bars into `refs` (a later write to a pixel wins):
 * the k longest bars (k = the target's bar count), unless perfect, are pushed to (1, 0); the others
 * longer than the threshold onto the diagonal, each end to the other's value.
 */
function pushBars(bars: readonly PersistencePair[], k: number, toFlat: (p: [number, number]) => number, refs: Map<number, number>, o: { persistenceThreshold: number; perfectThreshold: number }): void {
  const order = bars.map((_, i) => i).sort((a, b) => (bars[b] as PersistencePair).birth - (bars[b] as PersistencePair).death - ((bars[a] as PersistencePair).birth - (bars[a] as PersistencePair).death) || a - b);
  order.forEach((i, rank) => {
    const bar = bars[i] as PersistencePair;
    const persistence = bar.birth - bar.death;
    if (rank < k) {
      if (persistence > o.perfectThreshold) return;
      refs.set(toFlat(bar.birthPixel), 1);
      refs.set(toFlat(bar.deathPixel), 0);
    } else if (persistence > o.persistenceThreshold) {
      refs.set(toFlat(bar.birthPixel), bar.death);
      refs.set(toFlat(bar.deathPixel), bar.birth);
    }
  });
}

/**
 * Topological loss of Hu et al. (NeurIPS 2019) through persistent homology, with the cross-entropy
 * it is trained with on TopoMortar; binary, 2D, channels-last.
 *
 * Per image n, each square patch of P (probabilities) and Y (target) is compared through its
 * barcode (superlevel filtration, cubical V-construction: see `cubicalPersistence`), dimension by
 * dimension, on the CPU. With k the number of finite bars of the target patch and the
 * prediction's finite bars sorted by persistence b − d, longest first:
 *
 *     fix:     the first k bars, unless perfect (b − d > 0.99):   P(birth pixel) → 1,  P(death pixel) → 0
 *     remove:  the others with b − d > 0.03:                       P(birth pixel) → d,  P(death pixel) → b
 *     ℓ_n = w_CE·CE_n + λ·(1/(H·W)) Σ_{critical pixels i} (P_i − r_i)²
 *
 * Each bar of the barcode takes its two values from two pixels, so moving those pixels moves the
 * bar: the fixed ones become full-length features and the spurious ones shrink onto the diagonal
 * until the prediction has as many components (holes) per patch as the target, which is what its
 * Betti numbers count. The pairing is read from the detached prediction; the gradient flows
 * through a gather of P at the critical pixels, and the loss is piecewise quadratic in P.
 *
 * Differences from the official TopoMortar port, whose bugs this does not copy: it applies the
 * softmax a second time to probabilities; it reads the target's background channel (`target[:,0]`)
 * as the ground truth; it sets the reference of a fixed bar's birth pixel to 0 and death pixel to
 * 1 in probability space while its barcodes are of 1 − P, which pushes the bars it means to fix
 * toward the diagonal; and it skips a patch whose target has no finite bar, so extra components
 * beside a single true one are never removed (here they are). Components are 4-connected here (the
 * V-construction), 8-connected in the official GUDHI T-construction. When one pixel is the end of
 * several bars, the last write wins, as in the official code (fixed bars first, then removed ones,
 * by decreasing persistence, dimension 0 before 1). Cross-entropy is taken from logits with
 * `fromLogits`, otherwise from probabilities clipped to [1e-7, 1 − 1e-7]. TopoMortar switches the
 * topological term on after 70% of the iterations (pass `lambda: 0` before that).
 *
 * @param yTrue - Hard masks `[N,H,W]` (or `[N,H,W,1]`) in {0, 1}.
 * @param yPred - Foreground probabilities of the same shape, or logits with `fromLogits: true`.
 * @returns A scalar, or `[N]` with `reduction: 'none'`.
 *
 * @example
 * // two predicted components where the target has one: the weaker bar (0.6, 0.2) is pushed onto the diagonal
 * topoLoss([[[1, 1, 1, 0, 0]]], [[[0.9, 0.2, 0.6, 0.1, 0.05]]], { ceWeight: 0, lambda: 1 }).print(); // ((0.6 − 0.2)² + (0.2 − 0.6)²)/5 = 0.064
 *
 * @see X. Hu, F. Li, D. Samaras, C. Chen, Topology-Preserving Deep Image Segmentation, NeurIPS 2019,
 * https://arxiv.org/abs/1906.05404; TopoMortar (J. M. Valverde et al., BMVC 2025), https://arxiv.org/abs/2503.03365
 */
function topoLoss_(yTrue: TensorInput, yPred: TensorInput, options: TopoLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const dimensions = options.dimensions === undefined ? [0] : [...checkDimensions(NAME, options.dimensions)].sort();
  const { fromLogits = false, lambda = 100, ceWeight = 1, patchSize = 50, persistenceThreshold = 0.03, perfectThreshold = 0.99 } = options;
  const { raw, probs, targets } = segmentationInputs(NAME, yTrue, yPred, { mode: 'binary', fromLogits }, { spatialRanks: [2] });
  const target = hardMaskValues(NAME, targets, 'its barcode is compared with the prediction’s');
  const [n, h, w] = targets.shape as [number, number, number, number];
  const hw = h * w;
  const predicted = probs.dataSync();
  const critical: Targets = { pixels: [], refs: [], images: [] };
  for (let b = 0; b < n; b++) {
    const refs = new Map<number, number>();
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
        const toFlat = ([r, c]: [number, number]) => (y0 + r) * w + x0 + c;
        for (const d of dimensions) {
          const key = d === 0 ? 'dim0' : 'dim1';
          pushBars(barsPred[key], barsTrue[key].length, toFlat, refs, { persistenceThreshold, perfectThreshold });
        }
      }
    }
    for (const [pixel, ref] of refs) {
      critical.pixels.push(b * hw + pixel);
      critical.refs.push(ref);
      critical.images.push(b);
    }
  }
  const flat = tf.reshape(probs, [n * hw]) as tf.Tensor1D;
  const squared = tf.square(tf.sub(gatherFlat(flat, critical.pixels), tf.tensor1d(critical.refs))) as tf.Tensor1D;
  const topo = tf.div(segmentSum(squared, critical.images, n), hw);
  const ce = tf.mean(binaryPixelCrossEntropy(targets, raw, fromLogits), [1, 2, 3]);
  return reduce(NAME, tf.add(tf.mul(ceWeight, ce), tf.mul(lambda, topo)), options);
}

export const topoLoss = /* @__PURE__ */ tf.op({ topoLoss_ });

export const topoLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'segmentation',
  summary: 'TopoLoss (Hu et al. 2019): pushes persistence bars of the prediction to match the target\u2019s Betti numbers per patch, plus CE',
  formula: 'ℓ = w_CE·CE + λ·(1/HW) Σ_i (P_i − r_i)²,  r: 1/0 at the ends of the k longest bars, the other end\u2019s value elsewhere',
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
