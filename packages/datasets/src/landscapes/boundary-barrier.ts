import { checkPoint, positive } from './checks.js';
import type { Landscape } from './landscape.js';

/** A box |θ_i − c_i| ≤ radius for all i, or a ball ‖θ − c‖₂ ≤ radius, around a minimum c. */
export interface BarrierBoundary {
  readonly kind: 'box' | 'ball';
  /** In the landscape's own coordinates (apply any 1/√k rescaling before passing it). */
  readonly radius: number;
}

/**
 * ΔL_boundary = min over the boundary of L − L(c): the barrier that a first exit from a box or ball inside a
 * valley actually climbs, in place of the col's ΔL.
 *
 * - box: exact for separable landscapes (diagonal Hessian): one coordinate on a face, the others at their own
 *   minimum over [c_j − r, c_j + r]. Other landscapes are refused.
 * - ball: Riemannian gradient descent on the sphere from the 2n points c ± r·e_i, the lowest result; exact for a
 *   quadratic valley (½·h_min·r²), a local search otherwise.
 */
export function boundaryBarrier(landscape: Landscape, center: ArrayLike<number>, boundary: BarrierBoundary): number {
  const { dim } = landscape;
  checkPoint('boundaryBarrier', center, dim);
  const r = positive('boundaryBarrier', 'boundary.radius', boundary.radius);
  const c = Float64Array.from(center);
  if (boundary.kind === 'box') return boxBarrier(landscape, c, r);
  if (boundary.kind === 'ball') return ballBarrier(landscape, c, r);
  throw new Error(`boundaryBarrier: boundary.kind = ${JSON.stringify((boundary as { kind: unknown }).kind)}; pass 'box' or 'ball'`);
}

function boxBarrier(landscape: Landscape, c: Float64Array, r: number): number {
  if (landscape.hessianDiagonalTensor === undefined) {
    throw new Error(`boundaryBarrier: a box barrier needs a separable landscape; '${landscape.name}' is not, use kind 'ball'`);
  }
  const base = landscape.value(c);
  const { profile } = landscape;
  // On a separable landscape L(c + δe_j) − L(c) is one coordinate's rise; the profile gives it without the other
  // coordinates' rounding.
  const rise = (j: number, delta: number): number => {
    if (profile !== undefined) return profile.value(c[j]! + delta) - profile.value(c[j]!);
    const p = Float64Array.from(c);
    p[j] = c[j]! + delta;
    return landscape.value(p) - base;
  };
  const lowest = Float64Array.from({ length: c.length }, (_, j) => intervalMinimum((d) => rise(j, d), -r, r));
  const lowestSum = lowest.reduce((a, b) => a + b, 0);
  let best = Infinity;
  for (let j = 0; j < c.length; j++) {
    for (const s of [-1, 1]) best = Math.min(best, rise(j, s * r) + lowestSum - lowest[j]!);
  }
  return best;
}

/** Minimum of a smooth 1-D function on [lo, hi]: a 512-point scan, then golden-section around the best sample. */
function intervalMinimum(f: (x: number) => number, lo: number, hi: number): number {
  const n = 512;
  let bestI = 0;
  let best = Infinity;
  for (let i = 0; i <= n; i++) {
    const v = f(lo + ((hi - lo) * i) / n);
    if (v < best) {
      best = v;
      bestI = i;
    }
  }
  let a = lo + ((hi - lo) * Math.max(0, bestI - 1)) / n;
  let b = lo + ((hi - lo) * Math.min(n, bestI + 1)) / n;
  const g = (Math.sqrt(5) - 1) / 2;
  let x1 = b - g * (b - a);
  let x2 = a + g * (b - a);
  let f1 = f(x1);
  let f2 = f(x2);
  for (let it = 0; it < 100 && b - a > 1e-14 * (1 + Math.abs(a)); it++) {
    if (f1 < f2) {
      b = x2;
      x2 = x1;
      f2 = f1;
      x1 = b - g * (b - a);
      f1 = f(x1);
    } else {
      a = x1;
      x1 = x2;
      f1 = f2;
      x2 = a + g * (b - a);
      f2 = f(x2);
    }
  }
  return Math.min(best, f1, f2);
}

function ballBarrier(landscape: Landscape, c: Float64Array, r: number): number {
  const n = c.length;
  const base = landscape.value(c);
  // Gershgorin bound on |λ| at the centre sets the first step: α·r²·λ ≈ 1 moves u by about one radian at most.
  const h = landscape.hessian(c);
  let lambda = 0;
  for (let i = 0; i < n; i++) {
    let row = 0;
    for (let j = 0; j < n; j++) row += Math.abs(h[i * n + j]!);
    lambda = Math.max(lambda, row);
  }
  const x = new Float64Array(n);
  const at = (u: Float64Array) => {
    for (let i = 0; i < n; i++) x[i] = c[i]! + r * u[i]!;
    return x;
  };
  let best = Infinity;
  for (let start = 0; start < 2 * n; start++) {
    let u = new Float64Array(n);
    u[start >> 1] = start & 1 ? -1 : 1;
    let fu = landscape.value(at(u)) - base;
    let alpha = 1 / (r * r * Math.max(lambda, 1e-300));
    for (let it = 0; it < 2000; it++) {
      const g = landscape.gradient(at(u));
      let gu = 0;
      for (let i = 0; i < n; i++) gu += g[i]! * u[i]!;
      // Tangential gradient of δ(u) = L(c + r·u) on the unit sphere: r·(∇L − (∇L·u)u).
      const t = Float64Array.from(g, (gi, i) => r * (gi - gu * u[i]!));
      const tt = t.reduce((s, ti) => s + ti * ti, 0);
      if (Math.sqrt(tt) <= 1e-13 * (1 + Math.abs(r * gu))) break;
      let accepted = false;
      while (alpha * Math.sqrt(tt) > 1e-16) {
        const v = Float64Array.from(u, (ui, i) => ui - alpha * t[i]!);
        const norm = Math.hypot(...v);
        for (let i = 0; i < n; i++) v[i] = v[i]! / norm;
        const fv = landscape.value(at(v)) - base;
        if (fv <= fu - 1e-4 * alpha * tt) {
          u = v;
          fu = fv;
          alpha *= 2;
          accepted = true;
          break;
        }
        alpha /= 2;
      }
      if (!accepted) break;
    }
    best = Math.min(best, fu);
  }
  return best;
}
