import type * as tf from '@tensorflow/tfjs';

/** Refuses a point of the wrong length, naming the function and the expected length. */
export function checkPoint(where: string, theta: ArrayLike<number>, dim: number): void {
  if (theta.length !== dim) {
    throw new Error(`${where}: theta has ${theta.length} entries; this landscape has dim ${dim}, pass ${dim} numbers`);
  }
}

/** Refuses a replica batch that is not float32 [R, dim]. */
export function checkBatch(where: string, theta: tf.Tensor2D, dim: number): void {
  if (theta.rank !== 2 || theta.shape[1] !== dim) {
    throw new Error(`${where}: theta has shape [${theta.shape.join(', ')}]; pass [R, ${dim}] (one row per replica)`);
  }
  if (theta.dtype !== 'float32') {
    throw new Error(`${where}: theta has dtype ${theta.dtype}; pass a float32 tensor`);
  }
}

/** A finite number > 0, or an Error naming the field and what to pass instead. */
export function positive(where: string, field: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new Error(`${where}: ${field} = ${String(value)}; pass a finite number > 0`);
  }
  return value;
}

/** A finite number, or an Error naming the field. */
export function finite(where: string, field: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`${where}: ${field} = ${String(value)}; pass a finite number`);
  }
  return value;
}
