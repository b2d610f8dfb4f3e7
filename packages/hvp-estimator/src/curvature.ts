/**
 * The curvature engine behind `kramers curvature` and the `sharpness` plugin (docs/theory.md §8). At the variables'
 * current values it measures the loss and gradient norm, the top-k Hessian eigenpairs and λ_min by Lanczos (one Krylov
 * space for both ends), optionally tr(H) by Hutchinson with the Ritz vectors deflated, and optionally the spectral
 * density by stochastic Lanczos quadrature. HVPs are float32 (tfjs). Krylov vectors, inner products and eigen-solves
 * are float64.
 */
import * as tf from '@tensorflow/tfjs';
import { seedFor, withSecondOrderGradients } from '@kramers/core';
import { CURVATURE_DEFAULTS } from './curvature-defaults.js';
import { spectralDensity } from './density.js';
import { hutchinsonTrace } from './hutchinson.js';
import { makeFiniteDifferenceHvp, makeHvp, makeHvpOperator, type HvpMethod, type HvpOperator, type HvpSource } from './hvp.js';
import { defaultLanczosMaxIter, lanczos } from './lanczos.js';
import { countingOperator, deflatedOperator, type CountingOperator } from './operator.js';
import { stochasticLanczosQuadrature } from './slq.js';

/**
 * Relative accuracy of a float32 Hessian-vector product against the exact float64 one, as measured on the reference
 * models and the probe-loss tests (≤ 6e-7 over wasm and cpu, src/curvature-reference.test.ts): residuals and error
 * bounds below this fraction of ‖H‖ mean nothing, so they are reported no smaller.
 */
export const HVP_ACCURACY = 1e-6;

/** How Hessian-vector products are formed: 'auto' tries double backprop once and falls back to finite differences. */
export type HvpChoice = 'auto' | HvpMethod;

export interface CurvatureOptions {
  /** Largest eigenvalues wanted. Defaults of every option: `CURVATURE_DEFAULTS`. */
  readonly topK?: number;
  /** Also find the smallest eigenvalue, from the same Krylov space. */
  readonly minEigenvalue?: boolean;
  /**
   * Lanczos relative Ritz-residual tolerance (see `LanczosOptions.tol`). On the float64 reference models the
   * default gives the top 5 to ≤ 1e-6 relative with 11–17 HVPs (README, "analyzeCurvature").
   */
  readonly tol?: number;
  /**
   * Maximum Lanczos steps = HVPs; the basis holds this many float64 n-vectors (default min(n, max(2·wanted + 20, 40))
   * for topK only, min(n, max(2·wanted + 20, 100)) with λ_min, which sits at the edge of the bulk and converges
   * slower: 89 steps on the 784-128-10 benchmark MLP, 26–38 on the reference models).
   */
  readonly maxIter?: number;
  /** Seed of the Lanczos start vector; the trace and density probes use seeds derived from it. */
  readonly seed?: number;
  /** Eigenvectors from an earlier call (e.g. the previous training step) to start Lanczos from. */
  readonly warmStart?: readonly Float64Array[];
  /** Estimate tr(H) (default false). */
  readonly trace?: boolean;
  /** Hutchinson probes for the trace, one HVP each. */
  readonly traceProbes?: number;
  /** Estimate the spectral density by SLQ (default false). */
  readonly density?: boolean;
  /** SLQ probes (PyHessian's n_v). */
  readonly densityRuns?: number;
  /** Lanczos steps per SLQ probe, capped at n (PyHessian's iter). */
  readonly densitySteps?: number;
  /** Density grid points. */
  readonly densityBins?: number;
  /** Compute the loss and gradient norm (one gradient; default true). */
  readonly gradient?: boolean;
  /** Return the Ritz vectors as `eigenvectors` (and `minEigenvector`) (default false). */
  readonly eigenvectors?: boolean;
  /**
   * HVP method. Double backprop runs under core's second-order gradient registry, installed for the duration of the
   * call only; 'finite-difference' is wrong by O(1) across ReLU kinks; 'auto' falls back to it only when double
   * backprop throws.
   */
  readonly hvp?: HvpChoice;
  /** Finite-difference step (default 1e-3, see `FiniteDifferenceOptions`). */
  readonly finiteDifferenceEpsilon?: number;
}

/**
 * Plain JSON except `eigenvectors` and `minEigenvector` (Float64Array, present only when asked for). Quantities not
 * asked for are `null`, so the shape of the object never changes.
 */
export interface CurvatureReport {
  /** Number of parameters. */
  readonly n: number;
  readonly method: HvpMethod;
  /** Why 'auto' fell back to finite differences (the double-backprop error), else null. */
  readonly fallbackReason: string | null;
  readonly loss: number | null;
  /** ‖∇L‖₂. */
  readonly gradNorm: number | null;
  /** Top-k Ritz values, descending. */
  readonly eigenvalues: readonly number[];
  /**
   * Ritz residuals ‖Hy − μy‖, floored at the float32 HVPs' accuracy (`HVP_ACCURACY`·max|μ|): some eigenvalue of
   * the true H lies within this distance of each Ritz value. Lanczos's own residual |β s| is exact for the
   * operator it saw, which is H up to float32 rounding, and reads as small as 1e-19 where the true error is 1e-7.
   */
  readonly residuals: readonly number[];
  /** min(r, r²/gap) per top eigenvalue, gap estimated from the Ritz values (Parlett §11.7). */
  readonly errorBounds: readonly number[];
  readonly minEigenvalue: number | null;
  readonly minEigenvalueResidual: number | null;
  /** Every wanted Ritz pair met the tolerance. */
  readonly converged: boolean;
  readonly lanczosIterations: number;
  /**
   * tr(H) = Σ Ritz values of the eigenvectors found + Hutchinson on H with those directions projected out (unbiased;
   * `stderr` is the Hutchinson standard error s/√probes). `deflated`: number of directions projected out.
   */
  readonly trace: { readonly estimate: number; readonly stderr: number; readonly probes: number; readonly deflated: number } | null;
  /** Smoothed SLQ density on a grid, unit area (Σ values·Δ = 1). */
  readonly density: { readonly grid: readonly number[]; readonly values: readonly number[] } | null;
  /** All HVPs spent (gradient evaluations of finite differences count as HVPs: one per product). */
  readonly hvpCount: number;
  readonly hvpBreakdown: { readonly probe: number; readonly lanczos: number; readonly trace: number; readonly density: number };
  /** Unit Ritz vectors of `eigenvalues`, flat in variable order (only with `eigenvectors: true`). */
  readonly eigenvectors?: readonly Float64Array[];
  readonly minEigenvector?: Float64Array;
}

interface Settings {
  readonly topK: number;
  readonly minEigenvalue: boolean;
  readonly tol: number;
  readonly maxIter: number;
  readonly seed: number;
  readonly traceProbes: number;
  readonly densityRuns: number;
  readonly densitySteps: number;
  readonly densityBins: number;
  readonly hvp: HvpChoice;
}

/**
 * Curvature of `source.lossFn` at the current values of `source.variables` (a ProbeContext qualifies). Runs under the
 * second-order gradient registry and puts the registry back as it was afterwards, so training is never affected.
 */
export function analyzeCurvature(source: HvpSource, options: CurvatureOptions = {}): CurvatureReport {
  return withSecondOrderGradients(() => analyze(source, options));
}

function analyze(source: HvpSource, options: CurvatureOptions): CurvatureReport {
  const base = makeOperator(source, options);
  const n = base.size;
  const s = settings(options, n);
  const H = countingOperator(base);

  const value = (options.gradient ?? true) ? lossAndGradNorm(source) : { loss: null, gradNorm: null };

  const eig = lanczos(H, {
    k: s.topK,
    which: s.minEigenvalue ? 'both' : 'LA',
    ...(s.minEigenvalue ? { bottomK: 1 } : {}),
    tol: s.tol,
    maxIter: s.maxIter,
    seed: s.seed,
    ...(options.warmStart && options.warmStart.length > 0 ? { warmStart: options.warmStart } : {}),
  });
  const lanczosHvps = H.count;
  const k = Math.min(s.topK, eig.eigenvalues.length);
  // with k + 1 > n every eigenvalue is among the top k, so λ_min is the last of them
  const minIndex = s.minEigenvalue ? (eig.eigenvalues.length > k ? k : k - 1) : -1;

  const trace = options.trace ? deflatedTrace(H, eig.eigenvalues, eig.eigenvectors, s) : null;
  const traceHvps = H.count - lanczosHvps;
  const density = options.density ? densityOf(H, s) : null;
  const densityHvps = H.count - lanczosHvps - traceHvps;
  const probeHvps = s.hvp === 'auto' ? 1 : 0;

  const wantVectors = options.eigenvectors ?? false;
  const scale = eig.eigenvalues.reduce((m, mu) => Math.max(m, Math.abs(mu)), 0);
  const floor = (r: number): number => Math.max(r, HVP_ACCURACY * scale);
  return {
    n,
    method: base.method,
    fallbackReason: base.fallbackReason ?? null,
    loss: value.loss,
    gradNorm: value.gradNorm,
    eigenvalues: Array.from(eig.eigenvalues.subarray(0, k)),
    residuals: Array.from(eig.residuals.subarray(0, k), floor),
    errorBounds: Array.from(eig.errorBounds.subarray(0, k), floor),
    minEigenvalue: minIndex >= 0 ? eig.eigenvalues[minIndex]! : null,
    minEigenvalueResidual: minIndex >= 0 ? floor(eig.residuals[minIndex]!) : null,
    converged: eig.converged,
    lanczosIterations: eig.iterations,
    trace,
    density,
    hvpCount: H.count + probeHvps,
    hvpBreakdown: { probe: probeHvps, lanczos: lanczosHvps, trace: traceHvps, density: densityHvps },
    ...(wantVectors ? { eigenvectors: eig.eigenvectors.slice(0, k) } : {}),
    ...(wantVectors && minIndex >= 0 ? { minEigenvector: eig.eigenvectors[minIndex]! } : {}),
  };
}

function makeOperator(source: HvpSource, options: CurvatureOptions): HvpOperator & { readonly fallbackReason?: string } {
  const hvp = options.hvp ?? CURVATURE_DEFAULTS.hvp;
  const fd = options.finiteDifferenceEpsilon === undefined ? {} : { epsilon: options.finiteDifferenceEpsilon };
  switch (hvp) {
    case 'finite-difference':
      return makeFiniteDifferenceHvp(source, fd);
    case 'double-backprop':
      return makeHvp(source);
    case 'auto':
      return makeHvpOperator(source, fd);
    default:
      throw new RangeError(
        `analyzeCurvature: options.hvp is ${JSON.stringify(hvp)}; use 'auto', 'double-backprop' or 'finite-difference'`,
      );
  }
}

function settings(o: CurvatureOptions, n: number): Settings {
  const int = (name: keyof CurvatureOptions, value: number, lo: number, hi: number): number => {
    if (!Number.isInteger(value) || value < lo || value > hi) {
      throw new RangeError(
        `analyzeCurvature: options.${name} is ${String(value)}; use an integer in [${lo}, ${hi}] (n = ${n} parameters)`,
      );
    }
    return value;
  };
  const D = CURVATURE_DEFAULTS;
  const topK = int('topK', o.topK ?? D.topK, 1, n);
  const minEigenvalue = o.minEigenvalue ?? D.minEigenvalue;
  const wanted = Math.min(n, topK + (minEigenvalue ? 1 : 0));
  const tol = o.tol ?? D.tol;
  if (!(tol > 0 && Number.isFinite(tol))) {
    throw new RangeError(`analyzeCurvature: options.tol is ${String(o.tol)}; use a finite number > 0 (e.g. 1e-3)`);
  }
  // λ_min usually sits at the edge of a dense bulk and converges more slowly than isolated top outliers
  const defaultMaxIter = minEigenvalue ? Math.min(n, Math.max(2 * wanted + 20, 100)) : defaultLanczosMaxIter(n, wanted);
  const seed = o.seed ?? D.seed;
  if (!Number.isFinite(seed)) throw new RangeError(`analyzeCurvature: options.seed is ${String(seed)}; use a finite number`);
  return {
    topK,
    minEigenvalue,
    tol,
    maxIter: int('maxIter', o.maxIter ?? defaultMaxIter, wanted, n),
    seed,
    traceProbes: int('traceProbes', o.traceProbes ?? D.traceProbes, 2, Number.MAX_SAFE_INTEGER),
    densityRuns: int('densityRuns', o.densityRuns ?? D.densityRuns, 1, Number.MAX_SAFE_INTEGER),
    densitySteps: int('densitySteps', Math.min(o.densitySteps ?? D.densitySteps, n), 1, n),
    densityBins: int('densityBins', o.densityBins ?? D.densityBins, 2, Number.MAX_SAFE_INTEGER),
    hvp: o.hvp ?? D.hvp,
  };
}

function lossAndGradNorm(source: HvpSource): { loss: number; gradNorm: number } {
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(source.lossFn, [...source.variables]);
    let sumSquares = 0;
    for (const g of Object.values(grads)) {
      const data = g.dataSync();
      for (let i = 0; i < data.length; i++) sumSquares += data[i]! * data[i]!;
    }
    return { loss: value.dataSync()[0]!, gradNorm: Math.sqrt(sumSquares) };
  });
}

/** tr(H) = tr(YᵀHY) + tr((I − P)H(I − P)); YᵀHY = diag(μ) exactly for Ritz vectors of one Krylov space. */
function deflatedTrace(
  H: CountingOperator,
  ritzValues: Float64Array,
  ritzVectors: readonly Float64Array[],
  s: Settings,
): { estimate: number; stderr: number; probes: number; deflated: number } {
  const rest = hutchinsonTrace(deflatedOperator(H, ritzVectors), {
    maxProbes: s.traceProbes,
    minProbes: s.traceProbes,
    relativeStdErr: 0,
    seed: seedFor(s.seed, 'trace'),
  });
  const exact = ritzValues.reduce((sum, mu) => sum + mu, 0);
  return { estimate: exact + rest.estimate, stderr: rest.stdErr, probes: rest.probes, deflated: ritzVectors.length };
}

function densityOf(H: CountingOperator, s: Settings): { grid: number[]; values: number[] } {
  const slq = stochasticLanczosQuadrature(H, { runs: s.densityRuns, steps: s.densitySteps, seed: seedFor(s.seed, 'density') });
  const d = spectralDensity(slq.runs, { bins: s.densityBins });
  return { grid: Array.from(d.grid), values: Array.from(d.values) };
}
