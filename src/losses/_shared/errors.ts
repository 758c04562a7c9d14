/** Thrown when a loss or metric receives inputs or options it cannot use. */
export class LossInputError extends Error {
  override name = 'LossInputError';
}

/** Formats a shape the way messages print it: `[4,3]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

/** Formats a bad value for a message: `-1 (number)`, `"abc" (string)`, `[1,2] (array)`. */
export function formatValue(value: unknown): string {
  let shown: string;
  if (typeof value === 'number' || typeof value === 'bigint') shown = String(value);
  else if (typeof value === 'function') shown = value.name || 'anonymous function';
  else if (ArrayBuffer.isView(value)) shown = `length ${(value as unknown as ArrayLike<number>).length}`;
  else {
    try {
      shown = JSON.stringify(value) ?? String(value);
    } catch {
      shown = String(value);
    }
    if (shown.length > 60) shown = `${shown.slice(0, 57)}...`;
  }
  return `${shown} (${typeName(value)})`;
}

/**
 * Throws the one error shape of the library:
 * `<fn>: expected <what> to <rule>, got <got>`.
 */
export function fail(fn: string, what: string, rule: string, got: string): never {
  throw new LossInputError(`${fn}: expected ${what} to ${rule}, got ${got}`);
}
