import { expect } from 'vitest';
import { ArenaInputError } from '../src/arena/errors.js';

/** The message of the ArenaInputError that `body` throws (and fails the test if it throws nothing else). */
export function inputErrorOf(body: () => unknown): string {
  try {
    body();
  } catch (error) {
    expect(error).toBeInstanceOf(ArenaInputError);
    return (error as Error).message;
  }
  throw new Error('expected an ArenaInputError, but nothing was thrown');
}
