import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCsv, type ClassificationCsvOptions, type ParseCsvOptions, type RegressionCsvOptions } from './csv.js';
import type { ClassificationDataset, Dataset, RegressionDataset } from './dataset.js';

/** The data sets shipped in the package's `data/` folder (sources and licences in the package README). */
export const datasetNames = ['banknote', 'wine', 'digits', 'iris', 'breast_cancer'] as const;
export type DatasetName = (typeof datasetNames)[number];

export function isDatasetName(name: string): name is DatasetName {
  return (datasetNames as readonly string[]).includes(name);
}

/** Absolute path of an embedded CSV file. */
export function embeddedDatasetPath(name: DatasetName): string {
  assertDatasetName(name);
  // src/ (under vitest) and dist/ (after build) are both one level below the package root, next to data/.
  return fileURLToPath(new URL(`../data/${name}.csv`, import.meta.url));
}

/** Loads an embedded data set (all five are classification sets with a header row), unscaled, in file order. */
export function loadDataset(name: DatasetName): ClassificationDataset {
  return loadCsvFile(embeddedDatasetPath(name), { name, header: true });
}

/**
 * Loads a CSV file in the format `parseCsv` reads: features, then an integer label, or with `targets: N` the last N
 * columns as float targets; a header row is detected unless `header` says.
 */
export function loadCsvFile(path: string, options?: Omit<ClassificationCsvOptions, 'source'>): ClassificationDataset;
export function loadCsvFile(path: string, options: Omit<RegressionCsvOptions, 'source'>): RegressionDataset;
export function loadCsvFile(path: string, options: Omit<ParseCsvOptions, 'source'>): Dataset;
export function loadCsvFile(path: string, options: Omit<ParseCsvOptions, 'source'> = {}): Dataset {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    throw new Error(`${path}: cannot read the file (${why}); pass the path of a CSV file`);
  }
  return parseCsv(text, { name: basename(path).replace(/\.csv$/i, ''), ...options, source: path } as ParseCsvOptions);
}

function assertDatasetName(name: string): asserts name is DatasetName {
  if (!isDatasetName(name)) {
    throw new Error(
      `unknown data set '${name}'; choose one of ${datasetNames.join(', ')}, or load your own file with loadCsvFile(path)`,
    );
  }
}
