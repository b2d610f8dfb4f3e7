import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { cli, startCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'kramers-reproduce-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Point {
  x: number;
  gamma: number;
  ci: [number, number];
  predictedGamma: number | null;
  exactGamma: number | null;
  cv: number | null;
  escaped: number;
  replicas: number;
  meanEscapeTime: number | null;
  stepsRun: number;
}
interface Panel {
  id: string;
  optimizer: string;
  x: string;
  y: '-log(gamma)' | 'gamma';
  noise: string;
  points: Point[];
  fit: { slope: number; intercept: number; pearson: number | null } | null;
  chi2dof: { exponential: number | null; powerLaw: number | null };
  withoutEscapes: number;
}
interface FigureDoc {
  figure: string;
  noiseModel: string;
  panels: Panel[];
  runner: string;
  jobs: number;
}

const PANELS = ['sgd-k', 'sgd-batch', 'sgd-lr', 'sgld-diffusion', 'sgld-k', 'adam-sqrt-k', 'adam-k', 'sgd-state-noise'];
// Per-coordinate barrier of 10-D Styblinski–Tang × 0.01 from its global minimum: 0.01 × 39.361778 (App. D).
const BARRIER = 0.39361778;

const readDoc = (out: string): FigureDoc => JSON.parse(readFileSync(join(out, 'styblinski-tang.json'), 'utf8')) as FigureDoc;

/** Least squares of y on x with Pearson's r: the reference the panel's fit is checked against. */
function leastSquares(x: number[], y: number[]): { slope: number; intercept: number; r: number } {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return { slope: sxy / sxx, intercept: my - (sxy / sxx) * mx, r: sxy / Math.sqrt(sxx * syy) };
}

const NUMERIC = new Set(['x', 'y', 'x1', 'x2', 'y1', 'y2', 'cx', 'cy', 'r', 'width', 'height']);

/** Well-formed enough to open: an XML declaration, one <svg> root, every element closed in order, finite coordinates. */
function checkSvg(name: string, svg: string): void {
  expect(svg.startsWith('<?xml'), name).toBe(true);
  expect(svg, name).toContain('<svg');
  expect(svg, name).not.toMatch(/NaN|Infinity|undefined/);
  const stack: string[] = [];
  let roots = 0;
  for (const m of svg.replace(/^<\?xml[^>]*\?>/, '').matchAll(/<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>/g)) {
    const [, close, tag, attrs, selfClosing] = m;
    if (close) expect(stack.pop(), `${name}: </${tag}>`).toBe(tag);
    else {
      if (stack.length === 0) roots++;
      if (!selfClosing) stack.push(tag!);
    }
    for (const a of attrs!.matchAll(/([\w:-]+)="([^"]*)"/g)) {
      if (NUMERIC.has(a[1]!) && !a[2]!.endsWith('%')) expect(Number.isFinite(Number(a[2])), `${name}: ${tag} ${a[1]}="${a[2]}"`).toBe(true);
    }
  }
  expect(stack, name).toEqual([]);
  expect(roots, name).toBe(1);
  // Every '<' started a tag the pattern read (no stray or malformed markup), and '&' only starts entities.
  expect((svg.match(/</g) ?? []).length - 1).toBe((svg.match(/<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>/g) ?? []).length);
  expect(svg).not.toMatch(/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/);
}

describe('kramers reproduce styblinski-tang (built binary)', () => {
  const quickOut = join(dir, 'quick');
  let quick: FigureDoc;

  test('--quick writes the JSON, the grid SVG and one SVG per panel, and the laws hold on the quick grid', async () => {
    const run = await cli(['reproduce', 'styblinski-tang', '--quick', '--out', quickOut]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^kramers reproduce styblinski-tang: 17 escape experiments × 100 replicas, in-process on /);
    expect(run.stdout).toContain(`wrote ${quickOut}/styblinski-tang.json, ${quickOut}/styblinski-tang.svg and one SVG per panel (17 experiments in`);
    expect(readdirSync(quickOut).sort()).toEqual(
      ['styblinski-tang.json', 'styblinski-tang.svg', ...PANELS.map((id) => `styblinski-tang-${id}.svg`)].sort(),
    );
    for (const f of readdirSync(quickOut).filter((f) => f.endsWith('.svg'))) checkSvg(f, readFileSync(join(quickOut, f), 'utf8'));

    quick = readDoc(quickOut);
    expect(quick.figure).toBe('styblinski-tang');
    expect(quick.noiseModel).toContain('frozen');
    expect(quick.runner).toBe('in-process');
    expect(quick.jobs).toBe(17);
    expect(quick.panels.map((p) => p.id)).toEqual(PANELS);
    for (const p of quick.panels) {
      expect(Object.keys(p)).toEqual(expect.arrayContaining(['optimizer', 'x', 'points', 'fit', 'chi2dof']));
      expect(p.points).toHaveLength(p.id === 'sgd-state-noise' ? 1 : 3);
      for (const q of p.points) {
        expect(Object.keys(q)).toEqual(expect.arrayContaining(['x', 'gamma', 'ci', 'predictedGamma', 'cv', 'escaped', 'replicas']));
        expect(q.replicas).toBe(100);
        expect(q.ci[0]).toBeLessThanOrEqual(q.gamma);
        expect(q.ci[1]).toBeGreaterThan(q.gamma);
        // CV near 1 (memoryless escapes) wherever nearly all escaped.
        if (q.escaped >= 90) {
          expect(q.cv!, `${p.id} x = ${q.x}`).toBeGreaterThan(0.7);
          expect(q.cv!, `${p.id} x = ${q.x}`).toBeLessThan(1.3);
        }
      }
      if (p.id === 'sgd-state-noise') continue;
      expect(p.points.every((q) => q.escaped >= 95)).toBe(true);
      // The panel's fit against least squares recomputed from its points.
      const xs = p.points.map((q) => q.x);
      const ys = p.points.map((q) => (p.y === 'gamma' ? q.gamma : -Math.log(q.gamma)));
      const ref = leastSquares(xs, ys);
      expect(p.fit!.slope / ref.slope).toBeCloseTo(1, 9);
      expect(p.fit!.intercept - ref.intercept).toBeCloseTo(0, 9);
      expect(p.fit!.pearson!).toBeCloseTo(ref.r, 9);
      // Three points: a χ²/dof for each law, one degree of freedom each.
      expect(p.chi2dof.exponential).toBeGreaterThanOrEqual(0);
      expect(p.chi2dof.powerLaw).toBeGreaterThanOrEqual(0);
      if (p.optimizer === 'sgd' || p.optimizer === 'sgld') {
        expect(Math.abs(p.fit!.pearson!), p.id).toBeGreaterThanOrEqual(0.99);
        // Escapes get rarer along every x: flatter, larger B, smaller η, colder — and more frequent with sharper k.
        expect(p.fit!.slope, p.id).toBeGreaterThan(0);
      }
    }
    const panel = (id: string): Panel => quick.panels.find((p) => p.id === id)!;
    // Theorem 3.1: −log γ = ΔL/D + const, so the slope against 1/D is the barrier.
    expect(panel('sgld-diffusion').fit!.slope / BARRIER).toBeGreaterThan(0.8);
    expect(panel('sgld-diffusion').fit!.slope / BARRIER).toBeLessThan(1.2);
    for (const id of ['sgld-diffusion', 'sgld-k']) {
      for (const q of panel(id).points) {
        // Observed mean escape time within 2× of Theorem 3.1 and within 20 % of the exact first passage.
        const observedOverPredicted = q.meanEscapeTime! * q.predictedGamma!;
        expect(observedOverPredicted, `${id} x = ${q.x}`).toBeGreaterThan(0.5);
        expect(observedOverPredicted, `${id} x = ${q.x}`).toBeLessThan(2);
        const observedOverExact = q.meanEscapeTime! * q.exactGamma!;
        expect(observedOverExact, `${id} x = ${q.x}`).toBeGreaterThan(0.8);
        expect(observedOverExact, `${id} x = ${q.x}`).toBeLessThan(1.2);
      }
    }
    // The state-dependent noise blocks escape: nothing left the valley in the budget; the interval only bounds γ.
    const state = panel('sgd-state-noise');
    expect(state.noise).toBe('state');
    expect(state.points[0]).toMatchObject({ escaped: 0, gamma: 0, cv: null, meanEscapeTime: null, stepsRun: 20000 });
    expect(state.points[0]!.ci[1]).toBeCloseTo(7.377759 / (2 * 100 * 20000), 12);
    expect(state.withoutEscapes).toBe(1);
    expect(state.fit).toBeNull();
  });

  test('--workers 2 gives the same points bit for bit as the in-process run', async () => {
    const out = join(dir, 'workers');
    const run = await cli(['reproduce', 'styblinski-tang', '--quick', '--workers', '2', '--out', out, '--json']);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('worker-threads×2');
    const printed = JSON.parse(run.stdout) as FigureDoc;
    const written = readDoc(out);
    expect(printed).toEqual(written);
    expect(written.runner).toBe('worker-threads×2');
    expect(written.panels).toEqual(quick.panels);
  });

  test('an unknown figure exits 2 naming the argument and the figures there are, writing nothing', async () => {
    const out = join(dir, 'unknown');
    const run = await cli(['reproduce', 'figure-9', '--out', out]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('<figure> got "figure-9"; allowed: styblinski-tang, banknote.');
    expect(run.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  test('SIGINT during the full grid exits 130 after writing the figure, the unfinished points censored', async () => {
    const out = join(dir, 'interrupted');
    const run = startCli(['reproduce', 'styblinski-tang', '--out', out]);
    const t0 = Date.now();
    while (!run.stderr().includes('escape experiments') && run.child.exitCode === null && Date.now() - t0 < 30_000) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 2000));
    expect(run.child.exitCode).toBeNull();
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.stderr()).toContain('kramers: SIGINT: stopping; unfinished points will be censored');
    expect(run.stderr()).toContain('kramers: interrupted by SIGINT; the figure was written with the unfinished points censored');
    const doc = readDoc(out);
    expect(doc.jobs).toBe(33);
    expect(existsSync(join(out, 'styblinski-tang.svg'))).toBe(true);
    expect(readdirSync(out).filter((f) => f.includes('.tmp-'))).toEqual([]);
    const points = doc.panels.flatMap((p) => p.points);
    const unfinished = points.filter((q) => q.escaped < q.replicas);
    // Jobs run longest first, and the first needs far more than 2 s: most points stopped short.
    expect(unfinished.length).toBeGreaterThan(points.length / 2);
    for (const q of unfinished) {
      // Stopped at a yield (every 1024 iterations), the replicas still inside censored there.
      expect(q.stepsRun % 1024).toBe(0);
      expect(q.ci[1]).toBeGreaterThan(q.gamma);
      expect(Number.isFinite(q.ci[1])).toBe(true);
    }
    // Only the job running at the signal went beyond the first yield; every later one stopped at its first.
    expect(new Set(unfinished.filter((q) => q.stepsRun > 1024).map((q) => q.stepsRun)).size).toBeLessThanOrEqual(1);
    expect(unfinished.filter((q) => q.stepsRun === 1024).length).toBeGreaterThan(points.length / 2);
  });
});
