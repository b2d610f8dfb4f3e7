import { describe, expect, it } from 'vitest';
import { censorAt, escapeStatistics, truncatedExponentialCv } from '../src/index.js';
import { createTestRng } from './rng.js';

describe('escapeStatistics', () => {
  it('CV ≈ 1 on exponential samples (mean over 200 seeded sets of 100: within 0.02)', () => {
    const rng = createTestRng(11);
    let cv = 0;
    for (let e = 0; e < 200; e++) {
      const t = Array.from({ length: 100 }, () => rng.exponential(0.02));
      const s = escapeStatistics(t, { learningRate: 0.1 });
      expect(s.cvExpected).toBe(1);
      cv += s.cv as number;
    }
    // E[sample CV] of 100 exponentials is ≈ 0.99 (the sd estimator is biased low by O(1/N)).
    expect(Math.abs(cv / 200 - 1)).toBeLessThan(0.02);
  });

  it('CV of drift-like (nearly constant) escape times is far below 1', () => {
    const rng = createTestRng(12);
    const t = Array.from({ length: 100 }, () => 1000 + 50 * rng.normal());
    const s = escapeStatistics(t, { learningRate: 1 });
    expect(s.cv as number).toBeLessThan(0.08);
    expect(escapeStatistics([5], { learningRate: 1 }).cv).toBeNull();
  });

  it('truncated-exponential CV matches a seeded simulation of censored escapes', () => {
    const rng = createTestRng(13);
    const gamma = 1;
    const budget = 1.2;
    const kept: number[] = [];
    while (kept.length < 200000) {
      const t = rng.exponential(gamma);
      if (t <= budget) kept.push(t);
    }
    const mean = kept.reduce((a, b) => a + b, 0) / kept.length;
    const sd = Math.sqrt(kept.reduce((a, b) => a + (b - mean) ** 2, 0) / (kept.length - 1));
    expect(truncatedExponentialCv(gamma, budget)).toBeCloseTo(sd / mean, 2);
    // Limits: uniform on [0, T] (CV 1/√3) as γT → 0, exponential (CV 1) as γT → ∞.
    expect(truncatedExponentialCv(1e-6, 1)).toBeCloseTo(1 / Math.sqrt(3), 5);
    expect(truncatedExponentialCv(1, 60)).toBeCloseTo(1, 10);
  });

  it('geometric per-iteration rate and continuous-time conversions on geometric escape times', () => {
    // Escape with probability p at each step: t ~ Geometric(p) on 1, 2, …
    const rng = createTestRng(14);
    const p = 0.01;
    const eta = 0.05;
    const t = Array.from({ length: 20000 }, () => Math.ceil(Math.log(rng.uniform()) / Math.log1p(-p)));
    const s = escapeStatistics(t, { learningRate: eta });
    const exact = -Math.log1p(-p); // 0.0100503…
    expect(Math.abs(s.gammaPerIteration / exact - 1)).toBeLessThan(3 / Math.sqrt(20000));
    expect(s.gammaPerIteration).toBeCloseTo(-Math.log1p(-s.gamma), 15);
    expect(s.gammaDynamical).toBeCloseTo(s.gammaPerIteration / eta, 15);
    expect(s.meanEscapeTimeDynamical as number).toBeCloseTo((s.meanEscapeTime as number) * eta, 10);
    expect(s.gammaPerIterationCi[0]).toBeLessThan(exact);
    expect(s.gammaPerIterationCi[1]).toBeGreaterThan(exact);
    // The geometric CV is √(1 − p) ≈ 0.995.
    expect(s.cv as number).toBeCloseTo(Math.sqrt(1 - p), 1);
  });

  it('passes censoring through and compares the CV with the truncated law', () => {
    const rng = createTestRng(15);
    const c = censorAt(Array.from({ length: 400 }, () => rng.exponential(0.001)), 800);
    const s = escapeStatistics(c.times, { censored: c.censored, budget: 800, learningRate: 0.5 });
    expect(s.method).toBe('censored-chi2');
    expect(s.cvExpected as number).toBeLessThan(0.8);
    expect(Math.abs((s.cv as number) - (s.cvExpected as number))).toBeLessThan(0.06);
    expect(() => escapeStatistics([1, 2], { learningRate: 0 })).toThrow(/learningRate/);
  });
});
