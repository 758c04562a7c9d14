/**
 * Exact Euclidean distance transform of 2D masks on the CPU, in float64, for the losses whose
 * weights depend on how deep a pixel lies inside (or outside) a structure. No gradient flows
 * through it. Images are row-major `height × width` arrays; a nonzero value is foreground.
 */

/** Stands in for +∞ inside the parabola arithmetic, where ∞ − ∞ would give NaN. */
const FAR = 1e20;

/**
 * Lower envelope of the parabolas (q − p)² + f(p): the squared distance transform of one row or
 * column (Felzenszwalb & Huttenlocher), read from `f` at `start + k·stride`, k < n, written to `out`
 * at the same places. `v`, `z` and `g` are scratch buffers of length >= n (+1 for z).
 */
function envelope1d(f: Float64Array, start: number, stride: number, n: number, out: Float64Array, v: Int32Array, z: Float64Array, g: Float64Array): void {
  for (let k = 0; k < n; k++) g[k] = f[start + k * stride] as number;
  let k = 0;
  v[0] = 0;
  z[0] = -Infinity;
  z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    const fq = (g[q] as number) + q * q;
    let s: number;
    for (;;) {
      const p = v[k] as number;
      s = (fq - ((g[p] as number) + p * p)) / (2 * (q - p));
      // z[0] = −∞ ends the loop at k = 0 at the latest.
      if (s > (z[k] as number)) break;
      k--;
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while ((z[k + 1] as number) < q) k++;
    const p = v[k] as number;
    out[start + q * stride] = (q - p) * (q - p) + (g[p] as number);
  }
}

/** Distances of an all-foreground image to a background frame one pixel outside it. */
function framedDistance(height: number, width: number): Float64Array {
  const out = new Float64Array(height * width);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) out[r * width + c] = Math.min(r + 1, c + 1, height - r, width - c);
  }
  return out;
}

/**
 * Euclidean distance from each foreground pixel to the nearest background pixel, 0 on the
 * background (scipy's `distance_transform_edt`): pixels outside the image do not count as
 * background. A mask without any background pixel is measured to a one-pixel background frame
 * around the image instead (scipy returns distances to an arbitrary point there).
 *
 *     D(i) = min_{j: mask(j) = 0} ‖i − j‖₂   (mask(i) ≠ 0),    D(i) = 0   (mask(i) = 0)
 *
 * Two passes of the exact 1D squared-distance transform (columns, then rows), O(H·W).
 *
 * @see P. F. Felzenszwalb, D. P. Huttenlocher, Distance Transforms of Sampled Functions, Theory of
 * Computing 8, 2012, https://doi.org/10.4086/toc.2012.v008a019
 */
export function distanceToBackground2d(mask: ArrayLike<number>, height: number, width: number): Float64Array {
  const size = height * width;
  const f = new Float64Array(size);
  let background = false;
  for (let i = 0; i < size; i++) {
    if (mask[i]) f[i] = FAR;
    else background = true;
  }
  if (!background) return framedDistance(height, width);
  const longest = Math.max(height, width);
  const v = new Int32Array(longest);
  const z = new Float64Array(longest + 1);
  const g = new Float64Array(longest);
  for (let c = 0; c < width; c++) envelope1d(f, c, width, height, f, v, z, g);
  for (let r = 0; r < height; r++) envelope1d(f, r * width, 1, width, f, v, z, g);
  for (let i = 0; i < size; i++) f[i] = Math.sqrt(f[i] as number);
  return f;
}

/** {@link distanceToBackground2d} of the complement: distance from each background pixel to the nearest foreground one. */
export function distanceToForeground2d(mask: ArrayLike<number>, height: number, width: number): Float64Array {
  const inverted = new Uint8Array(height * width);
  for (let i = 0; i < inverted.length; i++) inverted[i] = mask[i] ? 0 : 1;
  return distanceToBackground2d(inverted, height, width);
}
