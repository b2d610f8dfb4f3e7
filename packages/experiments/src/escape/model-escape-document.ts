import { escapeStatistics } from '@kramers/escape-tracker';
import { describeBoundary, parseBoundary } from '@kramers/valley-detector';
import type { EscapeJobResult, ModelEscapeJob } from './escape-job.js';

/** Observed escape statistics of a model job (no col is known on a real model, so no absolute prediction). */
export interface ModelEscapeDocument {
  readonly gamma: number;
  readonly ci: readonly [number, number];
  readonly meanEscapeTime: number | null;
  readonly cv: number | null;
  readonly cvExpected: number | null;
  readonly escaped: number;
  readonly replicas: number;
  readonly censored: number;
  readonly config: ModelEscapeJob & { readonly boundaryRule: string; readonly backend: string; readonly stepsRun: number; readonly elapsedMs: number };
  readonly escapes: EscapeJobResult['escapes'];
}

export function modelEscapeDocument(result: EscapeJobResult<ModelEscapeJob>): ModelEscapeDocument {
  const { job } = result;
  const stats = escapeStatistics(
    result.escapes.map((e) => e.step),
    { ...(result.censored > 0 ? { censored: result.censored, budget: result.stepsRun } : {}), learningRate: job.optimizer.learningRate },
  );
  return {
    gamma: stats.gamma,
    ci: stats.ci,
    meanEscapeTime: stats.escaped > 0 ? 1 / stats.gamma : null,
    cv: stats.cv,
    cvExpected: stats.cvExpected,
    escaped: stats.escaped,
    replicas: job.replicas,
    censored: result.censored,
    config: {
      ...job,
      boundaryRule: describeBoundary(parseBoundary(job.boundary)),
      backend: result.backend,
      stepsRun: result.stepsRun,
      elapsedMs: Math.round(result.elapsedMs),
    },
    escapes: result.escapes,
  };
}
