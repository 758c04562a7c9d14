import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { protoTripletLoss } from './protoTripletLoss.js';
import { icnnLoss } from './icnnLoss.js';
import { symmetryLoss } from './symmetryLoss.js';
import { contrastiveMetrixLoss } from './contrastiveMetrixLoss.js';
import { multiSimilarityMetrixLoss } from './multiSimilarityMetrixLoss.js';
import { proxyAnchorMetrixLoss } from './proxyAnchorMetrixLoss.js';
import { hypPairwiseConfusionLoss } from './hypPairwiseConfusionLoss.js';
import { hypCrossEntropyLoss } from './hypCrossEntropyLoss.js';
import { amclLoss } from './amclLoss.js';
import { unpgLoss } from './unpgLoss.js';
it('scratch', () => {
  console.log('PT', protoTripletLoss([0, 1, 0], [[0, 0], [1, 1], [2, 0]], { prototypes: [[0, 1], [1, 0]] }).dataSync()[0]);
  const e = tf.randomNormal([8, 4], 0, 1, 'float32', 3);
  const L = [0, 1, 2, 3, 0, 1, 2, 3];
  const W = tf.randomNormal([4, 4], 0, 1, 'float32', 4);
  const fns: Record<string, (z: tf.Tensor) => tf.Tensor> = {
    pt: (z) => protoTripletLoss(L, z),
    icnn: (z) => icnnLoss(L, z),
    sym: (z) => symmetryLoss(e, z),
    cm: (z) => contrastiveMetrixLoss(L, z, { seed: 1 }),
    msm: (z) => multiSimilarityMetrixLoss(L, z, { seed: 1 }),
    pam: (z) => proxyAnchorMetrixLoss(L, z, { seed: 1, proxies: W }),
    hpc: (z) => hypPairwiseConfusionLoss(e, z),
    hce: (z) => hypCrossEntropyLoss(L, z, { normals: W, offsets: tf.mul(W, 0.1) }),
    amcl: (z) => amclLoss(e, z),
    unpg: (z) => unpgLoss(L, z, { classWeightsMatrix: W }),
  };
  for (const [k, f] of Object.entries(fns)) {
    const before = tf.memory().numTensors;
    const v = f(e); const g = tf.grad(f)(e);
    console.log(k, v.dataSync()[0], Array.from(g.dataSync()).slice(0, 4));
    v.dispose(); g.dispose();
    console.log('leak', tf.memory().numTensors - before);
  }
});
