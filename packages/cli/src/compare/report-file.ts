import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { version as tfjsVersions } from '@tensorflow/tfjs';
import type { KramersEvent, LatestState, MetricEvent } from '@kramers/core';
import type { CompareResult } from '@kramers/experiments';
import { htmlReport, type ReportCell, type SeriesPoint } from '@kramers/reporters';
import { CliFailure } from '../cli-failure.js';
import { resultFacts } from './result-facts.js';
import { TABLE_COLUMNS } from './table-columns.js';

/** Charted over training, by metric name, in this order: the step loss, then the final table's columns. */
const CHARTED = ['loss', 'train_loss', 'test_loss', 'train_accuracy', 'test_accuracy', 'train_mse', 'test_mse', 'lambda_max', 'lambda_min', 'noise_scale', 'critical_batch_size', 'T_top', 'predicted_steps', 'grad_norm', 'distance'];

/** What the report needs besides the recorded series. */
export interface ReportContext {
  readonly result: CompareResult;
  readonly state: LatestState;
  readonly backend: string;
  readonly version: string;
  readonly commandLine: string;
  /** The parsed flags, shown as the run's configuration. */
  readonly flags: Readonly<Record<string, unknown>>;
}

export interface ReportRecorder {
  /** Subscribe it to the bus: it keeps the (iteration, value) pairs of the charted whole-model metrics. */
  readonly observer: (event: KramersEvent) => void;
  /** Renders the page and puts it at the path atomically (a temp file in the same directory, then a rename). */
  write(context: ReportContext): void;
}

/**
 * Checks that `path` can be written before anything is trained (a probe file next to it is created and removed),
 * then records the series for the report. Throws a CliFailure naming --report when it cannot.
 */
export function reportRecorder(path: string): ReportRecorder {
  checkWritable(path);
  const series = new Map<string, Map<string, SeriesPoint[]>>();
  const observer = (event: KramersEvent): void => {
    if (event.kind !== 'metric' || !charted(event)) return;
    let run = series.get(event.runId);
    if (run === undefined) series.set(event.runId, (run = new Map()));
    const key = `${event.plugin}/${event.name}`;
    let points = run.get(key);
    if (points === undefined) run.set(key, (points = []));
    points.push([event.iteration, event.value as number]);
  };
  return {
    observer,
    write(context) {
      writeAtomically(path, htmlReport(reportInput(context, series)));
    },
  };
}

function charted(event: MetricEvent): boolean {
  return event.layer === undefined && typeof event.value === 'number' && CHARTED.includes(event.name);
}

function reportInput(context: ReportContext, recorded: ReadonlyMap<string, ReadonlyMap<string, SeriesPoint[]>>) {
  const { result, state } = context;
  // After run, status and steps: the printed table's fixed columns.
  const columns = TABLE_COLUMNS[result.task];
  const rows = result.runs.map((run): ReportCell[] => {
    const metrics = Object.values(state.runs.find((r) => r.runId === run.id)?.metrics ?? {});
    return [
      run.id,
      run.final.status,
      run.final.iterations,
      ...columns.map((name): ReportCell => {
        const e = metrics.find((m) => m.name === name && m.layer === undefined);
        if (e === undefined || typeof e.value !== 'number') return null;
        const stderr = e.uncertainty?.stderr;
        return stderr === undefined ? e.value : { value: e.value, stderr };
      }),
    ];
  });
  const { json: _json, progress: _progress, ...flags } = context.flags;
  return {
    title: `kramers compare — ${result.dataset.name}`,
    runs: result.runs.map((run) => ({
      id: run.id,
      optimizer: run.optimizer,
      config: run.config,
      final: run.final,
      series: Object.fromEntries(orderedSeries(recorded.get(run.id))),
    })),
    table: { columns: ['run', 'status', 'steps', ...columns], rows },
    configuration: {
      command: context.commandLine,
      ...flags,
      ...resultFacts(result),
      interrupted: result.interrupted,
      elapsedSeconds: Math.round(result.elapsedMs) / 1000,
    },
    versions: { kramers: context.version, tfjs: tfjsVersions.tfjs, node: process.version, backend: context.backend },
    generatedAt: new Date().toISOString(),
  };
}

/** A run's series in CHARTED order (plugins emitting the same name stay in the order they were seen). */
function orderedSeries(run: ReadonlyMap<string, SeriesPoint[]> | undefined): [string, SeriesPoint[]][] {
  const entries = [...(run ?? new Map<string, SeriesPoint[]>())];
  const rank = (key: string) => CHARTED.indexOf(key.slice(key.lastIndexOf('/') + 1));
  return entries.sort((a, b) => rank(a[0]) - rank(b[0]));
}

function checkWritable(path: string): void {
  try {
    if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) throw new Error('it is a directory; name a file such as report.html');
    mkdirSync(dirname(path), { recursive: true });
    const probe = tempName(path);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (err) {
    throw new CliFailure(`--report ${path}: cannot write there (${(err as Error).message}); nothing was trained`);
  }
}

function writeAtomically(path: string, text: string): void {
  const temp = tempName(path);
  try {
    writeFileSync(temp, text);
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw new CliFailure(`--report ${path}: could not write the report (${(err as Error).message})`);
  }
}

/** Next to the target, so the rename stays on one file system. */
function tempName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
}
