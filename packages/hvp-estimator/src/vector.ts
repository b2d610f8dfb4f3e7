/**
 * Float64 vector arithmetic shared by the Krylov and trace algorithms. Plain loops over Float64Array: the operator
 * (an HVP) dominates the cost, so clarity wins over cleverness here.
 */

export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export function norm(a: Float64Array): number {
  return Math.sqrt(dot(a, a));
}

/** y ← y + alpha·x, in place. */
export function axpy(alpha: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i]! += alpha * x[i]!;
}

/** x ← alpha·x, in place. */
export function scaleInPlace(alpha: number, x: Float64Array): void {
  for (let i = 0; i < x.length; i++) x[i]! *= alpha;
}

/**
 * Removes from `w` its components along the orthonormal `basis`, twice (classical Gram–Schmidt run two times):
 * "twice is enough" (Giraud, Langou, Rozložník 2005; Kahan–Parlett) keeps ‖Qᵀw‖ at rounding level even when the
 * first pass cancels most of `w`.
 */
export function orthogonalizeTwice(w: Float64Array, basis: readonly Float64Array[]): void {
  for (let pass = 0; pass < 2; pass++) {
    for (const q of basis) axpy(-dot(q, w), q, w);
  }
}

/** A vector of n standard normals from `next`. */
export function gaussianVector(n: number, normal: () => number): Float64Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = normal();
  return v;
}

/** A vector of n Rademacher ±1 entries from `sign`. */
export function rademacherVector(n: number, sign: () => number): Float64Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = sign();
  return v;
}
