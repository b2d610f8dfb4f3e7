import { compareLaws, linearFit } from '@kramers/escape-tracker';
import type { FigureSpec, PanelSpec } from './escape-figure.js';
import { escapeDocument } from './escape-document.js';
import { escapeJobKey, isModelJob, type EscapeJob, type EscapeJobResult } from './escape-job.js';
import { modelEscapeDocument } from './model-escape-document.js';
import { modelStart } from './run-model-escape-job.js';
import { startCurvature } from './start-curvature.js';
import type { EscapeRunner, RunnerHooks } from './escape-runner.js';
import { buildLandscape } from './build-landscape.js';
import { predictEscape } from './predict-escape.js';
import { parseBoundary } from '@kramers/valley-detector';

export interface FigurePoint {
  readonly x: number;
  /** Observed escapes per iteration (censored MLE) and its exact 95 % interval. */
  readonly gamma: number;
  readonly ci: readonly [number, number];
  /** The theory's γ per iteration (Theorem 3.1 for SGLD; the noise model's temperatures in Theorem 3.2's form otherwise). */
  readonly predictedGamma: number | null;
  /** Exact first-passage γ by quadrature, where it applies. */
  readonly exactGamma: number | null;
  readonly cv: number | null;
  readonly escaped: number;
  readonly replicas: number;
  readonly meanEscapeTime: number | null;
  readonly stepsRun: number;
}

export interface FigurePanel {
  readonly id: string;
  readonly title: string;
  readonly optimizer: PanelSpec['optimizer'];
  readonly x: PanelSpec['x'];
  readonly y: PanelSpec['y'];
  readonly expected: string;
  /** The gradient-noise model of a landscape panel, or 'minibatches' for a model panel. */
  readonly noise: string;
  readonly points: readonly FigurePoint[];
  /** Least-squares line of y (−log γ, or γ) against x over the points with escapes; null with fewer than 2. */
  readonly fit: { readonly slope: number; readonly intercept: number; readonly pearson: number | null } | null;
  /** χ²/dof of the exponential law (−log γ linear in x) and of the power law (−log γ linear in log x). */
  readonly chi2dof: { readonly exponential: number | null; readonly powerLaw: number | null };
  /** The law with the smaller χ²/dof. */
  readonly preferred: 'exponential' | 'power-law' | null;
  /** Points where nothing escaped within the step budget. */
  readonly withoutEscapes: number;
}

/** The start of a model figure: how true a minimum the replicas start from. */
export interface FigureStart {
  readonly weightDecay: number;
  readonly loss: number;
  readonly gradientNorm: number;
  readonly minEigenvalue: number;
  readonly maxEigenvalue: number;
  readonly parameters: number;
}

export interface FigureDocument {
  readonly figure: string;
  readonly noiseModel: string;
  /** Model figures: the pretrained start (gradient norm, Hessian spectrum), stated in the figure. */
  readonly start?: FigureStart;
  readonly panels: readonly FigurePanel[];
  readonly runner: string;
  readonly jobs: number;
  readonly elapsedMs: number;
}

/** Expected iterations a job will run, to start the longest first (balances workers). */
function expectedCost(job: EscapeJob): number {
  // A model job has no absolute prediction: order by the theory's scaling, −log γ ∝ B/(ηk) for SGD (Theorem 3.2) and
  // ∝ √B/(η√k) for Adam, with constants from banknote's box escapes (only the order matters here).
  if (isModelJob(job)) {
    const o = job.optimizer;
    const exponent =
      o.name === 'adam' ? (0.06 * Math.sqrt(job.batchSize / 16)) / (o.learningRate * Math.sqrt(job.k)) : (0.12 * job.batchSize) / (o.learningRate * job.k);
    return Math.min(job.maxSteps, Math.exp(exponent) * (Math.log(job.replicas) + 0.58));
  }
  // State-dependent noise blocks escape (its prediction assumes it does not): such a job runs its whole budget.
  if (job.noise === 'state') return job.maxSteps;
  try {
    const { landscape, start } = buildLandscape(job.landscape, job.start);
    const valley = landscape.valley(start);
    const p = predictEscape(job, landscape, valley, parseBoundary(job.boundary));
    // The slowest of R exponential escapes takes ≈ ln R + 0.58 mean times.
    return p.meanEscapeTime === null ? job.maxSteps : Math.min(job.maxSteps, p.meanEscapeTime * (Math.log(job.replicas) + 0.58));
  } catch {
    return job.maxSteps;
  }
}

/** The distinct jobs of a figure (panels sharing a setting run it once), longest first. */
export function figureJobs(spec: FigureSpec): EscapeJob[] {
  const byKey = new Map<string, EscapeJob>();
  for (const panel of spec.panels) for (const p of panel.points) byKey.set(escapeJobKey(p.job), p.job);
  return [...byKey.values()]
    .map((job) => ({ job, cost: expectedCost(job) }))
    .sort((a, b) => b.cost - a.cost)
    .map((j) => j.job);
}

export async function runFigure(spec: FigureSpec, runner: EscapeRunner, hooks: RunnerHooks = {}): Promise<FigureDocument> {
  const t0 = performance.now();
  const jobs = figureJobs(spec);
  const start = figureStart(jobs);
  const results = await runner.run(jobs, hooks);
  return figureDocument(spec, results, { runner: runner.name, elapsedMs: performance.now() - t0, ...(start ? { start } : {}) });
}

/** For a model figure, the shared pretrained start and its Hessian spectrum (computed here, on this thread). */
export function figureStart(jobs: readonly EscapeJob[]): FigureStart | undefined {
  const job = jobs.find(isModelJob);
  if (job === undefined) return undefined;
  const { spec, data, start } = modelStart(job);
  const c = startCurvature(spec, data, start.theta, job.weightDecay);
  return { weightDecay: job.weightDecay, loss: start.loss, gradientNorm: start.gradientNorm, ...c };
}

/** Assembles the figure from job results (from any runner, in any order). */
export function figureDocument(
  spec: FigureSpec,
  results: readonly EscapeJobResult[],
  meta: { readonly runner: string; readonly elapsedMs: number; readonly start?: FigureStart },
): FigureDocument {
  const docs = new Map<string, PointSource>();
  for (const r of results) docs.set(escapeJobKey(r.job), pointSource(r));
  const panels = spec.panels.map((panel): FigurePanel => {
    const points = panel.points.map((p): FigurePoint => {
      const d = docs.get(escapeJobKey(p.job));
      if (d === undefined) throw new Error(`figure ${spec.figure}: no result for a job of panel ${panel.id} (x = ${p.x})`);
      return { x: p.x, ...d };
    });
    const seen = points.filter((p) => p.escaped > 0);
    const ys = seen.map((p) => (panel.y === 'gamma' ? p.gamma : -Math.log(p.gamma)));
    const line = seen.length >= 2 ? linearFit(seen.map((p) => p.x), ys) : null;
    const laws = seen.length >= 3 ? compareLaws(seen.map((p) => ({ x: p.x, gamma: p.gamma, escaped: p.escaped }))) : null;
    return {
      id: panel.id,
      title: panel.title,
      optimizer: panel.optimizer,
      x: panel.x,
      y: panel.y,
      expected: panel.expected,
      noise: noiseOf(panel.points[0]?.job),
      points,
      fit: line === null ? null : { slope: line.slope, intercept: line.intercept, pearson: line.pearson },
      chi2dof: { exponential: laws?.exponential.chi2dof ?? null, powerLaw: laws?.powerLaw.chi2dof ?? null },
      preferred: laws?.preferred ?? null,
      withoutEscapes: points.length - seen.length,
    };
  });
  return {
    figure: spec.figure,
    noiseModel: spec.noiseModel,
    ...(meta.start ? { start: meta.start } : {}),
    panels,
    runner: meta.runner,
    jobs: results.length,
    elapsedMs: Math.round(meta.elapsedMs),
  };
}

/** A figure point but for its x: what the point takes from its job's result. */
type PointSource = Omit<FigurePoint, 'x'>;

/** Statistics for any job; the theory's and the exact γ for landscape jobs (a model has no known col). */
function pointSource(r: EscapeJobResult): PointSource {
  const job = r.job;
  const d = isModelJob(job) ? modelEscapeDocument({ ...r, job }) : escapeDocument({ ...r, job });
  const predicted = 'predicted' in d ? d.predicted : null;
  return {
    gamma: d.gamma ?? 0,
    ci: d.ci,
    predictedGamma: predicted?.gamma ?? null,
    exactGamma: predicted?.exact?.gamma ?? null,
    cv: d.cv,
    escaped: d.escaped,
    replicas: d.replicas,
    meanEscapeTime: d.meanEscapeTime,
    stepsRun: r.stepsRun,
  };
}

function noiseOf(job: EscapeJob | undefined): string {
  if (job === undefined) return 'frozen';
  return isModelJob(job) ? 'minibatches' : job.noise;
}
