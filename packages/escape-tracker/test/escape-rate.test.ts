import { describe, expect, it } from 'vitest';
import { censorAt, escapeRate, paperEscapeRate } from '../src/index.js';
import { createTestRng } from './rng.js';

describe('escapeRate', () => {
  it('exact χ² factors on γ̂ match the tabulated ones for N = 10, 30, 100', () => {
    // Factors [χ²_{2N,0.025}, χ²_{2N,0.975}]/(2N) from standard χ² tables: χ²_20 9.5908/34.1696,
    // χ²_60 40.4817/83.2977, χ²_200 162.728/241.058; rounded, the factors are 0.480/1.708, 0.675/1.388, 0.8136/1.2053.
    const table: Array<[number, number, number]> = [
      [10, 9.5908 / 20, 34.1696 / 20],
      [30, 40.4817 / 60, 83.2977 / 60],
      [100, 162.728 / 200, 241.058 / 200],
    ];
    for (const [n, lo, hi] of table) {
      const r = escapeRate(new Array<number>(n).fill(3)); // S = 3N, γ̂ = 1/3
      expect(r.gamma).toBeCloseTo(1 / 3, 14);
      expect(r.method).toBe('exact-chi2');
      expect(r.ci[0] / r.gamma).toBeCloseTo(lo, 4);
      expect(r.ci[1] / r.gamma).toBeCloseTo(hi, 4);
      expect(r.meanEscapeTime).toBeCloseTo(3, 12);
      expect(r.meanEscapeTimeCi[0]).toBeCloseTo(1 / r.ci[1], 12);
    }
  });

  it('the exact interval covers the true γ in 95 % of 4000 seeded experiments of 100 exponentials', () => {
    const rng = createTestRng(20240611);
    const gamma = 0.004;
    const experiments = 4000;
    let covered = 0;
    const t = new Float64Array(100);
    for (let e = 0; e < experiments; e++) {
      for (let i = 0; i < t.length; i++) t[i] = rng.exponential(gamma);
      const r = escapeRate(t);
      if (r.ci[0] <= gamma && gamma <= r.ci[1]) covered++;
    }
    const coverage = covered / experiments;
    expect(coverage).toBeGreaterThan(0.935);
    expect(coverage).toBeLessThan(0.965);
  });

  it('the censored MLE d/S is unbiased within 2 % and its interval covers ≈ 95 % (2000 experiments, 30 % censored)', () => {
    const rng = createTestRng(77);
    const gamma = 0.01;
    const budget = -Math.log(0.3) / gamma; // P(escape within budget) = 0.7
    const experiments = 2000;
    let sum = 0;
    let covered = 0;
    let censoredTotal = 0;
    for (let e = 0; e < experiments; e++) {
      const raw = Array.from({ length: 100 }, () => rng.exponential(gamma));
      const c = censorAt(raw, budget);
      const r = escapeRate(c.times, { censored: c.censored, budget });
      expect(r.method).toBe('censored-chi2');
      expect(r.replicas).toBe(100);
      sum += r.gamma;
      censoredTotal += r.censored;
      if (r.ci[0] <= gamma && gamma <= r.ci[1]) covered++;
    }
    expect(censoredTotal / experiments).toBeGreaterThan(27);
    expect(censoredTotal / experiments).toBeLessThan(33);
    expect(Math.abs(sum / experiments / gamma - 1)).toBeLessThan(0.02);
    // The (2d, 2d + 2) interval is conservative: at least nominal, not much more.
    expect(covered / experiments).toBeGreaterThan(0.935);
    expect(covered / experiments).toBeLessThan(0.975);
  });

  it('censored exposure counts T_max per censored replica; d = 0 gives γ̂ = 0, lower end 0, upper −ln(α/2)/S', () => {
    const r = escapeRate([10, 20], { censored: 3, budget: 100 });
    expect(r.exposure).toBe(330);
    expect(r.gamma).toBeCloseTo(2 / 330, 15);
    const none = escapeRate([], { censored: 50, budget: 1000 });
    expect(none.gamma).toBe(0);
    expect(none.ci[0]).toBe(0);
    // χ²_{2, 0.975}/2 = −ln(0.025) (χ² with 2 dof is Exp(1/2)).
    expect(none.ci[1]).toBeCloseTo(-Math.log(0.025) / 50000, 12);
    expect(none.meanEscapeTime).toBeNull();
    expect(none.meanEscapeTimeCi[1]).toBe(Infinity);
  });

  it('level changes the interval: 1 − α of the χ²_{2N} law between the ends', () => {
    const r90 = escapeRate([1, 2, 3, 4, 5], { level: 0.9 });
    const r95 = escapeRate([1, 2, 3, 4, 5]);
    expect(r90.ci[0]).toBeGreaterThan(r95.ci[0]);
    expect(r90.ci[1]).toBeLessThan(r95.ci[1]);
    // χ²_{10, 0.05} = 3.9403, χ²_{10, 0.95} = 18.307 (standard table), S = 15.
    expect(r90.ci[0]).toBeCloseTo(3.9403 / 30, 4);
    expect(r90.ci[1]).toBeCloseTo(18.307 / 30, 3);
  });

  it('rejects bad input with a message naming the field', () => {
    expect(() => escapeRate([1, -2])).toThrow(/times\[1\]/);
    expect(() => escapeRate([1, 2], { censored: 2 })).toThrow(/budget/);
    expect(() => escapeRate([1, 200], { budget: 100 })).toThrow(/exceeds budget/);
    expect(() => escapeRate([1, 2], { level: 95 })).toThrow(/level/);
    expect(() => escapeRate([])).toThrow(/empty/);
    expect(() => escapeRate([1], { censored: 1.5, budget: 3 })).toThrow(/censored/);
  });
});

describe('censorAt', () => {
  it('splits raw times at the budget', () => {
    expect(censorAt([5, Infinity, 10, 11], 10)).toEqual({ times: [5, 10], censored: 2, budget: 10 });
  });
});

describe('paperEscapeRate', () => {
  it('is (N − 2)/Σt with γ̂(1 ± 1.96/√N)', () => {
    const times = new Array<number>(100).fill(50);
    const r = paperEscapeRate(times);
    expect(r.gamma).toBeCloseTo(98 / 5000, 15);
    expect(r.ci[0]).toBeCloseTo((98 / 5000) * 0.804, 14);
    expect(r.ci[1]).toBeCloseTo((98 / 5000) * 1.196, 14);
    expect(() => paperEscapeRate([1, 2])).toThrow(/at least 3/);
  });

  it('sits 2 % below the MLE at N = 100 on average (seeded exponentials)', () => {
    const rng = createTestRng(5);
    let ratio = 0;
    for (let e = 0; e < 200; e++) {
      const t = Array.from({ length: 100 }, () => rng.exponential(1));
      ratio += paperEscapeRate(t).gamma / escapeRate(t).gamma;
    }
    expect(ratio / 200).toBeCloseTo(0.98, 12);
  });
});
