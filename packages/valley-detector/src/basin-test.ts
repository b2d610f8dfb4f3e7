/**
 * Which minimum a point drains to: a gradient-flow quench (plain gradient descent with a small step, for a bounded
 * number of steps or until the gradient is small) from each point, and the distance between where the two quenches
 * end. Two points whose quenches end apart lie in different valleys; the quench removes the thermal spread that makes
 * raw parameters of one valley differ. Generic over a gradient callback, so it works on an analytic landscape, a
 * probe loss or any flat parameter vector.
 */

/** ∇L at θ, as a vector of θ's length. May return a reused buffer: it is read before the next call. */
export type GradientFn = (theta: Float32Array) => Float32Array;

export interface QuenchOptions {
  /** Gradient-descent step h > 0; stable for h < 2/λ_max (h = 1/λ_max removes the sharpest direction fastest). */
  readonly stepSize: number;
  /** At most this many gradient evaluations (default 100): the quench's whole cost. */
  readonly maxSteps?: number;
  /** Stop once ‖∇L‖ < gradTol (default 1e-5). */
  readonly gradTol?: number;
}

export interface Quench {
  /** Where the descent ended. */
  readonly minimum: Float32Array;
  /** Gradient evaluations made (≤ maxSteps + 1: the last one checks the end point). */
  readonly steps: number;
  /** ‖∇L‖ at `minimum`. */
  readonly gradNorm: number;
  /** Whether ‖∇L‖ fell below gradTol within the budget. */
  readonly converged: boolean;
}

export interface BasinTestOptions extends QuenchOptions {
  /** Quenched points farther apart than this (Euclidean) are in different minima. */
  readonly tolerance: number;
}

/** The reference: a point to quench, or a quench already done (so a fixed anchor is quenched once). */
export type BasinReference = { readonly start: Float32Array } | { readonly quenched: Quench };

export interface BasinTest {
  /** The two quenches end more than `tolerance` apart. */
  readonly separated: boolean;
  /** ‖q(current) − q(reference)‖. */
  readonly distance: number;
  readonly reference: Quench;
  readonly current: Quench;
}

export const QUENCH_DEFAULTS = { maxSteps: 100, gradTol: 1e-5 } as const;

/** Gradient descent θ ← θ − h∇L(θ) from `start` (a discretised gradient flow dθ/dt = −∇L, derived). */
export function quench(gradient: GradientFn, start: Float32Array, options: QuenchOptions): Quench {
  const where = 'quench';
  if (typeof gradient !== 'function') throw new Error(`${where}: gradient must be a function (theta: Float32Array) => Float32Array`);
  if (!(start instanceof Float32Array) || start.length === 0) throw new Error(`${where}: start must be a non-empty Float32Array (flat parameters)`);
  const { stepSize, maxSteps, gradTol } = checkQuenchOptions(where, options);
  const theta = Float32Array.from(start);
  let steps = 0;
  for (;;) {
    const g = gradient(theta);
    steps++;
    if (g.length !== theta.length) throw new Error(`${where}: gradient returned ${g.length} entries for ${theta.length} parameters; return ∇L at theta`);
    let sq = 0;
    for (let i = 0; i < g.length; i++) sq += g[i]! * g[i]!;
    const norm = Math.sqrt(sq);
    if (!Number.isFinite(norm)) throw new Error(`${where}: the gradient is not finite after ${steps - 1} steps; use a smaller stepSize (< 2/λ_max)`);
    if (norm < gradTol || steps > maxSteps) return { minimum: theta, steps, gradNorm: norm, converged: norm < gradTol };
    for (let i = 0; i < theta.length; i++) theta[i] = theta[i]! - stepSize * g[i]!;
  }
}

/** Quenches `current` (and the reference unless it is already quenched) and compares where they end. */
export function basinTest(gradient: GradientFn, reference: BasinReference, current: Float32Array, options: BasinTestOptions): BasinTest {
  const where = 'basinTest';
  if (!(typeof options?.tolerance === 'number' && options.tolerance > 0 && Number.isFinite(options.tolerance))) {
    throw new Error(`${where}: tolerance must be a finite number > 0 (the distance between quenched points that counts as another minimum), got ${String(options?.tolerance)}`);
  }
  const ref = 'quenched' in reference ? reference.quenched : quench(gradient, reference.start, options);
  const now = quench(gradient, current, options);
  if (ref.minimum.length !== now.minimum.length) {
    throw new Error(`${where}: reference has ${ref.minimum.length} parameters but current has ${now.minimum.length}; compare points of one model`);
  }
  let sq = 0;
  for (let i = 0; i < now.minimum.length; i++) sq += (now.minimum[i]! - ref.minimum[i]!) ** 2;
  const distance = Math.sqrt(sq);
  return { separated: distance > options.tolerance, distance, reference: ref, current: now };
}

function checkQuenchOptions(where: string, options: QuenchOptions): Required<QuenchOptions> {
  if (options === null || typeof options !== 'object') throw new Error(`${where}: pass options { stepSize, maxSteps?, gradTol? }`);
  const { stepSize } = options;
  const maxSteps = options.maxSteps ?? QUENCH_DEFAULTS.maxSteps;
  const gradTol = options.gradTol ?? QUENCH_DEFAULTS.gradTol;
  if (!(typeof stepSize === 'number' && stepSize > 0 && Number.isFinite(stepSize))) {
    throw new Error(`${where}: stepSize must be a finite number > 0 (e.g. 1/λ_max), got ${String(stepSize)}`);
  }
  if (!(Number.isInteger(maxSteps) && maxSteps >= 0)) throw new Error(`${where}: maxSteps must be an integer ≥ 0 (the gradient budget), got ${String(maxSteps)}`);
  if (!(typeof gradTol === 'number' && gradTol >= 0)) throw new Error(`${where}: gradTol must be a number ≥ 0, got ${String(gradTol)}`);
  return { stepSize, maxSteps, gradTol };
}
