import type { MetricBus, Plugin } from '@kramers/core';
import type { Dataset, DatasetName } from '@kramers/datasets';
import type { OptimizerName } from '@kramers/optimizers';
import type { RunSpec } from './run-spec.js';

export interface CompareOptions {
  /**
   * An embedded data set by name, or a Dataset you loaded (e.g. `loadCsvFile`). Its kind picks the task: a
   * classification set trains a softmax output on cross-entropy, a regression set a linear output on mean squared error.
   */
  readonly dataset: DatasetName | Dataset;
  /**
   * Runs, in this order, each from the same initialisation on the same minibatches, with run id = the optimizer's name.
   * Give this or `runs`, not both.
   */
  readonly optimizers?: readonly OptimizerName[];
  /**
   * Runs with their own ids, batch sizes and learning rates (e.g. a large-batch comparison), in this order, each from
   * the same initialisation; runs with the same batch size share their minibatches. Give this or `optimizers`.
   */
  readonly runs?: readonly RunSpec[];
  readonly epochs: number;
  /** B of every run that does not set its own. */
  readonly batchSize: number;
  /** Drop each epoch's last batch when it is short, so every step has exactly B rows (default false). */
  readonly dropLast?: boolean;
  /** Hidden layer widths (first tanh, the rest relu). */
  readonly hidden: readonly number[];
  /** Per-optimizer learning rates, only for optimizers in `optimizers`; missing ones use DEFAULT_LEARNING_RATES. */
  readonly learningRates?: Partial<Record<OptimizerName, number>>;
  /** SGLD's D (default 1e-4). */
  readonly diffusion?: number;
  /** Initialisation, split, batch order and SGLD noise: one integer ≥ 0. */
  readonly seed: number;
  /** Held-out share of rows, in (0, 1); both parts need at least one row. */
  readonly testFraction: number;
  /** Rows of the fixed probe batch (a seeded random subset of the training set) that probe plugins evaluate on. */
  readonly probeSize: number;
  /** Extra plugins per run, after `basics`. */
  readonly plugins?: (
    run: OptimizerName,
    shape: { readonly stepsPerEpoch: number; readonly trainRows: number; readonly runId: string; readonly batchSize: number },
  ) => readonly Plugin<never, unknown>[];
  /** The stream every run publishes to (metric, plugin-error and run events); default a new one. */
  readonly bus?: MetricBus;
  /**
   * Called once the data are split, before training (for progress totals): the first run's steps per epoch, and every
   * run's (they differ when batch sizes do).
   */
  readonly onStart?: (stepsPerEpoch: number, runs: readonly { readonly id: string; readonly stepsPerEpoch: number }[]) => void;
  /** Called after every step of every run (for progress bars). */
  readonly onStep?: (runId: string, iteration: number, loss: number | undefined) => void;
  /**
   * Stops training between steps once aborted: unfinished runs end with status 'interrupted' (their evaluation and
   * run end event are still published), and no models are saved.
   */
  readonly signal?: AbortSignal;
  /** Added to every run's start event, e.g. the command line and the program's version. */
  readonly runInfo?: Readonly<Record<string, unknown>>;
  /**
   * A directory: each run's final model is saved as `<dir>/<run id>/model.json` (+ weights.bin), with its training
   * config, so the loss it was trained on travels with it (`kramers curvature --model …` reads it from there).
   */
  readonly saveModels?: string;
  /** Yield to the event loop at most every this many milliseconds of training (default 25), so timers run. */
  readonly yieldEveryMs?: number;
}

/** How a run ended: trained every epoch; stopped when its loss or weights became non-finite; stopped by `signal`. */
export type RunStatus = 'completed' | 'diverged' | 'interrupted';

export interface RunResult {
  /** The run id (the optimizer's name unless `runs` named it). */
  readonly id: string;
  readonly optimizer: OptimizerName;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly stepsPerEpoch: number;
  readonly config: Readonly<Record<string, unknown>>;
  readonly final: {
    readonly status: RunStatus;
    /** Training loss on the whole training set at the end (NaN or ±Infinity when the run diverged). */
    readonly loss: number;
    readonly testLoss: number;
    /** Classification only. */
    readonly accuracy?: number;
    readonly testAccuracy?: number;
    /** Steps taken. */
    readonly iterations: number;
  };
  /** Where the final model was saved, with `saveModels`. */
  readonly savedModel?: string;
}

export interface CompareResult {
  readonly task: 'classification' | 'regression';
  /** The loss every run trains on, and the probe measures. */
  readonly loss: 'categoricalCrossentropy' | 'meanSquaredError';
  readonly dataset: {
    readonly name: string;
    readonly trainRows: number;
    readonly testRows: number;
    readonly features: number;
    /** Classification: the number of classes. */
    readonly classes?: number;
    /** Regression: the number of target columns. */
    readonly targets?: number;
  };
  readonly model: { readonly layers: readonly number[]; readonly parameters: number };
  readonly probeRows: number;
  /** The first run's steps per epoch; each run's is in `runs` (they differ when batch sizes do). */
  readonly stepsPerEpoch: number;
  readonly runs: readonly RunResult[];
  /** True when `signal` stopped training. */
  readonly interrupted: boolean;
  readonly elapsedMs: number;
}
