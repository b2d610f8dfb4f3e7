import { chiSquareCdf } from './chi-square.js';
import { escapeRate } from './escape-rate.js';
import type { EscapeRate } from './escape-rate.js';
import { readTimes, requirePositive } from './validate.js';

export interface EscapeStatisticsOptions {
  /** Replicas still inside at the end (right-censored at `budget`). Default 0. */
  readonly censored?: number;
  /** Step budget T_max, in iterations; required when censored > 0. */
  readonly budget?: number;
  /** η, to convert iterations to continuous (dynamical) time t = iterations × η. */
  readonly learningRate: number;
  /** Confidence level. Default 0.95. */
  readonly level?: number;
}

export interface EscapeStatistics extends EscapeRate {
  /** η the conversion used. */
  readonly learningRate: number;
  /** Sample sd / mean of the escape times (n − 1 denominator); ≈ 1 for memoryless escapes; null with < 2 escapes. */
  readonly cv: number | null;
  /**
   * The CV an exponential law with rate γ̂ would give for the escaped times: 1 uncensored, below 1 when the
   * budget truncates them (an exponential truncated at T_max). Compare cv with this, not with 1.
   */
  readonly cvExpected: number | null;
  /** γ_iter = −ln(1 − p̂), p̂ = d/S: the geometric per-step escape probability as a rate per iteration. */
  readonly gammaPerIteration: number;
  readonly gammaPerIterationCi: readonly [number, number];
  /** γ_iter/η, escapes per unit of continuous time (the theorems' γ). */
  readonly gammaDynamical: number;
  readonly gammaDynamicalCi: readonly [number, number];
  /** η × meanEscapeTime, the mean escape time in continuous time (the theorems' τ); null when nothing escaped. */
  readonly meanEscapeTimeDynamical: number | null;
}

/** −ln(1 − p), with p ≥ 1 meaning escape at every step. */
function geometricRate(p: number): number {
  // Geometric law: P(t > n) = (1 − p)^n = e^{−γ_iter n}.
  return p >= 1 ? Infinity : -Math.log1p(-p);
}

/** CV of an Exp(γ) variable conditioned on being ≤ T (derived: moments via regularised incomplete gammas). */
export function truncatedExponentialCv(gamma: number, budget: number): number {
  const x = 2 * gamma * budget;
  // ∫₀ᵀ xᵏ γe^{−γx} dx = k!/γᵏ · P(Gamma(k + 1) ≤ γT) = k!/γᵏ · F_{χ², 2k+2}(2γT).
  const f2 = chiSquareCdf(x, 2);
  const f4 = chiSquareCdf(x, 4);
  const f6 = chiSquareCdf(x, 6);
  return Math.sqrt(Math.max(0, (2 * f6 * f2) / (f4 * f4) - 1));
}

/**
 * escapeRate plus the conversions a report needs: the geometric per-iteration rate, continuous time (× η) and the
 * coefficient of variation of the escape times as an exponentiality check.
 */
export function escapeStatistics(times: ArrayLike<number>, options: EscapeStatisticsOptions): EscapeStatistics {
  const where = 'escapeStatistics';
  if (options === undefined || options === null) {
    throw new Error(`${where}: options are required; pass at least { learningRate } (η, to convert to continuous time)`);
  }
  const eta = options.learningRate;
  requirePositive(where, 'learningRate', eta, 'η, to convert iterations to continuous time');
  const t = readTimes(where, times);
  const rate = escapeRate(t, {
    ...(options.censored !== undefined ? { censored: options.censored } : {}),
    ...(options.budget !== undefined ? { budget: options.budget } : {}),
    ...(options.level !== undefined ? { level: options.level } : {}),
  });
  const d = t.length;
  let cv: number | null = null;
  if (d >= 2) {
    let mean = 0;
    for (let i = 0; i < d; i++) mean += t[i]!;
    mean /= d;
    let ss = 0;
    for (let i = 0; i < d; i++) ss += (t[i]! - mean) ** 2;
    cv = Math.sqrt(ss / (d - 1)) / mean;
  }
  let cvExpected: number | null = null;
  if (d >= 2) cvExpected = options.budget === undefined ? 1 : truncatedExponentialCv(rate.gamma, options.budget);
  const gammaPerIteration = geometricRate(rate.gamma);
  const gammaPerIterationCi: [number, number] = [geometricRate(rate.ci[0]), geometricRate(rate.ci[1])];
  return {
    ...rate,
    learningRate: eta,
    cv,
    cvExpected,
    gammaPerIteration,
    gammaPerIterationCi,
    // Continuous time t = iterations × η, so rates per unit time are rates per iteration / η.
    gammaDynamical: gammaPerIteration / eta,
    gammaDynamicalCi: [gammaPerIterationCi[0] / eta, gammaPerIterationCi[1] / eta],
    meanEscapeTimeDynamical: rate.meanEscapeTime === null ? null : rate.meanEscapeTime * eta,
  };
}
