/**
 * The abstract symmetric operator every algorithm in this package works on: the Hessian of a tfjs loss (through
 * `hvp.ts`), a dense test matrix, or a quadratic landscape. Algorithms only ever call `apply`, so they can be tested
 * in float64 against closed forms without tfjs.
 */
import { axpy, dot } from './vector.js';

export interface SymmetricOperator {
  /** Dimension n: length of every vector passed to and returned by `apply`. */
  readonly size: number;
  /** H·v. Must not modify `v`; returns a new array of length `size`. */
  apply(v: Float64Array): Float64Array;
}

/** A `SymmetricOperator` that counts its applications (each one is an HVP, the unit of cost). */
export interface CountingOperator extends SymmetricOperator {
  readonly count: number;
}

/** Wraps `op` so that every `apply` increments `count`; also checks vector lengths, so size bugs fail loudly. */
export function countingOperator(op: SymmetricOperator): CountingOperator {
  assertOperator(op, 'countingOperator');
  let count = 0;
  return {
    size: op.size,
    get count() {
      return count;
    },
    apply(v: Float64Array): Float64Array {
      if (v.length !== op.size) {
        throw new RangeError(`operator.apply: vector length ${v.length} does not match operator size ${op.size}`);
      }
      count++;
      const out = op.apply(v);
      if (out.length !== op.size) {
        throw new RangeError(
          `operator.apply returned length ${out.length}, expected ${op.size}; apply must return H·v of the same length`,
        );
      }
      return out;
    },
  };
}

/** H − σI: turns "most negative eigenvalue" into "largest magnitude" for power iteration (docs/theory.md §8.4). */
export function shiftedOperator(op: SymmetricOperator, sigma: number): SymmetricOperator {
  assertOperator(op, 'shiftedOperator');
  if (!Number.isFinite(sigma)) throw new RangeError(`shiftedOperator: sigma must be finite, got ${String(sigma)}`);
  return {
    size: op.size,
    apply(v) {
      const out = op.apply(v);
      for (let i = 0; i < out.length; i++) out[i]! -= sigma * v[i]!;
      return out;
    },
  };
}

/**
 * (I − P)H(I − P) with P = VVᵀ the projector onto orthonormal `vectors`: H with span(V) removed. Since
 * tr(H) = tr(VᵀHV) + tr((I − P)H(I − P)) exactly, Hutchinson on this operator plus the exact tr(VᵀHV) (Σ Ritz values
 * when V are Ritz vectors of one Krylov space) is an unbiased trace estimate whose variance 2‖(I − P)H(I − P)‖_F²
 * excludes the dominant eigenvalues (the Hutch++ idea, Meyer, Musco, Musco & Woodruff 2021).
 */
export function deflatedOperator(op: SymmetricOperator, vectors: readonly Float64Array[]): SymmetricOperator {
  assertOperator(op, 'deflatedOperator');
  const basis = vectors.map((v, i) => {
    if (v.length !== op.size) {
      throw new RangeError(`deflatedOperator: vectors[${i}] has length ${v.length}, operator size is ${op.size}`);
    }
    return Float64Array.from(v);
  });
  basis.forEach((a, i) =>
    basis.forEach((b, j) => {
      if (j < i) return;
      const d = dot(a, b) - (i === j ? 1 : 0);
      if (!(Math.abs(d) <= 1e-8)) {
        throw new RangeError(
          `deflatedOperator: vectors must be orthonormal, but vectors[${i}]·vectors[${j}] is off by ${d.toExponential(2)}`,
        );
      }
    }),
  );
  const project = (v: Float64Array): Float64Array => {
    const out = Float64Array.from(v);
    for (const q of basis) axpy(-dot(q, out), q, out);
    return out;
  };
  return { size: op.size, apply: (v) => project(op.apply(project(v))) };
}

/** A dense symmetric matrix (row-major n×n) as an operator; used by tests and small problems. */
export function denseOperator(matrix: Float64Array, n: number): SymmetricOperator {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`denseOperator: n must be a positive integer, got ${n}`);
  if (matrix.length !== n * n) {
    throw new RangeError(`denseOperator: matrix has ${matrix.length} entries, expected n·n = ${n * n} (row-major)`);
  }
  return {
    size: n,
    apply(v) {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let s = 0;
        const row = i * n;
        for (let j = 0; j < n; j++) s += matrix[row + j]! * v[j]!;
        out[i] = s;
      }
      return out;
    },
  };
}

export function assertOperator(op: SymmetricOperator, where: string): void {
  if (op === null || typeof op !== 'object' || typeof op.apply !== 'function') {
    throw new TypeError(`${where}: operator must be an object with apply(v: Float64Array): Float64Array`);
  }
  if (!Number.isInteger(op.size) || op.size < 1) {
    throw new RangeError(`${where}: operator.size must be a positive integer, got ${String(op.size)}`);
  }
}
