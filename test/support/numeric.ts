/** Error measures shared by the tests that compare against the float64 reference. */

/** ‖a − b‖₂ / ‖b‖₂, in float64. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`relativeError: lengths differ (${a.length} vs ${b.length})`);
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num / den);
}

/** |a − b| / |b|. */
export const relErr = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

/** |⟨a, b⟩| for unit vectors: 1 when they span the same line. */
export function absCosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < b.length; i++) s += a[i]! * b[i]!;
  return Math.abs(s);
}
