/**
 * Dense symmetric eigensolver by cyclic Jacobi rotations (Jacobi 1846; rotation formulas as in Rutishauser 1966 /
 * Golub & Van Loan §8.5). O(n³) per sweep and a handful of sweeps, so for n up to a few hundred: Rayleigh–Ritz on
 * small projected matrices, Hutch++'s QᵀHQ, and as an independent reference for the tridiagonal solver in tests.
 * Jacobi is slow but very accurate (small eigenvalues to high relative accuracy for well-scaled matrices).
 */

export interface SymmetricEigenResult {
  /** Eigenvalues in ascending order. */
  readonly values: Float64Array;
  /** Unit eigenvectors; `vectors[i]` belongs to `values[i]`. */
  readonly vectors: Float64Array[];
}

const EPS = 2 ** -52;
const MAX_SWEEPS = 100;

/**
 * Eigen-decomposition of the symmetric n×n matrix `matrix` (row-major). Slight asymmetry (relative ≤ 1e-6, e.g.
 * from float32 HVPs) is removed by symmetrising; larger asymmetry is an error.
 */
export function symmetricEigen(matrix: ArrayLike<number>, n: number): SymmetricEigenResult {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`symmetricEigen: n must be a positive integer, got ${n}`);
  if (matrix.length !== n * n) {
    throw new RangeError(`symmetricEigen: matrix has ${matrix.length} entries, expected n·n = ${n * n} (row-major)`);
  }
  const a = new Float64Array(n * n);
  let maxAbs = 0;
  let maxAsym = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const x = matrix[i * n + j]!;
      if (!Number.isFinite(x)) throw new RangeError(`symmetricEigen: matrix[${i}][${j}] is ${x}; entries must be finite`);
      maxAbs = Math.max(maxAbs, Math.abs(x));
      maxAsym = Math.max(maxAsym, Math.abs(x - matrix[j * n + i]!));
      a[i * n + j] = 0.5 * (x + matrix[j * n + i]!);
    }
  }
  if (maxAsym > 1e-6 * maxAbs) {
    throw new RangeError(
      `symmetricEigen: matrix is not symmetric (max |a_ij − a_ji| = ${maxAsym.toExponential(3)} vs max |a_ij| = ` +
        `${maxAbs.toExponential(3)}); pass a symmetric matrix`,
    );
  }
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;

  let sweep = 0;
  for (; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (apq === 0) continue;
        const app = a[p * n + p]!;
        const aqq = a[q * n + q]!;
        // Skip entries already below rounding relative to their diagonal (Demmel–Veselić relative criterion), or
        // negligible against the whole matrix, so the sweep loop terminates.
        if (Math.abs(apq) <= EPS * Math.sqrt(Math.abs(app * aqq)) || Math.abs(apq) <= 1e-300 + EPS * EPS * maxAbs) {
          a[p * n + q] = 0;
          a[q * n + p] = 0;
          continue;
        }
        rotated = true;
        // tan of the rotation angle that zeroes a_pq, smaller root for stability (Golub & Van Loan Alg. 8.5.1)
        const theta = (aqq - app) / (2 * apq);
        const t =
          Math.abs(theta) > 1e150
            ? 1 / (2 * theta)
            : Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        a[p * n + q] = 0;
        a[q * n + p] = 0;
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
    if (!rotated) break;
  }
  if (sweep === MAX_SWEEPS) {
    throw new Error(`symmetricEigen: Jacobi did not converge in ${MAX_SWEEPS} sweeps (n = ${n}); matrix may hold NaN`);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[i * n + i]! - a[j * n + j]!);
  const values = new Float64Array(n);
  const vectors: Float64Array[] = [];
  order.forEach((col, r) => {
    values[r] = a[col * n + col]!;
    const vec = new Float64Array(n);
    for (let k = 0; k < n; k++) vec[k] = v[k * n + col]!;
    vectors.push(vec);
  });
  return { values, vectors };
}
