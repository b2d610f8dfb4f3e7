import { existsSync } from 'node:fs';
import { datasetNames, isDatasetName, loadCsvFile, type Dataset, type DatasetName } from '@kramers/datasets';
import { CliError } from '../cli-error.js';

export type TaskFlag = 'classification' | 'regression';

export interface DatasetFlags {
  /** An embedded data set's name or the path of a CSV file. */
  readonly dataset: string;
  readonly task?: TaskFlag;
  readonly targets?: number;
  /** --header (true), --no-header (false), or neither (detect). */
  readonly header?: boolean;
}

/** What `--dataset` and its companions `--task`, `--targets`, `--header/--no-header` name: an embedded set or a loaded CSV. */
export function resolveDataset(flags: DatasetFlags): DatasetName | Dataset {
  const { dataset, task, targets, header } = flags;
  if (isDatasetName(dataset)) {
    const csvOnly = [task === 'regression' ? '--task regression' : '', targets !== undefined ? '--targets' : '', header !== undefined ? (header ? '--header' : '--no-header') : '']
      .filter((s) => s !== '');
    if (csvOnly.length > 0) {
      throw new CliError(`${csvOnly.join(', ')} only apply to a CSV file given to --dataset; ${dataset} is an embedded classification set`);
    }
    return dataset;
  }
  if (!existsSync(dataset)) {
    throw new CliError(`--dataset got "${dataset}": neither an embedded data set (${datasetNames.join(', ')}) nor an existing CSV file`);
  }
  if (task === 'classification' && targets !== undefined) {
    throw new CliError('--targets is for --task regression; a classification CSV has one integer label in its last column');
  }
  const regression = task === 'regression' || targets !== undefined;
  try {
    return regression ? loadCsvFile(dataset, { header, targets: targets ?? 1 }) : loadCsvFile(dataset, { header });
  } catch (err) {
    const message = (err as Error).message;
    // A numeric last column read as a class label is most often a regression target.
    const hint = !regression && message.includes('the label') ? '; if the last column is a numeric target, pass --task regression' : '';
    throw new CliError(`--dataset: ${message}${hint}`);
  }
}
