import type * as tf from '@tensorflow/tfjs';
import { loadModel } from '@kramers/core/node';
import { findNonFiniteWeight } from '@kramers/experiments';
import { registerOptimizers } from '@kramers/optimizers';
import { CliError } from '../cli-error.js';

/**
 * A saved tfjs LayersModel named by `--model`, checked for what the probe and the CSV layout assume: one flat input,
 * one output, finite weights. Every refusal is a CliError naming the flag and the fix; `measures` completes "a model
 * with non-finite weights has no … to measure". The caller disposes the model.
 */
export async function loadSavedModel(path: string, measures: string): Promise<tf.LayersModel> {
  // A model trained with kramers' SGLD names it in its training config; tfjs must know the class to load it.
  registerOptimizers();
  const model = await loadModel(path).catch((err: Error) => {
    throw new CliError(`--model ${path}: ${withoutPrefix(err.message, `${path}: `)}`);
  });
  try {
    checkModel(model, path, measures);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return model;
}

function checkModel(model: tf.LayersModel, path: string, measures: string): void {
  if (model.inputs.length !== 1 || model.outputs.length !== 1 || model.inputs[0]!.shape.length !== 2) {
    throw new CliError(`--model ${path}: only models with one flat input and one output are supported (e.g. Dense stacks)`);
  }
  const bad = findNonFiniteWeight(model);
  if (bad) {
    throw new CliError(
      `--model ${path}: weight '${bad.name}' (shape [${bad.shape.join(', ')}]) holds ${bad.value} at index ${bad.index}; ` +
        `a model with non-finite weights has no ${measures} to measure (it diverged in training: retrain it, e.g. with a smaller learning rate)`,
    );
  }
}

function withoutPrefix(message: string, prefix: string): string {
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}
