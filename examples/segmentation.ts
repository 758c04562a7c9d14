/**
 * Topology-aware segmentation on synthetic curvilinear images: a tiny U-Net trained with Dice,
 * Dice + clDice and Dice + Betti matching, scored by Dice, clDice and Betti number errors.
 *
 *     npm run build && npx tsx examples/segmentation.ts      (or: npm run example:segmentation)
 *
 * Runs in a few minutes on two CPU cores (wasm backend when it loads, else cpu); the numbers are
 * one small run with one seed, not a benchmark.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { bettiMatchingLoss, clDiceLoss, curvilinear, diceLoss, metrics } from '../dist/index.js';

tf.env().set('IS_TEST', true); // no "install tfjs-node" banner
if (!(await tf.setBackend('wasm'))) await tf.setBackend('cpu');

const SIZE = 48;
const TRAIN = 64;
const TEST = 32;
const EPOCHS = 30;
const BATCH = 8;
/** The topology terms join after this fraction of the epochs, as TopoMortar does (at 70%) for its persistence losses. */
const WARMUP = 0.4;

type Loss = (y: tf.Tensor, p: tf.Tensor) => tf.Tensor;
const dice: Loss = (y, p) => diceLoss(y, p);
/** The loss of each run, before and after the warm-up. */
const LOSSES: Record<string, { early: Loss; late: Loss }> = {
  Dice: { early: dice, late: dice },
  // (1 − α)·Dice + α·clDice, α = 0.5 (clDice paper, TopoMortar). From the first step it collapses
  // here: an all-foreground map has an empty soft skeleton, so its clDice term is 0.
  'Dice + clDice': { early: dice, late: (y, p) => tf.add(tf.mul(0.5, diceLoss(y, p)), tf.mul(0.5, clDiceLoss(y, p))) },
  'Dice + Betti matching': { early: dice, late: (y, p) => tf.add(diceLoss(y, p), tf.mul(0.01, bettiMatchingLoss(y, p))) },
};

/** Roads with gaps in the images (labels intact) and thin lines: topology is the hard part. */
const data = (seed: number, count: number) => {
  const d = curvilinear({ seed, count, height: SIZE, width: SIZE, dropoutProbability: 0.1, minThickness: 1, maxThickness: 2, noise: 0.1 });
  return { x: tf.tensor4d(d.images, d.imageShape), y: tf.tensor3d(Float32Array.from(d.masks), d.maskShape) };
};

/**
 * 3×3 "same" convolution as im2col + matMul: the 9 neighbours of every pixel are gathered into a
 * row (a zero row stands outside the image) and multiplied by the [9·C_in, C_out] kernel. The CPU
 * backend's tf.conv2d gradient is several times slower than this, and wasm has no kernel for it.
 */
function im2col(n: number, h: number, w: number): (x: tf.Tensor4D) => tf.Tensor2D {
  const index = new Int32Array(n * h * w * 9);
  let k = 0;
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < h; r++) {
      for (let c = 0; c < w; c++) {
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const [y, x] = [r + dy, c + dx];
            index[k++] = y < 0 || x < 0 || y >= h || x >= w ? n * h * w : (b * h + y) * w + x;
          }
        }
      }
    }
  }
  const flat = tf.tensor1d(index, 'int32');
  const column = tf.tensor2d(index, [index.length, 1], 'int32');
  // Gather rows; the gradient scatter-adds them back (ScatterNd sums duplicates).
  const gatherRows = tf.customGrad((rows) => ({
    value: tf.gather(rows as tf.Tensor, flat),
    gradFunc: (dy) => [tf.scatterND(column, dy as tf.Tensor, (rows as tf.Tensor).shape)],
  })) as (rows: tf.Tensor) => tf.Tensor;
  return (x) => {
    const c = x.shape[3];
    const rows = tf.concat([tf.reshape(x, [n * h * w, c]), tf.zeros([1, c])], 0);
    return tf.reshape(gatherRows(rows), [n * h * w, 9 * c]) as tf.Tensor2D;
  };
}

interface Net {
  vars: tf.Variable[];
  predict(x: tf.Tensor4D): tf.Tensor3D;
}

/** Two 3×3 convolutions, 2× down, two convolutions, 2× up, a skip connection, two more (the last 1×1): channels-last, sigmoid out. */
function uNet(seed: number): Net {
  let s = seed;
  const layer = (k: number, cin: number, cout: number) => ({
    w: tf.variable(tf.randomNormal([k * k * cin, cout], 0, Math.sqrt(2 / (k * k * cin)), 'float32', s++)),
    b: tf.variable(tf.zeros([cout])),
  });
  const layers = [layer(3, 1, 8), layer(3, 8, 8), layer(3, 8, 16), layer(3, 16, 8), layer(3, 8, 8), layer(1, 8, 1)];
  const full = im2col(BATCH, SIZE, SIZE);
  const half = im2col(BATCH, SIZE / 2, SIZE / 2);
  const apply = (x: tf.Tensor4D, i: number, cols?: (x: tf.Tensor4D) => tf.Tensor2D, relu = true) => {
    const l = layers[i]!;
    const [n, h, w, c] = x.shape;
    const input = cols === undefined ? tf.reshape(x, [n * h * w, c]) : cols(x);
    const y = tf.reshape(tf.add(tf.matMul(input, l.w), l.b), [n, h, w, -1]) as tf.Tensor4D;
    return relu ? tf.relu(y) : y;
  };
  return {
    vars: layers.flatMap((l) => [l.w, l.b]),
    predict(x) {
      const high = apply(apply(x, 0, full), 1, full);
      const low = apply(apply(tf.maxPool(high, 2, 2, 'same'), 2, half), 3, half);
      const up = tf.image.resizeNearestNeighbor(low, [SIZE, SIZE]);
      const out = apply(apply(tf.add(high, up) as tf.Tensor4D, 4, full), 5, undefined, false);
      return tf.squeeze(tf.sigmoid(out), [3]) as tf.Tensor3D;
    },
  };
}

const train = data(1, TRAIN);
const test = data(1000, TEST);
const yTest = test.y.arraySync();
const rows: string[][] = [];

for (const [name, { early, late }] of Object.entries(LOSSES)) {
  const start = Date.now();
  const net = uNet(42);
  const optimizer = tf.train.adam(3e-3);
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    const loss = epoch >= WARMUP * EPOCHS ? late : early;
    for (let b = 0; b < TRAIN; b += BATCH) {
      tf.tidy(() => {
        const x = tf.slice(train.x, [b, 0, 0, 0], [BATCH, SIZE, SIZE, 1]) as tf.Tensor4D;
        const y = tf.slice(train.y, [b, 0, 0], [BATCH, SIZE, SIZE]);
        optimizer.minimize(() => {
          const p = net.predict(x);
          return loss(y, p) as tf.Scalar;
        }, false, net.vars);
      });
    }
  }
  // The convolutions are built for batches of BATCH images: predict the test set batch by batch.
  const probs = tf.tidy(() => tf.concat(Array.from({ length: TEST / BATCH }, (_, k) => net.predict(tf.slice(test.x, [k * BATCH, 0, 0, 0], [BATCH, SIZE, SIZE, 1]) as tf.Tensor4D))));
  const p = probs.arraySync();
  const o = { threshold: 0.5 };
  rows.push([
    name,
    metrics.diceScore(yTest, p, o).toFixed(3),
    metrics.clDiceScore(yTest, p, o).toFixed(3),
    metrics.bettiNumberError(yTest, p, { ...o, dimensions: [0] }).toFixed(2),
    metrics.bettiNumberError(yTest, p, { ...o, dimensions: [1] }).toFixed(2),
    metrics.bettiMatchingError(yTest, p, o).toFixed(2),
    ((Date.now() - start) / 1000).toFixed(0),
  ]);
  probs.dispose();
  tf.dispose(net.vars);
  optimizer.dispose();
}

const header = ['loss', 'Dice', 'clDice', 'β0 error', 'β1 error', 'BM error', 'time (s)'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
console.log(`curvilinear ${SIZE}×${SIZE}, ${TRAIN} training / ${TEST} test images, ${EPOCHS} epochs, backend ${tf.getBackend()}; test metrics at threshold 0.5 (errors per image)`);
console.log(line(header));
console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
for (const r of rows) console.log(line(r));
