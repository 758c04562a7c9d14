import { describeClassWeightFactory } from '../../../test/class-weight-factory.js';
import { createProxyAnchorLoss } from './createProxyAnchorLoss.js';
import { proxyAnchorLoss } from './proxyAnchorLoss.js';

describeClassWeightFactory({
  name: 'createProxyAnchorLoss',
  create: (options) => createProxyAnchorLoss(options as never),
  plainName: 'proxyAnchorLoss',
  plain: (labels, embeddings, options) => proxyAnchorLoss(labels as never, embeddings as never, options as never),
  matrixOption: 'proxies',
  lossOptions: { margin: 0.2, alpha: 8 },
  // Kaiming-normal over the class count, as pytorch-metric-learning draws proxies.
  initStd: Math.sqrt(2 / 40),
});
