import type { ReplicaOptimizer } from '@kramers/replicas';

/** The landscape of an escape experiment, by name and parameters (serialisable). */
export type LandscapeSpec =
  | { readonly name: 'styblinski-tang'; readonly dim: number; readonly k: number; readonly scale: number }
  | { readonly name: 'double-well'; readonly barrier: number; readonly width: number; readonly tilt: number }
  | { readonly name: 'quadratic-valley'; readonly curvatures: readonly number[] };

/** Where the replicas start: a named Styblinski–Tang minimum, or explicit coordinates polished to the nearest minimum. */
export type StartSpec = 'global' | 'local' | readonly number[];

export type NoiseSpec = 'frozen' | 'state' | 'none';

/** What every escape job sets, on a landscape or a model: who runs, how many, for how long, from which seed. */
export interface EscapeRunSettings {
  readonly optimizer: ReplicaOptimizer;
  /** B: of the simulated gradient noise C = H/B on a landscape (ignored with noise 'none'); of the minibatches on a model. */
  readonly batchSize: number;
  /** 'midway' | 'col' | 'box:r' | 'ball:r' (a model has no known col: box or ball). */
  readonly boundary: string;
  readonly replicas: number;
  readonly maxSteps: number;
  readonly seed: number;
  /** Ids of this job's replicas start here (default 0), so a split job draws the same streams. */
  readonly firstReplica?: number;
}

/**
 * One escape experiment: R replicas of one optimizer on one landscape, started at a minimum and run until they all
 * left its valley or the step budget ran out. Plain JSON, so a sweep is a list of these that any runner (this
 * process, worker threads, a queue) can execute; the same job gives the same result wherever it runs.
 */
export interface LandscapeEscapeJob extends EscapeRunSettings {
  readonly kind?: 'landscape';
  readonly landscape: LandscapeSpec;
  readonly start: StartSpec;
  readonly noise: NoiseSpec;
}

/**
 * An escape experiment on a real model: R replicas of a small MLP started at a pretrained minimum of a data set's
 * loss, each on its own real minibatches, until they leave a box (or ball) around the start. The pretraining is
 * part of the job (seeded, deterministic), so every runner reproduces the same start.
 */
export interface ModelEscapeJob extends EscapeRunSettings {
  readonly kind: 'model';
  /** An embedded data set (z-scored, two or more classes). */
  readonly dataset: 'banknote';
  readonly hidden: readonly number[];
  readonly activation: 'tanh' | 'relu';
  /** L2 weight decay λ of the loss (tfjs's l2 on kernels and biases); 0 leaves banknote without a minimum. */
  readonly weightDecay: number;
  /** Full-batch pretraining to the start minimum: Adam, then gradient descent, from a seeded initialisation. */
  readonly pretrain: { readonly seed: number; readonly adamSteps: number; readonly gdSteps: number };
  /** Sharpness rescaling L_k(θ) = L(√k·θ); the boundary radius becomes r/√k. */
  readonly k: number;
  /**
   * Where the replicas start: at the minimum (default), or, for SGLD, each drawn from its quasi-equilibrium around
   * the minimum (the Gaussian of the linearised update, truncated to the boundary), as the escape-rate theory assumes.
   */
  readonly initial?: 'minimum' | 'equilibrium';
}

export type EscapeJob = LandscapeEscapeJob | ModelEscapeJob;

export const isModelJob = (job: EscapeJob): job is ModelEscapeJob => job.kind === 'model';

/** A canonical key for a job: equal for equal configurations, whatever the key order. */
export function escapeJobKey(job: EscapeJob): string {
  return JSON.stringify(canonical(job));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v != null && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/** What running a job observed: raw, serialisable, enough to compute every statistic again. */
export interface EscapeJobResult<J extends EscapeJob = EscapeJob> {
  readonly job: J;
  /** First-exit iteration of each escaped replica, by replica id (a step counts from 1). */
  readonly escapes: readonly { readonly replica: number; readonly step: number; readonly exit: string }[];
  /** Replicas still inside the valley at maxSteps. */
  readonly censored: number;
  readonly stepsRun: number;
  readonly elapsedMs: number;
  readonly backend: string;
}
