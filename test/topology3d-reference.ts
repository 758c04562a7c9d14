/**
 * Independent references for the 3D topology tests, written from the definitions: a Z/2
 * boundary-matrix reduction over all cells of the V-construction cubical complex of a volume, and
 * Betti numbers of a binary volume by flood fill and the Euler characteristic. Nothing here shares
 * code with src/topology.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { reduceColumns } from './topology-reference.js';

export type Volume = number[][][];
type Voxel = [number, number, number];

export interface ReferencePair3d {
  dim: number;
  birth: number;
  death: number;
  birthVoxel: Voxel;
  deathVoxel: Voxel | null;
}

interface Cell {
  dim: number;
  value: number;
  /** Order among cells of the same dimension: the official code's (z, row, col, type), packed. */
  id: number;
  faces: string[];
  /** The voxel holding the cell's value (the official code's parent voxel). */
  voxel: Voxel;
}

/**
 * All cells of the V-construction complex of f: voxels; edges between 6-neighbours; unit squares
 * (type 0 spans (row, col), 1 spans (z, col), 2 spans (z, row)); unit cubes. Each cell's value is
 * the max of its voxels.
 */
function cellsOf(f: Volume): Map<string, Cell> {
  const D = f.length;
  const H = (f[0] as number[][]).length;
  const W = ((f[0] as number[][])[0] as number[]).length;
  const at = ([z, r, c]: Voxel) => ((f[z] as number[][])[r] as number[])[c] as number;
  const pack = (z: number, r: number, c: number, t: number) => ((z * H + r) * W + c) * 4 + t;
  const first = (list: Voxel[], v: number) => list.find((x) => at(x) === v) as Voxel;
  const cells = new Map<string, Cell>();
  for (let z = 0; z < D; z++) {
    for (let r = 0; r < H; r++) {
      for (let c = 0; c < W; c++) {
        cells.set(`v${z},${r},${c}`, { dim: 0, value: at([z, r, c]), id: pack(z, r, c, 0), faces: [], voxel: [z, r, c] });
        // Edges: t = 0 along z, 1 along row, 2 along col; the second end if it holds the value.
        const steps: Voxel[] = [
          [z + 1, r, c],
          [z, r + 1, c],
          [z, r, c + 1],
        ];
        steps.forEach((q, t) => {
          if (q[0] >= D || q[1] >= H || q[2] >= W) return;
          const v = Math.max(at([z, r, c]), at(q));
          cells.set(`e${z},${r},${c},${t}`, { dim: 1, value: v, id: pack(z, r, c, t), faces: [`v${z},${r},${c}`, `v${q.join(',')}`], voxel: at(q) === v ? q : [z, r, c] });
        });
        // Squares, with their voxels listed in the official order (first holder of the value wins).
        if (r + 1 < H && c + 1 < W) {
          const vox: Voxel[] = [
            [z, r + 1, c + 1],
            [z, r + 1, c],
            [z, r, c + 1],
            [z, r, c],
          ];
          const v = Math.max(...vox.map(at));
          const faces = [`e${z},${r},${c},2`, `e${z},${r + 1},${c},2`, `e${z},${r},${c},1`, `e${z},${r},${c + 1},1`];
          cells.set(`s${z},${r},${c},0`, { dim: 2, value: v, id: pack(z, r, c, 0), faces, voxel: first(vox, v) });
        }
        if (z + 1 < D && c + 1 < W) {
          const vox: Voxel[] = [
            [z + 1, r, c + 1],
            [z + 1, r, c],
            [z, r, c + 1],
            [z, r, c],
          ];
          const v = Math.max(...vox.map(at));
          const faces = [`e${z},${r},${c},2`, `e${z + 1},${r},${c},2`, `e${z},${r},${c},0`, `e${z},${r},${c + 1},0`];
          cells.set(`s${z},${r},${c},1`, { dim: 2, value: v, id: pack(z, r, c, 1), faces, voxel: first(vox, v) });
        }
        if (z + 1 < D && r + 1 < H) {
          const vox: Voxel[] = [
            [z + 1, r + 1, c],
            [z + 1, r, c],
            [z, r + 1, c],
            [z, r, c],
          ];
          const v = Math.max(...vox.map(at));
          const faces = [`e${z},${r},${c},1`, `e${z + 1},${r},${c},1`, `e${z},${r},${c},0`, `e${z},${r + 1},${c},0`];
          cells.set(`s${z},${r},${c},2`, { dim: 2, value: v, id: pack(z, r, c, 2), faces, voxel: first(vox, v) });
        }
        if (z + 1 < D && r + 1 < H && c + 1 < W) {
          const vox: Voxel[] = [];
          for (const dz of [0, 1]) for (const dr of [0, 1]) for (const dc of [0, 1]) vox.push([z + dz, r + dr, c + dc]);
          const v = Math.max(...vox.map(at));
          const faces = [`s${z},${r},${c},0`, `s${z + 1},${r},${c},0`, `s${z},${r},${c},1`, `s${z},${r + 1},${c},1`, `s${z},${r},${c},2`, `s${z},${r},${c + 1},2`];
          cells.set(`c${z},${r},${c}`, { dim: 3, value: v, id: pack(z, r, c, 0), faces, voxel: first(vox, v) });
        }
      }
    }
  }
  return cells;
}

/**
 * Persistence pairs of the sublevel filtration of f (V-construction) by the standard column
 * reduction over Z/2 of the whole boundary matrix, cells in the order (value, dimension, id).
 * Zero-length pairs are left out; unpaired cells come with death = Infinity.
 */
export function referencePersistence3d(f: Volume): ReferencePair3d[] {
  const cells = cellsOf(f);
  const keys = [...cells.keys()].sort((a, b) => {
    const x = cells.get(a) as Cell;
    const y = cells.get(b) as Cell;
    return x.value - y.value || x.dim - y.dim || x.id - y.id;
  });
  const position = new Map(keys.map((k, i) => [k, i]));
  const columns = keys.map((k) =>
    (cells.get(k) as Cell).faces
      .map((face) => {
        const p = position.get(face);
        if (p === undefined) throw new Error(`missing face ${face} of ${k}`);
        return p;
      })
      .sort((a, b) => a - b),
  );
  const { pairs: reduced, unpaired } = reduceColumns(columns);
  const pairs: ReferencePair3d[] = [];
  for (const [low, j] of reduced) {
    const b = cells.get(keys[low] as string) as Cell;
    const d = cells.get(keys[j] as string) as Cell;
    if (b.value !== d.value) pairs.push({ dim: b.dim, birth: b.value, death: d.value, birthVoxel: b.voxel, deathVoxel: d.voxel });
  }
  for (const i of unpaired) {
    const cell = cells.get(keys[i] as string) as Cell;
    pairs.push({ dim: cell.dim, birth: cell.value, death: Infinity, birthVoxel: cell.voxel, deathVoxel: null });
  }
  return pairs;
}

/** Number of connected components of the voxels where `inside` holds, 6- or 26-connected; and whether each touches the border. */
function label(D: number, H: number, W: number, inside: (z: number, r: number, c: number) => boolean, full: boolean): { count: number; touching: number } {
  const seen = new Set<string>();
  const steps: Voxel[] = [];
  for (const dz of [-1, 0, 1]) {
    for (const dr of [-1, 0, 1]) {
      for (const dc of [-1, 0, 1]) {
        const n = Math.abs(dz) + Math.abs(dr) + Math.abs(dc);
        if (n === 1 || (full && n > 0)) steps.push([dz, dr, dc]);
      }
    }
  }
  let count = 0;
  let touching = 0;
  for (let z = 0; z < D; z++) {
    for (let r = 0; r < H; r++) {
      for (let c = 0; c < W; c++) {
        if (!inside(z, r, c) || seen.has(`${z},${r},${c}`)) continue;
        count++;
        let border = false;
        const stack: Voxel[] = [[z, r, c]];
        seen.add(`${z},${r},${c}`);
        while (stack.length > 0) {
          const [y, x, w] = stack.pop() as Voxel;
          if (y === 0 || x === 0 || w === 0 || y === D - 1 || x === H - 1 || w === W - 1) border = true;
          for (const [dz, dr, dc] of steps) {
            const q: Voxel = [y + dz, x + dr, w + dc];
            if (q[0] < 0 || q[1] < 0 || q[2] < 0 || q[0] >= D || q[1] >= H || q[2] >= W) continue;
            if (!inside(...q) || seen.has(q.join(','))) continue;
            seen.add(q.join(','));
            stack.push(q);
          }
        }
        if (border) touching++;
      }
    }
  }
  return { count, touching };
}

/**
 * Betti numbers of a binary volume in the V-construction: β0 = 6-connected foreground components,
 * β2 = 26-connected background components touching no border voxel, β1 from the Euler
 * characteristic χ = #vertices − #edges + #squares + … of the cells whose voxels are all foreground:
 * β1 = β0 + β2 − χ.
 */
export function floodFillBetti3d(mask: boolean[][][]): [number, number, number] {
  const D = mask.length;
  const H = (mask[0] as boolean[][]).length;
  const W = ((mask[0] as boolean[][])[0] as boolean[]).length;
  const m = (z: number, r: number, c: number) => ((mask[z] as boolean[][])[r] as boolean[])[c] as boolean;
  const fg = label(D, H, W, m, false);
  const bg = label(D, H, W, (z, r, c) => !m(z, r, c), true);
  let euler = 0;
  // Cells as boxes [z, z+a] × [r, r+b] × [c, c+e] with a, b, e in {0, 1}: sign (−1)^(a+b+e).
  for (let z = 0; z < D; z++) {
    for (let r = 0; r < H; r++) {
      for (let c = 0; c < W; c++) {
        for (const a of [0, 1]) {
          for (const b of [0, 1]) {
            for (const e of [0, 1]) {
              if (z + a >= D || r + b >= H || c + e >= W) continue;
              let all = true;
              for (let i = 0; i <= a; i++) for (let j = 0; j <= b; j++) for (let k = 0; k <= e; k++) all &&= m(z + i, r + j, c + k);
              if (all) euler += (a + b + e) % 2 === 0 ? 1 : -1;
            }
          }
        }
      }
    }
  }
  const b0 = fg.count;
  const b2 = bg.count - bg.touching;
  return [b0, b0 + b2 - euler, b2];
}

export interface ReferenceMatching3d {
  /** Per dimension: matched pairs and the unmatched pairs of each volume, as "z:r:c>z:r:c" strings. */
  dims: { matched: [string, string][]; unmatched0: string[]; unmatched1: string[] }[];
}

/**
 * Betti matching of the sublevel filtrations of f0 and f1 through min(f0, f1), from the definition
 * of induced matchings (Bauer and Lesnick) and image persistence (Cohen-Steiner, Edelsbrunner, Harer,
 * Morozov), with plain boundary-matrix reductions in every dimension k (no union–find, no duality):
 *
 * - the barcode of each input and of the comparison: reduce ∂(k+1), rows and columns in that
 *   image's order (value, id);
 * - the image of H_k(input) → H_k(comparison): reduce the comparison's ∂(k+1) with its columns in
 *   the comparison's order and its rows in the input's order; the pivot of the column of a
 *   (k+1)-cell τ is the birth cell of the image bar that dies at τ;
 * - a comparison bar (with death τ) is matched when, for both inputs, the image bar dying at τ
 *   starts at the birth cell of an input bar. Zero-length bars are left out.
 */
export function referenceBettiMatching3d(f0: Volume, f1: Volume): ReferenceMatching3d {
  const fc = f0.map((plane, z) => plane.map((row, r) => row.map((v, c) => Math.min(v, ((f1[z] as number[][])[r] as number[])[c] as number))));
  const cells = [cellsOf(f0), cellsOf(f1), cellsOf(fc)] as [Map<string, Cell>, Map<string, Cell>, Map<string, Cell>];
  const ofDim = (k: number) => [...cells[2].keys()].filter((key) => (cells[2].get(key) as Cell).dim === k);
  const order = (m: Map<string, Cell>, list: string[]) =>
    list.slice().sort((a, b) => {
      const x = m.get(a) as Cell;
      const y = m.get(b) as Cell;
      return x.value - y.value || x.id - y.id;
    });
  /** Pivots of the reduction: for each column key, the row key of its pivot (none for zero columns). */
  const reduce = (rows: string[], columns: string[]): Map<string, string> => {
    const rowAt = new Map(rows.map((k, i) => [k, i]));
    const owner = new Map<number, number[]>();
    const pivots = new Map<string, string>();
    for (const key of columns) {
      let col = (cells[2].get(key) as Cell).faces.map((f) => rowAt.get(f) as number).sort((a, b) => a - b);
      while (col.length > 0 && owner.has(col[col.length - 1] as number)) {
        const sum = new Set(col);
        for (const x of owner.get(col[col.length - 1] as number) as number[]) {
          if (sum.has(x)) sum.delete(x);
          else sum.add(x);
        }
        col = [...sum].sort((a, b) => a - b);
      }
      if (col.length === 0) continue;
      owner.set(col[col.length - 1] as number, col);
      pivots.set(key, rows[col[col.length - 1] as number] as string);
    }
    return pivots;
  };
  const text = (m: Map<string, Cell>, birth: string, death: string) => `${(m.get(birth) as Cell).voxel.join(':')}>${(m.get(death) as Cell).voxel.join(':')}`;
  const dims: ReferenceMatching3d['dims'] = [];
  for (let k = 0; k < 3; k++) {
    const low = ofDim(k);
    const high = ofDim(k + 1);
    // Input bars, keyed by birth cell.
    const bars = [0, 1].map((i) => {
      const m = cells[i] as Map<string, Cell>;
      const byBirth = new Map<string, string>();
      for (const [death, birth] of reduce(order(m, low), order(m, high))) {
        if ((m.get(birth) as Cell).value !== (m.get(death) as Cell).value) byBirth.set(birth, text(m, birth, death));
      }
      return byBirth;
    }) as [Map<string, string>, Map<string, string>];
    const images = [0, 1].map((i) => reduce(order(cells[i] as Map<string, Cell>, low), order(cells[2], high)));
    const matched: [string, string][] = [];
    const used = [new Set<string>(), new Set<string>()];
    for (const [death, birth] of reduce(order(cells[2], low), order(cells[2], high))) {
      if ((cells[2].get(birth) as Cell).value === (cells[2].get(death) as Cell).value) continue;
      const b0 = images[0]?.get(death);
      const b1 = images[1]?.get(death);
      if (b0 === undefined || b1 === undefined || !bars[0].has(b0) || !bars[1].has(b1)) continue;
      matched.push([bars[0].get(b0) as string, bars[1].get(b1) as string]);
      used[0]?.add(b0);
      used[1]?.add(b1);
    }
    const unmatched = bars.map((m, i) => [...m].filter(([birth]) => !used[i]?.has(birth)).map(([, t]) => t));
    dims.push({ matched, unmatched0: unmatched[0] as string[], unmatched1: unmatched[1] as string[] });
  }
  return { dims };
}

/** One case of the stored output of the official Betti-Matching-3D code (test/betti-matching-3d-official.json). */
export interface OfficialCase3d {
  shape: [number, number, number];
  prediction: number[];
  target: number[];
  /** Per dimension, the prediction's bars as "z:r:c>z:r:c" (birth voxel > death voxel). */
  barcode: string[][];
  /** Per dimension, [prediction bar, target bar]. */
  matched: [string, string][][];
  unmatched0: string[][];
  unmatched1: string[][];
}

/**
 * Barcodes and Betti matchings computed by the official C++ code (nstucki/Betti-Matching-3D at
 * commit 50d7379) on 60 small volume pairs with and without ties, for the superlevel filtration of
 * the values stored (the code was run on their negations): the reference for the tie-breaking.
 */
export function officialCases3d(): OfficialCase3d[] {
  const text = readFileSync(fileURLToPath(new URL('./betti-matching-3d-official.json', import.meta.url)), 'utf8');
  return (JSON.parse(text) as { cases: OfficialCase3d[] }).cases;
}
