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
      /**
       * Log spacing early in training: after a run at iteration i, wait at least (i + 1)·(10^(1/perDecade) − 1)
       * iterations (at most `maxGap`), so a cheap plugin measures densely at the start and not at every step.
       * Infinity: no log spacing.
       */
      readonly perDecade: number;
      readonly maxGap: number;
    };

/** Measurements the host keeps per plugin, the budget schedule's input. */
export interface CostState {
  /** Iteration of the plugin's last run, undefined before its first. */
  readonly lastRun: number | undefined;
  /** Runs so far. */
  readonly runs: number;
  /** Total milliseconds spent in the plugin so far. */
  readonly pluginMs: number;
  /** Milliseconds of the plugin's first run (the warm-up: first compilations and allocations), 0 before it. */
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

/**
 * At most `fraction` of training time after a bounded warm-up, measured as it runs, spread evenly at the rate the
 * budget allows. The first run (the first due iteration) is the warm-up and always happens; it pays for first-time
 * compilation and allocation, so it is left out of the tally (one run, however long). Its cost overstates the next
 * run's (first runs were 2–9× slower than later ones on the examples and benchmarks), so the second run is predicted
 * at half of it, the least slowdown measured; every later run at the last one's cost. Room for one more run is always kept, for the measurement of the final
 * parameters that plugins make when training ends (`onTrainEnd`).
 */
export function budget(
  fraction: number,
  options: { minInterval?: number; maxInterval?: number; perDecade?: number; maxGap?: number } = {},
): Schedule {
  if (!(fraction > 0 && fraction <= 1)) {
    throw new RangeError(`schedule: budget(fraction) must be in (0, 1], got ${String(fraction)}`);
  }
  const minInterval = positiveInteger('budget minInterval', options.minInterval ?? 1);
  const maxInterval = options.maxInterval ?? Number.POSITIVE_INFINITY;
  if (!(maxInterval >= minInterval)) {
    throw new RangeError(`schedule: budget maxInterval must be ≥ minInterval (${minInterval}), got ${String(maxInterval)}`);
  }
  const perDecade = options.perDecade ?? Number.POSITIVE_INFINITY;
  if (!(perDecade > 0)) throw new RangeError(`schedule: budget perDecade must be > 0, got ${String(perDecade)}`);
  const maxGap = options.maxGap ?? Number.POSITIVE_INFINITY;
  if (!(maxGap >= 1)) throw new RangeError(`schedule: budget maxGap must be ≥ 1, got ${String(maxGap)}`);
  return { kind: 'budget', fraction, minInterval, maxInterval, perDecade, maxGap };
}

/**
 * The default schedule of measuring plugins such as `sharpness`: within 10 % of training time, log-spaced early (10
 * points per decade of iterations, gaps of at most 100), then as the budget allows; plus the final parameters.
 */
export function defaultMeasurementSchedule(): Schedule {
  return budget(0.1, { perDecade: 10, maxGap: 100 });
}

/**
 * How much slower a plugin's first run is taken to be than its next: the least of the slowdowns measured (2.1× for
 * sharpness on cpu with the abalone-shaped benchmark, up to 9× elsewhere), so the budget is not overdrawn.
 */
const WARM_UP_SLOWDOWN = 2;

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
      const logGap = Math.ceil((cost.lastRun + 1) * (10 ** (1 / schedule.perDecade) - 1));
      if (since < Math.min(logGap, schedule.maxGap)) return false;
      // The next run's predicted cost; one more such run stays in reserve for the end.
      const next = cost.runs === 1 ? cost.firstMs / WARM_UP_SLOWDOWN : cost.lastMs;
      const allowed = schedule.fraction * cost.trainMs;
      if (cost.pluginMs - cost.firstMs + 2 * next > allowed) return false;
      // Spread at the budget's rate, c / (fraction · step time) iterations apart, not in bursts once there is room.
      const stepMs = cost.trainMs / (iteration + 1);
      return since * stepMs * schedule.fraction >= next;
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
