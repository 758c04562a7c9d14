import type * as tf from '@tensorflow/tfjs-core';
import { fail } from './errors.js';

/**
 * Throws unless every row of a `[N, C]` target tensor is one-hot (a single 1, the rest 0), for
 * losses defined by a single true class. NaN rows fail too, as they name no class.
 */
export function checkOneHotRows(fn: string, name: string, t: tf.Tensor2D): void {
  const [n, c] = t.shape;
  const values = t.dataSync();
  for (let i = 0; i < n; i++) {
    let ones = 0;
    let ok = true;
    for (let k = 0; k < c; k++) {
      const v = values[i * c + k] as number;
      if (v === 1) ones++;
      else if (v !== 0) ok = false;
    }
    if (!ok || ones !== 1) {
      const row = Array.from(values.subarray(i * c, (i + 1) * c));
      const shown = row.length > 8 ? `[${row.slice(0, 8).join(',')},...]` : `[${row.join(',')}]`;
      fail(fn, `every row of \`${name}\``, 'be one-hot (a single 1, the rest 0) or a class index', `${shown} at row ${i}`);
    }
  }
}
