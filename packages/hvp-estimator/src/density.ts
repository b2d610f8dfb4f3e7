/**
 * Smooth spectral density from SLQ quadrature rules by Gaussian kernels on a grid (PyHessian `density_plot.py`
 * `density_generate`, from `google/spectral-density`; docs/theory.md §8.3): grid from (mean over runs of the smallest
 * node) − padding to (mean of the largest node) + padding, ρ(x) = mean over runs of Σ_k τ_k N(x; μ_k, σ²), normalised
 * to unit area by the rectangle rule Σ ρ·Δ.
 */
import type { QuadratureRule } from './slq.js';

export interface DensityOptions {
  /** Grid points (default 200: small enough to ship in an event; PyHessian uses 10000). */
  readonly bins?: number;
  /**
   * Kernel variance σ² (PyHessian's `sigma_squared` after scaling). Default max(1e-5·max(1, s), (s/(bins − 1))²) with
   * s = λmax − λmin + 0.02: PyHessian's value, but never narrower than one grid step, because a kernel that falls
   * between grid points is lost and the unit-area normalisation then inflates the rest.
   */
  readonly variance?: number;
  /** Grid extension beyond the mean extreme nodes (default max(0.01, 3σ); PyHessian: 0.01). */
  readonly padding?: number;
}

export interface SpectralDensity {
  readonly grid: Float64Array;
  /** Density on the grid, Σ values·Δ = 1. */
  readonly values: Float64Array;
  /** All quadrature nodes pooled over runs. */
  readonly nodes: Float64Array;
  /** Their weights divided by the number of runs (Σ = 1): a discrete estimate of the spectral measure. */
  readonly weights: Float64Array;
  /** Kernel variance σ² used. */
  readonly variance: number;
  readonly padding: number;
}

/**
 * PyHessian's exact settings are `{ bins: 10000, padding: 0.01, variance: 1e-5·max(1, λmax − λmin + 0.02) }` with
 * λmax, λmin the mean extreme nodes.
 */
export function spectralDensity(runs: readonly QuadratureRule[], options: DensityOptions = {}): SpectralDensity {
  if (runs.length === 0) throw new RangeError('spectralDensity: runs must contain at least one quadrature rule');
  runs.forEach((r, i) => {
    if (r.nodes.length === 0 || r.nodes.length !== r.weights.length) {
      throw new RangeError(
        `spectralDensity: runs[${i}] has ${r.nodes.length} nodes and ${r.weights.length} weights; need equal, non-zero counts`,
      );
    }
  });
  const bins = options.bins ?? 200;
  if (!Number.isInteger(bins) || bins < 2) {
    throw new RangeError(`spectralDensity: bins must be an integer ≥ 2, got ${String(bins)}`);
  }
  if (options.variance !== undefined && !(options.variance > 0 && Number.isFinite(options.variance))) {
    throw new RangeError(`spectralDensity: variance must be a finite number > 0, got ${String(options.variance)}`);
  }
  if (options.padding !== undefined && !(options.padding >= 0 && Number.isFinite(options.padding))) {
    throw new RangeError(`spectralDensity: padding must be a finite number ≥ 0, got ${String(options.padding)}`);
  }
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const hi = mean(runs.map((r) => Math.max(...r.nodes)));
  const lo = mean(runs.map((r) => Math.min(...r.nodes)));

  // PyHessian: σ² = 1e-5·max(1, spread of the 0.01-padded grid); never below the squared spacing of that grid
  const pyhessianSpread = hi - lo + 0.02;
  const spacing = pyhessianSpread / (bins - 1);
  const variance = options.variance ?? Math.max(1e-5 * Math.max(1, pyhessianSpread), spacing * spacing);
  // three standard deviations keep the extreme kernels' mass on the grid
  const padding = options.padding ?? Math.max(0.01, 3 * Math.sqrt(variance));
  const start = lo - padding;
  const step = (hi - lo + 2 * padding) / (bins - 1);
  const grid = Float64Array.from({ length: bins }, (_, j) => start + j * step);

  const nodes: number[] = [];
  const weights: number[] = [];
  for (const r of runs) {
    r.nodes.forEach((mu, k) => {
      nodes.push(mu);
      weights.push(r.weights[k]! / runs.length);
    });
  }
  const values = new Float64Array(bins);
  const norm = 1 / Math.sqrt(2 * Math.PI * variance);
  for (let j = 0; j < bins; j++) {
    const x = grid[j]!;
    let s = 0;
    for (let k = 0; k < nodes.length; k++) {
      const d = x - nodes[k]!;
      s += weights[k]! * norm * Math.exp((-d * d) / (2 * variance));
    }
    values[j] = s;
  }
  // unit area by the rectangle rule, as PyHessian
  const area = values.reduce((s, v) => s + v, 0) * step;
  if (area > 0) for (let j = 0; j < bins; j++) values[j]! /= area;
  return {
    grid,
    values,
    nodes: Float64Array.from(nodes),
    weights: Float64Array.from(weights),
    variance,
    padding,
  };
}
