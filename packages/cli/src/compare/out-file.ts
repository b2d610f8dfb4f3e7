import { jsonlWriter, type EventFileWriter } from '@kramers/reporters';
import { CliFailure } from '../cli-failure.js';

/**
 * Opens the `--out` JSONL file before anything is trained, so a path that cannot be written costs no training time.
 * `onFailure` hears the first failed write (e.g. a full disk), whenever it happens.
 */
export function openOutFile(path: string, onFailure: () => void): EventFileWriter {
  try {
    return jsonlWriter(path, { onError: onFailure });
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
    throw new CliFailure(`--out ${path}: cannot open it for appending (${cause}); nothing was trained`);
  }
}

/** The one line a failed `--out` ends with, or undefined when every event was written. */
export function outFailureMessage(path: string, writer: EventFileWriter): string | undefined {
  const failure = writer.failure;
  if (failure === undefined) return undefined;
  const n = failure.unwritten;
  return `--out ${path}: ${failure.reason}; ${n} event${n === 1 ? '' : 's'} not written`;
}
