/**
 * A binary append-only file with the same buffering and failure contract as the JSONL/CSV writers' text file:
 * flush at an interval, when a megabyte is buffered, on `close()` and synchronously on process exit; after the first
 * failed write, stop and count the records that never reached the file. It is separate because TFRecord bytes are
 * not text (the shared text file appends UTF-8 strings).
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import type { WriteFailure } from './buffered-file.js';

export interface BinaryFileOptions {
  /** Who is writing, for error messages. */
  readonly label: string;
  /** Flush every this many milliseconds; 0 writes each record through at once. */
  readonly flushIntervalMs: number;
  /** Written first when the file is new or empty, never again when appending; not counted as a record. */
  readonly header?: Uint8Array;
  readonly onError?: (failure: WriteFailure) => void;
}

export interface BinaryFile {
  readonly path: string;
  /** Buffers one record's bytes; throws once a write has failed. */
  append(bytes: Uint8Array): void;
  flush(): void;
  /** Flushes, closes and removes the exit hook; idempotent. */
  close(): void;
  readonly failure: WriteFailure | undefined;
  readonly written: number;
}

/** Flush early past this many buffered bytes, bounding memory between interval flushes. */
const MAX_BUFFERED_BYTES = 1 << 20;

export function openBinaryFile(path: string, options: BinaryFileOptions): BinaryFile {
  const { label, flushIntervalMs } = options;
  if (!(Number.isFinite(flushIntervalMs) && flushIntervalMs >= 0)) {
    throw new RangeError(`${label}: flushIntervalMs must be a finite number ≥ 0 (0 = write through), got ${String(flushIntervalMs)}`);
  }
  const absolute = nodePath.resolve(path);
  let fd: number;
  try {
    fs.mkdirSync(nodePath.dirname(absolute), { recursive: true });
    fd = fs.openSync(absolute, 'a');
  } catch (err) {
    throw new Error(
      `${label}: cannot open "${absolute}" for appending: ${describe(err)}. Fix: choose a directory that is (or can be created as) writable.`,
      { cause: err },
    );
  }

  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let pendingRecords = 0;
  let written = 0;
  let failure: { error: Error; reason: string } | undefined;
  let unwritten = 0;
  let closed = false;

  if (options.header !== undefined && fs.fstatSync(fd).size === 0) {
    pending.push(options.header);
    pendingBytes += options.header.length;
  }

  const failureReport = (): WriteFailure | undefined =>
    failure && { path: absolute, reason: failure.reason, unwritten: unwritten + pendingRecords, error: failure.error };

  const flush = (): void => {
    if (failure) throw failure.error;
    if (pending.length === 0 || closed) return;
    const chunk = Buffer.concat(pending, pendingBytes);
    const records = pendingRecords;
    pending = [];
    pendingBytes = 0;
    pendingRecords = 0;
    try {
      fs.appendFileSync(fd, chunk);
      written += records;
    } catch (err) {
      // A partial write may have left part of the chunk in the file; its records are counted as lost.
      const reason = describe(err);
      unwritten += records;
      failure = { error: new Error(`${label}: writing to "${absolute}" failed: ${reason}`, { cause: err }), reason };
      options.onError?.(failureReport()!);
      throw failure.error;
    }
  };

  const timer =
    flushIntervalMs > 0
      ? setInterval(() => {
          try {
            flush();
          } catch {
            // Kept in `failure`; the next append, flush or close throws it to the caller.
            clearInterval(timer);
          }
        }, flushIntervalMs)
      : undefined;
  // The writer must not keep a finished program alive.
  timer?.unref();

  const onExit = (): void => {
    try {
      flush();
    } catch {
      // Nothing left to report to at exit.
    }
  };
  process.on('exit', onExit);

  return {
    path: absolute,
    append(bytes: Uint8Array): void {
      if (closed) throw new Error(`${label}: "${absolute}" is closed; write before close()`);
      if (failure) {
        unwritten += 1;
        throw failure.error;
      }
      pending.push(bytes);
      pendingBytes += bytes.length;
      pendingRecords += 1;
      if (flushIntervalMs === 0 || pendingBytes >= MAX_BUFFERED_BYTES) flush();
    },
    flush,
    get failure() {
      return failureReport();
    },
    get written() {
      return written;
    },
    close(): void {
      if (closed) return;
      if (timer !== undefined) clearInterval(timer);
      process.removeListener('exit', onExit);
      try {
        flush();
      } finally {
        closed = true;
        fs.closeSync(fd);
      }
    },
  };
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code !== undefined && !err.message.startsWith(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
