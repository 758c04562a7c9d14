import { distanceToBackground2d, distanceToForeground2d } from './distance-transform.js';

/**
 * Homotopy warping of 2D binary masks on the CPU (Hu 2022): one mask is deformed toward another by
 * flipping only simple pixels, whose flip changes no connected component and no hole, so the
 * pixels where the warped mask still disagrees are the topologically critical ones. Images are
 * row-major `height × width` Uint8Arrays of 0 and 1; foreground is 4-connected, background
 * 8-connected (the official code's choice).
 */

/** The 8 neighbours clockwise from north: [dr, dc]; even positions are the 4-neighbours. */
const RING: readonly (readonly [number, number])[] = [
  [-1, 0],
  [-1, 1],
  [0, 1],
  [1, 1],
  [1, 0],
  [1, -1],
  [0, -1],
  [-1, -1],
];

/** Adjacent ring positions under 4-adjacency (consecutive positions: a 4-neighbour and a corner). */
const ADJ4: readonly (readonly number[])[] = RING.map((_, k) => [(k + 7) % 8, (k + 1) % 8]);
/** Under 8-adjacency: consecutive positions, and 4-neighbours two steps apart (N–E, E–S, ...). */
const ADJ8: readonly (readonly number[])[] = RING.map((_, k) => (k % 2 === 0 ? [(k + 7) % 8, (k + 1) % 8, (k + 6) % 8, (k + 2) % 8] : [(k + 7) % 8, (k + 1) % 8]));

/** Components of the ring positions with `on[k]` under `adj`; with `touching4`, only those holding a 4-neighbour count. */
function ringComponents(on: readonly boolean[], adj: readonly (readonly number[])[], touching4: boolean): number {
  const seen = [false, false, false, false, false, false, false, false];
  let count = 0;
  for (let k = 0; k < 8; k++) {
    if (!on[k] || seen[k]) continue;
    let hasEdge = false;
    const stack = [k];
    seen[k] = true;
    while (stack.length > 0) {
      const j = stack.pop() as number;
      if (j % 2 === 0) hasEdge = true;
      for (const n of adj[j] as number[]) {
        if (on[n] && !seen[n]) {
          seen[n] = true;
          stack.push(n);
        }
      }
    }
    if (!touching4 || hasEdge) count++;
  }
  return count;
}

/**
 * Whether flipping pixel (r, c) leaves the topology unchanged: exactly one 4-component of the
 * foreground in its 8-neighbourhood is 4-adjacent to it, and the background in its 8-neighbourhood
 * is one 8-component (Rosenfeld's criterion for 4/8 connectivity; the same test for a foreground
 * pixel leaving and a background pixel joining). Pixels on the image border are never simple, as
 * in the official code, which skips them.
 */
export function isSimple2d(image: Uint8Array, height: number, width: number, r: number, c: number): boolean {
  if (r <= 0 || c <= 0 || r >= height - 1 || c >= width - 1) return false;
  const fg = RING.map(([dr, dc]) => image[(r + dr) * width + c + dc] === 1);
  const bg = fg.map((v) => !v);
  return ringComponents(fg, ADJ4, true) === 1 && ringComponents(bg, ADJ8, false) === 1;
}

/**
 * Flips, one at a time, the pixels with `order[i] > 0` in increasing order of that value (ties in
 * raster order), each only if it is simple at its turn; returns the warped copy.
 */
function flipSimple(image: Uint8Array, order: Float64Array, height: number, width: number): Uint8Array {
  const out = image.slice();
  const candidates: number[] = [];
  for (let i = 0; i < order.length; i++) if ((order[i] as number) > 0) candidates.push(i);
  candidates.sort((a, b) => (order[a] as number) - (order[b] as number) || a - b);
  for (const i of candidates) {
    if (isSimple2d(out, height, width, Math.floor(i / width), i % width)) out[i] = 1 - (out[i] as number);
  }
  return out;
}

/**
 * Warps `source` toward `goal` by simple flips: first the pixels that `source` has and `goal` lacks,
 * from the boundary of `source` inward (distance to the background of `source`), then the pixels
 * `goal` has and `source` lacks, from the nearest to `source` outward (distance to its foreground).
 */
export function warpToward(source: Uint8Array, goal: Uint8Array, height: number, width: number): Uint8Array {
  const inside = distanceToBackground2d(source, height, width);
  const shrink = new Float64Array(source.length);
  for (let i = 0; i < source.length; i++) if (source[i] === 1 && goal[i] === 0) shrink[i] = inside[i] as number;
  const shrunk = flipSimple(source, shrink, height, width);
  const outside = distanceToForeground2d(source, height, width);
  const grow = new Float64Array(source.length);
  for (let i = 0; i < source.length; i++) if (source[i] === 0 && goal[i] === 1) grow[i] = outside[i] as number;
  return flipSimple(shrunk, grow, height, width);
}

/**
 * Critical pixels of a hard prediction against a hard target (1 where critical): where the target
 * warped toward the prediction still differs from the prediction, or the prediction warped toward
 * the target still differs from the target.
 *
 *     M = [pred ≠ warp(target → pred)] ∨ [target ≠ warp(pred → target)]
 */
export function criticalPixels2d(pred: Uint8Array, target: Uint8Array, height: number, width: number): Uint8Array {
  const targetWarp = warpToward(target, pred, height, width);
  const predWarp = warpToward(pred, target, height, width);
  const out = new Uint8Array(pred.length);
  for (let i = 0; i < out.length; i++) out[i] = pred[i] !== targetWarp[i] || target[i] !== predWarp[i] ? 1 : 0;
  return out;
}
