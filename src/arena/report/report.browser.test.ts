import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BINARY_LOSSES, binaryResults, HOSTILE, hostileResults, regressionResults } from '../../../test/arena-fixtures.js';
import type { ArenaResults } from '../results.js';
import { writeReport } from './index.js';

// report.html opened in headless Chromium (Debian's `chromium` package). Without the browser the
// suite is skipped locally and fails under CI.
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const IN_CI = process.env.CI !== undefined && process.env.CI !== '';
const SKIP = !existsSync(CHROMIUM) && !IN_CI;
const SKIP_REASON = `${CHROMIUM} not found (apt-get install -y chromium); set CI to make this a failure`;
if (SKIP) console.warn(`report.html browser test skipped: ${SKIP_REASON}`);

interface Problems {
  consoleErrors: string[];
  failedRequests: string[];
  externalRequests: string[];
  dialogs: string[];
}

async function open(browser: Browser, results: ArenaResults, dir: string): Promise<{ page: Page; problems: Problems }> {
  const [html] = await writeReport(results, dir);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: Problems = { consoleErrors: [], failedRequests: [], externalRequests: [], dialogs: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') problems.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => problems.consoleErrors.push(e.message));
  page.on('requestfailed', (r) => problems.failedRequests.push(`${r.url()}: ${r.failure()?.errorText}`));
  page.on('request', (r) => {
    if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) problems.externalRequests.push(r.url());
  });
  page.on('dialog', async (d) => {
    problems.dialogs.push(d.message());
    await d.dismiss();
  });
  await page.goto(pathToFileURL(html as string).href, { waitUntil: 'load' });
  return { page, problems };
}

const noProblems: Problems = { consoleErrors: [], failedRequests: [], externalRequests: [], dialogs: [] };

async function chartSizes(page: Page) {
  return page.$$eval('svg.chart', (svgs) =>
    svgs.map((s) => {
      const box = s.getBoundingClientRect();
      return { kind: s.classList[1], width: box.width, height: box.height };
    }),
  );
}

describe.skipIf(SKIP)(SKIP ? `report.html in Chromium (skipped: ${SKIP_REASON})` : 'report.html in Chromium', () => {
  let browser: Browser;
  let root: string;

  beforeAll(async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is required when CI is set: apt-get update && apt-get install -y chromium`).toBe(true);
    root = await mkdtemp(join(tmpdir(), 'losskit-report-browser-'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 120_000 });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('renders the binary report: summary rows, every chart with a size, no errors or requests', async () => {
    const r = binaryResults();
    const { page, problems } = await open(browser, r, join(root, 'binary'));
    const rows = await page.$$eval('#summary-table tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-loss')));
    expect([...rows].sort()).toEqual(BINARY_LOSSES.map((l) => l.key).sort());
    expect(rows[0]).toBe(r.best.auc);
    const headers = await page.$$eval('#summary-table thead th', (ths) => ths.map((th) => th.textContent?.trim()));
    expect(headers).toEqual(['Loss', 'Trials', 'ROC AUC ↑', 'Accuracy ↑', 'Log loss ↓', 'ECE ↓', 's / epoch']);

    const charts = await chartSizes(page);
    expect(charts.map((c) => c.kind)).toEqual(['line-chart', 'bar-chart', 'bar-chart', 'bar-chart', 'bar-chart', 'reliability-chart', 'reliability-chart', 'reliability-chart']);
    for (const c of charts) {
      expect(c.width).toBeGreaterThan(200);
      expect(c.height).toBeGreaterThan(100);
    }
    // Every bar and curve is drawn with a non-zero size (reliability bins may be 0 high: accuracy 0).
    const sizes = await page.$$eval('rect.bar, svg.line-chart path, rect.bin', (els) =>
      els.map((e) => {
        const b = e.getBoundingClientRect();
        return { kind: e.getAttribute('class') ?? 'path', width: b.width, height: b.height };
      }),
    );
    expect(sizes.filter((s) => s.kind === 'bar')).toHaveLength(4 * 3);
    expect(sizes.filter((s) => s.kind === 'path')).toHaveLength(3);
    expect(sizes.filter((s) => s.kind === 'bin')).toHaveLength(3 * 9);
    for (const s of sizes) expect(s.width).toBeGreaterThan(0);
    for (const s of sizes.filter((x) => x.kind !== 'bin')) expect(s.height).toBeGreaterThan(0);

    await page.screenshot({ path: '/tmp/report.png', fullPage: true });
    expect(problems).toEqual(noProblems);
    await page.close();
  }, 120_000);

  it('renders a regression report without calibration diagrams', async () => {
    const { page, problems } = await open(browser, regressionResults(), join(root, 'regression'));
    expect(await page.$$eval('#summary-table tbody tr', (trs) => trs.length)).toBe(3);
    const charts = await chartSizes(page);
    expect(charts.map((c) => c.kind)).toEqual(['line-chart', 'bar-chart', 'bar-chart', 'bar-chart']);
    expect(charts.every((c) => c.width > 0 && c.height > 0)).toBe(true);
    expect(await page.$('#calibration')).toBeNull();
    expect(problems).toEqual(noProblems);
    await page.close();
  }, 120_000);

  it('shows hostile names as text: no element, script or dialog comes from the data', async () => {
    const { page, problems } = await open(browser, hostileResults(), join(root, 'hostile'));
    expect(await page.$$eval('img, script, iframe', (els) => els.length)).toBe(0);
    const cells = await page.$$eval('#summary-table td.loss', (tds) => tds.map((td) => td.firstChild?.nextSibling?.textContent));
    expect(cells).toContain(HOSTILE);
    expect(await page.title()).toBe(`Loss arena: "><script>alert(2)</script>`);
    const classes = await page.$eval('dl.meta', (dl) => dl.textContent ?? '');
    expect(classes).toContain(`benign (214), ${HOSTILE}`);
    expect(problems).toEqual(noProblems);
    await page.close();
  }, 120_000);
});
