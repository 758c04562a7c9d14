import * as tf from '@tensorflow/tfjs-core';
import { fail, formatValue } from './errors.js';
import { checkNumber } from './validate.js';

/** A generator of uniform draws in [0, 1). */
export type Uniform = () => number;

/** The largest seed: seeds are unsigned 32-bit integers. */
export const MAX_SEED = 4294967295;

/**
 * A seeded uniform generator in [0, 1) (mulberry32: a 32-bit counter advanced by a fixed odd
 * constant, hashed to the output). Same seed, same sequence, on every platform.
 */
export function seededUniform(seed: number): Uniform {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `n` standard normal draws by Box–Muller, each from two consecutive uniforms u1, u2:
 *
 *     ε = sqrt(−2 log(1 − u1)) · cos(2π u2)
 *
 * (1 − u1 lies in (0, 1], so the log is finite).
 */
export function standardNormals(random: Uniform, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u1 = random();
    const u2 = random();
    out[i] = Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
  }
  return out;
}

/** Throws unless `seed` is an integer in [0, 2^32 − 1]. */
export function checkSeed(fn: string, name: string, seed: unknown): number {
  return checkNumber(fn, name, seed, { integer: true, min: 0, max: MAX_SEED });
}

/**
 * Reads caller-supplied standard normal draws (an array, typed array or tensor) for a loss that
 * would otherwise sample them: exactly `n` finite numbers.
 */
export function readNormals(fn: string, name: string, value: unknown, n: number): Float64Array {
  let list: ArrayLike<unknown>;
  if (value instanceof tf.Tensor) list = value.dataSync();
  else if (Array.isArray(value) || ArrayBuffer.isView(value)) list = value as unknown as ArrayLike<unknown>;
  else return fail(fn, `\`${name}\``, `be an array of ${n} numbers`, formatValue(value));
  if (list.length !== n) fail(fn, `\`${name}\``, `hold one draw per sample (${n})`, `${list.length} values`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = list[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(fn, `every value of \`${name}\``, 'be a finite number', `${formatValue(v)} at index ${i}`);
    out[i] = v;
  }
  return out;
}
