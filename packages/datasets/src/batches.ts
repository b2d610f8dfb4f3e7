import { createRng, permutation, seedFor } from '@kramers/core';
import type { Dataset } from './dataset.js';
import { checkSeed } from './seed.js';

export interface MinibatchOptions {
  /** Rows per batch, an integer ≥ 1. */
  batchSize: number;
  /** Integer seed of the run. */
  seed: number;
  /** Epoch number (integer ≥ 0); each epoch has its own order, a pure function of (seed, epoch). */
  epoch: number;
  /** Drop the last batch when it is smaller than batchSize (default false: keep it). */
  dropLast?: boolean;
}

/**
 * Row indices of one epoch's minibatches, sampled without replacement: a permutation drawn from (seed, epoch),
 * cut into consecutive batches. Yields index arrays rather than copies so the caller picks how to materialise
 * them (`toTensors(ds, batch)` or `subset(ds, batch)`); every row appears exactly once per epoch (unless
 * `dropLast` drops the short tail).
 */
export function* minibatches(ds: Dataset, options: MinibatchOptions): Generator<Int32Array, void, undefined> {
  const { batchSize, seed, epoch, dropLast = false } = options;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`minibatches: batchSize = ${String(batchSize)}; use an integer ≥ 1, e.g. 32`);
  }
  checkSeed('minibatches', seed);
  if (!Number.isSafeInteger(epoch) || epoch < 0) {
    throw new RangeError(`minibatches: epoch = ${String(epoch)}; use the epoch number, an integer ≥ 0`);
  }
  const order = permutation(ds.rows, createRng(seedFor('minibatches', seed, epoch)));
  for (let start = 0; start < ds.rows; start += batchSize) {
    const end = Math.min(start + batchSize, ds.rows);
    if (dropLast && end - start < batchSize) return;
    yield order.slice(start, end);
  }
}

/** How many batches `minibatches` yields per epoch. */
export function batchesPerEpoch(rows: number, batchSize: number, dropLast = false): number {
  return dropLast ? Math.floor(rows / batchSize) : Math.ceil(rows / batchSize);
}
