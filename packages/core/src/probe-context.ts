import type * as tf from '@tensorflow/tfjs';
import type { ProbeLossSource } from './probe-loss.js';
import type { Rng } from './rng.js';

/** Which loss a probe measures and where it came from. */
export interface ProbeLossInfo {
  readonly name: string;
  readonly source: ProbeLossSource;
}

/** Evaluates the loss at the current parameters on a fixed probe batch, without disturbing training. */
export interface ProbeContext {
  /** Trainable variables the probe differentiates, in a fixed order: the order of every flat vector. */
  readonly variables: readonly tf.Variable[];
  /** Total number of scalar parameters (length of a flat vector). */
  readonly size: number;
  /** Rows in the probe batch (0 while a collected batch is not complete). */
  readonly rows: number;
  /** False while the probe batch is still being collected (see `probeFromDataset`); probe plugins wait for it. */
  readonly ready: boolean;
  /**
   * The loss measured: resolved on first use (the compiled model's loss unless one was given). Throws a ConfigError
   * naming the fix when the model is not compiled and no loss was given, or when the batch does not fit the model.
   */
  lossInfo(): ProbeLossInfo;
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
