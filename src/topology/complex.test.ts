import { describe, expect, it } from 'vitest';
import { rng } from '../../test/helpers.js';
import { buildComplex2d, denseRanks, dualEnds, edgePixel, minimumRanks, OUTSIDE_RANK, squarePixel } from './complex.js';

/** Dense ranks by a plain sort of the distinct values. */
function naiveRanks(values: number[]): number[] {
  const distinct = [...new Set(values)].sort((a, b) => a - b);
  return values.map((v) => distinct.indexOf(v));
}

describe('denseRanks', () => {
  const r = rng(3);
  const draws: Record<string, () => number> = {
    'float64 of both signs': () => 2 * r() - 1,
    float32: () => Math.fround(r()),
    'negated float32': () => -Math.fround(r()) + 0,
    'few values (ties)': () => Math.floor(4 * r()) - 2,
    'values over 600 orders of magnitude': () => (r() - 0.5) * 10 ** (600 * r() - 300),
  };
  it.each(Object.keys(draws))('equals the ranks of a plain sort: %s', (name) => {
    for (let trial = 0; trial < 20; trial++) {
      const values = Array.from({ length: 1 + Math.floor(200 * r()) }, draws[name] as () => number);
      if (trial === 0) values.push(...Array.from({ length: 30 }, draws[name] as () => number));
      const { rank, sorted } = denseRanks(Float64Array.from(values));
      expect(Array.from(rank)).toEqual(naiveRanks(values));
      expect(Array.from(sorted)).toEqual([...new Set(values)].sort((a, b) => a - b));
    }
  });

  it('ranks the minimum of two ranked images in the order of its values, without a sort', () => {
    for (let trial = 0; trial < 20; trial++) {
      const few = trial % 2 === 0;
      const a = Float64Array.from({ length: 50 }, () => (few ? Math.floor(3 * r()) : Math.fround(r())));
      const b = Float64Array.from({ length: 50 }, () => (r() < 0.5 ? 0 : 1));
      const min = a.map((v, i) => Math.min(v, b[i] as number));
      const { rank } = minimumRanks(a, denseRanks(a), b, denseRanks(b));
      for (let i = 0; i < 50; i++) {
        for (let j = 0; j < 50; j++) expect(Math.sign((rank[i] as number) - (rank[j] as number))).toBe(Math.sign((min[i] as number) - (min[j] as number)));
      }
    }
  });

  it('orders infinities, zero and subnormals', () => {
    const values = [Infinity, 0, -Infinity, 5e-324, -5e-324, 1, -1, 0];
    expect(Array.from(denseRanks(Float64Array.from(values)).rank)).toEqual([6, 3, 0, 4, 2, 5, 1, 3]);
  });

  it('handles a single value and all-equal values', () => {
    expect(Array.from(denseRanks(Float64Array.of(7)).rank)).toEqual([0]);
    expect(denseRanks(new Float64Array(5).fill(2))).toEqual({ rank: new Int32Array(5), sorted: Float64Array.of(2) });
  });
});

describe('buildComplex2d', () => {
  const r = rng(5);
  const h = 5;
  const w = 4;
  const values = Float64Array.from({ length: h * w }, () => Math.floor(3 * r()));
  const cx = buildComplex2d(values, h, w);
  const f = (row: number, col: number) => values[row * w + col] as number;

  it('orders the edges by value, then (row, col, type), as the official code', () => {
    const expected: { v: number; key: number[]; id: number }[] = [];
    for (let row = 0; row < h; row++) {
      for (let col = 0; col < w; col++) {
        if (row + 1 < h) expected.push({ v: Math.max(f(row, col), f(row + 1, col)), key: [row, col, 0], id: 2 * (row * w + col) });
        if (col + 1 < w) expected.push({ v: Math.max(f(row, col), f(row, col + 1)), key: [row, col, 1], id: 2 * (row * w + col) + 1 });
      }
    }
    expected.sort((a, b) => a.v - b.v || (a.key[0] as number) - (b.key[0] as number) || (a.key[1] as number) - (b.key[1] as number) || (a.key[2] as number) - (b.key[2] as number));
    expect(Array.from(cx.edges)).toEqual(expected.map((e) => e.id));
    expect(cx.edges.length).toBe(h * (w - 1) + w * (h - 1));
  });

  it('gives each square the largest rank of its four pixels, and the outside node the top rank', () => {
    const ranks = naiveRanks(Array.from(values));
    for (let row = 0; row + 1 < h; row++) {
      for (let col = 0; col + 1 < w; col++) {
        const four = [ranks[row * w + col], ranks[row * w + col + 1], ranks[(row + 1) * w + col], ranks[(row + 1) * w + col + 1]] as number[];
        expect(cx.squareRank[row * (w - 1) + col]).toBe(Math.max(...four));
      }
    }
    expect(cx.squareRank[(h - 1) * (w - 1)]).toBe(OUTSIDE_RANK);
  });

  it('takes critical pixels in the official order', () => {
    // Edge (1,1)–(2,1) and square with top-left (1,1) on a hand-made image.
    const img = Float64Array.from([0, 0, 0, 0, 5, 5, 0, 5, 5]);
    const c3 = buildComplex2d(img, 3, 3);
    expect(edgePixel(c3, 2 * 4)).toBe(7); // second endpoint holds the value
    expect(edgePixel(c3, 2 * 0 + 1)).toBe(1); // both 0: the second endpoint
    const lower = buildComplex2d(Float64Array.from([0, 0, 0, 0, 5, 1, 0, 1, 1]), 3, 3);
    expect(edgePixel(lower, 2 * 4)).toBe(4); // the first endpoint holds the max
    expect(squarePixel(c3, 3)).toBe(8); // (2,2) first
    expect(squarePixel(lower, 3)).toBe(4); // only (1,1) holds the max
    const twoMax = buildComplex2d(Float64Array.from([0, 0, 0, 0, 5, 5, 0, 5, 1]), 3, 3);
    expect(squarePixel(twoMax, 3)).toBe(7); // (2,1) before (1,2) and (1,1)
  });

  it('gives each edge the two squares it borders (the outside node off the grid)', () => {
    const out = new Int32Array(2);
    const outside = (h - 1) * (w - 1);
    const corners = (s: number) => {
      if (s === outside) return undefined;
      const row = Math.floor(s / (w - 1));
      const col = s % (w - 1);
      return [row * w + col, row * w + col + 1, (row + 1) * w + col, (row + 1) * w + col + 1];
    };
    for (const e of cx.edges) {
      dualEnds(e, h, w, out);
      const a = e >> 1;
      const b = e % 2 === 0 ? a + w : a + 1;
      expect(out[0]).not.toBe(out[1]);
      const onBorder = e % 2 === 0 ? a % w === 0 || a % w === w - 1 : Math.floor(a / w) === 0 || Math.floor(a / w) === h - 1;
      expect(out[0] === outside || out[1] === outside).toBe(onBorder);
      for (const s of out) {
        const c = corners(s);
        if (c !== undefined) expect(c.includes(a) && c.includes(b)).toBe(true);
      }
    }
  });

  it('handles images of one row or one column', () => {
    const row = buildComplex2d(Float64Array.of(3, 1, 2), 1, 3);
    expect(Array.from(row.edges)).toEqual([3, 1]);
    expect(Array.from(row.squareRank)).toEqual([OUTSIDE_RANK]);
    const col = buildComplex2d(Float64Array.of(3, 1, 2), 3, 1);
    expect(Array.from(col.edges)).toEqual([2, 0]);
    const out = new Int32Array(2);
    dualEnds(0, 3, 1, out);
    expect(Array.from(out)).toEqual([0, 0]);
  });
});
