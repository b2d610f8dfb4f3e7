import { createTestRng } from './rng.js';

export interface DoubleWellRun {
  /** Continuous-time first-passage times of the particles. */
  readonly times: Float64Array;
  readonly mean: number;
  /** Standard error of the mean. */
  readonly se: number;
}

/**
 * Euler–Maruyama for dx = −U'(x)dt + √(2D)dW on U = h(x² − 1)², particles started at −1 and absorbed on first
 * reaching x ≥ target. Float64, one seeded stream.
 */
export function simulateDoubleWell(args: { h: number; diffusion: number; dt: number; particles: number; target: number; seed: number }): DoubleWellRun {
  const { h, diffusion, dt, particles, target, seed } = args;
  const rng = createTestRng(seed);
  const noise = Math.sqrt(2 * diffusion * dt);
  const times = new Float64Array(particles);
  for (let p = 0; p < particles; p++) {
    let x = -1;
    let steps = 0;
    while (x < target) {
      // U'(x) = 4h x(x² − 1).
      x += -4 * h * x * (x * x - 1) * dt + noise * rng.normal();
      steps++;
    }
    times[p] = steps * dt;
  }
  let mean = 0;
  for (const t of times) mean += t;
  mean /= particles;
  let ss = 0;
  for (const t of times) ss += (t - mean) ** 2;
  return { times, mean, se: Math.sqrt(ss / (particles - 1) / particles) };
}
