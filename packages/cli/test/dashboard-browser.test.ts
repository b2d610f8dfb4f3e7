// The live page in a real headless browser (Debian's chromium, driven by playwright-core) while a short
// `kramers compare --dashboard` trains: every chart gets each run, a toggle hides a run, nothing is fetched from
// outside the page's own origin, and a screenshot is kept in test-artifacts/. `.ci/run` installs chromium; on a
// machine without it the test is skipped, saying so.
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { chromium } from 'playwright-core';
import { startCli, waitForMatch } from './run-cli.js';

const executable = [process.env['CHROMIUM'], '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p !== undefined && existsSync(p));
const artifacts = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));

test.skipIf(executable === undefined)('kramers compare --dashboard in headless chromium: charts per run, a toggle, no outside requests, a screenshot', async () => {
  const run = startCli(['compare', '--epochs', '4', '--no-progress', '--dashboard']);
  const url = (await waitForMatch(run.stderr, /dashboard at (http:\/\/127\.0\.0\.1:\d+\/)/))[1]!;
  const browser = await chromium.launch({ executablePath: executable!, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1600 } });
    const origins = new Set<string>();
    page.on('request', (r) => origins.add(new URL(r.url()).origin));
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    // While training: the latest-values table fills with the three runs, and the theory's charts appear.
    await page.waitForFunction(() => document.querySelectorAll('#latest tbody tr').length >= 3, undefined, { timeout: 60_000 });
    await page.waitForFunction(
      () => ['Sharpness', 'Temperature', 'Predicted escape', 'noise scale'].every((t) => Array.from(document.querySelectorAll('.chart h2')).some((h) => h.textContent!.includes(t))),
      undefined,
      { timeout: 90_000 },
    );
    const runsShown = await page.$$eval('#runs .run-toggle', (bs) => bs.map((b) => b.textContent));
    expect(runsShown).toEqual(['sgd', 'sgld', 'adam']);
    // Each chart is a uPlot canvas with a legend entry per run.
    const legends = await page.$$eval('.chart', (cs) =>
      cs.map((c) => ({ title: c.querySelector('h2')!.textContent!, drawn: c.querySelectorAll('canvas, svg').length, text: c.textContent! })),
    );
    // compare measures these for every run (the spectral density chart stays empty: compare does not ask for it).
    for (const name of ['Loss', 'Accuracy', 'Sharpness', 'Temperature', 'Predicted escape', 'noise scale']) {
      const chart = legends.find((l) => l.title.includes(name));
      expect(chart, name).toBeDefined();
      expect(chart!.drawn, name).toBeGreaterThan(0);
      for (const r of ['sgd', 'sgld', 'adam']) expect(chart!.text, `${name}: ${r}`).toContain(r);
    }
    await page.click('#runs .run-toggle:nth-child(2)');
    await page.waitForFunction(() => document.querySelector('#runs .run-toggle:nth-child(2)')!.classList.contains('hidden'));
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: `${artifacts}dashboard.png`, fullPage: true });
    expect(errors).toEqual([]);
    expect([...origins]).toEqual([new URL(url).origin]);
  } finally {
    await browser.close();
    run.child.kill('SIGINT');
    await run.exited;
  }
}, 240_000);
