import { seededUniform, type Uniform } from '../losses/_shared/random.js';

/**
 * A generator for one purpose of one trial seed (`split`, `init`, `batches`, ...): the purpose's name
 * and the seed are hashed (FNV-1a, then a murmur3 finaliser) into the generator's own seed, so the
 * streams are independent and adding a new one never shifts the others.
 */
export function stream(seed: number, purpose: string): Uniform {
  let h = 0x811c9dc5;
  const text = `${purpose}#${seed}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return seededUniform(h >>> 0);
}

/** Shuffles `items` in place (Fisher–Yates) and returns it. */
export function shuffleInPlace<T>(items: T[], random: Uniform): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = items[i] as T;
    items[i] = items[j] as T;
    items[j] = tmp;
  }
  return items;
}
