/**
 * Scalar metrics as CSV (RFC 4180 quoting, '\n' line ends), one row per MetricEvent, header written only to a
 * new or empty file. Vectors, histograms and tables are skipped by default (they are not one number; the JSONL
 * sink keeps them), or with `nonScalar: 'json'` written as their JSON in a quoted `value` cell. Plugin errors
 * are not metrics and are skipped. Numbers are written in full precision (`String(x)`: NaN, Infinity, -Infinity).
 */
import type { KramersEvent, MetricEvent } from '@kramers/core';
import { eventFileWriter, type EventFileWriter, type FileSinkOptions } from './file-sink.js';

export const CSV_COLUMNS = [
  'runId',
  'iteration',
  'plugin',
  'name',
  'layer',
  'value',
  'unit',
  'stderr',
  'lower',
  'upper',
  'wallTime',
  // A prediction is labelled as a prediction: true for model predictions, empty for measurements.
  'prediction',
] as const;

export interface CsvWriterOptions extends FileSinkOptions {
  /** What to do with vector, histogram and table values: 'skip' (default) or 'json' (JSON text in `value`). */
  readonly nonScalar?: 'skip' | 'json';
}

export type CsvField = string | number | boolean | null | undefined;

/** One CSV field: quoted (with quotes doubled) when it holds a comma, quote, CR or LF; empty when missing. */
export function csvField(field: CsvField): string {
  if (field === undefined || field === null) return '';
  const text = String(field);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(fields: readonly CsvField[]): string {
  return `${fields.map(csvField).join(',')}\n`;
}

/** The row for one metric (in CSV_COLUMNS order), or undefined when it is skipped. */
export function metricCsvFields(event: MetricEvent, nonScalar: 'skip' | 'json' = 'skip'): CsvField[] | undefined {
  let value: CsvField;
  if (typeof event.value === 'number') value = String(event.value);
  else if (nonScalar === 'json') value = JSON.stringify(event.value);
  else return undefined;
  const u = event.uncertainty;
  return [
    event.runId,
    event.iteration,
    event.plugin,
    event.name,
    event.layer,
    value,
    event.unit,
    u?.stderr,
    u?.lower,
    u?.upper,
    event.wallTime,
    event.prediction === true ? true : undefined,
  ];
}

export function csvWriter(path: string, options: CsvWriterOptions = {}): EventFileWriter {
  const nonScalar = options.nonScalar ?? 'skip';
  if (nonScalar !== 'skip' && nonScalar !== 'json') {
    throw new RangeError(`csvWriter: nonScalar must be 'skip' or 'json', got ${JSON.stringify(nonScalar)}`);
  }
  return eventFileWriter(
    path,
    {
      label: 'csvWriter',
      header: csvLine(CSV_COLUMNS),
      format: (event: KramersEvent) => {
        if (event.kind !== 'metric') return undefined;
        const fields = metricCsvFields(event, nonScalar);
        return fields === undefined ? undefined : csvLine(fields);
      },
    },
    options,
  );
}
