/**
 * The probe's rows as per-row statistics need them: the model, inputs and targets of a model probe (refused with the
 * fix for a bare `lossFn` probe or a batch still being collected), the flat offset of each variable, and subsets of
 * rows gathered as tensors.
 */
import * as tf from '@tensorflow/tfjs';
import type { ProbeContext, ProbeData } from '@kramers/core';

/** A model probe's data with its batch present. */
export interface ProbeRows {
  readonly data: ProbeData;
  readonly xs: readonly tf.Tensor[];
  readonly ys: readonly tf.Tensor[];
  /** Rows in the probe batch. */
  readonly rows: number;
  readonly variables: readonly tf.Variable[];
  /** Flat offset of each variable (the probe's order, each flattened row-major). */
  readonly offsets: readonly number[];
  /** Total parameters n. */
  readonly size: number;
}

export function probeRows(probe: ProbeContext, where: string): ProbeRows {
  const { data } = probe;
  if (!data) {
    throw new Error(`${where}: the probe was built from a bare lossFn; per-row statistics need a model probe ({ model, x, y })`);
  }
  const batch = data.batch();
  if (!batch) throw new Error(`${where}: the probe batch is not complete yet (it is collected from the first training batches)`);
  const variables = probe.variables;
  const offsets: number[] = [];
  let size = 0;
  for (const v of variables) {
    offsets.push(size);
    size += v.size;
  }
  return { data, xs: batch.xs, ys: batch.ys, rows: probe.rows, variables, offsets, size };
}

/** Row indices checked against the probe: `selected` (integers in [0, rows), any order, repeats allowed) or all rows. */
export function rowIndices(selected: readonly number[] | undefined, rows: number, where: string): Int32Array {
  if (selected === undefined) return Int32Array.from({ length: rows }, (_, i) => i);
  selected.forEach((r, i) => {
    if (!Number.isInteger(r) || r < 0 || r >= rows) {
      throw new RangeError(`${where}: rows[${i}] = ${r} is not a row of the probe (integers 0 … ${rows - 1})`);
    }
  });
  return Int32Array.from(selected);
}

/**
 * Rows [first, first + count) of each tensor: the tensors themselves when that is every row (the caller must then not
 * dispose them: `releaseRows`), else slices.
 */
export function rowRange(tensors: readonly tf.Tensor[], first: number, count: number): readonly tf.Tensor[] {
  if (first === 0 && count === tensors[0]!.shape[0]) return tensors;
  return tensors.map((t) => tf.slice(t, first, count));
}

/** Disposes the row tensors unless they are the probe's own. */
export function releaseRows(rows: readonly tf.Tensor[], probeTensors: readonly tf.Tensor[]): void {
  tf.dispose(rows.filter((t) => !probeTensors.includes(t)));
}

/** The given rows of each tensor, in the given order (one tensor per model input or output). */
export function gatherRows(tensors: readonly tf.Tensor[], indices: Int32Array): tf.Tensor[] {
  return tf.tidy(() => {
    const at = tf.tensor1d(indices, 'int32');
    return tensors.map((t) => tf.gather(t, at));
  });
}

/** Model outputs as a list (a single-output model returns one tensor). */
export const outputList = (out: tf.Tensor | tf.Tensor[]): tf.Tensor[] => (Array.isArray(out) ? out : [out]);

/** The model's outputs on `xs` in inference mode (dropout off, batch norm on its moving statistics), as the probe evaluates. */
export function modelOutputs(model: tf.LayersModel, xs: readonly tf.Tensor[]): tf.Tensor[] {
  return outputList(model.apply(xs.length === 1 ? xs[0]! : [...xs], { training: false }) as tf.Tensor | tf.Tensor[]);
}
