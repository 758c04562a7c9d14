/**
 * Float64 references for the segmentation losses' tests, written from the formulas in plain loops
 * and sharing nothing with the library. A batch is `[N][pixel][channel]` (pixels in row-major order).
 */

export type Batch = number[][][];

/** Per-class sums over pixels of one group of images. */
export interface ClassSums {
  tp: number;
  sumP: number;
  sumY: number;
  sumP2: number;
  sumY2: number;
}

/** Splits a batch into the groups a loss scores: one per image, or one for the whole batch. */
export function groups(b: Batch, aggregate: 'perSample' | 'batch'): Batch {
  return aggregate === 'batch' ? [b.flat()] : b;
}

/** Sums of class c over the pixels of one group. */
export function classSums(p: number[][], y: number[][], c: number): ClassSums {
  const s: ClassSums = { tp: 0, sumP: 0, sumY: 0, sumP2: 0, sumY2: 0 };
  p.forEach((row, i) => {
    const pi = row[c] as number;
    const yi = (y[i] as number[])[c] as number;
    s.tp += pi * yi;
    s.sumP += pi;
    s.sumY += yi;
    s.sumP2 += pi * pi;
    s.sumY2 += yi * yi;
  });
  return s;
}

/**
 * A per-class loss `perClass(sums)` averaged over `classes` (weighted by `weights[c]` when given),
 * per group: `[N]` per sample, `[1]` for the batch.
 */
export function perClassLoss(
  p: Batch,
  y: Batch,
  classes: number[],
  perClass: (s: ClassSums) => number,
  options: { aggregate?: 'perSample' | 'batch'; weights?: number[] } = {},
): number[] {
  const gp = groups(p, options.aggregate ?? 'perSample');
  const gy = groups(y, options.aggregate ?? 'perSample');
  return gp.map((pm, m) => {
    let total = 0;
    let mass = 0;
    for (const c of classes) {
      const w = options.weights?.[c] ?? 1;
      total += w * perClass(classSums(pm, gy[m] as number[][], c));
      mass += w;
    }
    return total / mass;
  });
}

export const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
export const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

/** Channels-last nested arrays `[N][H][W][C]` of a batch (drop the channel axis with `squeeze`). */
export function nested(b: Batch, height: number, width: number, squeeze = false): number[][][] | number[][][][] {
  return b.map((image) =>
    Array.from({ length: height }, (_, r) =>
      Array.from({ length: width }, (_, c) => {
        const px = image[r * width + c] as number[];
        return squeeze ? (px[0] as number) : px.slice();
      }),
    ),
  ) as number[][][] | number[][][][];
}

/** Reads a flat channels-last array `[N * P * C]` into a batch. */
export function fromFlat(values: ArrayLike<number>, n: number, pixels: number, channels: number): Batch {
  return Array.from({ length: n }, (_, b) =>
    Array.from({ length: pixels }, (_, i) => Array.from({ length: channels }, (_, c) => values[(b * pixels + i) * channels + c] as number)),
  );
}

/** Softmax of each pixel's channel values. */
export function softmaxPixels(z: Batch): Batch {
  return z.map((image) =>
    image.map((px) => {
      const m = Math.max(...px);
      const e = px.map((v) => Math.exp(v - m));
      const s = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / s);
    }),
  );
}

export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** One-hot batch of integer masks `[N][pixel]`. */
export function oneHot(labels: number[][], channels: number): Batch {
  return labels.map((image) => image.map((k) => Array.from({ length: channels }, (_, c) => (c === k ? 1 : 0))));
}

// ---- soft skeleton (Shit et al.): min over the cross, max over the full window, on [dims] grids ----

/** Grid helpers for a single-channel map of spatial shape `dims` (2D or 3D), row-major. */
function neighbours(dims: number[], index: number, full: boolean): number[] {
  const coords: number[] = [];
  let rest = index;
  for (let a = dims.length - 1; a >= 0; a--) {
    coords[a] = rest % (dims[a] as number);
    rest = Math.floor(rest / (dims[a] as number));
  }
  const out: number[] = [];
  const offsets = full
    ? cartesian(dims.map(() => [-1, 0, 1]))
    : [dims.map(() => 0), ...dims.flatMap((_, a) => [-1, 1].map((d) => dims.map((__, k) => (k === a ? d : 0))))];
  for (const off of offsets) {
    const q = coords.map((v, a) => v + (off[a] as number));
    if (q.some((v, a) => v < 0 || v >= (dims[a] as number))) continue;
    out.push(q.reduce((acc, v, a) => acc * (dims[a] as number) + v, 0));
  }
  return out;
}

function cartesian(lists: number[][]): number[][] {
  return lists.reduce<number[][]>((acc, list) => acc.flatMap((prefix) => list.map((v) => [...prefix, v])), [[]]);
}

function erode(x: number[], dims: number[]): number[] {
  return x.map((_, i) => Math.min(...neighbours(dims, i, false).map((j) => x[j] as number)));
}

function dilate(x: number[], dims: number[]): number[] {
  return x.map((_, i) => Math.max(...neighbours(dims, i, true).map((j) => x[j] as number)));
}

const relu = (v: number): number => Math.max(v, 0);

/** Soft skeleton of one single-channel map of spatial shape `dims`, K iterations. */
export function softSkeletonRef(image: number[], dims: number[], iterations: number): number[] {
  const open = (v: number[]) => dilate(erode(v, dims), dims);
  let x = image.slice();
  let o = open(x);
  let skel = x.map((v, i) => relu(v - (o[i] as number)));
  for (let j = 0; j < iterations; j++) {
    x = erode(x, dims);
    o = open(x);
    const delta = x.map((v, i) => relu(v - (o[i] as number)));
    skel = skel.map((s, i) => s + relu((delta[i] as number) - s * (delta[i] as number)));
  }
  return skel;
}

// ---- binary thinning (Guo & Hall 1989, A1) through a deletion table built from the conditions ----

/** Deletion tables for the two sub-iterations, indexed by the 8 neighbours (bit k = x_{k+1}, x1 = E, counter-clockwise). */
function thinningTables(): [boolean[], boolean[]] {
  const first: boolean[] = [];
  const second: boolean[] = [];
  for (let code = 0; code < 256; code++) {
    const x = (k: number) => ((code >> ((k - 1) % 8)) & 1) === 1; // x(1..9), x(9) = x(1)
    let c = 0;
    for (const k of [1, 3, 5, 7]) if (!x(k) && (x(k + 1) || x(k + 2))) c++;
    let n1 = 0;
    let n2 = 0;
    for (const k of [1, 2, 3, 4]) {
      if (x(2 * k - 1) || x(2 * k)) n1++;
      if (x(2 * k) || x(2 * k + 1)) n2++;
    }
    const n = Math.min(n1, n2);
    const base = c === 1 && n >= 2 && n <= 3;
    first.push(base && !((x(2) || x(3) || !x(8)) && x(1)));
    second.push(base && !((x(6) || x(7) || !x(4)) && x(5)));
  }
  return [first, second];
}

const TABLES = thinningTables();

/** Binary thinning of an `height × width` mask (row-major, outside = 0). */
export function thinRef(mask: number[], height: number, width: number): number[] {
  const img = mask.map((v) => (v ? 1 : 0));
  const get = (r: number, c: number) => (r >= 0 && c >= 0 && r < height && c < width ? (img[r * width + c] as number) : 0);
  // E, NE, N, NW, W, SW, S, SE as (dr, dc)
  const ring = [[0, 1], [-1, 1], [-1, 0], [-1, -1], [0, -1], [1, -1], [1, 0], [1, 1]] as const;
  for (;;) {
    let removed = 0;
    for (const table of TABLES) {
      const drop: number[] = [];
      for (let i = 0; i < img.length; i++) {
        if (!img[i]) continue;
        const r = Math.floor(i / width);
        const c = i % width;
        const code = ring.reduce((acc, [dr, dc], k) => acc | (get(r + dr, c + dc) << k), 0);
        if (table[code]) drop.push(i);
      }
      for (const i of drop) img[i] = 0;
      removed += drop.length;
    }
    if (removed === 0) return img;
  }
}

/** The tube of Skeleton Recall: two dilations by the 3×3 cross of a skeleton. */
export function crossDilateRef(mask: number[], height: number, width: number, times: number): number[] {
  let m = mask.slice();
  for (let t = 0; t < times; t++) {
    m = m.map((_, i) => {
      const r = Math.floor(i / width);
      const c = i % width;
      const hits = [[0, 0], [1, 0], [-1, 0], [0, 1], [0, -1]].some(([dr, dc]) => {
        const rr = r + (dr as number);
        const cc = c + (dc as number);
        return rr >= 0 && cc >= 0 && rr < height && cc < width && m[rr * width + cc] === 1;
      });
      return hits ? 1 : 0;
    });
  }
  return m;
}

/** Renders a 0/1 image as text rows ('#' and '.'), for readable expectations. */
export function picture(mask: ArrayLike<number>, width: number): string[] {
  const rows: string[] = [];
  for (let i = 0; i < mask.length; i += width) rows.push(Array.from({ length: width }, (_, c) => (mask[i + c] ? '#' : '.')).join(''));
  return rows;
}

/** Parses text rows ('#' = 1) into a flat 0/1 array. */
export function fromPicture(rows: string[]): number[] {
  return rows.flatMap((row) => Array.from(row, (ch) => (ch === '#' ? 1 : 0)));
}
