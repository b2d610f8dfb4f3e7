import * as tf from '@tensorflow/tfjs';
import type { ProbeLossName } from '@kramers/core';
import { loadCsvFile, subset, toTensors, type Dataset } from '@kramers/datasets';
import { CliError } from '../cli-error.js';

/** Losses whose targets are class labels in the CSV's last column; the others take float targets, one per output. */
const LABEL_LOSSES: readonly ProbeLossName[] = ['categoricalCrossentropy', 'sparseCategoricalCrossentropy'];

export interface ModelDataFlags {
  readonly data: string;
  readonly targets?: number;
  readonly header?: boolean;
}

/**
 * Reads the CSV the way the loss needs it: an integer class label last (categorical cross-entropy: one-hot to the
 * model's outputs; sparse: the label itself), or one float target column per output (MSE, MAE, Huber, binary
 * cross-entropy). Errors name the flag, the file, line and column, and what is supported.
 */
export function loadModelData(flags: ModelDataFlags, loss: ProbeLossName, model: tf.LayersModel): Dataset {
  const outputs = lastDim(model.outputs[0]!.shape);
  const inputs = lastDim(model.inputs[0]!.shape);
  const labels = LABEL_LOSSES.includes(loss);
  if (labels && flags.targets !== undefined) {
    throw new CliError(
      `--targets is for losses with float targets (meanSquaredError, meanAbsoluteError, huber, binaryCrossentropy); under ${loss} the CSV ends with one integer class label`,
    );
  }
  if (!labels && flags.targets !== undefined && flags.targets !== outputs) {
    throw new CliError(`--targets ${flags.targets} but the model has ${outputs} output${outputs === 1 ? '' : 's'}; under ${loss} the CSV ends with one target column per output`);
  }
  const regressionHint = outputs === 1 ? '; for a regression model (one linear output, a numeric target last) use --targets 1 --loss meanSquaredError' : '';
  let data: Dataset;
  try {
    data = labels ? loadCsvFile(flags.data, { header: flags.header }) : loadCsvFile(flags.data, { header: flags.header, targets: outputs });
  } catch (err) {
    const message = (err as Error).message;
    throw new CliError(`--data ${message}${labels && message.includes('the label') ? regressionHint : ''}`);
  }
  if (data.cols !== inputs) {
    const tail = labels ? 'then the label' : `then ${outputs} target column${outputs === 1 ? '' : 's'}`;
    throw new CliError(`--data ${flags.data}: has ${data.cols} feature columns but the model takes ${inputs} inputs; the CSV must hold the model's features, ${tail}`);
  }
  if (data.task === 'classification') {
    if (data.numClasses > outputs) {
      throw new CliError(
        `--data ${flags.data}: labels go up to ${data.numClasses - 1} but the model has ${outputs} output${outputs === 1 ? '' : 's'}; ` +
          `${loss} needs one output per class (labels 0..${outputs - 1})${regressionHint}`,
      );
    }
    // One-hot to the model's width, even when the highest classes are absent from this file.
    return { ...data, numClasses: outputs };
  }
  return data;
}

/** The probe batch's tensors: all rows, or the given ones; the caller disposes them. */
export function probeTensors(data: Dataset, loss: ProbeLossName, rows: Int32Array | undefined): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const part = rows === undefined ? data : subset(data, rows);
  if (loss !== 'sparseCategoricalCrossentropy' || part.task !== 'classification') return toTensors(part);
  const x = tf.tensor2d(part.features, [part.rows, part.cols], 'float32');
  return { x, y: tf.tensor2d(Float32Array.from(part.labels), [part.rows, 1], 'float32') };
}

function lastDim(shape: readonly (number | null)[]): number {
  return shape[shape.length - 1] ?? 0;
}
