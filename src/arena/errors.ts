/**
 * A problem with what the user asked for (a file, a column, a loss, an option): the CLI prints its
 * one-line message and exits with status 2. Anything else that goes wrong during a run exits with 1.
 */
export class ArenaInputError extends Error {
  override name = 'ArenaInputError';
}

/** Throws an {@link ArenaInputError} with this message. */
export function inputError(message: string): never {
  throw new ArenaInputError(message);
}
