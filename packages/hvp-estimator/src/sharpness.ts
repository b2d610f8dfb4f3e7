/**
 * The `sharpness` plugin: Hessian curvature of the probe loss during training (theory §8; the sharp directions are
 * where SGD escapes from, Xie, Sato & Sugiyama 2021). On each due step it runs `analyzeCurvature` on the probe batch,
 * warm-started from the previous step's eigenvectors, emits the spectrum's summary and serves the eigenvectors to
 * other plugins under the `Sharpness` token.
 */
import {
  budget,
  definePlugin,
  seedFor,
  serviceToken,
  type Plugin,
  type ProbeContext,
  type Schedule,
  type StepContext,
} from '@kramers/core';
import { analyzeCurvature, type HvpChoice } from './curvature.js';
import type { HvpMethod } from './hvp.js';
import { assertSecondOrderGradients } from './second-order.js';

export interface SharpnessConfig {
  /** Largest eigenvalues to track (default 5). */
  readonly topK: number;
  /** Also track λ_min, the most negative curvature (default true). */
  readonly minEigenvalue: boolean;
  /** Estimate tr(H) (default false). */
  readonly trace: boolean;
  /** Hutchinson probes for the trace (default 30). */
  readonly traceProbes: number;
  /** Estimate the spectral density by SLQ (default false). */
  readonly density: boolean;
  /** SLQ probes (default 1). */
  readonly densityRuns: number;
  /** Lanczos steps per SLQ probe (default 100, capped at n). */
  readonly densitySteps: number;
  /** Bins of the emitted density histogram (default 100). */
  readonly densityBins: number;
  /** Lanczos relative residual tolerance (default 1e-3). */
  readonly tol: number;
  /** Lanczos step limit; default as `analyzeCurvature`. */
  readonly maxIter?: number;
  /** Base seed; each step derives its own (default 0). */
  readonly seed: number;
  /** Start Lanczos from the previous step's eigenvectors (default true). */
  readonly warmStart: boolean;
  /** HVP method (default 'double-backprop'; 'auto' falls back to finite differences when double backprop throws). */
  readonly hvp: HvpChoice;
}

export interface SharpnessOptions extends Partial<SharpnessConfig> {
  /** When to measure (default budget(0.1): at most about 10 % of training time). */
  readonly schedule?: Schedule;
}

/** Where each variable sits in the flat vectors. */
export interface FlatLayoutEntry {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
}

export interface SharpnessSnapshot {
  /** Training iteration the eigenpairs were measured at (after that step's update). */
  readonly iteration: number;
  /** Top-k eigenvalues, descending. */
  readonly eigenvalues: readonly number[];
  /** Unit eigenvectors matching `eigenvalues`, flat in probe-variable order (see `layout`). Do not modify. */
  readonly eigenvectors: readonly Float64Array[];
  readonly residuals: readonly number[];
  readonly minEigenvalue?: number;
  readonly minEigenvector?: Float64Array;
  readonly layout: readonly FlatLayoutEntry[];
  readonly method: HvpMethod;
}

export interface SharpnessService {
  /** The most recent measurement, or undefined before the first. */
  latest(): SharpnessSnapshot | undefined;
}

export const Sharpness = serviceToken<SharpnessService>('hvp-estimator/sharpness');

const schema = {
  type: 'object',
  properties: {
    topK: { type: 'integer', minimum: 1, default: 5 },
    minEigenvalue: { type: 'boolean', default: true },
    trace: { type: 'boolean', default: false },
    traceProbes: { type: 'integer', minimum: 2, default: 30 },
    density: { type: 'boolean', default: false },
    densityRuns: { type: 'integer', minimum: 1, default: 1 },
    densitySteps: { type: 'integer', minimum: 1, default: 100 },
    densityBins: { type: 'integer', minimum: 2, default: 100 },
    tol: { type: 'number', exclusiveMinimum: 0, default: 1e-3 },
    maxIter: { type: 'integer', minimum: 1 },
    seed: { type: 'integer', default: 0 },
    warmStart: { type: 'boolean', default: true },
    hvp: { type: 'string', enum: ['double-backprop', 'finite-difference', 'auto'], default: 'double-backprop' },
  },
  additionalProperties: false,
} as const;

/**
 * SLQ density as expected eigenvalue counts per bin: grid points become bin centres and counts = ρ·Δ·n, so the
 * counts sum to n (the density has unit area by the rectangle rule).
 */
function densityHistogram(grid: readonly number[], values: readonly number[], n: number) {
  const step = grid.length > 1 ? grid[1]! - grid[0]! : 1;
  const edges = [...grid.map((x) => x - step / 2), grid[grid.length - 1]! + step / 2];
  return { kind: 'histogram' as const, edges, counts: values.map((v) => v * step * n) };
}

function layoutOf(probe: ProbeContext): FlatLayoutEntry[] {
  let offset = 0;
  return probe.variables.map((v) => {
    const entry = { name: v.name, offset, size: v.size };
    offset += v.size;
    return entry;
  });
}

export function sharpness(options: SharpnessOptions = {}): Plugin<SharpnessConfig, SharpnessService> {
  const { schedule, ...config } = options;
  return definePlugin<SharpnessConfig, SharpnessService>({
    name: 'sharpness',
    configSchema: schema,
    config,
    schedule: schedule ?? budget(0.1),
    needs: ['probe'],
    provides: Sharpness,
    setup(ctx) {
      const c = ctx.config;
      if (c.hvp !== 'finite-difference') assertSecondOrderGradients('plugin "sharpness"');
      if (!ctx.probe) throw new Error('plugin "sharpness": no probe batch; pass probe: { model, x, y } to instrument()');
      const layout = layoutOf(ctx.probe);
      let last: SharpnessSnapshot | undefined;
      return {
        service: { latest: () => last },
        onStep(step: StepContext) {
          const probe = step.probe!;
          const n = probe.size;
          const previous = last && c.warmStart ? [...last.eigenvectors, ...(last.minEigenvector ? [last.minEigenvector] : [])] : [];
          const r = analyzeCurvature(probe, {
            topK: Math.min(c.topK, n),
            minEigenvalue: c.minEigenvalue,
            tol: c.tol,
            ...(c.maxIter === undefined ? {} : { maxIter: Math.min(c.maxIter, n) }),
            seed: seedFor(c.seed, step.iteration),
            warmStart: previous,
            trace: c.trace,
            traceProbes: c.traceProbes,
            density: c.density,
            densityRuns: c.densityRuns,
            densitySteps: Math.min(c.densitySteps, n),
            densityBins: c.densityBins,
            gradient: false,
            eigenvectors: true,
            hvp: c.hvp,
          });
          last = {
            iteration: step.iteration,
            eigenvalues: r.eigenvalues,
            eigenvectors: r.eigenvectors ?? [],
            residuals: r.residuals,
            ...(r.minEigenvalue === null ? {} : { minEigenvalue: r.minEigenvalue }),
            ...(r.minEigenvector ? { minEigenvector: r.minEigenvector } : {}),
            layout,
            method: r.method,
          };
          step.emit('lambda_max', r.eigenvalues[0]!);
          step.emit('lambda_max_residual', r.residuals[0]!);
          step.emit('top_eigenvalues', {
            kind: 'vector',
            values: r.eigenvalues,
            labels: r.eigenvalues.map((_, i) => `lambda_${i + 1}`),
          });
          if (r.minEigenvalue !== null) step.emit('lambda_min', r.minEigenvalue);
          if (r.trace) step.emit('trace', r.trace.estimate, { uncertainty: { stderr: r.trace.stderr } });
          if (r.density) step.emit('density', densityHistogram(r.density.grid, r.density.values, n));
          step.emit('hvp_count', r.hvpCount);
        },
      };
    },
  });
}
