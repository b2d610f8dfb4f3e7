import { describe, expect, test } from 'vitest';
import { cli, kramers } from './run-cli.js';

interface Escape {
  replica: number;
  step: number;
  exit: string;
}
interface Doc {
  gamma: number | null;
  ci: [number, number];
  meanEscapeTime: number | null;
  meanEscapeTimeDynamical: number | null;
  cv: number | null;
  cvExpected: number | null;
  escaped: number;
  replicas: number;
  censored: number;
  predicted: {
    gamma: number | null;
    meanEscapeTime: number | null;
    formula: string;
    paths: number;
    temperature: { atMinimum: number; atCol: number } | null;
    exact: { gamma: number; meanEscapeTime: number } | null;
    assumptions: { boundary: { holds: boolean; note: string }; noise: { holds: boolean; note: string } };
  };
  observedOverExact: number | null;
  config: {
    landscape: { name: string };
    optimizer: { name: string; learningRate: number };
    noise: string;
    seed: number;
    replicas: number;
    maxSteps: number;
    boundary: string;
    backend: string;
    stepsRun: number;
    elapsedMs: number;
  };
  escapes: Escape[];
}

/** `kramers escape --json …` in this process (the CLI's sources), parsed. */
async function escape(...args: string[]): Promise<Doc> {
  const { code, out, err } = await kramers('escape', '--json', ...args);
  expect(err).toBe('');
  expect(code).toBe(0);
  return JSON.parse(out) as Doc;
}

const withoutElapsed = (d: Doc): unknown => ({ ...d, config: { ...d.config, elapsedMs: 0 } });

// 95 % χ² quantiles of 80 degrees of freedom (2N for N = 40 uncensored escapes) and of 2 (no escape): tables.
const CHI2_80_LO = 57.15317;
const CHI2_80_HI = 106.62857;
const CHI2_2_HI = 7.377759;

/** Wilson–Hilferty approximation of a χ² quantile (relative error < 1e-3 at these degrees of freedom). */
function chi2Quantile(z: number, dof: number): number {
  const c = 2 / (9 * dof);
  return dof * (1 - c + z * Math.sqrt(c)) ** 3;
}
const Z975 = 1.959964;

/** 10-D Styblinski–Tang × 0.01, per coordinate: p(x) = 0.005(x⁴ − 16x² + 5x) (Xie et al. 2021, App. D). */
const stProfile = {
  value: (x: number) => 0.005 * (x ** 4 - 16 * x ** 2 + 5 * x),
  d1: (x: number) => 0.005 * (4 * x ** 3 - 32 * x + 5),
  d2: (x: number) => 0.005 * (12 * x ** 2 - 32),
};
function newton(f: (x: number) => number, df: (x: number) => number, x: number): number {
  for (let i = 0; i < 100; i++) x -= f(x) / df(x);
  return x;
}

// Small default settings: SGD η = 0.5, frozen noise H(θ_a)/B, B = 1, 40 replicas, midway boundary, seed 3.
const SMALL = ['--replicas', '40', '--max-steps', '20000', '--seed', '3'];

describe('kramers escape --json', () => {
  let base: Doc;

  test('the built binary prints one document: shape, internal consistency, the χ² interval and the theory', async () => {
    const run = await cli(['escape', '--json', ...SMALL]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    base = JSON.parse(run.stdout) as Doc;
    const d = base;
    expect(Object.keys(d)).toEqual(expect.arrayContaining(['gamma', 'ci', 'meanEscapeTime', 'cv', 'escaped', 'replicas', 'censored', 'predicted', 'config', 'escapes']));
    expect(d.predicted).toMatchObject({ formula: 'unified', paths: 10, assumptions: { boundary: { holds: true }, noise: { holds: true } } });
    expect(d.config).toMatchObject({
      landscape: { name: 'styblinski-tang', dim: 10, k: 1, scale: 0.01 },
      optimizer: { name: 'sgd', learningRate: 0.5 },
      noise: 'frozen',
      batchSize: 1,
      boundary: 'midway',
      replicas: 40,
      maxSteps: 20000,
      seed: 3,
      start: 'global',
    });

    // Every replica escaped well within the budget: no censoring, and the run stopped at the last escape.
    expect(d.escaped).toBe(40);
    expect(d.censored).toBe(0);
    expect(d.replicas).toBe(40);
    expect(d.escapes).toHaveLength(40);
    expect(d.escapes.map((e) => e.replica)).toEqual(Array.from({ length: 40 }, (_, r) => r));
    const steps = d.escapes.map((e) => e.step);
    expect(Math.max(...steps)).toBe(d.config.stepsRun);
    for (const e of d.escapes) {
      expect(e.step).toBeGreaterThanOrEqual(1);
      // From the global minimum (≈ −2.90) the only cols are upward.
      expect(e.exit).toMatch(/^x\d\+$/);
    }

    // γ̂ = d / Σ min(tᵢ, T), recomputed from the escapes.
    const exposure = steps.reduce((a, b) => a + b, 0) + d.censored * d.config.stepsRun;
    expect(d.gamma).toBeCloseTo(40 / exposure, 15);
    expect(d.meanEscapeTime).toBeCloseTo(1 / d.gamma!, 9);
    expect(d.meanEscapeTimeDynamical).toBeCloseTo(0.5 / d.gamma!, 9);
    // Uncensored: 2γS ~ χ²₈₀ exactly.
    expect(d.ci[0]).toBeCloseTo(CHI2_80_LO / (2 * exposure), 9);
    expect(d.ci[1]).toBeCloseTo(CHI2_80_HI / (2 * exposure), 9);
    expect(d.ci[0]).toBeLessThan(d.gamma!);
    expect(d.ci[1]).toBeGreaterThan(d.gamma!);
    // CV: sample sd / mean (n − 1), recomputed; memoryless escapes put it near 1.
    const mean = exposure / 40;
    const sd = Math.sqrt(steps.reduce((a, t) => a + (t - mean) ** 2, 0) / 39);
    expect(d.cv).toBeCloseTo(sd / mean, 12);
    expect(d.cv).toBeGreaterThan(0.6);
    expect(d.cv).toBeLessThan(1.4);
    expect(d.cvExpected).toBe(1);

    // The prediction against the closed form from the profile's critical points: T = ηH_a/(2B), the Kramers time
    // 2π/√(H_a|H_b|)·e^{ΔL/T} in continuous time per coordinate path, 10 equal paths, per iteration × η.
    const a = newton(stProfile.d1, stProfile.d2, -3);
    const b = newton(stProfile.d1, stProfile.d2, 0);
    const ha = stProfile.d2(a);
    const hb = stProfile.d2(b);
    const T = (0.5 * ha) / 2;
    expect(d.predicted.temperature!.atMinimum).toBeCloseTo(T, 9);
    const tau = ((2 * Math.PI) / Math.sqrt(ha * -hb)) * Math.exp((stProfile.value(b) - stProfile.value(a)) / T);
    expect(d.predicted.gamma! / ((10 * 0.5) / tau)).toBeCloseTo(1, 6);
    // 40 replicas: the observed rate within the sample's spread of the prediction and of the exact first passage.
    expect(d.gamma! / d.predicted.gamma!).toBeGreaterThan(0.6);
    expect(d.gamma! / d.predicted.gamma!).toBeLessThan(1.6);
    expect(d.observedOverExact).toBeCloseTo(d.meanEscapeTime! / d.predicted.exact!.meanEscapeTime, 9);
  });

  test('the same seed gives the same document in this process as in the binary (but for elapsedMs); another seed differs', async () => {
    const again = await escape(...SMALL);
    expect(again.config.backend).toBe(base.config.backend);
    expect(withoutElapsed(again)).toEqual(withoutElapsed(base));
    const other = await escape('--replicas', '40', '--max-steps', '20000', '--seed', '4');
    expect(other.escapes.map((e) => e.step)).not.toEqual(base.escapes.map((e) => e.step));
    expect(other.gamma).not.toBe(base.gamma);
  });

  test('a tiny step budget censors: the MLE counts censored replicas at the budget, the interval is the censored one', async () => {
    const d = await escape('--replicas', '40', '--max-steps', '300', '--seed', '3');
    expect(d.config.stepsRun).toBe(300);
    expect(d.censored).toBeGreaterThan(0);
    expect(d.escaped).toBeGreaterThan(5);
    expect(d.escaped + d.censored).toBe(40);
    // The censored replicas are exactly those that took longer than 300 steps in the uncensored run of this seed.
    expect(d.escapes).toEqual(base.escapes.filter((e) => e.step <= 300));
    const exposure = d.escapes.reduce((a, e) => a + e.step, 0) + d.censored * 300;
    expect(d.gamma).toBeCloseTo(d.escaped / exposure, 15);
    // Type-I censoring: [χ²_{2d}(2.5 %), χ²_{2d+2}(97.5 %)] / 2S; the upper end is not the uncensored 2d one.
    const n = d.escaped;
    expect(d.ci[0] / (chi2Quantile(-Z975, 2 * n) / (2 * exposure))).toBeCloseTo(1, 2);
    expect(d.ci[1] / (chi2Quantile(Z975, 2 * n + 2) / (2 * exposure))).toBeCloseTo(1, 2);
    expect(d.ci[1] / (chi2Quantile(Z975, 2 * n) / (2 * exposure))).toBeGreaterThan(1.03);
    // The CV to compare with: an exponential law at γ̂ truncated at T (closed form of its first two moments).
    const x = d.gamma! * 300;
    const F = 1 - Math.exp(-x);
    const m1 = (1 - (1 + x) * Math.exp(-x)) / F;
    const m2 = (2 - (x * x + 2 * x + 2) * Math.exp(-x)) / F;
    expect(d.cvExpected).toBeCloseTo(Math.sqrt(m2 - m1 * m1) / m1, 6);
    expect(d.cvExpected).toBeLessThan(0.8);
  });

  test('SGLD on the double well: observed mean escape time vs Theorem 3.1 and an independent first-passage quadrature', async () => {
    // Barrier 1, minima ±2: H_a = 2, H_b = −1; D = 0.2 so ΔL/D = 5; η = 0.1 keeps η·H_a = 0.2.
    const eta = 0.1;
    const D = 0.2;
    const d = await escape('--landscape', 'double-well', '--width', '2', '--optimizer', 'sgld', '--diffusion', String(D), '--lr', String(eta), '--replicas', '120', '--max-steps', '30000', '--seed', '1');
    expect(d.config.noise).toBe('none');
    expect(d.predicted.formula).toBe('theorem-3.1');
    expect(d.escaped).toBeGreaterThan(100);
    expect(d.escapes.every((e) => e.exit === 'x0+')).toBe(true);
    // Theorem 3.1 in 1-D: τ = 2π/√(H_a|H_b|)·e^{ΔL/D} continuous time, τ/η iterations.
    const kramersIterations = ((2 * Math.PI) / Math.sqrt(2 * 1)) * Math.exp(1 / D) / eta;
    expect(d.predicted.meanEscapeTime! / kramersIterations).toBeCloseTo(1, 6);
    // Exact mean first passage from −2 to the midway point 1: τ = (1/D)∫_{−2}^{1} e^{L(y)/D} ∫_{−∞}^{y} e^{−L(z)/D} dz dy,
    // by the trapezoid rule on a fine grid (L(−5) ≈ 28: e^{−L/D} is negligible below it).
    const L = (x: number) => ((x / 2) ** 2 - 1) ** 2;
    const h = 1e-4;
    const at = (i: number) => -5 + i * h;
    const from = Math.round(3 / h); // x = −2
    const to = Math.round(6 / h); // x = 1
    let inner = 0;
    let outer = 0;
    let previous = 0;
    for (let i = 1; i <= to; i++) {
      inner += (h / 2) * (Math.exp(-L(at(i - 1)) / D) + Math.exp(-L(at(i)) / D));
      const integrand = Math.exp(L(at(i)) / D) * inner;
      if (i > from) outer += (h / 2) * (previous + integrand);
      previous = integrand;
    }
    const exactIterations = outer / D / eta;
    expect(d.predicted.exact!.meanEscapeTime / exactIterations).toBeCloseTo(1, 3);
    // 120 replicas (≈ 9 % standard error) and the η·H = 0.2 discretisation: observed/exact within 0.75–1.3.
    expect(d.observedOverExact!).toBeGreaterThan(0.75);
    expect(d.observedOverExact!).toBeLessThan(1.3);
    expect(d.meanEscapeTime! / d.predicted.meanEscapeTime!).toBeGreaterThan(0.75);
    expect(d.meanEscapeTime! / d.predicted.meanEscapeTime!).toBeLessThan(1.4);
  });

  test('a box boundary inside the valley is crossed sooner than midway, replica by replica (same streams)', async () => {
    const box = await escape(...SMALL, '--boundary', 'box:1');
    expect(box.predicted.assumptions.boundary.holds).toBe(false);
    expect(box.escaped).toBe(40);
    const midway = new Map(base.escapes.map((e) => [e.replica, e.step]));
    for (const e of box.escapes) expect(e.step).toBeLessThanOrEqual(midway.get(e.replica)!);
    // Strictly sooner for most: |θ − θ_a| = 1 is well inside the 4.35 to the midway point.
    expect(box.escapes.filter((e) => e.step < midway.get(e.replica)!).length).toBeGreaterThan(30);
    expect(box.gamma!).toBeGreaterThan(2 * base.gamma!);
  });

  test('state-dependent noise [H(θ)]₊/B blocks escape where frozen noise escapes: 0 of 40 in 3000 steps', async () => {
    const d = await escape('--replicas', '40', '--max-steps', '3000', '--seed', '3', '--noise', 'state');
    expect(d.predicted.assumptions.noise.holds).toBe(false);
    expect(d.escaped).toBe(0);
    expect(d.censored).toBe(40);
    expect(d.escapes).toEqual([]);
    expect(d.gamma).toBe(0);
    expect(d.meanEscapeTime).toBeNull();
    expect(d.cv).toBeNull();
    // No escape in S = 40 × 3000 replica-steps: the 95 % upper bound is χ²₂(97.5 %)/2S = −ln(0.025)/S.
    expect(d.ci[0]).toBe(0);
    expect(d.ci[1]).toBeCloseTo(CHI2_2_HI / (2 * 40 * 3000), 12);
    // The same seed under frozen noise had most replicas out by then.
    expect(base.escapes.filter((e) => e.step <= 3000).length).toBeGreaterThan(30);
  });

  test.each([
    [['--optimizer', 'sgld'], '--diffusion'],
    [['--boundary', 'box:-1'], '--boundary'],
    [['--noise', 'bogus'], '--noise'],
    [['--landscape', 'quadratic-valley'], '--curvatures'],
    [['--diffusion', '0.1'], '--diffusion'],
    [['--optimizer', 'momentum', '--momentum', '1'], 'momentum'],
    [['--replicas', '0'], '--replicas'],
    [['--landscape', 'quadratic-valley', '--curvatures', '1,-2'], 'curvatures'],
  ])('bad input %j exits 2 naming %s, and prints nothing on stdout', async (args, flag) => {
    const { code, out, err } = await kramers('escape', '--json', '--replicas', '4', '--max-steps', '10', ...args);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toContain(flag);
    expect(err).not.toMatch(/\n\s+at /);
  });

  test('--start with the wrong number of coordinates exits 2 saying how many the landscape has', async () => {
    const st = await kramers('escape', '--json', '--max-steps', '10', '--start', '1,2');
    expect(st.code).toBe(2);
    expect(st.err).toContain('start has 2 coordinates; the styblinski-tang landscape has 10');
    const dw = await kramers('escape', '--json', '--max-steps', '10', '--landscape', 'double-well', '--start', '1,2');
    expect(dw.code).toBe(2);
    expect(dw.err).toContain('the double-well landscape has 1');
  });

  // Values that only the landscape or boundary can judge are refused before anything runs, naming the flag.
  test('--start with the wrong number of coordinates names --start', async () => {
    const { code, err } = await kramers('escape', '--json', '--max-steps', '10', '--start', '1,2');
    expect(code).toBe(2);
    expect(err).toContain('--start');
  });

  test('--tilt beyond the double well\'s limit exits 2 naming --tilt, without a stack trace', async () => {
    const { code, err } = await kramers('escape', '--json', '--max-steps', '10', '--landscape', 'double-well', '--tilt', '5');
    expect(err).not.toMatch(/\n\s+at /);
    expect(err).toContain('--tilt');
    expect(code).toBe(2);
  });

  test('--landscape quadratic-valley with the default --boundary midway exits 2 naming --boundary (a quadratic valley has no col)', async () => {
    const { code, err } = await kramers('escape', '--json', '--max-steps', '10', '--landscape', 'quadratic-valley', '--curvatures', '1,2');
    expect(err).not.toMatch(/\n\s+at /);
    expect(err).toContain('--boundary');
    expect(code).toBe(2);
  });
});
