import * as tf from '@tensorflow/tfjs';
import type { SymmetricEigenResult } from '@kramers/hvp-estimator';
import { createMlpEnsemble, type MlpData, type MlpSpec } from '@kramers/replicas';
import { loadDataset, standardize } from '@kramers/datasets';
import { boundary, parseBoundary, type ExitDirection } from '@kramers/valley-detector';
import { escapeLoop } from './escape-loop.js';
import type { EscapeJobResult, ModelEscapeJob } from './escape-job.js';
import { equilibriumStarts } from './equilibrium-start.js';
import { pretrainMlp, type Pretrained } from './pretrain.js';
import { startHessian } from './start-curvature.js';
import type { RunEscapeOptions } from './run-escape-job.js';

/** The job's data set, z-scored with its own statistics, classes one-hot (the paper's per-feature z-scoring). */
export function modelData(job: Pick<ModelEscapeJob, 'dataset'>): MlpData {
  const { dataset } = standardize(loadDataset(job.dataset));
  const rows = dataset.labels.length;
  const y = new Float32Array(rows * dataset.numClasses);
  for (let i = 0; i < rows; i++) y[i * dataset.numClasses + dataset.labels[i]!] = 1;
  return { x: dataset.features, y, rows };
}

export function modelSpec(job: Pick<ModelEscapeJob, 'hidden' | 'activation'>, data: MlpData, classes: number): MlpSpec {
  return { layers: [data.x.length / data.rows, ...job.hidden, classes], activation: job.activation };
}

interface ModelStart {
  readonly spec: MlpSpec;
  readonly data: MlpData;
  readonly start: Pretrained;
  /** The Hessian at the start, once a job needs it. */
  hessian?: SymmetricEigenResult;
}

// Pretraining is deterministic and costs seconds; the jobs of one sweep share their start (and its Hessian).
const pretrained = new Map<string, ModelStart>();

/** The job's model, data and pretrained start (cached per configuration in this thread). */
export function modelStart(job: ModelEscapeJob): ModelStart {
  const key = JSON.stringify([job.dataset, job.hidden, job.activation, job.weightDecay, job.pretrain, tf.getBackend()]);
  let hit = pretrained.get(key);
  if (hit === undefined) {
    const data = modelData(job);
    const classes = data.y.length / data.rows;
    const spec = modelSpec(job, data, classes);
    hit = { spec, data, start: pretrainMlp(spec, data, { weightDecay: job.weightDecay, ...job.pretrain }) };
    pretrained.set(key, hit);
  }
  return hit;
}

/** The Hessian at the job's pretrained start (P exact Hessian-vector products, once per configuration and thread). */
export function hessianAtStart(job: ModelEscapeJob): SymmetricEigenResult {
  const hit = modelStart(job);
  hit.hessian ??= startHessian(hit.spec, hit.data, hit.start.theta, job.weightDecay);
  return hit.hessian;
}

export function checkModelEscapeJob(job: ModelEscapeJob): void {
  const where = 'model escape job';
  const positive = (field: string, v: unknown, example: string): void => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new RangeError(`${where}: ${field} = ${String(v)}; use a number > 0, e.g. ${example}`);
  };
  if (job.dataset !== 'banknote') throw new RangeError(`${where}: dataset = ${String(job.dataset)}; use banknote`);
  positive('k', job.k, '1');
  if (!(job.weightDecay >= 0)) throw new RangeError(`${where}: weightDecay = ${String(job.weightDecay)}; use a number ≥ 0, e.g. 0.01`);
  const rule = parseBoundary(job.boundary);
  if (rule.kind !== 'box' && rule.kind !== 'ball') {
    throw new RangeError(`${where}: boundary = ${job.boundary}; a model has no known col: use box:r or ball:r, e.g. box:0.05`);
  }
  if (job.initial !== undefined && job.initial !== 'minimum' && job.initial !== 'equilibrium') {
    throw new RangeError(`${where}: initial = ${String(job.initial)}; use minimum or equilibrium`);
  }
  if (job.initial === 'equilibrium' && job.optimizer.name !== 'sgld') {
    throw new RangeError(`${where}: initial = equilibrium needs optimizer sgld (its equilibrium is known in closed form); got ${job.optimizer.name}`);
  }
  for (const [field, v] of [['replicas', job.replicas], ['maxSteps', job.maxSteps], ['batchSize', job.batchSize]] as const) {
    if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`${where}: ${field} = ${String(v)}; use an integer ≥ 1`);
  }
}

/**
 * Runs one model escape job: R MLP replicas from the pretrained start, each on its own minibatches, until each has
 * left the box (or ball) around the start, r rescaled to r/√k; replicas still inside at maxSteps are censored.
 */
export async function runModelEscapeJob(job: ModelEscapeJob, options: RunEscapeOptions = {}): Promise<EscapeJobResult<ModelEscapeJob>> {
  checkModelEscapeJob(job);
  const t0 = performance.now();
  const { spec, data, start } = modelStart(job);
  // L_k(θ) = L(√k·θ) has its minimum at θ*/√k: the replicas start there, in a box of r/√k around it.
  const scaled = job.k === 1 ? start.theta : start.theta.map((v) => v / Math.sqrt(job.k));
  const edge = boundary(parseBoundary(job.boundary) as Parameters<typeof boundary>[0] & { kind: 'box' | 'ball' }, {
    start: scaled,
    k: job.k,
  });
  const first = job.firstReplica ?? 0;
  const o = job.optimizer;
  const starts =
    job.initial === 'equilibrium' && o.name === 'sgld'
      ? equilibriumStarts({
          minimum: start.theta,
          hessian: hessianAtStart(job),
          learningRate: o.learningRate,
          diffusion: o.diffusion,
          k: job.k,
          edge,
          seed: job.seed,
          ids: Int32Array.from({ length: job.replicas }, (_, r) => first + r),
        })
      : scaled;
  const ensemble = createMlpEnsemble({
    layers: spec.layers,
    activation: spec.activation ?? 'tanh',
    data,
    batchSize: job.batchSize,
    optimizer: job.optimizer,
    weightDecay: job.weightDecay,
    k: job.k,
    replicas: job.replicas,
    seed: job.seed,
    firstReplica: first,
    start: starts,
  });
  // Yields every 256 iterations: a model iteration costs about 10× a landscape one.
  return escapeLoop(job, { ...ensemble, rows: () => ensemble.parameters() }, edge, { ...options, yieldEvery: 256, describe, startedAt: t0 });
}

/** 'θ17+': parameter 17 left the box upward. */
function describe(exit: ExitDirection): string {
  return `θ${exit.coordinate}${exit.sign > 0 ? '+' : '-'}`;
}
