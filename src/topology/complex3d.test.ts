import { describe, expect, it } from 'vitest';
import { rng } from '../../test/helpers.js';
import { buildComplex3d, cubeVoxel, edgeCofaces, edgeOtherEnd, edgeVoxel, squareDualEnds, squareVoxel } from './complex3d.js';

const [D, H, W] = [3, 4, 5];
const HW = H * W;
const at = (z: number, r: number, c: number) => (z * H + r) * W + c;

/** The voxels of each cell, from the definition: a cell is a box of side 0 or 1 along each axis. */
function cellVoxels(z: number, r: number, c: number, span: [number, number, number]): number[] {
  const out: number[] = [];
  for (let a = 0; a <= span[0]; a++) for (let b = 0; b <= span[1]; b++) for (let e = 0; e <= span[2]; e++) out.push(at(z + a, r + b, c + e));
  return out;
}

function complex(seed: number, levels?: number) {
  const r = rng(seed);
  const f = Float64Array.from({ length: D * HW }, () => (levels === undefined ? r() : Math.floor(levels * r())));
  return { f, cx: buildComplex3d(f, D, H, W) };
}

describe('buildComplex3d', () => {
  it('has the cells of a D×H×W grid, each valued by the max of its voxels, sorted by (value, index)', () => {
    for (const levels of [undefined, 3]) {
      const { f, cx } = complex(1, levels);
      const edgeCount = (D - 1) * H * W + D * (H - 1) * W + D * H * (W - 1);
      const squareCount = D * (H - 1) * (W - 1) + (D - 1) * H * (W - 1) + (D - 1) * (H - 1) * W;
      expect([cx.edges.length, cx.squares.length, cx.cubeRank.length]).toEqual([edgeCount, squareCount, (D - 1) * (H - 1) * (W - 1) + 1]);
      const { rank } = cx;
      const maxRank = (voxels: number[]) => Math.max(...voxels.map((p) => rank[p] as number));
      // Ranks follow the values.
      for (let p = 1; p < f.length; p++) expect(Math.sign((rank[p] as number) - (rank[0] as number))).toBe(Math.sign((f[p] as number) - (f[0] as number)));
      for (let z = 0; z < D; z++) {
        for (let r = 0; r < H; r++) {
          for (let c = 0; c < W; c++) {
            const p = at(z, r, c);
            const spans: [number, number, number][] = [
              [1, 0, 0],
              [0, 1, 0],
              [0, 0, 1],
            ];
            spans.forEach((span, t) => {
              const fits = z + span[0] < D && r + span[1] < H && c + span[2] < W;
              expect(cx.edgeRank[3 * p + t]).toBe(fits ? maxRank(cellVoxels(z, r, c, span)) : -1);
              // The square normal to axis t spans the two other axes.
              const sq = span.map((x) => 1 - x) as [number, number, number];
              const sqFits = z + sq[0] < D && r + sq[1] < H && c + sq[2] < W;
              expect(cx.squareRank[3 * p + t]).toBe(sqFits ? maxRank(cellVoxels(z, r, c, sq)) : -1);
            });
            if (z + 1 < D && r + 1 < H && c + 1 < W) expect(cx.cubeRank[(z * (H - 1) + r) * (W - 1) + c]).toBe(maxRank(cellVoxels(z, r, c, [1, 1, 1])));
          }
        }
      }
      const ordered = (ids: Int32Array, value: Int32Array) => {
        for (let k = 1; k < ids.length; k++) {
          const a = ids[k - 1] as number;
          const b = ids[k] as number;
          expect((value[a] as number) < (value[b] as number) || (value[a] === value[b] && a < b)).toBe(true);
        }
      };
      ordered(cx.edges, cx.edgeRank);
      ordered(cx.squares, cx.squareRank);
    }
  });

  it('gives each edge the squares it bounds, and each square the two cubes (or the outside) it separates', () => {
    const { cx } = complex(2);
    const outside = cx.cubeRank.length - 1;
    const boundsOf = new Map<number, Set<number>>();
    const cubesOf = new Map<number, number[]>();
    for (const s of cx.squares) {
      const p = Math.floor(s / 3);
      const t = s % 3;
      const z = Math.floor(p / HW);
      const r = Math.floor((p % HW) / W);
      const c = p % W;
      // The four edges of the square: along each of its two axes, at both offsets of the other.
      const axes = [0, 1, 2].filter((a) => a !== t) as [number, number];
      const step = [HW, W, 1];
      for (const [along, across] of [axes, [axes[1], axes[0]]] as [number, number][]) {
        for (const off of [0, step[across] as number]) {
          const e = 3 * (p + off) + along;
          if (!boundsOf.has(e)) boundsOf.set(e, new Set());
          boundsOf.get(e)?.add(s);
        }
      }
      // The cubes on either side along the normal axis.
      const pos = [z, r, c];
      const cube = (shift: number) => {
        const q = pos.slice();
        q[t] = (q[t] as number) + shift;
        const [a, b, e] = q as [number, number, number];
        return a < 0 || b < 0 || e < 0 || a >= D - 1 || b >= H - 1 || e >= W - 1 ? outside : (a * (H - 1) + b) * (W - 1) + e;
      };
      cubesOf.set(s, [cube(-1), cube(0)]);
    }
    const out = new Int32Array(4);
    for (const e of cx.edges) {
      const k = edgeCofaces(cx, e, out);
      expect(new Set(out.subarray(0, k))).toEqual(boundsOf.get(e) ?? new Set());
    }
    const ends = new Int32Array(2);
    for (const s of cx.squares) {
      squareDualEnds(cx, s, ends);
      expect([...ends]).toEqual(cubesOf.get(s));
    }
  });

  it('reads each cell value from a voxel holding it, in the official order on ties', () => {
    const { cx } = complex(3, 2);
    const { rank } = cx;
    for (const e of cx.edges) {
      const v = edgeVoxel(cx, e);
      expect(rank[v]).toBe(cx.edgeRank[e]);
      // The second end wins a tie.
      if (rank[edgeOtherEnd(cx, e)] === cx.edgeRank[e]) expect(v).toBe(edgeOtherEnd(cx, e));
    }
    for (const s of cx.squares) {
      const v = squareVoxel(cx, s);
      expect(rank[v]).toBe(cx.squareRank[s]);
      // The highest-index voxel holding the value.
      const p = Math.floor(s / 3);
      const t = s % 3;
      const span = [0, 1, 2].map((a) => (a === t ? 0 : 1)) as [number, number, number];
      const z = Math.floor(p / HW);
      const holders = cellVoxels(z, Math.floor((p % HW) / W), p % W, span).filter((q) => rank[q] === cx.squareRank[s]);
      expect(v).toBe(Math.max(...holders));
    }
    for (let q = 0; q + 1 < cx.cubeRank.length; q++) {
      const v = cubeVoxel(cx, q);
      expect(rank[v]).toBe(cx.cubeRank[q]);
      // The lowest-index voxel holding the value.
      const z = Math.floor(q / ((H - 1) * (W - 1)));
      const r = Math.floor((q % ((H - 1) * (W - 1))) / (W - 1));
      const c = q % (W - 1);
      expect(v).toBe(Math.min(...cellVoxels(z, r, c, [1, 1, 1]).filter((x) => rank[x] === cx.cubeRank[q])));
    }
  });
});
