import * as tf from '@tensorflow/tfjs';
import { checkBatch, checkPoint } from './checks.js';
import { diagonalCriticalPoint } from './critical-point.js';
import type { Exit, Landscape, Profile1D, Valley } from './landscape.js';

/**
 * A 1-D profile that also knows its derivatives as float32 tfjs ops. They must be elementwise (mul, add, sub with
 * scalars), so a replica's gradient never depends on how many replicas share the batch.
 */
export interface ElementwiseProfile extends Profile1D {
  derivativeTensor(x: tf.Tensor2D): tf.Tensor2D;
  secondDerivativeTensor(x: tf.Tensor2D): tf.Tensor2D;
}

/** A landscape L(θ) = Σ_i profile(θ_i): diagonal Hessian everywhere, one exit per neighbouring col per coordinate. */
export type SeparableLandscape = Landscape & {
  readonly profile: Profile1D;
  hessianDiagonalTensor(theta: tf.Tensor2D): tf.Tensor2D;
};

export interface SeparableInit<Name extends Landscape['name']> {
  readonly name: Name;
  readonly dim: number;
  readonly parameters: Readonly<Record<string, number>>;
  readonly profile: ElementwiseProfile;
}

/** Builds value, gradient, Hessian, the replica-batched ops and the valley/exit analysis from one profile. */
export function separableLandscape<Name extends Landscape['name']>(
  init: SeparableInit<Name>,
): SeparableLandscape & { readonly name: Name } {
  const { name, dim, profile } = init;
  if (!Number.isInteger(dim) || dim < 1) throw new Error(`${name}: dim = ${String(dim)}; pass an integer ≥ 1`);
  const where = (fn: string) => `${name}.${fn}`;

  const value = (theta: ArrayLike<number>): number => {
    checkPoint(where('value'), theta, dim);
    let sum = 0;
    for (let i = 0; i < dim; i++) sum += profile.value(theta[i]!);
    return sum;
  };
  const gradient = (theta: ArrayLike<number>): Float64Array => {
    checkPoint(where('gradient'), theta, dim);
    const g = new Float64Array(dim);
    for (let i = 0; i < dim; i++) g[i] = profile.derivative(theta[i]!);
    return g;
  };
  const hessian = (theta: ArrayLike<number>): Float64Array => {
    checkPoint(where('hessian'), theta, dim);
    const h = new Float64Array(dim * dim);
    for (let i = 0; i < dim; i++) h[i * dim + i] = profile.secondDerivative(theta[i]!);
    return h;
  };

  const valley = (start: ArrayLike<number>): Valley => {
    checkPoint(where('valley'), start, dim);
    const minima = new Float64Array(dim);
    for (let i = 0; i < dim; i++) minima[i] = basinMinimum(profile, start[i]!, `${where('valley')}: start[${i}]`);
    const diagonalAt = (point: Float64Array) => Float64Array.from(point, (x) => profile.secondDerivative(x));
    const minimumDiagonal = diagonalAt(minima);
    const minimum = diagonalCriticalPoint(minima, value(minima), minimumDiagonal);
    const exits: Exit[] = [];
    for (let i = 0; i < dim; i++) {
      const m = minima[i]!;
      const below = profile.maxima.filter((x) => x < m);
      const above = profile.maxima.filter((x) => x > m);
      const cols = [below[below.length - 1], above[0]].filter((x): x is number => x !== undefined);
      for (const c of cols) {
        const colPoint = Float64Array.from(minima);
        colPoint[i] = c;
        const colDiagonal = diagonalAt(colPoint);
        const beyond = minimumBeyond(profile, c, Math.sign(c - m));
        let next = null;
        if (beyond !== null) {
          const nextPoint = Float64Array.from(minima);
          nextPoint[i] = beyond;
          next = diagonalCriticalPoint(nextPoint, value(nextPoint), diagonalAt(nextPoint));
        }
        const direction = new Float64Array(dim);
        direction[i] = Math.sign(c - m);
        // √(−det H_b / det H_a) (Theorem 3.1, Xie et al. 2021) as a product of per-coordinate ratios: the unchanged
        // coordinates give exactly 1, so it reduces to √(|H_be| / H_ae) without rounding from the other factors.
        let ratio = 1;
        for (let j = 0; j < dim; j++) ratio *= colDiagonal[j]! / minimumDiagonal[j]!;
        exits.push({
          col: diagonalCriticalPoint(colPoint, value(colPoint), colDiagonal),
          next,
          direction,
          // ΔL = L(b) − L(a) from the one coordinate that differs, so the other terms cannot add rounding (derived).
          barrier: profile.value(c) - profile.value(m),
          minimumCurvature: minimumDiagonal[i]!,
          colCurvature: colDiagonal[i]!,
          determinantRatio: Math.sqrt(-ratio),
        });
      }
    }
    return { minimum, exits };
  };

  return {
    name,
    dim,
    parameters: init.parameters,
    profile,
    value,
    gradient,
    hessian,
    gradientTensor(theta: tf.Tensor2D): tf.Tensor2D {
      checkBatch(where('gradientTensor'), theta, dim);
      return tf.tidy(() => profile.derivativeTensor(theta));
    },
    hessianDiagonalTensor(theta: tf.Tensor2D): tf.Tensor2D {
      checkBatch(where('hessianDiagonalTensor'), theta, dim);
      return tf.tidy(() => profile.secondDerivativeTensor(theta));
    },
    valley,
  };
}

/**
 * The minimum that gradient flow from x reaches: the one between the maxima on either side of x. Exactly on a
 * maximum, the lower neighbouring minimum (the deeper well).
 */
function basinMinimum(profile: Profile1D, x: number, field: string): number {
  const onMaximum = profile.maxima.includes(x);
  if (onMaximum) {
    const left = profile.minima.filter((m) => m < x).pop();
    const right = profile.minima.find((m) => m > x);
    const candidates = [left, right].filter((m): m is number => m !== undefined);
    if (candidates.length > 0) return candidates.reduce((a, b) => (profile.value(b) < profile.value(a) ? b : a));
  } else {
    const lower = profile.maxima.filter((m) => m < x).pop() ?? -Infinity;
    const upper = profile.maxima.find((m) => m > x) ?? Infinity;
    const inside = profile.minima.find((m) => m > lower && m < upper);
    if (inside !== undefined) return inside;
  }
  throw new Error(`${field} = ${x} lies on a slope with no minimum below it; start inside a well (minima at ${profile.minima.join(', ')})`);
}

/** The minimum on the far side of the col c (side = +1 above it, −1 below), or null when the profile has none. */
function minimumBeyond(profile: Profile1D, c: number, side: number): number | null {
  if (side > 0) {
    const nextMax = profile.maxima.find((m) => m > c) ?? Infinity;
    return profile.minima.find((m) => m > c && m < nextMax) ?? null;
  }
  const nextMax = profile.maxima.filter((m) => m < c).pop() ?? -Infinity;
  return profile.minima.filter((m) => m < c && m > nextMax).pop() ?? null;
}
