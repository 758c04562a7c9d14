import { registry } from '../registry.js';

/**
 * `losskit arena --demo`: the breast-cancer set made 1:10 imbalanced, six classification losses, three
 * seeds. The losses are the first six of this list that are registered (the only place the arena
 * names particular losses): the cross-entropy baseline, its sigmoid form, a focal loss, a metric
 * surrogate, a comp-sum loss and a robust or shift-invariant loss.
 */
export const DEMO_LOSS_CHOICES = [
  'softmaxCrossEntropy',
  'sigmoidCrossEntropy',
  'sigmoidFocalLoss:gamma=1',
  'anyLoss:metric=f1',
  'compSumLoss:tau=1.5',
  'generalizedCrossEntropy',
  'ldrKlLoss',
  'zLoss',
] as const;

export const DEMO = { data: 'breast-cancer', imbalance: 10, seeds: 3, numLosses: 6 } as const;

/** The demo's `--losses` value: the first six registered entries of {@link DEMO_LOSS_CHOICES}. */
export function demoLosses(): string {
  const ids = new Set(registry.map((s) => s.id));
  return DEMO_LOSS_CHOICES.filter((item) => ids.has(item.split(':')[0] as string))
    .slice(0, DEMO.numLosses)
    .join(',');
}
