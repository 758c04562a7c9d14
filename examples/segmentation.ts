/**
 * Topology-aware segmentation on synthetic curvilinear images: a tiny U-Net trained with Dice,
 * Dice + clDice and Dice + Betti matching, scored by Dice, clDice and Betti number errors.
 *
 *     npm run build && npx tsx examples/segmentation.ts      (or: npm run example:segmentation)
 *
 * Runs in a few minutes on two CPU cores; the numbers are one small run, not a benchmark.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { bettiMatchingLoss, clDiceLoss, curvilinear, diceLoss, metrics } from '../dist/index.js';

const SIZE = 48;
const TRAIN = 64;
const TEST = 32;
const EPOCHS = 14;
const BATCH = 8;
/** Betti matching joins after this fraction of the epochs (persistence of an untrained net is noise). */
const WARMUP = 0.4;

type Loss = (y: tf.Tensor, p: tf.Tensor) => tf.Tensor;
const dice: Loss = (y, p) => diceLoss(y, p);
/** The loss of each run, before and after the warm-up. */
const LOSSES: Record<string, { early: Loss; late: Loss }> = {
  Dice: { early: dice, late: dice },
  // clDice paper and TopoMortar: (1 − α)·Dice + α·clDice, α = 0.5, from the start.
  'Dice + clDice': { early: (y, p) => tf.add(tf.mul(0.5, diceLoss(y, p)), tf.mul(0.5, clDiceLoss(y, p))), late: (y, p) => tf.add(tf.mul(0.5, diceLoss(y, p)), tf.mul(0.5, clDiceLoss(y, p))) },
  'Dice + Betti matching': { early: dice, late: (y, p) => tf.add(diceLoss(y, p), tf.mul(0.01, bettiMatchingLoss(y, p))) },
};

/** Roads with gaps in the images (labels intact) and thin lines: topology is the hard part. */
const data = (seed: number, count: number) => {
  const d = curvilinear({ seed, count, height: SIZE, width: SIZE, dropoutProbability: 0.1, minThickness: 1, maxThickness: 2, noise: 0.1 });
  return { x: tf.tensor4d(d.images, d.imageShape), y: tf.tensor3d(Float32Array.from(d.masks), d.maskShape) };
};

interface Net {
  vars: tf.Variable[];
  predict(x: tf.Tensor4D): tf.Tensor3D;
}

/** Two 3×3 convolutions, 2× down, two convolutions, 2× up, a skip connection, two more: channels-last, sigmoid out. */
function uNet(seed: number): Net {
  let s = seed;
  const conv = (k: number, cin: number, cout: number) => ({
    w: tf.variable(tf.randomNormal([k, k, cin, cout], 0, Math.sqrt(2 / (k * k * cin)), 'float32', s++)),
    b: tf.variable(tf.zeros([cout])),
  });
  const layers = [conv(3, 1, 8), conv(3, 8, 8), conv(3, 8, 16), conv(3, 16, 16), conv(3, 24, 8), conv(1, 8, 1)];
  const apply = (x: tf.Tensor4D, i: number, relu = true) => {
    const l = layers[i]!;
    const y = tf.add(tf.conv2d(x, l.w as tf.Tensor4D, 1, 'same'), l.b) as tf.Tensor4D;
    return relu ? tf.relu(y) : y;
  };
  return {
    vars: layers.flatMap((l) => [l.w, l.b]),
    predict(x) {
      const high = apply(apply(x, 0), 1);
      const low = apply(apply(tf.maxPool(high, 2, 2, 'same'), 2), 3);
      const up = tf.image.resizeNearestNeighbor(low, [SIZE, SIZE]);
      const out = apply(apply(tf.concat([high, up], -1), 4), 5, false);
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
  const probs = tf.tidy(() => net.predict(test.x as tf.Tensor4D));
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
console.log(`curvilinear ${SIZE}×${SIZE}, ${TRAIN} training / ${TEST} test images, ${EPOCHS} epochs; test metrics at threshold 0.5 (errors per image)`);
console.log(line(header));
console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
for (const r of rows) console.log(line(r));
