import { createEnsemble, type GradientNoise } from '@kramers/replicas';
import { boundary, parseBoundary, type ExitDirection } from '@kramers/valley-detector';
import { escapeLoop } from './escape-loop.js';
import { buildLandscape } from './build-landscape.js';
import type { EscapeJobResult, LandscapeEscapeJob } from './escape-job.js';
import { checkEscapeJob } from './check-escape-job.js';

export interface RunEscapeOptions {
  /** Called now and then with the number of iterations run and replicas still inside. */
  readonly onProgress?: (stepsRun: number, remaining: number) => void;
  /** Checked between iterations; when it returns true the job stops and what is left counts as censored. */
  readonly shouldStop?: () => boolean;
}

/**
 * Runs one escape job on the current tfjs backend: the replicas advance together, every iteration each running
 * replica is tested against the valley boundary, and one that is outside is recorded at that iteration and dropped.
 * Replicas still inside when the job stops are right-censored at the iterations run.
 */
/**
 * Everything a job needs before it runs — its checks, landscape, valley and boundary — so a job that cannot run is
 * refused (RangeError naming the field) before any tensor is made.
 */
export function prepareEscapeJob(job: LandscapeEscapeJob) {
  checkEscapeJob(job);
  let built;
  try {
    built = buildLandscape(job.landscape, job.start);
  } catch (err) {
    throw new RangeError(`escape job: ${(err as Error).message}`);
  }
  const { landscape, start } = built;
  const valley = landscape.valley(start);
  let rule;
  try {
    rule = parseBoundary(job.boundary);
  } catch (err) {
    throw new RangeError(`escape job: boundary: ${(err as Error).message}`);
  }
  if ((rule.kind === 'col' || rule.kind === 'midway') && valley.exits.length === 0) {
    throw new RangeError(
      `escape job: boundary = ${job.boundary} needs a col, and the ${landscape.name} valley has none; use box:r or ball:r (e.g. box:0.5)`,
    );
  }
  const k = job.landscape.name === 'styblinski-tang' ? job.landscape.k : 1;
  const edge = boundary(rule, { start: valley.minimum.point, k, valley });
  return { landscape, valley, rule, edge };
}

export async function runEscapeJob(job: LandscapeEscapeJob, options: RunEscapeOptions = {}): Promise<EscapeJobResult<LandscapeEscapeJob>> {
  const { landscape, valley, edge } = prepareEscapeJob(job);
  const t0 = performance.now();
  const noise: GradientNoise =
    job.noise === 'none'
      ? { kind: 'none' }
      : job.noise === 'frozen'
        ? { kind: 'frozen', batchSize: job.batchSize, at: valley.minimum.point }
        : { kind: 'state', batchSize: job.batchSize };
  const ensemble = createEnsemble({
    landscape,
    optimizer: job.optimizer,
    noise,
    replicas: job.replicas,
    seed: job.seed,
    start: valley.minimum.point,
    firstReplica: job.firstReplica ?? 0,
  });
  return escapeLoop(job, { ...ensemble, rows: () => ensemble.positions() }, edge, {
    ...options,
    yieldEvery: 1024,
    describe: describeExit,
    startedAt: t0,
  });
}

/** 'x3+' for "coordinate 3, upward": compact enough to keep one per replica in the result. */
function describeExit(exit: ExitDirection): string {
  return `x${exit.coordinate}${exit.sign > 0 ? '+' : '-'}`;
}
