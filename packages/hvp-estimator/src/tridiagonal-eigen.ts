/**
 * Symmetric tridiagonal eigensolver: implicit QL with shifts (EISPACK `tql2`, Bowdler, Martin, Reinsch & Wilkinson
 * 1968; the shift is the eigenvalue of the leading 2×2 block nearest d[l], i.e. Wilkinson's). O(m²) for the
 * eigenvalues plus O(m) per rotation for every eigenvector row that is tracked, so asking only for the first row
 * (Golub–Welsch quadrature weights) or the last row (Lanczos Ritz residuals) costs O(m²) instead of O(m³).
 *
 * T = tridiag(beta, alpha, beta): diagonal alpha[0..m−1], off-diagonal beta[0..m−2] (T[i][i+1] = T[i+1][i] = beta[i]).
 */

export interface TridiagonalEigenResult {
  /** Eigenvalues of T in ascending order. */
  readonly values: Float64Array;
  /** Unit eigenvectors of T (length m each); `vectors[i]` belongs to `values[i]`. */
  readonly vectors: Float64Array[];
}

export interface TridiagonalEigenComponents {
  /** Eigenvalues of T in ascending order. */
  readonly values: Float64Array;
  /** `components[j][i]` = entry `rows[j]` of the unit eigenvector of `values[i]`. */
  readonly components: Float64Array[];
}

const EPS = 2 ** -52;
const MAX_ITER_PER_EIGENVALUE = 60;

/** All eigenvalues and eigenvectors of T. */
export function tridiagonalEigen(alpha: ArrayLike<number>, beta: ArrayLike<number>): TridiagonalEigenResult {
  const m = checkTridiagonal(alpha, beta);
  const rows = Array.from({ length: m }, (_, i) => i);
  const { values, components } = solve(alpha, beta, rows);
  // components[r][i] is row r of eigenvector i; transpose to one array per eigenvector
  const vectors = Array.from({ length: m }, (_, i) => {
    const vec = new Float64Array(m);
    for (let r = 0; r < m; r++) vec[r] = components[r]![i]!;
    return vec;
  });
  return { values, vectors };
}

/** Eigenvalues of T and selected rows of its eigenvector matrix (e.g. [0] for Golub–Welsch, [m−1] for residuals). */
export function tridiagonalEigenComponents(
  alpha: ArrayLike<number>,
  beta: ArrayLike<number>,
  rows: readonly number[],
): TridiagonalEigenComponents {
  const m = checkTridiagonal(alpha, beta);
  for (const r of rows) {
    if (!Number.isInteger(r) || r < 0 || r >= m) {
      throw new RangeError(`tridiagonalEigenComponents: row ${r} is out of range; rows must be integers in [0, ${m})`);
    }
  }
  return solve(alpha, beta, rows);
}

function checkTridiagonal(alpha: ArrayLike<number>, beta: ArrayLike<number>): number {
  const m = alpha.length;
  if (m < 1) throw new RangeError('tridiagonalEigen: alpha (the diagonal) must have at least one entry');
  if (beta.length !== m - 1 && beta.length !== m) {
    throw new RangeError(
      `tridiagonalEigen: beta has ${beta.length} entries for a diagonal of ${m}; pass m − 1 = ${m - 1} off-diagonal ` +
        'entries (an m-th entry, e.g. the Lanczos residual norm, is ignored)',
    );
  }
  for (let i = 0; i < m; i++) {
    if (!Number.isFinite(alpha[i]!)) throw new RangeError(`tridiagonalEigen: alpha[${i}] is ${alpha[i]}; must be finite`);
  }
  for (let i = 0; i < m - 1; i++) {
    if (!Number.isFinite(beta[i]!)) throw new RangeError(`tridiagonalEigen: beta[${i}] is ${beta[i]}; must be finite`);
  }
  return m;
}

function solve(alpha: ArrayLike<number>, beta: ArrayLike<number>, rows: readonly number[]): TridiagonalEigenComponents {
  const n = alpha.length;
  const d = Float64Array.from(alpha);
  const e = new Float64Array(n);
  for (let i = 0; i < n - 1; i++) e[i] = beta[i]!;
  const z = rows.map((r) => {
    const row = new Float64Array(n);
    row[r] = 1;
    return row;
  });

  let f = 0;
  let tst1 = 0;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]!) > EPS * tst1) m++;
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > MAX_ITER_PER_EIGENVALUE) {
          throw new Error(`tridiagonalEigen: QL did not converge for eigenvalue ${l} after ${MAX_ITER_PER_EIGENVALUE} iterations`);
        }
        // implicit shift from the leading 2×2 block (tql2)
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i]! -= h;
        f += h;
        // QL sweep of Givens rotations from the bottom of the unreduced block up to l
        p = d[m]!;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1]!;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = Math.hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          for (const zr of z) {
            const t = zr[i + 1]!;
            zr[i + 1] = s * zr[i]! + c * t;
            zr[i] = c * zr[i]! - s * t;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]!) > EPS * tst1);
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }

  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[i]! - d[j]!);
  const values = new Float64Array(n);
  order.forEach((k, i) => (values[i] = d[k]!));
  const components = z.map((zr) => {
    const out = new Float64Array(n);
    order.forEach((k, i) => (out[i] = zr[k]!));
    return out;
  });
  return { values, components };
}
