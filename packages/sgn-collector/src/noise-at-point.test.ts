/**
 * noiseAtPoint's direction sources and report shapes on a small MLP (n = 51): every eigenpair ('hessian'), given
 * vectors without eigenvalues (no fit), none (traces only); the exact report is the composition of the lower-level
 * functions, the sampled one carries its standard errors; both are plain JSON.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ProbeContext } from '@kramers/core';
import { useSoftmaxMlp } from '../test/support/probes.js';
import { fullHessianEigen } from './full-hessian-eigen.js';
import { hessianNoiseFit } from './hessian-fit.js';
import { noiseAtPoint } from './noise-at-point.js';
import { noiseAlong, noiseCovariance } from './noise-covariance.js';
import { perExampleGradients } from './per-example-gradients.js';

const ROWS = 90;
const B = 16;

describe('noiseAtPoint (wasm)', () => {
  const use = useSoftmaxMlp({ rows: ROWS, hidden: 6, activation: 'sigmoid', backend: 'wasm' });
  let probe: ProbeContext;
  beforeAll(() => {
    probe = use().probe;
  });

  it("'hessian': every eigenpair, the fit over λ > 1e-4; equal to the lower-level functions composed", () => {
    const r = noiseAtPoint(probe, { batchSize: B, directions: 'hessian' });
    const e = fullHessianEigen(probe);
    const c = noiseCovariance(perExampleGradients(probe), B);
    const along = noiseAlong(c, e.eigenvectors);
    expect(r).toMatchObject({ mode: 'exact', batchSize: B, m: ROWS, n: probe.size, loss: 'categoricalCrossentropy', lossSource: 'option' });
    expect(r.traceC).toBe(c.traceC);
    expect(r.directions.map((d) => d.eigenvalue)).toEqual(e.eigenvalues);
    expect(r.directions.map((d) => d.noiseVariance)).toEqual(along.map((d) => d.noiseVariance));
    expect(r.fit).toEqual(hessianNoiseFit(e.eigenvalues.map((eigenvalue, k) => ({ eigenvalue, noiseVariance: along[k]!.noiseVariance })), B));
    expect(r.gradNorm).toBeCloseTo(Math.hypot(...probe.lossAndGradient().gradient), 6);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('vectors without eigenvalues: no fit, eigenvalue null; no directions: traces only', () => {
    const u = new Float64Array(probe.size);
    u[3] = 1;
    const r = noiseAtPoint(probe, { batchSize: B, directions: { vectors: [u] } });
    expect(r.fit).toBeNull();
    expect(r.directions[0]!.eigenvalue).toBeNull();
    expect(r.directions[0]!.perExampleNoise).toHaveLength(ROWS);
    const bare = noiseAtPoint(probe, { batchSize: B });
    expect(bare.directions).toEqual([]);
    expect(bare.fit).toBeNull();
    expect(bare.traceC).toBe(r.traceC);
  });

  it('sampled: estimates with standard errors and the minibatch noise per direction; mismatched eigenpairs refused', () => {
    const u = new Float64Array(probe.size);
    u[0] = 1;
    const s = noiseAtPoint(probe, { batchSize: B, mode: 'sampled', samples: 50, seed: 2, directions: { eigenvalues: [0.5], eigenvectors: [u] } });
    expect(s).toMatchObject({ mode: 'sampled', samples: 50, seed: 2, m: ROWS });
    expect(s.traceCStderr).toBeGreaterThan(0);
    expect(s.traceSigma).toBeCloseTo(B * s.traceC, 12);
    expect(s.directions[0]!.minibatchNoise).toHaveLength(50);
    expect(s.directions[0]!.noiseVarianceStderr).toBeGreaterThan(0);
    expect(s.fit).toMatchObject({ directionsUsed: 1, slope: null });
    expect(() => noiseAtPoint(probe, { batchSize: B, directions: { eigenvalues: [1, 2], eigenvectors: [u] } })).toThrow(/2 eigenvalues but 1 eigenvectors/);
  });
});
