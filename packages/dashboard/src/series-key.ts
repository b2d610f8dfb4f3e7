import type { KramersEvent } from '@kramers/core';

/** One line on one chart: a run's metric from one plugin, whole-model or one layer. */
export const seriesKey = (e: KramersEvent & { kind: 'metric' }): string => `${e.runId}\u0000${e.plugin}\u0000${e.name}\u0000${e.layer ?? ''}`;
