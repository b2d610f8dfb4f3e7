import type { SymmetricEigenResult } from '@kramers/hvp-estimator';
import { mlpLossAndGradient, type MlpData, type MlpSpec } from '@kramers/replicas';

/** A face of the box |θᵢ − θ*ᵢ| ≤ r: parameter `coordinate` leaving upward (+1) or downward (−1). */
export interface BoxWall {
  readonly coordinate: number;
  readonly sign: 1 | -1;
  /** ΔL: the loss's minimum on the face above L(θ*), by constrained Newton on the model's loss. */
  readonly barrier: number;
  /** The same in the quadratic model: r²·κ/2. */
  readonly quadraticBarrier: number;
  /** κ = 1/(H⁻¹)ᵢᵢ, the stiffness along the exit with every other parameter relaxed. */
  readonly stiffness: number;
  /** Where on the face the loss is lowest: the exit point. */
  readonly point: Float32Array;
}

export interface BoxWallsOptions {
  readonly spec: MlpSpec;
  readonly data: MlpData;
  /** θ*, a minimum of the loss (tfjs trainableWeights order). */
  readonly minimum: Float32Array;
  readonly hessian: SymmetricEigenResult;
  readonly weightDecay: number;
  /** The box half-width r (of the unscaled loss). */
  readonly radius: number;
  /** Faces whose quadratic barrier is within this factor of the lowest are solved exactly (default 2: the rest add < e^(−ΔL/D)). */
  readonly within?: number;
}

/**
 * The low faces of the escape box around a minimum, each with its exact barrier: the minimum of L on the face
 * θᵢ = θ*ᵢ ± r. Newton steps with the Hessian at θ* restricted to the face (δ = −H⁻¹g + H⁻¹eᵢ·(eᵢᵀH⁻¹g)/(H⁻¹)ᵢᵢ,
 * derived: the equality-constrained quadratic step), from the quadratic model's optimum θ* ± r·H⁻¹eᵢ/(H⁻¹)ᵢᵢ.
 * Sorted by barrier, lowest first.
 */
export function boxWalls(options: BoxWallsOptions): BoxWall[] {
  const { spec, data, minimum, hessian, weightDecay, radius } = options;
  const within = options.within ?? 2;
  const P = minimum.length;
  const { values, vectors } = hessian;
  if (!(values[0]! > 0)) throw new RangeError(`boxWalls: the Hessian's smallest eigenvalue is ${values[0]}; the start is not a minimum`);
  // H⁻¹ = V·diag(1/λ)·Vᵀ, row-major.
  const inverse = new Float64Array(P * P);
  for (let k = 0; k < P; k++) {
    const v = vectors[k]!;
    const w = 1 / values[k]!;
    for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) inverse[i * P + j]! += w * v[i]! * v[j]!;
  }
  const stiffness = Float64Array.from({ length: P }, (_, i) => 1 / inverse[i * P + i]!);
  const lowest = Math.min(...stiffness);
  const lossAt = (theta: Float64Array) => mlpLossAndGradient(spec, data, Float32Array.from(theta), { weightDecay });
  const base = lossAt(Float64Array.from(minimum)).loss;
  const walls: BoxWall[] = [];
  for (let i = 0; i < P; i++) {
    if (stiffness[i]! > within * lowest) continue;
    const column = inverse.subarray(i * P, (i + 1) * P);
    for (const sign of [1, -1] as const) {
      const theta = Float64Array.from(minimum, (m, j) => m + (sign * radius * column[j]!) / column[i]!);
      for (let it = 0; it < 12; it++) {
        const { gradient: g } = lossAt(theta);
        const step = new Float64Array(P);
        for (let a = 0; a < P; a++) {
          let s = 0;
          for (let b = 0; b < P; b++) s += inverse[a * P + b]! * g[b]!;
          step[a] = s;
        }
        const hg = step[i]!;
        let largest = 0;
        for (let a = 0; a < P; a++) {
          const d = -step[a]! + (column[a]! * hg) / column[i]!;
          theta[a]! += d;
          largest = Math.max(largest, Math.abs(d));
        }
        if (largest < 1e-9) break;
      }
      walls.push({
        coordinate: i,
        sign,
        barrier: lossAt(theta).loss - base,
        quadraticBarrier: (radius * radius * stiffness[i]!) / 2,
        stiffness: stiffness[i]!,
        point: Float32Array.from(theta),
      });
    }
  }
  return walls.sort((a, b) => a.barrier - b.barrier);
}
