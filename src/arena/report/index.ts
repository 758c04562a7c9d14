/**
 * The arena's report files: `report.html` (self-contained, opens offline), `results.csv` (one row per
 * trial) and `summary.csv` (one row per loss and metric). `results.json` is written by the arena.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArenaResults } from '../results.js';
import { resultsCsv, summaryCsv } from './csv.js';
import { renderReportHtml } from './html.js';

export { csvField, resultsCsv, summaryCsv, toCsv } from './csv.js';
export { escapeHtml } from './escape.js';
export { renderReportHtml } from './html.js';
export { formatSummaryTable, type SummaryTableOptions } from './table.js';

/**
 * Writes `report.html`, `results.csv` and `summary.csv` into `outDir` (created if missing) and returns
 * the paths written, in that order.
 */
export async function writeReport(results: ArenaResults, outDir: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const files: Array<[string, string]> = [
    ['report.html', renderReportHtml(results)],
    ['results.csv', resultsCsv(results)],
    ['summary.csv', summaryCsv(results)],
  ];
  const paths: string[] = [];
  for (const [name, text] of files) {
    const path = join(outDir, name);
    await writeFile(path, text, 'utf8');
    paths.push(path);
  }
  return paths;
}
