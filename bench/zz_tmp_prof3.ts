import '@tensorflow/tfjs-backend-cpu';
import '../dist/register-gradients.js';
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { bettiMatchingLoss } from '../dist/losses/segmentation/bettiMatchingLoss.js';
const png = PNG.sync.read(readFileSync('data/roads/label_0111.png'));
const size = png.width;
const road = Float32Array.from({ length: size * size }, (_, i) => ((png.data[4 * i] as number) > 127 ? 1 : 0));
let s = 3; const r = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
const perturbed = road.map((v) => Math.min(1, Math.max(0, 0.1 + 0.8 * v + 0.3 * (r() - 0.5))));
tf.env().set('PROD', true);
await tf.setBackend('cpu');
const yTrue = tf.tensor3d(road, [1, size, size]);
const yPred = tf.tensor3d(perturbed, [1, size, size]);
const ts: number[] = [];
for (let i = 0; i < 25; i++) { const c0 = process.cpuUsage(); tf.tidy(() => { tf.grad((z: tf.Tensor) => bettiMatchingLoss(yTrue, z))(yPred).dataSync(); }); const c = process.cpuUsage(c0); ts.push((c.user + c.system) / 1000); }
ts.sort((a, b) => a - b); console.log('loss cpu min', ts[0], 'median', ts[12]);
