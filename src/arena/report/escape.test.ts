import { describe, expect, it } from 'vitest';
import { escapeHtml } from './escape.js';

describe('escapeHtml(text)', () => {
  it('escapes the five characters that matter in content and in quoted attributes', () => {
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });

  it('turns a hostile class name into inert text', () => {
    expect(escapeHtml('<img src=x onerror=alert(1)>')).toBe('&lt;img src=x onerror=alert(1)&gt;');
    expect(escapeHtml(`"><script>alert('x')</script>`)).toBe('&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;');
  });

  it('escapes an existing entity again (text is never taken as markup)', () => {
    expect(escapeHtml('&lt;')).toBe('&amp;lt;');
  });

  it('leaves other text, including non-ASCII, unchanged', () => {
    expect(escapeHtml('sigmoidFocalLoss:gamma=2 · R² ± Δ')).toBe('sigmoidFocalLoss:gamma=2 · R² ± Δ');
    expect(escapeHtml('')).toBe('');
  });

  it('stringifies non-string values', () => {
    expect(escapeHtml(42)).toBe('42');
    expect(escapeHtml(null)).toBe('null');
  });

  it('leaves no < > " or \' in the output of random strings over those characters', () => {
    const alphabet = `<>"'&a =/`;
    let state = 12345;
    for (let k = 0; k < 200; k++) {
      let s = '';
      for (let i = 0; i < 20; i++) {
        state = (state * 1103515245 + 12345) % 2147483648;
        s += alphabet[state % alphabet.length];
      }
      const out = escapeHtml(s);
      expect(out).not.toMatch(/[<>"']/);
      // Decoding gives the input back.
      const decoded = out.replace(/&(lt|gt|quot|#39|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e] as string);
      expect(decoded).toBe(s);
    }
  });
});
