import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose, expectFinite, leakedTensors, numericGradient, rng, values } from '../../../test/helpers.js';
import { warpingLoss } from './warpingLoss.js';

// Float64 reference written from the definitions, sharing nothing with the loss: a pixel is simple
// when flipping it changes neither the number of 4-connected foreground components nor the number
// of 8-connected background components of the image (the global statement of the local criterion),
// distances are brute force.
type Mask = number[][];

function components(mask: Mask, value: number, eight: boolean): number {
  const h = mask.length;
  const w = mask[0]!.length;
  const seen = mask.map((row) => row.map(() => false));
  const steps = eight ? [[-1, -1], [-1, 0], [-1, 1], [0, -1], [0, 1], [1, -1], [1, 0], [1, 1]] : [[-1, 0], [1, 0], [0, -1], [0, 1]];
  let count = 0;
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      if (mask[r]![c] !== value || seen[r]![c]) continue;
      count++;
      const stack = [[r, c]];
      seen[r]![c] = true;
      while (stack.length) {
        const [y, x] = stack.pop()!;
        for (const [dy, dx] of steps) {
          const [v, u] = [y! + dy!, x! + dx!];
          if (v >= 0 && u >= 0 && v < h && u < w && mask[v]![u] === value && !seen[v]![u]) {
            seen[v]![u] = true;
            stack.push([v, u]);
          }
        }
      }
    }
  }
  return count;
}

function simple(mask: Mask, r: number, c: number): boolean {
  if (r === 0 || c === 0 || r === mask.length - 1 || c === mask[0]!.length - 1) return false;
  const flipped = mask.map((row) => row.slice());
  flipped[r]![c] = 1 - flipped[r]![c]!;
  return components(mask, 1, false) === components(flipped, 1, false) && components(mask, 0, true) === components(flipped, 0, true);
}

function distanceTo(mask: Mask, value: number, r: number, c: number): number {
  let best = Infinity;
  mask.forEach((row, i) => { row.forEach((v, j) => { if (v === value) best = Math.min(best, Math.hypot(r - i, c - j)); }); });
  return best;
}

function warp(source: Mask, goal: Mask): Mask {
  const out = source.map((row) => row.slice());
  const flipIn = (cands: [number, number, number][]) => {
    cands.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
    for (const [, r, c] of cands) if (simple(out, r, c)) out[r]![c] = 1 - out[r]![c]!;
  };
  const shrink: [number, number, number][] = [];
  const grow: [number, number, number][] = [];
  source.forEach((row, r) => { row.forEach((v, c) => {
    if (v === 1 && goal[r]![c] === 0) shrink.push([distanceTo(source, 0, r, c), r, c]);
    if (v === 0 && goal[r]![c] === 1) grow.push([distanceTo(source, 1, r, c), r, c]);
  }); });
  flipIn(shrink);
  flipIn(grow);
  return out;
}

function critical(pred: Mask, target: Mask): Mask {
  const tw = warp(target, pred);
  const pw = warp(pred, target);
  return pred.map((row, r) => row.map((v, c) => (v !== tw[r]![c] || target[r]![c] !== pw[r]![c] ? 1 : 0)));
}

const clip = (p: number) => Math.min(1 - 1e-7, Math.max(1e-7, p));
function reference(y: Mask[], p: number[][][], o: { lambda?: number; diceWeight?: number; pixelLoss?: 'ce' | 'mse'; threshold?: number; masks?: Mask[] } = {}): number[] {
  const { lambda = 0.1, diceWeight = 1, pixelLoss = 'ce', threshold = 0.5 } = o;
  return y.map((target, n) => {
    const probs = p[n]!;
    const m = o.masks?.[n] ?? critical(probs.map((row) => row.map((v) => (v > threshold ? 1 : 0))), target);
    let warpTerm = 0;
    let inter = [0, 0];
    let sp = [0, 0];
    let sy = [0, 0];
    target.forEach((row, r) => { row.forEach((t, c) => {
      const q = probs[r]![c]!;
      if (m[r]![c]) warpTerm += pixelLoss === 'ce' ? -(t * Math.log(clip(q)) + (1 - t) * Math.log(1 - clip(q))) : (q - t) ** 2;
      inter = [inter[0]! + (1 - q) * (1 - t), inter[1]! + q * t];
      sp = [sp[0]! + 1 - q, sp[1]! + q];
      sy = [sy[0]! + 1 - t, sy[1]! + t];
    }); });
    const dice = [0, 1].map((k) => (2 * inter[k]! + 1e-5) / (sp[k]! + sy[k]! + 1e-5));
    return (lambda * warpTerm) / (target.length * target[0]!.length) + diceWeight * (1 - (dice[0]! + dice[1]!) / 2);
  });
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Random target blobs and lines, and a prediction that mostly follows it with topological slips. */
function randomPair(r: () => number, h: number, w: number): [Mask, number[][]] {
  const y: Mask = Array.from({ length: h }, () => Array.from({ length: w }, () => 0));
  for (let k = 0; k < 3; k++) {
    const row = 1 + Math.floor(r() * (h - 2));
    for (let c = Math.floor(r() * 3); c < w - Math.floor(r() * 3); c++) y[row]![c] = 1;
    const col = 1 + Math.floor(r() * (w - 2));
    for (let i = Math.floor(r() * 3); i < h - Math.floor(r() * 3); i++) y[i]![col] = 1;
  }
  const p = y.map((row) => row.map((v) => {
    const flip = r() < 0.12;
    const hard = flip ? 1 - v : v;
    return hard ? 0.55 + 0.4 * r() : 0.05 + 0.4 * r();
  }));
  return [y, p];
}

const LINE: Mask = [[0, 0, 0, 0, 0], [1, 1, 1, 1, 1], [0, 0, 0, 0, 0]];
const BROKEN = [[0.1, 0.1, 0.1, 0.1, 0.1], [0.9, 0.9, 0.2, 0.9, 0.9], [0.1, 0.1, 0.1, 0.1, 0.1]];

describe('warpingLoss(yTrue, yPred, options)', () => {
  it('finds the gap of a broken line critical, and a thickened line not (spec: CE on the critical pixels)', () => {
    expectClose(warpingLoss([LINE], [BROKEN], { diceWeight: 0, lambda: 1 }).dataSync()[0]!, -Math.log(0.2) / 15, 1e-5);
    // Thicker prediction: the extra pixels are simple, only Dice sees them.
    const line5 = [[0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [1, 1, 1, 1, 1], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]];
    const thick = line5.map((row, r) => row.map((v, c) => (v || (r === 1 && c === 1) || (r === 3 && c >= 2 && c <= 3) ? 0.9 : 0.1)));
    expectClose(warpingLoss([line5], [thick], { diceWeight: 0, lambda: 1 }).dataSync()[0]!, 0, 0, 1e-7);
    // Both terms, TopoMortar weights: (1 − two-channel Dice) + 0.1·CE on the gap.
    expectClose(warpingLoss([LINE], [BROKEN]).dataSync()[0]!, reference([LINE], [BROKEN])[0]!, 1e-5);
  });

  it('keeps a missed two-pixel component critical (the official patch test would erase it)', () => {
    const y: Mask = [[0, 0, 0, 0, 0], [0, 1, 1, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]];
    const p = [[0.1, 0.1, 0.1, 0.1, 0.1], [0.1, 0.3, 0.4, 0.1, 0.1], [0.1, 0.1, 0.1, 0.1, 0.1], [0.1, 0.1, 0.1, 0.1, 0.1]];
    // Warping the target toward the empty prediction removes one pixel, the last one stays.
    const value = warpingLoss([y], [p], { diceWeight: 0, lambda: 1 }).dataSync()[0]!;
    expect(value).toBeGreaterThan(0);
    expectClose(value, reference([y], [p], { diceWeight: 0, lambda: 1 })[0]!, 1e-5);
  });

  it('matches the float64 reference on random masks (critical pixels and value)', () => {
    const r = rng(1);
    const pairs = Array.from({ length: 6 }, () => randomPair(r, 9, 10));
    const y = pairs.map(([t]) => t);
    const p = pairs.map(([, q]) => q);
    const got = values(warpingLoss(y, p, { lambda: 1, reduction: 'none' }));
    expectClose(got, reference(y, p, { lambda: 1 }), 1e-5);
    expectClose(values(warpingLoss(y, p, { pixelLoss: 'mse', diceWeight: 0.5, reduction: 'none' })), reference(y, p, { pixelLoss: 'mse', diceWeight: 0.5 }), 1e-5);
    // The critical term is not always empty on these inputs.
    expect(got.some((v, i) => Math.abs(v - reference([y[i]!], [p[i]!], { lambda: 0 })[0]!) > 1e-4)).toBe(true);
  });

  it('has the gradient of the float64 reference at fixed critical pixels (finite differences), from probabilities and logits', () => {
    const r = rng(2);
    const pairs = Array.from({ length: 2 }, () => randomPair(r, 6, 7));
    const y = pairs.map(([t]) => t);
    const p = pairs.map(([, q]) => q);
    const masks = y.map((t, n) => critical(p[n]!.map((row) => row.map((v) => (v > 0.5 ? 1 : 0))), t));
    const unflat = (x: number[]) => Array.from({ length: 2 }, (_, n) => Array.from({ length: 6 }, (_, i) => x.slice(n * 42 + i * 7, n * 42 + i * 7 + 7)));
    const g = tf.grad((t: tf.Tensor) => warpingLoss(y, t, { lambda: 1 }))(tf.tensor(p));
    expectClose(values(g), numericGradient((x) => mean(reference(y, unflat(x), { lambda: 1, masks })), p.flat(2)), 1e-4, 1e-7);
    const z = p.flat(2).map((v) => Math.log(v / (1 - v)));
    const gz = tf.grad((t: tf.Tensor) => warpingLoss(y, t, { fromLogits: true, pixelLoss: 'mse' }))(tf.tensor(z, [2, 6, 7]));
    const f = (x: number[]) => mean(reference(y, unflat(x.map((a) => 1 / (1 + Math.exp(-a)))), { pixelLoss: 'mse', masks }));
    expectClose(values(gz), numericGradient(f, z), 1e-4, 1e-7);
  });

  it('is the Dice term alone at a topologically correct prediction, and 0 at a perfect one', () => {
    const r = rng(3);
    const [y] = randomPair(r, 8, 8);
    const soft = y.map((row) => row.map((v) => (v ? 0.8 : 0.3)));
    expectClose(warpingLoss([y], [soft], { lambda: 5 }).dataSync()[0]!, warpingLoss([y], [soft], { lambda: 0 }).dataSync()[0]!, 1e-6);
    expectClose(warpingLoss([y], [y]).dataSync()[0]!, 0, 0, 1e-6);
  });

  it('uses the threshold for the hard prediction', () => {
    // At threshold 0.1 the gap pixel (0.2) counts as foreground: nothing is critical.
    expectClose(warpingLoss([LINE], [BROKEN], { diceWeight: 0, lambda: 1, threshold: 0.15 }).dataSync()[0]!, 0, 0, 1e-7);
  });

  it('stays finite, in value and gradient, at logits of ±1e4, empty and full targets', () => {
    const z = tf.tensor([[[1e4, -1e4, 1e4, 0], [-1e4, 1e4, -1e4, 0], [1e4, 1e4, -1e4, 2]]]);
    for (const y of [[[[1, 0, 1, 0], [0, 1, 0, 1], [1, 1, 0, 0]]], [[[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]], [[[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]]]]) {
      expectFinite(warpingLoss(y, z, { fromLogits: true }));
      expectFinite(tf.grad((t: tf.Tensor) => warpingLoss(y, t, { fromLogits: true }))(z));
    }
  });

  it("reduces by 'mean' (default), 'sum' and 'none', and weighs images", () => {
    const r = rng(4);
    const pairs = Array.from({ length: 3 }, () => randomPair(r, 7, 7));
    const y = pairs.map(([t]) => t);
    const p = pairs.map(([, q]) => q);
    const none = values(warpingLoss(y, p, { reduction: 'none' }));
    expectClose(warpingLoss(y, p, { reduction: 'sum' }).dataSync()[0]!, none[0]! + none[1]! + none[2]!, 1e-5);
    expectClose(warpingLoss(y, p).dataSync()[0]!, mean(none), 1e-5);
    expectClose(warpingLoss(y, p, { weights: [1, 0, 2] }).dataSync()[0]!, (none[0]! + 2 * none[2]!) / 3, 1e-5);
  });

  it('leaks no tensors', () => {
    const p = tf.tensor([BROKEN]);
    expect(leakedTensors(() => warpingLoss([LINE], p, { weights: [2] }))).toBe(0);
    expect(leakedTensors(() => tf.grad((t: tf.Tensor) => warpingLoss([LINE], t, { pixelLoss: 'mse' }))(p))).toBe(0);
    expect(leakedTensors(() => tf.grad((t: tf.Tensor) => warpingLoss([LINE], t, { fromLogits: true, diceWeight: 0 }))(p))).toBe(0);
    p.dispose();
  });

  it('rejects bad input with a message naming the loss, the argument, the rule and the value', () => {
    expect(() => warpingLoss([LINE], [BROKEN.map((row) => row.slice(1))])).toThrow('warpingLoss: expected `yTrue` and `yPred` to have the same shape, got [1,3,5] and [1,3,4]');
    expect(() => warpingLoss([[[[0, 1]]]], [[[[0.5, 0.5]]]])).toThrow('warpingLoss: expected `yPred` to have shape [N,H,W] or [N,H,W,1] in binary mode, got shape [1,1,1,2]');
    expect(() => warpingLoss([[[0, 0.5]]], [[[0.5, 0.5]]])).toThrow('warpingLoss: expected every value of `yTrue` to be 0 or 1 (the warps flip pixels of a hard mask), got 0.5 at flat index 1');
    expect(() => warpingLoss([LINE], [BROKEN], { lambda: -1 })).toThrow('warpingLoss: expected `lambda` to be a finite number >= 0, got -1 (number)');
    expect(() => warpingLoss([LINE], [BROKEN], { threshold: 1 })).toThrow('warpingLoss: expected `threshold` to be a finite number > 0 and < 1, got 1 (number)');
    expect(() => warpingLoss([LINE], [BROKEN], { pixelLoss: 'l1' as never })).toThrow("warpingLoss: expected `pixelLoss` to be one of 'ce' | 'mse', got \"l1\" (string)");
    expect(() => warpingLoss([LINE], [BROKEN], { mode: 'binary' } as never)).toThrow('warpingLoss: expected each option to be one of fromLogits, lambda, diceWeight, pixelLoss, threshold, reduction, weights, got `mode`');
  });
});
