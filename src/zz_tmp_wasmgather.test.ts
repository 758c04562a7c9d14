import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
it('g', () => {
  console.log(tf.getBackend());
  const g = tf.grad((x: tf.Tensor) => tf.sum(tf.square(tf.gather(x, tf.tensor1d([0, 2, 2], 'int32')))))(tf.tensor1d([1, 2, 3]));
  g.print();
  tf.unsortedSegmentSum(tf.tensor1d([1,2,3]), tf.tensor1d([0,1,1],'int32'), 2).print();
});
