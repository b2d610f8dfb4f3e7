import { createRng, seedFor, type Rng } from '@kramers/core';

/**
 * One random stream per replica, keyed by (seed, replica id) alone, so replica r draws the same numbers whether it
 * runs among 100 others or alone, in any worker, after any other replica has been dropped.
 */
export function replicaStreams(seed: number, ids: ArrayLike<number>): Rng[] {
  return Array.from({ length: ids.length }, (_, r) => createRng(seedFor('kramers-replica', seed, ids[r]!)));
}

/** R ≥ 1 replicas with ids firstReplica … firstReplica + R − 1 (firstReplica ≥ 0), or an error naming the field. */
export function checkReplicaIds(where: string, replicas: number, firstReplica: number): void {
  if (!Number.isSafeInteger(replicas) || replicas < 1) {
    throw new RangeError(`${where}: replicas = ${String(replicas)}; use an integer ≥ 1, e.g. 100`);
  }
  if (!Number.isSafeInteger(firstReplica) || firstReplica < 0) {
    throw new RangeError(`${where}: firstReplica = ${String(firstReplica)}; use an integer ≥ 0`);
  }
}
