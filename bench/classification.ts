// Forward+backward time of every classification and ranking loss in the registry, as the median
// over repeated runs and as a ratio to softmaxCrossEntropy measured in the same run on the same
// backend, on the built package (dist/). Usage: npm run bench:classification [-- --runs 7 --backends cpu,wasm --shapes 4096x1000,256x10]
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '../dist/register-gradients.js';
import * as tf from '@tensorflow/tfjs-core';
import { parseArgs } from 'node:util';
import { type LossSpec, asAnyOptions } from '../dist/losses/_shared/spec.js';
import { registry } from '../dist/registry.js';
import { formatTable, timeMedian, useBackend } from './measure.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    // [4096, 1000] takes seconds per call on the pure-JS cpu backend: fewer repetitions there.
    'large-runs': { type: 'string', default: '3' },
    backends: { type: 'string', default: 'cpu,wasm' },
    shapes: { type: 'string', default: '4096x1000,256x10' },
    only: { type: 'string' },
  },
});
const runs = Number(args.runs);
const largeRuns = Number(args['large-runs']);
const BASELINE = 'softmaxCrossEntropy';
const specs = registry.filter((s) => (s.family === 'classification' || s.family === 'ranking') && (args.only === undefined || args.only.split(',').includes(s.id) || s.id === BASELINE));

/**
 * Inputs of one benchmark case: class-index losses get logits [N, C]; binary losses get the same
 * number of scores, N·C, flat; pairwise score losses (O(P·N) pairs) get N scores.
 */
function makeInputs(spec: LossSpec, n: number, c: number) {
  const seed = 42;
  if (spec.target === 'classIndex') {
    return { yTrue: tf.randomUniformInt([n], 0, c, seed), yPred: tf.randomNormal([n, c], 0, 2, 'float32', seed), layout: `[${n},${c}]` };
  }
  const m = spec.prediction === 'score' ? n : n * c;
  return { yTrue: tf.cast(tf.greater(tf.randomUniform([m], 0, 1, 'float32', seed), 0.7), 'float32'), yPred: tf.randomNormal([m], 0, 2, 'float32', seed), layout: `[${m}]` };
}

function forwardBackward(spec: LossSpec, yTrue: tf.Tensor, yPred: tf.Tensor, extra: Record<string, unknown>): () => void {
  if (spec.kind === 'function') {
    const fn = asAnyOptions(spec);
    return () => tf.tidy(() => {
      tf.grad((z: tf.Tensor) => fn(yTrue, z, extra))(yPred).dataSync();
    });
  }
  const made = spec.create({ numSamples: yTrue.shape[0] as number });
  const ids = tf.range(0, yTrue.shape[0] as number, 1, 'int32');
  return () =>
    tf.tidy(() => {
      tf.grad((z: tf.Tensor) => made.loss(yTrue, z, ids))(yPred).dataSync();
    });
}

const rows: string[][] = [];
for (const backend of args.backends.split(',')) {
  await useBackend(backend);
  for (const shape of args.shapes.split(',')) {
    const [n, c] = shape.split('x').map(Number) as [number, number];
    let baseline = Number.NaN;
    for (const spec of [...specs].sort((a, b) => (a.id === BASELINE ? -1 : b.id === BASELINE ? 1 : 0))) {
      const { yTrue, yPred, layout } = makeInputs(spec, n, c);
      const extra: Record<string, unknown> = {};
      for (const [key, p] of Object.entries(spec.params)) {
        if (p.kind === 'data' && p.required && p.shape === 'likePrediction') extra[key] = tf.add(yPred, tf.randomNormal(yPred.shape, 0, 0.1, 'float32', 7));
      }
      if (spec.properties.includes('stochastic')) extra.seed = 1;
      const before = tf.memory().numTensors;
      const large = n * c > 1e6;
      const ms = timeMedian(forwardBackward(spec, yTrue, yPred, extra), large ? largeRuns : runs, large ? 1 : 2);
      if (spec.id === BASELINE) baseline = ms;
      const leaked = tf.memory().numTensors - before;
      rows.push([spec.id, backend, `${n}x${c}`, layout, ms.toFixed(2), (ms / baseline).toFixed(2), leaked === 0 ? '' : `${leaked} tensors leaked`]);
      console.error(`${backend} ${n}x${c} ${spec.id}: ${ms.toFixed(2)} ms`);
      tf.dispose([yTrue, yPred, ...Object.values(extra).filter((v): v is tf.Tensor => v instanceof tf.Tensor)]);
    }
  }
}
console.log(`\nforward+backward, median of ${runs} runs (${largeRuns} for inputs over 1e6 elements) in ms; ratio = time / ${BASELINE} on the same backend and shape\n`);
console.log(formatTable(['loss', 'backend', 'case', 'input', 'median ms', 'ratio', 'note'], rows));
