/**
 * Test landscapes with a known Hessian: H = Q diag(λ) Qᵀ with Q a seeded random orthogonal matrix, so every
 * eigenvalue (negative ones included) and eigenvector is known exactly and algorithms can be checked against truth.
 */
import { createRng, type Rng } from '@kramers/core';
import { dot, gaussianVector, orthogonalizeTwice, norm, scaleInPlace } from './vector.js';
import type { SymmetricOperator } from './operator.js';

export interface QuadraticLandscape extends SymmetricOperator {
  /** The prescribed eigenvalues, in the order given. */
  readonly eigenvalues: Float64Array;
  /** Orthonormal eigenvectors: `basis[i]` belongs to `eigenvalues[i]`. */
  readonly basis: readonly Float64Array[];
  /** The dense matrix H (row-major n×n), built on demand. */
  dense(): Float64Array;
  /** Loss ½θᵀHθ, whose Hessian is H everywhere. */
  loss(theta: Float64Array): number;
}

/**
 * Haar-distributed random orthogonal matrix as n orthonormal columns: Gram–Schmidt (twice) of a Gaussian matrix, which
 * is QR with a positive diagonal of R and therefore exactly Haar (Mezzadri 2007, "How to generate random matrices
 * from the classical compact groups", §5). O(n³): fine for test sizes (n ≤ ~1000).
 */
export function randomOrthogonal(n: number, rng: Rng): Float64Array[] {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`randomOrthogonal: n must be a positive integer, got ${n}`);
  const basis: Float64Array[] = [];
  while (basis.length < n) {
    const g = gaussianVector(n, () => rng.normal());
    orthogonalizeTwice(g, basis);
    const s = norm(g);
    if (s < 1e-8) continue; // numerically dependent draw (probability ~0): draw again
    scaleInPlace(1 / s, g);
    basis.push(g);
  }
  return basis;
}

/**
 * H = Σ λ_i q_i q_iᵀ with the given eigenvalues and either a seeded Haar basis or a caller-supplied orthonormal one
 * (reuse a basis to build a slightly perturbed operator with the same eigenvectors).
 */
export function quadraticLandscape(
  eigenvalues: ArrayLike<number>,
  options: { seed?: number; basis?: readonly Float64Array[] } = {},
): QuadraticLandscape {
  const n = eigenvalues.length;
  if (n < 1) throw new RangeError('quadraticLandscape: eigenvalues must be non-empty');
  const lambda = Float64Array.from(eigenvalues);
  lambda.forEach((x, i) => {
    if (!Number.isFinite(x)) throw new RangeError(`quadraticLandscape: eigenvalues[${i}] is ${x}; must be finite`);
  });
  const basis = options.basis ?? randomOrthogonal(n, createRng(options.seed ?? 0));
  if (basis.length !== n || basis.some((q) => q.length !== n)) {
    throw new RangeError(`quadraticLandscape: basis must be ${n} vectors of length ${n} (one per eigenvalue)`);
  }
  const apply = (v: Float64Array): Float64Array => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const c = lambda[i]! * dot(basis[i]!, v);
      if (c === 0) continue;
      const q = basis[i]!;
      for (let j = 0; j < n; j++) out[j]! += c * q[j]!;
    }
    return out;
  };
  return {
    size: n,
    eigenvalues: lambda,
    basis,
    apply,
    dense() {
      const a = new Float64Array(n * n);
      for (let k = 0; k < n; k++) {
        const q = basis[k]!;
        const l = lambda[k]!;
        for (let i = 0; i < n; i++) {
          const li = l * q[i]!;
          for (let j = 0; j < n; j++) a[i * n + j]! += li * q[j]!;
        }
      }
      return a;
    },
    loss(theta) {
      return 0.5 * dot(theta, apply(theta));
    },
  };
}
