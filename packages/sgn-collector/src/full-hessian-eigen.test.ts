/**
 * fullHessianEigen on the wine reference model (n = 139) against its float64 spectrum from reference.json: every
 * eigenvalue to the float32 HVPs' accuracy (1e-6·λ_max, `HVP_ACCURACY` in hvp-estimator), eigenvectors orthonormal
 * and satisfying H u = λ u by a fresh HVP.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { ProbeContext } from '@kramers/core';
import { makeHvp } from '@kramers/hvp-estimator';
import { readReference } from '../../../test/support/reference-fixtures.js';
import { useReferenceProbe } from '../test/support/probes.js';
import { fullHessianEigen } from './full-hessian-eigen.js';

describe('fullHessianEigen (wine reference, wasm)', () => {
  const use = useReferenceProbe('wine-mlp', 'wasm');
  let probe: ProbeContext;
  beforeAll(() => {
    probe = use().probe;
  });

  it('every eigenvalue (descending) within 1e-6·λ_max of the float64 spectrum; unit, orthogonal eigenvectors with H u = λ u', () => {
    const ref = readReference('wine-mlp');
    const before = tf.memory().numTensors;
    const e = fullHessianEigen(probe);
    expect(tf.memory().numTensors).toBe(before);
    expect(e.eigenvalues).toHaveLength(ref.n);
    const lambdaMax = ref.hessian_eigenvalues[0]!;
    const worst = Math.max(...e.eigenvalues.map((l, i) => Math.abs(l - ref.hessian_eigenvalues[i]!)));
    console.log(`wine: all ${ref.n} eigenvalues, max |error| ${worst.toExponential(2)} (λ_max ${lambdaMax.toFixed(4)})`);
    expect(worst).toBeLessThan(1e-6 * lambdaMax);
    for (let i = 1; i < e.eigenvalues.length; i++) expect(e.eigenvalues[i]!).toBeLessThanOrEqual(e.eigenvalues[i - 1]!);
    const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);
    for (const [i, j] of [[0, 0], [0, 1], [5, 70], [138, 138]] as const) expect(dot(e.eigenvectors[i]!, e.eigenvectors[j]!)).toBeCloseTo(i === j ? 1 : 0, 12);
    const hvp = makeHvp(probe);
    for (const k of [0, 3]) {
      const hu = hvp.apply(e.eigenvectors[k]!);
      const r = Math.hypot(...hu.map((v, i) => v - e.eigenvalues[k]! * e.eigenvectors[k]![i]!));
      expect(r).toBeLessThan(1e-6 * lambdaMax);
    }
  });

  it('refuses a model larger than maxSize, naming the Lanczos alternative', () => {
    expect(() => fullHessianEigen(probe, { maxSize: 100 })).toThrow(/n = 139 parameters exceeds maxSize 100.*analyzeCurvature/);
  });
});
