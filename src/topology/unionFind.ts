/**
 * Union–find over integer nodes with a birth rank per node, path compression and no union by
 * rank, as in the official Betti matching code: the root of a set is always its eldest node, so
 * the node returned by {@link UnionFind.link} is the birth of the class that dies.
 *
 * - `'primal'` (components of sublevel sets): the elder is the lower birth, ties to the lower index.
 * - `'dual'` (components of the complement, traversed from the top): the elder is the higher birth,
 *   ties to the higher index.
 */
export class UnionFind {
  readonly parent: Int32Array;
  readonly birth: Int32Array;
  private readonly dual: boolean;

  constructor(birth: Int32Array, kind: 'primal' | 'dual') {
    this.birth = birth;
    this.dual = kind === 'dual';
    this.parent = new Int32Array(birth.length);
    this.reset();
  }

  /** Every node its own set again. */
  reset(): void {
    const { parent } = this;
    for (let i = 0; i < parent.length; i++) parent[i] = i;
  }

  /** The root of x's set; every node on the way is pointed at it. */
  find(x: number): number {
    const { parent } = this;
    let root = x;
    let next = parent[root] as number;
    while (next !== root) {
      root = next;
      next = parent[root] as number;
    }
    while (x !== root) {
      next = parent[x] as number;
      parent[x] = root;
      x = next;
    }
    return root;
  }

  /** Merges the sets of two distinct roots under the elder; returns the younger root. */
  link(x: number, y: number): number {
    const younger = this.dual ? dualYounger(this.birth, x, y) : primalYounger(this.birth, x, y);
    if (younger === x) this.parent[x] = y;
    else this.parent[y] = x;
    return younger;
  }
}

/** Of two nodes, the one that dies in a primal merge: the higher birth, ties to the higher index. */
export function primalYounger(birth: Int32Array, x: number, y: number): number {
  const bx = birth[x] as number;
  const by = birth[y] as number;
  return bx > by || (bx === by && x > y) ? x : y;
}

/** Of two nodes, the one that dies in a dual merge: the lower birth, ties to the lower index. */
export function dualYounger(birth: Int32Array, x: number, y: number): number {
  const bx = birth[x] as number;
  const by = birth[y] as number;
  return bx < by || (bx === by && x < y) ? x : y;
}
