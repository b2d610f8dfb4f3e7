import { createRng, seedFor } from '@kramers/core';
import type { SymmetricEigenResult } from '@kramers/hvp-estimator';
import type { Boundary } from '@kramers/valley-detector';

export interface EquilibriumStartOptions {
  /** θ*, the minimum of the unscaled loss L (φ coordinates). */
  readonly minimum: Float32Array;
  /** The Hessian of L at θ*. */
  readonly hessian: SymmetricEigenResult;
  /** SGLD's rate η and diffusion D (per iteration: θ ← θ − η∇L_k + √(2ηD)·ξ). */
  readonly learningRate: number;
  readonly diffusion: number;
  /** Sharpness rescaling: the replicas live on L_k(θ) = L(√k·θ), whose minimum is θ* scaled by 1/√k. */
  readonly k: number;
  /** The escape boundary in θ (already r/√k): a start outside it is drawn again. */
  readonly edge: Boundary;
  readonly seed: number;
  /** Replica ids; each row depends only on (seed, id), so a sweep split over workers draws the same starts. */
  readonly ids: Int32Array;
}

/** Draws per row before giving up: at ΔL/D ≥ 1 nearly every draw is inside, so many misses mean a bad setting. */
const MAX_DRAWS = 1000;

/**
 * One start per replica from SGLD's quasi-equilibrium in the valley, so the escape clock starts in the state the
 * escape-rate theory assumes rather than at the minimum (where the first few relaxation times escape nothing and
 * the slowest mode, 1/(ηλ_min) iterations, has not filled in). In φ = √k·θ, SGLD on L_k at η is SGLD on L at ηk with
 * the same D; near the minimum its iterates are Gaussian with covariance D·H⁻¹(I − ηkH/2)⁻¹ (derived: the
 * stationary solution Σ = (I − η'H)Σ(I − η'H) + 2η'D·I of the linearised update), truncated to the boundary. Near
 * an absorbing box face the quasi-stationary density also thins out over the face's boundary layer: a draw at distance
 * d from a face is kept with probability 1 − e^(−κ·r·d/D) per face (derived: the boundary-layer solution behind the
 * wall escape rate, with κ = D/Var(φᵢ) the face's stiffness and κ·r the force at it); without it, starts in that layer
 * leave in the first steps and hot settings escape too fast. Returns R·P floats, row r for ids[r].
 */
export function equilibriumStarts(options: EquilibriumStartOptions): Float32Array {
  const { minimum, hessian, learningRate, diffusion, k, edge, seed, ids } = options;
  const P = minimum.length;
  const { values, vectors } = hessian;
  const eta = learningRate * k;
  const scales = Float64Array.from(values, (lambda, i) => {
    const contraction = lambda * (1 - (eta * lambda) / 2);
    if (!(lambda > 0) || !(contraction > 0)) {
      throw new RangeError(
        `equilibrium start: the Hessian eigenvalue λ${i} = ${lambda.toPrecision(3)} at η·k = ${eta} has no equilibrium ` +
          '(it needs 0 < λ < 2/(η·k)); start at the minimum instead, or lower η',
      );
    }
    return Math.sqrt(diffusion / contraction);
  });
  const rootK = Math.sqrt(k);
  // The box's faces in φ: half-width r and each coordinate's stiffness D/Var(φᵢ) under the covariance above.
  const box = edge.rule.kind === 'box' ? edge.rule.radius : null;
  const force = new Float64Array(P);
  if (box !== null) {
    for (let j = 0; j < P; j++) {
      let variance = 0;
      for (let i = 0; i < P; i++) variance += (scales[i]! * vectors[i]![j]!) ** 2;
      force[j] = (diffusion / variance) * box;
    }
  }
  /** Probability of keeping a draw inside the box: the product of its faces' boundary-layer factors. */
  const kept = (row: Float64Array): number => {
    if (box === null) return 1;
    let p = 1;
    for (let j = 0; j < P; j++) {
      const offset = row[j]! * rootK - minimum[j]!;
      p *= (1 - Math.exp((-force[j]! * (box - offset)) / diffusion)) * (1 - Math.exp((-force[j]! * (box + offset)) / diffusion));
    }
    return p;
  };
  const out = new Float32Array(ids.length * P);
  const row = new Float64Array(P);
  ids.forEach((id, r) => {
    const rng = createRng(seedFor('kramers-equilibrium-start', seed, id));
    for (let draw = 0; ; draw++) {
      if (draw === MAX_DRAWS) {
        throw new RangeError(
          `equilibrium start: ${MAX_DRAWS} draws for replica ${id} all fell outside the boundary; D = ${diffusion} is too hot for it (raise ΔL/D)`,
        );
      }
      // Δφ = Σ_i v_i·s_i·z_i, z ~ N(0, I): the covariance above in the Hessian's eigenbasis.
      for (let j = 0; j < P; j++) row[j] = minimum[j]! / rootK;
      for (let i = 0; i < P; i++) {
        const c = (scales[i]! * rng.normal()) / rootK;
        const v = vectors[i]!;
        for (let j = 0; j < P; j++) row[j]! += c * v[j]!;
      }
      if (edge.exitOf(row, 0, P) === null && rng.next() < kept(row)) break;
    }
    for (let j = 0; j < P; j++) out[r * P + j] = row[j]!;
  });
  return out;
}
