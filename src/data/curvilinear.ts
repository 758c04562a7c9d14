import type { ParamSpecs } from '../losses/_shared/spec.js';
import { checkMetricOptions } from '../metrics/_inputs.js';
import { addNoiseAndClip, checkOrdered, type GeneratorOptions, gaussianBlur, generatorParams, keyedUniform, type SegmentationData, streamFor } from './common.js';

const NAME = 'curvilinear';

export const CURVILINEAR_STYLES = ['road', 'vessel'] as const;
export type CurvilinearStyle = (typeof CURVILINEAR_STYLES)[number];

export interface CurvilinearOptions extends GeneratorOptions {
  /** `'road'`: curves cross the image from border to border; `'vessel'`: a tree, a trunk entering from the border and branches grown from it. @defaultValue `'road'` */
  style?: CurvilinearStyle;
  /** Fewest curves (roads) or branches including the trunk (vessels). @defaultValue `2` */
  minCurves?: number;
  /** Most curves. @defaultValue `4` */
  maxCurves?: number;
  /** Thinnest structure, in pixels. @defaultValue `1` */
  minThickness?: number;
  /** Thickest structure, in pixels. @defaultValue `2.5` */
  maxThickness?: number;
  /** Intensity added on the structure over the background. @defaultValue `0.4` */
  contrast?: number;
  /** Amplitude of the smooth background variation. @defaultValue `0.1` */
  background?: number;
  /** Arc length of a segment (the unit that dropouts remove), in pixels. @defaultValue `8` */
  segmentLength?: number;
}

const PARAMS: ParamSpecs = {
  ...generatorParams(48, 0.08, 0.6),
  style: { kind: 'choice', default: 'road', choices: CURVILINEAR_STYLES, doc: "'road': border-to-border curves; 'vessel': a branching tree" },
  minCurves: { kind: 'number', default: 2, min: 1, integer: true, doc: 'fewest curves (or branches)' },
  maxCurves: { kind: 'number', default: 4, min: 1, integer: true, doc: 'most curves (or branches)' },
  minThickness: { kind: 'number', default: 1, min: 1, doc: 'thinnest structure (pixels)' },
  maxThickness: { kind: 'number', default: 2.5, min: 1, doc: 'thickest structure (pixels)' },
  contrast: { kind: 'number', default: 0.4, min: 0, max: 1, doc: 'intensity of the structure over the background' },
  background: { kind: 'number', default: 0.1, min: 0, max: 0.5, doc: 'amplitude of the smooth background variation' },
  segmentLength: { kind: 'number', default: 8, min: 1, doc: 'arc length of a dropout segment (pixels)' },
};

const GEOMETRY = 1;
const NOISE = 2;
/** Base level of the background. */
const BASE = 0.3;

type Point = [number, number];

/** A cubic Bézier curve with its thickness. */
interface Curve {
  p: [Point, Point, Point, Point];
  thickness: number;
}

const bezier = ({ p }: Curve, t: number): Point => {
  const s = 1 - t;
  const w = [s * s * s, 3 * s * s * t, 3 * s * t * t, t * t * t];
  return [w.reduce((a, k, i) => a + k * (p[i] as Point)[0], 0), w.reduce((a, k, i) => a + k * (p[i] as Point)[1], 0)];
};

/**
 * Synthetic curvilinear structures (roads or vessels) with their masks, for topology-aware
 * segmentation: smooth cubic Bézier curves of random thickness on a smoothly varying background,
 * brighter than it by `contrast`, blurred and noisy, labelled 1 on the curves. Curves are drawn as
 * every pixel within max(thickness/2, 0.75) of the curve, so even the thinnest one is 4-connected.
 * `'road'` curves cross the image from border to border (they cut the background into regions);
 * `'vessel'` draws a tree: a trunk entering from the border and branches starting on earlier curves.
 *
 * Challenges: `dropoutProbability` makes a segment of `segmentLength` pixels of arc invisible in
 * the image while the label keeps it (a gap the model must bridge); `labelDropProbability` removes
 * segments from the label only (noisy labels, broken annotations). Each image depends only on the
 * seed and its index; the dropout draws are keyed by curve and segment.
 *
 * @returns Grey images `[N, H, W, 1]` in [0, 1] and masks `[N, H, W]` in {0, 1}.
 *
 * @example
 * const { images, imageShape, masks, maskShape } = curvilinear({ seed: 3, count: 64, height: 48, width: 48 });
 */
export function curvilinear(options: CurvilinearOptions = {}): SegmentationData {
  checkMetricOptions(NAME, PARAMS, options);
  const {
    seed = 0,
    count = 1,
    height = 48,
    width = 48,
    noise = 0.08,
    blur = 0.6,
    dropoutProbability = 0,
    labelDropProbability = 0,
    style = 'road',
    minCurves = 2,
    maxCurves = 4,
    minThickness = 1,
    maxThickness = 2.5,
    contrast = 0.4,
    background = 0.1,
    segmentLength = 8,
  } = options;
  checkOrdered(NAME, 'minCurves', minCurves, 'maxCurves', maxCurves);
  checkOrdered(NAME, 'minThickness', minThickness, 'maxThickness', maxThickness);
  const plane = height * width;
  const images = new Float32Array(count * plane);
  const masks = new Uint8Array(count * plane);

  for (let n = 0; n < count; n++) {
    const random = streamFor(seed, n, GEOMETRY);
    const uniform = (lo: number, hi: number) => lo + (hi - lo) * random();
    const borderPoint = (): Point => {
      const side = Math.floor(random() * 4);
      const t = random();
      if (side === 0) return [t * width, 0];
      if (side === 1) return [width, t * height];
      if (side === 2) return [t * width, height];
      return [0, t * height];
    };
    const inside = (): Point => [uniform(0.15, 0.85) * width, uniform(0.15, 0.85) * height];
    const curves: Curve[] = [];
    const total = minCurves + Math.floor(random() * (maxCurves - minCurves + 1));
    for (let k = 0; k < total; k++) {
      let start: Point;
      let end: Point;
      if (style === 'road') {
        start = borderPoint();
        end = borderPoint();
      } else if (k === 0) {
        start = borderPoint();
        end = inside();
      } else {
        start = bezier(curves[Math.floor(random() * curves.length)] as Curve, uniform(0.2, 0.8));
        end = inside();
      }
      curves.push({ p: [start, inside(), inside(), end], thickness: uniform(minThickness, maxThickness) });
    }

    // Per pixel: covered by some segment kept in the label / visible in the image.
    const labelled = new Uint8Array(plane);
    const visible = new Uint8Array(plane);
    curves.forEach((curve, k) => {
      const radius = Math.max(curve.thickness / 2, 0.75);
      const steps = 400;
      let arc = 0;
      let previous = bezier(curve, 0);
      for (let s = 0; s <= steps; s++) {
        const point = bezier(curve, s / steps);
        arc += Math.hypot(point[0] - previous[0], point[1] - previous[1]);
        previous = point;
        const segment = Math.floor(arc / segmentLength);
        const inLabel = keyedUniform(seed, n, k, segment, 1) >= labelDropProbability;
        const inImage = keyedUniform(seed, n, k, segment, 2) >= dropoutProbability;
        const [x0, x1] = [Math.max(0, Math.floor(point[0] - radius)), Math.min(width - 1, Math.ceil(point[0] + radius))];
        const [y0, y1] = [Math.max(0, Math.floor(point[1] - radius)), Math.min(height - 1, Math.ceil(point[1] + radius))];
        for (let y = y0; y <= y1; y++) {
          for (let x = x0; x <= x1; x++) {
            if (Math.hypot(x + 0.5 - point[0], y + 0.5 - point[1]) > radius) continue;
            if (inLabel) labelled[y * width + x] = 1;
            if (inImage) visible[y * width + x] = 1;
          }
        }
      }
    });

    // Smooth background: a few random plane waves.
    const waves = Array.from({ length: 3 }, () => ({ fx: uniform(-1, 1) * 0.15, fy: uniform(-1, 1) * 0.15, phase: uniform(0, 2 * Math.PI) }));
    const image = new Float64Array(plane);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        const wave = waves.reduce((a, w) => a + Math.sin(w.fx * x + w.fy * y + w.phase), 0) / 3;
        image[i] = BASE + background * wave + (visible[i] ? contrast : 0);
        masks[n * plane + i] = labelled[i] as number;
      }
    }
    images.set(addNoiseAndClip(gaussianBlur(image, height, width, blur).slice(), noise, streamFor(seed, n, NOISE)), n * plane);
  }
  return { images, imageShape: [count, height, width, 1], masks, maskShape: [count, height, width] };
}
