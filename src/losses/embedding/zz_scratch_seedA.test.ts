import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { poincareDistance } from './hyperbolic.js';
import { unpgLoss } from './unpgLoss.js';
import { hypCrossEntropyLoss } from './hypCrossEntropyLoss.js';
it('scratch', () => {
  console.log(poincareDistance([0.5, 0.2], [-0.3, 0.4], { c: 0.1 }).dataSync()[0], poincareDistance([0.5, 0.2], [-0.3, 0.4], { c: 0.1, form: 'atan' }).dataSync()[0]);
  const I3 = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
  const E = [[1, 0, 0], [0.8, 0.6, 0], [0, 1, 0], [0, 0.6, 0.8]];
  console.log(unpgLoss([0, 0, 1, 2], E, { classWeightsMatrix: I3 }).dataSync()[0]);
  const g = tf.grad((z: tf.Tensor) => unpgLoss([0, 0, 1, 2], z, { classWeightsMatrix: I3 }))(tf.tensor(E));
  console.log(Array.from(g.dataSync()));
  console.log(hypCrossEntropyLoss([0, 1], [[0.1, 0.2], [1.2, -0.4]], { normals: [[1, 0], [-1, 0]], offsets: [[0, 0], [0.5, 0]] }).dataSync()[0]);
});
