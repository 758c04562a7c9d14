// Trials per minute of the arena demo with 1 and 2 worker threads, measured in the same run on the
// built CLI (dist/), each configuration repeated; the ratio is the parallel speed-up.
// Usage: npm run bench:arena [-- --repeats 2]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatTable, median } from './measure.js';

const { values: args } = parseArgs({ options: { repeats: { type: 'string', default: '2' } } });
const repeats = Number(args.repeats);

function trialsPerMinute(workers: number): { perMinute: number; trials: number; secondsPerEpoch: number } {
  const out = mkdtempSync(join(tmpdir(), 'losskit-bench-'));
  try {
    const t0 = performance.now();
    execFileSync('node', ['dist/cli/main.js', 'arena', '--demo', '--quiet', '--workers', String(workers), '--out', out], { stdio: 'ignore' });
    const minutes = (performance.now() - t0) / 60_000;
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { trials: { secondsPerEpoch: number }[] };
    return { perMinute: results.trials.length / minutes, trials: results.trials.length, secondsPerEpoch: median(results.trials.map((t) => t.secondsPerEpoch)) };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const rows: string[][] = [];
const rates: Record<number, number[]> = { 1: [], 2: [] };
for (let r = 0; r < repeats; r++) {
  for (const workers of [1, 2]) {
    const m = trialsPerMinute(workers);
    rates[workers]!.push(m.perMinute);
    console.error(`workers ${workers}: ${m.trials} trials, ${m.perMinute.toFixed(1)} trials/min, median ${m.secondsPerEpoch.toFixed(3)} s/epoch`);
  }
}
const one = median(rates[1]!);
const two = median(rates[2]!);
rows.push(['1', one.toFixed(1), '1.00'], ['2', two.toFixed(1), (two / one).toFixed(2)]);
console.log(`\narena demo (whole process, including start-up), median of ${repeats} runs each\n`);
console.log(formatTable(['workers', 'trials/min', 'speed-up'], rows));
