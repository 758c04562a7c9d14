import { describeClassWeightFactory } from '../../../test/class-weight-factory.js';
import { cosFaceLoss } from './cosFaceLoss.js';
import { createCosFaceLoss } from './createCosFaceLoss.js';

describeClassWeightFactory({
  name: 'createCosFaceLoss',
  create: (options) => createCosFaceLoss(options as never),
  plainName: 'cosFaceLoss',
  plain: (labels, embeddings, options) => cosFaceLoss(labels as never, embeddings as never, options as never),
  matrixOption: 'classWeightsMatrix',
  lossOptions: { margin: 0.2, scale: 16 },
  initStd: 1,
});
