/**
 * Binary thinning of 2D masks on the CPU, for losses and metrics that need the skeleton of a hard
 * mask (no gradient flows through it). Images are row-major `height × width` arrays; a nonzero value
 * is foreground, and everything outside the image is background.
 */

/**
 * Guo–Hall thinning (algorithm A1 of Guo & Hall 1989; scikit-image's `thin`): two alternating
 * parallel sub-iterations delete border pixels until none can go. With x1..x8 the 8 neighbours
 * counter-clockwise from east (E, NE, N, NW, W, SW, S, SE), a foreground pixel is deleted when
 *
 *     C = #{k ∈ {1,3,5,7}: ¬x_k ∧ (x_{k+1} ∨ x_{k+2})} = 1        (one 8-connected neighbour run)
 *     2 <= min(N1, N2) <= 3,  N1 = Σ_{k=1..4} (x_{2k−1} ∨ x_{2k}),  N2 = Σ_{k=1..4} (x_{2k} ∨ x_{2k+1})
 *     first sub-iteration:  (x2 ∨ x3 ∨ ¬x8) ∧ x1 = 0;   second:  (x6 ∨ x7 ∨ ¬x4) ∧ x5 = 0
 *
 * (indices mod 8). The result is one pixel wide, keeps every 8-connected component (a 2×2 square
 * becomes one pixel) and keeps end points, so lines keep their length.
 *
 * @see Z. Guo, R. W. Hall, Parallel thinning with two-subiteration algorithms, Communications of
 * the ACM 32(3), 1989, https://doi.org/10.1145/62065.62074
 */
export function thin2d(mask: ArrayLike<number>, height: number, width: number): Uint8Array {
  const image = new Uint8Array(height * width);
  for (let i = 0; i < image.length; i++) image[i] = mask[i] ? 1 : 0;
  const at = (r: number, c: number): number => (r < 0 || c < 0 || r >= height || c >= width ? 0 : (image[r * width + c] as number));
  const doomed: number[] = [];
  let changed = true;
  while (changed) {
    changed = false;
    for (const second of [false, true]) {
      doomed.length = 0;
      for (let r = 0; r < height; r++) {
        for (let c = 0; c < width; c++) {
          if (!image[r * width + c]) continue;
          const x1 = at(r, c + 1);
          const x2 = at(r - 1, c + 1);
          const x3 = at(r - 1, c);
          const x4 = at(r - 1, c - 1);
          const x5 = at(r, c - 1);
          const x6 = at(r + 1, c - 1);
          const x7 = at(r + 1, c);
          const x8 = at(r + 1, c + 1);
          const runs = (!x1 && (x2 || x3) ? 1 : 0) + (!x3 && (x4 || x5) ? 1 : 0) + (!x5 && (x6 || x7) ? 1 : 0) + (!x7 && (x8 || x1) ? 1 : 0);
          if (runs !== 1) continue;
          const n1 = (x1 || x2 ? 1 : 0) + (x3 || x4 ? 1 : 0) + (x5 || x6 ? 1 : 0) + (x7 || x8 ? 1 : 0);
          const n2 = (x2 || x3 ? 1 : 0) + (x4 || x5 ? 1 : 0) + (x6 || x7 ? 1 : 0) + (x8 || x1 ? 1 : 0);
          const n = Math.min(n1, n2);
          if (n < 2 || n > 3) continue;
          const blocked = second ? (x6 || x7 || !x4) && x5 : (x2 || x3 || !x8) && x1;
          if (!blocked) doomed.push(r * width + c);
        }
      }
      for (const i of doomed) image[i] = 0;
      if (doomed.length > 0) changed = true;
    }
  }
  return image;
}

/** Dilation by the 3×3 cross (a pixel and its 4 neighbours), applied `times` times. */
export function dilateCross2d(mask: ArrayLike<number>, height: number, width: number, times = 1): Uint8Array {
  let current = Uint8Array.from(mask, (v) => (v ? 1 : 0));
  for (let t = 0; t < times; t++) {
    const next = new Uint8Array(current.length);
    for (let r = 0; r < height; r++) {
      for (let c = 0; c < width; c++) {
        const i = r * width + c;
        next[i] =
          current[i] || (r > 0 && current[i - width]) || (r < height - 1 && current[i + width]) || (c > 0 && current[i - 1]) || (c < width - 1 && current[i + 1]) ? 1 : 0;
      }
    }
    current = next;
  }
  return current;
}
