import type * as tf from '@tensorflow/tfjs';
import { PROBE_LOSS_NAMES, probeLossName, type ProbeLossName } from '@kramers/core';
import { CliError } from '../cli-error.js';

/** Where the measured loss came from: `--loss`, the saved model's training config, or its softmax output. */
export type LossSource = 'flag' | 'training config' | 'softmax output';

export interface ModelLoss {
  readonly loss: ProbeLossName;
  readonly lossSource: LossSource;
}

const CHOICES = PROBE_LOSS_NAMES.join(', ');

/**
 * The loss `kramers curvature` and `kramers noise` measure: `--loss` when given; else the loss in the saved model's
 * training config (tfjs compiles a loaded model with it); else categorical cross-entropy when the output is a
 * softmax; else an error that lists the choices, since guessing would measure a loss nobody trains on.
 */
export function resolveModelLoss(model: tf.LayersModel, flag: ProbeLossName | undefined, modelPath: string): ModelLoss {
  if (flag !== undefined) return { loss: flag, lossSource: 'flag' };
  const compiled = (model as { loss?: unknown }).loss;
  const configured = Array.isArray(compiled) && compiled.length === 1 ? compiled[0] : compiled;
  if (typeof configured === 'string') {
    const loss = probeLossName(configured);
    if (loss === undefined) {
      throw new CliError(
        `--model ${modelPath} was trained with loss '${configured}', which kramers cannot measure; pass --loss with one of ${CHOICES} to measure another`,
      );
    }
    return { loss, lossSource: 'training config' };
  }
  if (outputActivation(model) === 'softmax') return { loss: 'categoricalCrossentropy', lossSource: 'softmax output' };
  throw new CliError(
    `--model ${modelPath} has no training config naming its loss and its output is not a softmax, so the loss is unknown; ` +
      `pass --loss, one of ${CHOICES} (e.g. --loss meanSquaredError for a regression model with a linear output)`,
  );
}

function outputActivation(model: tf.LayersModel): unknown {
  const last = model.layers[model.layers.length - 1];
  return last?.getConfig()['activation'];
}
