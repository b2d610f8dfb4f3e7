export type { Dataset, ClassificationDataset, RegressionDataset, Task } from './dataset.js';
export type { DatasetInit, ClassificationInit, RegressionInit } from './create-dataset.js';
export { createDataset } from './create-dataset.js';
export { subset } from './subset.js';
export { classCounts } from './class-counts.js';
export type { ParseCsvOptions, ClassificationCsvOptions, RegressionCsvOptions } from './csv.js';
export { parseCsv } from './csv.js';
export type { DatasetName } from './embedded.js';
export { datasetNames, isDatasetName, embeddedDatasetPath, loadDataset, loadCsvFile } from './embedded.js';
export type { Standardization } from './standardize.js';
export { standardize, fitStandardization, applyStandardization } from './standardize.js';
export type { SplitOptions, Split } from './split.js';
export { shuffle, trainTestSplit } from './split.js';
export type { MinibatchOptions } from './batches.js';
export { minibatches, batchesPerEpoch } from './batches.js';
export { toTensors } from './tensors.js';
export type { Landscape, CriticalPoint, Exit, Valley, Profile1D } from './landscapes/landscape.js';
export type { ElementwiseProfile, SeparableLandscape, SeparableInit } from './landscapes/separable-landscape.js';
export { separableLandscape } from './landscapes/separable-landscape.js';
export type {
  StyblinskiTangOptions,
  StyblinskiTangLandscape,
  StyblinskiTangPoints,
  StyblinskiTangWell,
  ProfilePoint,
} from './landscapes/styblinski-tang.js';
export {
  styblinskiTang,
  styblinskiTangProfile,
  styblinskiTangMinimum,
  styblinskiTangPoints,
  STYBLINSKI_TANG_POINTS,
} from './landscapes/styblinski-tang.js';
export type { QuadraticValleyOptions, QuadraticValleyLandscape } from './landscapes/quadratic-valley.js';
export { quadraticValley } from './landscapes/quadratic-valley.js';
export type { DoubleWellOptions, DoubleWellLandscape } from './landscapes/double-well.js';
export { doubleWell, doubleWellTiltLimit } from './landscapes/double-well.js';
export type { BarrierBoundary } from './landscapes/boundary-barrier.js';
export { boundaryBarrier } from './landscapes/boundary-barrier.js';
