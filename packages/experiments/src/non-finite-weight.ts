import type * as tf from '@tensorflow/tfjs';

export interface NonFiniteWeight {
  /** The weight's name, e.g. 'dense1/kernel'. */
  readonly name: string;
  readonly shape: readonly number[];
  /** Flat (row-major) index of the first non-finite value. */
  readonly index: number;
  readonly value: number;
}

/** The first weight holding NaN or ±Infinity, or undefined when every weight is finite. */
export function findNonFiniteWeight(model: tf.LayersModel): NonFiniteWeight | undefined {
  for (const w of model.weights) {
    const values = w.read().dataSync();
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v)) return { name: w.originalName, shape: w.shape as number[], index: i, value: v };
    }
  }
  return undefined;
}
