import { describe, expect, it } from 'vitest';
import { classCounts } from './class-counts.js';
import { createDataset } from './create-dataset.js';
import { loadDataset } from './embedded.js';
import { shuffle, trainTestSplit } from './split.js';

const banknote = loadDataset('banknote');
const wine = loadDataset('wine');

function sortedCopy(a: ArrayLike<number>): number[] {
  return Array.from(a).sort((x, y) => x - y);
}

describe('trainTestSplit', () => {
  it('banknote 20%: 274 test + 1098 train rows, a partition of all rows, rows copied correctly', () => {
    const s = trainTestSplit(banknote, { testFraction: 0.2, seed: 7 });
    expect([s.test.rows, s.train.rows]).toEqual([274, 1098]); // round(0.2 · 1372) = round(274.4)
    expect(sortedCopy([...s.testIndices, ...s.trainIndices])).toEqual(Array.from({ length: 1372 }, (_, i) => i));
    for (let k = 0; k < s.test.rows; k += 37) {
      const i = s.testIndices[k]!;
      expect(Array.from(s.test.features.subarray(k * 4, k * 4 + 4))).toEqual(Array.from(banknote.features.subarray(i * 4, i * 4 + 4)));
      expect(s.test.labels[k]).toBe(banknote.labels[i]);
    }
    expect(s.test.numClasses).toBe(2);
  });

  it('same seed gives the same split; another seed another one', () => {
    const a = trainTestSplit(banknote, { testFraction: 0.2, seed: 7 });
    const b = trainTestSplit(banknote, { testFraction: 0.2, seed: 7 });
    const c = trainTestSplit(banknote, { testFraction: 0.2, seed: 8 });
    expect(b.testIndices).toEqual(a.testIndices);
    expect(c.testIndices).not.toEqual(a.testIndices);
  });

  it('stratified: each class share within one row of testFraction · count (wine 59/71/48 at 30%)', () => {
    for (const seed of [1, 2, 3]) {
      const s = trainTestSplit(wine, { testFraction: 0.3, seed, stratify: true });
      expect(s.test.rows).toBe(53); // round(0.3 · 178) = round(53.4)
      const t = classCounts(s.test);
      const r = classCounts(s.train);
      // Shares 17.7, 21.3, 14.4 → floors 17, 21, 14 (sum 52); the leftover row goes to the largest remainder (class 0).
      expect(t).toEqual([18, 21, 14]);
      expect(t.map((n, c) => n + r[c]!)).toEqual([59, 71, 48]);
      expect(sortedCopy([...s.testIndices, ...s.trainIndices])).toEqual(Array.from({ length: 178 }, (_, i) => i));
    }
    const strat = trainTestSplit(banknote, { testFraction: 0.2, seed: 11, stratify: true });
    expect(classCounts(strat.test)).toEqual([152, 122]); // shares 152.2 and 121.8 → floors 152 + 121, the leftover row to class 1
  });

  it('stratified parts are interleaved, not sorted by class', () => {
    const s = trainTestSplit(wine, { testFraction: 0.3, seed: 1, stratify: true });
    const labels = Array.from(s.test.labels);
    expect(labels).not.toEqual([...labels].sort());
  });

  it('bad options', () => {
    expect(() => trainTestSplit(wine, { testFraction: 1, seed: 1 })).toThrow(
      'trainTestSplit: testFraction = 1; use a number strictly between 0 and 1, e.g. 0.2',
    );
    expect(() => trainTestSplit(wine, { testFraction: 0.001, seed: 1 })).toThrow(
      'trainTestSplit(wine): testFraction = 0.001 of 178 rows gives 0 test rows; both parts need at least one row',
    );
    expect(() => trainTestSplit(wine, { testFraction: 0.2, seed: 1.5 })).toThrow(
      'trainTestSplit: seed = 1.5; use an integer seed, e.g. 42',
    );
  });

  it('shuffle is a seeded permutation of the rows', () => {
    const a = shuffle(wine, 5);
    expect(shuffle(wine, 5).labels).toEqual(a.labels);
    expect(classCounts(a)).toEqual([59, 71, 48]);
    expect(Array.from(a.labels)).not.toEqual(Array.from(wine.labels));
  });
});


describe('trainTestSplit on a regression set', () => {
  const reg = createDataset({
    name: 'line',
    featureNames: ['x'],
    features: Float64Array.from({ length: 10 }, (_, i) => i),
    targetNames: ['y'],
    targets: Float64Array.from({ length: 10 }, (_, i) => 2 * i + 1),
  });

  it('splits rows with their targets; stratify is refused at run time (and does not compile)', () => {
    const s = trainTestSplit(reg, { testFraction: 0.3, seed: 2 });
    expect([s.train.task, s.test.rows, s.train.rows]).toEqual(['regression', 3, 7]);
    for (let k = 0; k < 3; k++) expect(s.test.targets[k]).toBe(2 * s.test.features[k]! + 1);
    // @ts-expect-error a regression set has no classes to stratify by
    expect(() => trainTestSplit(reg, { testFraction: 0.3, seed: 2, stratify: true })).toThrow(
      'trainTestSplit(line): stratify needs class labels, and this is a regression set; leave stratify off',
    );
  });
});
