import * as tf from '@tensorflow/tfjs-core';
import { checkNumber } from '../_shared/validate.js';

/** Reads the `chunkSize` option: undefined (one block) or an integer >= 1. */
export function readChunkSize(fn: string, value: unknown): number | undefined {
  return value === undefined ? undefined : checkNumber(fn, 'chunkSize', value, { integer: true, min: 1 });
}

/** The row ranges [r0, r1) of blocks of `chunkSize` rows covering 0..n−1 (one block without it). */
export function rowBlocks(n: number, chunkSize: number | undefined): [number, number][] {
  const size = chunkSize === undefined ? n : Math.max(1, Math.min(chunkSize, n));
  const blocks: [number, number][] = [];
  for (let r0 = 0; r0 < n; r0 += size) blocks.push([r0, Math.min(n, r0 + size)]);
  return blocks;
}

/**
 * Runs `body`, which takes a gradient of its own, inside the backward pass of another gradient.
 * tfjs keeps one active tape: a gradient started while none is being recorded replaces it and
 * clears it when done, so the outer pass's tape is put back afterwards for its own clean-up.
 */
function onOwnTape<T>(body: () => T): T {
  const engine = tf.engine();
  const outer = engine.state.activeTape;
  try {
    return body();
  } finally {
    engine.state.activeTape = outer;
  }
}

/**
 * Per-row statistics `[n, K]` of the rows of a batch, computed by `block(x, r0, r1)` (the `[r1 − r0, K]`
 * rows r0..r1−1, from the whole input `x`) one block of `chunkSize` rows at a time.
 *
 * Without `chunkSize` (or when one block covers every row) this is `block(x, 0, n)` on the ordinary
 * gradient tape. With it, the blocks are checkpointed: the forward pass keeps only their `[b, K]`
 * results, and the backward pass recomputes each block, takes its gradient and frees it before the
 * next, so at most one block's intermediates (for pair losses, a few `[chunkSize, n]` matrices) are
 * alive at a time, in the forward and in the backward pass. The value and gradient equal the
 * unchunked ones up to float32 rounding; the price is one more forward pass of each block. The
 * gradient of a chunked call cannot itself be differentiated again.
 *
 * `block` must be a pure function of `x` and of the row range.
 */
export function blockwiseRows(x: tf.Tensor2D, n: number, chunkSize: number | undefined, block: (x: tf.Tensor2D, r0: number, r1: number) => tf.Tensor2D): tf.Tensor2D {
  const blocks = rowBlocks(n, chunkSize);
  if (blocks.length <= 1) return block(x, 0, n);
  const checkpointed = tf.customGrad((input, save) => {
    const all = input as tf.Tensor2D;
    (save as tf.GradSaveFunc)([all]);
    const parts = blocks.map(([r0, r1]) => tf.tidy(() => block(all, r0, r1)));
    const value = tf.concat(parts, 0);
    tf.dispose(parts);
    return {
      value,
      gradFunc: (dy, saved) => {
        const kept = (saved as tf.Tensor[])[0] as tf.Tensor2D;
        const upstream = dy as tf.Tensor2D;
        const k = upstream.shape[1];
        let total: tf.Tensor = tf.zerosLike(kept);
        for (const [r0, r1] of blocks) {
          const next = tf.tidy(() => {
            const dyBlock = tf.slice(upstream, [r0, 0], [r1 - r0, k]);
            // A block may hold no tuple that depends on x (the gradient is then 0): allowNoGradients.
            const { grads } = onOwnTape(() => tf.engine().gradients(() => block(kept, r0, r1), [kept], dyBlock, true));
            const g = grads[0];
            return g === null || g === undefined ? tf.clone(total) : tf.add(total, g);
          });
          total.dispose();
          total = next;
        }
        return total;
      },
    };
  });
  return checkpointed(x) as tf.Tensor2D;
}
