/** One planar wall of an escape region around a minimum: where it is crossed most easily, and how steeply. */
export interface Wall {
  /** ΔL, the loss at the lowest point of the wall above the minimum's. */
  readonly barrier: number;
  /** κ = 1/(nᵀH⁻¹n) for the wall's unit normal n: the stiffness of the loss along the exit, minimised over the wall. */
  readonly stiffness: number;
}

/**
 * Escape rate of overdamped Langevin dynamics dθ = −∇L dt + √(2D) dW (SGLD's continuous-time limit) through
 * absorbing planar walls, per unit time: Σ_w κ_w·√(x_w/π)·e^(−x_w), x_w = ΔL_w/D (derived: flux of the quasi-equilibrium
 * density through the wall's boundary layer, F·p_q(a) with F = κa the force at the wall's lowest point and p_q the
 * Gaussian marginal of q = nᵀΔθ; in 1-D it is the inverse of the OU mean first-passage time √π·e^x/(κ√x) to a level).
 * Unlike a col (Theorem 3.1), a wall has no far side, so no |H_be| appears. Valid for x ≫ 1.
 */
export function wallEscapeRate(walls: readonly Wall[], diffusion: number): number {
  if (!(diffusion > 0) || !Number.isFinite(diffusion)) throw new RangeError(`wallEscapeRate: diffusion = ${diffusion}; use D > 0`);
  let rate = 0;
  for (const [i, w] of walls.entries()) {
    if (!(w.barrier > 0) || !(w.stiffness > 0) || !Number.isFinite(w.barrier) || !Number.isFinite(w.stiffness)) {
      throw new RangeError(`wallEscapeRate: walls[${i}] has barrier ${w.barrier} and stiffness ${w.stiffness}; both must be finite and > 0`);
    }
    const x = w.barrier / diffusion;
    rate += w.stiffness * Math.sqrt(x / Math.PI) * Math.exp(-x);
  }
  return rate;
}
