import type * as tf from '@tensorflow/tfjs';

/** A critical point, located to float64 accuracy (Newton-polished), with its Hessian's eigenvalues ascending. */
export interface CriticalPoint {
  readonly kind: 'minimum' | 'saddle' | 'maximum';
  readonly point: Float64Array;
  readonly value: number;
  readonly hessianEigenvalues: Float64Array;
}

/**
 * One way out of a valley: over the col (an index-1 saddle) to the next minimum. The Kramers/Xie formulas
 * need exactly these numbers: ΔL, H_ae (curvature along e at the minimum), H_be (< 0, along e at the col) and
 * the determinant ratio √(−det H_b / det H_a) of Theorem 3.1 (Xie et al. 2021).
 */
export interface Exit {
  readonly col: CriticalPoint;
  /** The minimum beyond the col, or null when the landscape has none there. */
  readonly next: CriticalPoint | null;
  /** Unit escape direction e: the col's negative-curvature eigenvector, pointing from the minimum to the col. */
  readonly direction: Float64Array;
  /** ΔL = L(col) − L(minimum). */
  readonly barrier: number;
  /** H_ae = eᵀ H(minimum) e > 0. */
  readonly minimumCurvature: number;
  /** H_be = eᵀ H(col) e < 0. */
  readonly colCurvature: number;
  /** √(−det H_b / det H_a) (Theorem 3.1's prefactor factor). */
  readonly determinantRatio: number;
}

/** A valley: its minimum and every exit from it. A quadratic valley has none (its boundary is a box or ball). */
export interface Valley {
  readonly minimum: CriticalPoint;
  readonly exits: readonly Exit[];
}

/** The per-coordinate profile of a separable landscape, L(θ) = Σ_i profile(θ_i). */
export interface Profile1D {
  value(x: number): number;
  derivative(x: number): number;
  secondDerivative(x: number): number;
  /** Local minima, ascending. */
  readonly minima: readonly number[];
  /** Local maxima (the cols between consecutive minima), ascending. */
  readonly maxima: readonly number[];
}

/**
 * An analytic loss landscape: value, gradient and Hessian in float64 for theory, and a replica-batched float32
 * gradient as tfjs ops for ensembles (state [R, n], one row per replica).
 */
export interface Landscape {
  readonly name: 'styblinski-tang' | 'quadratic-valley' | 'double-well';
  readonly dim: number;
  /** The parameters it was built with (k, scale, …), for reports. */
  readonly parameters: Readonly<Record<string, number>>;
  value(theta: ArrayLike<number>): number;
  gradient(theta: ArrayLike<number>): Float64Array;
  /** Row-major n×n. */
  hessian(theta: ArrayLike<number>): Float64Array;
  /** θ [R, n] → ∇L [R, n], row by row; every op is elementwise, so a row's result does not depend on R. */
  gradientTensor(theta: tf.Tensor2D): tf.Tensor2D;
  /** θ [R, n] → diag H(θ) [R, n]; present when the Hessian is diagonal everywhere (separable landscapes). */
  hessianDiagonalTensor?(theta: tf.Tensor2D): tf.Tensor2D;
  /** Set when L(θ) = Σ_i profile(θ_i) with one profile for every coordinate. */
  readonly profile?: Profile1D;
  /** The valley gradient flow from `start` ends in (its minimum Newton-polished), with all its exits. */
  valley(start: ArrayLike<number>): Valley;
}
