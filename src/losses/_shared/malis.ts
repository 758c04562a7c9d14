/**
 * MALIS (maximin affinity learning) pair counts on the CPU, for the losses that weigh the edges of
 * a pixel affinity graph by how many pixel pairs they decide. No gradient flows through these.
 * Images are row-major `height × width` arrays.
 */

/** The 4-connected grid graph of an `height × width` image. */
export interface GridEdges {
  /** First endpoint of each edge (flat pixel index). */
  a: Int32Array;
  /** Second endpoint of each edge. */
  b: Int32Array;
  /** Horizontal edges come first, (r, c)–(r, c + 1) row by row; then vertical ones, (r, c)–(r + 1, c). */
  horizontal: number;
}

/**
 * The edges of the 4-connected grid, in the order of the official TOPO code: the `H·(W − 1)`
 * horizontal edges (r, c)–(r, c + 1) row-major, then the `(H − 1)·W` vertical edges (r, c)–(r + 1, c).
 */
export function gridEdges(height: number, width: number): GridEdges {
  const horizontal = height * (width - 1);
  const count = horizontal + (height - 1) * width;
  const a = new Int32Array(count);
  const b = new Int32Array(count);
  let e = 0;
  for (let r = 0; r < height; r++) {
    for (let c = 0; c + 1 < width; c++, e++) {
      a[e] = r * width + c;
      b[e] = r * width + c + 1;
    }
  }
  for (let r = 0; r + 1 < height; r++) {
    for (let c = 0; c < width; c++, e++) {
      a[e] = r * width + c;
      b[e] = (r + 1) * width + c;
    }
  }
  return { a, b, horizontal };
}

/**
 * MALIS pair counts (Turaga et al. 2009): for each edge, the number of labelled pixel pairs whose
 * maximin edge it is, counted on the maximum spanning tree of the affinity graph.
 *
 *     maximin edge of (u, v) = the edge of least affinity on the path from u to v that maximises
 *                              that least affinity (the path in the maximum spanning tree)
 *     count(e) = #{ {u, v} : labels u, v ≠ 0, maximin edge of (u, v) = e,
 *                   label(u) = label(v) (positive)  or  label(u) ≠ label(v) (negative) }
 *
 * Kruskal's algorithm: edges in decreasing affinity, each edge that joins two sets counts the
 * pairs it joins, from the label histograms of the two sets; label 0 marks unlabelled pixels,
 * which join sets but count in no pair. Equal affinities go in edge order (the reference C++ code
 * sorts them with an unstable sort, so its choice among tied edges is unspecified); the counts of
 * edges whose affinity is unique do not depend on that order.
 *
 * @param labels - Label of each pixel (0: unlabelled).
 * @param edges - Endpoints of the edges.
 * @param affinity - Affinity of each edge (higher joins first).
 * @param positive - Count same-label pairs (`true`) or different-label pairs (`false`).
 * @returns One count per edge, in float64 (exact up to 2^53).
 *
 * @see S. C. Turaga, K. L. Briggman, M. Helmstaedter, W. Denk, H. S. Seung, Maximin affinity
 * learning of image segmentation, NeurIPS 2009, https://arxiv.org/abs/0911.5372
 */
export function malisPairCounts(labels: ArrayLike<number>, edges: Pick<GridEdges, 'a' | 'b'>, affinity: ArrayLike<number>, positive: boolean): Float64Array {
  const { a, b } = edges;
  const nodes = labels.length;
  const count = a.length;
  const out = new Float64Array(count);
  const order = Array.from({ length: count }, (_, e) => e);
  order.sort((e1, e2) => (affinity[e2] as number) - (affinity[e1] as number) || e1 - e2);

  const parent = new Int32Array(nodes);
  // Label histogram and number of labelled pixels of each set, kept at its root.
  const bags: (Map<number, number> | undefined)[] = new Array(nodes);
  const sizes = new Float64Array(nodes);
  for (let i = 0; i < nodes; i++) {
    parent[i] = i;
    const l = labels[i] as number;
    if (l !== 0) {
      bags[i] = new Map([[l, 1]]);
      sizes[i] = 1;
    }
  }
  const find = (x: number): number => {
    let root = x;
    while (parent[root] !== root) root = parent[root] as number;
    while (parent[x] !== root) {
      const next = parent[x] as number;
      parent[x] = root;
      x = next;
    }
    return root;
  };

  for (const e of order) {
    let r1 = find(a[e] as number);
    let r2 = find(b[e] as number);
    if (r1 === r2) continue;
    let bag1 = bags[r1];
    let bag2 = bags[r2];
    // Keep the larger histogram: the smaller one is folded into it.
    if ((bag1?.size ?? 0) < (bag2?.size ?? 0)) {
      [r1, r2] = [r2, r1];
      [bag1, bag2] = [bag2, bag1];
    }
    if (bag1 !== undefined && bag2 !== undefined) {
      let same = 0;
      for (const [label, n] of bag2) same += n * (bag1.get(label) ?? 0);
      out[e] = positive ? same : (sizes[r1] as number) * (sizes[r2] as number) - same;
      for (const [label, n] of bag2) bag1.set(label, (bag1.get(label) ?? 0) + n);
    }
    parent[r2] = r1;
    bags[r1] = bag1 ?? bag2;
    bags[r2] = undefined;
    sizes[r1] = (sizes[r1] as number) + (sizes[r2] as number);
  }
  return out;
}

/**
 * Connected components of the nonzero pixels, labelled 1, 2, ... in raster order of their first
 * pixel, 0 elsewhere; `connectivity` 4 (edge neighbours, scipy `ndimage.label`'s default) or 8
 * (edge and corner neighbours, skimage `measure.label`'s default in 2D).
 */
export function labelComponents2d(mask: ArrayLike<number>, height: number, width: number, connectivity: 4 | 8): Int32Array {
  const labels = new Int32Array(height * width);
  const stack: number[] = [];
  let next = 0;
  for (let start = 0; start < labels.length; start++) {
    if (!mask[start] || labels[start] !== 0) continue;
    next += 1;
    labels[start] = next;
    stack.push(start);
    while (stack.length > 0) {
      const i = stack.pop() as number;
      const r = Math.floor(i / width);
      const c = i - r * width;
      for (let dr = -1; dr <= 1; dr++) {
        for (let dc = -1; dc <= 1; dc++) {
          if ((dr === 0 && dc === 0) || (connectivity === 4 && dr !== 0 && dc !== 0)) continue;
          const rr = r + dr;
          const cc = c + dc;
          if (rr < 0 || rr >= height || cc < 0 || cc >= width) continue;
          const j = rr * width + cc;
          if (mask[j] && labels[j] === 0) {
            labels[j] = next;
            stack.push(j);
          }
        }
      }
    }
  }
  return labels;
}
