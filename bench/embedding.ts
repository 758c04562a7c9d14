// Forward+backward time and peak memory of the pair-based embedding losses, with and without
// chunking, on the built package (dist/). Peak memory is tf.profile's peakBytes (the engine's
// high-water mark of tensor bytes) minus the bytes alive before the step (the inputs).
// Usage: npm run bench:embedding [-- --runs 5 --batches 256,2048 --chunks 64,256 --dim 128 --backends cpu --only ntXentLoss]
// (`--chunks` gives the chunk size used with each batch size, in the same order.)
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '../dist/register-gradients.js';
import * as tf from '@tensorflow/tfjs-core';
import { parseArgs } from 'node:util';
import { batchHardMiner, contrastiveLoss, multiSimilarityLoss, ntXentLoss, tripletMarginLoss } from '../dist/index.js';
import { formatTable, median, useBackend } from './measure.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    batches: { type: 'string', default: '256,2048' },
    dim: { type: 'string', default: '128' },
    chunks: { type: 'string', default: '64,256' },
    backends: { type: 'string', default: 'cpu' },
    only: { type: 'string' },
  },
});
const runs = Number(args.runs);
const dim = Number(args.dim);
const chunks = args.chunks.split(',').map(Number);

type Step = (labels: number[], z: tf.Tensor, chunkSize: number | undefined) => tf.Tensor;
const withChunk = (chunkSize: number | undefined) => (chunkSize === undefined ? {} : { chunkSize });

/** One training step's loss: triplet mines its batch-hard triplets first (mining is part of the step). */
const CASES: Record<string, Step> = {
  contrastiveLoss: (labels, z, c) => contrastiveLoss(labels, z, withChunk(c)),
  'tripletMarginLoss (batch-hard)': (labels, z, c) => tripletMarginLoss(labels, z, { indices: batchHardMiner(labels, z, withChunk(c)), ...withChunk(c) }),
  multiSimilarityLoss: (labels, z, c) => multiSimilarityLoss(labels, z, withChunk(c)),
  ntXentLoss: (labels, z, c) => ntXentLoss(labels, z, withChunk(c)),
};

function forwardBackward(step: Step, labels: number[], emb: tf.Tensor, chunkSize: number | undefined): () => void {
  return () => {
    tf.tidy(() => {
      const g = tf.grad((z: tf.Tensor) => step(labels, z, chunkSize))(emb);
      g.dataSync();
    });
  };
}

async function peakBytes(body: () => void): Promise<number> {
  const before = tf.memory().numBytes;
  // tf.profile reuses its result object: read the number before the next profile.
  const info = await tf.profile(body);
  return info.peakBytes - before;
}

const rows: string[][] = [];
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
for (const backend of args.backends.split(',')) {
  await useBackend(backend);
  for (const [b, batch] of args.batches.split(',').map(Number).entries()) {
    const chunk = chunks[Math.min(b, chunks.length - 1)] as number;
    // P×K batches: K = 4 samples per class, as metric-learning samplers draw them.
    const labels = Array.from({ length: batch }, (_, i) => i % Math.max(1, batch / 4));
    const emb = tf.randomNormal([batch, dim], 0, 1, 'float32', 42);
    for (const [name, step] of Object.entries(CASES)) {
      if (args.only !== undefined && !args.only.split(',').some((o) => name.startsWith(o))) continue;
      const settings = [undefined, chunk];
      const bodies = settings.map((chunkSize) => forwardBackward(step, labels, emb, chunkSize));
      const before = tf.memory().numTensors;
      const peaks: number[] = [];
      for (const body of bodies) peaks.push(await peakBytes(body));
      // Unchunked and chunked runs alternate, so that a change in the machine's load hits both.
      const times: number[][] = bodies.map(() => []);
      for (let r = 0; r < runs; r++) {
        bodies.forEach((body, k) => {
          const t0 = performance.now();
          body();
          (times[k] as number[]).push(performance.now() - t0);
        });
      }
      const leaked = tf.memory().numTensors - before;
      const ms = times.map(median);
      settings.forEach((chunkSize, k) => {
        rows.push([
          name,
          backend,
          `${batch}x${dim}`,
          chunkSize === undefined ? '-' : String(chunkSize),
          (ms[k] as number).toFixed(0),
          k === 0 ? '' : ((ms[k] as number) / (ms[0] as number)).toFixed(2),
          mb(peaks[k] as number),
          leaked === 0 ? '' : `${leaked} tensors leaked`,
        ]);
        console.error(`${backend} ${batch}x${dim} ${name} chunk ${chunkSize ?? '-'}: ${(ms[k] as number).toFixed(0)} ms, peak ${mb(peaks[k] as number)} MiB`);
      });
    }
    emb.dispose();
  }
}
console.log(`\nforward+backward (mining included), median of ${runs} runs (unchunked and chunked alternating, after one warm-up run each); peak = tf.profile peakBytes above the inputs\n`);
console.log(formatTable(['loss', 'backend', 'batch x dim', 'chunk', 'median ms', 'vs unchunked', 'peak MiB', 'note'], rows));
