import * as tf from '@tensorflow/tfjs-core';

/** Median of a list of numbers. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/**
 * Median wall time in milliseconds of `body` over `runs` runs after `warmup` runs; `body` must
 * read its result back (dataSync) so that asynchronous backends are timed to completion.
 */
export function timeMedian(body: () => void, runs: number, warmup = 2): number {
  for (let i = 0; i < warmup; i++) body();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    body();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** Fixed-width text table. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Starts a tfjs backend by name and silences tfjs' console banner. */
export async function useBackend(name: string): Promise<void> {
  tf.env().set('PROD', true);
  if (!(await tf.setBackend(name))) throw new Error(`backend ${name} did not start`);
}
