import { escapeJobKey, type EscapeJob, type EscapeJobResult, type FigureSpec } from '@kramers/experiments';
import { jobLabel } from './job-label.js';

/** A point the figure lacks, and why: in the written JSON as `missing`, so nothing is silently left out. */
export interface MissingPoint {
  readonly panels: readonly string[];
  readonly job: string;
  readonly reason: string;
}

/**
 * The figure reduced to the points that have a result (a panel left without points is dropped), and what is
 * missing: for a queue sweep that ended with failed jobs, or was stopped.
 */
export function partialFigure(
  spec: FigureSpec,
  jobs: readonly EscapeJob[],
  results: readonly (EscapeJobResult | undefined)[],
  reasons: ReadonlyMap<number, string>,
): { spec: FigureSpec; results: EscapeJobResult[]; missing: MissingPoint[] } {
  const have = new Set(results.filter((r) => r !== undefined).map((r) => escapeJobKey(r.job)));
  const panels = spec.panels
    .map((p) => ({ ...p, points: p.points.filter((q) => have.has(escapeJobKey(q.job))) }))
    .filter((p) => p.points.length > 0);
  const missing = jobs.flatMap((job, i): MissingPoint[] => {
    if (results[i] !== undefined) return [];
    const key = escapeJobKey(job);
    const inPanels = spec.panels.filter((p) => p.points.some((q) => escapeJobKey(q.job) === key)).map((p) => p.id);
    return [{ panels: inPanels, job: jobLabel(job), reason: reasons.get(i) ?? 'no result' }];
  });
  return { spec: { ...spec, panels }, results: results.filter((r) => r !== undefined), missing };
}
