/**
 * A model's trainable variables seen as one flat vector θ: variables in a fixed order, each flattened row-major.
 * This is the convention of test/fixtures/shared/reference (weightsManifest order), so flat vectors compare directly.
 */
import * as tf from '@tensorflow/tfjs';

export function flatSize(variables: readonly tf.Variable[]): number {
  return variables.reduce((n, v) => n + v.size, 0);
}

/** Copies the variables' values into one Float32Array (reads synchronously; cheap on cpu and wasm). */
export function readFlat(variables: readonly tf.Variable[]): Float32Array {
  const out = new Float32Array(flatSize(variables));
  let offset = 0;
  for (const v of variables) {
    out.set(v.dataSync() as Float32Array, offset);
    offset += v.size;
  }
  return out;
}

/** Assigns a flat vector back into the variables. Values are copied exactly (float32 in, float32 out). */
export function writeFlat(variables: readonly tf.Variable[], flat: Float32Array): void {
  const n = flatSize(variables);
  if (flat.length !== n) {
    throw new RangeError(`writeFlat: vector has ${flat.length} entries but the variables hold ${n} parameters`);
  }
  let offset = 0;
  for (const v of variables) {
    const part = flat.subarray(offset, offset + v.size);
    tf.tidy(() => v.assign(tf.tensor(part, v.shape, 'float32')));
    offset += v.size;
  }
}

/** Where one variable sits in a flat vector. */
export interface FlatLayoutEntry {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
}

/** Each variable's name, offset and size in the flat vector, in the given order. */
export function flatLayout(variables: readonly tf.Variable[]): FlatLayoutEntry[] {
  let offset = 0;
  return variables.map((v) => {
    const entry = { name: v.name, offset, size: v.size };
    offset += v.size;
    return entry;
  });
}
