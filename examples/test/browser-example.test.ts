// examples/browser in a real headless browser (Debian's chromium, driven by playwright-core): the page is built with
// esbuild, served by the example's own server, and trains with kramers attached on WebGL (SwiftShader) and on wasm in
// tabs side by side, and on wasm again in a tab denied WebGL, to see it fall back. Its λ_max must agree with the same
// experiment run here in Node on the cpu backend — same seed, data, initial weights, SGLD noise and steps — within
// float32 tolerance, and the registry's self-test must pass on the backend the page used. The browser part is skipped
// where chromium is missing (.ci/run installs it).
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

let server: ExampleServer;
let outdir: string;

beforeAll(async () => {
  outdir = mkdtempSync(join(tmpdir(), 'kramers-browser-example-'));
  // From the packages' sources: the page runs the same code as the Node side below, built or not.
  await buildExample({ outdir, fromSource: true });
  server = await startServer({ root: outdir });
});

afterAll(async () => {
  await server?.close();
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

test("the example's server: loopback, the page's files only, GET and HEAD only, a strict CSP", async () => {
  expect(new URL(server.url).hostname).toBe('127.0.0.1');
  const page = await fetch(server.url);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toContain('text/html');
  expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
  expect(page.headers.get('content-security-policy')).not.toMatch(/https?:/);
  expect(await page.text()).toContain('src="main.js"');
  const wasm = await fetch(new URL('tfjs-backend-wasm-simd.wasm', server.url));
  expect(wasm.headers.get('content-type')).toBe('application/wasm');
  expect(Buffer.from(await wasm.arrayBuffer()).subarray(0, 4)).toEqual(Buffer.from([0, 0x61, 0x73, 0x6d])); // \0asm
  expect((await fetch(new URL('tfvis.html', server.url))).headers.get('content-security-policy')).toContain("style-src 'self' 'unsafe-inline'");
  for (const path of ['/build.mjs', '/main.ts', '/../package.json', '/%2e%2e/package.json', '/dist/main.js']) {
    expect((await fetch(new URL(path, server.url))).status, path).toBe(404);
  }
  const post = await fetch(server.url, { method: 'POST', body: 'x' });
  expect(post.status).toBe(405);
  expect(post.headers.get('allow')).toBe('GET, HEAD');
});

describe.skipIf(executable === undefined)('examples/browser in headless chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: executable!,
      // SwiftShader gives headless chromium a CPU WebGL2 with float32 render targets.
      args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  /** A browser without WebGL, as far as the page can tell: every WebGL context request returns null. */
  const withoutWebgl = (): void => {
    for (const C of [HTMLCanvasElement, globalThis.OffscreenCanvas]) {
      if (C === undefined) continue;
      const original = C.prototype.getContext as (this: unknown, type: string, ...rest: unknown[]) => unknown;
      Object.defineProperty(C.prototype, 'getContext', {
        value(this: unknown, type: string, ...rest: unknown[]) {
          return /webgl/i.test(type) ? null : original.call(this, type, ...rest);
        },
      });
    }
  };

  async function openPage(query: string, { screenshot, noWebgl = false }: { screenshot?: string; noWebgl?: boolean } = {}) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    if (noWebgl) await page.addInitScript(withoutWebgl);
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
    const notes = await page.$$eval('#notes li', (ls) => ls.map((l) => l.textContent));
    if (screenshot) {
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, screenshot), fullPage: true });
    }
    await page.close();
    return { result, errors, origins: [...origins], charts, runs, notes };
  }

  test('trains in the page on webgl and wasm with kramers attached; λ_max agrees with Node (cpu) within 1e-5 relative', async () => {
    // The inlined data set is the package's iris, row for row.
    const iris = loadDataset('iris');
    expect(IRIS_FEATURES.flat()).toEqual(Array.from(iris.exactFeatures ?? iris.features));
    expect(IRIS_LABELS).toEqual(Array.from(iris.labels));

    const [webgl, wasm, fallback] = await Promise.all([
      openPage(`backend=webgl&epochs=${WEBGL_EPOCHS}`, { screenshot: 'browser-example.png' }),
      openPage('backend=wasm'),
      // Where WebGL cannot start, the page says so and trains on wasm.
      openPage('backend=webgl&epochs=1', { noWebgl: true }),
    ]);

    await useBackend('cpu');
    const node: Record<string, ExperimentResult> = {
      webgl: await runExperiment(() => {}, { epochs: WEBGL_EPOCHS }),
      wasm: await runExperiment(() => {}, { epochs: SETTINGS.epochs }),
    };

    const fell = fallback.result as PageResult;
    expect(fell.backend).toBe('wasm');
    expect(fell.notes).toEqual(['webgl: this browser cannot initialise it; falling back']);
    expect(fallback.notes).toEqual(fell.notes); // shown on the page, not only reported
    expect(fell.selfTest.ok).toBe(true);
    const oneEpoch = await runExperiment(() => {}, { epochs: 1 });
    expect(relDiff(fell.lambdaMax, oneEpoch.lambdaMax)).toBeLessThan(LAMBDA_RTOL);
    const report: string[] = [];
    for (const [backend, page] of [['webgl', webgl], ['wasm', wasm]] as const) {
      expect(page.errors, backend).toEqual([]);
      expect(page.origins, backend).toEqual([new URL(server.url).origin]);
      expect('error' in page.result ? page.result.error : undefined, backend).toBeUndefined();
      const r = page.result as PageResult;
      // No fallback: the backend asked for is the one that trained, and the registry's self-test passed on it.
      expect(r.backend).toBe(backend);
      expect(r.notes).toEqual([]);
      expect(page.notes).toEqual([]);
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

  test('tfvis.html: the same run drawn by the real tfjs-vis through tfvisSurface, one visor chart per metric', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors: string[] = [];
    const origins = new Set<string>();
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    page.on('request', (r) => void origins.add(new URL(r.url()).origin));
    await page.goto(new URL('tfvis.html', server.url).href);
    await page.waitForFunction(() => window.kramersTfvis !== undefined, undefined, { timeout: 120_000 });
    const outcome = await page.evaluate(() => window.kramersTfvis!);
    expect('error' in outcome ? outcome.error : undefined).toBeUndefined();
    const { lambdaMax, metrics } = outcome as { lambdaMax: number; metrics: string[] };
    // tfjs-vis renders with vega: each surface gets its name as heading and a chart (canvas or SVG) once drawn.
    await page.waitForFunction((n) => document.querySelectorAll('.visor canvas, .visor svg').length >= n, metrics.length, { timeout: 30_000 });
    const visor = await page.evaluate(() => ({
      text: document.querySelector('.visor')?.textContent ?? '',
      charts: document.querySelectorAll('.visor canvas, .visor svg').length,
    }));
    for (const name of metrics) expect(visor.text, name).toContain(name);
    expect(visor.charts).toBeGreaterThanOrEqual(metrics.length);
    expect(errors).toEqual([]);
    expect([...origins]).toEqual([new URL(server.url).origin]);
    await page.close();
    // The page trained on cpu, 4 epochs: the same λ_max as Node on cpu (one tfjs-core in the bundle, or it breaks).
    await useBackend('cpu');
    const node = await runExperiment(() => {}, { epochs: 4 });
    expect(relDiff(lambdaMax, node.lambdaMax)).toBeLessThan(LAMBDA_RTOL);
  }, 180_000);
});
