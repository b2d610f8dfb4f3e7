/**
 * An event sink over a buffered append-only file: each event becomes zero or one line. The JSONL and CSV
 * writers differ only in how they format an event.
 */
import type { KramersEvent } from '@kramers/core';
import type { Observer } from 'rxjs';
import { openBufferedFile } from './buffered-file.js';

export interface FileSinkOptions {
  /** Flush buffered lines every this many milliseconds (0 = write each line at once). Default 1000. */
  readonly flushIntervalMs?: number;
}

export interface EventFileWriter {
  /** Absolute path written to. */
  readonly path: string;
  write(event: KramersEvent): void;
  /** `events$.subscribe(writer.observer)`: writes every event and closes the file when the stream ends. */
  readonly observer: Observer<KramersEvent>;
  flush(): void;
  /** Flushes and closes; idempotent. Lines still buffered at process exit are flushed even without it. */
  close(): void;
}

export function eventFileWriter(
  path: string,
  sink: {
    readonly label: string;
    readonly header?: string;
    /** The line for an event, with its '\n', or undefined to skip it. */
    readonly format: (event: KramersEvent) => string | undefined;
  },
  options: FileSinkOptions,
): EventFileWriter {
  const file = openBufferedFile(path, {
    label: sink.label,
    ...(sink.header === undefined ? {} : { header: sink.header }),
    ...(options.flushIntervalMs === undefined ? {} : { flushIntervalMs: options.flushIntervalMs }),
  });
  const write = (event: KramersEvent): void => {
    const line = sink.format(event);
    if (line !== undefined) file.append(line);
  };
  const close = (): void => file.close();
  return {
    path: file.path,
    write,
    observer: { next: write, error: close, complete: close },
    flush: () => file.flush(),
    close,
  };
}
