import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  batchesPerEpoch,
  classCounts,
  loadDataset,
  minibatches,
  shuffle,
  subset,
  toTensors,
  trainTestSplit,
} from '@kramers/datasets';

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

describe('minibatches', () => {
  it('cover every row exactly once per epoch; sizes 32 × 42 + 28 for banknote', () => {
    const batches = [...minibatches(banknote, { batchSize: 32, seed: 1, epoch: 0 })];
    expect(batches).toHaveLength(batchesPerEpoch(1372, 32));
    expect(batches).toHaveLength(43);
    expect(batches.slice(0, -1).every((b) => b.length === 32)).toBe(true);
    expect(batches.at(-1)!.length).toBe(1372 - 42 * 32);
    const all = batches.flatMap((b) => Array.from(b));
    expect(sortedCopy(all)).toEqual(Array.from({ length: 1372 }, (_, i) => i));
  });

  it('dropLast drops only the short tail', () => {
    const batches = [...minibatches(banknote, { batchSize: 32, seed: 1, epoch: 0, dropLast: true })];
    expect(batches).toHaveLength(42);
    expect(batchesPerEpoch(1372, 32, true)).toBe(42);
    expect(new Set(batches.flatMap((b) => Array.from(b))).size).toBe(42 * 32);
  });

  it('same (seed, epoch) → same order; another epoch or seed → another order', () => {
    const order = (seed: number, epoch: number) =>
      [...minibatches(wine, { batchSize: 16, seed, epoch })].flatMap((b) => Array.from(b));
    expect(order(3, 0)).toEqual(order(3, 0));
    expect(order(3, 1)).not.toEqual(order(3, 0));
    expect(order(4, 0)).not.toEqual(order(3, 0));
    // Per-epoch orders are a pure function of (seed, epoch): asking for epoch 5 first changes nothing.
    const e5 = order(3, 5);
    order(3, 4);
    expect(order(3, 5)).toEqual(e5);
  });

  it('bad options', () => {
    expect(() => minibatches(wine, { batchSize: 0, seed: 1, epoch: 0 }).next()).toThrow(
      'minibatches: batchSize = 0; use an integer ≥ 1, e.g. 32',
    );
    expect(() => minibatches(wine, { batchSize: 8, seed: 1, epoch: -1 }).next()).toThrow(
      'minibatches: epoch = -1; use the epoch number, an integer ≥ 0',
    );
  });
});

describe('toTensors', () => {
  it('gives float32 features and one-hot float32 labels for the chosen rows, and leaks nothing', async () => {
    await tf.setBackend('cpu');
    const before = tf.memory().numTensors;
    const idx = Int32Array.from([0, 177, 60]);
    const { x, y } = toTensors(wine, idx);
    expect(x.shape).toEqual([3, 13]);
    expect(y.shape).toEqual([3, 3]);
    expect([x.dtype, y.dtype]).toEqual(['float32', 'float32']);
    expect(Array.from(x.dataSync())).toEqual(Array.from(subset(wine, idx).features));
    expect(Array.from(y.dataSync())).toEqual([1, 0, 0, 0, 0, 1, 0, 1, 0]); // labels 0, 2, 1
    tf.dispose([x, y]);
    const all = toTensors(wine);
    expect(all.x.shape).toEqual([178, 13]);
    expect(tf.tidy(() => all.y.sum().arraySync())).toBe(178);
    tf.dispose(all);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => toTensors(wine, [178])).toThrow('toTensors(wine): indices[0] = 178 is not a row index in 0..177');
  });
});
