import type { Exit, Landscape, Valley } from '@kramers/datasets';
import {
  combinePaths,
  firstPassageTime,
  kramersEscapeTime,
  sgdEscapeTimeBracket,
  unifiedEscapeTime,
  type EscapePrediction,
} from '@kramers/escape-tracker';
import type { BoundaryRule } from '@kramers/valley-detector';
import type { LandscapeEscapeJob } from './escape-job.js';

/** What the theory predicts for one job, per iteration, with the assumptions that hold or fail. */
export interface PredictedEscape {
  /** Escapes per iteration, summed over the valley's exits (Rule 1); null when the theory has nothing to say. */
  readonly gamma: number | null;
  /** 1/gamma, iterations. */
  readonly meanEscapeTime: number | null;
  readonly formula: 'theorem-3.1' | 'theorem-3.2' | 'unified' | 'none';
  /** The path parameter s used (null where T_a = T_b makes it irrelevant). */
  readonly s: number | null;
  /** Exits (escape paths) combined by Rule 1. */
  readonly paths: number;
  /** Temperatures along the escape direction of the dominant exit, at the minimum and at the col. */
  readonly temperature: { readonly atMinimum: number; readonly atCol: number } | null;
  /** Theorem 3.2 at s = 0 and s = 1 (escapes per iteration), for SGD and momentum. */
  readonly theorem32?: { readonly s0: number; readonly s1: number };
  /**
   * Beyond the paper: the exact mean first-passage time of the continuous-time dynamics to the job's boundary, by
   * quadrature on the 1-D profile, combined over the d equal coordinate paths as γ = d/τ₁ (exact for exponential
   * escape times). Only where the diffusion is constant (SGLD, frozen noise) and the boundary is a col crossing.
   */
  readonly exact: { readonly gamma: number; readonly meanEscapeTime: number; readonly relativeError: number } | null;
  readonly assumptions: {
    readonly lowTemperature: { readonly ratio: number; readonly holds: boolean } | null;
    readonly stability: { readonly ratio: number; readonly holds: boolean } | null;
    /** Whether the boundary is what the formulas predict (crossing beyond the col), and why not. */
    readonly boundary: { readonly holds: boolean; readonly note: string };
    readonly noise: { readonly holds: boolean; readonly note: string };
  };
}

interface Dynamics {
  /** Learning rate that turns continuous time into iterations (η, η/(1−β) for momentum, η·√(B/H) for Adam). */
  readonly timeStep: number;
  readonly atMinimum: number;
  readonly atCol: number;
  readonly constantDiffusion: boolean;
}

/** Temperatures along exit e for the job's optimizer and noise model (the unified temperature, T = η_eff·p·C_ee/2). */
function dynamicsAlong(job: LandscapeEscapeJob, exit: Exit): Dynamics {
  const o = job.optimizer;
  const hA = exit.minimumCurvature;
  const hB = Math.abs(exit.colCurvature);
  const B = job.batchSize;
  // SGN temperature ηH/(2B) (Xie et al. 2021, §2: D = ηC/2, C ≈ H/B); frozen noise keeps H_a everywhere.
  const sgn = (eta: number, h: number): number => (job.noise === 'none' ? 0 : (eta * h) / (2 * B));
  const atCol = (eta: number): number => (job.noise === 'state' ? sgn(eta, hB) : sgn(eta, hA));
  switch (o.name) {
    case 'sgd':
      return { timeStep: o.learningRate, atMinimum: sgn(o.learningRate, hA), atCol: atCol(o.learningRate), constantDiffusion: job.noise !== 'state' };
    case 'sgld':
      // SGLD's D adds to whatever gradient noise there is (Xie et al. 2021, §3: a mixture of SGN and white noise).
      return {
        timeStep: o.learningRate,
        atMinimum: o.diffusion + sgn(o.learningRate, hA),
        atCol: o.diffusion + atCol(o.learningRate),
        constantDiffusion: job.noise !== 'state',
      };
    case 'momentum': {
      // Heavy ball m ← βm + g, θ ← θ − ηm is overdamped SGD with η_eff = η/(1 − β) (derived).
      const eta = o.learningRate / (1 - o.momentum);
      return { timeStep: eta, atMinimum: sgn(eta, hA), atCol: atCol(eta), constantDiffusion: job.noise !== 'state' };
    }
    case 'adam': {
      // Adam near a minimum: v ≈ C_ee = H_ae/B, so it is SGD with η' = η/(√v + ε) along e and T = η'·H_ae/(2B) ≈ η√(H_ae/B)/2.
      const eps = o.epsilon ?? 1e-7;
      const eta = o.learningRate / (Math.sqrt(hA / B) + eps);
      return { timeStep: eta, atMinimum: sgn(eta, hA), atCol: atCol(eta), constantDiffusion: job.noise !== 'state' };
    }
  }
}

/** The boundary point along an exit's coordinate, for the exact first-passage time; null when not a col crossing. */
function target(rule: BoundaryRule, valley: Valley, exit: Exit, coordinate: number): number | null {
  const col = exit.col.point[coordinate]!;
  if (rule.kind === 'col') return col;
  if (rule.kind === 'midway' && exit.next != null) return (col + exit.next.point[coordinate]!) / 2;
  void valley;
  return null;
}

export function predictEscape(job: LandscapeEscapeJob, landscape: Landscape, valley: Valley, rule: BoundaryRule): PredictedEscape {
  const boundaryNote =
    rule.kind === 'midway'
      ? { holds: true, note: 'midway from the col to the next minimum: a crossing the Kramers/Xie formulas predict' }
      : rule.kind === 'col'
        ? { holds: false, note: 'the col itself: about half of the crossings return, so γ is about twice the formulas’' }
        : { holds: false, note: `${rule.kind} boundary inside the valley: its barrier is the lowest loss on the boundary, not the col's` };
  const noiseNote =
    job.noise === 'state'
      ? { holds: false, note: '[H(θ)]₊/B taken globally vanishes where the curvature changes sign between minimum and col, which blocks escape' }
      : job.noise === 'frozen'
        ? { holds: true, note: 'H(θ_a)/B everywhere: the quasi-equilibrium noise of the valley' }
        : { holds: true, note: 'exact gradients: only the injected noise' };
  const none = (why: string): PredictedEscape => ({
    gamma: null,
    meanEscapeTime: null,
    formula: 'none',
    s: null,
    paths: 0,
    temperature: null,
    exact: null,
    assumptions: { lowTemperature: null, stability: null, boundary: { holds: false, note: why }, noise: noiseNote },
  });
  if (valley.exits.length === 0) return none('this valley has no col: the formulas need one (use a landscape with cols)');
  if (job.optimizer.name !== 'sgld' && job.noise === 'none') return none('no noise: gradient descent never escapes a minimum');

  const perExit = valley.exits.map((exit) => {
    const d = dynamicsAlong(job, exit);
    const geometry = { barrier: exit.barrier, minimumCurvature: exit.minimumCurvature, colCurvature: exit.colCurvature };
    let prediction: EscapePrediction;
    if (job.optimizer.name === 'sgld' && d.atMinimum === d.atCol) {
      // Theorem 3.1 (Xie et al. 2021): constant isotropic D.
      prediction = kramersEscapeTime({ ...geometry, determinantRatio: exit.determinantRatio, diffusion: d.atMinimum, learningRate: d.timeStep });
    } else {
      // Derived from Theorem 3.2's proof with the noise model's temperatures at both ends; s = ½ when they differ.
      const s = d.atMinimum === d.atCol ? 1 : 0.5;
      prediction = unifiedEscapeTime({
        ...geometry,
        determinantRatio: exit.determinantRatio,
        temperatureAtMinimum: d.atMinimum,
        temperatureAtCol: d.atCol,
        s,
        learningRate: d.timeStep,
      });
    }
    return { exit, d, prediction };
  });
  const combined = combinePaths(perExit.map((p) => p.prediction));
  const lead = perExit.reduce((a, b) => (b.prediction.logTau < a.prediction.logTau ? b : a));
  const perIteration = (tau: number, timeStep: number): number => timeStep / tau;
  const gamma = perExit.reduce((sum, p) => sum + perIteration(p.prediction.tau, p.d.timeStep), 0);

  let theorem32: PredictedEscape['theorem32'];
  if (job.optimizer.name === 'sgd' || job.optimizer.name === 'momentum') {
    const totals = { s0: 0, s1: 0 };
    for (const p of perExit) {
      // Theorem 3.2 (Xie et al. 2021) at both ends of s, combined over exits by Rule 1.
      const b = sgdEscapeTimeBracket({
        barrier: p.exit.barrier,
        minimumCurvature: p.exit.minimumCurvature,
        colCurvature: p.exit.colCurvature,
        learningRate: p.d.timeStep,
        batchSize: job.batchSize,
      });
      totals.s0 += perIteration(b.s0.tau, p.d.timeStep);
      totals.s1 += perIteration(b.s1.tau, p.d.timeStep);
    }
    theorem32 = totals;
  }

  let exact: PredictedEscape['exact'] = null;
  const profile = landscape.profile;
  // Adam's SDE has a state-dependent preconditioner; the constant-diffusion quadrature would not be exact for it.
  if (profile != null && lead.d.constantDiffusion && job.optimizer.name !== 'adam' && rule.kind !== 'box' && rule.kind !== 'ball') {
    let total = 0;
    let worst = 0;
    for (const p of perExit) {
      const i = p.exit.direction.findIndex((v) => v !== 0);
      const to = target(rule, valley, p.exit, i);
      if (to == null) {
        total = NaN;
        break;
      }
      const fpt = firstPassageTime({ potential: (x) => profile.value(x), diffusion: p.d.atMinimum, start: valley.minimum.point[i]!, target: to });
      total += perIteration(fpt.tau, p.d.timeStep);
      worst = Math.max(worst, fpt.relativeError);
    }
    if (Number.isFinite(total) && total > 0) exact = { gamma: total, meanEscapeTime: 1 / total, relativeError: worst };
  }

  return {
    gamma,
    meanEscapeTime: 1 / gamma,
    formula: lead.prediction.formula === 'theorem-3.1' ? 'theorem-3.1' : 'unified',
    s: lead.d.atMinimum === lead.d.atCol ? null : lead.prediction.s,
    paths: combined.paths,
    temperature: { atMinimum: lead.d.atMinimum, atCol: lead.d.atCol },
    ...(theorem32 ? { theorem32 } : {}),
    exact,
    assumptions: {
      lowTemperature: lead.prediction.assumptions.lowTemperature,
      stability: { ratio: lead.d.timeStep * lead.exit.minimumCurvature, holds: lead.d.timeStep * lead.exit.minimumCurvature < 2 },
      boundary: boundaryNote,
      noise: noiseNote,
    },
  };
}
