// Runs the built package in plain Node (no test runner, no bundler): importing losskit must make
// tf.grad work with the user's own tfjs-core, on the cpu and the wasm backends.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { LossInputError, registry, softmaxCrossEntropy } from '../dist/index.js';

tf.env().set('PROD', true);
let passed = 0;
for (const backend of ['cpu', 'wasm']) {
  assert.equal(await tf.setBackend(backend), true, `backend ${backend} starts`);
  const logits = tf.tensor2d([[2, 0.5, -1], [0.1, 0.2, 0.3], [-0.5, 1.5, 0]]);
  const labels = [0, 2, 1];
  const value = softmaxCrossEntropy(labels, logits).dataSync()[0];
  assert.ok(Math.abs(value - 0.516537) < 1e-5, `${backend}: value ${value}`);
  const grad = tf.grad((z) => softmaxCrossEntropy(labels, z))(logits);
  // d/dz of the mean CE is (softmax(z) − onehot) / N; each row sums to 0.
  const rows = tf.sum(grad, 1).dataSync();
  assert.ok(rows.every((r) => Math.abs(r) < 1e-6), `${backend}: gradient rows sum to 0`);
  assert.ok(Math.abs(grad.dataSync()[0] - (Math.exp(2) / (Math.exp(2) + Math.exp(0.5) + Math.exp(-1)) - 1) / 3) < 1e-6, `${backend}: gradient value`);
  assert.throws(() => softmaxCrossEntropy([0, 1], logits), LossInputError);
  passed += 1;
}
assert.ok(registry.length > 0);
console.log(`smoke: ${passed} passed, 0 failed`);
