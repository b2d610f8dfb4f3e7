/**
 * An event sink over a buffered append-only file: each event becomes zero or one record. The JSONL, CSV and
 * TensorBoard writers differ only in how they format an event (a line of text, or TFRecord bytes).
 */
import type { KramersEvent } from '@kramers/core';
import type { Observer } from 'rxjs';
import { openBufferedFile, type WriteFailure } from './buffered-file.js';

export interface FileSinkOptions {
  /** Flush buffered lines every this many milliseconds (0 = write each line at once). Default 1000. */
  readonly flushIntervalMs?: number;
  /**
   * Called once, when the first write fails. After that the writer writes nothing more and counts what it could
   * not write (`failure.unwritten`); its observer keeps accepting events without throwing into the stream.
   */
  readonly onError?: (failure: WriteFailure) => void;
}

export interface EventFileWriter {
  /** Absolute path written to. */
  readonly path: string;
  /** Writes (buffers) one event; throws once a write has failed. */
  write(event: KramersEvent): void;
  /**
   * `events$.subscribe(writer.observer)`: writes every event and closes the file when the stream ends. It never
   * throws a write failure into the stream; read `failure` (or pass `onError`) instead.
   */
  readonly observer: Observer<KramersEvent>;
  /** Writes what is buffered now, synchronously; throws the failure if a write has failed. */
  flush(): void;
  /** Flushes and closes; idempotent. Lines still buffered at process exit are flushed even without it. */
  close(): void;
  /** Set once a write has failed: the reason and how many events never reached the file. */
  readonly failure: WriteFailure | undefined;
  /** Events that reached the file so far. */
  readonly written: number;
}

export function eventFileWriter(
  path: string,
  sink: {
    readonly label: string;
    readonly header?: string | Uint8Array;
    /** The record for an event (a line with its '\n', or bytes), or undefined to skip it. */
    readonly format: (event: KramersEvent) => string | Uint8Array | undefined;
  },
  options: FileSinkOptions,
): EventFileWriter {
  const file = openBufferedFile(path, {
    label: sink.label,
    ...(sink.header === undefined ? {} : { header: sink.header }),
    ...(options.flushIntervalMs === undefined ? {} : { flushIntervalMs: options.flushIntervalMs }),
    ...(options.onError === undefined ? {} : { onError: options.onError }),
  });
  const write = (event: KramersEvent): void => {
    const record = sink.format(event);
    if (record !== undefined) file.append(record);
  };
  // A failed write is already recorded in `file.failure` (and reported through onError); anything else is a bug to surface.
  const unlessRecorded = (fn: () => void) => (): void => {
    try {
      fn();
    } catch (err) {
      if (file.failure === undefined) throw err;
    }
  };
  const close = (): void => file.close();
  return {
    path: file.path,
    write,
    observer: {
      next: (event) => unlessRecorded(() => write(event))(),
      error: unlessRecorded(close),
      complete: unlessRecorded(close),
    },
    flush: () => file.flush(),
    close,
    get failure() {
      return file.failure;
    },
    get written() {
      return file.written;
    },
  };
}
