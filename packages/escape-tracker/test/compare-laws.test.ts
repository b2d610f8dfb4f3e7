import { describe, expect, it } from 'vitest';
import { compareLaws, linearFit } from '../src/index.js';
import { createTestRng } from './rng.js';

describe('linearFit', () => {
  it('recovers exact lines, weighted or not', () => {
    const x = [0.5, 1, 2, 3.5, 7];
    const y = x.map((v) => 2.5 - 1.25 * v);
    for (const w of [undefined, [1, 5, 2, 9, 0.5]]) {
      const f = linearFit(x, y, w);
      expect(f.slope).toBeCloseTo(-1.25, 13);
      expect(f.intercept).toBeCloseTo(2.5, 13);
      expect(f.pearson).toBeCloseTo(-1, 13);
      expect(f.chi2).toBeLessThan(1e-24);
      expect(f.n).toBe(5);
    }
    expect(linearFit([1, 2, 3], [4, 4, 4]).pearson).toBeNull();
  });

  it('matches the textbook least-squares numbers on a non-collinear set', () => {
    // x = 1…5, y = 2, 4, 5, 4, 5: slope 0.6, intercept 2.2, r = 0.7746 (hand-computed: Sxy = 6, Sxx = 10, Syy = 6).
    const f = linearFit([1, 2, 3, 4, 5], [2, 4, 5, 4, 5]);
    expect(f.slope).toBeCloseTo(0.6, 14);
    expect(f.intercept).toBeCloseTo(2.2, 14);
    expect(f.pearson).toBeCloseTo(6 / Math.sqrt(60), 14);
    expect(f.chi2).toBeCloseTo(6 - 3.6, 13);
  });

  it('weights pull the line toward heavy points', () => {
    const f = linearFit([0, 1, 2], [0, 1, 5], [1e6, 1e6, 1e-6]);
    expect(f.slope).toBeCloseTo(1, 5);
    expect(() => linearFit([1, 1], [1, 2])).toThrow(/distinct/);
    expect(() => linearFit([1, 2], [1, 2], [1, -1])).toThrow(/weights\[1\]/);
  });
});

describe('compareLaws', () => {
  const xs = [0.5, 0.7, 0.9, 1.1, 1.4, 1.7, 2];

  const synth = (law: (x: number) => number, seed: number, escaped = 100) => {
    const rng = createTestRng(seed);
    // log γ̂ scatters by 1/√d around the truth.
    return xs.map((x) => ({ x, gamma: Math.exp(-law(x) + rng.normal() / Math.sqrt(escaped)), escaped }));
  };

  it('prefers the exponential law on exponential-law data, with χ²/dof ≈ 1', () => {
    for (const seed of [1, 2, 3]) {
      const c = compareLaws(synth((x) => 1 + 5 * x, seed));
      expect(c.preferred).toBe('exponential');
      expect(c.exponential.slope).toBeCloseTo(5, 0);
      expect(c.exponential.chi2dof as number).toBeLessThan(3);
      expect(c.powerLaw.chi2dof as number).toBeGreaterThan(10);
    }
  });

  it('prefers the power law on power-law data', () => {
    for (const seed of [4, 5, 6]) {
      const c = compareLaws(synth((x) => 2 + 6 * Math.log(x), seed));
      expect(c.preferred).toBe('power-law');
      expect(c.powerLaw.slope).toBeCloseTo(6, 0);
      expect(c.powerLaw.chi2dof as number).toBeLessThan(3);
      expect(c.exponential.chi2dof as number).toBeGreaterThan(10);
    }
  });

  it('excludes and counts points without escapes; needs two usable points', () => {
    const pts = [
      { x: 1, gamma: Math.exp(-3), escaped: 50 },
      { x: 2, gamma: Math.exp(-5), escaped: 50 },
      { x: 3, gamma: 0, escaped: 0 },
    ];
    const c = compareLaws(pts);
    expect(c.excluded).toBe(1);
    expect(c.n).toBe(2);
    expect(c.exponential.slope).toBeCloseTo(2, 13);
    expect(c.exponential.chi2dof).toBeNull();
    expect(c.preferred).toBeNull();
    expect(() => compareLaws(pts.slice(1))).toThrow(/at least 2/);
    expect(() => compareLaws([{ x: -1, gamma: 1, escaped: 3 }, ...pts])).toThrow(/points\[0\]\.x/);
  });
});
