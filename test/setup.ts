import '@tensorflow/tfjs-backend-cpu';
import '../src/register-gradients.js';
import * as tf from '@tensorflow/tfjs-core';

tf.env().set('IS_TEST', true); // silences the "install tfjs-node" banner
// LOSSKIT_BACKEND=wasm reruns a suite on the wasm backend (see the `test:wasm` script).
const backend = process.env.LOSSKIT_BACKEND ?? 'cpu';
if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
await tf.setBackend(backend);
