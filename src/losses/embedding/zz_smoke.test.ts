import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { contrastiveLoss } from './contrastiveLoss.js';

it('smoke', () => {
  const l = contrastiveLoss([0, 0, 1], [[1, 0], [0.6, 0.8], [0, 1]]);
  console.log('VAL', l.dataSync()[0]);
  const e = tf.randomNormal([10, 4], 0, 1, 'float32', 3);
  const labels = [0, 1, 2, 0, 1, 2, 0, 1, 2, 3];
  for (const chunkSize of [undefined, 3]) {
    const before = tf.memory().numTensors;
    const g = tf.grad((z: tf.Tensor) => contrastiveLoss(labels, z, { chunkSize }))(e);
    const v = contrastiveLoss(labels, e, { chunkSize });
    console.log('VAL', chunkSize, v.dataSync()[0], Array.from(g.dataSync()).slice(0, 5));
    g.dispose(); v.dispose();
    console.log('LEAK', tf.memory().numTensors - before);
  }
});
