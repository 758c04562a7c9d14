import { fail, formatValue } from './errors.js';

/**
 * Checks the options object of a helper that is not a loss (no `reduction` or `weights`): it must be
 * an object whose keys are among `keys` (`undefined` values count as absent).
 */
export function checkOptionKeys(fn: string, options: unknown, keys: readonly string[]): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) fail(fn, '`options`', 'be an object', formatValue(options));
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined && !keys.includes(key)) fail(fn, 'each option', `be one of ${keys.join(', ')}`, `\`${key}\``);
  }
}

/** Throws unless `value` is undefined or a boolean. */
export function checkOptionalBoolean(fn: string, name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') fail(fn, `\`${name}\``, 'be true or false', formatValue(value));
}
