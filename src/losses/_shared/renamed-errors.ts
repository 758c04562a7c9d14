import { LossInputError } from './errors.js';

/**
 * Runs `body`, which calls another loss (`inner`), and rethrows that loss's input errors under the
 * caller's name, with argument names translated (`names`: inner name → caller's name), so a
 * composite loss reports bad input in its own terms: `<fn>: expected <what> to <rule>, got <value>`.
 */
export function withRenamedErrors<T>(fn: string, inner: string, names: Readonly<Record<string, string>>, body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (!(error instanceof LossInputError) || !error.message.startsWith(`${inner}: `)) throw error;
    let message = `${fn}: ${error.message.slice(inner.length + 2)}`;
    for (const [from, to] of Object.entries(names)) message = message.replace(new RegExp(`\\b${from}\\b`, 'g'), to);
    throw new LossInputError(message);
  }
}
