import { fail, formatShape } from './errors.js';
import { type TensorInput, toTensor } from './to-tensor.js';

/**
 * Reads the ids that index a stateful loss's per-sample state: `[N]` (or `[N, 1]`) integers in
 * [0, numSamples), one per row of the predictions. Returns them as a plain array; a tensor built
 * here from an array input is left to the caller's `tf.tidy`.
 */
export function readSampleIds(fn: string, sampleIds: TensorInput, rows: number, predName: string, numSamples: number): Int32Array {
  const t = toTensor(fn, 'sampleIds', sampleIds);
  const isColumn = t.rank === 2 && t.shape[1] === 1;
  if (!(t.rank === 1 || isColumn) || t.shape[0] !== rows) {
    fail(fn, '`sampleIds`', `hold one id per row of \`${predName}\` (shape [${rows}])`, `shape ${formatShape(t.shape)}`);
  }
  const values = t.dataSync();
  const ids = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const v = values[i] as number;
    if (!Number.isInteger(v) || v < 0 || v >= numSamples) {
      fail(fn, 'every value of `sampleIds`', `be an integer in [0, ${numSamples - 1}]`, `${v} at index ${i}`);
    }
    ids[i] = v;
  }
  return ids;
}
