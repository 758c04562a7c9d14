import { describeClassWeightFactory } from '../../../test/class-weight-factory.js';
import { arcFaceLoss } from './arcFaceLoss.js';
import { createArcFaceLoss } from './createArcFaceLoss.js';

describeClassWeightFactory({
  name: 'createArcFaceLoss',
  create: (options) => createArcFaceLoss(options as never),
  plainName: 'arcFaceLoss',
  plain: (labels, embeddings, options) => arcFaceLoss(labels as never, embeddings as never, options as never),
  matrixOption: 'classWeightsMatrix',
  lossOptions: { margin: 20, scale: 16 },
  initStd: 1,
});
