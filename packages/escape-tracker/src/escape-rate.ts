import { chiSquareQuantile } from './chi-square.js';
import { readTimes, requireLevel, requireNonNegativeInteger, requirePositive } from './validate.js';

export interface EscapeRateOptions {
  /** Replicas still inside the valley when the run stopped (right-censored at `budget`). Default 0. */
  readonly censored?: number;
  /**
   * The step budget T_max every replica was given. Passing it declares a censored design (Type-I censoring), so
   * the censored interval is used even when no replica was censored.
   */
  readonly budget?: number;
  /** Two-sided confidence level of the interval. Default 0.95. */
  readonly level?: number;
}

export type EscapeRateMethod = 'exact-chi2' | 'censored-chi2';

export interface EscapeRate {
  /** MLE γ̂ = d/S, escapes per unit of the times' clock (per iteration when the times are iterations). */
  readonly gamma: number;
  /** Confidence interval on γ at `level`. */
  readonly ci: readonly [number, number];
  /** d, the number of replicas that escaped. */
  readonly escaped: number;
  /** N = escaped + censored. */
  readonly replicas: number;
  readonly censored: number;
  /** S = Σ min(tᵢ, T_max), the total time at risk. */
  readonly exposure: number;
  /** 1/γ̂ = S/d; null when nothing escaped. */
  readonly meanEscapeTime: number | null;
  /** The interval on the mean escape time, [1/ci[1], 1/ci[0]] (upper end Infinity when nothing escaped). */
  readonly meanEscapeTimeCi: readonly [number, number];
  readonly method: EscapeRateMethod;
  readonly level: number;
}

const WHERE = 'escapeRate';

/**
 * Escape rate from first-exit times, assuming exponential escape times P(t > x) = e^{−γx}.
 * Uncensored: 2γΣtᵢ ~ χ²_{2N} gives an exact interval. Censored at T_max: the MLE is d/S and the interval
 * [χ²_{2d, α/2}, χ²_{2d+2, 1−α/2}]/(2S) is the standard conservative one for Type-I censoring.
 */
export function escapeRate(times: ArrayLike<number>, options: EscapeRateOptions = {}): EscapeRate {
  const t = readTimes(WHERE, times);
  const level = options.level ?? 0.95;
  requireLevel(WHERE, level);
  const censored = options.censored ?? 0;
  requireNonNegativeInteger(WHERE, 'censored', censored);
  const budget = options.budget;
  if (budget === undefined && censored > 0) {
    throw new Error(`${WHERE}: censored = ${censored} needs budget (the step budget T_max the censored replicas ran for)`);
  }
  if (budget !== undefined) {
    requirePositive(WHERE, 'budget', budget, 'the step budget T_max of every replica');
    for (let i = 0; i < t.length; i++) {
      if (t[i]! > budget) {
        throw new Error(
          `${WHERE}: times[${i}] = ${t[i]} exceeds budget = ${budget}; a replica that did not escape within the ` +
            'budget is censored: drop it from times and count it in censored (see censorAt)',
        );
      }
    }
  }
  const d = t.length;
  if (d === 0 && budget === undefined) {
    throw new Error(`${WHERE}: times is empty; with no escapes pass censored and budget to get an upper bound on γ`);
  }
  let exposure = 0;
  for (let i = 0; i < d; i++) exposure += t[i]!;
  // Censored replicas each contribute T_max of time at risk (S = Σ min(tᵢ, T_max)).
  if (budget !== undefined) exposure += censored * budget;
  const alpha = 1 - level;
  const gamma = d / exposure;
  const method: EscapeRateMethod = budget === undefined ? 'exact-chi2' : 'censored-chi2';
  // Exact interval: 2γS ~ χ²_{2N} (sum of N exponentials); censored: Poisson-count duality, dof 2d and 2d + 2.
  const lo = chiSquareQuantile(alpha / 2, 2 * d) / (2 * exposure);
  const hi = chiSquareQuantile(1 - alpha / 2, method === 'exact-chi2' ? 2 * d : 2 * d + 2) / (2 * exposure);
  return {
    gamma,
    ci: [lo, hi],
    escaped: d,
    replicas: d + censored,
    censored,
    exposure,
    meanEscapeTime: d > 0 ? exposure / d : null,
    meanEscapeTimeCi: [1 / hi, lo > 0 ? 1 / lo : Infinity],
    method,
    level,
  };
}

/** Splits raw first-exit times (Infinity or > budget for replicas that never left) into escaped times and a count. */
export function censorAt(times: ArrayLike<number>, budget: number): { times: number[]; censored: number; budget: number } {
  requirePositive('censorAt', 'budget', budget, 'the step budget T_max of every replica');
  const escaped: number[] = [];
  let censored = 0;
  for (let i = 0; i < times.length; i++) {
    const x = times[i]!;
    if (Number.isNaN(x)) throw new Error(`censorAt: times[${i}] is NaN; use Infinity for a replica that never escaped`);
    if (x > budget) censored++;
    else escaped.push(x);
  }
  return { times: escaped, censored, budget };
}
