/**
 * Number formatting shared by the HTML report and the terminal table, so that both print a metric
 * with the same number of decimals.
 */

/** Text for a value that is missing (NaN) or undefined. */
export const MISSING = 'n/a';

/**
 * Decimals that show about four significant digits of the largest finite |value|, between 0 and 6
 * (0.9123 → 4, 12.34 → 2, 0.01234 → 5); 4 when there is no finite non-zero value.
 */
export function decimalsFor(values: readonly number[]): number {
  let maxAbs = 0;
  for (const v of values) if (Number.isFinite(v)) maxAbs = Math.max(maxAbs, Math.abs(v));
  if (maxAbs === 0) return 4;
  return Math.min(6, Math.max(0, 3 - Math.floor(Math.log10(maxAbs))));
}

/**
 * Whether a value is missing: undefined, NaN, or not a number at all (results read back from JSON
 * carry `null` where a value was NaN).
 */
export function isMissing(x: unknown): x is null | undefined {
  return typeof x !== 'number' || Number.isNaN(x);
}

/** `x` with a fixed number of decimals; `n/a` for missing values, `∞` / `−∞` for infinities. */
export function fixed(x: number | undefined, decimals: number): string {
  if (isMissing(x)) return MISSING;
  if (x === Number.POSITIVE_INFINITY) return '∞';
  if (x === Number.NEGATIVE_INFINITY) return '-∞';
  const s = x.toFixed(decimals);
  // -0.0000 reads as a sign that is not there.
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** Like `fixed`, with an explicit `+` for positive values (a difference). */
export function signed(x: number | undefined, decimals: number): string {
  const s = fixed(x, decimals);
  return !isMissing(x) && x > 0 && s !== MISSING && !/^0(\.0*)?$/.test(s) ? `+${s}` : s;
}

/** A p-value: `n/a` when NaN, `<0.001` when below, else three decimals. */
export function formatP(p: number | undefined): string {
  if (isMissing(p)) return MISSING;
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}

/** Seconds with three significant digits (0.0123, 1.23, 123). */
export function formatSeconds(s: number | undefined): string {
  if (isMissing(s) || !Number.isFinite(s)) return MISSING;
  if (s === 0) return '0';
  return s >= 1000 ? Math.round(s).toString() : Number(s.toPrecision(3)).toString();
}

/** A general-purpose short number: at most four significant digits, no exponent for |x| in [1e-3, 1e6). */
export function shortNumber(x: number | undefined): string {
  if (isMissing(x)) return MISSING;
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e6 || a < 1e-3) return x.toExponential(2);
  return Number(x.toPrecision(4)).toString();
}

/** Replaces control characters (newlines, ANSI escapes) with spaces, for one-line terminal output. */
export function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point.
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
}
