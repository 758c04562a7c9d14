/** Levenshtein distance, case-insensitive: how far a typed name is from a known one. */
function distance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const row = [i];
    for (let j = 1; j <= t.length; j++) {
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (s[i - 1] === t[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[t.length] as number;
}

/** The known names closest to `name` (at most `count`), for "did you mean" messages. */
export function closestNames(name: string, known: readonly string[], count = 3): string[] {
  return [...known]
    .map((k) => ({ k, d: k.toLowerCase().includes(name.toLowerCase()) && name.length >= 3 ? 0 : distance(name, k) }))
    .sort((a, b) => a.d - b.d || a.k.localeCompare(b.k))
    .slice(0, count)
    .map((x) => x.k);
}
