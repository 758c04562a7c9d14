import * as tf from '@tensorflow/tfjs-core';
import { distanceToBackground2d, distanceToForeground2d } from '../_shared/distance-transform.js';
import { fail, formatValue } from '../_shared/errors.js';
import { channelPlane, hardMaskValues, planesToTensor } from '../_shared/hard-masks.js';
import { gridEdges, labelComponents2d, malisPairCounts } from '../_shared/malis.js';
import { type ReductionOptions, reduce } from '../_shared/reduction.js';
import { segmentationInputs } from '../_shared/segmentation.js';
import type { FunctionLossSpec, ParamSpecs } from '../_shared/spec.js';
import { dilateCross2d } from '../_shared/thinning.js';
import type { TensorInput } from '../_shared/to-tensor.js';
import { checkOptions, checkPositiveVector } from '../_shared/validate.js';

const NAME = 'regionSeparationLoss';

export const REGION_SEPARATION_VARIANTS = ['oner', 'topomortar'] as const;
/**
 * - `'oner'`: the network regresses the distance to the structure, and the MALIS terms read that
 *   distance map, as in Oner et al.'s code.
 * - `'topomortar'`: TopoMortar's `MSETopoWinLoss` exactly: the network regresses the depth inside
 *   the structure, and the MALIS terms read the binary mask where the code expects a distance map.
 */
export type RegionSeparationVariant = (typeof REGION_SEPARATION_VARIANTS)[number];

export interface RegionSeparationLossOptions extends ReductionOptions {
  /** Which map is regressed and what the MALIS terms read (see {@link RegionSeparationVariant}). @defaultValue `'oner'` */
  variant?: RegionSeparationVariant;
  /** α >= 0, the weight of the squared-error term. @defaultValue `1e-3` */
  alpha?: number;
  /** β >= 0, the weight of the positive (within-region) term. @defaultValue `0.1` */
  beta?: number;
  /** D_max > 0: distances are truncated here, and within-region maximin pixels are pulled up to it. @defaultValue `20` */
  dMax?: number;
  /** D_min in [0, D_max]: edges whose target cost (sum of the two target values) is below it lie on the structure's band and take the negative weights. @defaultValue `10` */
  dMin?: number;
  /** Side (integer >= 2) of the square windows on which the MALIS weights are computed. @defaultValue `64` */
  window?: number;
  /** Regions are the components of the pixels farther than this many cross dilations from the structure (integer >= 0). @defaultValue `5` */
  margin?: number;
  /**
   * Cover the last rows and columns with smaller windows where the image side is not a multiple of
   * `window`; `false` leaves them (and whole images smaller than a window) out of the MALIS terms,
   * as the official code does. @defaultValue `true`
   */
  partialWindows?: boolean;
  /** `[w_background, w_structure]` >= 0: each pixel's terms are weighted by the weight of its target class (official `weights`). @defaultValue `[1, 1]` */
  classWeights?: TensorInput | readonly number[];
}

const PARAMS: ParamSpecs = {
  variant: {
    kind: 'choice',
    default: 'oner',
    choices: REGION_SEPARATION_VARIANTS,
    doc: "'oner': regress the distance to the structure, MALIS on that map (Oner et al.); 'topomortar': TopoMortar's code exactly (depth inside the structure, MALIS on the binary mask)",
  },
  alpha: { kind: 'number', default: 1e-3, min: 0, doc: 'weight α of the squared-error term' },
  beta: { kind: 'number', default: 0.1, min: 0, doc: 'weight β of the positive (within-region) MALIS term' },
  dMax: { kind: 'number', default: 20, min: 0, exclusiveMin: true, doc: 'truncation distance D_max, the value within-region maximin pixels are pulled to' },
  dMin: { kind: 'number', default: 10, min: 0, doc: 'edges with target cost below D_min take the negative (separating) weights; <= dMax' },
  window: { kind: 'number', default: 64, min: 2, integer: true, doc: 'side of the square windows of the MALIS weights' },
  margin: { kind: 'number', default: 5, min: 0, integer: true, doc: 'regions: components of the pixels beyond this many cross dilations of the structure' },
  partialWindows: { kind: 'boolean', default: true, doc: 'cover the remainder of the image with smaller windows (false: full windows only, as the official code)' },
  classWeights: { kind: 'data', type: 'number[2] (>= 0)', doc: '[w_background, w_structure]: weight of each pixel by its target class; default [1, 1]' },
};

interface Settings {
  dMax: number;
  dMin: number;
  window: number;
  margin: number;
  partialWindows: boolean;
  connectivity: 4 | 8;
}

/** Starts and sizes of the windows along one side of length n. */
function windowSpans(n: number, size: number, partial: boolean): [number, number][] {
  const spans: [number, number][] = [];
  for (let start = 0; start + (partial ? 1 : size) <= n; start += size) spans.push([start, Math.min(size, n - start)]);
  return spans;
}

/**
 * The negative and positive MALIS pixel weights of one image, added into `neg` and `pos`, from
 * the map `gt` the official code reads as the target (0 on the structure) and the prediction.
 */
function malisWeights(gt: Float64Array, pred: ArrayLike<number>, height: number, width: number, s: Settings, neg: Float64Array, pos: Float64Array): void {
  for (const [r0, wh] of windowSpans(height, s.window, s.partialWindows)) {
    for (const [c0, ww] of windowSpans(width, s.window, s.partialWindows)) {
      if (wh * ww < 2) continue;
      const size = wh * ww;
      const g = new Float64Array(size);
      const p = new Float64Array(size);
      const structure = new Uint8Array(size);
      for (let r = 0; r < wh; r++) {
        for (let c = 0; c < ww; c++) {
          const i = (r0 + r) * width + c0 + c;
          g[r * ww + c] = gt[i] as number;
          p[r * ww + c] = pred[i] as number;
          structure[r * ww + c] = gt[i] === 0 ? 1 : 0;
        }
      }
      // Regions to keep apart: what lies beyond `margin` cross dilations of the structure.
      const grown = dilateCross2d(structure, wh, ww, s.margin);
      const regions = labelComponents2d(
        grown.map((v) => 1 - v),
        wh,
        ww,
        s.connectivity,
      );
      const edges = gridEdges(wh, ww);
      const count = edges.a.length;
      const dMax = Math.fround(s.dMax);
      const dMin = Math.fround(s.dMin);
      const gtCost = new Float64Array(count);
      const costN = new Float64Array(count);
      const costP = new Float64Array(count);
      for (let e = 0; e < count; e++) {
        const a = edges.a[e] as number;
        const b = edges.b[e] as number;
        // float32 sums, as the official code casts its costs (ties then fall alike).
        const cost = Math.fround((p[a] as number) + (p[b] as number));
        gtCost[e] = Math.fround((g[a] as number) + (g[b] as number));
        costN[e] = (gtCost[e] as number) > dMax ? dMax : cost;
        costP[e] = (gtCost[e] as number) < dMin ? 0 : cost;
      }
      const wN = malisPairCounts(regions, edges, costN, false);
      const wP = malisPairCounts(regions, edges, costP, true);
      // Normalised by all the pairs counted, before the edges off their band are dropped.
      const totalN = wN.reduce((t, v) => t + v, 0);
      const totalP = wP.reduce((t, v) => t + v, 0);
      for (let e = 0; e < count; e++) {
        const a = edges.a[e] as number;
        const b = edges.b[e] as number;
        const ia = (r0 + Math.floor(a / ww)) * width + c0 + (a % ww);
        const ib = (r0 + Math.floor(b / ww)) * width + c0 + (b % ww);
        if ((gtCost[e] as number) < dMin && totalN > 0) {
          const v = (wN[e] as number) / totalN;
          neg[ia] = (neg[ia] as number) + v;
          neg[ib] = (neg[ib] as number) + v;
        }
        if ((gtCost[e] as number) >= dMax && totalP > 0) {
          const v = (wP[e] as number) / totalP;
          pos[ia] = (pos[ia] as number) + v;
          pos[ib] = (pos[ib] as number) + v;
        }
      }
    }
  }
}

/**
 * TOPO, the windowed region-separation loss of Oner et al. (TPAMI 2021), as TopoMortar trains with
 * it ("TOPO", `MSETopoWinLoss`): the network regresses a truncated distance map, and MALIS weights
 * computed on that prediction pull apart the regions that the structure (roads, canals, mortar,
 * vessels) separates in the target, while keeping each region connected. Binary, 2D.
 *
 * Per image, with Y the target mask (1 on the structure), ŷ = relu(yPred) the predicted map,
 * D the regressed target, G the map the MALIS terms read (0 on the structure) and w(Y) the class weight:
 *
 *     'oner':        D = min(EDT to the structure, D_max),   G = D,   regions 8-connected
 *     'topomortar':  D = min(EDT(Y) = depth inside the structure, D_max),   G = Y,   regions 4-connected
 *
 *     ℓ = α Σ_i w(Y_i)(ŷ_i − D_i)² + Σ_i w(Y_i)[ŷ_i² W_n(i) + β (D_max − ŷ_i)² W_p(i)]
 *
 * W_n and W_p are computed on the CPU (no gradient) in square windows: regions R = components of
 * the pixels beyond `margin` cross dilations of {G = 0}; on the 4-connected graph of the window,
 * edge (u, v) has affinity ŷ_u + ŷ_v and target cost g = G_u + G_v; MALIS counts, for each edge,
 * the region pixel pairs whose maximin edge it is (Kruskal's maximum spanning tree, see
 * `malisPairCounts`):
 *
 *     negative: affinity set to D_max where g > D_max; pairs from different regions;
 *               counts / their sum, kept on edges with g < D_min
 *     positive: affinity set to 0 where g < D_min; pairs from the same region;
 *               counts / their sum, kept on edges with g >= D_max
 *     W(i) = Σ of the kept weights of the edges at pixel i
 *
 * Two pixels in different regions must be separated by the structure: along the path that best
 * connects them the predicted distance must fall to 0 somewhere, and the negative term pushes the
 * weakest link of that path (a gap in a predicted road) down, in proportion to how many pairs leak
 * through it. Two pixels of the same region must stay connected, and the positive term pulls the
 * weakest link of their best path up to D_max (a spurious road cutting a region). The squared error
 * on the truncated distance map keeps the rest of the prediction in place.
 *
 * Defaults as TopoMortar: α = 1e-3, β = 0.1, D_max = 20, D_min = 10, 64 × 64 windows, 5 dilations
 * (Oner et al.'s code uses 32 × 32 windows; its loss file holds the MALIS terms only, the α-weighted
 * squared error is TopoMortar's). The official code sums over the batch: `reduction: 'sum'` gives
 * its value. TopoMortar applies the ReLU to the output, as here (Oner et al.'s loss takes it as
 * is); the prediction of `'oner'` is a distance to the structure (threshold low values to
 * segment), that of `'topomortar'` a depth inside it (TopoMortar segments ŷ > 1e-5).
 *
 * `'topomortar'` reproduces a bug of the official TopoMortar port, and is therefore not the
 * default: its MALIS part is Oner et al.'s code, which expects the target distance map (0 on the
 * structure), but receives the binary mask (1 on the structure). The regions are then the
 * components of the structure's pixels farther than 5 px from the background, which thin
 * structures (mortar, vessels under 11 px wide) do not have, so W_n vanishes, and g = Y_u + Y_v <= 2
 * is always below the default D_max, so W_p vanishes always: on thin structures the loss is α times
 * the squared error alone. `'oner'` gives the MALIS part the distance map it was written for. The windows of
 * the official code cover only ⌊H/window⌋ × ⌊W/window⌋ full windows (`partialWindows: false`);
 * by default the remainder is covered by smaller windows. The official code sorts tied affinities
 * with an unstable sort; here ties go in edge order (horizontal edges first, row-major), which
 * changes only which of several tied edges takes the weight. Affinities and target costs are
 * summed in float32, as the official code casts them.
 *
 * @param yTrue - Hard masks `[N,H,W]` (or `[N,H,W,1]`) in {0, 1}, 1 on the structure.
 * @param yPred - The predicted map `[N,H,W]` (or `[N,H,W,1]`), any real values (the ReLU is applied).
 * @returns A scalar, or `[N]` with `reduction: 'none'`.
 *
 * @example
 * // a perfect distance map of a 2-px road between two regions: nothing to fix
 * const road = [[[0, 0, 1, 1, 0, 0], [0, 0, 1, 1, 0, 0], [0, 0, 1, 1, 0, 0]]];
 * regionSeparationLoss(road, [[[2, 1, 0, 0, 1, 2], [2, 1, 0, 0, 1, 2], [2, 1, 0, 0, 1, 2]]], { dMax: 2, dMin: 1, margin: 1 }).print(); // 0
 *
 * @see D. Oner, M. Koziński, L. Citraro, N. C. Dadap, A. G. Konings, P. Fua, Promoting Connectivity
 * of Network-Like Structures by Enforcing Region Separation, IEEE TPAMI 44, 2022 (online 2021),
 * https://arxiv.org/abs/2009.07011; J. M. Valverde, M. Koga, N. Otsuka, A. B. Dahl, TopoMortar: A
 * dataset to evaluate image segmentation methods focused on topology accuracy, BMVC 2025,
 * https://arxiv.org/abs/2503.03365; S. C. Turaga et al., Maximin affinity learning of image
 * segmentation, NeurIPS 2009, https://arxiv.org/abs/0911.5372
 */
function regionSeparationLoss_(yTrue: TensorInput, yPred: TensorInput, options: RegionSeparationLossOptions = {}): tf.Tensor {
  checkOptions(NAME, PARAMS, options);
  const { variant = 'oner', alpha = 1e-3, beta = 0.1, dMax = 20, dMin = 10, window = 64, margin = 5, partialWindows = true } = options;
  if (dMin > dMax) fail(NAME, '`dMin`', `be <= dMax (${dMax})`, formatValue(dMin));
  const [w0, w1] = options.classWeights === undefined ? [1, 1] : (Array.from(checkPositiveVector(NAME, 'classWeights', options.classWeights, 2)) as [number, number]);
  const { raw, targets } = segmentationInputs(NAME, yTrue, yPred, { mode: 'binary' }, { spatialRanks: [2] });
  const mask = hardMaskValues(NAME, targets, 'distance maps and regions are taken of a hard mask');
  const [n, h, w] = targets.shape as [number, number, number, number];
  const yHat = tf.relu(raw);
  const predicted = yHat.dataSync();
  const settings: Settings = { dMax, dMin, window, margin, partialWindows, connectivity: variant === 'oner' ? 8 : 4 };

  const plane = new Uint8Array(h * w);
  const distances: Float64Array[] = [];
  const regressed = planesToTensor([n, h, w, 1], (b, _, out) => {
    channelPlane(mask, targets.shape, b, 0, plane);
    let d: Float64Array;
    if (variant === 'topomortar') d = distanceToBackground2d(plane, h, w);
    // No structure in the image: every pixel is infinitely far from it.
    else d = plane.includes(1) ? distanceToForeground2d(plane, h, w) : new Float64Array(h * w).fill(dMax);
    for (let i = 0; i < d.length; i++) out[i] = Math.min(d[i] as number, dMax);
    distances.push(Float64Array.from(out));
  });
  const neg = new Float64Array(n * h * w);
  const pos = new Float64Array(n * h * w);
  for (let b = 0; b < n; b++) {
    channelPlane(mask, targets.shape, b, 0, plane);
    const gt = variant === 'oner' ? (distances[b] as Float64Array) : Float64Array.from(plane);
    const at = b * h * w;
    malisWeights(gt, predicted.subarray(at, at + h * w), h, w, settings, neg.subarray(at, at + h * w), pos.subarray(at, at + h * w));
  }
  const shape = [n, h, w, 1];
  const classWeight = tf.add(tf.mul(targets, w1 - w0), w0);
  const squaredError = tf.square(tf.sub(yHat, regressed));
  const separation = tf.mul(tf.square(yHat), tf.tensor(Float32Array.from(neg), shape));
  const connection = tf.mul(tf.mul(beta, tf.square(tf.sub(dMax, yHat))), tf.tensor(Float32Array.from(pos), shape));
  const perPixel = tf.mul(classWeight, tf.add(tf.mul(alpha, squaredError), tf.add(separation, connection)));
  return reduce(NAME, tf.sum(perPixel, [1, 2, 3]), options);
}

export const regionSeparationLoss = /* @__PURE__ */ tf.op({ regionSeparationLoss_ });

export const regionSeparationLossSpec: FunctionLossSpec = {
  kind: 'function',
  id: NAME,
  family: 'segmentation',
  summary: 'TOPO (Oner et al.; TopoMortar "TOPO"): truncated distance-map regression plus windowed MALIS terms that keep regions apart and connected',
  formula: 'ℓ = α Σ w(Y)(ŷ − min(EDT, D_max))² + Σ w(Y)[ŷ² W_n + β (D_max − ŷ)² W_p],  W_n, W_p: MALIS maximin pair counts per window',
  fn: regionSeparationLoss,
  target: 'mask',
  prediction: 'score',
  tasks: ['segmentation'],
  params: PARAMS,
  properties: ['nonNegative'],
  reference:
    'D. Oner, M. Koziński, L. Citraro, N. C. Dadap, A. G. Konings, P. Fua, Promoting Connectivity of Network-Like Structures by Enforcing Region Separation, IEEE TPAMI 2022, https://arxiv.org/abs/2009.07011; as used in TopoMortar (J. M. Valverde et al., BMVC 2025, https://arxiv.org/abs/2503.03365)',
  seed: 9,
};
