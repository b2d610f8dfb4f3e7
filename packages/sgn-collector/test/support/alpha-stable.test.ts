import { describe, expect, it } from 'vitest';
import { symmetricStableSample } from './alpha-stable.js';

/** Empirical characteristic function at t (the imaginary part vanishes by symmetry). */
function empiricalCf(x: Float64Array, t: number): number {
  let s = 0;
  for (const v of x) s += Math.cos(t * v);
  return s / x.length;
}

describe('symmetricStableSample (Chambers–Mallows–Stuck)', () => {
  const n = 200_000;
  // |cos| ≤ 1, so the empirical characteristic function has standard error ≤ 1/√n ≈ 0.0022
  const tolerance = 4 / Math.sqrt(n);

  it('has the characteristic function exp(−|c·t|^α) for α = 1, 1.5, 1.8, 2', () => {
    for (const alpha of [1, 1.5, 1.8, 2]) {
      const x = symmetricStableSample(n, alpha, 7, 2);
      for (const t of [0.1, 0.25, 0.5, 1]) {
        expect(Math.abs(empiricalCf(x, t) - Math.exp(-((2 * t) ** alpha)))).toBeLessThan(tolerance);
      }
    }
  });

  it('α = 2 is N(0, 2c²) and α = 1 is Cauchy (P(|X| < c) = 1/2)', () => {
    const gaussian = symmetricStableSample(n, 2, 8);
    const variance = gaussian.reduce((s, v) => s + v * v, 0) / n;
    expect(Math.abs(variance - 2)).toBeLessThan(4 * Math.sqrt(8 / n)); // Var(X²) = 2·(2)² for N(0, 2)
    const cauchy = symmetricStableSample(n, 1, 9, 3);
    const inside = cauchy.filter((v) => Math.abs(v) < 3).length / n;
    expect(Math.abs(inside - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / n));
  });

  it('is reproducible from its seed and rejects α outside (0, 2]', () => {
    expect(symmetricStableSample(5, 1.5, 3)).toEqual(symmetricStableSample(5, 1.5, 3));
    expect(symmetricStableSample(5, 1.5, 3)).not.toEqual(symmetricStableSample(5, 1.5, 4));
    expect(() => symmetricStableSample(5, 2.5, 3)).toThrow(/alpha/);
  });
});
