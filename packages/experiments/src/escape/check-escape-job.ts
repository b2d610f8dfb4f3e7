import { checkReplicaOptimizer } from '@kramers/replicas';
import type { LandscapeEscapeJob } from './escape-job.js';

const NOISE = ['frozen', 'state', 'none'] as const;

/** Refuses a job that cannot run, naming the field and the fix, before any tensor is made. */
export function checkEscapeJob(job: LandscapeEscapeJob): void {
  const where = 'escape job';
  const integer = (field: string, v: unknown, min: number, example: string): void => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
      throw new RangeError(`${where}: ${field} = ${String(v)}; use an integer ≥ ${min}, e.g. ${example}`);
    }
  };
  const positive = (field: string, v: unknown, example: string): void => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw new RangeError(`${where}: ${field} = ${String(v)}; use a finite number > 0, e.g. ${example}`);
    }
  };
  const l = job.landscape;
  switch (l?.name) {
    case 'styblinski-tang':
      integer('landscape.dim', l.dim, 1, '10');
      positive('landscape.k', l.k, '1');
      positive('landscape.scale', l.scale, '0.01');
      break;
    case 'double-well':
      positive('landscape.barrier', l.barrier, '1');
      positive('landscape.width', l.width, '1');
      if (!Number.isFinite(l.tilt)) throw new RangeError(`${where}: landscape.tilt = ${String(l.tilt)}; use a finite number, e.g. 0`);
      break;
    case 'quadratic-valley':
      if (!Array.isArray(l.curvatures) || l.curvatures.length === 0) {
        throw new RangeError(`${where}: landscape.curvatures must list one curvature > 0 per coordinate, e.g. [1, 0.5]`);
      }
      l.curvatures.forEach((h, i) => positive(`landscape.curvatures[${i}]`, h, '1'));
      break;
    default:
      throw new RangeError(`${where}: landscape.name = ${String((l as { name?: unknown } | undefined)?.name)}; use styblinski-tang, double-well or quadratic-valley`);
  }
  checkReplicaOptimizer(where, job.optimizer);
  if (!NOISE.includes(job.noise)) throw new RangeError(`${where}: noise = ${String(job.noise)}; use ${NOISE.join(', ')}`);
  if (job.noise !== 'none') positive('batchSize', job.batchSize, '1');
  integer('replicas', job.replicas, 1, '100');
  integer('maxSteps', job.maxSteps, 1, '300000');
  integer('seed', job.seed, 0, '0');
  if (job.firstReplica !== undefined) integer('firstReplica', job.firstReplica, 0, '0');
  if (typeof job.boundary !== 'string') throw new RangeError(`${where}: boundary = ${String(job.boundary)}; use midway, col, box:r or ball:r`);
}
