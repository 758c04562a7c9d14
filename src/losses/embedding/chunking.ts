import * as tf from '@tensorflow/tfjs-core';
import { checkNumber } from '../_shared/validate.js';

/** Reads the `chunkSize` option: undefined (one block) or an integer >= 1. */
export function readChunkSize(fn: string, value: unknown): number | undefined {
  return value === undefined ? undefined : checkNumber(fn, 'chunkSize', value, { integer: true, min: 1 });
}

/**
 * Elements one `[chunkSize, ·]` intermediate of a block may hold when no `chunkSize` is given:
 * 2^24 (64 MiB of float32). A pair loss keeps a few `[chunkSize, N]` matrices per block, so batches of
 * up to 4096 rows run as one block, as they always did, and larger ones are chunked.
 */
export const AUTO_CHUNK_ELEMENTS = 2 ** 24;

/**
 * The rows per block when the caller gave no `chunkSize`: all `n` rows when one row's intermediates
 * (`elementsPerRow`: N for a `[b, N]` pair matrix, N² for a `[b, N, N]` triplet tensor) fit
 * {@link AUTO_CHUNK_ELEMENTS} `n` times, else the largest multiple of 8 rows (at least 1) that fits.
 */
export function autoChunkSize(n: number, elementsPerRow: number): number | undefined {
  const rows = Math.floor(AUTO_CHUNK_ELEMENTS / Math.max(1, elementsPerRow));
  if (rows >= n) return undefined;
  return rows >= 8 ? rows - (rows % 8) : Math.max(1, rows);
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

/**
 * Per-row statistics `[n, K]` of a pair loss, computed by `block(rows, right, r0, r1)` from the rows
 * r0..r1−1 of `left` (`[r1 − r0, W]`) and the whole `right` (`[M, W]`): the two operands of the loss's
 * pairwise matrix (see `pairwiseOperand`), built once for the batch. Chunked like
 * {@link blockwiseRows}, with the same value, gradient and memory bound; the difference is that the
 * work on whole operands (the squared norms, the augmented rows and their gradients, O(N·W)) is done
 * once instead of once per block, and each block's gradient with respect to its own rows is
 * `[r1 − r0, W]`, concatenated at the end, instead of an `[N, W]` scatter per block.
 *
 * `left` and `right` may be one tensor (the embeddings themselves, for a similarity).
 */
export function blockwisePairRows(
  left: tf.Tensor2D,
  right: tf.Tensor2D,
  n: number,
  chunkSize: number | undefined,
  block: (rows: tf.Tensor2D, right: tf.Tensor2D, r0: number, r1: number) => tf.Tensor2D,
): tf.Tensor2D {
  const blocks = rowBlocks(n, chunkSize);
  if (blocks.length <= 1) return block(left, right, 0, n);
  const width = left.shape[1];
  const rowsOf = (all: tf.Tensor2D, r0: number, r1: number) => tf.slice(all, [r0, 0], [r1 - r0, width]) as tf.Tensor2D;
  const checkpointed = tf.customGrad((a, b, save) => {
    const leftAll = a as tf.Tensor2D;
    const rightAll = b as tf.Tensor2D;
    (save as tf.GradSaveFunc)([leftAll, rightAll]);
    const parts = blocks.map(([r0, r1]) => tf.tidy(() => block(rowsOf(leftAll, r0, r1), rightAll, r0, r1)));
    const value = tf.concat(parts, 0);
    tf.dispose(parts);
    return {
      value,
      gradFunc: (dy, saved) => {
        const [keptLeft, keptRight] = saved as [tf.Tensor2D, tf.Tensor2D];
        const upstream = dy as tf.Tensor2D;
        const k = upstream.shape[1];
        const rowGrads: tf.Tensor[] = [];
        let rightGrad: tf.Tensor = tf.zerosLike(keptRight);
        for (const [r0, r1] of blocks) {
          const [rowGrad, nextRight] = tf.tidy(() => {
            const dyBlock = tf.slice(upstream, [r0, 0], [r1 - r0, k]);
            const rows = rowsOf(keptLeft, r0, r1);
            // A block may hold no tuple that depends on its rows (the gradient is then 0): allowNoGradients.
            const { grads } = onOwnTape(() => tf.engine().gradients(() => block(rows, keptRight, r0, r1), [rows, keptRight], dyBlock, true));
            const [gRows, gRight] = grads;
            return [gRows ?? tf.zerosLike(rows), gRight === null || gRight === undefined ? tf.clone(rightGrad) : tf.add(rightGrad, gRight)];
          });
          rowGrads.push(rowGrad);
          rightGrad.dispose();
          rightGrad = nextRight;
        }
        const leftGrad = tf.concat(rowGrads, 0);
        tf.dispose(rowGrads);
        return [leftGrad, rightGrad];
      },
    };
  });
  return checkpointed(left, right) as tf.Tensor2D;
}

/**
 * Runs `body` as if no gradient were being recorded: on no tape, outside any kernel. Gradients
 * taken inside (`tf.engine().gradients`) then start and clear a tape of their own, and nothing of
 * `body` joins the tape of an enclosing `tf.grad` (whose state is put back afterwards).
 */
function offTape<T>(body: () => T): T {
  const state = tf.engine().state;
  const outer = { tape: state.activeTape, gradientDepth: state.gradientDepth, kernelDepth: state.kernelDepth };
  state.activeTape = [];
  state.gradientDepth = 0;
  state.kernelDepth = 0;
  try {
    return body();
  } finally {
    state.activeTape = outer.tape;
    state.gradientDepth = outer.gradientDepth;
    state.kernelDepth = outer.kernelDepth;
  }
}

/**
 * A pair loss reduced to a value: `reduce(stats)` of the per-row statistics that `block` computes
 * (as {@link blockwisePairRows}), `chunkSize` rows at a time.
 *
 * `coefficients`, when given, returns `c` `[n, K]` (constants, from labels and weights) such that the
 * gradient of `reduce(stats)` with respect to the statistics is c times the upstream gradient (a
 * reduction linear in the loss columns, with denominators that do not depend on the embeddings:
 * `'mean'` and `'sum'`). Then, when a gradient is being recorded, each block's value and its gradient
 * of Σ c ⊙ stats are taken in one pass, on a tape of the block's own that is freed before the next
 * block: the chunked loss costs one forward and one backward pass of each block, like the unchunked
 * one, instead of the extra forward pass of the checkpointed {@link blockwisePairRows}, with the same
 * memory bound. Without `coefficients` (or without a gradient being recorded), the statistics come
 * from {@link blockwisePairRows}. One block is `reduce(block(left, right, 0, n))` on the ordinary tape.
 *
 * The value is `reduce` of the same statistics either way; the gradient equals the unchunked one up
 * to float32 rounding. The gradient of a chunked call cannot itself be differentiated again, and
 * `reduce`'s own inputs other than the statistics (such as `weights`) get no gradient through it.
 */
export function blockwisePairLoss(
  left: tf.Tensor2D,
  right: tf.Tensor2D,
  n: number,
  chunkSize: number | undefined,
  block: (rows: tf.Tensor2D, right: tf.Tensor2D, r0: number, r1: number) => tf.Tensor2D,
  reduce: (stats: tf.Tensor2D) => tf.Tensor,
  coefficients?: () => tf.Tensor2D,
): tf.Tensor {
  const blocks = rowBlocks(n, chunkSize);
  if (blocks.length <= 1) return reduce(block(left, right, 0, n));
  const engine = tf.engine();
  if (coefficients === undefined || !engine.isTapeOn()) return reduce(blockwisePairRows(left, right, n, chunkSize, block));
  const width = left.shape[1];
  const { value, leftGrad, rightGrad } = offTape(() => {
    const c = coefficients();
    const k = c.shape[1];
    const parts: tf.Tensor2D[] = [];
    const rowGrads: tf.Tensor[] = [];
    let rightSum: tf.Tensor = tf.zerosLike(right);
    try {
      for (const [r0, r1] of blocks) {
        const [stats, rowGrad, nextRight] = tf.tidy(() => {
          const rows = tf.slice(left, [r0, 0], [r1 - r0, width]) as tf.Tensor2D;
          const cBlock = tf.slice(c, [r0, 0], [r1 - r0, k]);
          let kept: tf.Tensor2D | undefined;
          // A block may hold no tuple that depends on its rows (the gradient is then 0): allowNoGradients.
          const { grads } = engine.gradients(
            () => {
              kept = tf.keep(block(rows, right, r0, r1));
              return tf.sum(tf.mul(cBlock, kept));
            },
            [rows, right],
            undefined,
            true,
          );
          const [gRows, gRight] = grads;
          const blockStats = kept as tf.Tensor2D;
          const result = [blockStats, gRows ?? tf.zerosLike(rows), gRight === null || gRight === undefined ? tf.clone(rightSum) : tf.add(rightSum, gRight)] as const;
          return result as unknown as [tf.Tensor2D, tf.Tensor, tf.Tensor];
        });
        parts.push(stats);
        rowGrads.push(rowGrad);
        rightSum.dispose();
        rightSum = nextRight;
      }
      return tf.tidy(() => ({ value: reduce(tf.concat(parts, 0) as tf.Tensor2D), leftGrad: tf.concat(rowGrads, 0), rightGrad: rightSum.clone() }));
    } finally {
      tf.dispose([c, rightSum, ...parts, ...rowGrads]);
    }
  });
  const op = tf.customGrad((_left, _right, save) => {
    (save as tf.GradSaveFunc)([leftGrad, rightGrad]);
    return {
      value: tf.clone(value),
      gradFunc: (dy, saved) => {
        const [gl, gr] = saved as [tf.Tensor, tf.Tensor];
        return [tf.mul(dy, gl), tf.mul(dy, gr)];
      },
    };
  });
  try {
    return op(left, right);
  } finally {
    tf.dispose([value, leftGrad, rightGrad]);
  }
}
