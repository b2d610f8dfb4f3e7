import type { LatestState } from '@kramers/core';
import type { RunResult } from '@kramers/experiments';

type Latest = NonNullable<LatestState['runs'][number]['metrics']>;

export interface BatchSizeAdvice {
  /** B_crit: the sgn plugin's noise scale B_simple = tr Σ/|G|² at the probe, after the run's last curvature measurement. */
  readonly criticalBatchSize: number;
  /** The batch size it suggests: B_crit rounded, at least 1. */
  readonly suggested: number;
  /** One line: what B_crit says about the batch size this run used. */
  readonly sentence: string;
}

/**
 * What the gradient noise scale says about a run's batch size (McCandlish et al. 2018): batches up to about B_crit
 * still cut the steps needed almost in proportion; past it, most of each batch's examples are wasted. Undefined when
 * the sgn plugin measured no critical batch size.
 */
export function batchSizeAdvice(run: Pick<RunResult, 'id' | 'batchSize'>, latest: Latest): BatchSizeAdvice | undefined {
  const value = latest['sgn/critical_batch_size']?.value;
  if (typeof value !== 'number' || !Number.isFinite(value) || !(value > 0)) return undefined;
  const suggested = Math.max(1, Math.round(value));
  const B = run.batchSize;
  const verdict =
    B > 2 * value
      ? `B = ${B} is past it: larger batches than ≈ ${suggested} mostly waste examples, so B ≈ ${suggested} would need about as few steps with ${(B / suggested).toFixed(1)}× fewer examples per step`
      : B < value / 2
        ? `B = ${B} is below it: batches up to ≈ ${suggested} would cut the steps almost in proportion`
        : `B = ${B} is near it: a balanced trade-off of steps against examples`;
  return { criticalBatchSize: value, suggested, sentence: `${run.id}: the noise scale suggests B ≈ ${suggested} (critical batch size ${value.toPrecision(3)}); ${verdict}` };
}
