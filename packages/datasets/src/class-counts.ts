import type { ClassificationDataset } from './dataset.js';

/** Number of rows per class, indexed by label (length numClasses). */
export function classCounts(ds: ClassificationDataset): number[] {
  const counts = new Array<number>(ds.numClasses).fill(0);
  for (let i = 0; i < ds.rows; i++) counts[ds.labels[i]!]! += 1;
  return counts;
}
