import { describe, expect, it } from 'vitest';
import { expectClose } from '../../test/helpers.js';
import { logGamma, mean, pairedTTest, regularizedIncompleteBeta, sampleStd, studentTCdf } from './stats.js';

describe('mean and sampleStd', () => {
  it('use the n − 1 denominator', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expectClose(sampleStd([1, 2, 3, 4]), Math.sqrt(5 / 3), 1e-14);
    expect(sampleStd([7])).toBe(0);
    expect(mean([])).toBeNaN();
    expect(sampleStd([])).toBeNaN();
  });
});

describe('logGamma', () => {
  it('matches factorials and Γ(½) = √π', () => {
    expectClose(logGamma(1), 0, 0, 1e-14);
    expectClose(logGamma(6), Math.log(120), 1e-14);
    expectClose(logGamma(0.5), 0.5 * Math.log(Math.PI), 1e-14);
  });

  it('matches scipy.special.gammaln (scipy 1.17)', () => {
    expectClose(logGamma(0.3), 1.0957979948180756, 1e-13);
    expectClose(logGamma(12.5), 18.73434751193645, 1e-13);
    expectClose(logGamma(100), 359.1342053695754, 1e-13);
  });
});

describe('regularizedIncompleteBeta', () => {
  it('matches closed forms', () => {
    // I_x(1, 1) = x; I_x(a, 1) = x^a; I_0.5(2, 3) = 11/16; I_x(½, ½) = (2/π) asin(√x).
    expectClose(regularizedIncompleteBeta(0.3, 1, 1), 0.3, 1e-13);
    expectClose(regularizedIncompleteBeta(0.7, 3.5, 1), 0.7 ** 3.5, 1e-13);
    expectClose(regularizedIncompleteBeta(0.5, 2, 3), 11 / 16, 1e-13);
    expectClose(regularizedIncompleteBeta(0.1, 0.5, 0.5), (2 / Math.PI) * Math.asin(Math.sqrt(0.1)), 1e-13);
  });

  it('matches scipy.special.betainc on both sides of the switch point (scipy 1.17)', () => {
    expectClose(regularizedIncompleteBeta(0.4, 10, 20), 0.7853183897628262, 1e-12);
    expectClose(regularizedIncompleteBeta(0.6, 100, 80), 0.8855740440737762, 1e-11);
  });

  it('is 0 and 1 at the ends and NaN for invalid shapes', () => {
    expect(regularizedIncompleteBeta(0, 2, 3)).toBe(0);
    expect(regularizedIncompleteBeta(1, 2, 3)).toBe(1);
    expect(regularizedIncompleteBeta(0.5, 0, 3)).toBeNaN();
    expect(regularizedIncompleteBeta(Number.NaN, 2, 3)).toBeNaN();
  });
});

describe('studentTCdf', () => {
  it('matches the closed forms for 1, 2 and 4 degrees of freedom', () => {
    for (const t of [-3.7, -1, -0.2, 0, 0.4, 1, 2.5, 12]) {
      // df = 1: Cauchy. df = 2: ½ + t / (2√(2 + t²)). df = 4: ½ + ¾ u (1 − u²/3), u = t/√(4 + t²).
      expectClose(studentTCdf(t, 1), 0.5 + Math.atan(t) / Math.PI, 1e-12, 1e-15);
      expectClose(studentTCdf(t, 2), 0.5 + t / (2 * Math.sqrt(2 + t * t)), 1e-12, 1e-15);
      const u = t / Math.sqrt(4 + t * t);
      expectClose(studentTCdf(t, 4), 0.5 + 0.75 * u * (1 - (u * u) / 3), 1e-12, 1e-15);
    }
  });

  it('matches numerical integration of the density for a fractional df', () => {
    const df = 2.5;
    const density = (x: number) =>
      Math.exp(logGamma((df + 1) / 2) - logGamma(df / 2) - 0.5 * Math.log(df * Math.PI) - ((df + 1) / 2) * Math.log1p((x * x) / df));
    // Simpson's rule on [0, 4.5] with 20000 intervals, plus F(0) = ½.
    const n = 20_000;
    const h = 4.5 / n;
    let s = density(0) + density(4.5);
    for (let i = 1; i < n; i++) s += (i % 2 === 1 ? 4 : 2) * density(i * h);
    expectClose(studentTCdf(4.5, df), 0.5 + (s * h) / 3, 1e-10);
  });

  it('matches scipy.stats.t.cdf (scipy 1.17)', () => {
    expectClose(studentTCdf(2, 5), 0.9490302605850708, 1e-12);
    expectClose(studentTCdf(-1.3, 3), 0.14223375436394853, 1e-12);
    expectClose(studentTCdf(0.7, 30), 0.7553397782501642, 1e-12);
    expectClose(studentTCdf(4.5, 2.5), 0.985052970495633, 1e-12);
    // A far tail keeps its relative precision: 1 − F(8; 7) = 4.557e-5.
    expectClose(1 - studentTCdf(8, 7), 4.557460585437679e-5, 1e-8);
  });

  it('is symmetric and monotone', () => {
    let previous = 0;
    for (let t = -10; t <= 10; t += 0.25) {
      const f = studentTCdf(t, 3.3);
      expectClose(f + studentTCdf(-t, 3.3), 1, 1e-13);
      expect(f).toBeGreaterThan(previous);
      previous = f;
    }
    expect(studentTCdf(Number.POSITIVE_INFINITY, 3)).toBe(1);
    expect(studentTCdf(Number.NEGATIVE_INFINITY, 3)).toBe(0);
  });
});

describe('pairedTTest', () => {
  it('matches scipy.stats.ttest_rel (scipy 1.17)', () => {
    const r = pairedTTest([1, 2, 3, 4, 5], [2, 2, 4, 5, 7]);
    expectClose(r.diff, -1, 1e-14);
    expectClose(r.t, -3.162277660168379, 1e-12);
    expect(r.df).toBe(4);
    expectClose(r.pValue, 0.03410942316740963, 1e-11);
    const s = pairedTTest([0.91, 0.93, 0.95, 0.9, 0.94], [0.9, 0.92, 0.92, 0.91, 0.93]);
    expectClose(s.t, 1.5811388300841869, 1e-11);
    expectClose(s.pValue, 0.18900365845517594, 1e-10);
  });

  it('agrees with 2 (1 − F(|t|)) and is symmetric in its arguments', () => {
    const a = [0.3, 0.5, 0.2, 0.9, 0.4, 0.6];
    const b = [0.1, 0.45, 0.3, 0.5, 0.35, 0.2];
    const r = pairedTTest(a, b);
    expectClose(r.pValue, 2 * (1 - studentTCdf(Math.abs(r.t), 5)), 1e-12);
    expectClose(pairedTTest(b, a).pValue, r.pValue, 1e-14);
  });

  it('gives NaN with fewer than 2 pairs or identical differences', () => {
    expect(pairedTTest([1], [0]).pValue).toBeNaN();
    const constant = pairedTTest([1, 2, 3], [0, 1, 2]);
    expect(constant.diff).toBe(1);
    expect(constant.pValue).toBeNaN();
    expect(() => pairedTTest([1, 2], [1])).toThrow('pairedTTest: expected two samples of the same length, got 2 and 1');
  });
});
