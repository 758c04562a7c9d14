import { describe, expect, it } from 'vitest';
import { UnionFind } from './unionFind.js';

describe('UnionFind', () => {
  it('primal: the lower birth survives a merge, ties to the lower index', () => {
    const uf = new UnionFind(Int32Array.of(3, 1, 1, 0), 'primal');
    expect(uf.link(0, 1)).toBe(0); // births 3 vs 1: node 0 dies
    expect(uf.find(0)).toBe(1);
    expect(uf.link(2, 1)).toBe(2); // tie: the higher index dies
    expect(uf.link(uf.find(0), 3)).toBe(1);
    expect([0, 1, 2, 3].map((x) => uf.find(x))).toEqual([3, 3, 3, 3]);
  });

  it('dual: the higher birth survives a merge, ties to the higher index', () => {
    const uf = new UnionFind(Int32Array.of(3, 1, 1, 9), 'dual');
    expect(uf.link(1, 2)).toBe(1); // tie: the lower index dies
    expect(uf.link(0, 2)).toBe(2); // births 3 vs 1: node 2 dies
    expect(uf.find(1)).toBe(0);
    expect(uf.link(0, 3)).toBe(0);
    expect([0, 1, 2, 3].map((x) => uf.find(x))).toEqual([3, 3, 3, 3]);
  });

  it('compresses paths and resets', () => {
    const uf = new UnionFind(Int32Array.of(0, 1, 2, 3, 4), 'primal');
    uf.link(3, 4);
    uf.link(2, 3);
    uf.link(1, 2);
    uf.link(0, 1);
    expect(Array.from(uf.parent)).toEqual([0, 0, 1, 2, 3]);
    expect(uf.find(4)).toBe(0);
    expect(Array.from(uf.parent)).toEqual([0, 0, 0, 0, 0]);
    uf.reset();
    expect(Array.from(uf.parent)).toEqual([0, 1, 2, 3, 4]);
  });
});
