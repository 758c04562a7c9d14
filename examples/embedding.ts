/**
 * Metric learning on the built-in digits (8×8 images, 10 classes): a small MLP embedding network,
 * 64 → 128 → 64 with L2-normalised output, trained with five of the library's embedding losses from
 * the same initial weights on the same batches, and scored by retrieval on the test split.
 *
 *     npm run build && npx tsx examples/embedding.ts      (or: npm run example:embedding)
 *
 * Retrieval: every test image is a query and the training images are the references, ranked by
 * cosine similarity; precision@1 and MAP@R (metrics.precisionAt1, metrics.mapAtR) are averaged over
 * the queries. Runs in about a minute on two CPU cores (wasm backend when it loads, else cpu); the
 * numbers are one small run with one seed, not a benchmark.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { BUILTIN_SETS } from '../dist/arena/builtin.js';
import { shuffleInPlace, stream } from '../dist/arena/random.js';
import { prepareData } from '../dist/arena/split.js';
import { encodeTarget } from '../dist/arena/task.js';
import { batchHardMiner, contrastiveLoss, metrics, multiSimilarityLoss, ntXentLoss, supConLoss, tripletMarginLoss } from '../dist/index.js';

tf.env().set('IS_TEST', true); // no "install tfjs-node" banner
if (!(await tf.setBackend('wasm'))) await tf.setBackend('cpu');

const SEED = 7;
const EPOCHS = 25;
const BATCH = 128;
const HIDDEN = 128;
const DIM = 64;
const LEARNING_RATE = 1e-3;

type Loss = (labels: Int32Array, z: tf.Tensor2D) => tf.Tensor;
/** Each loss with its library defaults (pytorch-metric-learning 2.8.1's); triplets mined batch-hard. */
const LOSSES: Record<string, Loss> = {
  contrastiveLoss: (y, z) => contrastiveLoss(y, z),
  'tripletMarginLoss (batch-hard)': (y, z) => tripletMarginLoss(y, z, { indices: batchHardMiner(y, z) }),
  multiSimilarityLoss: (y, z) => multiSimilarityLoss(y, z),
  ntXentLoss: (y, z) => ntXentLoss(y, z),
  supConLoss: (y, z) => supConLoss(y, z),
};

// Stratified 70 / 30 split with a fixed seed, features standardised with the training split's statistics.
const data = prepareData(encodeTarget(BUILTIN_SETS.digits!.load()), { splits: [0.7, 0, 0.3], noiseType: 'uniform' }, SEED);
const { train, test, numFeatures } = data;
const xTrain = tf.tensor2d(train.x, [train.n, numFeatures]);
const xTest = tf.tensor2d(test.x, [test.n, numFeatures]);
const yTrain = Int32Array.from(train.y);
const yTest = Int32Array.from(test.y);

/** The same batches, in the same order, for every loss: one seeded shuffle of the training rows per epoch. */
const order = stream(SEED, 'batches');
const batches: Int32Array[] = [];
for (let epoch = 0; epoch < EPOCHS; epoch++) {
  const rows = shuffleInPlace(Array.from({ length: train.n }, (_, i) => i), order);
  for (let b = 0; b + BATCH <= train.n; b += BATCH) batches.push(Int32Array.from(rows.slice(b, b + BATCH)));
}

interface Net {
  vars: tf.Variable[];
  embed(x: tf.Tensor2D): tf.Tensor2D;
}

/** Dense 64 → 128 (ReLU) → 64, rows L2-normalised; He-normal weights drawn from `seed`, so every loss starts from the same network. */
function mlp(seed: number): Net {
  const dense = (fanIn: number, fanOut: number, s: number) => ({
    w: tf.variable(tf.randomNormal([fanIn, fanOut], 0, Math.sqrt(2 / fanIn), 'float32', s)),
    b: tf.variable(tf.zeros([fanOut])),
  });
  const l1 = dense(numFeatures, HIDDEN, seed);
  const l2 = dense(HIDDEN, DIM, seed + 1);
  return {
    vars: [l1.w, l1.b, l2.w, l2.b],
    embed: (x) => {
      const z = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, l1.w), l1.b)), l2.w), l2.b);
      return tf.div(z, tf.add(tf.norm(z, 2, 1, true), 1e-12)) as tf.Tensor2D;
    },
  };
}

/** Test queries against the training set as references, cosine similarity. */
function retrieval(name: string, trainEmb: tf.Tensor2D, testEmb: tf.Tensor2D, seconds: string): string[] {
  const options = { distance: 'cosine' as const, referenceEmbeddings: trainEmb, referenceLabels: yTrain };
  return [name, metrics.precisionAt1(yTest, testEmb, options).toFixed(3), metrics.mapAtR(yTest, testEmb, options).toFixed(3), seconds];
}

const rows: string[][] = [retrieval('standardised pixels (no network)', xTrain, xTest, '-')];
{
  const net = mlp(SEED);
  rows.push(retrieval('untrained network', net.embed(xTrain), net.embed(xTest), '-'));
  tf.dispose(net.vars);
}

for (const [name, loss] of Object.entries(LOSSES)) {
  const start = Date.now();
  const net = mlp(SEED);
  const optimizer = tf.train.adam(LEARNING_RATE);
  for (const batch of batches) {
    tf.tidy(() => {
      const x = tf.gather(xTrain, batch);
      const y = Int32Array.from(batch, (i) => yTrain[i] as number);
      optimizer.minimize(() => loss(y, net.embed(x)) as tf.Scalar, false, net.vars);
    });
  }
  const [trainEmb, testEmb] = tf.tidy(() => [net.embed(xTrain), net.embed(xTest)]);
  rows.push(retrieval(name, trainEmb as tf.Tensor2D, testEmb as tf.Tensor2D, ((Date.now() - start) / 1000).toFixed(0)));
  tf.dispose([trainEmb as tf.Tensor, testEmb as tf.Tensor, ...net.vars]);
  optimizer.dispose();
}

const header = ['embedding', 'precision@1', 'MAP@R', 'time (s)'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
console.log(
  `digits: ${train.n} training / ${test.n} test images (stratified, seed ${SEED}), MLP ${numFeatures}→${HIDDEN}→${DIM} (L2-normalised), ` +
    `${EPOCHS} epochs of ${batches.length / EPOCHS} batches of ${BATCH}, Adam ${LEARNING_RATE}, backend ${tf.getBackend()}; ` +
    'test images as queries, training images as references (cosine)',
);
console.log(line(header));
console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
for (const r of rows) console.log(line(r));
