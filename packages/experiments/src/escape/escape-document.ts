import { escapeStatistics } from '@kramers/escape-tracker';
import { describeBoundary, parseBoundary } from '@kramers/valley-detector';
import { buildLandscape } from './build-landscape.js';
import type { EscapeJobResult, LandscapeEscapeJob } from './escape-job.js';
import { predictEscape, type PredictedEscape } from './predict-escape.js';

/** The `kramers escape --json` document: observed escape statistics beside the theory's prediction. */
export interface EscapeDocument {
  /** Escapes per iteration, maximum likelihood with right-censoring: γ̂ = d / Σ min(tᵢ, T). */
  readonly gamma: number | null;
  /** Exact 95 % χ² interval of gamma. */
  readonly ci: readonly [number, number];
  /** Mean escape time in iterations, 1/γ̂ (censoring included); null when nothing escaped. */
  readonly meanEscapeTime: number | null;
  /** The same in continuous (dynamical) time η·T. */
  readonly meanEscapeTimeDynamical: number | null;
  /** Coefficient of variation of the escape times; ≈ 1 for memoryless, noise-driven escapes. */
  readonly cv: number | null;
  /** The CV an exponential law truncated at the step budget would show (1 without censoring). */
  readonly cvExpected: number | null;
  readonly escaped: number;
  readonly replicas: number;
  readonly censored: number;
  readonly predicted: PredictedEscape;
  /** Observed over predicted mean escape time (null when either is missing). */
  readonly observedOverPredicted: number | null;
  readonly observedOverExact: number | null;
  readonly config: LandscapeEscapeJob & {
    readonly noiseModel: string;
    readonly boundaryRule: string;
    readonly backend: string;
    readonly stepsRun: number;
    readonly elapsedMs: number;
  };
  /** Each escaped replica: its id, the iteration and the exit (coordinate and sign). */
  readonly escapes: EscapeJobResult['escapes'];
}

const NOISE_MODELS = {
  frozen: 'frozen: ξ ~ N(0, H(θ_a)/B), the Hessian frozen at the valley minimum',
  state: 'state-dependent: ξ ~ N(0, [H(θ)]₊/B) everywhere',
  none: 'none: exact gradients (SGLD: only the injected white noise)',
} as const;

export function escapeDocument(result: EscapeJobResult<LandscapeEscapeJob>): EscapeDocument {
  const { job } = result;
  const times = result.escapes.map((e) => e.step);
  // Every replica escaped: an uncensored sample (exact 2N-dof interval); otherwise right-censored at the steps run.
  const stats = escapeStatistics(times, {
    ...(result.censored > 0 ? { censored: result.censored, budget: result.stepsRun } : {}),
    learningRate: job.optimizer.learningRate,
  });
  const { landscape, start } = buildLandscape(job.landscape, job.start);
  const valley = landscape.valley(start);
  const rule = parseBoundary(job.boundary);
  const predicted = predictEscape(job, landscape, valley, rule);
  const observedTime = stats.escaped > 0 ? 1 / stats.gamma : null;
  return {
    gamma: stats.gamma,
    ci: stats.ci,
    meanEscapeTime: observedTime,
    meanEscapeTimeDynamical: observedTime === null ? null : observedTime * job.optimizer.learningRate,
    cv: stats.cv,
    cvExpected: stats.cvExpected,
    escaped: stats.escaped,
    replicas: job.replicas,
    censored: result.censored,
    predicted,
    observedOverPredicted: observedTime !== null && predicted.meanEscapeTime !== null ? observedTime / predicted.meanEscapeTime : null,
    observedOverExact: observedTime !== null && predicted.exact !== null ? observedTime / predicted.exact.meanEscapeTime : null,
    config: {
      ...job,
      noiseModel: NOISE_MODELS[job.noise],
      boundaryRule: describeBoundary(rule),
      backend: result.backend,
      stepsRun: result.stepsRun,
      elapsedMs: Math.round(result.elapsedMs),
    },
    escapes: result.escapes,
  };
}
