import { describe, expect, it } from 'vitest';
import { createRng } from '@kramers/core';
import { directionGaussianity, pooledGaussianity } from './noise-gaussianity.js';

describe('Gaussianity of minibatch noise', () => {
  it('per direction: a Gaussian series has kurtosis near 0, a large p and α̂ near 2; JSON-safe nulls for a constant one', () => {
    const rng = createRng(2);
    const g = directionGaussianity(Float64Array.from({ length: 4000 }, () => 0.01 * rng.normal()));
    expect(Math.abs(g.kurtosis!)).toBeLessThan(3 * g.kurtosisStdErr!);
    expect(g.pValue!).toBeGreaterThan(0.001);
    expect(g.tailIndex!).toBeGreaterThan(1.8);
    const constant = directionGaussianity(new Float64Array(100).fill(0));
    expect(constant.pValue).toBeNull();
    expect(JSON.parse(JSON.stringify(constant))).toEqual(constant);
  });

  it('pooled: Gaussian parameters of one scale read α̂ ≈ 2; parameters without noise pull the all-parameter α̂ down, and are left out of the other', () => {
    const rng = createRng(9);
    const rows = 1000;
    const size = 50;
    const zero = new Set([3, 17, 40]);
    const values = Float32Array.from({ length: rows * size }, (_, k) => (zero.has(k % size) ? 0 : rng.normal()));
    const pooled = pooledGaussianity({ rows, size, values });
    expect(pooled.zeroParameters).toBe(3);
    expect(pooled.minibatches).toBe(rows);
    // Measured: 1.13 with the 3 zero columns (6 % of the values at log 2⁻⁵² ≈ −36), 2.00 (clipped) without them.
    expect(pooled.alpha!).toBeLessThan(1.3);
    expect(pooled.alphaExcludingZeros!).toBeGreaterThan(1.9);
    expect(pooled.values).toBe(rows * size);
  });
});
