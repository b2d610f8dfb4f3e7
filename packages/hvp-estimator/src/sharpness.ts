/**
 * The `sharpness` plugin: Hessian curvature of the probe loss during training (docs/theory.md §8; the sharp directions
 * are where SGD escapes from, Xie, Sato & Sugiyama 2021). On each due step it runs `analyzeCurvature` on the probe
 * batch, warm-started from the previous step's eigenvectors, emits the spectrum's summary and serves the eigenvectors
 * to other plugins under the `Sharpness` token.
 */
import {
  defaultMeasurementSchedule,
  definePlugin,
  flatLayout,
  seedFor,
  type FlatLayoutEntry,
  serviceToken,
  type Attributes,
  type Plugin,
  type Schedule,
  type TrainEndContext,
} from '@kramers/core';
import { analyzeCurvature, type HvpChoice } from './curvature.js';
import { curvatureSchemaProperties, SHARPNESS_DEFAULTS } from './curvature-defaults.js';
import type { HvpMethod } from './hvp.js';

/**
 * Defaults: `SHARPNESS_DEFAULTS` (analyzeCurvature's `CURVATURE_DEFAULTS`, but λ_max alone: topK 1, no λ_min),
 * trace and density off, warm starts on.
 */
export interface SharpnessConfig {
  /** Largest eigenvalues to track (default 1: λ_max, cheap; the escape directions need more). */
  readonly topK: number;
  /**
   * Also track λ_min, the most negative curvature (default false: it costs most of a Lanczos run — about 70 % of a
   * top-3 measurement on an MLP). 'final': only at the final parameters, when training ends, so live measurements stay
   * cheap and the end still reports it.
   */
  readonly minEigenvalue: boolean | 'final';
  /** Estimate tr(H) (default false). */
  readonly trace: boolean;
  /** Hutchinson probes for the trace. */
  readonly traceProbes: number;
  /** Estimate the spectral density by SLQ (default false). */
  readonly density: boolean;
  /** SLQ probes. */
  readonly densityRuns: number;
  /** Lanczos steps per SLQ probe, capped at n. */
  readonly densitySteps: number;
  /** Bins of the emitted density histogram. */
  readonly densityBins: number;
  /** Lanczos relative residual tolerance. */
  readonly tol: number;
  /** Lanczos step limit; default as `analyzeCurvature`. */
  readonly maxIter?: number;
  /** Base seed; each step derives its own. */
  readonly seed: number;
  /** Start Lanczos from the previous step's eigenvectors (default true). */
  readonly warmStart: boolean;
  /** HVP method ('auto' falls back to finite differences when double backprop throws). */
  readonly hvp: HvpChoice;
}

export interface SharpnessOptions extends Partial<SharpnessConfig> {
  /**
   * When to measure during training (default `defaultMeasurementSchedule()`: log-spaced early, then as a 10 % time
   * budget allows). The final parameters are measured when training ends, whatever the schedule.
   */
  readonly schedule?: Schedule;
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
  /** The loss whose Hessian this is (the compiled model's unless the probe was given one). */
  readonly loss: string;
}

export interface SharpnessService {
  /** The most recent measurement, or undefined before the first. */
  latest(): SharpnessSnapshot | undefined;
}

export const Sharpness = serviceToken<SharpnessService>('hvp-estimator/sharpness');

const schema = {
  type: 'object',
  properties: {
    ...curvatureSchemaProperties,
    topK: { ...curvatureSchemaProperties.topK, default: SHARPNESS_DEFAULTS.topK },
    minEigenvalue: { enum: [true, false, 'final'], default: SHARPNESS_DEFAULTS.minEigenvalue },
    trace: { type: 'boolean', default: false },
    density: { type: 'boolean', default: false },
    warmStart: { type: 'boolean', default: true },
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

export function sharpness(options: SharpnessOptions = {}): Plugin<SharpnessConfig, SharpnessService> {
  const { schedule, ...config } = options;
  return definePlugin<SharpnessConfig, SharpnessService>({
    name: 'sharpness',
    configSchema: schema,
    config,
    schedule: schedule ?? defaultMeasurementSchedule(),
    needs: ['probe'],
    provides: Sharpness,
    setup(ctx) {
      const c = ctx.config;
      if (!ctx.probe) throw new Error('plugin "sharpness": no probe batch; pass probe: { model, x, y } to instrument()');
      let layout: FlatLayoutEntry[] | undefined;
      let attributes: Attributes | undefined;
      let last: SharpnessSnapshot | undefined;
      const measure = (step: Pick<TrainEndContext, 'iteration' | 'probe' | 'emit'>, final: boolean): void => {
        const probe = step.probe!;
        // Resolved on first use: the model may be compiled after instrument(); a bad probe fails here, named.
        const loss = probe.lossInfo();
        attributes ??= { loss: loss.name, lossSource: loss.source };
        layout ??= flatLayout(probe.variables);
        const n = probe.size;
        const previous = last && c.warmStart ? [...last.eigenvectors, ...(last.minEigenvector ? [last.minEigenvector] : [])] : [];
        const r = analyzeCurvature(probe, {
          topK: Math.min(c.topK, n),
          minEigenvalue: c.minEigenvalue === true || (c.minEigenvalue === 'final' && final),
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
          loss: loss.name,
        };
        const a = { attributes };
        step.emit('lambda_max', r.eigenvalues[0]!, a);
        step.emit('lambda_max_residual', r.residuals[0]!, a);
        step.emit('top_eigenvalues', {
          kind: 'vector',
          values: r.eigenvalues,
          labels: r.eigenvalues.map((_, i) => `lambda_${i + 1}`),
        }, a);
        if (r.minEigenvalue !== null) step.emit('lambda_min', r.minEigenvalue, a);
        if (r.trace) step.emit('trace', r.trace.estimate, { uncertainty: { stderr: r.trace.stderr }, attributes });
        if (r.density) step.emit('density', densityHistogram(r.density.grid, r.density.values, n), a);
        step.emit('hvp_count', r.hvpCount, a);
      };
      return {
        service: { latest: () => last },
        onStep: (step) => measure(step, false),
        onTrainEnd: (end) => {
          // With λ_min 'final', a measurement at the last step lacks it: the end measures again (warm-started, so the
          // top eigenpairs converge at once), and its events follow the step's at the same iteration.
          if (!end.ranAtStep || (c.minEigenvalue === 'final' && last?.minEigenvalue === undefined)) measure(end, true);
        },
      };
    },
  });
}
