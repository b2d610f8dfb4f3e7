import type { EscapePrediction } from './escape-prediction.js';

export interface CombinedEscape {
  /** 1/Σ(1/τ_p), continuous time. */
  readonly tau: number;
  readonly logTau: number;
  /** Σ γ_p. */
  readonly gamma: number;
  /** τ/η when every path is a prediction with the same learning rate, else null. */
  readonly iterations: number | null;
  readonly paths: number;
  /** γ_p/γ_total per path: which exits carry the escapes. */
  readonly shares: readonly number[];
}

/**
 * Parallel escape paths add rates: Xie et al. 2021, Rule 1, γ_total = Σ_p γ_p, τ = 1/Σ(1/τ_p).
 * Accepts mean escape times or predictions; works in log space so overflowing τ's still combine.
 */
export function combinePaths(times: ReadonlyArray<number | EscapePrediction>): CombinedEscape {
  const where = 'combinePaths';
  if (!Array.isArray(times) || times.length === 0) throw new Error(`${where}: times must be a non-empty array of τ's or predictions`);
  const logGammas = times.map((t, i) => {
    const logTau = typeof t === 'number' ? Math.log(t) : t.logTau;
    if (typeof t === 'number' && !(t > 0)) throw new Error(`${where}: times[${i}] must be a mean escape time > 0, got ${t}`);
    if (Number.isNaN(logTau)) throw new Error(`${where}: times[${i}] has no valid τ`);
    return -logTau;
  });
  const max = Math.max(...logGammas);
  // Log-sum-exp of the rates (Rule 1).
  let sum = 0;
  for (const lg of logGammas) sum += Math.exp(lg - max);
  const logGamma = max === -Infinity ? -Infinity : max + Math.log(sum);
  const shares = logGammas.map((lg) => (logGamma === -Infinity ? 1 / logGammas.length : Math.exp(lg - logGamma)));
  let eta: number | null = null;
  const etas = times.map((t) => (typeof t === 'number' ? null : t.learningRate));
  if (etas.every((e) => e !== null && e === etas[0])) eta = etas[0] ?? null;
  const logTau = -logGamma;
  return {
    tau: Math.exp(logTau),
    logTau,
    gamma: Math.exp(logGamma),
    iterations: eta === null ? null : Math.exp(logTau - Math.log(eta)),
    paths: times.length,
    shares,
  };
}
