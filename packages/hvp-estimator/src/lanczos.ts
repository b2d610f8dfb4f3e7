/**
 * Lanczos with full reorthogonalisation for extreme eigenpairs of a symmetric operator (docs/theory.md §8.4;
 * Lanczos 1950, Paige 1972, Parlett "The Symmetric Eigenvalue Problem" ch. 13). Every new basis vector is
 * orthogonalised against all previous ones by classical Gram–Schmidt, with a second pass when the first cancels
 * (DGKS, as ARPACK), so T = QᵀHQ is accurate to rounding, no ghost eigenvalues appear, and the Ritz residual
 * estimate ‖Hy − μy‖ = |β_m s_{m,i}| equals the true residual.
 * Memory m·n doubles for the basis Q.
 */
import { createRng, type Rng } from '@kramers/core';
import { assertOperator, countingOperator, type CountingOperator, type SymmetricOperator } from './operator.js';
import { tridiagonalEigen, tridiagonalEigenComponents } from './tridiagonal-eigen.js';
import { axpy, dot, gaussianVector, norm, orthogonalizeTwice, reorthogonalize, scaleInPlace } from './vector.js';

/** Which end of the spectrum: 'LA' largest algebraic, 'SA' smallest algebraic, 'both' k at the top and `bottomK` at the bottom. */
export type LanczosWhich = 'LA' | 'SA' | 'both';

export interface LanczosOptions {
  /** Eigenpairs wanted at each requested end (default 1). */
  readonly k?: number;
  readonly which?: LanczosWhich;
  /**
   * With which 'both': pairs wanted at the bottom (default k). `{ k: 5, which: 'both', bottomK: 1 }` is top-5 and
   * λ_min from one Krylov space, cheaper than two runs because both ends converge in the same steps.
   */
  readonly bottomK?: number;
  /**
   * Relative Ritz-residual tolerance (default 1e-3): stop when ‖Hy_i − μ_i y_i‖ ≤ tol·max(|μ_i|, 1e-3·max|μ|) for
   * every wanted pair. Bounds for a symmetric H (Parlett ch. 11): some eigenvalue lies within r of μ (so the
   * relative eigenvalue error is ≤ tol always), and within r²/gap when μ is separated by `gap` from the rest of the
   * spectrum; the eigenvector angle is ≤ r/gap. With tol 1e-3 the eigenvalue error is therefore ≤ 1e-3 always and
   * ≤ 1e-6·|μ|/gap, i.e. ≤ 1e-4 relative once the relative gap exceeds 1%. See `errorBounds` in the result.
   */
  readonly tol?: number;
  /** Maximum Lanczos steps = HVPs (default min(n, max(2·wanted + 20, 40)), wanted = k, or k + bottomK for 'both'). */
  readonly maxIter?: number;
  /** Seed for the random start (and restart) vectors (default 0). Ignored for the start if `start` is given. */
  readonly seed?: number;
  /** Start vector (need not be normalised). Mutually exclusive with `warmStart`. */
  readonly start?: Float64Array;
  /**
   * Previous eigenvectors (e.g. from the last training step). The start vector becomes their normalised sum plus a
   * random part of relative norm `warmStartNoise`: the Krylov space then contains (nearly) all of them after
   * about as many steps as there are vectors, and the random part keeps eigenvectors that were not among them
   * reachable.
   */
  readonly warmStart?: readonly Float64Array[];
  /** Norm of the random part of a warm start relative to the (unit) combination of previous vectors (default 0.3). */
  readonly warmStartNoise?: number;
  /** Compute Ritz vectors (default true). Without them the basis is still kept for reorthogonalisation. */
  readonly eigenvectors?: boolean;
}

export interface LanczosResult {
  readonly which: LanczosWhich;
  /** Wanted Ritz values: descending for 'LA' and 'both' (top k, then bottom bottomK), ascending for 'SA'. */
  readonly eigenvalues: Float64Array;
  /** Unit Ritz vectors matching `eigenvalues` (empty if `eigenvectors: false`). */
  readonly eigenvectors: Float64Array[];
  /** Ritz residual norms ‖Hy − μy‖ = |β_m s_{m,i}|. */
  readonly residuals: Float64Array;
  /** Estimated eigenvalue error bounds min(r, r²/gap), gap = distance to the nearest other Ritz value (Parlett 11.7). */
  readonly errorBounds: Float64Array;
  /** Lanczos steps taken (= size of T). */
  readonly iterations: number;
  /** Operator applications used (one per step). */
  readonly hvpCount: number;
  /**
   * All wanted residuals met the tolerance (always true when the whole space was spanned, iterations = n). Like any
   * single-vector Krylov method, Lanczos sees one copy of a repeated eigenvalue per start vector, so exact
   * multiplicities are only found through restarts.
   */
  readonly converged: boolean;
  /** Random restarts after an invariant subspace was found (β ≈ 0). */
  readonly restarts: number;
  /** T = tridiag(beta, alpha, beta); beta[m−1] is the final residual norm β_m (not part of T). */
  readonly tridiagonal: { readonly alpha: Float64Array; readonly beta: Float64Array };
}

/** β below this fraction of ‖T‖ means an invariant subspace (anything smaller is rounding noise of H·q). */
const BREAKDOWN_FRACTION = 1e-12;
/** Eigenvalues below this fraction of max|μ| are judged against it, or an exact zero eigenvalue never converges. */
const SMALL_EIGENVALUE_FRACTION = 1e-3;

export function defaultLanczosMaxIter(n: number, wanted: number): number {
  return Math.min(n, Math.max(2 * wanted + 20, 40));
}

/** Top-k / bottom-k eigenpairs of `operator` by Lanczos with full reorthogonalisation. */
export function lanczos(operator: SymmetricOperator, options: LanczosOptions = {}): LanczosResult {
  assertOperator(operator, 'lanczos');
  const n = operator.size;
  const k = options.k ?? 1;
  const which = options.which ?? 'LA';
  const tol = options.tol ?? 1e-3;
  if (!Number.isInteger(k) || k < 1 || k > n) {
    throw new RangeError(`lanczos: k must be an integer in [1, n = ${n}], got ${String(k)}`);
  }
  if (which !== 'LA' && which !== 'SA' && which !== 'both') {
    throw new RangeError(`lanczos: which must be 'LA', 'SA' or 'both', got ${String(which)}`);
  }
  if (!(tol > 0)) throw new RangeError(`lanczos: tol must be > 0, got ${String(tol)}`);
  if (options.bottomK !== undefined && which !== 'both') {
    throw new RangeError(`lanczos: bottomK applies to which: 'both' only (got which: '${which}'); use k with 'SA'`);
  }
  const bottomK = options.bottomK ?? k;
  if (!Number.isInteger(bottomK) || bottomK < 1 || bottomK > n) {
    throw new RangeError(`lanczos: bottomK must be an integer in [1, n = ${n}], got ${String(bottomK)}`);
  }
  const wanted = which === 'both' ? Math.min(n, k + bottomK) : k;
  const maxIter = options.maxIter ?? defaultLanczosMaxIter(n, wanted);
  if (!Number.isInteger(maxIter) || maxIter < wanted || maxIter > n) {
    throw new RangeError(
      `lanczos: maxIter must be an integer in [${wanted}, n = ${n}] (at least the number of wanted pairs), got ${String(maxIter)}`,
    );
  }
  const rng = createRng(options.seed ?? 0);
  const q0 = startVector(n, rng, options);
  const op = countingOperator(operator);

  // After a restart the new Krylov block has to run for `wanted` steps before we may stop, so that copies of
  // repeated eigenvalues (which one start vector cannot see) get a chance to enter the wanted set.
  let checkFrom = wanted;
  const residualsMet = (alpha: ArrayLike<number>, beta: ArrayLike<number>, steps: number): boolean => {
    const { values, components } = tridiagonalEigenComponents(alpha, beta, [steps - 1]);
    const last = components[0]!;
    const b = beta[steps - 1]!;
    const scale = SMALL_EIGENVALUE_FRACTION * Math.max(Math.abs(values[0]!), Math.abs(values[values.length - 1]!));
    return wantedIndices(values.length, k, which, bottomK).every(
      (i) => Math.abs(b * last[i]!) <= tol * Math.max(Math.abs(values[i]!), scale),
    );
  };
  const run = runLanczos(op, q0, {
    maxSteps: maxIter,
    onBreakdown: 'restart',
    rng,
    afterStep(alpha, beta, steps, restarted) {
      if (restarted) {
        checkFrom = Math.min(n, steps + wanted);
        return false;
      }
      return steps >= checkFrom && residualsMet(alpha, beta, steps);
    },
  });

  const m = run.alpha.length;
  // with the whole space spanned T is H in the Lanczos basis and every Ritz pair is exact
  const converged = m === n || residualsMet(run.alpha, run.beta, m);
  const alpha = Float64Array.from(run.alpha);
  const beta = Float64Array.from(run.beta);
  const wantVectors = options.eigenvectors ?? true;
  const eig = wantVectors ? tridiagonalEigen(alpha, beta) : null;
  const { values, components } = tridiagonalEigenComponents(alpha, beta, [m - 1]);
  const idx = wantedIndices(m, k, which, bottomK);
  const bLast = beta[m - 1]!;
  const eigenvalues = Float64Array.from(idx, (i) => values[i]!);
  const residuals = Float64Array.from(idx, (i) => Math.abs(bLast * components[0]![i]!));
  const errorBounds = Float64Array.from(idx, (i, j) => {
    let gap = Infinity;
    if (i > 0) gap = Math.min(gap, values[i]! - values[i - 1]!);
    if (i < m - 1) gap = Math.min(gap, values[i + 1]! - values[i]!);
    const r = residuals[j]!;
    return gap > 0 ? Math.min(r, (r * r) / gap) : r;
  });
  const eigenvectors = eig ? idx.map((i) => combine(run.basis, eig.vectors[i]!)) : [];
  return {
    which,
    eigenvalues,
    eigenvectors,
    residuals,
    errorBounds,
    iterations: m,
    hvpCount: op.count,
    converged,
    restarts: run.restarts,
    tridiagonal: { alpha, beta },
  };
}

export interface LanczosTridiagonal {
  /** Diagonal of T (length m). */
  readonly alpha: Float64Array;
  /** Off-diagonal of T followed by the final residual norm β_m (length m). */
  readonly beta: Float64Array;
  /** Orthonormal Lanczos basis q_1..q_m. */
  readonly basis: Float64Array[];
  /** True if the run stopped early at an invariant subspace (then T is exact for this start vector). */
  readonly invariant: boolean;
  readonly hvpCount: number;
}

/**
 * `steps` Lanczos steps (full reorthogonalisation) from `start`, stopping early at an invariant subspace instead of
 * restarting: the building block of stochastic Lanczos quadrature, where T's spectrum with first-component weights
 * is the Gauss quadrature rule of the start vector's spectral measure (Golub & Meurant 2010).
 */
export function lanczosTridiagonal(operator: SymmetricOperator, start: Float64Array, steps: number): LanczosTridiagonal {
  assertOperator(operator, 'lanczosTridiagonal');
  const n = operator.size;
  if (start.length !== n) {
    throw new RangeError(`lanczosTridiagonal: start has length ${start.length}, operator size is ${n}`);
  }
  if (!Number.isInteger(steps) || steps < 1 || steps > n) {
    throw new RangeError(`lanczosTridiagonal: steps must be an integer in [1, n = ${n}], got ${String(steps)}`);
  }
  const q0 = Float64Array.from(start);
  const s = norm(q0);
  if (!(s > 0) || !Number.isFinite(s)) throw new RangeError('lanczosTridiagonal: start vector must be non-zero and finite');
  scaleInPlace(1 / s, q0);
  const op = countingOperator(operator);
  const run = runLanczos(op, q0, { maxSteps: steps, onBreakdown: 'stop', rng: createRng(0), afterStep: () => false });
  return {
    alpha: Float64Array.from(run.alpha),
    beta: Float64Array.from(run.beta),
    basis: run.basis,
    invariant: run.stoppedAtInvariant,
    hvpCount: op.count,
  };
}

/** Indices (into ascending Ritz values of length m) of the wanted pairs, in result order. */
function wantedIndices(m: number, k: number, which: LanczosWhich, bottomK: number): number[] {
  const top = Array.from({ length: Math.min(k, m) }, (_, i) => m - 1 - i);
  const bottom = Array.from({ length: Math.min(which === 'both' ? bottomK : k, m) }, (_, i) => i);
  if (which === 'LA') return top;
  if (which === 'SA') return bottom;
  const bottomDesc = bottom.filter((i) => !top.includes(i)).reverse();
  return [...top, ...bottomDesc];
}

function startVector(n: number, rng: Rng, options: LanczosOptions): Float64Array {
  if (options.start && options.warmStart) {
    throw new RangeError('lanczos: pass either start or warmStart, not both');
  }
  let v: Float64Array;
  if (options.start) {
    if (options.start.length !== n) {
      throw new RangeError(`lanczos: start has length ${options.start.length}, operator size is ${n}`);
    }
    v = Float64Array.from(options.start);
  } else if (options.warmStart && options.warmStart.length > 0) {
    const noise = options.warmStartNoise ?? 0.3;
    if (!(noise >= 0) || !Number.isFinite(noise)) {
      throw new RangeError(`lanczos: warmStartNoise must be a finite number ≥ 0, got ${String(noise)}`);
    }
    v = new Float64Array(n);
    options.warmStart.forEach((y, i) => {
      if (y.length !== n) throw new RangeError(`lanczos: warmStart[${i}] has length ${y.length}, operator size is ${n}`);
      const s = norm(y);
      if (s > 0 && Number.isFinite(s)) axpy(1 / s, y, v);
    });
    const s = norm(v);
    if (s > 0) scaleInPlace(1 / s, v);
    const g = gaussianVector(n, () => rng.normal());
    // with no usable previous vectors the start is purely random
    axpy((s > 0 ? noise : 1) / norm(g), g, v);
  } else {
    v = gaussianVector(n, () => rng.normal());
  }
  const s = norm(v);
  if (!(s > 0) || !Number.isFinite(s)) throw new RangeError('lanczos: start vector must be non-zero and finite');
  scaleInPlace(1 / s, v);
  return v;
}

interface RunOptions {
  readonly maxSteps: number;
  readonly onBreakdown: 'restart' | 'stop';
  readonly rng: Rng;
  /** Called after each step with the current T (beta has `steps` entries, the last is β_m); true stops the run. */
  afterStep(alpha: number[], beta: number[], steps: number, restarted: boolean): boolean;
}

interface RunResult {
  basis: Float64Array[];
  alpha: number[];
  beta: number[];
  restarts: number;
  stoppedAtInvariant: boolean;
}

function runLanczos(op: CountingOperator, q0: Float64Array, opts: RunOptions): RunResult {
  const n = op.size;
  const basis: Float64Array[] = [q0];
  const alpha: number[] = [];
  const beta: number[] = [];
  let restarts = 0;
  let normEstimate = 0;
  for (let j = 0; ; j++) {
    const q = basis[j]!;
    const w = op.apply(q);
    const a = dot(q, w);
    // three-term recurrence, then full reorthogonalisation against every previous q (Paige's loss of orthogonality
    // otherwise creates spurious copies of converged Ritz values)
    axpy(-a, q, w);
    if (j > 0) axpy(-beta[j - 1]!, basis[j - 1]!, w);
    reorthogonalize(w, basis);
    let b = norm(w);
    if (!Number.isFinite(a) || !Number.isFinite(b)) {
      throw new Error(`lanczos: operator returned a non-finite value at step ${j + 1} (α = ${a}, β = ${b})`);
    }
    alpha.push(a);
    normEstimate = Math.max(normEstimate, Math.abs(a) + b + (j > 0 ? beta[j - 1]! : 0));
    const invariant = b <= BREAKDOWN_FRACTION * normEstimate;
    if (invariant) b = 0;
    beta.push(b);
    const steps = j + 1;
    if (steps === n) return { basis, alpha, beta, restarts, stoppedAtInvariant: invariant };
    if (invariant && opts.onBreakdown === 'stop') return { basis, alpha, beta, restarts, stoppedAtInvariant: true };
    if (!invariant && opts.afterStep(alpha, beta, steps, false)) {
      return { basis, alpha, beta, restarts, stoppedAtInvariant: false };
    }
    if (steps === opts.maxSteps) return { basis, alpha, beta, restarts, stoppedAtInvariant: invariant };
    if (invariant) {
      // The Krylov space is H-invariant; continue from a random vector orthogonal to it (T gets a zero β: block
      // diagonal), which can find eigenvalues the start vector had no component along.
      let r: Float64Array;
      let s: number;
      do {
        r = gaussianVector(n, () => opts.rng.normal());
        orthogonalizeTwice(r, basis);
        s = norm(r);
      } while (!(s > 1e-8));
      scaleInPlace(1 / s, r);
      basis.push(r);
      restarts++;
      opts.afterStep(alpha, beta, steps, true);
    } else {
      scaleInPlace(1 / b, w);
      basis.push(w);
    }
  }
}

/** Σ_j c_j q_j: a Ritz vector from the Lanczos basis and an eigenvector of T. */
function combine(basis: readonly Float64Array[], coefficients: Float64Array): Float64Array {
  const out = new Float64Array(basis[0]!.length);
  coefficients.forEach((c, j) => axpy(c, basis[j]!, out));
  return out;
}
