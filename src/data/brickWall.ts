import type { ParamSpecs } from '../losses/_shared/spec.js';
import { standardNormals } from '../losses/_shared/random.js';
import { checkMetricOptions } from '../metrics/_inputs.js';
import { addNoiseAndClip, checkOrdered, type GeneratorOptions, gaussianBlur, generatorParams, keyedUniform, type SegmentationData, streamFor } from './common.js';

const NAME = 'brickWall';

export interface BrickWallOptions extends GeneratorOptions {
  /** Shortest brick, in pixels. @defaultValue `12` */
  minBrickLength?: number;
  /** Longest brick, in pixels. @defaultValue `20` */
  maxBrickLength?: number;
  /** Lowest brick course, in pixels. @defaultValue `5` */
  minBrickHeight?: number;
  /** Highest brick course, in pixels. @defaultValue `8` */
  maxBrickHeight?: number;
  /** Width of the mortar joints, in pixels (1 is the hardest case). @defaultValue `1` */
  mortarWidth?: number;
  /** Largest rotation of the wall, in degrees (each image draws one in [−max, max]). @defaultValue `3` */
  maxRotation?: number;
  /** Colour contrast of mortar against brick, in [0, 1] (0: mortar looks like brick). @defaultValue `1` */
  contrast?: number;
}

const PARAMS: ParamSpecs = {
  ...generatorParams(64, 0.05, 0.5),
  minBrickLength: { kind: 'number', default: 12, min: 2, integer: true, doc: 'shortest brick (pixels)' },
  maxBrickLength: { kind: 'number', default: 20, min: 2, integer: true, doc: 'longest brick (pixels)' },
  minBrickHeight: { kind: 'number', default: 5, min: 2, integer: true, doc: 'lowest brick course (pixels)' },
  maxBrickHeight: { kind: 'number', default: 8, min: 2, integer: true, doc: 'highest brick course (pixels)' },
  mortarWidth: { kind: 'number', default: 1, min: 1, max: 4, doc: 'width of the mortar joints (pixels)' },
  maxRotation: { kind: 'number', default: 3, min: 0, max: 45, doc: 'largest rotation of the wall (degrees)' },
  contrast: { kind: 'number', default: 1, min: 0, max: 1, doc: 'colour contrast of mortar against brick (0: none)' },
};

const BRICK = [160 / 255, 70 / 255, 50 / 255] as const;
const MORTAR = [190 / 255, 185 / 255, 175 / 255] as const;
const BRICK_JITTER = 20 / 255;
/** Purposes of the random streams of one image. */
const GEOMETRY = 1;
const NOISE = 2;
/** Kinds of mortar segment, for their keyed dropout draws. */
const BED = 1;
const HEAD = 2;

interface Course {
  /** Wall coordinate v of the top of the bricks; the bed joint below spans [top + height, next top). */
  top: number;
  height: number;
  /** Start u of each brick; brick j spans [starts[j], starts[j] + lengths[j]), then its head joint up to starts[j + 1]. */
  starts: number[];
  lengths: number[];
  /** RGB of each brick. */
  colours: [number, number, number][];
}

/** Index of the last element of the sorted `list` at or below `x` (0 when none is). */
function lastAtOrBelow(list: readonly number[], x: number): number {
  let lo = 0;
  let hi = list.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((list[mid] as number) <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Synthetic brick walls with mortar labels, for topology-aware segmentation (a small stand-in for
 * the TopoMortar data set): a running-bond wall of bricks of random length and course height,
 * rotated a little, painted brick red with per-brick colour jitter and grey mortar, blurred and
 * noisy, labelled 1 on the mortar. The mortar's holes are the bricks lying fully inside the image
 * (β1); without rotation (and dropouts) it is one 4-connected network (β0 = 1), and a rotated wall
 * can leave a few pieces of joint cut off at the corners (β0 of 1–2, as in TopoMortar). Rotated
 * joints are thickened just enough to stay 4-connected.
 *
 * Challenges: `mortarWidth: 1`; `contrast` toward 0; `dropoutProbability` paints a mortar segment
 * (a head joint, or the stretch of bed joint under one brick) in the colour of its brick in the
 * image while the label keeps it; `labelDropProbability` removes segments from the label only
 * (noisy labels). Each image depends only on the seed and its index, so the first images of a
 * larger draw are the same; the dropout draws are keyed by segment, so changing a probability
 * leaves everything else in place.
 *
 * @returns RGB images `[N, H, W, 3]` in [0, 1] and masks `[N, H, W]` in {0, 1}.
 *
 * @example
 * const { images, imageShape, masks, maskShape } = brickWall({ seed: 1, count: 8, height: 48, width: 48 });
 */
export function brickWall(options: BrickWallOptions = {}): SegmentationData {
  checkMetricOptions(NAME, PARAMS, options);
  const {
    seed = 0,
    count = 1,
    height = 64,
    width = 64,
    noise = 0.05,
    blur = 0.5,
    dropoutProbability = 0,
    labelDropProbability = 0,
    minBrickLength = 12,
    maxBrickLength = 20,
    minBrickHeight = 5,
    maxBrickHeight = 8,
    mortarWidth = 1,
    maxRotation = 3,
    contrast = 1,
  } = options;
  checkOrdered(NAME, 'minBrickLength', minBrickLength, 'maxBrickLength', maxBrickLength);
  checkOrdered(NAME, 'minBrickHeight', minBrickHeight, 'maxBrickHeight', maxBrickHeight);
  const plane = height * width;
  const images = new Float32Array(count * plane * 3);
  const masks = new Uint8Array(count * plane);
  const mortarColour = BRICK.map((b, k) => b + contrast * ((MORTAR[k] as number) - b));

  for (let n = 0; n < count; n++) {
    const random = streamFor(seed, n, GEOMETRY);
    const randInt = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
    const theta = ((2 * random() - 1) * maxRotation * Math.PI) / 180;
    const [cos, sin] = [Math.cos(theta), Math.sin(theta)];
    const offsetU = Math.floor(random() * 40);
    const offsetV = Math.floor(random() * 40);
    // Joints are widened by this much on each side when rotated, so that they stay 4-connected.
    const widen = (mortarWidth * (Math.abs(cos) + Math.abs(sin) - 1)) / 2;
    const toWall = (x: number, y: number): [number, number] => {
      const [dx, dy] = [x - width / 2, y - height / 2];
      return [cos * dx + sin * dy + width / 2 + offsetU, -sin * dx + cos * dy + height / 2 + offsetV];
    };
    const corners = [toWall(0, 0), toWall(width, 0), toWall(0, height), toWall(width, height)];
    const [uMin, uMax] = [Math.min(...corners.map((p) => p[0])), Math.max(...corners.map((p) => p[0]))];
    const [vMin, vMax] = [Math.min(...corners.map((p) => p[1])), Math.max(...corners.map((p) => p[1]))];

    const courses: Course[] = [];
    const halfBrick = Math.round((minBrickLength + maxBrickLength) / 4);
    for (let top = Math.floor(vMin) - maxBrickHeight - mortarWidth - 1, k = 0; top < vMax + 1; k++) {
      const course: Course = { top, height: randInt(minBrickHeight, maxBrickHeight), starts: [], lengths: [], colours: [] };
      // Running bond: every other course shifted by about half a brick, with a little jitter.
      let u = Math.floor(uMin) - 2 * maxBrickLength - (k % 2) * halfBrick + randInt(-2, 2);
      while (u < uMax + maxBrickLength) {
        const length = randInt(minBrickLength, maxBrickLength);
        const jitter = standardNormals(random, 3);
        course.starts.push(u);
        course.lengths.push(length);
        course.colours.push([0, 1, 2].map((c) => (BRICK[c] as number) + BRICK_JITTER * (jitter[c] as number)) as [number, number, number]);
        u += length + mortarWidth;
      }
      courses.push(course);
      top += course.height + mortarWidth;
    }
    const tops = courses.map((c) => c.top);

    const rgb = [new Float64Array(plane), new Float64Array(plane), new Float64Array(plane)];
    for (let r = 0; r < height; r++) {
      for (let c = 0; c < width; c++) {
        const [u, v] = toWall(c + 0.5, r + 0.5);
        const k = lastAtOrBelow(tops, v);
        const course = courses[k] as Course;
        // Which bed joint (the one under course `bedOf`), if any, the pixel lies on.
        let bedOf = -1;
        if (v >= course.top + course.height - widen) bedOf = k;
        else if (v < course.top + widen && k > 0) bedOf = k - 1;
        let segment: [number, number, number] | undefined;
        let brick: [number, number];
        if (bedOf >= 0) {
          const j = lastAtOrBelow((courses[bedOf] as Course).starts, u);
          segment = [BED, bedOf, j];
          brick = [bedOf, j];
        } else {
          const j = lastAtOrBelow(course.starts, u);
          brick = [k, j];
          if (u >= (course.starts[j] as number) + (course.lengths[j] as number) - widen) segment = [HEAD, k, j];
          else if (u < (course.starts[j] as number) + widen && j > 0) segment = [HEAD, k, j - 1];
        }
        const i = r * width + c;
        let colour = (courses[brick[0]] as Course).colours[brick[1]] as readonly number[];
        if (segment !== undefined) {
          if (keyedUniform(seed, n, ...segment, 1) >= labelDropProbability) masks[n * plane + i] = 1;
          if (keyedUniform(seed, n, ...segment, 2) >= dropoutProbability) colour = mortarColour;
        }
        for (let ch = 0; ch < 3; ch++) (rgb[ch] as Float64Array)[i] = colour[ch] as number;
      }
    }
    const noiseRandom = streamFor(seed, n, NOISE);
    for (let ch = 0; ch < 3; ch++) {
      const channel = addNoiseAndClip(gaussianBlur(rgb[ch] as Float64Array, height, width, blur).slice(), noise, noiseRandom);
      for (let i = 0; i < plane; i++) images[(n * plane + i) * 3 + ch] = channel[i] as number;
    }
  }
  return { images, imageShape: [count, height, width, 3], masks, maskShape: [count, height, width] };
}
