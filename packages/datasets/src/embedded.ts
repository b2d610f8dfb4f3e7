import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCsv, type ParseCsvOptions } from './csv.js';
import type { Dataset } from './dataset.js';

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

/** Loads an embedded data set, unscaled, in file order. */
export function loadDataset(name: DatasetName): Dataset {
  return loadCsvFile(embeddedDatasetPath(name), { name });
}

/** Loads a user CSV file in the same format (header row, features, integer label last). */
export function loadCsvFile(path: string, options: Omit<ParseCsvOptions, 'source'> = {}): Dataset {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    throw new Error(`loadCsvFile: cannot read '${path}': ${why}; pass the path of a CSV file`);
  }
  return parseCsv(text, { name: basename(path).replace(/\.csv$/i, ''), ...options, source: path });
}

function assertDatasetName(name: string): asserts name is DatasetName {
  if (!isDatasetName(name)) {
    throw new Error(
      `unknown data set '${name}'; choose one of ${datasetNames.join(', ')}, or load your own file with loadCsvFile(path)`,
    );
  }
}
