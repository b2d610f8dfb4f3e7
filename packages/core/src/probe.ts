/**
 * The probe context: loss and gradients at the current parameters on a fixed probe batch, leaving training exactly
 * as it was. Probes never assign to variables except inside `withParams`, which restores the original tensors (the
 * same data, so bit for bit); they use their own seeded RNG, never Math.random; and they evaluate the model with
 * `training: false`, so dropout is off and batch norm neither uses nor updates batch statistics.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from './config-validation.js';
import { flatSize, readFlat, writeFlat } from './flat-params.js';
import type { ProbeContext } from './probe-context.js';
import { createRng } from './rng.js';

/** Losses a probe can build from a model's output. */
export type ProbeLoss =
  | 'categoricalCrossentropy'
  | 'sparseCategoricalCrossentropy'
  | 'binaryCrossentropy'
  | 'meanSquaredError'
  | ((yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar);

export type ProbeSpec =
  | {
      /** Loss on the probe batch at the variables' current values; must be deterministic. */
      readonly lossFn: () => tf.Scalar;
      readonly variables: readonly tf.Variable[];
      readonly rows: number;
      readonly seed?: number;
    }
  | {
      readonly model: tf.LayersModel;
      /** Probe inputs and targets. The probe does not take ownership: dispose them after the session closes. */
      readonly x: tf.Tensor;
      readonly y: tf.Tensor;
      /** Default 'categoricalCrossentropy' (mean −Σ y log p over rows, on the model's probabilities, unclipped). */
      readonly loss?: ProbeLoss;
      readonly seed?: number;
    };

// Unclipped: tfjs's layers losses clip probabilities, which changes nothing at first order but breaks second order
// through the ClipByValue mask; these are the exact losses the float64 references use (../shared/reference README).
function builtinLoss(name: Exclude<ProbeLoss, (...a: never[]) => unknown>): (y: tf.Tensor, p: tf.Tensor) => tf.Scalar {
  switch (name) {
    case 'categoricalCrossentropy':
      return (y, p) => tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(p)), -1))) as tf.Scalar;
    case 'sparseCategoricalCrossentropy':
      return (y, p) => {
        const depth = p.shape[p.shape.length - 1]!;
        const oneHot = tf.oneHot(tf.cast(tf.reshape(y, [-1]), 'int32'), depth);
        return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.log(p)), -1))) as tf.Scalar;
      };
    case 'binaryCrossentropy':
      return (y, p) =>
        tf.neg(tf.mean(tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p)))))) as tf.Scalar;
    case 'meanSquaredError':
      return (y, p) => tf.mean(tf.square(tf.sub(p, y))) as tf.Scalar;
  }
}

export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

export function createProbeContext(spec: ProbeSpec): ProbeContext {
  let lossFn: () => tf.Scalar;
  let variables: readonly tf.Variable[];
  let rows: number;
  if ('lossFn' in spec) {
    if (spec.variables.length === 0) {
      throw new ConfigError('probe', ['probe.variables: empty; pass the trainable variables the loss depends on']);
    }
    lossFn = spec.lossFn;
    variables = [...spec.variables];
    rows = spec.rows;
  } else {
    const { model, x, y } = spec;
    const loss = spec.loss ?? 'categoricalCrossentropy';
    const fn = typeof loss === 'function' ? loss : builtinLoss(loss);
    if (x.shape[0] !== y.shape[0]) {
      throw new ConfigError('probe', [
        `probe.y: has ${String(y.shape[0])} rows but probe.x has ${String(x.shape[0])}; pass matching batches`,
      ]);
    }
    variables = trainableVariables(model);
    rows = x.shape[0] ?? 0;
    lossFn = () => fn(y, model.apply(x, { training: false }) as tf.Tensor);
  }
  const size = flatSize(variables);
  const rng = createRng(spec.seed ?? 0x6b72616d);

  const lossAndGradient = (): { loss: number; gradient: Float32Array } => {
    const gradient = new Float32Array(size);
    let loss = Number.NaN;
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(lossFn, variables as tf.Variable[]);
      loss = value.dataSync()[0]!;
      let offset = 0;
      for (const v of variables) {
        const g = grads[v.name];
        if (g) gradient.set(g.dataSync() as Float32Array, offset);
        offset += v.size;
      }
    });
    return { loss, gradient };
  };

  return {
    variables,
    size,
    rows,
    rng,
    lossFn,
    loss: () => tf.tidy(() => lossFn().dataSync()[0]!),
    lossAndGradient,
    params: () => readFlat(variables),
    withParams<T>(flat: Float32Array, fn: () => T): T {
      // Keep the variables' current tensors: assigning them back restores the very same data, bit for bit.
      const saved = variables.map((v) => tf.keep(v.clone()));
      try {
        writeFlat(variables, flat);
        return fn();
      } finally {
        variables.forEach((v, i) => v.assign(saved[i]!));
        saved.forEach((t) => t.dispose());
      }
    },
  };
}
