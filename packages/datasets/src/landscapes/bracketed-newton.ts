/**
 * Safeguarded Newton on a bracket (Numerical Recipes' rtsafe): Newton's quadratic convergence where it is safe,
 * bisection where a Newton step would leave the bracket or stall, so every critical point of a landscape is
 * located to float64 accuracy without hard-coded decimals.
 */
export function bracketedNewton(
  f: (x: number) => number,
  df: (x: number) => number,
  lo: number,
  hi: number,
): number {
  const flo = f(lo);
  const fhi = f(hi);
  if (flo === 0) return lo;
  if (fhi === 0) return hi;
  if (Math.sign(flo) === Math.sign(fhi)) {
    throw new Error(`bracketedNewton: f(${lo}) = ${flo} and f(${hi}) = ${fhi} have the same sign; pass a bracket around one root`);
  }
  // Orient so that f(a) < 0 < f(b).
  let a = flo < 0 ? lo : hi;
  let b = flo < 0 ? hi : lo;
  let x = 0.5 * (lo + hi);
  let dxOld = Math.abs(hi - lo);
  let dx = dxOld;
  let fx = f(x);
  let dfx = df(x);
  for (let iter = 0; iter < 200; iter++) {
    const outside = ((x - b) * dfx - fx) * ((x - a) * dfx - fx) > 0;
    const slow = Math.abs(2 * fx) > Math.abs(dxOld * dfx);
    dxOld = dx;
    if (outside || slow) {
      dx = 0.5 * (b - a);
      x = a + dx;
    } else {
      dx = fx / dfx;
      x -= dx;
    }
    fx = f(x);
    if (fx === 0) return x;
    if (fx < 0) a = x;
    else b = x;
    if (Math.abs(dx) <= 2 * Number.EPSILON * Math.abs(x) || a === b) break;
    dfx = df(x);
  }
  return x;
}
