import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Subject } from 'rxjs';
import type { KramersEvent } from '@kramers/core';
import { jsonlWriter, readJsonl } from './jsonl.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kramers-jsonl-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  vi.useRealTimers();
});

const sample: KramersEvent[] = [
  { kind: 'metric', runId: 'sgd', iteration: 0, plugin: 'train', name: 'loss', value: 0.693, wallTime: 1700000000000 },
  {
    kind: 'metric', runId: 'sgld', iteration: 0, plugin: 'hvp', name: 'trace', value: 41.5, layer: 'dense_Dense1',
    unit: '1/loss', uncertainty: { stderr: 0.25, lower: 41, upper: 42, level: 0.95 }, wallTime: 1700000000001,
  },
  { kind: 'metric', runId: 'adam', iteration: 1, plugin: 'hvp', name: 'top_k', value: { kind: 'vector', values: [3, 2, 1], labels: ['a', 'b', 'c'] }, wallTime: 2 },
  { kind: 'metric', runId: 'sgd', iteration: 1, plugin: 'sgn', name: 'g', value: { kind: 'histogram', edges: [0, 1, 2], counts: [4, 5], sum: 6 }, wallTime: 3 },
  { kind: 'metric', runId: 'sgd', iteration: 2, plugin: 'sgn', name: 't', value: { kind: 'table', columns: ['a', 'b'], rows: [[1, 'x'], [null, 2]] }, prediction: true, wallTime: 4 },
  { kind: 'plugin-error', runId: 'sgld', iteration: 2, plugin: 'valley', phase: 'step', message: 'bad "quote"\nnewline', stack: 'Error: at x', wallTime: 5 },
];

const lines = (file: string) => fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');

describe('jsonlWriter', () => {
  it('round-trips every event kind in order, one JSON object per line', () => {
    const file = path.join(dir, 'a', 'b', 'events.jsonl');
    const events$ = new Subject<KramersEvent>();
    const writer = jsonlWriter(file);
    expect(writer.path).toBe(path.resolve(file));
    events$.subscribe(writer.observer);
    for (const e of sample) events$.next(e);
    events$.complete();
    expect(lines(file)).toHaveLength(sample.length);
    expect(JSON.parse(lines(file)[5]!)).toEqual(sample[5]);
    expect(readJsonl(file)).toEqual(sample);
  });

  it('buffers until the interval passes, then flushes; close flushes the rest', () => {
    vi.useFakeTimers();
    const file = path.join(dir, 'interval.jsonl');
    const writer = jsonlWriter(file, { flushIntervalMs: 500 });
    writer.write(sample[0]!);
    writer.write(sample[1]!);
    expect(fs.readFileSync(file, 'utf8')).toBe('');
    vi.advanceTimersByTime(500);
    expect(readJsonl(file)).toEqual(sample.slice(0, 2));
    writer.write(sample[2]!);
    expect(readJsonl(file)).toEqual(sample.slice(0, 2));
    writer.close();
    expect(readJsonl(file)).toEqual(sample.slice(0, 3));
    writer.close(); // idempotent
    expect(() => writer.write(sample[3]!)).toThrow(/is closed/);
  });

  it('flushes what is left from its process exit hook, and removes the hook on close', () => {
    const file = path.join(dir, 'exit.jsonl');
    const before = process.listeners('exit');
    const writer = jsonlWriter(file, { flushIntervalMs: 60_000 });
    const added = process.listeners('exit').filter((l) => !before.includes(l));
    expect(added).toHaveLength(1);
    writer.write(sample[0]!);
    writer.write(sample[5]!);
    expect(fs.readFileSync(file, 'utf8')).toBe('');
    (added[0] as (code: number) => void)(0); // what Node does at exit
    expect(readJsonl(file)).toEqual([sample[0], sample[5]]);
    writer.close();
    expect(process.listeners('exit')).not.toContain(added[0]);
    expect(readJsonl(file)).toEqual([sample[0], sample[5]]);
  });

  it('appends to an existing file and writes through with flushIntervalMs 0', () => {
    const file = path.join(dir, 'append.jsonl');
    const w1 = jsonlWriter(file, { flushIntervalMs: 0 });
    w1.write(sample[0]!);
    expect(readJsonl(file)).toEqual([sample[0]]);
    w1.close();
    const w2 = jsonlWriter(file, { flushIntervalMs: 0 });
    w2.write(sample[1]!);
    w2.close();
    expect(readJsonl(file)).toEqual(sample.slice(0, 2));
  });

  it('fails at open time, naming the path, when the path cannot be written', () => {
    const blocker = path.join(dir, 'plain-file');
    fs.writeFileSync(blocker, 'x');
    expect(() => jsonlWriter(path.join(blocker, 'e.jsonl'))).toThrow(/jsonlWriter: cannot open ".*plain-file\/e\.jsonl" for appending/);
    expect(() => jsonlWriter(dir)).toThrow(/jsonlWriter: cannot open .* EISDIR/);
    expect(() => jsonlWriter(path.join(dir, 'x.jsonl'), { flushIntervalMs: -1 })).toThrow(/flushIntervalMs must be a finite number ≥ 0/);
  });
});

describe('readJsonl', () => {
  it('names the line that is not JSON or not an event', () => {
    const bad = path.join(dir, 'bad.jsonl');
    fs.writeFileSync(bad, `${JSON.stringify(sample[0])}\n\n{oops\n`);
    expect(() => readJsonl(bad)).toThrow(/line 3 is not JSON/);
    fs.writeFileSync(bad, `${JSON.stringify({ kind: 'step' })}\n`);
    expect(() => readJsonl(bad)).toThrow(/line 1 is not a kramers event: kind is "step"/);
  });
});

describe('write failures', () => {
  const full = '/dev/full';
  const available = fs.existsSync(full);

  it.runIf(available)('write-through: the first write throws, onError hears once, and every later event is counted', () => {
    const failures: unknown[] = [];
    const writer = jsonlWriter(full, { flushIntervalMs: 0, onError: (f) => failures.push(f) });
    expect(() => writer.write(sample[0]!)).toThrow(/jsonlWriter: writing to "\/dev\/full" failed: ENOSPC/);
    expect(() => writer.write(sample[1]!)).toThrow(/ENOSPC/);
    expect(failures).toHaveLength(1);
    expect(writer.failure).toMatchObject({ path: full, unwritten: 2 });
    expect(writer.failure!.reason).toMatch(/^ENOSPC: no space left on device/);
    expect(writer.written).toBe(0);
    expect(() => writer.close()).toThrow(/ENOSPC/);
  });

  it.runIf(available)('through the observer: no throw into the stream; a buffered chunk lost at close is counted', () => {
    const events$ = new Subject<KramersEvent>();
    const writer = jsonlWriter(full, { flushIntervalMs: 60_000 });
    events$.subscribe(writer.observer);
    for (const e of sample) events$.next(e);
    expect(writer.failure).toBeUndefined();
    expect(() => events$.complete()).not.toThrow();
    expect(writer.failure).toMatchObject({ unwritten: sample.length });
  });

  it('counts what reached the file', () => {
    const writer = jsonlWriter(path.join(dir, 'count.jsonl'), { flushIntervalMs: 0 });
    for (const e of sample) writer.write(e);
    expect(writer.written).toBe(sample.length);
    expect(writer.failure).toBeUndefined();
    writer.close();
  });
});
