import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, rng, values } from '../../../test/helpers.js';
import { topoLoss } from './topoLoss.js';

// Float64 reference for dimension 0, sharing nothing with the loss: pixels enter from the highest
// value down; a pixel with no entered 4-neighbour starts a component (its birth pixel), one that
// touches several merges them into the eldest, the others die at it (their death pixel).
type Grid = number[][];
interface Bar { birth: number; death: number; bp: number; dp: number }

function componentBars(values: number[], h: number, w: number): Bar[] {
  const order = values.map((_, i) => i).sort((a, b) => values[b]! - values[a]! || a - b);
  const owner = new Map<number, number>(); // pixel → component id
  const births: number[] = []; // component id → birth pixel
  const alias: number[] = [];
  const root = (c: number): number => (alias[c] === c ? c : root(alias[c]!));
  const bars: Bar[] = [];
  for (const v of order) {
    const [r, c] = [Math.floor(v / w), v % w];
    const near = [[r - 1, c], [r + 1, c], [r, c - 1], [r, c + 1]]
      .filter(([y, x]) => y! >= 0 && x! >= 0 && y! < h && x! < w && owner.has(y! * w + x!))
      .map(([y, x]) => root(owner.get(y! * w + x!)!));
    const comps = [...new Set(near)];
    if (comps.length === 0) {
      births.push(v);
      alias.push(births.length - 1);
      owner.set(v, births.length - 1);
      continue;
    }
    comps.sort((a, b) => values[births[b]!]! - values[births[a]!]! || births[a]! - births[b]!);
    const eldest = comps[0]!;
    for (const young of comps.slice(1)) {
      alias[young] = eldest;
      if (values[births[young]!]! !== values[v]!) bars.push({ birth: values[births[young]!]!, death: values[v]!, bp: births[young]!, dp: v });
    }
    owner.set(v, eldest);
  }
  return bars;
}

function foregroundComponents(mask: number[], h: number, w: number): number {
  const seen = new Set<number>();
  let count = 0;
  mask.forEach((m, i) => {
    if (!m || seen.has(i)) return;
    count++;
    const stack = [i];
    seen.add(i);
    while (stack.length) {
      const v = stack.pop()!;
      const [r, c] = [Math.floor(v / w), v % w];
      for (const [y, x] of [[r - 1, c], [r + 1, c], [r, c - 1], [r, c + 1]]) {
        const u = y! * w + x!;
        if (y! >= 0 && x! >= 0 && y! < h && x! < w && mask[u] && !seen.has(u)) {
          seen.add(u);
          stack.push(u);
        }
      }
    }
  });
  return count;
}

interface Selected { fix: [number, number][]; remove: [number, number][]; unmatched: number }
type Matching = 'optimal' | 'persistence';
interface Options { lambda?: number; ceWeight?: number; patchSize?: number; thr?: number; perfect?: number; matching?: Matching; selected?: Selected[] }

/**
 * The bars each image fixes and removes, as [birth pixel, death pixel] (flat), and the count of
 * target bars left unmatched. Optimal: every subset of at most k bars matched to (1, 0) is tried.
 */
function selectedBars(y: Grid[], p: Grid[], patchSize: number, thr: number, perfect: number, matching: Matching): Selected[] {
  return y.map((target, n) => {
    const [h, w] = [target.length, target[0]!.length];
    const out: Selected = { fix: [], remove: [], unmatched: 0 };
    for (let y0 = 0; y0 < h; y0 += patchSize) {
      for (let x0 = 0; x0 < w; x0 += patchSize) {
        const [ph, pw] = [Math.min(patchSize, h - y0), Math.min(patchSize, w - x0)];
        const cells = Array.from({ length: ph * pw }, (_, i) => [y0 + Math.floor(i / pw), x0 + (i % pw)] as const);
        const lh = cells.map(([r, c]) => p[n]![r]![c]!);
        const gt = cells.map(([r, c]) => target[r]![c]!);
        const k = Math.max(0, foregroundComponents(gt, ph, pw) - 1);
        const bars = componentBars(lh, ph, pw).sort((a, b) => b.birth - b.death - (a.birth - a.death));
        const flat = (i: number) => cells[i]![0] * w + cells[i]![1];
        if (matching === 'persistence') {
          bars.forEach((bar, rank) => {
            const pers = bar.birth - bar.death;
            if (rank < k) {
              if (pers <= perfect) out.fix.push([flat(bar.bp), flat(bar.dp)]);
            } else if (pers > thr) out.remove.push([flat(bar.bp), flat(bar.dp)]);
          });
          continue;
        }
        // Brute force over the subsets of bars matched to (1, 0).
        let best = { cost: Infinity, chosen: 0 };
        for (let set = 0; set < 1 << bars.length; set++) {
          const size = bars.filter((_, i) => set & (1 << i)).length;
          if (size > k) continue;
          const cost = bars.reduce((c, b, i) => c + (set & (1 << i) ? (b.birth - 1) ** 2 + b.death ** 2 : (b.birth - b.death) ** 2 / 2), 0) + (k - size) / 2;
          if (cost < best.cost - 1e-12) best = { cost, chosen: set };
        }
        bars.forEach((bar, i) => {
          (best.chosen & (1 << i) ? out.fix : out.remove).push([flat(bar.bp), flat(bar.dp)]);
        });
        out.unmatched += k - bars.filter((_, i) => best.chosen & (1 << i)).length;
      }
    }
    return out;
  });
}

const clip = (v: number) => Math.min(1 - 1e-7, Math.max(1e-7, v));
function reference(y: Grid[], p: Grid[], o: Options = {}): number[] {
  const { lambda = 1, ceWeight = 1, patchSize = 50, thr = 0.03, perfect = 0.99, matching = 'optimal' } = o;
  const selected = o.selected ?? selectedBars(y, p, patchSize, thr, perfect, matching);
  const diagonal = matching === 'optimal' ? 0.5 : 1;
  return y.map((target, n) => {
    const flat = p[n]!.flat();
    const hw = flat.length;
    let topo = 0;
    for (const [b, d] of selected[n]!.fix) topo += (flat[b]! - 1) ** 2 + flat[d]! ** 2;
    for (const [b, d] of selected[n]!.remove) topo += diagonal * (flat[b]! - flat[d]!) ** 2;
    topo += selected[n]!.unmatched / 2;
    const ce = target.flat().reduce((s, t, i) => {
      const q = clip(flat[i]!);
      return s - (t * Math.log(q) + (1 - t) * Math.log(1 - q));
    }, 0);
    return (ceWeight * ce) / hw + (lambda * topo) / hw;
  });
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Blobs in the target, and a prediction with distinct values that follows it loosely. */
function randomPair(r: () => number, h: number, w: number): [Grid, Grid] {
  const y = Array.from({ length: h }, () => Array.from({ length: w }, () => 0));
  for (let k = 0; k < 3; k++) {
    const [r0, c0] = [Math.floor(r() * (h - 2)), Math.floor(r() * (w - 2))];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2 + Math.floor(r() * 2); j++) if (c0 + j < w) y[r0 + i]![c0 + j] = 1;
  }
  const p = y.map((row) => row.map((v) => (v ? 0.35 + 0.6 * r() : 0.02 + 0.6 * r())));
  return [y, p];
}

describe('topoLoss(yTrue, yPred, options)', () => {
  it("removes, fixes and leaves perfect bars as the spec describes ('persistence' matching, the official heuristic)", () => {
    const p = [[[0.9, 0.2, 0.6, 0.1, 0.05]]];
    const o = { ceWeight: 0, lambda: 1, matching: 'persistence' as const };
    // One true component: the bar (0.6, 0.2) goes onto the diagonal, each end to the other's value.
    expectClose(topoLoss([[[1, 1, 1, 0, 0]]], p, o).dataSync()[0]!, 0.4 ** 2 / 5, 1e-6);
    // Two true components: it is fixed, birth pixel → 1 and death pixel → 0.
    expectClose(topoLoss([[[1, 0, 1, 0, 0]]], p, o).dataSync()[0]!, (0.4 ** 2 + 0.2 ** 2) / 5, 1e-6);
    // A perfect bar (persistence 1 > 0.99) is not fixed; a short one (<= 0.03) not removed.
    expectClose(topoLoss([[[1, 0, 1]]], [[[1, 0, 1]]], o).dataSync()[0]!, 0, 0, 1e-7);
    expectClose(topoLoss([[[1, 1, 1]]], [[[0.9, 0.58, 0.6]]], o).dataSync()[0]!, 0, 0, 1e-7);
    // A weak bar is fixed because it is among the k longest, however weak.
    expectClose(topoLoss([[[1, 0, 1]]], [[[0.9, 0.2, 0.3]]], o).dataSync()[0]!, (0.7 ** 2 + 0.2 ** 2) / 3, 1e-6);
  });

  it('pairs the bars by the optimal matching by default (the paper), unmatched target bars costing ½', () => {
    const p = [[[0.9, 0.2, 0.6, 0.1, 0.05]]];
    const o = { ceWeight: 0, lambda: 1 };
    expectClose(topoLoss([[[1, 1, 1, 0, 0]]], p, o).dataSync()[0]!, (0.5 * 0.4 ** 2) / 5, 1e-6);
    expectClose(topoLoss([[[1, 0, 1, 0, 0]]], p, o).dataSync()[0]!, (0.4 ** 2 + 0.2 ** 2) / 5, 1e-6);
    // The weak bar (0.3, 0.2) is cheaper on the diagonal (0.005) plus an unmatched target bar (0.5)
    // than matched to (1, 0) (0.53).
    expectClose(topoLoss([[[1, 0, 1]]], [[[0.9, 0.2, 0.3]]], o).dataSync()[0]!, (0.5 * 0.1 ** 2 + 0.5) / 3, 1e-6);
    // A prediction equal to the binary target costs nothing; TopoMortar weights: CE + 100·term.
    expectClose(topoLoss([[[1, 0, 1]]], [[[1, 0, 1]]], o).dataSync()[0]!, 0, 0, 1e-7);
    expectClose(topoLoss([[[1, 1, 1, 0, 0]]], p, { lambda: 100 }).dataSync()[0]!, reference([[[1, 1, 1, 0, 0]]], p, { lambda: 100 })[0]!, 1e-5);
    expectClose(topoLoss([[[1, 1, 1, 0, 0]]], p).dataSync()[0]!, reference([[[1, 1, 1, 0, 0]]], p)[0]!, 1e-5);
  });

  it('matches the float64 reference on random images, whole and in patches', () => {
    const r = rng(1);
    const pairs = Array.from({ length: 4 }, () => randomPair(r, 9, 10));
    const y = pairs.map(([t]) => t);
    const p = pairs.map(([, q]) => q);
    for (const matching of ['optimal', 'persistence'] as const) {
      for (const patchSize of [50, 4, 5]) {
        const got = values(topoLoss(y, p, { patchSize, matching, lambda: 100, reduction: 'none' }));
        expectClose(got, reference(y, p, { patchSize, matching, lambda: 100 }), 1e-5);
        // The topological term is not empty on these inputs.
        expect(got.some((v, i) => Math.abs(v - reference([y[i]!], [p[i]!], { patchSize, lambda: 0 })[0]!) > 1e-3)).toBe(true);
      }
    }
    const o = { lambda: 3, ceWeight: 0.2, persistenceThreshold: 0.1, perfectThreshold: 0.5, matching: 'persistence' as const };
    expectClose(values(topoLoss(y, p, { ...o, reduction: 'none' })), reference(y, p, { lambda: 3, ceWeight: 0.2, thr: 0.1, perfect: 0.5, matching: 'persistence' }), 1e-5);
  });

  it('has the gradient of the float64 reference at fixed critical pixels (finite differences), from probabilities and logits', () => {
    const r = rng(2);
    const pairs = Array.from({ length: 2 }, () => randomPair(r, 6, 7));
    const y = pairs.map(([t]) => t);
    const p = pairs.map(([, q]) => q);
    const selected = selectedBars(y, p, 50, 0.03, 0.99, 'optimal');
    const unflat = (x: number[]) => Array.from({ length: 2 }, (_, n) => Array.from({ length: 6 }, (_, i) => x.slice(n * 42 + i * 7, n * 42 + i * 7 + 7)));
    const g = tf.grad((t: tf.Tensor) => topoLoss(y, t, { lambda: 2 }))(tf.tensor(p));
    expectClose(values(g), numericGradient((x) => mean(reference(y, unflat(x), { lambda: 2, selected })), p.flat(2)), 1e-4, 1e-7);
    const z = p.flat(2).map((v) => Math.log(v / (1 - v)));
    const gz = tf.grad((t: tf.Tensor) => topoLoss(y, t, { fromLogits: true, lambda: 100 }))(tf.tensor(z, [2, 6, 7]));
    expectClose(values(gz), numericGradient((x) => mean(reference(y, unflat(x.map((a) => 1 / (1 + Math.exp(-a)))), { selected, lambda: 100 })), z), 1e-4, 1e-7);
    const official = selectedBars(y, p, 50, 0.03, 0.99, 'persistence');
    const gp = tf.grad((t: tf.Tensor) => topoLoss(y, t, { matching: 'persistence' }))(tf.tensor(p));
    expectClose(values(gp), numericGradient((x) => mean(reference(y, unflat(x), { matching: 'persistence', selected: official })), p.flat(2)), 1e-4, 1e-7);
  });

  it('removes a spurious hole with dimensions [0, 1] and ignores it with the default [0]', () => {
    // A ring of 0.9 around a centre of 0.3: a hole born at 0.9, dying at 0.3; the target is a filled square.
    const y = [[[0, 0, 0, 0, 0], [0, 1, 1, 1, 0], [0, 1, 1, 1, 0], [0, 1, 1, 1, 0], [0, 0, 0, 0, 0]]];
    const p = [y[0]!.map((row, r) => row.map((v, c) => (r === 2 && c === 2 ? 0.3 : v ? 0.9 : 0.1)))];
    const o = { ceWeight: 0, lambda: 1 };
    expectClose(topoLoss(y, p, o).dataSync()[0]!, 0, 0, 1e-7);
    expectClose(topoLoss(y, p, { ...o, dimensions: [0, 1] }).dataSync()[0]!, (0.5 * 0.6 ** 2) / 25, 1e-6);
    expectClose(topoLoss(y, p, { ...o, dimensions: [1] }).dataSync()[0]!, (0.5 * 0.6 ** 2) / 25, 1e-6);
    // Its gradient reaches the centre (pushed up) and one ring pixel (pushed down) only.
    const g = values(tf.grad((t: tf.Tensor) => topoLoss(y, t, { ...o, dimensions: [1] }))(tf.tensor(p)));
    expect(g.filter((v) => v !== 0)).toHaveLength(2);
    expect(g[12]).toBeLessThan(0);
  });

  it("is the cross-entropy alone, with 'persistence' matching, when the prediction has the target topology with near-perfect bars", () => {
    const y = [[[1, 1, 0, 0, 1], [1, 1, 0, 0, 1]]];
    const p = [[[0.999, 0.998, 0.004, 0.001, 0.997], [0.996, 0.9995, 0.003, 0.002, 0.9985]]];
    expectClose(topoLoss(y, p, { matching: 'persistence', lambda: 100 }).dataSync()[0]!, topoLoss(y, p, { lambda: 0 }).dataSync()[0]!, 1e-6);
    // The optimal matching still pulls the bar (0.9985, 0.002) to (1, 0), and the tiny bar
    // (0.999, 0.998) of the corner pixel, joined diagonally only, onto the diagonal.
    expectClose(topoLoss(y, p, { ceWeight: 0, lambda: 1 }).dataSync()[0]!, (0.0015 ** 2 + 0.002 ** 2 + 0.5 * 0.001 ** 2) / 10, 1e-3, 0);
    // With softer values the second component's bar (0.9, 0.05) is fixed: birth → 1, death → 0.
    const weak = [[[0.8, 0.7, 0.1, 0.05, 0.9], [0.9, 0.6, 0.3, 0.02, 0.7]]];
    expectClose(topoLoss(y, weak, { ceWeight: 0, lambda: 1 }).dataSync()[0]!, (0.1 ** 2 + 0.05 ** 2) / 10, 1e-6);
  });

  it('stays finite, in value and gradient, at logits of ±1e4, empty and full targets', () => {
    const z = tf.tensor([[[1e4, -1e4, 1e4, 0], [-1e4, 1e4, -1e4, 0], [1e4, 1e4, -1e4, 2]]]);
    for (const y of [[[[1, 0, 1, 0], [0, 1, 0, 1], [1, 1, 0, 0]]], [[[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]], [[[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]]]]) {
      expectFinite(topoLoss(y, z, { fromLogits: true, dimensions: [0, 1] }));
      expectFinite(tf.grad((t: tf.Tensor) => topoLoss(y, t, { fromLogits: true, dimensions: [0, 1] }))(z));
    }
  });

  it("reduces by 'mean' (default), 'sum' and 'none', and weighs images", () => {
    const r = rng(4);
    const pairs = Array.from({ length: 3 }, () => randomPair(r, 6, 6));
    const y = pairs.map(([t]) => t);
    const p = pairs.map(([, q]) => q);
    const none = values(topoLoss(y, p, { reduction: 'none' }));
    expectClose(topoLoss(y, p, { reduction: 'sum' }).dataSync()[0]!, none[0]! + none[1]! + none[2]!, 1e-5);
    expectClose(topoLoss(y, p).dataSync()[0]!, mean(none), 1e-5);
    expectClose(topoLoss(y, p, { weights: [1, 0, 2] }).dataSync()[0]!, (none[0]! + 2 * none[2]!) / 3, 1e-5);
  });

  it('leaks no tensors', () => {
    const p = tf.tensor([[[0.9, 0.2, 0.6, 0.1, 0.05]]]);
    const y = [[[1, 1, 1, 0, 0]]];
    expect(leakedTensors(() => topoLoss(y, p, { weights: [2], dimensions: [0, 1] }))).toBe(0);
    expect(leakedTensors(() => tf.grad((t: tf.Tensor) => topoLoss(y, t))(p))).toBe(0);
    expect(leakedTensors(() => tf.grad((t: tf.Tensor) => topoLoss(y, t, { fromLogits: true }))(p))).toBe(0);
    p.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    const y = [[[1, 1, 1, 0, 0]]];
    const p = [[[0.9, 0.2, 0.6, 0.1, 0.05]]];
    expect(() => topoLoss(y, [[[0.9, 0.2, 0.6, 0.1]]])).toThrow('topoLoss: expected `yTrue` and `yPred` to have the same shape, got [1,1,5] and [1,1,4]');
    expect(() => topoLoss([[[[0, 1]]]], [[[[0.5, 0.5]]]])).toThrow('topoLoss: expected `yPred` to have shape [N,H,W] or [N,H,W,1] in binary mode, got shape [1,1,1,2]');
    expect(() => topoLoss([[[0, 0.5]]], [[[0.5, 0.5]]])).toThrow('topoLoss: expected every value of `yTrue` to be 0 or 1 (its barcode is compared with the prediction’s), got 0.5 at flat index 1');
    expect(() => topoLoss(y, p, { dimensions: [2] })).toThrow('topoLoss: expected `dimensions` to be a non-empty list of distinct dimensions from [0, 1], got [2] (array)');
    expect(() => topoLoss(y, p, { patchSize: 1 })).toThrow('topoLoss: expected `patchSize` to be an integer >= 2, got 1 (number)');
    expect(() => topoLoss(y, p, { matching: 'greedy' as never })).toThrow("topoLoss: expected `matching` to be one of 'optimal' | 'persistence', got \"greedy\" (string)");
    expect(() => topoLoss(y, p, { persistenceThreshold: 2 })).toThrow('topoLoss: expected `persistenceThreshold` to be a finite number >= 0 and <= 1, got 2 (number)');
    expect(() => topoLoss(y, p, { topoSize: 50 } as never)).toThrow(
      'topoLoss: expected each option to be one of fromLogits, lambda, ceWeight, patchSize, dimensions, matching, persistenceThreshold, perfectThreshold, reduction, weights, got `topoSize`',
    );
  });
});
