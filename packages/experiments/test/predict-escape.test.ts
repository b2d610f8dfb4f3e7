import { describe, expect, it } from 'vitest';
import { buildLandscape, escapeJobKey, predictEscape, type LandscapeEscapeJob } from '@kramers/experiments';
import { parseBoundary } from '@kramers/valley-detector';

// Per-coordinate facts of ½(x⁴ − 16x² + 5x), typed in from the published table, independent of the landscape code.
const H_A = 34.583059; // f'' at the global minimum
const H_B = -15.852612; // f'' at the col
const DL = 39.361778; // barrier from the global minimum

const job = (over: Partial<LandscapeEscapeJob>): LandscapeEscapeJob => ({
  landscape: { name: 'styblinski-tang', dim: 10, k: 1, scale: 0.01 },
  start: 'global',
  optimizer: { name: 'sgd', learningRate: 0.5 },
  noise: 'frozen',
  batchSize: 1,
  boundary: 'midway',
  replicas: 100,
  maxSteps: 1000,
  seed: 0,
  ...over,
});

function predict(j: LandscapeEscapeJob) {
  const { landscape, start } = buildLandscape(j.landscape, j.start);
  return predictEscape(j, landscape, landscape.valley(start), parseBoundary(j.boundary));
}

/** Kramers' 1-D time 2π/√(H_a|H_b|)·exp(ΔL/D) (Theorem 3.1), d equal paths (Rule 1), in iterations of step η. */
function kramersIterations(c: number, k: number, D: number, eta: number, paths: number): number {
  const tau = ((2 * Math.PI) / (c * k * Math.sqrt(H_A * -H_B))) * Math.exp((c * DL) / D);
  return tau / paths / eta;
}

describe('predicted escape times against the formulas worked by hand', () => {
  it('SGLD on 10-D Styblinski–Tang: Theorem 3.1 with the 10-path rule', () => {
    const c = 0.01;
    const D = (c * DL) / 6;
    for (const k of [0.5, 1, 2]) {
      const p = predict(job({ landscape: { name: 'styblinski-tang', dim: 10, k, scale: c }, optimizer: { name: 'sgld', learningRate: 0.5, diffusion: D }, noise: 'none' }));
      expect(p.formula).toBe('theorem-3.1');
      expect(p.paths).toBe(10);
      expect(p.meanEscapeTime! / kramersIterations(c, k, D, 0.5, 10)).toBeCloseTo(1, 5);
      expect(p.assumptions.lowTemperature!.ratio).toBeCloseTo(6, 5);
    }
  });

  it('SGD with frozen noise: constant temperature ηH_a/(2B), so Kramers with D = ηH_a/(2B); Theorem 3.2 bracket beside it', () => {
    const c = 0.01;
    for (const [k, B, eta] of [
      [1, 1, 0.5],
      [0.6, 1, 0.5],
      [1, 1.6, 0.5],
      [1, 1, 0.35],
    ] as const) {
      const p = predict(job({ landscape: { name: 'styblinski-tang', dim: 10, k, scale: c }, optimizer: { name: 'sgd', learningRate: eta }, batchSize: B }));
      const D = (eta * c * k * H_A) / (2 * B);
      expect(p.meanEscapeTime! / kramersIterations(c, k, D, eta, 10)).toBeCloseTo(1, 5);
      expect(p.temperature!.atMinimum).toBeCloseTo(D, 8);
      // Theorem 3.2 at s = 1: τ = (2π/|H_be|)·exp(2BΔL/(ηH_ae)), per path, in units of η.
      const s1 = (((2 * Math.PI) / (c * k * -H_B)) * Math.exp((2 * B * c * DL) / (eta * c * k * H_A))) / eta / 10;
      expect(1 / p.theorem32!.s1 / s1).toBeCloseTo(1, 5);
      // The exact first passage differs from Kramers by a modest low-temperature correction, at most a factor 1.5 here.
      expect(p.exact!.meanEscapeTime / p.meanEscapeTime!).toBeGreaterThan(0.9);
      expect(p.exact!.meanEscapeTime / p.meanEscapeTime!).toBeLessThan(1.5);
    }
  });

  it('momentum is SGD with η/(1 − β); state-dependent noise uses both ends (s = ½) and says its assumption fails', () => {
    const sgd = predict(job({ optimizer: { name: 'sgd', learningRate: 0.5 } }));
    const heavy = predict(job({ optimizer: { name: 'momentum', learningRate: 0.05, momentum: 0.9 } }));
    expect(heavy.meanEscapeTime! / sgd.meanEscapeTime!).toBeCloseTo(1, 8);
    const state = predict(job({ noise: 'state' }));
    expect(state.s).toBe(0.5);
    expect(state.temperature!.atCol).toBeCloseTo((0.5 * 0.01 * -H_B) / 2, 8);
    expect(state.assumptions.noise.holds).toBe(false);
    expect(state.exact).toBeNull();
  });

  it('says when the theory has nothing to predict, and why', () => {
    const quadratic = predict(job({ landscape: { name: 'quadratic-valley', curvatures: [1, 2] }, start: [0, 0], boundary: 'box:0.5' }));
    expect(quadratic.gamma).toBeNull();
    expect(quadratic.assumptions.boundary.note).toMatch(/no col/);
    const gd = predict(job({ noise: 'none' }));
    expect(gd.gamma).toBeNull();
    const box = predict(job({ boundary: 'box:0.05' }));
    expect(box.assumptions.boundary.holds).toBe(false);
    expect(box.exact).toBeNull();
  });
});

describe('escapeJobKey', () => {
  it('is equal for equal configurations whatever the key order, and differs when anything differs', () => {
    const a = job({});
    const { seed, ...rest } = a;
    const b = JSON.parse(JSON.stringify({ seed, ...rest })) as LandscapeEscapeJob;
    expect(escapeJobKey(a)).toBe(escapeJobKey(b));
    expect(escapeJobKey(a)).not.toBe(escapeJobKey(job({ seed: 1 })));
    expect(escapeJobKey(a)).not.toBe(escapeJobKey(job({ landscape: { name: 'styblinski-tang', dim: 10, k: 1, scale: 0.02 } })));
  });
});
