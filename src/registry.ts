import { LossInputError } from './losses/_shared/errors.js';
import type { LossSpec } from './losses/_shared/spec.js';
import { softmaxCrossEntropySpec } from './losses/classification/softmaxCrossEntropy.js';
import { closestNames } from './suggest.js';

/** Every loss the CLI, the docs and the arena offer; adding a loss adds one line here. */
export const registry: readonly LossSpec[] = Object.freeze([
  softmaxCrossEntropySpec,
]);

/** The registered loss with this id; an unknown id is an error that names the closest known ids. */
export function getLoss(id: string): LossSpec {
  const spec = registry.find((s) => s.id === id);
  if (spec === undefined) {
    const near = closestNames(id, registry.map((s) => s.id));
    throw new LossInputError(`getLoss: expected \`id\` to be a registered loss (did you mean ${near.join(', ')}?), got "${id}" (string)`);
  }
  return spec;
}
