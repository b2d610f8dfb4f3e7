/**
 * PyHessian's top-n eigenvalue routine (`amirgholami/PyHessian` `pyhessian/hessian.py` `hessian.eigenvalues`,
 * docs/theory.md §8.1), re-implemented step for step as the baseline Lanczos is compared against: power iteration with
 * deflation by orthogonalisation, a relative-change stopping rule, and the previous estimate returned on stopping. It
 * converges to the largest-|λ| eigenvalue, which can be negative. Low memory (O(top_n·n)), so also a streaming
 * fallback.
 */
import { createRng } from '@kramers/core';
import { assertOperator, countingOperator, type SymmetricOperator } from './operator.js';
import { axpy, dot, gaussianVector, norm } from './vector.js';

export interface PowerIterationOptions {
  /** Number of eigenpairs, found one after another (PyHessian `top_n`, default 1). */
  readonly topN?: number;
  /** Maximum HVPs per eigenpair (PyHessian `maxIter`, default 100). */
  readonly maxIter?: number;
  /** Stop when |λ_prev − λ|/(|λ_prev| + 1e-6) < tol (PyHessian `tol`, default 1e-3). */
  readonly tol?: number;
  /** Seed of the Gaussian start vectors (default 0). */
  readonly seed?: number;
  /** Warm starts: `start[i]` replaces the random start of eigenpair i (e.g. last step's eigenvector). */
  readonly start?: readonly Float64Array[];
}

export interface PowerIterationResult {
  /** In the order found (decreasing |λ| when each run converged). */
  readonly eigenvalues: Float64Array;
  /** Normalised H·v of each run's last step (norm s/(s + 1e-6), as in PyHessian). */
  readonly eigenvectors: Float64Array[];
  /** HVPs spent on each eigenpair. */
  readonly iterations: number[];
  /** Whether each eigenpair met the relative-change rule before maxIter. */
  readonly converged: boolean[];
  readonly hvpCount: number;
}

/** PyHessian `utils.normalization`: v/(‖v‖ + 1e-6). */
function normalization(v: Float64Array): Float64Array {
  const s = norm(v) + 1e-6;
  return v.map((x) => x / s);
}

/** PyHessian `utils.orthnormal`: one classical Gram–Schmidt pass against the found vectors, then normalization. */
function orthnormal(w: Float64Array, found: readonly Float64Array[]): Float64Array {
  const out = Float64Array.from(w);
  for (const v of found) axpy(-dot(out, v), v, out);
  return normalization(out);
}

export function powerIteration(operator: SymmetricOperator, options: PowerIterationOptions = {}): PowerIterationResult {
  assertOperator(operator, 'powerIteration');
  const n = operator.size;
  const topN = options.topN ?? 1;
  const maxIter = options.maxIter ?? 100;
  const tol = options.tol ?? 1e-3;
  if (!Number.isInteger(topN) || topN < 1 || topN > n) {
    throw new RangeError(`powerIteration: topN must be an integer in [1, n = ${n}], got ${String(topN)}`);
  }
  if (!Number.isInteger(maxIter) || maxIter < 1) {
    throw new RangeError(`powerIteration: maxIter must be a positive integer, got ${String(maxIter)}`);
  }
  if (!(tol > 0)) throw new RangeError(`powerIteration: tol must be > 0, got ${String(tol)}`);
  options.start?.forEach((s, i) => {
    if (s.length !== n) throw new RangeError(`powerIteration: start[${i}] has length ${s.length}, operator size is ${n}`);
  });
  const rng = createRng(options.seed ?? 0);
  const op = countingOperator(operator);
  const eigenvalues: number[] = [];
  const eigenvectors: Float64Array[] = [];
  const iterations: number[] = [];
  const converged: boolean[] = [];

  while (eigenvalues.length < topN) {
    const before = op.count;
    let eigenvalue: number | undefined;
    let done = false;
    const warm = options.start?.[eigenvalues.length];
    let v = normalization(warm ? Float64Array.from(warm) : gaussianVector(n, () => rng.normal()));
    for (let i = 0; i < maxIter; i++) {
      v = orthnormal(v, eigenvectors);
      const hv = op.apply(v);
      const current = dot(hv, v);
      v = normalization(hv);
      if (eigenvalue === undefined) {
        eigenvalue = current;
      } else if (Math.abs(eigenvalue - current) / (Math.abs(eigenvalue) + 1e-6) < tol) {
        // PyHessian keeps the previous estimate when it stops
        done = true;
        break;
      } else {
        eigenvalue = current;
      }
    }
    eigenvalues.push(eigenvalue!);
    eigenvectors.push(v);
    iterations.push(op.count - before);
    converged.push(done);
  }
  return { eigenvalues: Float64Array.from(eigenvalues), eigenvectors, iterations, converged, hvpCount: op.count };
}
