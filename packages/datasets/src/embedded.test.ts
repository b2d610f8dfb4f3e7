import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classCounts } from './class-counts.js';
import { datasetNames, embeddedDatasetPath, loadCsvFile, loadDataset, type DatasetName } from './embedded.js';

// Transcribed from test/fixtures/shared/datasets/README.md (table and per-file sections); cols there include the label.
const EXPECTED: Record<DatasetName, { rows: number; cols: number; label: string; counts: number[]; bytes: number; sha256: string }> = {
  banknote: {
    rows: 1372, cols: 4, label: 'class', counts: [762, 610], bytes: 45071,
    sha256: 'a4e6eb57f00dc0c5696badf6553001e8871644b5b98ab1b2869054af1d255125',
  },
  digits: {
    rows: 1797, cols: 64, label: 'label', counts: [178, 182, 177, 183, 181, 182, 181, 179, 174, 180], bytes: 265358,
    sha256: '7a93e51f73dadeb4429b4fc0718b334d12864332b906bdf44f9da7599a7e0e01',
  },
  wine: {
    rows: 178, cols: 13, label: 'label', counts: [59, 71, 48], bytes: 11302,
    sha256: '23e4194a5c52a750cd051677786d41f8de435bb6fc210f597f07080b5d910ef7',
  },
  breast_cancer: {
    rows: 569, cols: 30, label: 'label', counts: [212, 357], bytes: 120380,
    sha256: '5c3e458a6f8780b7dd2bc07e65dc975d149b6f8324cb7442a6ead4c5c9858d07',
  },
  iris: {
    rows: 150, cols: 4, label: 'label', counts: [50, 50, 50], bytes: 2768,
    sha256: '87f0ef5229d3c2825151152009663887281a6e3e164d35161efdbdfb69951049',
  },
};

describe('embedded data sets', () => {
  it('ships exactly the five documented files', () => {
    expect([...datasetNames].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const name of datasetNames) {
    it(`${name}: bytes and sha256 match the shared README`, () => {
      const bytes = readFileSync(embeddedDatasetPath(name));
      expect(bytes.length).toBe(EXPECTED[name].bytes);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(EXPECTED[name].sha256);
    });

    it(`${name}: rows, columns, label name and class counts match the README`, () => {
      const ds = loadDataset(name);
      const e = EXPECTED[name];
      expect(ds.name).toBe(name);
      expect(ds.task).toBe('classification');
      // Detecting the header gives what declaring it does: no row is lost or read as a header by mistake.
      expect({ ...loadCsvFile(embeddedDatasetPath(name)), name }).toEqual(ds);
      expect([ds.rows, ds.cols, ds.numClasses]).toEqual([e.rows, e.cols, e.counts.length]);
      expect(ds.featureNames).toHaveLength(e.cols);
      expect(ds.labelName).toBe(e.label);
      expect(ds.features).toHaveLength(e.rows * e.cols);
      expect(classCounts(ds)).toEqual(e.counts);
    });
  }

  it('banknote: first row, the exponent-notation value and the last row are read exactly', () => {
    const ds = loadDataset('banknote');
    expect(ds.featureNames).toEqual(['variance', 'skewness', 'curtosis', 'entropy']);
    expect(Array.from(ds.exactFeatures!.subarray(0, 4))).toEqual([3.6216, 8.6661, -2.8073, -0.44699]);
    expect(Array.from(ds.features.subarray(0, 4))).toEqual([3.6216, 8.6661, -2.8073, -0.44699].map(Math.fround));
    expect(Array.from(ds.exactFeatures!)).toContain(-9.2828e-6);
    const lastLine = readFileSync(embeddedDatasetPath('banknote'), 'utf8').trimEnd().split('\n').at(-1)!;
    const last = lastLine.split(',').map(Number);
    expect(Array.from(ds.exactFeatures!.subarray((ds.rows - 1) * 4))).toEqual(last.slice(0, 4));
    expect(ds.labels[ds.rows - 1]).toBe(last[4]);
  });

  it('digits: pixel values are integer counts in 0..16', () => {
    const ds = loadDataset('digits');
    let min = Infinity;
    let max = -Infinity;
    let nonInteger = 0;
    for (const v of ds.features) {
      if (!Number.isInteger(v)) nonInteger++;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect([min, max, nonInteger]).toEqual([0, 16, 0]);
    expect(ds.featureNames[0]).toBe('pixel_0_0');
    expect(ds.featureNames[63]).toBe('pixel_7_7');
  });

  it('unknown name: error lists the allowed names', () => {
    expect(() => loadDataset('mnist' as DatasetName)).toThrow(
      "unknown data set 'mnist'; choose one of banknote, wine, digits, iris, breast_cancer, or load your own file with loadCsvFile(path)",
    );
  });

  it('loadCsvFile: reads a user file, names it after the file, and reports a missing file clearly', () => {
    const ds = loadCsvFile(embeddedDatasetPath('iris'));
    expect(ds.name).toBe('iris');
    expect(ds.rows).toBe(150);
    expect(() => loadCsvFile('/nonexistent/x.csv')).toThrow('/nonexistent/x.csv: cannot read the file (no such file); pass the path of a CSV file');
  });
});
