import { registry } from '../registry.js';
import type { ArenaTask } from './results.js';

/**
 * The losses the arena compares when `--losses` is not given (this file is the only place the arena
 * names particular losses). For classification, the first six of {@link CLASSIFICATION_LOSS_CHOICES}
 * that are registered and apply to the task: the cross-entropy baseline, its sigmoid form, a focal
 * loss, a metric surrogate, a comp-sum loss and a robust loss; a multiclass task, where the sigmoid
 * and metric losses do not apply, gets the softmax focal loss and more robust ones instead. For regression, those
 * of {@link REGRESSION_LOSS_CHOICES}: the squared-error baseline (the conditional mean), the absolute
 * error (the median), and two losses between them, quadratic for small residuals and linear for large
 * ones.
 */
export const CLASSIFICATION_LOSS_CHOICES = [
  'softmaxCrossEntropy',
  'sigmoidCrossEntropy',
  'sigmoidFocalLoss:gamma=1',
  'anyLoss:metric=f1',
  'compSumLoss:tau=1.5',
  'generalizedCrossEntropy',
  'softmaxFocalLoss:gamma=1',
  'ldrKlLoss',
  'zLoss',
] as const;

export const REGRESSION_LOSS_CHOICES = ['meanSquaredError', 'meanAbsoluteError', 'huberLoss', 'logCoshLoss'] as const;

/** `losskit arena --demo`: the breast-cancer set made 1:10 imbalanced, the default losses, three seeds. */
export const DEMO = { data: 'breast-cancer', imbalance: 10, seeds: 3, numLosses: 6 } as const;

/** The `--losses` value used when none is given: the default losses of the task (see above). */
export function defaultLosses(task: ArenaTask): string {
  const byId = new Map(registry.map((s) => [s.id, s]));
  const applies = (item: string) => byId.get(item.split(':')[0] as string)?.tasks.includes(task) === true;
  const choices: readonly string[] = task === 'regression' ? REGRESSION_LOSS_CHOICES : CLASSIFICATION_LOSS_CHOICES;
  return choices.filter(applies).slice(0, DEMO.numLosses).join(',');
}
