/**
 * Trace estimation from matrix-vector products only. Hutchinson (1989): tr(H) = E[zᵀHz] for any z with E[zzᵀ] = I;
 * per-probe variance 2(‖H‖_F² − Σ H_ii²) for Rademacher z and 2‖H‖_F² for Gaussian z (docs/theory.md §8.2). Unlike
 * PyHessian's running-mean rule, the stopping rule here is a target on the standard error s/√m, which is also reported.
 * Hutch++ (Meyer, Musco, Musco & Woodruff 2021) adds a low-rank deflation for O(1/ε) instead of O(1/ε²) matvecs on PSD
 * spectra with a few large eigenvalues.
 */
import { createRng } from '@kramers/core';
import { assertOperator, countingOperator, type SymmetricOperator } from './operator.js';
import { dot, gaussianVector, norm, orthogonalizeTwice, rademacherVector, scaleInPlace } from './vector.js';

export type ProbeDistribution = 'rademacher' | 'gaussian';

export interface HutchinsonOptions {
  /** Upper bound on probes = HVPs (default 100, PyHessian's maxIter). */
  readonly maxProbes?: number;
  /** Probes before the stopping rule is consulted, so s is meaningful (default 10, at least 2). */
  readonly minProbes?: number;
  /** Stop when stdErr ≤ relativeStdErr·|estimate| (default 0.01 unless absoluteStdErr is given). */
  readonly relativeStdErr?: number;
  /** Stop when stdErr ≤ absoluteStdErr. With both targets, meeting either stops. */
  readonly absoluteStdErr?: number;
  readonly distribution?: ProbeDistribution;
  /** Seed for the probes (default 0). */
  readonly seed?: number;
}

export interface TraceEstimate {
  /** Mean of zᵀHz over the probes. */
  readonly estimate: number;
  /** s/√m, s the sample standard deviation of zᵀHz (NaN for one probe). */
  readonly stdErr: number;
  readonly probes: number;
  readonly hvpCount: number;
  /** The standard-error target was met before maxProbes. */
  readonly converged: boolean;
  /** Every zᵀHz, in order. */
  readonly samples: Float64Array;
}

export function hutchinsonTrace(operator: SymmetricOperator, options: HutchinsonOptions = {}): TraceEstimate {
  assertOperator(operator, 'hutchinsonTrace');
  const n = operator.size;
  const maxProbes = options.maxProbes ?? 100;
  const minProbes = Math.min(options.minProbes ?? 10, maxProbes);
  const distribution = options.distribution ?? 'rademacher';
  const absolute = options.absoluteStdErr;
  const relative = options.relativeStdErr ?? (absolute === undefined ? 0.01 : undefined);
  if (!Number.isInteger(maxProbes) || maxProbes < 1) {
    throw new RangeError(`hutchinsonTrace: maxProbes must be a positive integer, got ${String(maxProbes)}`);
  }
  if (!Number.isInteger(minProbes) || minProbes < 1) {
    throw new RangeError(`hutchinsonTrace: minProbes must be a positive integer, got ${String(options.minProbes)}`);
  }
  if (relative !== undefined && !(relative >= 0)) {
    throw new RangeError(`hutchinsonTrace: relativeStdErr must be ≥ 0, got ${String(relative)}`);
  }
  if (absolute !== undefined && !(absolute >= 0)) {
    throw new RangeError(`hutchinsonTrace: absoluteStdErr must be ≥ 0, got ${String(absolute)}`);
  }
  checkDistribution(distribution, 'hutchinsonTrace');
  const rng = createRng(options.seed ?? 0);
  const op = countingOperator(operator);
  const samples: number[] = [];
  // Welford running mean and sum of squared deviations
  let mean = 0;
  let m2 = 0;
  let converged = false;
  while (samples.length < maxProbes) {
    const z = probe(n, distribution, () => rng.normal(), () => rng.sign());
    const x = dot(z, op.apply(z));
    samples.push(x);
    const delta = x - mean;
    mean += delta / samples.length;
    m2 += delta * (x - mean);
    const m = samples.length;
    if (m >= Math.max(minProbes, 2)) {
      const se = Math.sqrt(m2 / (m - 1) / m);
      if ((absolute !== undefined && se <= absolute) || (relative !== undefined && se <= relative * Math.abs(mean))) {
        converged = true;
        break;
      }
    }
  }
  const m = samples.length;
  return {
    estimate: mean,
    stdErr: m > 1 ? Math.sqrt(m2 / (m - 1) / m) : NaN,
    probes: m,
    hvpCount: op.count,
    converged,
    samples: Float64Array.from(samples),
  };
}

export interface HutchPlusPlusOptions {
  /** Total HVP budget (default 99, as in pytorch-hessian-eigenthings): a third sketches, a third projects, the rest probes. */
  readonly matvecs?: number;
  readonly distribution?: ProbeDistribution;
  readonly seed?: number;
}

export interface HutchPlusPlusEstimate {
  /** tr(QᵀHQ) + Hutchinson estimate of tr((I−QQᵀ)H(I−QQᵀ)). */
  readonly estimate: number;
  /** Exact trace of H on the sketched subspace, tr(QᵀHQ). */
  readonly lowRankPart: number;
  /** Hutchinson estimate on the complement. */
  readonly residualPart: number;
  /** Standard error of the residual part given Q (s/√probes). */
  readonly stdErr: number;
  /** Dimension of the sketched subspace Q. */
  readonly rank: number;
  readonly probes: number;
  readonly hvpCount: number;
}

/** Hutch++ (Meyer et al. 2021, Algorithm 1) with Rademacher or Gaussian sketches and probes. */
export function hutchPlusPlus(operator: SymmetricOperator, options: HutchPlusPlusOptions = {}): HutchPlusPlusEstimate {
  assertOperator(operator, 'hutchPlusPlus');
  const n = operator.size;
  const matvecs = options.matvecs ?? 99;
  const distribution = options.distribution ?? 'rademacher';
  if (!Number.isInteger(matvecs) || matvecs < 3) {
    throw new RangeError(`hutchPlusPlus: matvecs must be an integer ≥ 3 (sketch, projection, probes), got ${String(matvecs)}`);
  }
  checkDistribution(distribution, 'hutchPlusPlus');
  const rng = createRng(options.seed ?? 0);
  const op = countingOperator(operator);
  const sketch = Math.min(Math.floor(matvecs / 3), n);
  const draw = () => probe(n, distribution, () => rng.normal(), () => rng.sign());

  // Q = orth(H S)
  const q: Float64Array[] = [];
  for (let i = 0; i < sketch; i++) {
    const y = op.apply(draw());
    const scale = norm(y);
    orthogonalizeTwice(y, q);
    const s = norm(y);
    if (s > 1e-10 * scale && s > 0) {
      scaleInPlace(1 / s, y);
      q.push(y);
    }
  }
  let lowRankPart = 0;
  for (const qi of q) lowRankPart += dot(qi, op.apply(qi));

  const probes = Math.max(1, matvecs - sketch - q.length);
  const samples: number[] = [];
  for (let i = 0; i < probes; i++) {
    const g = draw();
    orthogonalizeTwice(g, q); // (I − QQᵀ)g
    samples.push(dot(g, op.apply(g)));
  }
  const mean = samples.reduce((s, x) => s + x, 0) / probes;
  const variance = probes > 1 ? samples.reduce((s, x) => s + (x - mean) ** 2, 0) / (probes - 1) : NaN;
  return {
    estimate: lowRankPart + mean,
    lowRankPart,
    residualPart: mean,
    stdErr: Math.sqrt(variance / probes),
    rank: q.length,
    probes,
    hvpCount: op.count,
  };
}

function probe(n: number, distribution: ProbeDistribution, normal: () => number, sign: () => number): Float64Array {
  return distribution === 'rademacher' ? rademacherVector(n, sign) : gaussianVector(n, normal);
}

function checkDistribution(d: string, where: string): void {
  if (d !== 'rademacher' && d !== 'gaussian') {
    throw new RangeError(`${where}: distribution must be 'rademacher' or 'gaussian', got ${String(d)}`);
  }
}
