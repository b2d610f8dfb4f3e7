/**
 * Stochastic Lanczos quadrature (Golub & Meurant 2010; Ubaru, Chen & Saad 2017; PyHessian `hessian.density`;
 * docs/theory.md §8.3). For a unit probe v, vᵀf(H)v = ∫ f dμ_v with μ_v = Σ_i (vᵀu_i)² δ_{λ_i}; m Lanczos steps
 * from v give the m-node Gauss rule for μ_v: nodes = eigenvalues of T, weights = squared first components of T's
 * eigenvectors (Golub–Welsch 1969). Averaging μ_v over normalised Rademacher probes estimates the spectral density
 * (1/n) Σ_i δ_{λ_i}, and n·Σ τ_k μ_k = zᵀHz (z the ±1 probe) gives tr(H) for free.
 */
import { createRng } from '@kramers/core';
import { assertOperator, type SymmetricOperator } from './operator.js';
import { lanczosTridiagonal } from './lanczos.js';
import { tridiagonalEigenComponents } from './tridiagonal-eigen.js';
import { rademacherVector } from './vector.js';

export interface SlqOptions {
  /** Independent probes n_v (default 1, as PyHessian). */
  readonly runs?: number;
  /** Lanczos steps per probe (default min(n, 100), PyHessian's iter). */
  readonly steps?: number;
  /** Seed for the Rademacher probes (default 0). */
  readonly seed?: number;
  /**
   * Explicit probe vectors (normalised here) instead of seeded Rademacher ones; sets `runs`. The trace and density
   * are unbiased only for ±1 or isotropic (e.g. Gaussian) probes.
   */
  readonly probes?: readonly Float64Array[];
}

/** One probe's Gauss quadrature rule: Σ weights = 1. */
export interface QuadratureRule {
  readonly nodes: Float64Array;
  readonly weights: Float64Array;
}

export interface SlqResult {
  /** One quadrature rule per probe (fewer than `steps` nodes if the probe's Krylov space was invariant). */
  readonly runs: QuadratureRule[];
  /**
   * tr(H) = mean over probes of n·Σ τ_k μ_k (= zᵀHz for a ±1 probe z: Hutchinson on the same probes); stdErr across
   * probes (NaN for one probe).
   */
  readonly trace: { readonly estimate: number; readonly stdErr: number; readonly probes: number };
  readonly hvpCount: number;
}

export function stochasticLanczosQuadrature(operator: SymmetricOperator, options: SlqOptions = {}): SlqResult {
  assertOperator(operator, 'stochasticLanczosQuadrature');
  const n = operator.size;
  const runs = options.probes ? options.probes.length : (options.runs ?? 1);
  if (options.probes && options.runs !== undefined && options.runs !== options.probes.length) {
    throw new RangeError(
      `stochasticLanczosQuadrature: runs = ${options.runs} but ${options.probes.length} probes were given; pass one of them`,
    );
  }
  const steps = options.steps ?? Math.min(n, 100);
  if (!Number.isInteger(runs) || runs < 1) {
    throw new RangeError(`stochasticLanczosQuadrature: runs must be a positive integer, got ${String(runs)}`);
  }
  if (!Number.isInteger(steps) || steps < 1 || steps > n) {
    throw new RangeError(`stochasticLanczosQuadrature: steps must be an integer in [1, n = ${n}], got ${String(steps)}`);
  }
  const rng = createRng(options.seed ?? 0);
  const rules: QuadratureRule[] = [];
  const traces: number[] = [];
  let hvpCount = 0;
  for (let r = 0; r < runs; r++) {
    const z = options.probes ? options.probes[r]! : rademacherVector(n, () => rng.sign());
    const t = lanczosTridiagonal(operator, z, steps);
    hvpCount += t.hvpCount;
    const { values, components } = tridiagonalEigenComponents(t.alpha, t.beta, [0]);
    const weights = components[0]!.map((c) => c * c);
    rules.push({ nodes: values, weights });
    let s = 0;
    values.forEach((mu, i) => (s += weights[i]! * mu));
    traces.push(n * s);
  }
  const mean = traces.reduce((s, x) => s + x, 0) / runs;
  const variance = runs > 1 ? traces.reduce((s, x) => s + (x - mean) ** 2, 0) / (runs - 1) : NaN;
  return { runs: rules, trace: { estimate: mean, stdErr: Math.sqrt(variance / runs), probes: runs }, hvpCount };
}
