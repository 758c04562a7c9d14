import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { ntXentLoss } from './ntXentLoss.js';

it('perf', async () => {
  const B = 256;
  const labels = Array.from({ length: B }, (_, i) => i % (B / 4));
  const emb = tf.randomNormal([B, 128], 0, 1, 'float32', 1);
  const f = () => tf.tidy(() => { tf.grad((z: tf.Tensor) => ntXentLoss(labels, z))(emb).dataSync(); });
  f(); f();
  const info = await tf.profile(f);
  const top = [...info.kernels].sort((a, b) => (b.kernelTimeMs as number) - (a.kernelTimeMs as number)).slice(0, 12);
  console.log('PERF', top.map((k) => `${k.name}:${JSON.stringify(k.inputShapes)}:${(k.kernelTimeMs as number).toFixed(1)}`).join('\n'));
});
