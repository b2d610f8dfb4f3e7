import type * as tf from '@tensorflow/tfjs';
import type { ProbeLossSource } from './probe-loss.js';
import type { Rng } from './rng.js';

/** Which loss a probe measures and where it came from. */
export interface ProbeLossInfo {
  readonly name: string;
  readonly source: ProbeLossSource;
}

/**
 * The model and rows behind a model probe, for statistics that need more than the mean loss (per-example gradients,
 * minibatches drawn from the probe rows).
 */
export interface ProbeData {
  readonly model: tf.LayersModel;
  /** Inputs and targets, one tensor per model input/output; undefined while a collected batch is not complete. */
  batch(): { readonly xs: readonly tf.Tensor[]; readonly ys: readonly tf.Tensor[] } | undefined;
  /**
   * The probe's data loss of `outputs` against `ys`: the per-row loss summed over outputs, averaged over the rows given.
   * Plus `penalty()`, on all rows, it is the probe loss.
   */
  dataLoss(ys: readonly tf.Tensor[], outputs: readonly tf.Tensor[]): tf.Scalar;
  /** The layers' regularisation penalty at the current weights (0 when there is none). */
  penalty(): tf.Scalar;
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
  /** The model and rows behind the probe; undefined for a probe built from a bare `lossFn`. */
  readonly data: ProbeData | undefined;
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
