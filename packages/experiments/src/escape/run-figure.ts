import { compareLaws, linearFit, wallEscapeRate, type Wall } from '@kramers/escape-tracker';
import type { FigureSpec, PanelSpec } from './escape-figure.js';
import { escapeDocument } from './escape-document.js';
import { escapeJobKey, isModelJob, type EscapeJob, type EscapeJobResult } from './escape-job.js';
import { modelEscapeDocument } from './model-escape-document.js';
import { hessianAtStart, modelStart } from './run-model-escape-job.js';
import { boxWalls } from './box-walls.js';
import { curvatureOf } from './start-curvature.js';
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
  /** The gradient-noise model of a landscape panel; 'minibatches' (and SGLD's injected noise) for a model panel. */
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
  /**
   * What the theory says the fit's slope is, where it says so. For SGLD's −log γ against 1/D on a model: the slope of
   * the wall law's −log γ (Σ over the box's low faces of κ·√(ΔL/πD)·e^(−ΔL/D)) over the panel's D, a little below the
   * lowest face's ΔL because of the √(ΔL/D) prefactor.
   */
  readonly expectedSlope?: number;
}

/** The start of a model figure: how true a minimum the replicas start from. */
export interface FigureStart {
  readonly weightDecay: number;
  readonly loss: number;
  readonly gradientNorm: number;
  readonly minEigenvalue: number;
  readonly maxEigenvalue: number;
  readonly parameters: number;
  /**
   * For a box around a true minimum: its lowest face's exact barrier, how many faces lie within 10 % of it, and the
   * low faces (barrier and stiffness κ = 1/(H⁻¹)ᵢᵢ, within 1.2× of the lowest in the quadratic model).
   */
  readonly box?: { readonly radius: number; readonly barrier: number; readonly faces: number; readonly walls: readonly Wall[] };
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
    // SGLD: ΔL/D with banknote's lowest box face, ΔL ≈ 1e-5 (Theorem 3.1), its iterations full-batch (≈ 20× dearer).
    const exponent =
      o.name === 'sgld'
        ? 1e-5 / o.diffusion + Math.log(20)
        : o.name === 'adam'
          ? (0.06 * Math.sqrt(job.batchSize / 16)) / (o.learningRate * Math.sqrt(job.k))
          : (0.12 * job.batchSize) / (o.learningRate * job.k);
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
  // The cached Hessian: in-process jobs with equilibrium starts use the same one.
  const hessian = hessianAtStart(job);
  const curvature = curvatureOf(hessian);
  const rule = parseBoundary(job.boundary);
  if (rule.kind !== 'box' || !(curvature.minEigenvalue > 0)) {
    return { weightDecay: job.weightDecay, loss: start.loss, gradientNorm: start.gradientNorm, ...curvature };
  }
  // Faces within 1.2× of the lowest in the quadratic model; the others do not change the lowest.
  const walls = boxWalls({ spec, data, minimum: start.theta, hessian, weightDecay: job.weightDecay, radius: rule.radius, within: 1.2 });
  const barrier = walls[0]!.barrier;
  const box = {
    radius: rule.radius,
    barrier,
    faces: walls.filter((w) => w.barrier <= 1.1 * barrier).length,
    walls: walls.map((w) => ({ barrier: w.barrier, stiffness: w.stiffness })),
  };
  return { weightDecay: job.weightDecay, loss: start.loss, gradientNorm: start.gradientNorm, ...curvature, box };
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
      ...(panel.x === '1/D' && meta.start?.box && points.length >= 2 ? { expectedSlope: wallLawSlope(meta.start.box.walls, points.map((p) => p.x)) } : {}),
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

/** Slope of −log γ against 1/D that the wall law predicts over the given 1/D values (a least-squares line, as the panel's fit). */
function wallLawSlope(walls: readonly Wall[], inverseD: readonly number[]): number {
  return linearFit(inverseD, inverseD.map((u) => -Math.log(wallEscapeRate(walls, 1 / u)))).slope;
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
  if (!isModelJob(job)) return job.noise;
  return job.optimizer.name === 'sgld' ? `injected (D), on minibatches of ${job.batchSize}` : 'minibatches';
}
