import type { ProbeContext } from '@kramers/core';
import { analyzeCurvature, CURVATURE_DEFAULTS } from '@kramers/hvp-estimator';
import { FULL_HESSIAN_MAX_SIZE, fullHessianEigen } from '@kramers/sgn-collector';
import { CliError } from '../cli-error.js';
import type { TopK } from './top-k-flag.js';

/** The Hessian eigenpairs the noise is measured along, and how they were found. */
export interface HessianDirections {
  /** `lanczos`: the top k by Lanczos; `all`: every eigenpair from H built column by column (n HVPs) and a dense solver. */
  readonly source: 'lanczos' | 'all';
  /** λ_k, descending. */
  readonly eigenvalues: readonly number[];
  /** Unit u_k, flat in the probe's variable order. */
  readonly eigenvectors: readonly Float64Array[];
  /** Lanczos's Ritz residuals (an eigenvalue of H lies this close to λ_k); null for the dense solver, exact to rounding. */
  readonly residuals: readonly (number | null)[];
  /** Every wanted Ritz pair met the tolerance (always true for `all`). */
  readonly converged: boolean;
}

/**
 * `--top-k k` (Lanczos with curvature's defaults) or `--top-k all` (`fullHessianEigen`, refused above its size cap
 * with the flag that works instead). Both refusals are usage errors: the user picks another k.
 */
export function hessianDirections(probe: ProbeContext, topK: TopK, seed: number): HessianDirections {
  const n = probe.size;
  if (topK === 'all') {
    if (n > FULL_HESSIAN_MAX_SIZE) {
      throw new CliError(
        `--top-k all needs every Hessian eigenpair (n HVPs, an n × n matrix and a dense eigensolver), which kramers does up to ` +
          `${FULL_HESSIAN_MAX_SIZE} parameters; this model has ${n}: use --top-k K for the K largest (Lanczos), e.g. --top-k 20`,
      );
    }
    const e = fullHessianEigen(probe);
    return { source: 'all', eigenvalues: e.eigenvalues, eigenvectors: e.eigenvectors, residuals: e.eigenvalues.map(() => null), converged: true };
  }
  if (topK > n) throw new CliError(`--top-k ${topK} is more than the model has parameters (${n}); use at most ${n}, or --top-k all`);
  const r = analyzeCurvature(probe, { topK, eigenvectors: true, gradient: false, minEigenvalue: false, seed, tol: CURVATURE_DEFAULTS.tol });
  return { source: 'lanczos', eigenvalues: r.eigenvalues, eigenvectors: r.eigenvectors!, residuals: r.residuals, converged: r.converged };
}
