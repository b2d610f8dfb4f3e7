/**
 * The noise covariance estimated from K minibatch gradients, for probes too large for per-example gradients (m × n
 * floats): minibatches of B distinct probe rows (without replacement within a minibatch, independent across
 * minibatches, seeded), each minibatch's noise ξ_k = ĝ_k − g against the full-probe gradient g.
 *
 * What is estimated. The mean of B rows drawn without replacement has E ξ = 0 and Cov ξ = C·(m − B)/(m − 1) with
 * C = Σ/B (Cochran, Sampling Techniques, 3rd ed., Thm 2.2; docs/theory.md §0). g is known exactly, so
 * (1/K) Σ_k ξ_k ξ_kᵀ is unbiased for that covariance without a K − 1 correction, and dividing by the
 * finite-population factor f = (m − B)/(m − 1) makes it unbiased for C itself, the quantity the exact path reports:
 *
 *   tr C ≈ (1/K) Σ_k t_k, t_k = ‖ξ_k‖² / f;    uᵀ C u ≈ (1/K) Σ_k s_k, s_k = (ξ_k·u)² / f,
 *
 * each with standard error sd(t)/√K (sd the sample standard deviation, K − 1), as the K terms are independent.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, type ProbeContext, type Rng } from '@kramers/core';
import { penaltyGradient, writeDataGradient } from './data-gradient.js';
import type { GradientMatrix } from './gradient-matrix.js';
import { checkUnit, finitePopulation } from './noise-covariance.js';
import { gatherRows, probeRows, type ProbeRows } from './probe-rows.js';

export interface SampledNoiseOptions {
  /** Minibatch size B (2 ≤ … < m: at B = m every minibatch is the whole probe and there is no noise). */
  readonly batchSize: number;
  /** K minibatches (default 200: relative standard error about √(2/K) = 10 % for Gaussian noise along u). */
  readonly samples?: number;
  /** Seed of the minibatch draws (default 0). */
  readonly seed?: number;
  /** Unit directions (length n, probe order) to estimate uᵀCu along. */
  readonly directions?: readonly ArrayLike<number>[];
  /** Also return every ξ_k (K × n), e.g. for a tail index pooled across parameters (default false). */
  readonly keepNoise?: boolean;
  /** Rows per pass when computing the full-probe gradient (default 4096). */
  readonly chunkRows?: number;
}

/** An unbiased estimate and its standard error. */
export interface Estimate {
  readonly estimate: number;
  readonly stderr: number;
}

export interface SampledDirection {
  /** uᵀ C u, C = Σ/B as in the exact path. */
  readonly noiseVariance: Estimate;
  /** g·u, the full-probe gradient along u. */
  readonly gradientProjection: number;
  /** ξ_k·u for each minibatch k: minibatch noise along u (mean 0, variance f·uᵀCu). */
  readonly minibatchNoise: Float64Array;
}

export interface SampledNoise {
  readonly batchSize: number;
  /** Probe rows m. */
  readonly rows: number;
  /** Parameters n. */
  readonly size: number;
  /** K. */
  readonly samples: number;
  readonly seed: number;
  /** f = (m − B)/(m − 1), divided out of every estimate. */
  readonly finitePopulationFactor: number;
  /** tr C, C = Σ/B. */
  readonly traceC: Estimate;
  /** tr Σ = B · tr C. */
  readonly traceSigma: Estimate;
  /** The full-probe gradient g (penalty included), float64. */
  readonly gradient: Float64Array;
  readonly directions: readonly SampledDirection[];
  /** Every ξ_k, row-major K × n, with `keepNoise` (e.g. for `pooledTailIndex`). */
  readonly noise?: GradientMatrix;
}

export const SAMPLED_DEFAULTS = { samples: 200, seed: 0, chunkRows: 4096 } as const;

export function sampledNoise(probe: ProbeContext, options: SampledNoiseOptions): SampledNoise {
  const where = 'sampledNoise';
  const p = probeRows(probe, where);
  const { batchSize: b } = options;
  const k = options.samples ?? SAMPLED_DEFAULTS.samples;
  const seed = options.seed ?? SAMPLED_DEFAULTS.seed;
  if (!Number.isInteger(b) || b < 1 || b >= p.rows) {
    throw new RangeError(`${where}: batchSize must be an integer in 1 … ${p.rows - 1} (the probe has ${p.rows} rows), got ${b}`);
  }
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`${where}: samples must be an integer ≥ 2, got ${k}`);
  const directions = options.directions ?? [];
  directions.forEach((u, i) => checkUnit(u, p.size, i));

  const f = finitePopulation(p.rows, b);
  const dataGradient = fullDataGradient(p, options.chunkRows ?? SAMPLED_DEFAULTS.chunkRows);
  const noise = options.keepNoise ? new Float32Array(k * p.size) : undefined;
  const traceTerms = new Float64Array(k);
  const along = directions.map(() => new Float64Array(k));

  const rng = createRng(seed);
  const pool = Int32Array.from({ length: p.rows }, (_, i) => i);
  const minibatch = new Float32Array(p.size);
  const xi = new Float64Array(p.size);
  for (let s = 0; s < k; s++) {
    const rows = drawWithoutReplacement(pool, b, rng);
    minibatch.fill(0);
    const xs = gatherRows(p.xs, rows);
    const ys = gatherRows(p.ys, rows);
    try {
      writeDataGradient(p, xs, ys, minibatch, 0);
    } finally {
      tf.dispose([...xs, ...ys]);
    }
    let sq = 0;
    for (let i = 0; i < p.size; i++) {
      xi[i] = minibatch[i]! - dataGradient[i]!; // the penalty's gradient is in both and cancels
      sq += xi[i]! ** 2;
    }
    traceTerms[s] = sq / f;
    noise?.set(xi, s * p.size);
    directions.forEach((u, d) => {
      let dot = 0;
      for (let i = 0; i < p.size; i++) dot += xi[i]! * u[i]!;
      along[d]![s] = dot;
    });
  }

  const gradient = withPenalty(dataGradient, p);
  const traceC = meanWithStderr(traceTerms);
  return {
    batchSize: b,
    rows: p.rows,
    size: p.size,
    samples: k,
    seed,
    finitePopulationFactor: f,
    traceC,
    traceSigma: { estimate: b * traceC.estimate, stderr: b * traceC.stderr },
    gradient,
    directions: directions.map((u, d) => ({
      noiseVariance: meanWithStderr(along[d]!.map((v) => (v * v) / f)),
      gradientProjection: dotArrays(gradient, u),
      minibatchNoise: along[d]!,
    })),
    ...(noise ? { noise: { rows: k, size: p.size, values: noise } } : {}),
  };
}

/**
 * B distinct rows, uniformly: the first B steps of a Fisher–Yates shuffle of `pool` (Knuth, TAOCP vol. 2, Algorithm
 * 3.4.2P). Any arrangement of the pool gives a uniform subset, so the pool is not reset between minibatches.
 */
export function drawWithoutReplacement(pool: Int32Array, b: number, rng: Rng): Int32Array {
  for (let i = 0; i < b; i++) {
    const j = i + rng.int(pool.length - i);
    const t = pool[i]!;
    pool[i] = pool[j]!;
    pool[j] = t;
  }
  return pool.slice(0, b);
}

/** Sample mean and its standard error s/√K (s with K − 1). */
export function meanWithStderr(terms: Float64Array): Estimate {
  const k = terms.length;
  let sum = 0;
  for (const t of terms) sum += t;
  const estimate = sum / k;
  let ss = 0;
  for (const t of terms) ss += (t - estimate) ** 2;
  return { estimate, stderr: Math.sqrt(ss / (k - 1) / k) };
}

/** ∇ dataLoss over every probe row, as the row-weighted mean of chunk gradients, in float64. */
function fullDataGradient(p: ProbeRows, chunkRows: number): Float64Array {
  const g = new Float64Array(p.size);
  const part = new Float32Array(p.size);
  for (let first = 0; first < p.rows; first += chunkRows) {
    const count = Math.min(chunkRows, p.rows - first);
    const rows = Int32Array.from({ length: count }, (_, i) => first + i);
    const xs = gatherRows(p.xs, rows);
    const ys = gatherRows(p.ys, rows);
    part.fill(0);
    try {
      writeDataGradient(p, xs, ys, part, 0);
    } finally {
      tf.dispose([...xs, ...ys]);
    }
    for (let i = 0; i < p.size; i++) g[i]! += (part[i]! * count) / p.rows;
  }
  return g;
}

function withPenalty(dataGradient: Float64Array, p: ProbeRows): Float64Array {
  const penalty = penaltyGradient(p);
  return penalty ? dataGradient.map((v, i) => v + penalty[i]!) : dataGradient.slice();
}

function dotArrays(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
