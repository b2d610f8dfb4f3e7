/**
 * TensorBoard event files for one run: `dir/<runId>/events.out.tfevents.<seconds>.<hostname>`, a TFRecord stream of
 * `Event` messages whose first record is file_version "brain.Event:2". Point `tensorboard --logdir dir` at the
 * directory: each run id is a run (a `/` in it nests, as TensorBoard shows it).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { eventFileWriter, type EventFileWriter, type FileSinkOptions } from './file-sink.js';
import { decodeTfEvent, encodeTfEvent, type TfEvent } from './tensorboard-proto.js';
import { decodeTfRecords, encodeTfRecord } from './tensorboard-record.js';
import { DEFAULT_VECTOR_BUCKETS, tensorboardValue, vectorTfHistogram, type TensorboardVectors } from './tensorboard-summary.js';

/** The version string TensorBoard expects in an event file's first record (TensorFlow's event_writer.cc). */
export const TF_FILE_VERSION = 'brain.Event:2';

export interface TensorboardWriterOptions extends FileSinkOptions {
  /** The run this writer records; events of other runs are skipped (subscribe one writer per run). */
  readonly runId: string;
  /** Vectors as histograms of their elements (default) or skipped. */
  readonly vectors?: TensorboardVectors;
  /** Equal-width bins for a vector's histogram. Default 30. */
  readonly vectorBuckets?: number;
}

/**
 * Opens the run's event file (creating directories) and returns a writer of its metric events: numbers as
 * scalars, histograms and (by default) vectors as histograms, under tag `plugin/name[@layer]`, with step =
 * iteration and wall time in seconds. Tables, plugin errors and run start/end events are skipped. Buffering,
 * flushing and write failures behave as in `jsonlWriter`; `written` counts metric records, not the header.
 */
export function tensorboardWriter(dir: string, options: TensorboardWriterOptions): EventFileWriter {
  const label = 'tensorboardWriter';
  if (typeof dir !== 'string' || dir.length === 0) {
    throw new TypeError(`${label}: dir must be a non-empty directory path, got ${JSON.stringify(dir)}`);
  }
  const runId = checkRunId(options?.runId);
  const vectors = options.vectors ?? 'histogram';
  if (vectors !== 'histogram' && vectors !== 'skip') {
    throw new RangeError(`${label}: vectors must be 'histogram' or 'skip', got ${JSON.stringify(vectors)}`);
  }
  const vectorBuckets = options.vectorBuckets ?? DEFAULT_VECTOR_BUCKETS;
  vectorTfHistogram([0], vectorBuckets); // validates vectorBuckets now rather than at the first vector

  const now = Date.now();
  const fileName = `events.out.tfevents.${Math.floor(now / 1000)}.${os.hostname()}`;
  const header = encodeTfRecord(encodeTfEvent({ kind: 'file-version', wallTime: now / 1000, step: 0, fileVersion: TF_FILE_VERSION }));
  return eventFileWriter(
    nodePath.join(dir, ...runId.split('/'), fileName),
    {
      label,
      header,
      format: (event) => {
        if (event.kind !== 'metric' || event.runId !== runId) return undefined;
        const value = tensorboardValue(event, { vectors, vectorBuckets });
        if (value === undefined) return undefined;
        // kramers wall times are Unix milliseconds; TensorBoard's are seconds.
        return encodeTfRecord(encodeTfEvent({ kind: 'summary', wallTime: event.wallTime / 1000, step: event.iteration, values: [value] }));
      },
    },
    options,
  );
}

/** Reads an event file back, verifying both CRCs of every record; throws naming the path and byte offset if not. */
export function readTfEvents(path: string): TfEvent[] {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(path);
  } catch (err) {
    throw new Error(`readTfEvents: cannot read "${path}": ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return decodeTfRecords(bytes, `readTfEvents: "${path}"`).map((record, i) => {
    try {
      return decodeTfEvent(record);
    } catch (err) {
      throw new Error(`readTfEvents: "${path}" record ${i}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  });
}

/** A run id is a directory (or nested directories) under the log dir, so it must not climb out of it. */
function checkRunId(runId: unknown): string {
  const segments = typeof runId === 'string' ? runId.split('/') : [];
  if (typeof runId !== 'string' || segments.some((s) => s === '' || s === '.' || s === '..') || /[\\\0]/.test(runId)) {
    throw new TypeError(
      `tensorboardWriter: runId must be a non-empty run name whose '/'-separated parts are not empty, '.' or '..' and hold no backslash or NUL (it names a directory under dir), got ${JSON.stringify(runId)}`,
    );
  }
  return runId;
}
