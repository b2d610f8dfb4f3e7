/**
 * The gradient noise at the probe's current parameters in one call: tr C, u_kᵀ C u_k along chosen directions (the
 * Hessian's eigenvectors by default source), and the fit of u_kᵀ C u_k against λ_k/B, exactly from per-example
 * gradients or estimated from sampled minibatches. The report is plain JSON (numbers, strings, arrays, null).
 */
import type { ProbeContext, ProbeLossSource } from '@kramers/core';
import { analyzeCurvature } from '@kramers/hvp-estimator';
import { fullHessianEigen } from './full-hessian-eigen.js';
import { DEFAULT_EIGENVALUE_THRESHOLD, hessianNoiseFit, type HessianNoiseFit } from './hessian-fit.js';
import { noiseAlong, noiseCovariance } from './noise-covariance.js';
import { perExampleGradients, type PerExampleMethod } from './per-example-gradients.js';
import { sampledNoise } from './sampled-noise.js';

/**
 * Where the directions come from:
 * - Hessian eigenpairs you have (a `SharpnessSnapshot` qualifies): `{ eigenvalues, eigenvectors }`;
 * - unit vectors without eigenvalues (e.g. escape directions; no fit): `{ vectors }`;
 * - the top k eigenpairs by Lanczos: `{ topK, seed? }` (`analyzeCurvature`);
 * - every eigenpair (n HVPs and a dense eigensolver, n ≤ 1000): `'hessian'` (`fullHessianEigen`).
 */
export type NoiseDirections =
  | { readonly eigenvalues: readonly number[]; readonly eigenvectors: readonly ArrayLike<number>[] }
  | { readonly vectors: readonly ArrayLike<number>[] }
  | { readonly topK: number; readonly seed?: number }
  | 'hessian';

interface NoiseAtPointCommon {
  /** Minibatch size B. */
  readonly batchSize: number;
  /** Default: none (traces only). */
  readonly directions?: NoiseDirections;
  /** The fit keeps directions with λ_k above this (default 1e-4, on λ of H). */
  readonly eigenvalueThreshold?: number;
  /** Put each direction's noise samples in the report (default true). */
  readonly keepSamples?: boolean;
}

export interface ExactNoiseOptions extends NoiseAtPointCommon {
  readonly mode?: 'exact';
  /** Per-example path (default 'auto'). */
  readonly method?: 'auto' | PerExampleMethod;
  /** Rows per pass through tfjs (default 2048). */
  readonly chunkRows?: number;
  /** A buffer of m·n floats for the per-example gradients, reused across calls (see `perExampleGradients`). */
  readonly into?: Float32Array;
}

export interface SampledNoiseAtPointOptions extends NoiseAtPointCommon {
  readonly mode: 'sampled';
  /** K minibatches (default 200). */
  readonly samples?: number;
  /** Seed of the minibatch draws (default 0). */
  readonly seed?: number;
}

interface NoiseReportBase {
  readonly batchSize: number;
  /** Probe rows. */
  readonly m: number;
  /** Parameters. */
  readonly n: number;
  /** The loss (its name) and where it came from. */
  readonly loss: string;
  readonly lossSource: ProbeLossSource;
  /** ‖g‖, the full-probe gradient's norm. */
  readonly gradNorm: number;
  /** tr C, C = Σ/B. */
  readonly traceC: number;
  /** tr Σ, the per-example gradient covariance (population normalisation). */
  readonly traceSigma: number;
  /** (m − B)/(m − 1): a without-replacement minibatch's covariance is C times this. */
  readonly finitePopulationFactor: number;
  readonly traceCFinitePopulationCorrected: number;
  /** u_kᵀ C u_k against λ_k/B; null without eigenvalues. */
  readonly fit: HessianNoiseFit | null;
}

export interface ExactDirectionReport {
  /** λ_k, or null for a direction given without one. */
  readonly eigenvalue: number | null;
  /** uᵀ C u. */
  readonly noiseVariance: number;
  /** g·u. */
  readonly gradientProjection: number;
  /** (g_j − g)·u per probe row: per-example noise along u (variance B·uᵀCu); empty without `keepSamples`. */
  readonly perExampleNoise: readonly number[];
}

export interface ExactNoiseReport extends NoiseReportBase {
  readonly mode: 'exact';
  readonly perExampleMethod: PerExampleMethod;
  /** Why the loop was used (what the dense path does not handle), else null. */
  readonly loopReason: string | null;
  readonly directions: readonly ExactDirectionReport[];
}

export interface SampledDirectionReport {
  readonly eigenvalue: number | null;
  /** uᵀ C u, estimated. */
  readonly noiseVariance: number;
  readonly noiseVarianceStderr: number;
  readonly gradientProjection: number;
  /** (ĝ_k − g)·u per minibatch: minibatch noise along u (variance f·uᵀCu); empty without `keepSamples`. */
  readonly minibatchNoise: readonly number[];
}

export interface SampledNoiseReport extends NoiseReportBase {
  readonly mode: 'sampled';
  /** K. */
  readonly samples: number;
  readonly seed: number;
  readonly traceCStderr: number;
  readonly traceSigmaStderr: number;
  readonly directions: readonly SampledDirectionReport[];
}

export type NoiseReport = ExactNoiseReport | SampledNoiseReport;

export function noiseAtPoint(probe: ProbeContext, options: ExactNoiseOptions): ExactNoiseReport;
export function noiseAtPoint(probe: ProbeContext, options: SampledNoiseAtPointOptions): SampledNoiseReport;
export function noiseAtPoint(probe: ProbeContext, options: ExactNoiseOptions | SampledNoiseAtPointOptions): NoiseReport;
export function noiseAtPoint(probe: ProbeContext, options: ExactNoiseOptions | SampledNoiseAtPointOptions): NoiseReport {
  const { eigenvalues, vectors } = resolveDirections(probe, options.directions);
  const info = probe.lossInfo();
  const keep = options.keepSamples ?? true;
  const threshold = options.eigenvalueThreshold ?? DEFAULT_EIGENVALUE_THRESHOLD;
  const fitOf = (noise: readonly number[]): HessianNoiseFit | null =>
    eigenvalues ? hessianNoiseFit(eigenvalues.map((eigenvalue, k) => ({ eigenvalue, noiseVariance: noise[k]! })), options.batchSize, threshold) : null;
  const eigenvalueOf = (k: number): number | null => eigenvalues?.[k] ?? null;

  if (options.mode === 'sampled') {
    const s = sampledNoise(probe, {
      batchSize: options.batchSize,
      directions: vectors,
      ...(options.samples !== undefined ? { samples: options.samples } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
    });
    return {
      mode: 'sampled',
      batchSize: s.batchSize,
      m: s.rows,
      n: s.size,
      loss: info.name,
      lossSource: info.source,
      gradNorm: euclidean(s.gradient),
      traceC: s.traceC.estimate,
      traceCStderr: s.traceC.stderr,
      traceSigma: s.traceSigma.estimate,
      traceSigmaStderr: s.traceSigma.stderr,
      finitePopulationFactor: s.finitePopulationFactor,
      traceCFinitePopulationCorrected: s.traceC.estimate * s.finitePopulationFactor,
      samples: s.samples,
      seed: s.seed,
      directions: s.directions.map((d, k) => ({
        eigenvalue: eigenvalueOf(k),
        noiseVariance: d.noiseVariance.estimate,
        noiseVarianceStderr: d.noiseVariance.stderr,
        gradientProjection: d.gradientProjection,
        minibatchNoise: keep ? Array.from(d.minibatchNoise) : [],
      })),
      fit: fitOf(s.directions.map((d) => d.noiseVariance.estimate)),
    };
  }

  const perExample = perExampleGradients(probe, {
    ...(options.method !== undefined ? { method: options.method } : {}),
    ...(options.chunkRows !== undefined ? { chunkRows: options.chunkRows } : {}),
    ...(options.into !== undefined ? { into: options.into } : {}),
  });
  const c = noiseCovariance(perExample, options.batchSize);
  const along = noiseAlong(c, vectors);
  return {
    mode: 'exact',
    batchSize: c.batchSize,
    m: c.rows,
    n: perExample.size,
    loss: info.name,
    lossSource: info.source,
    gradNorm: euclidean(c.mean),
    traceC: c.traceC,
    traceSigma: c.traceSigma,
    finitePopulationFactor: c.finitePopulationFactor,
    traceCFinitePopulationCorrected: c.traceCFinitePopulationCorrected,
    perExampleMethod: perExample.method,
    loopReason: perExample.loopReason ?? null,
    directions: along.map((d, k) => ({
      eigenvalue: eigenvalueOf(k),
      noiseVariance: d.noiseVariance,
      gradientProjection: d.gradientProjection,
      perExampleNoise: keep ? Array.from(d.projections) : [],
    })),
    fit: fitOf(along.map((d) => d.noiseVariance)),
  };
}

interface ResolvedDirections {
  readonly eigenvalues: readonly number[] | undefined;
  readonly vectors: readonly ArrayLike<number>[];
}

function resolveDirections(probe: ProbeContext, directions: NoiseDirections | undefined): ResolvedDirections {
  if (directions === undefined) return { eigenvalues: undefined, vectors: [] };
  if (directions === 'hessian') {
    const e = fullHessianEigen(probe);
    return { eigenvalues: e.eigenvalues, vectors: e.eigenvectors };
  }
  if ('topK' in directions) {
    const r = analyzeCurvature(probe, { topK: directions.topK, eigenvectors: true, gradient: false, seed: directions.seed ?? 0 });
    return { eigenvalues: r.eigenvalues, vectors: r.eigenvectors! };
  }
  if ('vectors' in directions) return { eigenvalues: undefined, vectors: directions.vectors };
  if (directions.eigenvalues.length !== directions.eigenvectors.length) {
    throw new RangeError(
      `noiseAtPoint: ${directions.eigenvalues.length} eigenvalues but ${directions.eigenvectors.length} eigenvectors; pass one of each per direction`,
    );
  }
  return { eigenvalues: directions.eigenvalues, vectors: directions.eigenvectors };
}

function euclidean(v: Float64Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s);
}
