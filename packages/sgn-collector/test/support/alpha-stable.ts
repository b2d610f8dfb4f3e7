/**
 * Seeded symmetric α-stable samples for the tail-index tests, by Chambers, Mallows & Stuck (1976), "A method for
 * simulating stable random variables", JASA 71(354), with skewness β = 0. Characteristic function exp(−|c·t|^α):
 * α = 2 is N(0, 2c²), α = 1 is Cauchy with scale c. Draws come from core's seeded generator, never Math.random.
 */
import { createRng, type Rng } from '@kramers/core';

/** One draw of S_α(c, β = 0): X = c·sin(αV)/cos(V)^{1/α}·(cos((1−α)V)/W)^{(1−α)/α}, V ~ U(−π/2, π/2), W ~ Exp(1). */
export function symmetricStable(alpha: number, rng: Rng, scale = 1): number {
  let u = rng.next();
  while (u === 0) u = rng.next(); // V must stay inside the open interval (cos V > 0)
  const v = Math.PI * (u - 0.5);
  let e = rng.next();
  while (e === 0) e = rng.next();
  const w = -Math.log(e); // Exp(1), > 0 because e < 1
  // Chambers–Mallows–Stuck (1976) with β = 0 (at α = 1 the last factor is 1 and X = c·tan V, Cauchy)
  return scale * (Math.sin(alpha * v) / Math.cos(v) ** (1 / alpha)) * (Math.cos((1 - alpha) * v) / w) ** ((1 - alpha) / alpha);
}

/** `n` independent draws of S_α(scale, 0) from a generator seeded with `seed`. */
export function symmetricStableSample(n: number, alpha: number, seed: number, scale = 1): Float64Array {
  if (!(alpha > 0 && alpha <= 2)) throw new RangeError(`symmetricStableSample: alpha must be in (0, 2], got ${alpha}`);
  const rng = createRng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = symmetricStable(alpha, rng, scale);
  return out;
}
