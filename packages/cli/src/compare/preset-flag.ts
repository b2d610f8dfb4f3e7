import type { Schedule } from '@kramers/core';
import { comparePreset, LARGE_BATCH_SIZE, type RunSpec } from '@kramers/experiments';
import { DEFAULT_LEARNING_RATES, type OptimizerName } from '@kramers/optimizers';
import { CliError } from '../cli-error.js';
import type { CompareFlags } from './command.js';

/** What `--preset` makes of the flags: the flags with the preset's settings where the user gave none, and its runs. */
export interface PresetPlan {
  readonly flags: CompareFlags;
  /** Per-optimizer η of the plain runs, or the baseline η₁ of a preset's runs. */
  readonly learningRates: Partial<Record<OptimizerName, number>>;
  /** A preset's runs (ids, batch sizes, learning rates); undefined without --preset: one run per --optimizers entry. */
  readonly runs?: readonly RunSpec[];
  readonly dropLast: boolean;
  /** A preset's absolute barrier for the escape plugin (its riseCap). */
  readonly escapeBarrier?: number;
  /** A preset's schedule for the sgn plugin's probe part. */
  readonly noiseProbeSchedule?: Schedule;
}

/** The flags a preset sets, by commander attribute name. */
const PRESET_FLAGS = { dataset: '--dataset', epochs: '--epochs', batchSize: '--batch-size', optimizers: '--optimizers' } as const;

/**
 * Applies `--preset` to the parsed flags: each setting the preset makes (data set, epochs, baseline batch size,
 * optimizers, baseline η) unless `explicit(flag)` says the user typed that flag; then the preset's runs are built from
 * the result, so an override such as `--lr 0.02` or `--batch-size 64` keeps the contrast.
 */
export function applyPreset(given: CompareFlags, explicit: (attribute: string) => boolean): PresetPlan {
  const rates = (optimizers: readonly OptimizerName[], fallback: Partial<Record<OptimizerName, number>>) => {
    const out: Partial<Record<OptimizerName, number>> = { ...given.lr?.per };
    if (given.lr?.all !== undefined) for (const name of optimizers) out[name] ??= given.lr.all;
    if (given.lr === undefined) for (const name of optimizers) if (fallback[name] !== undefined) out[name] = fallback[name];
    return out;
  };
  if (given.preset === undefined) return { flags: given, learningRates: rates(given.optimizers, {}), dropLast: false };

  const preset = comparePreset(given.preset);
  const flags: CompareFlags = { ...given };
  for (const attribute of Object.keys(PRESET_FLAGS) as (keyof typeof PRESET_FLAGS)[]) {
    if (!explicit(attribute)) Object.assign(flags, { [attribute]: preset.defaults[attribute] });
  }
  const learningRates = rates(flags.optimizers, preset.defaults.learningRates);
  for (const name of Object.keys(given.lr?.per ?? {})) {
    if (!(flags.optimizers as string[]).includes(name)) {
      throw new CliError(`--lr has a rate for ${name}, which --preset ${preset.name} does not run (${flags.optimizers.join(', ')}); add it to --optimizers or drop its rate`);
    }
  }
  if (preset.name === 'large-batch' && flags.batchSize >= LARGE_BATCH_SIZE) {
    throw new CliError(`--batch-size ${flags.batchSize}: --preset large-batch compares a baseline batch size with B = ${LARGE_BATCH_SIZE}; give a baseline below ${LARGE_BATCH_SIZE} (default 32)`);
  }
  const runs = preset.runs({
    optimizers: flags.optimizers,
    batchSize: flags.batchSize,
    learningRate: (optimizer) => learningRates[optimizer] ?? DEFAULT_LEARNING_RATES[optimizer],
  });
  return {
    flags, learningRates, runs, dropLast: preset.dropLast, escapeBarrier: preset.escapeBarrier,
    ...(preset.noiseProbeSchedule !== undefined ? { noiseProbeSchedule: preset.noiseProbeSchedule } : {}),
  };
}
