import { createRng, seedFor, type Rng } from '@kramers/core';

/**
 * One random stream per replica, keyed by (seed, replica id) alone, so replica r draws the same numbers whether it
 * runs among 100 others or alone, in any worker, after any other replica has been dropped.
 */
export function replicaStreams(seed: number, ids: ArrayLike<number>): Rng[] {
  return Array.from({ length: ids.length }, (_, r) => createRng(seedFor('kramers-replica', seed, ids[r]!)));
}
