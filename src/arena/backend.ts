import '@tensorflow/tfjs-backend-cpu';
import '../register-gradients.js';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Readies tfjs for training in this thread (each worker thread has its own tfjs): the CPU backend,
 * the gradient functions, and production mode (no debug checks, no console banners).
 */
export async function setUpBackend(): Promise<string> {
  tf.enableProdMode();
  await tf.setBackend('cpu');
  await tf.ready();
  return tf.getBackend();
}
