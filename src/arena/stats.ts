/**
 * The statistics the arena reports: mean and standard deviation over seeds, and a two-sided paired
 * t-test against the baseline loss. The Student t distribution function is computed here from the
 * regularised incomplete beta function, in float64.
 */

/** Mean of the finite values (NaN when there are none). */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Sample standard deviation (denominator n − 1); 0 for a single value, NaN for none. */
export function sampleStd(values: readonly number[]): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  if (n === 1) return 0;
  const m = mean(values);
  let ss = 0;
  for (const v of values) ss += (v - m) * (v - m);
  return Math.sqrt(ss / (n - 1));
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** log Γ(x) for x > 0 (Lanczos approximation, g = 7, n = 9; relative error about 1e-15). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0] as number;
  for (let i = 1; i < LANCZOS.length; i++) sum += (LANCZOS[i] as number) / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/**
 * Continued fraction of the incomplete beta function (modified Lentz), evaluated where it
 * converges fast: x < (a + 1) / (a + b + 2).
 */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  const eps = 1e-16;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    // Even step: d_{2m} = m (b − m) x / ((a + 2m − 1)(a + 2m)).
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    // Odd step: d_{2m+1} = −(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)).
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < eps) return h;
  }
  return h;
}

/**
 * The regularised incomplete beta function
 *
 *     I_x(a, b) = B(x; a, b) / B(a, b) = (1 / B(a, b)) ∫_0^x t^(a−1) (1 − t)^(b−1) dt,   a, b > 0, x in [0, 1]
 *
 * by its continued fraction, using the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) where the fraction
 * would converge slowly.
 */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (Number.isNaN(x) || !(a > 0) || !(b > 0)) return Number.NaN;
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  const front = Math.exp(logFront);
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a;
  return 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/**
 * The Student t distribution function with `df` degrees of freedom:
 *
 *     F(t) = 1 − ½ I_{df/(df+t²)}(df/2, ½)   for t >= 0,   F(−t) = 1 − F(t)
 */
export function studentTCdf(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return Number.NaN;
  if (t === Number.POSITIVE_INFINITY) return 1;
  if (t === Number.NEGATIVE_INFINITY) return 0;
  const tail = 0.5 * regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

export interface PairedTTest {
  /** mean(a − b). */
  diff: number;
  /** The t statistic, mean(d) / (sd(d) / √n). */
  t: number;
  df: number;
  /** Two-sided p-value; NaN with fewer than 2 pairs or zero variance of the differences. */
  pValue: number;
}

/**
 * Two-sided paired t-test of `a` against `b` (same length, paired by index): the differences
 * d = a − b are tested for mean zero, p = 2 (1 − F_{n−1}(|t|)) = I_{df/(df+t²)}(df/2, ½).
 */
export function pairedTTest(a: readonly number[], b: readonly number[]): PairedTTest {
  if (a.length !== b.length) throw new RangeError(`pairedTTest: expected two samples of the same length, got ${a.length} and ${b.length}`);
  const d = a.map((v, i) => v - (b[i] as number));
  const n = d.length;
  const diff = mean(d);
  const sd = sampleStd(d);
  if (n < 2 || !(sd > 0)) return { diff, t: Number.NaN, df: n - 1, pValue: Number.NaN };
  const t = diff / (sd / Math.sqrt(n));
  const df = n - 1;
  return { diff, t, df, pValue: regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5) };
}
