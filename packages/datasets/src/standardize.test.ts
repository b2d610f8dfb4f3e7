import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { createDataset } from './create-dataset.js';
import { loadDataset, type DatasetName } from './embedded.js';
import { trainTestSplit } from './split.js';
import { applyStandardization, standardize } from './standardize.js';

// Independent float64 references (test/fixtures/README.md), or KRAMERS_SHARED.
const SHARED = process.env['KRAMERS_SHARED'] ?? fileURLToPath(new URL('../../../test/fixtures/shared/', import.meta.url));

// The reference cases z-scored the data in float64 (ddof 0) and rounded to float32 (test/fixtures/shared/reference/README.md).
const CASES: Array<[DatasetName, string]> = [
  ['banknote', 'banknote-mlp'],
  ['wine', 'wine-mlp'],
];

function readReference(dir: string) {
  const ref = JSON.parse(readFileSync(join(SHARED, 'reference', dir, 'reference.json'), 'utf8')) as {
    preprocessing: { mean: number[]; std: number[]; std_ddof: number };
  };
  const lines = readFileSync(join(SHARED, 'reference', dir, 'data.csv'), 'utf8').trimEnd().split('\n');
  const rows = lines.slice(1).map((l) => l.split(',').map(Number));
  return { pre: ref.preprocessing, rows };
}

describe('standardize against the float64 reference preprocessing', () => {
  for (const [name, dir] of CASES) {
    it(`${name}: mean and std equal reference.json bit for bit; z-scores equal data.csv exactly in float32`, () => {
      const { pre, rows } = readReference(dir);
      expect(pre.std_ddof).toBe(0);
      const { dataset, mean, std } = standardize(loadDataset(name));
      expect(mean).toEqual(pre.mean);
      expect(std).toEqual(pre.std);

      expect(rows).toHaveLength(dataset.rows);
      let mismatches = 0;
      let maxDiff = 0;
      for (let i = 0; i < dataset.rows; i++) {
        for (let j = 0; j < dataset.cols; j++) {
          const d = Math.abs(dataset.features[i * dataset.cols + j]! - rows[i]![j]!);
          if (d !== 0) mismatches++;
          maxDiff = Math.max(maxDiff, d);
        }
        expect(dataset.labels[i]).toBe(rows[i]![dataset.cols]);
      }
      expect({ mismatches, maxDiff }).toEqual({ mismatches: 0, maxDiff: 0 });
    });
  }

  it('without the float64 values (float32 input only) the z-scores are within 2.5e-7 of the reference', () => {
    // Documents why Dataset keeps exactFeatures: float32 copies of the decimals shift the statistics by ~1e-9.
    const raw = loadDataset('banknote');
    const f32only = createDataset({ ...raw, features: raw.features });
    const { pre, rows } = readReference('banknote-mlp');
    const { dataset, mean } = standardize(f32only);
    let maxDiff = 0;
    for (let i = 0; i < dataset.rows; i++) {
      for (let j = 0; j < 4; j++) maxDiff = Math.max(maxDiff, Math.abs(dataset.features[i * 4 + j]! - rows[i]![j]!));
    }
    expect(maxDiff).toBeGreaterThan(0);
    expect(maxDiff).toBeLessThan(2.5e-7);
    for (let j = 0; j < 4; j++) expect(Math.abs(mean[j]! - pre.mean[j]!)).toBeLessThan(1e-8 * Math.abs(pre.mean[j]!));
  });

  it('standardised columns have mean 0 and population std 1', () => {
    const { dataset } = standardize(loadDataset('breast_cancer'));
    const x = dataset.exactFeatures!;
    for (let j = 0; j < dataset.cols; j++) {
      let s = 0;
      let s2 = 0;
      for (let i = 0; i < dataset.rows; i++) s += x[i * dataset.cols + j]!;
      const m = s / dataset.rows;
      for (let i = 0; i < dataset.rows; i++) s2 += (x[i * dataset.cols + j]! - m) ** 2;
      expect(Math.abs(m)).toBeLessThan(1e-12);
      expect(Math.sqrt(s2 / dataset.rows)).toBeCloseTo(1, 12);
    }
  });

  it('a constant column is centred, not NaN, and reports std 1', () => {
    const ds = createDataset({
      name: 'c',
      featureNames: ['const', 'x'],
      labelName: 'y',
      features: Float64Array.from([5, 1, 5, 2, 5, 3]),
      labels: Int32Array.from([0, 1, 0]),
    });
    const { dataset, mean, std } = standardize(ds);
    expect(mean).toEqual([5, 2]);
    expect(std).toEqual([1, Math.sqrt(2 / 3)]);
    expect(Array.from(dataset.features)).toEqual([0, -1, 0, 0, 0, 1].map((v, k) => Math.fround(k % 2 ? v / Math.sqrt(2 / 3) : v)));
  });

  it('applyStandardization reuses training statistics on the test part', () => {
    const { train, test } = trainTestSplit(loadDataset('wine'), { testFraction: 0.25, seed: 3, stratify: true });
    const fit = standardize(train);
    const t = applyStandardization(test, fit);
    const j = 12; // proline, the largest-scale column
    for (let i = 0; i < test.rows; i++) {
      expect(t.exactFeatures![i * 13 + j]).toBe((test.exactFeatures![i * 13 + j]! - fit.mean[j]!) / fit.std[j]!);
    }
    expect(() => applyStandardization(test, { mean: [0], std: [1] })).toThrow(
      'applyStandardization(wine/test): mean has 1 and std 1 entries but the dataset has 13 feature columns; use statistics fitted on data with the same columns',
    );
    expect(() => applyStandardization(test, { mean: fit.mean, std: fit.std.map(() => 0) })).toThrow(
      'applyStandardization: std[0] = 0 must be a finite number > 0',
    );
  });
});
