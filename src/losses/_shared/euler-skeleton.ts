/**
 * Topology-preserving skeletonisation of 2D binary masks on the CPU, as the official cbDice code
 * runs it: the subfield scheme of Menten et al. (ICCV 2023) with simple points found by the change
 * of the Euler characteristic, `probabilistic = false`. No gradient flows through it. Images are
 * row-major `height × width` arrays; a nonzero value is foreground; outside the image is background.
 */

/**
 * Whether deleting foreground pixel (r, c) leaves the Euler characteristic of the background
 * unchanged, the criterion of the official code. Counted on the background (4-adjacent pixels
 * joined, 2×2 all-background blocks filled: the foreground is 8-connected), the change is
 *
 *     Δχ = 1 − k4 + q      k4 = background 4-neighbours, q = 2×2 blocks around the pixel whose
 *                           three other pixels are background
 *
 * so the pixel is simple when k4 − q = 1. (The official code counts vertices, edges, faces and
 * cubes of the background in the 3×3×3 window of the image lifted to 3D between two empty slices,
 * which changes by k4 − q − 1.) The Euler characteristic alone does not see every topology change
 * (a deletion that splits a component and opens a hole keeps it), which the official code accepts.
 */
function eulerSimple(image: Uint8Array, height: number, width: number, r: number, c: number): boolean {
  const at = (y: number, x: number) => (y < 0 || x < 0 || y >= height || x >= width ? 0 : (image[y * width + x] as number));
  const n = at(r - 1, c);
  const s = at(r + 1, c);
  const w = at(r, c - 1);
  const e = at(r, c + 1);
  const k4 = 4 - n - s - w - e;
  let q = 0;
  if (!n && !w && !at(r - 1, c - 1)) q++;
  if (!n && !e && !at(r - 1, c + 1)) q++;
  if (!s && !w && !at(r + 1, c - 1)) q++;
  if (!s && !e && !at(r + 1, c + 1)) q++;
  return k4 - q === 1;
}

/** Foreground 8-neighbours of (r, c). */
function neighbours8(image: Uint8Array, height: number, width: number, r: number, c: number): number {
  let count = 0;
  for (let dr = -1; dr <= 1; dr++) {
    for (let dc = -1; dc <= 1; dc++) {
      const y = r + dr;
      const x = c + dc;
      if ((dr !== 0 || dc !== 0) && y >= 0 && x >= 0 && y < height && x < width && image[y * width + x]) count++;
    }
  }
  return count;
}

/**
 * Skeleton of a binary mask after `iterations` rounds of the official scheme. Each round marks the
 * end points (foreground pixels with at most one foreground 8-neighbour), then visits four subfields
 * of pixels two apart, in the official order (odd rows and odd columns, even rows and odd columns,
 * odd rows and even columns, even rows and even columns), deleting at once every simple pixel of the
 * subfield that is not an end point. Pixels of one subfield are never neighbours, so their
 * deletions do not interact. Thick structures keep a core when `iterations` is below their half-width.
 *
 * @see M. J. Menten, J. C. Paetzold, V. A. Zimmer, S. Shit, I. Ezhov, R. Holland, M. Probst,
 * J. A. Schnabel, D. Rueckert, A skeletonization algorithm for gradient-based optimization,
 * ICCV 2023, https://arxiv.org/abs/2309.02527
 */
export function eulerSkeleton2d(mask: ArrayLike<number>, height: number, width: number, iterations = 5): Uint8Array {
  const image = new Uint8Array(height * width);
  for (let i = 0; i < image.length; i++) image[i] = mask[i] ? 1 : 0;
  const endpoint = new Uint8Array(image.length);
  const subfields: readonly [number, number][] = [
    [1, 1],
    [0, 1],
    [1, 0],
    [0, 0],
  ];
  for (let it = 0; it < iterations; it++) {
    for (let r = 0; r < height; r++) {
      for (let c = 0; c < width; c++) endpoint[r * width + c] = image[r * width + c] && neighbours8(image, height, width, r, c) <= 1 ? 1 : 0;
    }
    let changed = false;
    for (const [rowParity, colParity] of subfields) {
      const doomed: number[] = [];
      for (let r = rowParity; r < height; r += 2) {
        for (let c = colParity; c < width; c += 2) {
          const i = r * width + c;
          if (image[i] && !endpoint[i] && eulerSimple(image, height, width, r, c)) doomed.push(i);
        }
      }
      for (const i of doomed) image[i] = 0;
      if (doomed.length > 0) changed = true;
    }
    if (!changed) break;
  }
  return image;
}
