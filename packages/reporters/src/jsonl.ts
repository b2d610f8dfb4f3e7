/**
 * The event stream as JSON Lines: one event per line, exactly its MetricEvent / PluginErrorEvent fields,
 * appended in arrival order. JSON has no NaN or ±Infinity: such numbers are written as null.
 */
import * as fs from 'node:fs';
import type { KramersEvent } from '@kramers/core';
import { eventFileWriter, type EventFileWriter, type FileSinkOptions } from './file-sink.js';

/** Opens (creating parent directories) `path` for appending; throws at once, naming the path, if it cannot. */
export function jsonlWriter(path: string, options: FileSinkOptions = {}): EventFileWriter {
  return eventFileWriter(path, { label: 'jsonlWriter', format: (event) => `${JSON.stringify(event)}\n` }, options);
}

/** Reads a JSONL event file back; blank lines are skipped, a malformed line is an error naming its number. */
export function readJsonl(path: string): KramersEvent[] {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`readJsonl: cannot read "${path}": ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const events: KramersEvent[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (err) {
      throw new Error(`readJsonl: "${path}" line ${i + 1} is not JSON (${err instanceof Error ? err.message : String(err)})`, { cause: err });
    }
    const kind = typeof parsed === 'object' && parsed !== null ? (parsed as { kind?: unknown }).kind : undefined;
    if (kind !== 'metric' && kind !== 'plugin-error' && kind !== 'run') {
      throw new Error(`readJsonl: "${path}" line ${i + 1} is not a kramers event: kind is ${JSON.stringify(kind)}, expected "metric", "plugin-error" or "run"`);
    }
    events.push(parsed as KramersEvent);
  });
  return events;
}
