/**
 * Live progress on the console, one line per run: iteration / total, latest loss and a chosen metric or two.
 * On a terminal the lines are cli-progress bars redrawn in place. Elsewhere (CI logs, pipes, files) redrawing
 * makes garbage, so each run prints one compact line whenever it crosses another `everyPercent` of its total,
 * plus a last line at stop(). cli-progress's own non-TTY mode (`noTTYOutput`) is not used: it reprints every bar
 * on a timer (`notTTYSchedule`, ms), which is neither "every N %" nor deterministic.
 * Output goes to stderr by default: stdout is reserved for `--json`.
 */
import cliProgress from 'cli-progress';
import type { KramersEvent, MetricEvent, PluginErrorEvent } from '@kramers/core';
import type { Observer } from 'rxjs';
import { formatNumber } from './format-number.js';

export interface ProgressRun {
  readonly id: string;
  /** Iterations the run will take (the bar's 100 %). */
  readonly total: number;
}

export interface ProgressOptions {
  readonly runs: readonly ProgressRun[];
  /** Default process.stderr. */
  readonly stream?: NodeJS.WritableStream;
  /**
   * Whole-model scalar metrics to show next to the loss, each a metric `name` or `plugin/name`, shown once a
   * value has arrived. Default ['lambda_max'].
   */
  readonly show?: readonly string[];
  /**
   * Redraw bars in place (true) or print lines (false). Default: whether `stream.isTTY` is true. cli-progress
   * only draws bars on a stream whose isTTY is true, so forcing true elsewhere shows them only at stop().
   */
  readonly tty?: boolean;
  /** Without a TTY, print a run's line each time it crosses another multiple of this percentage. Default 10. */
  readonly everyPercent?: number;
}

export interface ProgressReporter {
  /** `events$.subscribe(progress.observer)`: loss and shown metrics from the stream; stops when it ends. */
  readonly observer: Observer<KramersEvent>;
  /**
   * Step `iteration` (0-based, as StepEvent.iteration) of `runId` is done: the run shows iteration + 1 / total.
   * `loss` (StepEvent.loss) updates the loss shown, as a 'loss' metric does.
   */
  tick(runId: string, iteration: number, loss?: number): void;
  /** Draws or prints the final state of every run and releases the terminal; idempotent. Call it when done. */
  stop(): void;
}

interface RunState {
  readonly id: string;
  readonly total: number;
  done: number;
  loss: number | undefined;
  readonly shown: Map<string, number>;
  /** Something changed since the last printed line (non-TTY). */
  dirty: boolean;
  printedBucket: number;
  printedFinal: boolean;
  bar: cliProgress.SingleBar | undefined;
}

export function progressReporter(options: ProgressOptions): ProgressReporter {
  const runs = validateRuns(options.runs);
  const stream = options.stream ?? process.stderr;
  const show = options.show ?? ['lambda_max'];
  const everyPercent = options.everyPercent ?? 10;
  if (!(everyPercent > 0 && everyPercent <= 100)) {
    throw new RangeError(`progressReporter: everyPercent must be in (0, 100], got ${String(everyPercent)}`);
  }
  const tty = options.tty ?? (stream as { isTTY?: boolean }).isTTY === true;
  const idWidth = Math.max(...runs.map((r) => r.id.length));
  const byId = new Map(runs.map((r) => [r.id, r] as const));
  let stopped = false;

  const stats = (run: RunState): string => {
    let s = `loss ${formatNumber(run.loss)}`;
    for (const label of show) {
      const v = run.shown.get(label);
      if (v !== undefined) s += `  ${label} ${formatNumber(v)}`;
    }
    return s;
  };
  const counter = (run: RunState): string => `${String(run.done).padStart(String(run.total).length)}/${run.total}`;
  const percent = (run: RunState): number => Math.floor((Math.min(run.done, run.total) * 100) / run.total);

  const multibar = tty
    ? new cliProgress.MultiBar({
        stream,
        fps: 10,
        barsize: 24,
        // Plain wrapping and a visible cursor: a crash mid-run must not leave the terminal altered.
        hideCursor: false,
        linewrap: true,
        clearOnComplete: false,
        format: (opts, params, payload: { id: string; counter: string; stats: string }) =>
          `${payload.id} [${cliProgress.Format.BarFormat(params.progress, opts)}] ${payload.counter} ${String(
            Math.floor(params.progress * 100),
          ).padStart(3)}%  ${payload.stats}`,
      })
    : undefined;
  const payload = (run: RunState) => ({ id: run.id.padEnd(idWidth), counter: counter(run), stats: stats(run) });
  for (const run of runs) run.bar = multibar?.create(run.total, 0, payload(run));

  const printLine = (run: RunState): void => {
    stream.write(`${run.id.padEnd(idWidth)}  ${counter(run)}  ${String(percent(run)).padStart(3)}%  ${stats(run)}\n`);
    run.dirty = false;
    run.printedBucket = Math.floor(percent(run) / everyPercent);
    run.printedFinal = run.done >= run.total;
  };

  const changed = (run: RunState): void => {
    run.dirty = true;
    if (run.bar !== undefined) {
      run.bar.update(run.done, payload(run));
      return;
    }
    const bucket = Math.floor(percent(run) / everyPercent);
    if (bucket > run.printedBucket || (run.done >= run.total && !run.printedFinal)) printLine(run);
  };

  const advance = (run: RunState, iteration: number): void => {
    run.done = Math.max(run.done, iteration + 1);
  };

  const onMetric = (event: MetricEvent, run: RunState): void => {
    advance(run, event.iteration);
    if (event.layer === undefined && typeof event.value === 'number') {
      if (event.name === 'loss') run.loss = event.value;
      for (const label of show) {
        if (label === event.name || label === `${event.plugin}/${event.name}`) run.shown.set(label, event.value);
      }
    }
    changed(run);
  };

  const onError = (event: PluginErrorEvent, run: RunState): void => {
    advance(run, event.iteration);
    const line = `${event.runId}: plugin ${event.plugin} failed (${event.phase}, iteration ${event.iteration}) and is switched off: ${event.message}\n`;
    if (multibar !== undefined) multibar.log(line);
    else stream.write(line);
    changed(run);
  };

  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    if (multibar !== undefined) {
      for (const run of runs) run.bar?.update(run.done, payload(run));
      multibar.stop();
      return;
    }
    for (const run of runs) if (run.dirty) printLine(run);
  };

  return {
    observer: {
      next: (event) => {
        if (stopped) return;
        // Runs this reporter was not given are someone else's business (the stream is shared).
        const run = byId.get(event.runId);
        if (run === undefined) return;
        if (event.kind === 'metric') onMetric(event, run);
        else if (event.kind === 'plugin-error') onError(event, run);
      },
      error: stop,
      complete: stop,
    },
    tick(runId, iteration, loss) {
      const run = byId.get(runId);
      if (run === undefined) {
        throw new RangeError(`progressReporter.tick: unknown runId ${JSON.stringify(runId)}; the runs are ${[...byId.keys()].map((id) => JSON.stringify(id)).join(', ')}`);
      }
      if (!Number.isInteger(iteration) || iteration < 0) {
        throw new RangeError(`progressReporter.tick: iteration must be an integer ≥ 0 (StepEvent.iteration), got ${String(iteration)} for run ${JSON.stringify(runId)}`);
      }
      if (stopped) return;
      advance(run, iteration);
      if (loss !== undefined) run.loss = loss;
      changed(run);
    },
    stop,
  };
}

function validateRuns(runs: readonly ProgressRun[]): RunState[] {
  if (!Array.isArray(runs) || runs.length === 0) {
    throw new RangeError('progressReporter: runs must be a non-empty array of { id, total }, e.g. [{ id: "sgd", total: 1000 }]');
  }
  const seen = new Set<string>();
  return runs.map((r, i) => {
    if (typeof r.id !== 'string' || r.id.length === 0) {
      throw new TypeError(`progressReporter: runs[${i}].id must be a non-empty string, got ${JSON.stringify(r.id)}`);
    }
    if (seen.has(r.id)) throw new RangeError(`progressReporter: runs[${i}].id ${JSON.stringify(r.id)} appears twice; run ids must be unique`);
    seen.add(r.id);
    if (!Number.isInteger(r.total) || r.total < 1) {
      throw new RangeError(`progressReporter: runs[${i}].total (run ${JSON.stringify(r.id)}) must be an integer ≥ 1, got ${String(r.total)}`);
    }
    return { id: r.id, total: r.total, done: 0, loss: undefined, shown: new Map(), dirty: true, printedBucket: 0, printedFinal: false, bar: undefined };
  });
}
