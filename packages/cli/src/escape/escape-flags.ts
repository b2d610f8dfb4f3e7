import { InvalidArgumentError } from 'commander';
import type { LandscapeEscapeJob, LandscapeSpec, StartSpec } from '@kramers/experiments';
import { parseBoundary } from '@kramers/valley-detector';
import { CliError } from '../cli-error.js';

export interface EscapeFlags {
  landscape: 'styblinski-tang' | 'double-well' | 'quadratic-valley';
  dim: number;
  k: number;
  lossScale: number;
  barrier: number;
  width: number;
  tilt: number;
  curvatures?: number[];
  start?: StartSpec;
  optimizer: 'sgd' | 'sgld' | 'momentum' | 'adam';
  lr?: number;
  diffusion?: number;
  momentum: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  batchSize: number;
  noise?: 'frozen' | 'state' | 'none';
  boundary: string;
  replicas: number;
  maxSteps: number;
  seed: number;
  backend: string;
  json: boolean;
}

/** Learning rates at which the default landscape (10-D Styblinski–Tang, loss × 0.01) shows escapes in ~10³ steps. */
export const ESCAPE_DEFAULT_LR = { sgd: 0.5, sgld: 0.5, momentum: 0.05, adam: 0.2 } as const;

export function numberList(flag: string) {
  return (raw: string): number[] => {
    const items = raw.split(',').map((s) => Number(s.trim()));
    if (items.length === 0 || items.some((v) => !Number.isFinite(v))) {
      throw new InvalidArgumentError(`${flag} must be comma-separated numbers like "1,0.5", got "${raw}".`);
    }
    return items;
  };
}

export function startFlag(raw: string): StartSpec {
  if (raw === 'global' || raw === 'local') return raw;
  const items = raw.split(',').map((s) => Number(s.trim()));
  if (items.some((v) => !Number.isFinite(v))) {
    throw new InvalidArgumentError(`--start takes global, local or coordinates like "-2.9,2.7", got "${raw}".`);
  }
  return items;
}

export function boundaryFlag(raw: string): string {
  try {
    parseBoundary(raw);
  } catch (err) {
    throw new InvalidArgumentError(`--boundary: ${(err as Error).message}`);
  }
  return raw;
}

/** The flags as one serialisable job; cross-field problems become usage errors naming the flag. */
export function escapeJobFromFlags(f: EscapeFlags): LandscapeEscapeJob {
  const landscape: LandscapeSpec =
    f.landscape === 'styblinski-tang'
      ? { name: 'styblinski-tang', dim: f.dim, k: f.k, scale: f.lossScale }
      : f.landscape === 'double-well'
        ? { name: 'double-well', barrier: f.barrier, width: f.width, tilt: f.tilt }
        : { name: 'quadratic-valley', curvatures: f.curvatures ?? [] };
  if (f.landscape === 'quadratic-valley' && f.curvatures === undefined) {
    throw new CliError('--landscape quadratic-valley needs --curvatures, e.g. --curvatures 1,0.5');
  }
  const learningRate = f.lr ?? ESCAPE_DEFAULT_LR[f.optimizer];
  let optimizer: LandscapeEscapeJob['optimizer'];
  switch (f.optimizer) {
    case 'sgd':
      optimizer = { name: 'sgd', learningRate };
      break;
    case 'sgld':
      if (f.diffusion === undefined) throw new CliError('--optimizer sgld needs --diffusion D (the injected temperature), e.g. --diffusion 0.066');
      optimizer = { name: 'sgld', learningRate, diffusion: f.diffusion };
      break;
    case 'momentum':
      optimizer = { name: 'momentum', learningRate, momentum: f.momentum };
      break;
    case 'adam':
      optimizer = { name: 'adam', learningRate, beta1: f.beta1, beta2: f.beta2, epsilon: f.epsilon };
      break;
  }
  if (f.diffusion !== undefined && f.optimizer !== 'sgld') {
    throw new CliError(`--diffusion is SGLD's temperature; use it with --optimizer sgld (got --optimizer ${f.optimizer})`);
  }
  // SGLD is gradient descent plus white noise unless asked to mix in gradient noise too.
  const noise = f.noise ?? (f.optimizer === 'sgld' ? 'none' : 'frozen');
  const start: StartSpec = f.start ?? (f.landscape === 'quadratic-valley' ? new Array<number>(f.curvatures?.length ?? 1).fill(0) : 'global');
  return {
    landscape,
    start,
    optimizer,
    noise,
    batchSize: f.batchSize,
    boundary: f.boundary,
    replicas: f.replicas,
    maxSteps: f.maxSteps,
    seed: f.seed,
  };
}

/** Job fields and the flags that set them, most specific first. */
const FLAG_OF_FIELD: ReadonlyArray<readonly [RegExp, string]> = [
  [/landscape\.dim|\bdim\b/, '--dim'],
  [/landscape\.scale/, '--loss-scale'],
  [/landscape\.k\b/, '--k'],
  [/landscape\.barrier|\bbarrier =/, '--barrier'],
  [/landscape\.width|\bwidth =/, '--width'],
  [/landscape\.tilt|\btilt =/, '--tilt'],
  [/landscape\.curvatures|curvatures/, '--curvatures'],
  [/optimizer\.learningRate/, '--lr'],
  [/optimizer\.diffusion/, '--diffusion'],
  [/optimizer\.momentum/, '--momentum'],
  [/optimizer\.beta1/, '--beta1'],
  [/optimizer\.beta2/, '--beta2'],
  [/optimizer\.epsilon/, '--epsilon'],
  [/batchSize/, '--batch-size'],
  [/boundary/, '--boundary'],
  [/\bstart\b/, '--start'],
  [/replicas/, '--replicas'],
  [/maxSteps/, '--max-steps'],
];

/** A job-level message (field names) as a usage error naming the flag to change. */
export function flagError(message: string): CliError {
  const text = message.replace(/^escape job: /, '');
  const hit = FLAG_OF_FIELD.find(([pattern]) => pattern.test(text));
  return new CliError(hit ? `${hit[1]}: ${text}` : text);
}
