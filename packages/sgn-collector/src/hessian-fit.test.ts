/**
 * The fit on hand-made points, and on each reference model's own float64 numbers (its eigenvalues and diag_UtCU from
 * reference.json): the fit of those must be the reference's fit to rounding, which checks the definitions
 * (threshold on λ of H, x = λ/B, OLS, slope through the origin, Pearson raw and log10) independently of the rest.
 */
import { describe, expect, it } from 'vitest';
import { REFERENCE_CASES } from '../../../test/support/reference-fixtures.js';
import { readNoiseReference } from '../test/support/probes.js';
import { hessianNoiseFit, leastSquares, pearson } from './hessian-fit.js';

describe('hessianNoiseFit', () => {
  it('on an exact line y = 2x + 1e-3: slope 2, intercept 1e-3, Pearson 1; λ at or below the threshold left out', () => {
    const lambdas = [5, 3, 1, 0.5, 1e-4, -0.2];
    const points = lambdas.map((eigenvalue) => ({ eigenvalue, noiseVariance: 2 * (eigenvalue / 10) + 1e-3 }));
    const fit = hessianNoiseFit(points, 10);
    expect(fit.directionsUsed).toBe(4);
    expect(fit.threshold).toBe(1e-4);
    expect(fit.slope).toBeCloseTo(2, 12);
    expect(fit.intercept).toBeCloseTo(1e-3, 12);
    expect(fit.pearson).toBeCloseTo(1, 12);
    const x = [0.5, 0.3, 0.1, 0.05];
    const y = x.map((v) => 2 * v + 1e-3);
    expect(fit.slopeThroughOrigin).toBeCloseTo(x.reduce((s, v, i) => s + v * y[i]!, 0) / x.reduce((s, v) => s + v * v, 0), 12);
    expect(fit.pearsonLog10).toBeCloseTo(pearson(x.map(Math.log10), y.map(Math.log10))!, 12);
  });

  it('null where a statistic is undefined: under two directions, a constant side, a y ≤ 0 for log10', () => {
    const none = hessianNoiseFit([{ eigenvalue: 1, noiseVariance: 1 }], 1);
    expect(none).toMatchObject({ slope: null, intercept: null, slopeThroughOrigin: null, pearson: null, pearsonLog10: null, directionsUsed: 1 });
    const flat = hessianNoiseFit([{ eigenvalue: 1, noiseVariance: 2 }, { eigenvalue: 2, noiseVariance: 2 }], 1);
    expect(flat.slope).toBe(0);
    expect(flat.pearson).toBeNull();
    const zero = hessianNoiseFit([{ eigenvalue: 1, noiseVariance: 0 }, { eigenvalue: 2, noiseVariance: 2 }], 1);
    expect(zero.pearsonLog10).toBeNull();
    expect(leastSquares([1, 1], [1, 2])).toBeUndefined();
  });

  for (const name of REFERENCE_CASES) {
    it(`reproduces ${name}'s fit from its own float64 eigenvalues and u_kᵀCu_k (≤ 1e-12 relative)`, () => {
      const ref = readNoiseReference(name);
      const gn = ref.gradient_noise;
      const points = ref.hessian_eigenvalues.map((eigenvalue, k) => ({ eigenvalue, noiseVariance: gn.diag_UtCU[k]! }));
      const fit = hessianNoiseFit(points, gn.B, gn.eigenvalue_threshold);
      expect(fit.directionsUsed).toBe(gn.num_eigenvalues_used);
      const pairs: Array<[number | null, number]> = [
        [fit.slope, gn.slope],
        [fit.intercept, gn.intercept],
        [fit.slopeThroughOrigin, gn.slope_through_origin],
        [fit.pearson, gn.pearson],
        [fit.pearsonLog10, gn.pearson_log10],
      ];
      for (const [got, want] of pairs) expect(Math.abs(got! - want) / Math.abs(want)).toBeLessThan(1e-12);
    });
  }
});
