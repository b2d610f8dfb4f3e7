import { createRng, permutation, seedFor } from '@kramers/core';
import type { ClassificationDataset, Dataset } from './dataset.js';
import { subset } from './subset.js';
import { checkSeed } from './seed.js';

/** The rows in a seeded random order (same seed, same order). */
export function shuffle<D extends Dataset>(ds: D, seed: number): D {
  checkSeed('shuffle', seed);
  return subset(ds, permutation(ds.rows, createRng(seedFor('shuffle', seed))));
}

export interface SplitOptions {
  /** Fraction of rows in the test set, in (0, 1); the test set gets round(testFraction · rows) rows. */
  testFraction: number;
  /** Integer seed; the same seed gives the same split. */
  seed: number;
  /**
   * Keep each class's share in both parts (each class's test count is within 1 of testFraction · its count).
   * Classification sets only: a regression set has no classes, and passing `stratify: true` with one does not compile.
   */
  stratify?: boolean;
}

export interface Split<D extends Dataset = Dataset> {
  train: D;
  test: D;
  /** Row indices into the original dataset, in the order of `train` / `test` (a seeded random order). */
  trainIndices: Int32Array;
  testIndices: Int32Array;
}

// Not distributive ([D] …): for the union Dataset, stratify must be false too.
type SplitOptionsFor<D extends Dataset> = [D] extends [ClassificationDataset] ? SplitOptions : SplitOptions & { stratify?: false };

export function trainTestSplit<D extends Dataset>(ds: D, options: SplitOptionsFor<D>): Split<D> {
  const { testFraction, seed, stratify = false } = options;
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new RangeError(`trainTestSplit: testFraction = ${String(testFraction)}; use a number strictly between 0 and 1, e.g. 0.2`);
  }
  checkSeed('trainTestSplit', seed);
  const nTest = Math.round(testFraction * ds.rows);
  if (nTest < 1 || nTest > ds.rows - 1) {
    throw new RangeError(
      `trainTestSplit(${ds.name}): testFraction = ${testFraction} of ${ds.rows} rows gives ${nTest} test rows; ` +
        `both parts need at least one row, so choose testFraction between ${(0.5 / ds.rows).toPrecision(2)} and ` +
        `${(1 - 0.5 / ds.rows).toPrecision(3)}`,
    );
  }
  const rng = createRng(seedFor('trainTestSplit', seed, stratify ? 'stratified' : 'plain'));
  let testIdx: Int32Array;
  let trainIdx: Int32Array;
  if (stratify && ds.task !== 'classification') {
    throw new RangeError(`trainTestSplit(${ds.name}): stratify needs class labels, and this is a regression set; leave stratify off`);
  }
  if (!stratify || ds.task !== 'classification') {
    const p = permutation(ds.rows, rng);
    testIdx = p.slice(0, nTest);
    trainIdx = p.slice(nTest);
  } else {
    const byClass: number[][] = Array.from({ length: ds.numClasses }, () => []);
    for (let i = 0; i < ds.rows; i++) byClass[ds.labels[i]!]!.push(i);
    const quota = stratifiedQuotas(
      byClass.map((c) => c.length),
      nTest,
    );
    const test: number[] = [];
    const train: number[] = [];
    byClass.forEach((members, c) => {
      const p = permutation(members.length, rng);
      for (let k = 0; k < members.length; k++) (k < quota[c]! ? test : train).push(members[p[k]!]!);
    });
    // Interleave the classes so neither part is sorted by label.
    testIdx = reorder(test, permutation(test.length, rng));
    trainIdx = reorder(train, permutation(train.length, rng));
  }
  return {
    train: subset(ds, trainIdx, `${ds.name}/train`),
    test: subset(ds, testIdx, `${ds.name}/test`),
    trainIndices: trainIdx,
    testIndices: testIdx,
  };
}

/**
 * Test rows per class summing exactly to nTest: the floor of each class's proportional share, then the leftover
 * rows to the classes with the largest fractional parts (Hamilton's largest-remainder method).
 */
function stratifiedQuotas(counts: readonly number[], nTest: number): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  const share = counts.map((n) => (nTest * n) / total);
  const quota = share.map(Math.floor);
  let left = nTest - quota.reduce((a, b) => a + b, 0);
  const order = counts.map((_, c) => c).sort((a, b) => share[b]! - quota[b]! - (share[a]! - quota[a]!) || a - b);
  for (const c of order) {
    if (left === 0) break;
    if (quota[c]! < counts[c]!) {
      quota[c]! += 1;
      left--;
    }
  }
  return quota;
}

function reorder(xs: readonly number[], p: Int32Array): Int32Array {
  const out = new Int32Array(xs.length);
  for (let k = 0; k < xs.length; k++) out[k] = xs[p[k]!]!;
  return out;
}
