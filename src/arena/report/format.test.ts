import { describe, expect, it } from 'vitest';
import { decimalsFor, fixed, formatP, formatSeconds, oneLine, shortNumber, signed } from './format.js';

describe('report number formatting', () => {
  it('decimalsFor shows about four significant digits of the largest value', () => {
    expect(decimalsFor([0.9123, 0.5])).toBe(4);
    expect(decimalsFor([12.34, -3])).toBe(2);
    expect(decimalsFor([0.01234])).toBe(5);
    expect(decimalsFor([1234.5])).toBe(0);
    expect(decimalsFor([1e-9])).toBe(6);
    expect(decimalsFor([Number.NaN, 0])).toBe(4);
    expect(decimalsFor([])).toBe(4);
  });

  it('fixed writes missing values as n/a and never -0', () => {
    expect(fixed(0.12345, 3)).toBe('0.123');
    expect(fixed(Number.NaN, 3)).toBe('n/a');
    expect(fixed(undefined, 3)).toBe('n/a');
    expect(fixed(Number.POSITIVE_INFINITY, 3)).toBe('∞');
    expect(fixed(-0.00001, 3)).toBe('0.000');
  });

  it('treats null (NaN read back from JSON) as missing', () => {
    const nil = null as unknown as number;
    expect(fixed(nil, 2)).toBe('n/a');
    expect(signed(nil, 2)).toBe('n/a');
    expect(formatP(nil)).toBe('n/a');
    expect(formatSeconds(nil)).toBe('n/a');
    expect(shortNumber(nil)).toBe('n/a');
  });

  it('signed adds + to positive differences only', () => {
    expect(signed(0.0123, 3)).toBe('+0.012');
    expect(signed(-0.0123, 3)).toBe('-0.012');
    expect(signed(0.00001, 3)).toBe('0.000');
    expect(signed(Number.NaN, 3)).toBe('n/a');
  });

  it('formatP', () => {
    expect(formatP(0.04123)).toBe('0.041');
    expect(formatP(0.0004)).toBe('<0.001');
    expect(formatP(Number.NaN)).toBe('n/a');
    expect(formatP(1)).toBe('1.000');
  });

  it('formatSeconds and shortNumber', () => {
    expect(formatSeconds(0.012345)).toBe('0.0123');
    expect(formatSeconds(12.345)).toBe('12.3');
    expect(formatSeconds(1234.5)).toBe('1235');
    expect(formatSeconds(Number.NaN)).toBe('n/a');
    expect(shortNumber(0.001)).toBe('0.001');
    expect(shortNumber(0.0001)).toBe('1.00e-4');
    expect(shortNumber(123456)).toBe('123500');
    expect(shortNumber(Number.NEGATIVE_INFINITY)).toBe('-∞');
  });

  it('oneLine removes newlines and terminal escapes', () => {
    expect(oneLine('a\nb\r\n\u001b[31mred\u001b[0m\t')).toBe('a b [31mred [0m');
  });
});
