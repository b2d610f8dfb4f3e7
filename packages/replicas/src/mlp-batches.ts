import { createRng, permutation, seedFor } from '@kramers/core';

/** Writes the next minibatch's row indices into out[offset .. offset + batchSize). */
export type MinibatchFiller = (out: Int32Array, offset: number) => void;

/**
 * Replica `id`'s minibatch sequence: each epoch a fresh permutation of the rows from the replica's own stream
 * (keyed by (seed, id) alone, separate from its SGLD noise stream, so every optimizer sees the same batches), cut
 * into consecutive batches of `batchSize` rows drawn without replacement. An epoch's last partial batch
 * (rows mod batchSize rows) is dropped, as PyTorch's DataLoader does with drop_last, so every step averages
 * exactly batchSize examples.
 */
export function minibatchFiller(seed: number, id: number, rows: number, batchSize: number): MinibatchFiller {
  checkMinibatching('replicaMinibatches', seed, id, rows, batchSize);
  const rng = createRng(seedFor('kramers-replica-minibatches', seed, id));
  let order = permutation(rows, rng);
  let position = 0;
  return (out, offset) => {
    if (position + batchSize > rows) {
      order = permutation(rows, rng);
      position = 0;
    }
    out.set(order.subarray(position, position + batchSize), offset);
    position += batchSize;
  };
}

/**
 * The minibatches replica `id` of a model ensemble with this seed trains on, in order: call the returned function
 * once per iteration. For reproducing one replica outside the ensemble (e.g. with a tfjs model).
 */
export function replicaMinibatches(seed: number, id: number, rows: number, batchSize: number): () => Int32Array {
  const fill = minibatchFiller(seed, id, rows, batchSize);
  return () => {
    const out = new Int32Array(batchSize);
    fill(out, 0);
    return out;
  };
}

export function checkMinibatching(where: string, seed: number, id: number, rows: number, batchSize: number): void {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`${where}: seed = ${String(seed)}; use an integer, e.g. 0`);
  if (!Number.isSafeInteger(id) || id < 0) throw new RangeError(`${where}: replica id = ${String(id)}; use an integer ≥ 0`);
  if (!Number.isSafeInteger(batchSize) || batchSize < 1 || batchSize > rows) {
    throw new RangeError(`${where}: batchSize = ${String(batchSize)}; use an integer from 1 to the number of rows (${rows}), e.g. 16`);
  }
}
