/**
 * One run's own training time when several runs take turns in one thread: the milliseconds spent inside its own
 * steps, the current one included while it runs. instrument()'s time budget is a fraction of this, so a run measures
 * within its share and not within the whole comparison's wall time.
 */
export interface RunClock {
  /** Milliseconds this run has spent in `time(...)` so far. */
  readonly read: () => number;
  /** Runs `step`, adding its duration to this clock. */
  time<T>(step: () => Promise<T>): Promise<T>;
}

export function runClock(now: () => number = () => performance.now()): RunClock {
  let total = 0;
  let since: number | undefined;
  return {
    read: () => total + (since === undefined ? 0 : now() - since),
    async time(step) {
      since = now();
      try {
        return await step();
      } finally {
        total += now() - since;
        since = undefined;
      }
    },
  };
}
