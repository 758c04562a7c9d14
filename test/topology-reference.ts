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
  const lowOwner = new Map<number, number>();
  const paired = new Set<number>();
  const pairs: ReferencePair[] = [];
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
    const b = cells.get(keys[low] as string) as Cell;
    const d = cells.get(keys[j] as string) as Cell;
    if (b.value !== d.value) pairs.push({ dim: b.dim, birth: b.value, death: d.value, birthPixel: b.pixel, deathPixel: d.pixel });
  }
  keys.forEach((k, i) => {
    if (paired.has(i)) return;
    const cell = cells.get(k) as Cell;
    pairs.push({ dim: cell.dim, birth: cell.value, death: Infinity, birthPixel: cell.pixel, deathPixel: null });
  });
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
