/** Seeds must be integers: the RNG keys on their decimal text, and 1.5 vs 1 would silently be different runs. */
export function checkSeed(fn: string, seed: number): void {
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`${fn}: seed = ${String(seed)}; use an integer seed, e.g. 42`);
  }
}
