// examples/browser in a real headless browser (Debian's chromium, driven by playwright-core): the page is built with
// esbuild, served by the example's own server, and trains with kramers attached on WebGL (SwiftShader) and on wasm,
// in two tabs at once. Its λ_max must agree with the same experiment run here in Node on the cpu backend — same seed,
// data, initial weights, SGLD noise and steps — within float32 tolerance, and the registry's self-test must pass on
// the backend the page used. Skipped, saying so, where chromium is missing (.ci/run installs it).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { useBackend } from '@kramers/core';
import { loadDataset } from '@kramers/datasets';
import { IRIS_FEATURES, IRIS_LABELS } from '../browser/iris.js';
import { lambdaMaxAt, runExperiment, SETTINGS, type ExperimentResult } from '../browser/experiment.js';
import type { PageResult } from '../browser/main.js';
import { buildExample } from '../browser/build.mjs';
import { startServer, type ExampleServer } from '../browser/serve.mjs';

const executable = [process.env['CHROMIUM'], '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p !== undefined && existsSync(p));
const artifacts = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

/**
 * λ_max agreement across backends, relative. Each backend rounds float32 operations differently (WebGL shaders,
 * wasm SIMD kernels, JS on cpu), and those differences pass through every training step and the Lanczos run: measured
 * here 3e-8 … 2e-7. The bound, 1e-5 (about 80 float32 ulps), leaves room for that and still catches any real
 * error: stock tfjs second derivatives are off by O(1) or throw, and a wrong gradient path by far more than 1e-5.
 */
const LAMBDA_RTOL = 1e-5;
/** The short WebGL run: SwiftShader compiles every shader on the CPU, so a full 20-epoch run takes over a minute. */
const WEBGL_EPOCHS = 5;

const relDiff = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe.skipIf(executable === undefined)('examples/browser in headless chromium', () => {
  let browser: Browser;
  let server: ExampleServer;
  let outdir: string;

  beforeAll(async () => {
    outdir = mkdtempSync(join(tmpdir(), 'kramers-browser-example-'));
    // From the packages' sources: the page runs the same code as the Node side below, built or not.
    await buildExample({ outdir, fromSource: true });
    server = await startServer({ root: outdir });
    browser = await chromium.launch({
      executablePath: executable!,
      // SwiftShader gives headless chromium a CPU WebGL2 with float32 render targets.
      args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (outdir) rmSync(outdir, { recursive: true, force: true });
  });

  async function openPage(query: string, screenshot?: string) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors: string[] = [];
    const origins = new Set<string>();
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    page.on('request', (r) => void origins.add(new URL(r.url()).origin));
    await page.goto(`${server.url}?${query}`);
    await page.waitForFunction(() => window.kramersResult !== undefined, undefined, { timeout: 150_000 });
    const result = (await page.evaluate(() => window.kramersResult)) as PageResult | { error: string };
    const charts = await page.$$eval('.chart', (cs) => cs.map((c) => ({ title: c.querySelector('h2')!.textContent!, canvases: c.querySelectorAll('canvas').length })));
    const runs = await page.$$eval('.run-toggle', (bs) => bs.map((b) => b.textContent));
    if (screenshot) {
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, screenshot), fullPage: true });
    }
    await page.close();
    return { result, errors, origins: [...origins], charts, runs };
  }

  test('trains in the page on webgl and wasm with kramers attached; λ_max agrees with Node (cpu) within 1e-5 relative', async () => {
    // The inlined data set is the package's iris, row for row.
    const iris = loadDataset('iris');
    expect(IRIS_FEATURES.flat()).toEqual(Array.from(iris.exactFeatures ?? iris.features));
    expect(IRIS_LABELS).toEqual(Array.from(iris.labels));

    const [webgl, wasm] = await Promise.all([openPage(`backend=webgl&epochs=${WEBGL_EPOCHS}`, 'browser-example.png'), openPage('backend=wasm')]);

    await useBackend('cpu');
    const node: Record<string, ExperimentResult> = {
      webgl: await runExperiment(() => {}, { epochs: WEBGL_EPOCHS }),
      wasm: await runExperiment(() => {}, { epochs: SETTINGS.epochs }),
    };
    const report: string[] = [];
    for (const [backend, page] of [['webgl', webgl], ['wasm', wasm]] as const) {
      expect(page.errors, backend).toEqual([]);
      expect(page.origins, backend).toEqual([new URL(server.url).origin]);
      expect('error' in page.result ? page.result.error : undefined, backend).toBeUndefined();
      const r = page.result as PageResult;
      // No fallback: the backend asked for is the one that trained, and the registry's self-test passed on it.
      expect(r.backend).toBe(backend);
      expect(r.notes).toEqual([]);
      expect(r.selfTest.ok, r.selfTest.failures.join('; ')).toBe(true);
      expect(r.selfTest.maxRelError).toBeLessThan(1e-3);
      expect(r.selfTest.stockFailures.length, `${backend}: stock tfjs should fail cases the registry fixes`).toBeGreaterThan(0);

      const n = node[backend]!;
      expect(r.result.steps).toBe(n.steps);
      expect(r.result.lambdaMaxSeries.map((p) => p.iteration)).toEqual(n.lambdaMaxSeries.map((p) => p.iteration));
      // Every measurement along the way, and the last, at the final parameters.
      r.result.lambdaMaxSeries.forEach((p, i) => expect(relDiff(p.value, n.lambdaMaxSeries[i]!.value), `${backend} λ_max at step ${p.iteration}`).toBeLessThan(LAMBDA_RTOL));
      expect(relDiff(r.lambdaMax, n.lambdaMax)).toBeLessThan(LAMBDA_RTOL);
      // The HVP alone, without the trajectory: λ_max at exactly the page's final weights, measured here.
      const atPageWeights = lambdaMaxAt(r.result.weights);
      expect(relDiff(r.lambdaMax, atPageWeights)).toBeLessThan(LAMBDA_RTOL);
      expect(relDiff(r.result.finalLoss, n.finalLoss)).toBeLessThan(LAMBDA_RTOL);
      expect(r.lambdaMax).toBeGreaterThan(0.5); // a real curvature, not a zero from a dead gradient path

      // The dashboard's charts, drawn in the page: loss, accuracy and sharpness, each a uPlot canvas, one run.
      expect(page.runs).toEqual(['sgld']);
      for (const title of ['Loss', 'Accuracy', 'Sharpness']) {
        const chart = page.charts.find((c) => c.title.startsWith(title));
        expect(chart?.canvases, `${backend}: ${title} chart`).toBeGreaterThan(0);
      }
      report.push(
        `${backend}: λ_max ${r.lambdaMax} vs Node cpu ${n.lambdaMax} (rel ${relDiff(r.lambdaMax, n.lambdaMax).toExponential(1)}), ` +
          `at the page's weights ${atPageWeights} (rel ${relDiff(r.lambdaMax, atPageWeights).toExponential(1)}); self-test max rel error ` +
          `${r.selfTest.maxRelError.toExponential(1)} (${r.selfTestMs.toFixed(0)} ms), training ${r.result.trainMs.toFixed(0)} ms`,
      );
    }
    console.log(report.join('\n'));
    expect(tf.memory().numTensors).toBe(0);
  }, 240_000);
});
