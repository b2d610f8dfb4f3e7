/**
 * analyzeCurvature on tfjs quadratics L(θ) = ½ θᵀAθ (matMul), whose Hessian is exactly A everywhere. A is built in
 * float64 from a prescribed spectrum (negative eigenvalues included) and rounded once to float32; the reference
 * spectrum is the Jacobi eigen-decomposition of that float32 matrix, so it is the exact Hessian tfjs differentiates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createRng, installSecondOrderGradients, secondOrderGradientsInstalled, type Uninstall } from '@kramers/core';
import { describeVerdict, judgeDensity, verdictScores } from '../../../test/support/density-checks.js';
import { deflate, jacobiEigen, rademacherVariance } from '../../../test/support/float64-mlp.js';
import { relErr } from '../../../test/support/numeric.js';
import { analyzeCurvature } from './curvature.js';
import { quadraticLandscape } from './quadratic.js';

interface TfQuadratic {
  theta: tf.Variable;
  A: tf.Tensor2D;
  lossFn: () => tf.Scalar;
  /** Ascending eigenvalues of the float32 A, by the test support's own Jacobi (not the package's eigensolver). */
  spectrum: Float64Array;
  vectors: Float64Array[];
  trace: number;
  dispose(): void;
}

function tfQuadratic(eigs: number[], seed: number, shape: number[]): TfQuadratic {
  const n = eigs.length;
  const a32 = Float32Array.from(quadraticLandscape(eigs, { seed }).dense());
  // the float64 dense matrix is symmetric to rounding; symmetrise after the float32 cast so tfjs sees an exact
  // symmetric matrix and the reference is its spectrum
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a32[i * n + j] = a32[j * n + i]!;
  const { values, vectors } = jacobiEigen(a32, n, { vectors: true });
  let trace = 0;
  for (let i = 0; i < n; i++) trace += a32[i * n + i]!;
  const rng = createRng(seed + 1);
  const theta = tf.variable(tf.tensor(Float32Array.from({ length: n }, () => rng.normal()), shape));
  const A = tf.tensor2d(a32, [n, n]);
  const lossFn = () =>
    tf.tidy(() => {
      const row = tf.reshape(theta, [1, n]);
      return tf.mul(0.5, tf.sum(tf.matMul(tf.matMul(row, A), row, false, true))) as tf.Scalar;
    });
  return { theta, A, lossFn, spectrum: values, vectors, trace, dispose: () => tf.dispose([theta, A]) };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('analyzeCurvature without a global second-order registry', () => {
  it('installs the registry for its own duration only, and double backprop and finite differences agree', () => {
    const q = tfQuadratic([3, 2, 1, -1], 1, [4]);
    try {
      expect(secondOrderGradientsInstalled()).toBe(false);
      const exact = analyzeCurvature({ lossFn: q.lossFn, variables: [q.theta] }, { topK: 2 });
      expect(exact.method).toBe('double-backprop');
      expect(secondOrderGradientsInstalled()).toBe(false);
      expect(relErr(exact.eigenvalues[0]!, q.spectrum[3]!)).toBeLessThan(1e-6);
      const r = analyzeCurvature({ lossFn: q.lossFn, variables: [q.theta] }, { hvp: 'finite-difference', topK: 2 });
      expect(r.method).toBe('finite-difference');
      expect(relErr(r.eigenvalues[0]!, q.spectrum[3]!)).toBeLessThan(1e-3);
    } finally {
      q.dispose();
    }
  });
});

describe('analyzeCurvature on ½θᵀAθ (exact Hessian A)', () => {
  let uninstall: Uninstall;
  beforeAll(() => {
    uninstall = installSecondOrderGradients();
  });
  afterAll(() => uninstall());

  // n = 120, θ a 2-D variable (flat order row-major): outliers on top, a bulk, and a negative tail with λ_min = −3
  const rng = createRng(7);
  const eigs = [12, 8, 6, 5, 4.5];
  for (let i = 0; i < 100; i++) eigs.push(-0.5 + 2 * rng.next());
  for (let i = 0; i < 14; i++) eigs.push(-2.5 + rng.next());
  eigs.push(-3);
  const n = eigs.length;
  const q = tfQuadratic(eigs, 11, [12, 10]);
  afterAll(() => q.dispose());
  const source = () => ({ lossFn: q.lossFn, variables: [q.theta] });

  it('loss, gradient norm, top 5 and λ_min to float32 accuracy, eigenvectors, method and HVP count', () => {
    const before = tf.memory().numTensors;
    const r = analyzeCurvature(source(), { topK: 5, seed: 3, eigenvectors: true });
    expect(tf.memory().numTensors).toBe(before);
    // loss and gradient from the float64 closed forms ½θᵀAθ and Aθ at the float32 θ and A
    const theta = Float64Array.from(q.theta.dataSync());
    const a = Float64Array.from(q.A.dataSync());
    let loss = 0;
    let g2 = 0;
    for (let i = 0; i < n; i++) {
      let gi = 0;
      for (let j = 0; j < n; j++) gi += a[i * n + j]! * theta[j]!;
      loss += 0.5 * theta[i]! * gi;
      g2 += gi * gi;
    }
    expect(relErr(r.loss!, loss)).toBeLessThan(1e-5);
    expect(relErr(r.gradNorm!, Math.sqrt(g2))).toBeLessThan(1e-5);

    expect(r.n).toBe(n);
    expect(r.method).toBe('double-backprop');
    expect(r.fallbackReason).toBeNull();
    expect(r.converged).toBe(true);
    const desc = [...q.spectrum].reverse();
    r.eigenvalues.forEach((mu, i) => expect(relErr(mu, desc[i]!)).toBeLessThan(1e-5));
    expect(relErr(r.minEigenvalue!, q.spectrum[0]!)).toBeLessThan(1e-5);
    expect(r.minEigenvalue!).toBeLessThan(-2.9);
    // eigenvectors against Jacobi's
    r.eigenvectors!.forEach((y, i) => {
      const u = q.vectors[n - 1 - i]!;
      const cos = y.reduce((s, x, j) => s + x * u[j]!, 0);
      expect(Math.abs(cos)).toBeGreaterThan(0.9999);
    });
    const u0 = q.vectors[0]!;
    expect(Math.abs(r.minEigenvector!.reduce((s, x, j) => s + x * u0[j]!, 0))).toBeGreaterThan(0.999);
    // double backprop by default: no trial product to choose a method; every HVP is a Lanczos step
    expect(r.hvpBreakdown).toEqual({ probe: 0, lanczos: r.lanczosIterations, trace: 0, density: 0 });
    expect(r.hvpCount).toBe(r.lanczosIterations);
    expect(r.trace).toBeNull();
    expect(r.density).toBeNull();
    // plain JSON apart from the eigenvectors asked for
    const { eigenvectors: _e, minEigenvector: _m, ...json } = r;
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    console.log(
      `[curvature] quadratic n=${n}: top-5 + λ_min in ${r.lanczosIterations} Lanczos HVPs, ` +
        `max rel err ${Math.max(...r.eigenvalues.map((mu, i) => relErr(mu, desc[i]!))).toExponential(2)}, ` +
        `λ_min ${r.minEigenvalue!.toFixed(6)} (exact ${q.spectrum[0]!.toFixed(6)})`,
    );
  });

  it('trace: Σ Ritz values + deflated Hutchinson within 3 sd of tr(A), the sd from A and the Ritz vectors; stderr agrees', () => {
    const probes = 40;
    const r = analyzeCurvature(source(), { topK: 5, trace: true, traceProbes: probes, seed: 5, gradient: false, eigenvectors: true });
    const t = r.trace!;
    expect(t.probes).toBe(probes);
    expect(t.deflated).toBe(6);
    expect(r.hvpBreakdown.trace).toBe(probes);
    expect(r.loss).toBeNull();
    expect(r.gradNorm).toBeNull();
    // Rademacher Hutchinson on M has per-probe variance 2(‖M‖_F² − Σ M_ii²): M = A plain, (I − P)A(I − P) deflated
    const a = Float64Array.from(q.A.dataSync());
    const sd = Math.sqrt(rademacherVariance(deflate(a, n, [...r.eigenvectors!, r.minEigenvector!]), n) / probes);
    const plainSd = Math.sqrt(rademacherVariance(a, n) / probes);
    const z = (t.estimate - q.trace) / sd;
    console.log(
      `[curvature] quadratic trace ${t.estimate.toFixed(4)} ± ${t.stderr.toFixed(4)} (exact ${q.trace.toFixed(4)}, z ${z.toFixed(2)}; ` +
        `sd from A ${sd.toFixed(4)}, plain Hutchinson's ${plainSd.toFixed(4)})`,
    );
    expect(Math.abs(z)).toBeLessThan(3);
    expect(t.stderr / sd).toBeGreaterThan(0.7);
    expect(t.stderr / sd).toBeLessThan(1.35);
    // the five outliers and λ_min carry much of ‖A‖_F²: deflating them shrinks the sd 1.9× (measured)
    expect(plainSd / sd).toBeGreaterThan(1.7);
  });

  it('density: moments and the mass of each separated group match the exact spectrum within their sd', () => {
    const runs = 6;
    const r = analyzeCurvature(source(), { topK: 1, minEigenvalue: false, density: true, densityRuns: runs, densitySteps: 40, seed: 9 });
    expect(r.density!.grid.length).toBe(200);
    expect(r.hvpBreakdown.density).toBe(runs * 40);
    expect(r.minEigenvalue).toBeNull();
    // gaps: the tail [−3, −1.5] sits below the bulk [−0.5, 1.5], the outliers 4.5 … 12 above it
    const verdict = judgeDensity(r.density!, Float64Array.from(q.A.dataSync()), n, runs, [{ below: -1 }, { above: 3 }]);
    console.log(`[curvature] quadratic density: ${describeVerdict(verdict)}`);
    expect(verdict.groups.map((g) => g.fraction * n)).toEqual([15, 5]);
    for (const z of verdictScores(verdict)) expect(Math.abs(z)).toBeLessThan(3);
  });

  it("'finite-difference' agrees with double backprop on a quadratic (exact up to float32 rounding)", () => {
    const fd = analyzeCurvature(source(), { topK: 3, hvp: 'finite-difference', seed: 3, gradient: false });
    expect(fd.method).toBe('finite-difference');
    expect(fd.hvpBreakdown.probe).toBe(0);
    const desc = [...q.spectrum].reverse();
    fd.eigenvalues.forEach((mu, i) => expect(relErr(mu, desc[i]!)).toBeLessThan(1e-3));
  });

  it('warm start from the previous eigenvectors needs fewer HVPs than a cold start', () => {
    const cold = analyzeCurvature(source(), { topK: 5, seed: 21, eigenvectors: true, gradient: false });
    const warm = analyzeCurvature(source(), {
      topK: 5,
      seed: 22,
      gradient: false,
      warmStart: [...cold.eigenvectors!, cold.minEigenvector!],
    });
    console.log(`[curvature] quadratic: cold ${cold.lanczosIterations} Lanczos HVPs, warm ${warm.lanczosIterations}`);
    expect(warm.converged).toBe(true);
    expect(warm.lanczosIterations).toBeLessThan(cold.lanczosIterations);
    warm.eigenvalues.forEach((mu, i) => expect(relErr(mu, cold.eigenvalues[i]!)).toBeLessThan(1e-5));
  });

  it('rejects bad options naming the field and the allowed range', () => {
    expect(() => analyzeCurvature(source(), { topK: 0 })).toThrow(/options\.topK is 0; use an integer in \[1, 120\]/);
    expect(() => analyzeCurvature(source(), { topK: 5, maxIter: 3 })).toThrow(/options\.maxIter is 3; use an integer in \[6, 120\]/);
    expect(() => analyzeCurvature(source(), { tol: -1 })).toThrow(/options\.tol is -1/);
    expect(() => analyzeCurvature(source(), { traceProbes: 1 })).toThrow(/options\.traceProbes is 1/);
    expect(() => analyzeCurvature(source(), { hvp: 'exact' as never })).toThrow(/options\.hvp is "exact"/);
  });
});
