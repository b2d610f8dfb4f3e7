/**
 * An append-only file that buffers writes and flushes them at an interval, on `close()`, when the buffer grows
 * large, and on process exit. Shared by the JSONL and CSV writers (text, appended as UTF-8) and the TensorBoard
 * writer (TFRecord bytes). The interval timer only fires when the
 * event loop turns: a training loop must yield between steps (core's `eventLoopYielder`) for it to run.
 *
 * When a write fails (disk full, device gone), the file stops writing and keeps count of the records that never
 * reached it, so the caller can say exactly what was lost.
 *
 * Flushes are synchronous appends to a descriptor opened once: a few kilobytes a second cost nothing next to a
 * training step, and synchronous writes keep lines in order and make the exit flush exact (Node runs no async
 * I/O after 'exit', so an async flush in flight there could be lost or duplicated).
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';

export interface BufferedFileOptions {
  /** Who is writing, for error messages (e.g. 'jsonlWriter'). */
  readonly label: string;
  /** Flush every this many milliseconds; 0 writes each line through at once. Default 1000. */
  readonly flushIntervalMs?: number;
  /** Written first when the file is new or empty (a CSV header, a TensorBoard file_version record), never again when appending. */
  readonly header?: string | Uint8Array;
  /** Called once, when the first write fails (also from the interval timer, where nothing else could hear it). */
  readonly onError?: (failure: WriteFailure) => void;
}

/** Why the file stopped writing, and how much it lost. */
export interface WriteFailure {
  /** Absolute path of the file. */
  readonly path: string;
  /** The system's reason, e.g. "ENOSPC: no space left on device, write". */
  readonly reason: string;
  /** Records (lines) appended that never reached the file: the failed chunk's and every one appended since. */
  readonly unwritten: number;
  readonly error: Error;
}

export interface BufferedFile {
  /** Absolute path of the file. */
  readonly path: string;
  /** Buffers `data` (text as UTF-8, or bytes), which holds `records` records (default 1). Throws once a write has failed. */
  append(data: string | Uint8Array, records?: number): void;
  /** Writes what is buffered now; throws the failure if this or an earlier write failed. */
  flush(): void;
  /** Flushes, closes the file and removes the exit hook; idempotent. Rethrows an earlier background flush error. */
  close(): void;
  /** Set once a write has failed; `unwritten` keeps counting appends after it. */
  readonly failure: WriteFailure | undefined;
  /** Records that reached the file so far. */
  readonly written: number;
}

/** Flush early past this many buffered characters or bytes, bounding memory between interval flushes. */
const MAX_BUFFERED_CHARS = 1 << 20;

/** One write: text stays a string (one UTF-8 encode), anything with bytes becomes one buffer. */
function chunkOf(pending: readonly (string | Uint8Array)[]): string | Uint8Array {
  if (pending.every((p) => typeof p === 'string')) return pending.join('');
  return Buffer.concat(pending.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
}

export function openBufferedFile(path: string, options: BufferedFileOptions): BufferedFile {
  const { label } = options;
  const flushIntervalMs = options.flushIntervalMs ?? 1000;
  if (!(Number.isFinite(flushIntervalMs) && flushIntervalMs >= 0)) {
    throw new RangeError(`${label}: flushIntervalMs must be a finite number ≥ 0 (0 = write through), got ${String(flushIntervalMs)}`);
  }
  if (typeof path !== 'string' || path.length === 0) {
    throw new TypeError(`${label}: path must be a non-empty file path, got ${JSON.stringify(path)}`);
  }
  const absolute = nodePath.resolve(path);
  let fd: number;
  try {
    fs.mkdirSync(nodePath.dirname(absolute), { recursive: true });
    fd = fs.openSync(absolute, 'a');
  } catch (err) {
    throw new Error(
      `${label}: cannot open "${absolute}" for appending: ${describe(err)}. Fix: choose a path whose parent is (or can be created as) a writable directory.`,
      { cause: err },
    );
  }

  let pending: (string | Uint8Array)[] = [];
  let pendingChars = 0;
  let pendingRecords = 0;
  let written = 0;
  let failure: { error: Error; reason: string } | undefined;
  let unwritten = 0;
  let closed = false;

  if (options.header !== undefined && fs.fstatSync(fd).size === 0) {
    pending.push(options.header);
    pendingChars += options.header.length;
  }

  const flush = (): void => {
    if (failure) throw failure.error;
    if (pending.length === 0 || closed) return;
    const chunk = chunkOf(pending);
    const records = pendingRecords;
    pending = [];
    pendingChars = 0;
    pendingRecords = 0;
    try {
      fs.appendFileSync(fd, chunk);
      written += records;
    } catch (err) {
      // A partial write may have left part of the chunk in the file; it is counted as lost, since no record of it is whole for sure.
      const reason = describe(err);
      unwritten += records;
      failure = { error: new Error(`${label}: writing to "${absolute}" failed: ${reason}`, { cause: err }), reason };
      options.onError?.(failureReport()!);
      throw failure.error;
    }
  };
  const failureReport = (): WriteFailure | undefined =>
    failure && { path: absolute, reason: failure.reason, unwritten: unwritten + pendingRecords, error: failure.error };

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
    append(data: string | Uint8Array, records = 1): void {
      if (closed) throw new Error(`${label}: "${absolute}" is closed; write before close()`);
      if (failure) {
        unwritten += records;
        throw failure.error;
      }
      pending.push(data);
      pendingChars += data.length;
      pendingRecords += records;
      if (flushIntervalMs === 0 || pendingChars >= MAX_BUFFERED_CHARS) flush();
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
