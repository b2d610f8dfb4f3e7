/**
 * Every curvature setting's default, in one place: `analyzeCurvature`, the `sharpness` plugin's config schema and the
 * CLI's flags all read them from here, so they cannot disagree.
 */
export const CURVATURE_DEFAULTS = {
  /** Largest eigenvalues wanted. */
  topK: 5,
  /** Also find λ_min from the same Krylov space. */
  minEigenvalue: true,
  /** Lanczos relative Ritz-residual tolerance (see the README's "Lanczos tolerance"). */
  tol: 1e-3,
  /** Seed of the Lanczos start vector; trace and density probes derive theirs from it. */
  seed: 0,
  /** Hutchinson probes for tr(H), one HVP each. */
  traceProbes: 30,
  /** SLQ probes (PyHessian's n_v). */
  densityRuns: 1,
  /** Lanczos steps per SLQ probe, capped at n (PyHessian's iter). */
  densitySteps: 100,
  /** Density grid points. */
  densityBins: 200,
  /**
   * Exact double backprop. 'auto' would fall back to finite differences when double backprop throws, and finite
   * differences are wrong by O(1) across ReLU kinks, so the fallback is something to ask for, not a default.
   */
  hvp: 'double-backprop',
} as const satisfies Record<string, number | boolean | string>;

/**
 * Where the `sharpness` plugin differs, and why: it measures during training within a time budget and must also
 * afford the final parameters' measurement, so by default it measures λ_max alone. The largest eigenvalue of a
 * trained network is an isolated outlier and converges in 3–4 HVPs; the next ones usually sit in the bulk, where
 * resolving them to 1e-3 took 10–40 HVPs (12 on iris, 37 on an abalone-shaped regression), and λ_min, at the bulk's
 * edge, most of a Lanczos run. Ask for `topK: 5` or `minEigenvalue: true` when the escape directions matter.
 */
export const SHARPNESS_DEFAULTS = { ...CURVATURE_DEFAULTS, topK: 1, minEigenvalue: false } as const;

/** JSON Schema properties for these settings (with their defaults), shared by every config that offers them. */
export const curvatureSchemaProperties = {
  topK: { type: 'integer', minimum: 1, default: CURVATURE_DEFAULTS.topK },
  minEigenvalue: { type: 'boolean', default: CURVATURE_DEFAULTS.minEigenvalue },
  tol: { type: 'number', exclusiveMinimum: 0, default: CURVATURE_DEFAULTS.tol },
  maxIter: { type: 'integer', minimum: 1 },
  seed: { type: 'integer', default: CURVATURE_DEFAULTS.seed },
  traceProbes: { type: 'integer', minimum: 2, default: CURVATURE_DEFAULTS.traceProbes },
  densityRuns: { type: 'integer', minimum: 1, default: CURVATURE_DEFAULTS.densityRuns },
  densitySteps: { type: 'integer', minimum: 1, default: CURVATURE_DEFAULTS.densitySteps },
  densityBins: { type: 'integer', minimum: 2, default: CURVATURE_DEFAULTS.densityBins },
  hvp: { type: 'string', enum: ['double-backprop', 'finite-difference', 'auto'], default: CURVATURE_DEFAULTS.hvp },
} as const;
