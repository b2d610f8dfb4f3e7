/**
 * When a plugin runs. Static schedules (every n, log-spaced) decide from the iteration alone; the budget schedule
 * decides from measured cost, keeping a plugin's share of wall time under a fraction of training time.
 */
export type Schedule =
  | { readonly kind: 'every'; readonly n: number; readonly offset: number }
  | { readonly kind: 'log'; readonly points: readonly number[] }
  | {
      readonly kind: 'budget';
      /** Largest allowed ratio of this plugin's time to training time (0.1 = at most 10 % overhead). */
      readonly fraction: number;
      /** Never run more often than every `minInterval` iterations. */
      readonly minInterval: number;
      /** Run at least every `maxInterval` iterations even over budget (Infinity: never force). */
      readonly maxInterval: number;
    };

/** Measurements the host keeps per plugin, the budget schedule's input. */
export interface CostState {
  /** Iteration of the plugin's last run, undefined before its first. */
  readonly lastRun: number | undefined;
  /** Runs so far. */
  readonly runs: number;
  /** Total milliseconds spent in the plugin so far. */
  readonly pluginMs: number;
  /** Milliseconds of the plugin's first run (warm-up: compilation, first allocations), 0 before it. */
  readonly firstMs: number;
  /** Milliseconds of the plugin's most recent run (its predicted next cost). */
  readonly lastMs: number;
  /** Milliseconds of training so far, excluding all instrumentation. */
  readonly trainMs: number;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`schedule: ${name} must be an integer ≥ 1, got ${String(value)}`);
  }
  return value;
}

export function every(n: number, offset = 0): Schedule {
  positiveInteger('every(n)', n);
  if (!Number.isInteger(offset) || offset < 0) {
    throw new RangeError(`schedule: every(n, offset) offset must be an integer ≥ 0, got ${String(offset)}`);
  }
  return { kind: 'every', n, offset };
}

/**
 * Log-spaced iterations from `start` to `end` (inclusive), `perDecade` points per factor of ten, deduplicated
 * after rounding: dense early, where training changes fastest (as Cockpit's logarithmic schedule).
 */
export function logSpaced(end: number, options: { start?: number; perDecade?: number } = {}): Schedule {
  const start = options.start ?? 0;
  const perDecade = options.perDecade ?? 10;
  positiveInteger('logSpaced(end)', end);
  positiveInteger('logSpaced perDecade', perDecade);
  if (!Number.isInteger(start) || start < 0 || start > end) {
    throw new RangeError(`schedule: logSpaced start must be an integer in [0, end], got ${String(start)}`);
  }
  const lo = Math.log10(start + 1);
  const hi = Math.log10(end + 1);
  const count = Math.max(2, Math.ceil((hi - lo) * perDecade) + 1);
  const points = new Set<number>();
  for (let i = 0; i < count; i++) {
    points.add(Math.round(10 ** (lo + ((hi - lo) * i) / (count - 1)) - 1));
  }
  return { kind: 'log', points: [...points].sort((a, b) => a - b) };
}

export function budget(
  fraction: number,
  options: { minInterval?: number; maxInterval?: number } = {},
): Schedule {
  if (!(fraction > 0 && fraction <= 1)) {
    throw new RangeError(`schedule: budget(fraction) must be in (0, 1], got ${String(fraction)}`);
  }
  const minInterval = positiveInteger('budget minInterval', options.minInterval ?? 1);
  const maxInterval = options.maxInterval ?? Number.POSITIVE_INFINITY;
  if (!(maxInterval >= minInterval)) {
    throw new RangeError(`schedule: budget maxInterval must be ≥ minInterval (${minInterval}), got ${String(maxInterval)}`);
  }
  return { kind: 'budget', fraction, minInterval, maxInterval };
}

/** Whether a plugin with this schedule runs at `iteration`. Pure: all state comes in through `cost`. */
export function isDue(schedule: Schedule, iteration: number, cost: CostState): boolean {
  switch (schedule.kind) {
    case 'every':
      return iteration >= schedule.offset && (iteration - schedule.offset) % schedule.n === 0;
    case 'log':
      return binarySearch(schedule.points, iteration);
    case 'budget': {
      if (cost.lastRun === undefined) return true;
      const since = iteration - cost.lastRun;
      if (since < schedule.minInterval) return false;
      if (since >= schedule.maxInterval) return true;
      // A second run measures the warm cost: the first (JIT, kernel set-up) says little about the next ones.
      if (cost.runs < 2) return true;
      // The first run is calibration (JIT, kernel set-up) and would starve a plugin for a long time if counted.
      return cost.pluginMs - cost.firstMs + cost.lastMs <= schedule.fraction * cost.trainMs;
    }
  }
}

function binarySearch(sorted: readonly number[], x: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid]!;
    if (v === x) return true;
    if (v < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
