// Time and memory of the topology functions on the built package (dist/): persistence and Betti
// matching of a 375x375 road mask (data/roads) against a perturbed prediction of it, and of a random
// 256x256 likelihood map against its thresholded mask, and of a random 64x64x64 volume (3D persistence,
// Betti numbers and matching) and the 3D loss on a 32x32x32 one; median wall time over repeated runs, and the
// memory one call allocates at several image sizes (it should grow linearly with the pixels).
// Usage: npm run bench:topology [-- --runs 9]
import '@tensorflow/tfjs-backend-cpu';
import '../dist/register-gradients.js';
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { PNG } from 'pngjs';
import { bettiMatchingLoss } from '../dist/losses/segmentation/bettiMatchingLoss.js';
import { matchSublevelImages } from '../dist/topology/bettiMatching.js';
import { sublevelValues } from '../dist/topology/image.js';
import { bettiMatching, bettiMatching3d, bettiNumbers3d, cubicalPersistence, cubicalPersistence3d } from '../dist/topology/index.js';
import { formatTable, timeMedian, useBackend } from './measure.js';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '9' } } });
const runs = Number(args.runs);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A seeded uniform generator (mulberry32). */
function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const png = PNG.sync.read(readFileSync(new URL('../data/roads/label_0111.png', import.meta.url)));
const size = png.width;
const road = Float32Array.from({ length: size * size }, (_, i) => ((png.data[4 * i] as number) > 127 ? 1 : 0));
// A plausible network output: the mask blurred into [0.1, 0.9] with noise, two roads cut, spurious blobs.
const r = uniform(7);
const perturbed = road.map((v) => Math.min(1, Math.max(0, 0.1 + 0.8 * v + 0.3 * (r() - 0.5))));
for (let k = 0; k < size; k++) {
  for (const c of [120, 121, 250, 251]) perturbed[k * size + c] = 0.2 + 0.1 * r();
}
for (let b = 0; b < 20; b++) {
  const y = Math.floor(r() * (size - 4));
  const x = Math.floor(r() * (size - 4));
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) perturbed[(y + i) * size + x + j] = 0.7 + 0.2 * r();
}
const likelihood = Float32Array.from({ length: 256 * 256 }, () => r());
const likelihoodMask = likelihood.map((v) => (v > 0.5 ? 1 : 0));

const image = (data: Float32Array, n: number) => ({ data, shape: [n, n] });

/** Median process CPU time (user + system) in ms of `body` over `runs` runs after two warm-up runs. */
function cpuMedian(body: () => void): number {
  body();
  body();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.cpuUsage();
    body();
    const used = process.cpuUsage(start);
    times.push((used.user + used.system) / 1000);
  }
  return times.sort((a, b) => a - b)[times.length >> 1] as number;
}

const rows: string[][] = [];
/** Wall time (the median of `runs`) and CPU time of one case; CPU time is less sensitive to a loaded machine. */
const add = (what: string, input: string, body: () => void, note = '') => {
  const wall = timeMedian(body, runs);
  const cpu = cpuMedian(body);
  rows.push([what, input, wall.toFixed(1), cpu.toFixed(1), note]);
  console.error(`${what} ${input}: ${wall.toFixed(1)} ms (cpu ${cpu.toFixed(1)} ms)`);
};

const roadBars = cubicalPersistence(image(perturbed, size));
add('cubicalPersistence', `road prediction ${size}x${size}`, () => cubicalPersistence(image(perturbed, size)), `${roadBars.dim0.length} + ${roadBars.dim1.length} bars`);
const m = bettiMatching(image(perturbed, size), image(road, size));
add(
  'bettiMatching (dims 0, 1)',
  `road prediction vs mask ${size}x${size}`,
  () => bettiMatching(image(perturbed, size), image(road, size)),
  `matched ${m.dim0.matched.length} + ${m.dim1.matched.length}`,
);
add('Betti matching pairs (typed arrays, as the loss)', `road prediction vs mask ${size}x${size}`, () =>
  matchSublevelImages(sublevelValues(perturbed, 'superlevel'), sublevelValues(road, 'superlevel'), size, size),
);

await useBackend('cpu');
const yTrue = tf.tensor3d(road, [1, size, size]);
const yPred = tf.tensor3d(perturbed, [1, size, size]);
add(
  'bettiMatchingLoss forward+backward',
  `[1,${size},${size}], cpu backend`,
  // The tidy returns nothing: returning the gradient values would make tfjs walk all 140k of them.
  () => tf.tidy(() => {
    tf.grad((z: tf.Tensor) => bettiMatchingLoss(yTrue, z))(yPred).dataSync();
  }),
);
tf.dispose([yTrue, yPred]);

add('cubicalPersistence', 'random likelihood 256x256', () => cubicalPersistence(image(likelihood, 256)));
add('bettiMatching (dims 0, 1)', 'random likelihood vs its mask 256x256', () => bettiMatching(image(likelihood, 256), image(likelihoodMask, 256)));

// 3D: a random 64x64x64 likelihood volume (white noise: the worst case, ~95k bars) against its mask.
const volume = Float32Array.from({ length: 64 ** 3 }, () => r());
const volumeMask = volume.map((v) => (v > 0.5 ? 1 : 0));
const cube = (data: Float32Array) => ({ data, shape: [64, 64, 64] });
const bars3d = cubicalPersistence3d(cube(volume));
add('cubicalPersistence3d', 'random likelihood 64x64x64', () => cubicalPersistence3d(cube(volume)), `${bars3d.dim0.length} + ${bars3d.dim1.length} + ${bars3d.dim2.length} bars`);
add('bettiNumbers3d', 'random likelihood 64x64x64', () => bettiNumbers3d(cube(volume)));
const m3d = bettiMatching3d(cube(volume), cube(volumeMask));
add(
  'bettiMatching3d (dims 0, 1, 2)',
  'random likelihood vs its mask 64x64x64',
  () => bettiMatching3d(cube(volume), cube(volumeMask)),
  `matched ${m3d.dim0.matched.length} + ${m3d.dim1.matched.length} + ${m3d.dim2.matched.length}`,
);
// The 3D loss (dimensions 0, 1, 2) on a random 32x32x32 volume against its mask, cpu backend.
const small = volume.subarray(0, 32 ** 3);
const volTrue = tf.tensor4d(small.map((v) => (v > 0.5 ? 1 : 0)), [1, 32, 32, 32]);
const volPred = tf.tensor4d(small, [1, 32, 32, 32]);
add('bettiMatchingLoss forward+backward', '[1,32,32,32] random volume vs its mask, cpu backend', () =>
  tf.tidy(() => {
    tf.grad((z: tf.Tensor) => bettiMatchingLoss(volTrue, z))(volPred).dataSync();
  }),
);
tf.dispose([volTrue, volPred]);

/**
 * Memory one call allocates (JS heap + typed-array buffers), from a collected baseline to its end:
 * an estimate of its peak, since a collection during the call frees part of it.
 */
function allocated(body: () => unknown): number {
  gc();
  const before = process.memoryUsage();
  const kept = body();
  const after = process.memoryUsage();
  if (kept === undefined) throw new Error('unreachable');
  return after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers;
}

const memory: string[][] = [];
for (const n of [128, 256, 375, 512]) {
  const u = uniform(n);
  const p = Float32Array.from({ length: n * n }, () => u());
  const t = p.map((v) => (v > 0.5 ? 1 : 0));
  allocated(() => bettiMatching(image(p, n), image(t, n)));
  // A collection during the call can only lower the count: the largest of three is the closest.
  const bytes = Math.max(...[0, 1, 2].map(() => allocated(() => bettiMatching(image(p, n), image(t, n)))));
  memory.push([`${n}x${n}`, String(n * n), (bytes / 2 ** 20).toFixed(1), (bytes / (n * n)).toFixed(0)]);
}

console.log(`\nmedian of ${runs} runs (ms), Node ${process.version}; cpu = process CPU time (user + system)\n`);
console.log(formatTable(['what', 'input', 'wall ms', 'cpu ms', 'note'], rows));
console.log('\nmemory allocated by one bettiMatching of a random likelihood map against its mask\n');
console.log(formatTable(['image', 'pixels', 'MiB', 'bytes / pixel'], memory));
