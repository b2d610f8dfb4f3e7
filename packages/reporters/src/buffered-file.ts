/**
 * An append-only text file that buffers writes and flushes them at an interval, on `close()`, when the buffer
 * grows large, and on process exit. Shared by the JSONL and CSV writers.
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
  /** Written first when the file is new or empty (a CSV header), never again when appending. */
  readonly header?: string;
}

export interface BufferedFile {
  /** Absolute path of the file. */
  readonly path: string;
  append(text: string): void;
  /** Writes what is buffered now. */
  flush(): void;
  /** Flushes, closes the file and removes the exit hook; idempotent. Rethrows an earlier background flush error. */
  close(): void;
}

/** Flush early past this many buffered characters, bounding memory between interval flushes. */
const MAX_BUFFERED_CHARS = 1 << 20;

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

  let pending: string[] = [];
  let pendingChars = 0;
  let failure: Error | undefined;
  let closed = false;

  if (options.header !== undefined && fs.fstatSync(fd).size === 0) {
    pending.push(options.header);
    pendingChars += options.header.length;
  }

  const flush = (): void => {
    if (failure) throw failure;
    if (pending.length === 0 || closed) return;
    const chunk = pending.join('');
    pending = [];
    pendingChars = 0;
    try {
      fs.appendFileSync(fd, chunk, 'utf8');
    } catch (err) {
      failure = new Error(`${label}: writing to "${absolute}" failed, ${chunk.length} characters lost: ${describe(err)}`, { cause: err });
      throw failure;
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
    append(text: string): void {
      if (closed) throw new Error(`${label}: "${absolute}" is closed; write before close()`);
      if (failure) throw failure;
      pending.push(text);
      pendingChars += text.length;
      if (flushIntervalMs === 0 || pendingChars >= MAX_BUFFERED_CHARS) flush();
    },
    flush,
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
