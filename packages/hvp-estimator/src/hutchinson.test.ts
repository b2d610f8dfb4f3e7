import { describe, expect, it } from 'vitest';
import { createRng } from '@kramers/core';
import { hutchinsonTrace, hutchPlusPlus } from './hutchinson.js';
import { quadraticLandscape } from './quadratic.js';
import { matrixMoments } from '../../../test/support/float64-mlp.js';

/** Exact trace, ‖H‖_F² and Σ H_ii² of the dense matrix: the Hutchinson variances are closed forms in these. */
function exactMoments(eigs: number[], seed: number) {
  const q = quadraticLandscape(eigs, { seed });
  const { trace, frobenius2: frob2, diagonal2: diag2 } = matrixMoments(q.dense(), eigs.length);
  return { q, trace, frob2, diag2 };
}

describe('hutchinsonTrace', () => {
  const rng = createRng(12);
  const eigs = Array.from({ length: 200 }, () => -1 + 4 * rng.next());
  const { q, trace, frob2, diag2 } = exactMoments(eigs, 21);

  it('lands within 3 standard errors of the exact trace; s² matches 2(‖H‖_F² − Σ H_ii²)', () => {
    const r = hutchinsonTrace(q, { maxProbes: 400, relativeStdErr: 0, seed: 1 });
    expect(r.probes).toBe(400);
    expect(r.hvpCount).toBe(400);
    expect(r.converged).toBe(false);
    expect(Math.abs(r.estimate - trace)).toBeLessThan(3 * r.stdErr);
    const sampleVar = r.stdErr ** 2 * r.probes;
    const theory = 2 * (frob2 - diag2); // Rademacher per-probe variance
    expect(Math.abs(sampleVar / theory - 1)).toBeLessThan(0.2);
    console.log(
      `[hutchinson] n=200, 400 probes: estimate ${r.estimate.toFixed(2)} ± ${r.stdErr.toFixed(2)}, exact ${trace.toFixed(2)}`,
    );
  });

  it('standard error shrinks as 1/√m', () => {
    const se = [25, 100, 400].map((m) => hutchinsonTrace(q, { maxProbes: m, relativeStdErr: 0, seed: 2 }).stdErr);
    const sigma = Math.sqrt(2 * (frob2 - diag2));
    [25, 100, 400].forEach((m, i) => expect(Math.abs((se[i]! * Math.sqrt(m)) / sigma - 1)).toBeLessThan(0.3));
    expect(se[2]! / se[1]!).toBeGreaterThan(0.4);
    expect(se[2]! / se[1]!).toBeLessThan(0.6);
  });

  it('Gaussian probes have the larger per-probe variance 2‖H‖_F²', () => {
    const r = hutchinsonTrace(q, { maxProbes: 400, relativeStdErr: 0, distribution: 'gaussian', seed: 3 });
    expect(Math.abs((r.stdErr ** 2 * 400) / (2 * frob2) - 1)).toBeLessThan(0.2);
    expect(Math.abs(r.estimate - trace)).toBeLessThan(3 * r.stdErr);
  });

  it('stops at a relative or absolute standard-error target', () => {
    const rel = hutchinsonTrace(q, { relativeStdErr: 0.02, maxProbes: 1000, seed: 4 });
    expect(rel.converged).toBe(true);
    expect(rel.stdErr).toBeLessThanOrEqual(0.02 * Math.abs(rel.estimate));
    expect(rel.probes).toBeLessThan(1000);
    expect(rel.probes).toBeGreaterThanOrEqual(10);
    const abs = hutchinsonTrace(q, { absoluteStdErr: 3, maxProbes: 1000, seed: 4 });
    expect(abs.converged).toBe(true);
    expect(abs.stdErr).toBeLessThanOrEqual(3);
    const capped = hutchinsonTrace(q, { relativeStdErr: 1e-6, maxProbes: 30, seed: 4 });
    expect(capped.converged).toBe(false);
    expect(capped.probes).toBe(30);
  });

  it('is exact with zero standard error on a diagonal matrix (Rademacher: zᵀDz = tr D)', () => {
    const d = [3, -1, 2, 0.5];
    const r = hutchinsonTrace({ size: 4, apply: (v) => v.map((x, i) => d[i]! * x) }, { seed: 5 });
    expect(r.estimate).toBeCloseTo(4.5, 12);
    expect(r.stdErr).toBe(0);
    expect(r.probes).toBe(10);
  });

  it('rejects bad options with the field name', () => {
    expect(() => hutchinsonTrace(q, { maxProbes: 0 })).toThrow(/maxProbes/);
    expect(() => hutchinsonTrace(q, { relativeStdErr: -1 })).toThrow(/relativeStdErr/);
    expect(() => hutchinsonTrace(q, { distribution: 'uniform' as never })).toThrow(/distribution/);
  });
});

describe('hutchPlusPlus', () => {
  it('beats Hutchinson at the same budget on a PSD spectrum with a few large eigenvalues', () => {
    const rng = createRng(8);
    const eigs = [
      ...Array.from({ length: 20 }, (_, i) => 100 * 0.8 ** i),
      ...Array.from({ length: 280 }, () => 0.1 * rng.next()),
    ];
    const { q, trace } = exactMoments(eigs, 30);
    const hpp = hutchPlusPlus(q, { matvecs: 99, seed: 1 });
    const h = hutchinsonTrace(q, { maxProbes: 99, relativeStdErr: 0, seed: 1 });
    expect(hpp.hvpCount).toBe(99);
    expect(hpp.rank).toBe(33);
    expect(hpp.probes).toBe(33);
    expect(hpp.lowRankPart).toBeLessThanOrEqual(trace); // tr(QᵀHQ) ≤ tr H for PSD H
    expect(Math.abs(hpp.estimate - trace)).toBeLessThan(3 * hpp.stdErr);
    expect(Math.abs(h.estimate - trace)).toBeLessThan(3 * h.stdErr);
    expect(hpp.stdErr).toBeLessThan(0.1 * h.stdErr);
    console.log(
      `[hutch++] 99 HVPs: ${hpp.estimate.toFixed(3)} ± ${hpp.stdErr.toFixed(3)} vs Hutchinson ` +
        `${h.estimate.toFixed(3)} ± ${h.stdErr.toFixed(3)}, exact ${trace.toFixed(3)}`,
    );
  });
});
