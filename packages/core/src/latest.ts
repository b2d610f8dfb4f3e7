/**
 * The latest value of every metric, per run: what the CLI's final table and `--json` output are built from.
 * `latestReducer` is pure (new objects, inputs untouched) so it works with rxjs `scan`, in tests and in tools.
 */
import type { KramersEvent, MetricEvent, PluginErrorEvent, RunEvent } from './events.js';
import type { Observable } from 'rxjs';

export interface RunSummary {
  readonly runId: string;
  /** Largest iteration seen on any event of this run; -1 before the first. */
  readonly lastIteration: number;
  /** Latest event per (plugin, name, layer), keyed by `metricKey`, in first-seen order. */
  readonly metrics: Readonly<Record<string, MetricEvent>>;
  /** Plugin errors in arrival order (each plugin is switched off after its first). */
  readonly errors: readonly PluginErrorEvent[];
  /** The latest run 'start' and 'end' events' info (what was run; how it ended), when they were sent. */
  readonly start?: RunEvent['info'];
  readonly end?: RunEvent['info'];
}

export interface LatestState {
  /** Runs in first-seen order. */
  readonly runs: readonly RunSummary[];
}

export function emptyLatest(): LatestState {
  return { runs: [] };
}

/** `plugin/name` for whole-model values, `plugin/name@layer` for per-layer ones. */
export function metricKey(event: Pick<MetricEvent, 'plugin' | 'name' | 'layer'>): string {
  const base = `${event.plugin}/${event.name}`;
  return event.layer === undefined ? base : `${base}@${event.layer}`;
}

export function latestReducer(state: LatestState, event: KramersEvent): LatestState {
  const index = state.runs.findIndex((run) => run.runId === event.runId);
  const run: RunSummary = index >= 0 ? state.runs[index]! : { runId: event.runId, lastIteration: -1, metrics: {}, errors: [] };
  const next = reduceRun(run, event);
  if (next === run && index >= 0) return state;
  const runs = index >= 0 ? state.runs.map((r, i) => (i === index ? next : r)) : [...state.runs, next];
  return { runs };
}

/** A newer value replaces a held one; a late event from an earlier iteration does not (streams may interleave). */
function replaces(held: MetricEvent | undefined, event: MetricEvent): boolean {
  return held === undefined || event.iteration >= held.iteration;
}

function reduceRun(run: RunSummary, event: KramersEvent): RunSummary {
  const lastIteration = Math.max(run.lastIteration, event.iteration);
  switch (event.kind) {
    case 'metric': {
      const key = metricKey(event);
      if (!replaces(run.metrics[key], event)) {
        return lastIteration === run.lastIteration ? run : { ...run, lastIteration };
      }
      return { ...run, lastIteration, metrics: { ...run.metrics, [key]: event } };
    }
    case 'plugin-error':
      return { ...run, lastIteration, errors: [...run.errors, event] };
    case 'run':
      // A new start opens a new run under the same id (an appended log): its end and values are not yet known.
      return event.phase === 'start'
        ? { runId: run.runId, lastIteration: event.iteration, metrics: {}, errors: [], start: event.info }
        : { ...run, lastIteration, end: event.info };
    default:
      return run;
  }
}

export interface LatestCollector {
  /** The state so far; safe to read at any time. */
  readonly state: LatestState;
  /** Resolves with the final state when the stream completes; rejects with the stream's error. */
  readonly done: Promise<LatestState>;
  unsubscribe(): void;
}

/**
 * Subscribes at once (so nothing is missed on a hot stream) and folds every event with `latestReducer`.
 */
export function collectLatest(events$: Observable<KramersEvent>): LatestCollector {
  let state = emptyLatest();
  let settle!: { resolve: (s: LatestState) => void; reject: (e: unknown) => void };
  const done = new Promise<LatestState>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // Callers that never await `done` must not crash the process with an unhandled rejection.
  done.catch(() => undefined);
  const subscription = events$.subscribe({
    next: (event) => {
      state = latestReducer(state, event);
    },
    error: (err: unknown) => settle.reject(err),
    complete: () => settle.resolve(state),
  });
  return {
    get state() {
      return state;
    },
    done,
    unsubscribe: () => subscription.unsubscribe(),
  };
}

/**
 * The same fold for one run, kept in place: what a session uses on its own hot path (a few map lookups per event,
 * no key strings, no copies), turned into a RunSummary only when asked.
 */
export function runAccumulator(runId: string): { add(event: KramersEvent): void; summary(): RunSummary } {
  let lastIteration = -1;
  // plugin → name → (whole-model value under '', per-layer values under the layer name)
  const metrics = new Map<string, Map<string, Map<string, MetricEvent>>>();
  const errors: PluginErrorEvent[] = [];
  return {
    add(event) {
      if (event.runId !== runId) return;
      if (event.iteration > lastIteration) lastIteration = event.iteration;
      if (event.kind === 'metric') {
        let names = metrics.get(event.plugin);
        if (names === undefined) metrics.set(event.plugin, (names = new Map()));
        let layers = names.get(event.name);
        if (layers === undefined) names.set(event.name, (layers = new Map()));
        const layer = event.layer ?? '';
        if (replaces(layers.get(layer), event)) layers.set(layer, event);
      } else if (event.kind === 'plugin-error') {
        errors.push(event);
      }
    },
    summary() {
      const out: Record<string, MetricEvent> = {};
      for (const names of metrics.values()) {
        for (const layers of names.values()) for (const event of layers.values()) out[metricKey(event)] = event;
      }
      return { runId, lastIteration, metrics: out, errors: [...errors] };
    },
  };
}
