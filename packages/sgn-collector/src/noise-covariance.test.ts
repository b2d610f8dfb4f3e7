/**
 * The covariance statistics against Σ formed explicitly as an n × n float64 matrix from its definition (the thing the
 * implementation never builds), on seeded per-example matrices with a non-zero mean and unequal scales.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '@kramers/core';
import { finitePopulation, noiseAlong, noiseCovariance } from './noise-covariance.js';
import type { PerExampleGradients } from './per-example-gradients.js';

function perExample(m: number, n: number, seed: number): PerExampleGradients {
  const rng = createRng(seed);
  const values = new Float32Array(m * n);
  for (let j = 0; j < m; j++) for (let i = 0; i < n; i++) values[j * n + i] = 0.3 * (i + 1) + (i + 1) * rng.normal();
  return { rows: m, size: n, values, method: 'dense' };
}

/** Σ = (1/m) Σ_j g_j g_jᵀ − g gᵀ, the raw-moment form of the definition, n × n. */
function explicitSigma(pe: PerExampleGradients): Float64Array {
  const { rows: m, size: n, values } = pe;
  const g = new Float64Array(n);
  for (let j = 0; j < m; j++) for (let i = 0; i < n; i++) g[i]! += values[j * n + i]! / m;
  const s = new Float64Array(n * n);
  for (let j = 0; j < m; j++) {
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) s[a * n + b]! += (values[j * n + a]! * values[j * n + b]!) / m;
  }
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) s[a * n + b]! -= g[a]! * g[b]!;
  return s;
}

const unit = (v: number[]): Float64Array => {
  const norm = Math.hypot(...v);
  return Float64Array.from(v, (x) => x / norm);
};

describe('noiseCovariance', () => {
  const pe = perExample(200, 6, 1);
  const sigma = explicitSigma(pe);
  const n = pe.size;

  it('tr C = tr Σ / B with Σ as defined; the finite-population factor and corrected trace as the reference defines them', () => {
    const c = noiseCovariance(pe, 32);
    let trace = 0;
    for (let i = 0; i < n; i++) trace += sigma[i * n + i]!;
    expect(c.traceSigma).toBeCloseTo(trace, 10);
    expect(c.traceC).toBeCloseTo(trace / 32, 12);
    expect(c.finitePopulationFactor).toBe((200 - 32) / 199);
    expect(c.traceCFinitePopulationCorrected).toBeCloseTo((trace / 32) * (168 / 199), 12);
    expect(c.rows).toBe(200);
  });

  it('uᵀCu = uᵀΣu / B along unit directions; projections are the centred rows along u, with mean 0', () => {
    const c = noiseCovariance(pe, 8);
    const dirs = [unit([1, 0, 0, 0, 0, 0]), unit([1, -2, 0.5, 3, 0, 1]), unit([0, 0, 0, 0, 0, 1])];
    const along = noiseAlong(c, dirs);
    dirs.forEach((u, k) => {
      let quad = 0;
      for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) quad += u[a]! * sigma[a * n + b]! * u[b]!;
      expect(along[k]!.noiseVariance).toBeCloseTo(quad / 8, 10);
      expect(along[k]!.rowVariance).toBeCloseTo(quad, 9);
      let gu = 0;
      for (let i = 0; i < n; i++) gu += c.mean[i]! * u[i]!;
      expect(along[k]!.gradientProjection).toBeCloseTo(gu, 12);
      const p = along[k]!.projections;
      expect(p).toHaveLength(200);
      const row7 = Array.from({ length: n }, (_, i) => pe.values[7 * n + i]!);
      expect(p[7]).toBeCloseTo(row7.reduce((s, x, i) => s + x * u[i]!, 0) - gu, 12);
      expect(Math.abs(p.reduce((s, x) => s + x, 0) / 200)).toBeLessThan(1e-12);
    });
  });

  it('refuses directions that are not unit vectors of length n, fewer than two rows, a bad batch size', () => {
    const c = noiseCovariance(pe, 8);
    expect(() => noiseAlong(c, [Float64Array.from([1, 1, 0, 0, 0, 0])])).toThrow(/norm 1.414.*unit vectors/);
    expect(() => noiseAlong(c, [Float64Array.from([1, 0])])).toThrow(/2 entries, expected n = 6/);
    expect(() => noiseCovariance({ ...pe, rows: 1, values: pe.values.subarray(0, 6) }, 8)).toThrow(/at least 2 rows/);
    expect(() => noiseCovariance({ ...pe, values: pe.values.map((v, i) => (i === 13 ? Number.NaN : v)) }, 8)).toThrow(/row 2, value 1 is NaN/);
    expect(() => noiseCovariance(pe, 0)).toThrow(/batchSize/);
  });

  it('finitePopulation: 1 at B = 1, 0 at B = m', () => {
    expect(finitePopulation(100, 1)).toBe(1);
    expect(finitePopulation(100, 100)).toBe(0);
  });
});
