/**
 * Named comparisons. A preset fills in the options a question needs (data set, epochs, the runs), and a front end lets
 * the user override any of them; the runs are rebuilt from the overridden base batch size and learning rate, so
 * `--batch-size 64` or `--lr 0.02` keep the preset's contrast.
 */
import { every, type Schedule } from '@kramers/core';
import type { DatasetName } from '@kramers/datasets';
import type { OptimizerName } from '@kramers/optimizers';
import type { RunSpec } from './run-spec.js';

export interface PresetBase {
  /** One group of runs per optimizer. */
  readonly optimizers: readonly OptimizerName[];
  /** The baseline batch size B₁. */
  readonly batchSize: number;
  /** The baseline η₁ per optimizer. */
  readonly learningRate: (optimizer: OptimizerName) => number;
}

export interface ComparePreset {
  readonly name: string;
  /** One sentence: the question the preset answers. */
  readonly description: string;
  /** What the preset sets unless the user says otherwise. */
  readonly defaults: {
    readonly dataset: DatasetName;
    readonly epochs: number;
    readonly batchSize: number;
    readonly optimizers: readonly OptimizerName[];
    readonly learningRates: Partial<Record<OptimizerName, number>>;
  };
  /** Drop each epoch's short last batch, so every step of a run has exactly its B rows. */
  readonly dropLast: boolean;
  /**
   * The barrier the escape plugin asks about, in loss units (its `riseCap`), the same for every run so their predicted
   * escape times compare: without it the scan's cap is 40 temperatures of each run, whose lower bound is e^40 whatever
   * the temperature.
   */
  readonly escapeBarrier: number;
  /**
   * When the `sgn` plugin measures the noise at the probe (its `probeSchedule`); undefined: its default time budget,
   * which makes the temperature's noise source (measured or C = H/B) depend on the machine's speed.
   */
  readonly noiseProbeSchedule?: Schedule;
  readonly runs: (base: PresetBase) => RunSpec[];
}

/** B₂ of the large-batch preset. */
export const LARGE_BATCH_SIZE = 1024;

/**
 * The large-batch monitor: each optimizer at B₁ and η₁, at B₂ = 1024 with the same η₁ (T = ηH/(2B) falls by B₂/B₁),
 * and at B₂ with the linear scaling rule η₂ = η₁·B₂/B₁ (Goyal et al. 2017), which keeps η/B and so the temperature.
 * No warm-up: on digits the scaled run (η = 1.6 for SGD, η·λ_max ≈ 1.5 < 2) trains stably from the first step.
 */
export const largeBatchPreset: ComparePreset = {
  name: 'large-batch',
  description: `the same model at B = 32 and B = ${LARGE_BATCH_SIZE}, with and without the linear learning-rate scaling rule: which run is trapped, and why`,
  defaults: { dataset: 'digits', epochs: 30, batchSize: 32, optimizers: ['sgd'], learningRates: { sgd: 0.05 } },
  dropLast: true,
  // About one temperature of SGD at B = 32, η = 0.05 along λ ≈ 1 (T = ηλ/2B ≈ 8e-4): a rise the baseline's noise
  // climbs within its budget; the question is which other run can.
  escapeBarrier: 5e-4,
  // Never due during training: the noise at the probe (the critical batch size) is measured at the end only, so T along
  // u₁ is the noise model's ηλ/(2B) at every measurement — the theory's η/B, and the same numbers on any machine.
  noiseProbeSchedule: every(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER - 1),
  runs: ({ optimizers, batchSize, learningRate }) =>
    optimizers.flatMap((optimizer): RunSpec[] => {
      const eta = learningRate(optimizer);
      return [
        { id: `${optimizer}-b${batchSize}`, optimizer, batchSize, learningRate: eta },
        { id: `${optimizer}-b${LARGE_BATCH_SIZE}`, optimizer, batchSize: LARGE_BATCH_SIZE, learningRate: eta },
        { id: `${optimizer}-b${LARGE_BATCH_SIZE}-scaled`, optimizer, batchSize: LARGE_BATCH_SIZE, learningRate: (eta * LARGE_BATCH_SIZE) / batchSize },
      ];
    }),
};

export const COMPARE_PRESETS: Readonly<Record<string, ComparePreset>> = { 'large-batch': largeBatchPreset };
export const PRESET_NAMES = Object.keys(COMPARE_PRESETS);

/** The preset by name, or an error naming the valid ones. */
export function comparePreset(name: string): ComparePreset {
  const preset = Object.hasOwn(COMPARE_PRESETS, name) ? COMPARE_PRESETS[name] : undefined;
  if (preset === undefined) throw new RangeError(`unknown preset "${name}"; valid presets: ${PRESET_NAMES.join(', ')}`);
  return preset;
}
