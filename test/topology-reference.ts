/**
 * Independent references for the topology tests, written from the definitions: a Z/2 boundary-matrix
 * reduction of the V-construction cubical complex, and Betti numbers of thresholded images by flood
 * fill. Nothing here shares code with src/topology.
 */

export type Grid = number[][];

export interface ReferencePair {
  dim: number;
  birth: number;
  death: number;
  birthPixel: [number, number];
  deathPixel: [number, number] | null;
}

interface Cell {
  dim: number;
  /** Value in the sublevel filtration. */
  value: number;
  /** Order among cells of the same dimension: pixel index, edge id 2p + t, square index. */
  id: number;
  /** Boundary as keys into the cell map. */
  faces: string[];
  /** [row, col] of the pixel holding the cell's value (the official code's parent voxel). */
  pixel: [number, number];
}

/**
 * The standard Z/2 reduction of a boundary matrix whose columns (sorted row lists) are in
 * filtration order: each column adds earlier reduced columns while its lowest row is owned by one.
 * Returns the pairs (lowest row, column) in column order and the unpaired indices in order.
 */
export function reduceColumns(boundary: readonly (readonly number[])[]): { pairs: [number, number][]; unpaired: number[] } {
  const columns = boundary.map((c) => [...c]);
  const lowOwner = new Map<number, number>();
  const paired = new Set<number>();
  const pairs: [number, number][] = [];
  for (let j = 0; j < columns.length; j++) {
    let col = columns[j] as number[];
    while (col.length > 0 && lowOwner.has(col[col.length - 1] as number)) {
      const other = columns[lowOwner.get(col[col.length - 1] as number) as number] as number[];
      const sum = new Set(col);
      for (const x of other) {
        if (sum.has(x)) sum.delete(x);
        else sum.add(x);
      }
      col = [...sum].sort((a, b) => a - b);
    }
    columns[j] = col;
    if (col.length === 0) continue;
    const low = col[col.length - 1] as number;
    lowOwner.set(low, j);
    paired.add(low).add(j);
    pairs.push([low, j]);
  }
  return { pairs, unpaired: columns.map((_, i) => i).filter((i) => !paired.has(i)) };
}

/**
 * Persistence pairs of the sublevel filtration of f (in the V-construction) by the standard column
 * reduction over Z/2, cells in the order (value, dimension, id). Zero-length pairs are left out;
 * unpaired cells are returned with death = Infinity. Values reported are those of f.
 */
export function referencePersistence(f: Grid): ReferencePair[] {
  const h = f.length;
  const w = (f[0] as number[]).length;
  const at = (r: number, c: number) => (f[r] as number[])[c] as number;
  const cells = new Map<string, Cell>();
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      cells.set(`v${r},${c}`, { dim: 0, value: at(r, c), id: r * w + c, faces: [], pixel: [r, c] });
      if (r + 1 < h) {
        const v = Math.max(at(r, c), at(r + 1, c));
        cells.set(`e${r},${c},0`, { dim: 1, value: v, id: 2 * (r * w + c), faces: [`v${r},${c}`, `v${r + 1},${c}`], pixel: at(r + 1, c) === v ? [r + 1, c] : [r, c] });
      }
      if (c + 1 < w) {
        const v = Math.max(at(r, c), at(r, c + 1));
        cells.set(`e${r},${c},1`, { dim: 1, value: v, id: 2 * (r * w + c) + 1, faces: [`v${r},${c}`, `v${r},${c + 1}`], pixel: at(r, c + 1) === v ? [r, c + 1] : [r, c] });
      }
      if (r + 1 < h && c + 1 < w) {
        const corners: [number, number][] = [
          [r + 1, c + 1],
          [r + 1, c],
          [r, c + 1],
          [r, c],
        ];
        const v = Math.max(...corners.map(([y, x]) => at(y, x)));
        const pixel = corners.find(([y, x]) => at(y, x) === v) as [number, number];
        cells.set(`s${r},${c}`, { dim: 2, value: v, id: r * (w - 1) + c, faces: [`e${r},${c},1`, `e${r + 1},${c},1`, `e${r},${c},0`, `e${r},${c + 1},0`], pixel });
      }
    }
  }
  const keys = [...cells.keys()].sort((a, b) => {
    const x = cells.get(a) as Cell;
    const y = cells.get(b) as Cell;
    return x.value - y.value || x.dim - y.dim || x.id - y.id;
  });
  const position = new Map(keys.map((k, i) => [k, i]));
  const columns: number[][] = keys.map((k) => (cells.get(k) as Cell).faces.map((face) => position.get(face) as number).sort((a, b) => a - b));
  const { pairs: reduced, unpaired } = reduceColumns(columns);
  const pairs: ReferencePair[] = [];
  for (const [low, j] of reduced) {
    const b = cells.get(keys[low] as string) as Cell;
    const d = cells.get(keys[j] as string) as Cell;
    if (b.value !== d.value) pairs.push({ dim: b.dim, birth: b.value, death: d.value, birthPixel: b.pixel, deathPixel: d.pixel });
  }
  for (const i of unpaired) {
    const cell = cells.get(keys[i] as string) as Cell;
    pairs.push({ dim: cell.dim, birth: cell.value, death: Infinity, birthPixel: cell.pixel, deathPixel: null });
  }
  return pairs;
}

/** Labels connected components of the pixels where `inside` holds; returns the labels and the count. */
function components(h: number, w: number, inside: (r: number, c: number) => boolean, diagonal: boolean): { label: number[][]; count: number } {
  const label = Array.from({ length: h }, () => new Array<number>(w).fill(-1));
  const steps = diagonal
    ? [
        [-1, -1],
        [-1, 0],
        [-1, 1],
        [0, -1],
        [0, 1],
        [1, -1],
        [1, 0],
        [1, 1],
      ]
    : [
        [-1, 0],
        [1, 0],
        [0, -1],
        [0, 1],
      ];
  let count = 0;
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      if (!inside(r, c) || (label[r] as number[])[c] !== -1) continue;
      const stack: [number, number][] = [[r, c]];
      (label[r] as number[])[c] = count;
      while (stack.length > 0) {
        const [y, x] = stack.pop() as [number, number];
        for (const [dy, dx] of steps as [number, number][]) {
          const ny = y + dy;
          const nx = x + dx;
          if (ny < 0 || ny >= h || nx < 0 || nx >= w || !inside(ny, nx) || (label[ny] as number[])[nx] !== -1) continue;
          (label[ny] as number[])[nx] = count;
          stack.push([ny, nx]);
        }
      }
      count++;
    }
  }
  return { label, count };
}

/**
 * Betti numbers of a binary mask by flood fill: β0 = 4-connected foreground components, β1 = 8-connected
 * background components that touch no border pixel.
 */
export function floodFillBetti(mask: boolean[][]): [number, number] {
  const h = mask.length;
  const w = (mask[0] as boolean[]).length;
  const fg = components(h, w, (r, c) => (mask[r] as boolean[])[c] as boolean, false);
  const bg = components(h, w, (r, c) => !(mask[r] as boolean[])[c], true);
  const touching = new Set<number>();
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      const l = (bg.label[r] as number[])[c] as number;
      if (l >= 0 && (r === 0 || c === 0 || r === h - 1 || c === w - 1)) touching.add(l);
    }
  }
  return [fg.count, bg.count - touching.size];
}

interface RefEdge {
  value: number;
  r: number;
  c: number;
  t: number;
}

interface RefPair {
  birthPixel: [number, number];
  deathPixel: [number, number];
}

export interface ReferenceMatching {
  /** Per dimension: matched pairs and the unmatched pairs of each image, as "br:bc>dr:dc" strings. */
  dims: { matched: [string, string][]; unmatched0: string[]; unmatched1: string[] }[];
}

/**
 * Betti matching of the sublevel filtrations of f0 and f1 through min(f0, f1), by the induced
 * matching construction of Stucki et al. (2023) written directly from its description: edges sorted
 * by a comparator on (value, row, col, type), union–find as maps without path compression, holes as
 * components of the dual graph (squares and one outside node) taken from the top value down.
 */
export function referenceBettiMatching(f0: Grid, f1: Grid): ReferenceMatching {
  const h = f0.length;
  const w = (f0[0] as number[]).length;
  const fc = f0.map((row, r) => row.map((v, c) => Math.min(v, (f1[r] as number[])[c] as number)));
  const px = (f: Grid, r: number, c: number) => (f[r] as number[])[c] as number;
  const edgesOf = (f: Grid): RefEdge[] => {
    const list: RefEdge[] = [];
    for (let r = 0; r < h; r++) {
      for (let c = 0; c < w; c++) {
        if (r + 1 < h) list.push({ value: Math.max(px(f, r, c), px(f, r + 1, c)), r, c, t: 0 });
        if (c + 1 < w) list.push({ value: Math.max(px(f, r, c), px(f, r, c + 1)), r, c, t: 1 });
      }
    }
    return list.sort((a, b) => a.value - b.value || a.r - b.r || a.c - b.c || a.t - b.t);
  };
  const ends = (e: RefEdge): [string, string] => [`${e.r},${e.c}`, e.t === 0 ? `${e.r + 1},${e.c}` : `${e.r},${e.c + 1}`];
  const OUT = 'out';
  const squareKey = (r: number, c: number) => (r < 0 || c < 0 || r >= h - 1 || c >= w - 1 ? OUT : `${r},${c}`);
  const dualEndsOf = (e: RefEdge): [string, string] => (e.t === 0 ? [squareKey(e.r, e.c - 1), squareKey(e.r, e.c)] : [squareKey(e.r - 1, e.c), squareKey(e.r, e.c)]);
  const vertexIndex = (k: string) => {
    const [r, c] = k.split(',').map(Number) as [number, number];
    return r * w + c;
  };
  const squareIndex = (k: string) => {
    if (k === OUT) return (h - 1) * (w - 1);
    const [r, c] = k.split(',').map(Number) as [number, number];
    return r * (w - 1) + c;
  };
  const squareValue = (f: Grid, k: string) => {
    if (k === OUT) return Infinity;
    const [r, c] = k.split(',').map(Number) as [number, number];
    return Math.max(px(f, r, c), px(f, r + 1, c), px(f, r, c + 1), px(f, r + 1, c + 1));
  };
  const edgeCritical = (f: Grid, e: RefEdge): [number, number] => {
    const [r2, c2] = e.t === 0 ? [e.r + 1, e.c] : [e.r, e.c + 1];
    return px(f, r2, c2) === e.value ? [r2, c2] : [e.r, e.c];
  };
  const squareCritical = (f: Grid, k: string): [number, number] => {
    const [r, c] = k.split(',').map(Number) as [number, number];
    const v = squareValue(f, k);
    const order: [number, number][] = [
      [r + 1, c + 1],
      [r + 1, c],
      [r, c + 1],
      [r, c],
    ];
    return order.find(([y, x]) => px(f, y, x) === v) as [number, number];
  };

  /** Union–find on string keys; `elder(a, b)` says whether root a survives a merge with root b. */
  class Forest {
    parent = new Map<string, string>();
    constructor(private readonly elder: (a: string, b: string) => boolean) {}
    find(x: string): string {
      let y = x;
      while (this.parent.has(y)) y = this.parent.get(y) as string;
      return y;
    }
    /** Merges two roots; returns the one that dies. */
    merge(a: string, b: string): string {
      const [old, young] = this.elder(a, b) ? [a, b] : [b, a];
      this.parent.set(young, old);
      return young;
    }
  }
  const primal = (f: Grid) =>
    new Forest((a, b) => {
      const va = px(f, ...(a.split(',').map(Number) as [number, number]));
      const vb = px(f, ...(b.split(',').map(Number) as [number, number]));
      return va < vb || (va === vb && vertexIndex(a) < vertexIndex(b));
    });
  const dual = (f: Grid) =>
    new Forest((a, b) => {
      const va = squareValue(f, a);
      const vb = squareValue(f, b);
      return va > vb || (va === vb && squareIndex(a) > squareIndex(b));
    });
  const text = (p: RefPair) => `${p.birthPixel.join(':')}>${p.deathPixel.join(':')}`;
  const inputs = [f0, f1];
  const dims: ReferenceMatching['dims'] = [];

  // Dimension 0.
  {
    const keyed = inputs.map((f) => {
      const forest = primal(f);
      const byBirth = new Map<string, RefPair>();
      for (const e of edgesOf(f)) {
        const [a, b] = ends(e).map((k) => forest.find(k)) as [string, string];
        if (a === b) continue;
        const young = forest.merge(a, b);
        const [yr, yc] = young.split(',').map(Number) as [number, number];
        if (px(f, yr, yc) !== e.value) byBirth.set(young, { birthPixel: [yr, yc], deathPixel: edgeCritical(f, e) });
      }
      return byBirth;
    });
    const forests = [primal(fc), primal(f0), primal(f1)];
    const matched: [string, string][] = [];
    const used = [new Set<RefPair>(), new Set<RefPair>()];
    for (const e of edgesOf(fc)) {
      const [p, q] = ends(e);
      const [fcF, f0F, f1F] = forests as [Forest, Forest, Forest];
      const a = fcF.find(p);
      const b = fcF.find(q);
      if (a === b) continue;
      const young = fcF.merge(a, b);
      const y0 = f0F.merge(f0F.find(p), f0F.find(q));
      const y1 = f1F.merge(f1F.find(p), f1F.find(q));
      const [yr, yc] = young.split(',').map(Number) as [number, number];
      const p0 = keyed[0]?.get(y0);
      const p1 = keyed[1]?.get(y1);
      if (px(fc, yr, yc) !== e.value && p0 !== undefined && p1 !== undefined) {
        matched.push([text(p0), text(p1)]);
        used[0]?.add(p0);
        used[1]?.add(p1);
      }
    }
    const unmatched = keyed.map((m, k) => [...m.values()].filter((p) => !used[k]?.has(p)).map(text));
    dims.push({ matched, unmatched0: unmatched[0] as string[], unmatched1: unmatched[1] as string[] });
  }

  // Dimension 1.
  {
    const keyed = inputs.map((f) => {
      const forest = dual(f);
      const comp = dual(fc);
      const byImageDeath = new Map<string, RefPair>();
      for (const e of edgesOf(f).reverse()) {
        const [s1, s2] = dualEndsOf(e);
        const a = forest.find(s1);
        const b = forest.find(s2);
        if (a === b) continue;
        const young = forest.merge(a, b);
        const imageDeath = comp.merge(comp.find(s1), comp.find(s2));
        if (squareValue(f, young) !== e.value) byImageDeath.set(imageDeath, { birthPixel: edgeCritical(f, e), deathPixel: squareCritical(f, young) });
      }
      return byImageDeath;
    });
    const comp = dual(fc);
    const matched: [string, string][] = [];
    const used = [new Set<RefPair>(), new Set<RefPair>()];
    for (const e of edgesOf(fc).reverse()) {
      const [s1, s2] = dualEndsOf(e);
      const a = comp.find(s1);
      const b = comp.find(s2);
      if (a === b) continue;
      const young = comp.merge(a, b);
      const p0 = keyed[0]?.get(young);
      const p1 = keyed[1]?.get(young);
      if (squareValue(fc, young) !== e.value && p0 !== undefined && p1 !== undefined) {
        matched.push([text(p0), text(p1)]);
        used[0]?.add(p0);
        used[1]?.add(p1);
      }
    }
    const unmatched = keyed.map((m, k) => [...m.values()].filter((p) => !used[k]?.has(p)).map(text));
    dims.push({ matched, unmatched0: unmatched[0] as string[], unmatched1: unmatched[1] as string[] });
  }
  return { dims };
}
