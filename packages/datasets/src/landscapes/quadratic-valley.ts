import * as tf from '@tensorflow/tfjs';
import { checkBatch, checkPoint, positive } from './checks.js';
import { diagonalCriticalPoint } from './critical-point.js';
import type { Landscape } from './landscape.js';

export interface QuadraticValleyOptions {
  /** h_i > 0, one per coordinate; sets dim. */
  readonly curvatures: readonly number[];
  /** c, the minimum; zeros by default. */
  readonly center?: readonly number[];
  /** Multiplies the loss (and every h_i). */
  readonly scale?: number;
}

export type QuadraticValleyLandscape = Landscape & {
  readonly name: 'quadratic-valley';
  hessianDiagonalTensor(theta: tf.Tensor2D): tf.Tensor2D;
};

/**
 * L(θ) = scale·½ Σ_i h_i (θ_i − c_i)²: one minimum and no col, so escape from it is defined by a box or ball
 * around c (see boundaryBarrier); `valley(start).exits` is empty.
 */
export function quadraticValley(options: QuadraticValleyOptions): QuadraticValleyLandscape {
  const { curvatures } = options;
  if (!Array.isArray(curvatures) || curvatures.length === 0) {
    throw new Error('quadraticValley: curvatures is empty; pass one curvature h_i > 0 per coordinate');
  }
  const dim = curvatures.length;
  const scale = positive('quadraticValley', 'scale', options.scale ?? 1);
  const h = Float64Array.from(curvatures, (x, i) => scale * positive('quadraticValley', `curvatures[${i}]`, x));
  const center = options.center ?? new Array<number>(dim).fill(0);
  if (center.length !== dim) {
    throw new Error(`quadraticValley: center has ${center.length} entries; pass one per curvature (${dim})`);
  }
  const c = Float64Array.from(center, (x, i) => {
    if (!Number.isFinite(x)) throw new Error(`quadraticValley: center[${i}] = ${x}; pass a finite number`);
    return x;
  });
  const hessianDiagonal = Float64Array.from(h);
  const c32 = Float32Array.from(c);
  const h32 = Float32Array.from(h);

  // L = ½ Σ h_i (θ_i − c_i)² with h already × scale (definition).
  const value = (theta: ArrayLike<number>) => {
    checkPoint('quadratic-valley.value', theta, dim);
    let sum = 0;
    for (let i = 0; i < dim; i++) {
      const d = theta[i]! - c[i]!;
      sum += 0.5 * h[i]! * d * d;
    }
    return sum;
  };
  return {
    name: 'quadratic-valley',
    dim,
    parameters: { dim, scale, minCurvature: Math.min(...h), maxCurvature: Math.max(...h) },
    value,
    gradient(theta) {
      checkPoint('quadratic-valley.gradient', theta, dim);
      return Float64Array.from(h, (hi, i) => hi * (theta[i]! - c[i]!)); // ∇L = h ⊙ (θ − c) (derived)
    },
    hessian(theta) {
      checkPoint('quadratic-valley.hessian', theta, dim);
      const out = new Float64Array(dim * dim);
      for (let i = 0; i < dim; i++) out[i * dim + i] = h[i]!;
      return out;
    },
    gradientTensor(theta) {
      checkBatch('quadratic-valley.gradientTensor', theta, dim);
      // [1, n] constants broadcast over rows: each entry is one subtraction and one multiplication, whatever R is.
      return tf.tidy(() => tf.mul(tf.sub(theta, tf.tensor2d(c32, [1, dim])), tf.tensor2d(h32, [1, dim])));
    },
    hessianDiagonalTensor(theta) {
      checkBatch('quadratic-valley.hessianDiagonalTensor', theta, dim);
      return tf.tidy(() => tf.tile(tf.tensor2d(h32, [1, dim]), [theta.shape[0], 1]));
    },
    valley(start) {
      checkPoint('quadratic-valley.valley', start, dim);
      return { minimum: diagonalCriticalPoint(Float64Array.from(c), 0, hessianDiagonal), exits: [] };
    },
  };
}
