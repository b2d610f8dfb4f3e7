import type * as tf from '@tensorflow/tfjs';
import type { Rng } from './rng.js';

/** Evaluates the loss at the current parameters on a fixed probe batch, without disturbing training. */
export interface ProbeContext {
  /** Trainable variables the probe differentiates, in a fixed order: the order of every flat vector. */
  readonly variables: readonly tf.Variable[];
  /** Total number of scalar parameters (length of a flat vector). */
  readonly size: number;
  /** Rows in the probe batch. */
  readonly rows: number;
  /** Builds the probe loss tensor at the variables' current values. Deterministic (no dropout, BN in inference). */
  lossFn(): tf.Scalar;
  loss(): number;
  /** Loss and flat gradient at the current parameters. */
  lossAndGradient(): { loss: number; gradient: Float32Array };
  /** Flat copy of the current parameters. */
  params(): Float32Array;
  /** Runs `fn` with the parameters set to `flat`, then restores them bit for bit, even if `fn` throws. */
  withParams<T>(flat: Float32Array, fn: () => T): T;
  /** The probe's own random stream, separate from training's. */
  readonly rng: Rng;
}
