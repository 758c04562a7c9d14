import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { binaryResults } from '../../../test/arena-fixtures.js';
import { renderReportHtml, resultsCsv, summaryCsv, writeReport } from './index.js';

describe('writeReport(results, outDir)', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('creates the folder and writes report.html, results.csv and summary.csv', async () => {
    const root = await mkdtemp(join(tmpdir(), 'losskit-report-'));
    dirs.push(root);
    const out = join(root, 'nested', 'arena-report');
    const r = binaryResults();
    const paths = await writeReport(r, out);
    expect(paths).toEqual([join(out, 'report.html'), join(out, 'results.csv'), join(out, 'summary.csv')]);
    expect(await readFile(paths[0] as string, 'utf8')).toBe(renderReportHtml(r));
    expect(await readFile(paths[1] as string, 'utf8')).toBe(resultsCsv(r));
    expect(await readFile(paths[2] as string, 'utf8')).toBe(summaryCsv(r));
    // Writing again overwrites.
    await writeReport(r, out);
  });
});
