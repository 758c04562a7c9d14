import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { tripletMarginLoss } from './tripletMarginLoss.js';
import { batchHardMiner } from './miners.js';

const time = (f: () => void, runs = 3) => {
  f();
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) { const t0 = performance.now(); f(); ts.push(performance.now() - t0); }
  ts.sort((a, b) => a - b);
  return ts[runs >> 1]!.toFixed(0);
};
it('perf', () => {
  const B = 256;
  const labels = Array.from({ length: B }, (_, i) => i % (B / 4));
  const emb = tf.randomNormal([B, 128], 0, 1, 'float32', 1);
  const idx = batchHardMiner(labels, emb);
  console.log('PERF triplet loss only', time(() => tf.tidy(() => { tf.grad((z: tf.Tensor) => tripletMarginLoss(labels, z, { indices: idx }))(emb).dataSync(); })));
  console.log('PERF triplet loss chunk 64', time(() => tf.tidy(() => { tf.grad((z: tf.Tensor) => tripletMarginLoss(labels, z, { indices: idx, chunkSize: 64 }))(emb).dataSync(); })));
  console.log('PERF empty grad', tf.grad((z: tf.Tensor) => tripletMarginLoss(labels, z, { indices: { a: [], p: [], n: [] } }))(emb).shape);
});
