import { describe, expect, it } from 'vitest';
import { rng } from '../../../test/helpers.js';
import { gridEdges, labelComponents2d, malisPairCounts } from './malis.js';

/**
 * Brute force: for every labelled pair, its bottleneck (widest-path) value from a Floyd–Warshall
 * table; with distinct affinities that value names the pair's maximin edge.
 */
function bruteForceCounts(labels: number[], a: Int32Array, b: Int32Array, affinity: number[], positive: boolean): number[] {
  const n = labels.length;
  const best = Array.from({ length: n }, (_, u) => Array.from({ length: n }, (_, v) => (u === v ? Infinity : -Infinity)));
  affinity.forEach((x, e) => {
    best[a[e]!]![b[e]!] = x;
    best[b[e]!]![a[e]!] = x;
  });
  for (let k = 0; k < n; k++) for (let u = 0; u < n; u++) for (let v = 0; v < n; v++) best[u]![v] = Math.max(best[u]![v]!, Math.min(best[u]![k]!, best[k]![v]!));
  const counts = affinity.map(() => 0);
  for (let u = 0; u < n; u++) {
    for (let v = u + 1; v < n; v++) {
      if (!labels[u] || !labels[v] || (labels[u] === labels[v]) !== positive) continue;
      const e = affinity.indexOf(best[u]![v]!);
      if (e >= 0) counts[e]!++;
    }
  }
  return counts;
}

describe('gridEdges', () => {
  it('lists horizontal edges row by row, then vertical ones, as the official TOPO code', () => {
    const { a, b, horizontal } = gridEdges(2, 3);
    expect(horizontal).toBe(4);
    expect(Array.from(a)).toEqual([0, 1, 3, 4, 0, 1, 2]);
    expect(Array.from(b)).toEqual([1, 2, 4, 5, 3, 4, 5]);
  });
});

describe('malisPairCounts', () => {
  it('counts, for each edge, the pairs whose maximin edge it is (brute force over all pairs)', () => {
    const r = rng(17);
    for (const [h, w] of [[3, 4], [5, 5], [4, 7], [1, 6]] as const) {
      for (let trial = 0; trial < 4; trial++) {
        const labels = Array.from({ length: h * w }, () => (r() < 0.3 ? 0 : 1 + Math.floor(r() * 3)));
        const edges = gridEdges(h, w);
        const affinity = Array.from(edges.a, () => r());
        for (const positive of [true, false]) {
          const counts = Array.from(malisPairCounts(labels, edges, affinity, positive));
          expect(counts).toEqual(bruteForceCounts(labels, edges.a, edges.b, affinity, positive));
        }
        // Every labelled pair is counted once, by one of the two passes (the grid is connected).
        const labelled = labels.filter((l) => l !== 0).length;
        const total = [true, false].map((p) => malisPairCounts(labels, edges, affinity, p).reduce((s, v) => s + v, 0));
        expect(total[0]! + total[1]!).toBe((labelled * (labelled - 1)) / 2);
      }
    }
  });

  it('ignores unlabelled pixels and breaks ties in edge order', () => {
    const edges = gridEdges(1, 4);
    // Labels 1 _ _ 2: the weakest link between them decides; equal affinities: the later edge merges last.
    expect(Array.from(malisPairCounts([1, 0, 0, 2], edges, [0.9, 0.2, 0.5], false))).toEqual([0, 1, 0]);
    expect(Array.from(malisPairCounts([1, 0, 0, 2], edges, [0.5, 0.5, 0.5], false))).toEqual([0, 0, 1]);
    expect(Array.from(malisPairCounts([1, 0, 0, 2], edges, [0.9, 0.2, 0.5], true))).toEqual([0, 0, 0]);
    expect(Array.from(malisPairCounts([3, 3, 0, 3], edges, [0.9, 0.2, 0.5], true))).toEqual([1, 2, 0]);
  });
});

describe('labelComponents2d', () => {
  it('joins diagonal neighbours only with 8-connectivity, numbering components in raster order', () => {
    const mask = [1, 0, 1, 0, 1, 0, 0, 0, 1];
    expect(Array.from(labelComponents2d(mask, 3, 3, 4))).toEqual([1, 0, 2, 0, 3, 0, 0, 0, 4]);
    expect(Array.from(labelComponents2d(mask, 3, 3, 8))).toEqual([1, 0, 1, 0, 1, 0, 0, 0, 1]);
    expect(Array.from(labelComponents2d([0, 1, 1, 0, 0, 1], 2, 3, 4))).toEqual([0, 1, 1, 0, 0, 1]);
  });
});
