import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
function gatherFlat(x: tf.Tensor, idx: Int32Array): tf.Tensor {
  const n = x.size;
  const f = tf.customGrad((v) => ({
    value: tf.gather(v as tf.Tensor, tf.tensor1d(idx, 'int32')),
    gradFunc: (dy) => tf.scatterND(tf.tensor2d(idx, [idx.length, 1], 'int32'), dy as tf.Tensor, [n]),
  }));
  return (f as (v: tf.Tensor) => tf.Tensor)(x);
}
it('g', () => {
  console.log(tf.getBackend());
  const x = tf.tensor1d([1, 2, 3]);
  const before = tf.memory().numTensors;
  const g = tf.grad((v: tf.Tensor) => tf.sum(tf.square(gatherFlat(v, Int32Array.of(0, 2, 2)))))(x);
  g.print();
  g.dispose();
  const v = tf.tidy(() => gatherFlat(x, new Int32Array(0)));
  v.print();
  v.dispose();
  const g2 = tf.grad((v: tf.Tensor) => tf.add(tf.sum(gatherFlat(v, new Int32Array(0))), tf.sum(v)))(x);
  g2.print(); g2.dispose();
  console.log('leak', tf.memory().numTensors - before);
});
