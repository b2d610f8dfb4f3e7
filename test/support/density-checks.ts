/**
 * A spectral density estimated by stochastic Lanczos quadrature, judged against the exact spectrum of the matrix it
 * was computed from, as z-scores whose standard deviations are closed forms in that matrix.
 *
 * With R Rademacher probes z, each probe's Gauss rule integrates polynomials of degree < 2m exactly, so the density's
 * k-th moment (k = 1, 2) is the mean over probes of zᵀAᵏz/n, whose expectation is tr(Aᵏ)/n and whose variance is
 * 2(‖Aᵏ‖_F² − Σ (Aᵏ)_ii²)/(n²R). The Gaussian kernels add their variance σ² to the second moment; σ is at most the
 * grid step. The mass above (or below) a cut that lies in a wide gap of the spectrum is, once the Ritz values beyond
 * the gap have converged, the mean of ‖P z‖²/n for the projector P on the eigenvectors beyond it: expectation
 * |S|/n, variance 2(|S| − Σ P_ii²)/(n²R).
 */
import { jacobiEigen, matrixMoments, rademacherVariance, square } from './float64-mlp.js';

export interface DensityOnGrid {
  readonly grid: readonly number[] | Float64Array;
  readonly values: readonly number[] | Float64Array;
}

export interface DensityVerdict {
  /** (∫λρ − tr(A)/n) / sd. */
  readonly mean: number;
  /** (∫λ²ρ − tr(A²)/n) / sd, after allowing the kernel's σ² ≤ step². */
  readonly secondMoment: number;
  /** Per cut: the density's mass beyond it, the exact fraction of eigenvalues there, and the z-score. */
  readonly groups: ReadonlyArray<{ readonly cut: number; readonly mass: number; readonly fraction: number; readonly z: number }>;
}

/**
 * `cuts`: points in gaps of the spectrum; a positive-side cut counts the mass above it, `{ below }` the mass below.
 * `a` is the symmetric n × n matrix the density was estimated from, `runs` the number of probes.
 */
export function judgeDensity(
  density: DensityOnGrid,
  a: Float64Array,
  n: number,
  runs: number,
  cuts: ReadonlyArray<{ readonly above: number } | { readonly below: number }>,
): DensityVerdict {
  const { grid, values } = density;
  const step = grid[1]! - grid[0]!;
  let m1 = 0;
  let m2 = 0;
  for (let j = 0; j < grid.length; j++) {
    m1 += grid[j]! * values[j]! * step;
    m2 += grid[j]! ** 2 * values[j]! * step;
  }
  const a2 = square(a, n);
  const sd1 = Math.sqrt(rademacherVariance(a, n) / runs) / n;
  const sd2 = Math.sqrt(rademacherVariance(a2, n) / runs) / n;
  const excess = m2 - matrixMoments(a2, n).trace / n;
  const { values: eigs, vectors } = jacobiEigen(a, n, { vectors: true });
  const groups = cuts.map((c) => {
    const inside = (x: number): boolean => ('above' in c ? x > c.above : x < c.below);
    const cut = 'above' in c ? c.above : c.below;
    let mass = 0;
    for (let j = 0; j < grid.length; j++) if (inside(grid[j]!)) mass += values[j]! * step;
    const members = vectors.filter((_, i) => inside(eigs[i]!));
    const nearest = Math.min(...Array.from(eigs, (x) => Math.abs(x - cut)));
    // beyond three kernel widths (σ ≤ step) a kernel puts < 0.2 % of its mass across the cut
    if (nearest < 3 * step) throw new Error(`judgeDensity: cut ${cut} is within 3 grid steps of an eigenvalue; put it in a gap`);
    let diagonal2 = 0;
    for (let i = 0; i < n; i++) diagonal2 += members.reduce((s, u) => s + u[i]! ** 2, 0) ** 2;
    const sd = Math.sqrt((2 * (members.length - diagonal2)) / runs) / n;
    const fraction = members.length / n;
    return { cut, mass, fraction, z: (mass - fraction) / sd };
  });
  return {
    mean: (m1 - matrixMoments(a, n).trace / n) / sd1,
    secondMoment: (excess > 0 ? Math.max(0, excess - step * step) : excess) / sd2,
    groups,
  };
}

export function describeVerdict(v: DensityVerdict): string {
  const groups = v.groups.map((g) => `mass beyond ${g.cut.toPrecision(3)} ${g.mass.toFixed(4)} (fraction ${g.fraction.toFixed(4)}, z ${g.z.toFixed(2)})`);
  return [`mean z ${v.mean.toFixed(2)}, second moment z ${v.secondMoment.toFixed(2)}`, ...groups].join('; ');
}

/** Every z-score of the verdict, for one `expect` over all of them. */
export const verdictScores = (v: DensityVerdict): number[] => [v.mean, v.secondMoment, ...v.groups.map((g) => g.z)];
