import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '../dist/index.js';
await tf.setBackend('cpu');
const [N, H, W, C] = [8, 48, 48, 8];
const x = tf.randomNormal([N, H, W, C]);
const w = tf.variable(tf.randomNormal([9 * C, 8], 0, 0.1));
const idx = new Int32Array(N * H * W * 9);
let k = 0;
for (let n = 0; n < N; n++) for (let r = 0; r < H; r++) for (let c = 0; c < W; c++) for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
  const y = r + dy, xx = c + dx;
  idx[k++] = y < 0 || xx < 0 || y >= H || xx >= W ? N * H * W : (n * H + y) * W + xx;
}
const index = tf.tensor1d(idx, 'int32');
const conv = (v: tf.Tensor4D, kk: tf.Tensor) => {
  const flat = tf.concat([tf.reshape(v, [N * H * W, C]), tf.zeros([1, C])], 0);
  const cols = tf.reshape(tf.gather(flat, index), [N * H * W, 9 * C]);
  return tf.reshape(tf.matMul(cols, kk), [N, H, W, -1]);
};
for (let t = 0; t < 3; t++) {
  let t0 = Date.now();
  tf.tidy(() => conv(x as tf.Tensor4D, w).dataSync());
  const fwd = Date.now() - t0;
  t0 = Date.now();
  tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(conv(a as tf.Tensor4D, b)))([x, w]).map((g) => g.dataSync()));
  console.log('fwd', fwd, 'grad', Date.now() - t0);
}
