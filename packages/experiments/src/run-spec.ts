import { DEFAULT_LEARNING_RATES, type OptimizerName } from '@kramers/optimizers';
import type { CompareOptions } from './compare-options.js';

/**
 * One run of a comparison: an optimizer at its own batch size and learning rate, under its own id. Runs that differ
 * only in B and η (the large-batch preset's `sgd-b32`, `sgd-b1024`, `sgd-b1024-scaled`) are what the diffusion theory
 * compares: SGD's temperature is ηH/(2B), so B and η move it together (Xie, Sato & Sugiyama 2021, Theorem 3.2).
 */
export interface RunSpec {
  /** The run id in every event, table row, JSON run and chart: letters, digits, '-', '_' and '.', starting with a letter. */
  readonly id: string;
  readonly optimizer: OptimizerName;
  /** Minibatch size B (default CompareOptions.batchSize). */
  readonly batchSize?: number;
  /** Step size η (default CompareOptions.learningRates[optimizer], else DEFAULT_LEARNING_RATES[optimizer]). */
  readonly learningRate?: number;
}

/** A run with every default filled in. */
export interface ResolvedRun {
  readonly id: string;
  readonly optimizer: OptimizerName;
  readonly batchSize: number;
  readonly learningRate: number;
}

export const RUN_ID_PATTERN = /^[A-Za-z][A-Za-z0-9._-]*$/;

/** The runs an options object asks for: `runs` as given, else one per optimizer in `optimizers`, id = its name. */
export function resolveRuns(options: CompareOptions): ResolvedRun[] {
  const specs: readonly RunSpec[] = options.runs ?? (options.optimizers ?? []).map((optimizer) => ({ id: optimizer, optimizer }));
  return specs.map((spec) => ({
    id: spec.id,
    optimizer: spec.optimizer,
    batchSize: spec.batchSize ?? options.batchSize,
    learningRate: spec.learningRate ?? options.learningRates?.[spec.optimizer] ?? DEFAULT_LEARNING_RATES[spec.optimizer],
  }));
}
