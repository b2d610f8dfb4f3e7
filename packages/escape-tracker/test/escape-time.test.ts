import { describe, expect, it } from 'vitest';
import {
  adamEscapeTime,
  adamEscapeTimeBracket,
  combinePaths,
  determinantRatio1D,
  escapeRate,
  kramersEscapeTime,
  sgdEscapeTime,
  sgdEscapeTimeBracket,
  temperature,
  unifiedEscapeTime,
} from '../src/index.js';
import { createTestRng } from './rng.js';

/** Styblinski–Tang per coordinate, f(x) = ½(x⁴ − 16x² + 5x): critical points by Newton on f'(x) = 2x³ − 16x + 2.5. */
function styblinskiTang() {
  const f = (x: number) => 0.5 * (x ** 4 - 16 * x * x + 5 * x);
  const f1 = (x: number) => 2 * x ** 3 - 16 * x + 2.5;
  const f2 = (x: number) => 6 * x * x - 16;
  const newton = (x: number) => {
    for (let i = 0; i < 60; i++) x -= f1(x) / f2(x);
    return x;
  };
  const globalMin = newton(-2.9);
  const col = newton(0.15);
  const localMin = newton(2.7);
  return { f, f2, globalMin, col, localMin };
}

describe('kramersEscapeTime (Theorem 3.1)', () => {
  it('reproduces the Styblinski–Tang prefactors 2π/√(H_a|H_b|) = 0.29169 (local) and 0.26835 (global)', () => {
    const st = styblinskiTang();
    expect(st.f(st.col) - st.f(st.localMin)).toBeCloseTo(25.225059, 5);
    expect(st.f(st.col) - st.f(st.globalMin)).toBeCloseTo(39.361778, 5);
    for (const [min, prefactor] of [
      [st.localMin, 0.29169],
      [st.globalMin, 0.26835],
    ] as const) {
      const geometry = { barrier: st.f(st.col) - st.f(min), minimumCurvature: st.f2(min), colCurvature: st.f2(st.col) };
      const p = kramersEscapeTime({ ...geometry, determinantRatio: determinantRatio1D(geometry.minimumCurvature, geometry.colCurvature), diffusion: 5 });
      expect(p.formula).toBe('theorem-3.1');
      expect(p.prefactor).toBeCloseTo(prefactor, 5);
      expect(p.exponent).toBeCloseTo(geometry.barrier / 5, 12);
      expect(p.tau / (prefactor * Math.exp(geometry.barrier / 5))).toBeCloseTo(1, 4);
      expect(p.iterations).toBeNull();
    }
  });

  it('scales as 1/k when every Hessian is scaled by k (only polynomial flatness preference)', () => {
    const base = { barrier: 1, minimumCurvature: 8, colCurvature: -4, determinantRatio: Math.sqrt(0.5), diffusion: 0.1 };
    const k = 3;
    const scaled = kramersEscapeTime({ ...base, minimumCurvature: 8 * k, colCurvature: -4 * k });
    expect(kramersEscapeTime(base).tau / scaled.tau).toBeCloseTo(k, 12);
  });

  it('reports iterations = τ/η and the assumption checks', () => {
    const p = kramersEscapeTime({ barrier: 1, minimumCurvature: 8, colCurvature: -4, determinantRatio: Math.sqrt(0.5), diffusion: 0.25, learningRate: 0.01 });
    expect(p.iterations as number).toBeCloseTo(p.tau / 0.01, 8);
    expect(p.assumptions.lowTemperature).toEqual({ ratio: 4, holds: false });
    expect(p.assumptions.stability).toEqual({ ratio: 0.08, holds: true });
    expect(() => kramersEscapeTime({ barrier: 1, minimumCurvature: 8, colCurvature: 4, determinantRatio: 1, diffusion: 0.1 })).toThrow(/colCurvature/);
  });

  it('stays finite in log space when τ overflows', () => {
    const p = kramersEscapeTime({ barrier: 1, minimumCurvature: 8, colCurvature: -4, determinantRatio: Math.sqrt(0.5), diffusion: 1e-3 });
    expect(p.tau).toBe(Infinity);
    expect(p.logTau).toBeCloseTo(Math.log((2 * Math.PI) / Math.sqrt(32)) + 1000, 10);
    expect(p.gamma).toBe(0);
  });
});

describe('sgdEscapeTime (Theorem 3.2)', () => {
  const geometry = { barrier: 0.25225059, minimumCurvature: 0.29269553, colCurvature: -0.15852612 };

  it('evaluates (2π/|H_be|)·exp[(2BΔL/η)(s/H_ae + (1−s)/|H_be|)]', () => {
    const p = sgdEscapeTime({ ...geometry, learningRate: 0.5, batchSize: 2, s: 0.3 });
    const exponent = ((2 * 2 * 0.25225059) / 0.5) * (0.3 / 0.29269553 + 0.7 / 0.15852612);
    expect(p.exponent).toBeCloseTo(exponent, 12);
    expect(p.logTau).toBeCloseTo(Math.log((2 * Math.PI) / 0.15852612) + exponent, 12);
    expect(p.iterations as number).toBeCloseTo(p.tau / 0.5, 6);
    expect(p.formula).toBe('theorem-3.2');
    expect(p.temperatureAtMinimum).toBeCloseTo(temperature({ optimizer: 'sgd', learningRate: 0.5, batchSize: 2, curvature: 0.29269553 }), 15);
  });

  it('−log γ is linear in B and in 1/η with the tabulated slopes', () => {
    const s = 0.6;
    const slopeB = (2 * geometry.barrier / 0.5) * (s / geometry.minimumCurvature + (1 - s) / -geometry.colCurvature);
    const a = sgdEscapeTime({ ...geometry, learningRate: 0.5, batchSize: 1, s });
    const b = sgdEscapeTime({ ...geometry, learningRate: 0.5, batchSize: 2, s });
    expect(b.logTau - a.logTau).toBeCloseTo(slopeB, 12);
    const c = sgdEscapeTime({ ...geometry, learningRate: 0.25, batchSize: 1, s });
    expect((c.logTau - a.logTau) / (1 / 0.25 - 1 / 0.5)).toBeCloseTo(slopeB * 0.5, 12);
  });

  it('the bracket spans s = 0 and s = 1', () => {
    const br = sgdEscapeTimeBracket({ ...geometry, learningRate: 0.5, batchSize: 1 });
    expect(br.s0.exponent).toBeCloseTo((2 * geometry.barrier) / 0.5 / 0.15852612, 12);
    expect(br.s1.exponent).toBeCloseTo((2 * geometry.barrier) / 0.5 / 0.29269553, 12);
    // H_ae > |H_be| here, so s = 1 is the shorter time.
    expect(br.tauRange).toEqual([br.s1.tau, br.s0.tau]);
    expect(() => sgdEscapeTime({ ...geometry, learningRate: 0.5, batchSize: 1, s: 1.5 })).toThrow(/s must lie in \[0, 1\]/);
  });
});

describe('adamEscapeTime', () => {
  it('its exponent is ΔL(s/T_a + (1−s)/T_b) with the Adam temperature η√(H/B)/2, and −log γ is linear in 1/√k', () => {
    const g = { barrier: 0.39361778, minimumCurvature: 0.34583059, colCurvature: -0.15852612 };
    const p = adamEscapeTime({ ...g, learningRate: 0.2, batchSize: 4, s: 0.4 });
    const ta = temperature({ optimizer: 'adam', learningRate: 0.2, batchSize: 4, curvature: g.minimumCurvature });
    const tb = temperature({ optimizer: 'adam', learningRate: 0.2, batchSize: 4, curvature: g.colCurvature });
    expect(p.exponent).toBeCloseTo(g.barrier * (0.4 / ta + 0.6 / tb), 12);
    // Curvatures × k: the exponent scales as 1/√k.
    const at = (k: number) => adamEscapeTime({ ...g, minimumCurvature: k * g.minimumCurvature, colCurvature: k * g.colCurvature, learningRate: 0.2, batchSize: 4, s: 0.4 }).exponent;
    expect(at(4) / at(1)).toBeCloseTo(0.5, 12);
    const br = adamEscapeTimeBracket({ ...g, learningRate: 0.2, batchSize: 4 });
    expect(br.s1.exponent).toBeCloseTo(g.barrier / ta, 12);
  });
});

describe('unifiedEscapeTime', () => {
  const g = { barrier: 0.7, minimumCurvature: 2.3, colCurvature: -1.1 };
  const ratio = determinantRatio1D(2.3, -1.1);

  it('reduces to Theorem 3.1 when T_a = T_b = D, for any s', () => {
    for (const s of [0, 0.37, 1]) {
      const u = unifiedEscapeTime({ ...g, determinantRatio: ratio, temperatureAtMinimum: 0.09, temperatureAtCol: 0.09, s });
      const k = kramersEscapeTime({ ...g, determinantRatio: ratio, diffusion: 0.09 });
      expect(u.logTau).toBeCloseTo(k.logTau, 12);
    }
  });

  it('reduces to Theorem 3.2 with T = η|H|/(2B) at both ends (one dimension)', () => {
    for (const s of [0, 0.5, 1]) {
      const eta = 0.3;
      const b = 5;
      const u = unifiedEscapeTime({
        ...g,
        determinantRatio: ratio,
        temperatureAtMinimum: temperature({ optimizer: 'sgd', learningRate: eta, batchSize: b, curvature: g.minimumCurvature }),
        temperatureAtCol: temperature({ optimizer: 'sgd', learningRate: eta, batchSize: b, curvature: g.colCurvature }),
        s,
        learningRate: eta,
      });
      const sgd = sgdEscapeTime({ ...g, learningRate: eta, batchSize: b, s });
      expect(u.logTau).toBeCloseTo(sgd.logTau, 12);
      expect((u.iterations as number) / (sgd.iterations as number)).toBeCloseTo(1, 12);
    }
  });

  it('flags low temperature from the hotter end', () => {
    const u = unifiedEscapeTime({ ...g, determinantRatio: ratio, temperatureAtMinimum: 0.1, temperatureAtCol: 0.2, s: 0.5 });
    expect(u.assumptions.lowTemperature.ratio).toBeCloseTo(3.5, 12);
    expect(u.assumptions.lowTemperature.holds).toBe(false);
  });
});

describe('combinePaths (Rule 1)', () => {
  it('adds rates: d equal paths give τ₁/d, and predictions keep iterations', () => {
    const c = combinePaths([10, 10, 10, 10]);
    expect(c.tau).toBeCloseTo(2.5, 14);
    expect(c.gamma).toBeCloseTo(0.4, 14);
    expect(c.shares).toEqual([0.25, 0.25, 0.25, 0.25]);
    const p = kramersEscapeTime({ barrier: 1, minimumCurvature: 8, colCurvature: -4, determinantRatio: Math.sqrt(0.5), diffusion: 0.2, learningRate: 0.01 });
    const ten = combinePaths(new Array(10).fill(p));
    expect(ten.iterations as number).toBeCloseTo((p.iterations as number) / 10, 6);
    expect(combinePaths([1, 3]).tau).toBeCloseTo(0.75, 14);
  });

  it('combines overflowing times in log space', () => {
    const p = kramersEscapeTime({ barrier: 1, minimumCurvature: 8, colCurvature: -4, determinantRatio: Math.sqrt(0.5), diffusion: 1e-3 });
    expect(combinePaths([p, p]).logTau).toBeCloseTo(p.logTau - Math.log(2), 10);
  });

  it('is exact for exponential escape times: the first of d independent escapes has rate d·γ₁ (seeded)', () => {
    const rng = createTestRng(21);
    const d = 10;
    const gamma1 = 1 / 500;
    const first = Array.from({ length: 20000 }, () => {
      let m = Infinity;
      for (let i = 0; i < d; i++) m = Math.min(m, rng.exponential(gamma1));
      return m;
    });
    const r = escapeRate(first);
    expect(r.ci[0]).toBeLessThan(combinePaths(new Array(d).fill(500)).gamma);
    expect(r.ci[1]).toBeGreaterThan(combinePaths(new Array(d).fill(500)).gamma);
  });
});
