import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@kramers/core';
import { checkMinibatching, minibatchFiller, type MinibatchFiller } from './mlp-batches.js';
import { mlpGradientTensor, mlpLossTensor, mlpObjective, onesAugmented, type MlpBatch, type MlpObjective } from './mlp-loss.js';
import { checkMlpData, checkParameters, type MlpActivation, type MlpData } from './mlp-spec.js';
import { checkReplicaOptimizer, type ReplicaOptimizer } from './replica-optimizer.js';
import { checkReplicaIds, replicaStreams } from './replica-streams.js';
import { createRowState, keptRows } from './row-state.js';

export interface MlpEnsembleOptions {
  /** e.g. [4, 10, 2]: inputs, hidden widths, classes. */
  readonly layers: readonly number[];
  /** Hidden layers' activation (default tanh); the output is softmax with categorical cross-entropy. */
  readonly activation?: MlpActivation;
  /** The training set: x row-major [rows, inputs], y one-hot [rows, classes]. */
  readonly data: MlpData;
  /**
   * B, rows per minibatch, drawn without replacement from each replica's own epoch permutation; an epoch's last
   * partial batch is dropped. B = rows is full-batch gradient descent (the rows are not drawn: one pass serves all).
   */
  readonly batchSize: number;
  readonly optimizer: ReplicaOptimizer;
  /** λ: loss + λ·Σθ² over kernels and biases, exactly tfjs's l2({l2: λ}) regularizer (default 0). */
  readonly weightDecay?: number;
  /** Sharpness rescaling L_k(θ) = L(√k·θ), weight decay included (default 1). */
  readonly k?: number;
  /** R, the number of replicas. */
  readonly replicas: number;
  /** Integer seed; replica r's minibatches and noise depend only on (seed, firstReplica + r). */
  readonly seed: number;
  /** Id of the first replica (default 0), so a sweep split over workers gives each part its own ids. */
  readonly firstReplica?: number;
  /**
   * θ₀ in tfjs trainableWeights order: P parameters shared by every replica, or R·P, one row per replica (e.g. drawn
   * from a quasi-equilibrium around a minimum).
   */
  readonly start: Float32Array;
}

/** R copies of one MLP trained together as one tensor program on parameters [R, P]. */
export interface MlpEnsemble {
  /** P, parameters per replica. */
  readonly parameterCount: number;
  /** Ids of the replicas still running, in row order. */
  ids(): Int32Array;
  /** Number of replicas still running. */
  size(): number;
  /** Iterations taken so far. */
  steps(): number;
  /** One minibatch iteration of every running replica. */
  step(): void;
  /** Current parameters, size() rows of P in the order of ids() (a copy; float32). */
  parameters(): Float32Array;
  /** Full-data loss (weight decay and k included) of every running replica, in the order of ids(); for checks. */
  losses(): Float32Array;
  /** Stops the given replicas; the others continue unchanged. */
  drop(ids: Iterable<number>): void;
  dispose(): void;
}

/**
 * Trains R replicas of an MLP at once: each replica has its own minibatch sequence and (for SGLD) its own noise,
 * both from streams keyed by (seed, replica id), and every op is row-wise, so row r evolves as that replica alone.
 * Updates are tfjs's SGD, momentum and Adam op for op (shared with createEnsemble) on hand-derived gradients.
 */
export function createMlpEnsemble(options: MlpEnsembleOptions): MlpEnsemble {
  const where = 'createMlpEnsemble';
  const { layers, data, batchSize, optimizer, replicas, seed, start } = options;
  const firstReplica = options.firstReplica ?? 0;
  const spec = { layers, activation: options.activation ?? 'tanh' };
  const objective: MlpObjective = mlpObjective(where, spec, { weightDecay: options.weightDecay ?? 0, k: options.k ?? 1 });
  checkMlpData(where, spec, data);
  checkReplicaIds(where, replicas, firstReplica);
  checkMinibatching(where, seed, firstReplica, data.rows, batchSize);
  checkReplicaOptimizer(where, optimizer);
  const P = objective.layout.parameters;
  if (start instanceof Float32Array && start.length === replicas * P && replicas > 1) {
    for (let r = 0; r < replicas; r++) checkParameters(where, `start row ${r}`, start.subarray(r * P, (r + 1) * P), P);
  } else {
    checkParameters(where, 'start', start, P);
  }

  const inputs = layers[0]!;
  const classes = layers[layers.length - 1]!;
  const whiteStd = optimizer.name === 'sgld' ? Math.sqrt(2 * optimizer.learningRate * optimizer.diffusion) : 0;

  let ids = Int32Array.from({ length: replicas }, (_, r) => firstReplica + r);
  let noise: Rng[] = replicaStreams(seed, ids);
  let batches: MinibatchFiller[] = Array.from(ids, (id) => minibatchFiller(seed, id, data.rows, batchSize));
  let iterations = 0;
  let disposed = false;
  // Own copies, so a caller reusing its arrays cannot change the training set mid-run.
  const xs = data.x.slice();
  const ys = data.y.slice();
  const full = onesAugmented(xs, data.rows, inputs, 1);
  const dataX = tf.tensor3d(full.xOnes, [1, data.rows, inputs + 1]);
  const dataXT = tf.tensor3d(full.xOnesT, [1, inputs + 1, data.rows]);
  const dataY = tf.tensor3d(ys, [1, data.rows, classes]);
  const state = createRowState(optimizer, start, replicas, P);

  const white = (size: number): tf.Tensor2D => {
    const out = new Float32Array(size * P);
    for (let r = 0; r < size; r++) {
      const rng = noise[r]!;
      for (let j = 0; j < P; j++) out[r * P + j] = whiteStd * rng.normal();
    }
    return tf.tensor2d(out, [size, P]);
  };

  const live = (): void => {
    if (disposed) throw new Error('MlpEnsemble: used after dispose()');
  };

  return {
    parameterCount: P,
    ids: () => ids.slice(),
    size: () => ids.length,
    steps: () => iterations,
    step() {
      live();
      const size = ids.length;
      if (size === 0) return;
      if (batchSize === data.rows) {
        // Full batch: every replica's "minibatch" is the whole set, so all share one batch and the first layer is
        // one matMul for all rows; the order of the rows changes only the float32 summation order.
        state.step((theta) => mlpGradientTensor(objective, theta, { xOnes: dataX, xOnesT: dataXT, y: dataY }), () => white(size));
        iterations++;
        return;
      }
      const rows = new Int32Array(size * batchSize);
      for (let r = 0; r < size; r++) batches[r]!(rows, r * batchSize);
      // Copying the rows in JS is exact and several times cheaper than tf.gather on wasm.
      const xb = new Float32Array(rows.length * inputs);
      const yb = new Float32Array(rows.length * classes);
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!;
        for (let j = 0; j < inputs; j++) xb[i * inputs + j] = xs[row * inputs + j]!;
        for (let c = 0; c < classes; c++) yb[i * classes + c] = ys[row * classes + c]!;
      }
      const { xOnes, xOnesT } = onesAugmented(xb, rows.length, inputs, size);
      state.step(
        (theta) => {
          const batch: MlpBatch = {
            xOnes: tf.tensor3d(xOnes, [size, batchSize, inputs + 1]),
            xOnesT: tf.tensor3d(xOnesT, [size, inputs + 1, batchSize]),
            y: tf.tensor3d(yb, [size, batchSize, classes]),
          };
          return mlpGradientTensor(objective, theta, batch);
        },
        () => white(size),
      );
      iterations++;
    },
    parameters() {
      live();
      return state.theta().dataSync().slice() as Float32Array;
    },
    losses() {
      live();
      if (ids.length === 0) return new Float32Array(0);
      const loss = tf.tidy(() =>
        mlpLossTensor(objective, state.theta(), { xOnes: dataX, y: dataY }),
      );
      try {
        return loss.dataSync().slice() as Float32Array;
      } finally {
        loss.dispose();
      }
    },
    drop(dropIds) {
      live();
      const keep = keptRows(ids, dropIds);
      if (keep.length === ids.length) return;
      state.keep(keep);
      ids = Int32Array.from(keep, (r) => ids[r]!);
      noise = keep.map((r) => noise[r]!);
      batches = keep.map((r) => batches[r]!);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      state.dispose();
      dataX.dispose();
      dataXT.dispose();
      dataY.dispose();
    },
  };
}
