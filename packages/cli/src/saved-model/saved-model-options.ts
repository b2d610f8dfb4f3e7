import { Command, InvalidArgumentError, Option } from 'commander';
import { PROBE_LOSS_NAMES, probeLossName, type ProbeLossName } from '@kramers/core';
import { positiveInteger } from '../parse-flags.js';

/** The flags every command that measures a saved model on a CSV takes, as commander parses them. */
export interface SavedModelFlags {
  model: string;
  data: string;
  loss?: ProbeLossName;
  targets?: number;
  header?: boolean;
}

/**
 * Adds `--model`, `--data`, `--loss`, `--targets` and `--header`/`--no-header` to a command, with one help text and
 * one parser each, so `kramers curvature` and `kramers noise` read a model and a CSV by the same rules.
 */
export function withSavedModelOptions(command: Command): Command {
  return command
    .requiredOption('--model <model.json>', 'tfjs layers-model JSON; its weights file must sit beside it')
    .requiredOption('--data <data.csv>', 'CSV: feature columns, then an integer class label or (--targets) float targets; used as is, no rescaling')
    .addOption(
      new Option('--loss <name>', `the loss to measure: ${PROBE_LOSS_NAMES.join(', ')} (default: the model's training config, else categoricalCrossentropy for a softmax output)`)
        .argParser(lossName('--loss')),
    )
    .addOption(new Option('--targets <n>', 'float target columns at the end of the CSV, one per model output (MSE, MAE, Huber, binary cross-entropy); default: the output width').argParser(positiveInteger('--targets')))
    .option('--header', 'line 1 of the CSV holds column names (default: detected, a header when a cell of line 1 is not a number)')
    .option('--no-header', 'line 1 of the CSV is data');
}

/** A loss name kramers can measure (tfjs's aliases mse and mae too), as its canonical name. */
function lossName(flag: string) {
  return (raw: string): ProbeLossName => {
    const name = probeLossName(raw);
    if (name === undefined) throw new InvalidArgumentError(`${flag} got "${raw}"; allowed: ${PROBE_LOSS_NAMES.join(', ')}.`);
    return name;
  };
}
