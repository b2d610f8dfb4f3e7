import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Subject } from 'rxjs';
import type { KramersEvent } from '@kramers/core';
import { readTfEvents, tensorboardWriter, TF_FILE_VERSION } from './tensorboard.js';
import { tfHistogram, vectorTfHistogram } from './tensorboard-summary.js';
import type { TfEvent } from './tensorboard-proto.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kramers-tb-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  vi.useRealTimers();
});

const T = 1700000000123; // ms
const sample: KramersEvent[] = [
  { kind: 'run', runId: 'sgd', iteration: 0, phase: 'start', info: { lr: 0.1 }, wallTime: T },
  { kind: 'metric', runId: 'sgd', iteration: 0, plugin: 'train', name: 'loss', value: 0.1, wallTime: T + 1 },
  { kind: 'metric', runId: 'adam', iteration: 0, plugin: 'train', name: 'loss', value: 0.7, wallTime: T + 2 },
  { kind: 'metric', runId: 'sgd', iteration: 1, plugin: 'hvp', name: 'trace', layer: 'dense_Dense1', value: 41.5, wallTime: T + 3 },
  { kind: 'metric', runId: 'sgd', iteration: 2, plugin: 'sgn', name: 'g', value: { kind: 'histogram', edges: [0, 1, 2], counts: [4, 5], sum: 6 }, wallTime: T + 4 },
  { kind: 'metric', runId: 'sgd', iteration: 3, plugin: 'hvp', name: 'top_k', value: { kind: 'vector', values: [0, 1, 2, 3, 10, NaN] }, wallTime: T + 5 },
  { kind: 'metric', runId: 'sgd', iteration: 4, plugin: 'sgn', name: 't', value: { kind: 'table', columns: ['a'], rows: [[1]] }, wallTime: T + 6 },
  { kind: 'plugin-error', runId: 'sgd', iteration: 4, plugin: 'valley', phase: 'step', message: 'x', wallTime: T + 7 },
  { kind: 'metric', runId: 'sgd', iteration: 123456789, plugin: 'train', name: 'loss', value: NaN, wallTime: T + 8 },
];

/** The same event, for another run. */
const forRun = (runId: string, i: number): KramersEvent => ({ ...sample[i]!, runId });
const summaries = (events: TfEvent[]) => events.filter((e) => e.kind === 'summary');

describe('tensorboardWriter', () => {
  it('writes dir/<runId>/events.out.tfevents.<seconds>.<hostname>: header, then one record per metric of its run', () => {
    const events$ = new Subject<KramersEvent>();
    const before = Date.now();
    const writer = tensorboardWriter(path.join(dir, 'logs'), { runId: 'sgd', vectorBuckets: 5 });
    events$.subscribe(writer.observer);
    for (const e of sample) events$.next(e);
    events$.complete();

    const name = path.basename(writer.path);
    expect(path.dirname(writer.path)).toBe(path.resolve(dir, 'logs', 'sgd'));
    const m = /^events\.out\.tfevents\.(\d+)\.(.+)$/.exec(name);
    expect(m?.[2]).toBe(os.hostname());
    expect(Number(m?.[1])).toBeGreaterThanOrEqual(Math.floor(before / 1000));
    expect(Number(m?.[1])).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    // Every TensorFlow event file starts with length 24 and its masked CRC.
    expect(fs.readFileSync(writer.path).subarray(0, 12).toString('hex')).toBe('1800000000000000a37f4b22');

    const events = readTfEvents(writer.path);
    expect(events[0]).toMatchObject({ kind: 'file-version', fileVersion: TF_FILE_VERSION, step: 0 });
    expect(events[0]!.wallTime * 1000).toBeGreaterThanOrEqual(before - 1);
    const written = summaries(events);
    // loss, trace@layer, histogram, vector, NaN loss: the other run, the table, the error and the run event are skipped.
    expect(written.map((e) => [e.step, e.wallTime, e.values.map((v) => v.tag)])).toEqual([
      [0, (T + 1) / 1000, ['train/loss']],
      [1, (T + 3) / 1000, ['hvp/trace@dense_Dense1']],
      [2, (T + 4) / 1000, ['sgn/g']],
      [3, (T + 5) / 1000, ['hvp/top_k']],
      [123456789, (T + 8) / 1000, ['train/loss']],
    ]);
    expect(writer.written).toBe(5);
    expect(events).toHaveLength(6);
    // Scalars are float32: 0.1 reads back as fround(0.1), 41.5 exactly, NaN as NaN.
    const scalar = (i: number) => { const v = written[i]!.values[0]!; return v.kind === 'scalar' ? v.value : undefined; };
    expect(scalar(0)).toBe(0.10000000149011612);
    expect(scalar(0)).not.toBe(0.1);
    expect(scalar(1)).toBe(41.5);
    expect(scalar(4)).toBeNaN();
    expect(written[2]!.values[0]).toEqual({
      kind: 'histogram', tag: 'sgn/g',
      // sum_squares estimated at bin midpoints: 4·0.5² + 5·1.5² = 12.25.
      histogram: { min: 0, max: 2, num: 9, sum: 6, sumSquares: 12.25, bucketLimit: [1, 2], bucket: [4, 5] },
    });
    expect(written[3]!.values[0]).toEqual({
      kind: 'histogram', tag: 'hvp/top_k',
      // Five bins of width 2 over [0, 10]; NaN dropped; 10 falls in the last bin. Σv = 16, Σv² = 114.
      histogram: { min: 0, max: 10, num: 5, sum: 16, sumSquares: 114, bucketLimit: [2, 4, 6, 8, 10], bucket: [2, 2, 0, 0, 1] },
    });
  });

  it("skips vectors with vectors: 'skip', nests a runId with '/', and appends to a file of the same second without a second header", () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T);
    const opts = { runId: 'k=0.5/seed1', vectors: 'skip', flushIntervalMs: 0 } as const;
    const w1 = tensorboardWriter(dir, opts);
    w1.write(forRun(opts.runId, 5)); // a vector: skipped
    w1.write(forRun(opts.runId, 1));
    w1.close();
    const w2 = tensorboardWriter(dir, opts);
    expect(w2.path).toBe(w1.path);
    expect(w1.path).toBe(path.resolve(dir, 'k=0.5', 'seed1', `events.out.tfevents.${Math.floor(T / 1000)}.${os.hostname()}`));
    w2.write(sample[3]!); // another run's: skipped
    w2.write(forRun(opts.runId, 3));
    w2.close();
    const events = readTfEvents(w1.path);
    expect(events.map((e) => e.kind)).toEqual(['file-version', 'summary', 'summary']);
    expect(events[0]!.wallTime).toBe(T / 1000);
    expect(summaries(events).map((e) => e.values[0]!.tag)).toEqual(['train/loss', 'hvp/trace@dense_Dense1']);
    expect([w1.written, w2.written]).toEqual([1, 1]);
  });

  it('buffers until the interval passes; close flushes the rest', () => {
    vi.useFakeTimers();
    const writer = tensorboardWriter(dir, { runId: 'buffered', flushIntervalMs: 500 });
    writer.write(forRun('buffered', 1));
    expect(fs.readFileSync(writer.path).length).toBe(0);
    vi.advanceTimersByTime(500);
    expect(summaries(readTfEvents(writer.path))).toHaveLength(1);
    writer.write(forRun('buffered', 3));
    writer.close();
    expect(summaries(readTfEvents(writer.path))).toHaveLength(2);
    writer.close();
    expect(() => writer.write(forRun('buffered', 1))).toThrow(/is closed/);
  });

  it('rejects bad options, naming the field', () => {
    expect(() => tensorboardWriter(dir, { runId: '' })).toThrow(/runId must be a non-empty run name/);
    expect(() => tensorboardWriter(dir, { runId: '../escape' })).toThrow(/runId .* got "\.\.\/escape"/);
    expect(() => tensorboardWriter(dir, { runId: 'a//b' })).toThrow(/runId/);
    expect(() => tensorboardWriter('', { runId: 'a' })).toThrow(/dir must be a non-empty directory path/);
    expect(() => tensorboardWriter(dir, { runId: 'a', vectors: 'table' as 'skip' })).toThrow(/vectors must be 'histogram' or 'skip'/);
    expect(() => tensorboardWriter(dir, { runId: 'a', vectorBuckets: 0 })).toThrow(/vectorBuckets must be a whole number ≥ 1/);
    expect(() => tensorboardWriter(dir, { runId: 'a', flushIntervalMs: -1 })).toThrow(/flushIntervalMs must be a finite number ≥ 0/);
    const blocker = path.join(dir, 'plain-file');
    fs.writeFileSync(blocker, 'x');
    expect(() => tensorboardWriter(blocker, { runId: 'a' })).toThrow(/tensorboardWriter: cannot open ".*plain-file\/a\/events/);
  });

  it.runIf(fs.existsSync('/dev/full'))('a failed write is reported once and counted, never thrown into the stream', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T);
    const runDir = path.join(dir, 'full', 'r');
    fs.mkdirSync(runDir, { recursive: true });
    fs.symlinkSync('/dev/full', path.join(runDir, `events.out.tfevents.${Math.floor(T / 1000)}.${os.hostname()}`));
    const failures: unknown[] = [];
    const writer = tensorboardWriter(path.join(dir, 'full'), { runId: 'r', flushIntervalMs: 60_000, onError: (f) => failures.push(f) });
    const events$ = new Subject<KramersEvent>();
    events$.subscribe(writer.observer);
    for (const i of [1, 3, 4, 5, 8]) events$.next(forRun('r', i));
    expect(() => events$.complete()).not.toThrow();
    expect(failures).toHaveLength(1);
    expect(writer.failure).toMatchObject({ unwritten: 5 });
    expect(writer.failure!.reason).toMatch(/^ENOSPC/);
    expect(writer.written).toBe(0);
  });
});

describe('readTfEvents', () => {
  it('detects a corrupted byte and names the file', () => {
    const writer = tensorboardWriter(dir, { runId: 'corrupt', flushIntervalMs: 0 });
    writer.write(forRun('corrupt', 1));
    writer.write(forRun('corrupt', 4));
    writer.close();
    const bytes = fs.readFileSync(writer.path);
    expect(readTfEvents(writer.path)).toHaveLength(3);
    // Records: header 24 + 16 = 40 bytes; scalar at step 0 (left out) 9 wall_time + 21 summary + 16 = 46; then the
    // histogram. Flip a bit inside the histogram's data.
    expect(bytes.length).toBeGreaterThan(40 + 46 + 40);
    const copy = Buffer.from(bytes);
    copy[40 + 46 + 20]! ^= 0x10;
    const bad = path.join(dir, 'corrupt.tfevents');
    fs.writeFileSync(bad, copy);
    expect(() => readTfEvents(bad)).toThrow(/readTfEvents: ".*corrupt\.tfevents": data CRC mismatch in the record at byte 86/);
    expect(() => readTfEvents(path.join(dir, 'missing'))).toThrow(/readTfEvents: cannot read/);
  });
});

describe('histogram conversion', () => {
  it('skips unusable kramers histograms rather than writing nonsense', () => {
    expect(tfHistogram({ kind: 'histogram', edges: [0, 1], counts: [1, 2] })).toBeUndefined();
    expect(tfHistogram({ kind: 'histogram', edges: [0], counts: [] })).toBeUndefined();
    expect(tfHistogram({ kind: 'histogram', edges: [1, 0], counts: [1] })).toBeUndefined();
    expect(tfHistogram({ kind: 'histogram', edges: [0, 1], counts: [-1] })).toBeUndefined();
  });

  it('bins a constant vector as one unit-wide bucket and an all-NaN vector as nothing', () => {
    expect(vectorTfHistogram([3, 3])).toEqual({ min: 2.5, max: 3.5, num: 2, sum: 6, sumSquares: 18, bucketLimit: [3.5], bucket: [2] });
    expect(vectorTfHistogram([NaN, Infinity])).toBeUndefined();
    // 30 default bins of width 1 over [0, 30]: one value in each, two (29 and 30) in the last.
    const h = vectorTfHistogram(Array.from({ length: 31 }, (_, i) => i))!;
    expect(h.bucket).toEqual([...new Array<number>(29).fill(1), 2]);
    expect(h.bucketLimit[0]).toBe(1);
    expect(h.bucketLimit[29]).toBe(30);
  });
});

// Optional: TensorBoard's (or TensorFlow's) own reader, when one is installed. Nothing is installed for it.
const python = (code: string) => spawnSync('python3', ['-c', code], { encoding: 'utf8', timeout: 8000 });
const reader = ['tensorboard', 'tensorflow'].find((m) => python(`import ${m}`).status === 0);

describe.runIf(reader !== undefined)(`cross-check with ${reader ?? 'python'}`, () => {
  it('reads our scalars and histograms with the same tags, steps and values', () => {
    const writer = tensorboardWriter(dir, { runId: 'python', flushIntervalMs: 0, vectorBuckets: 5 });
    sample.forEach((e, i) => writer.write(e.runId === 'sgd' ? forRun('python', i) : e));
    writer.close();
    const script = `
import json, sys
path = sys.argv[1]
try:
    from tensorboard.backend.event_processing import event_file_loader as l
    events = (l.LegacyEventFileLoader if hasattr(l, 'LegacyEventFileLoader') else l.RawEventFileLoader)(path).Load()
    if not hasattr(l, 'LegacyEventFileLoader'):
        from tensorboard.compat.proto import event_pb2
        events = (event_pb2.Event.FromString(b) for b in events)
except ImportError:
    import tensorflow as tf
    events = tf.compat.v1.train.summary_iterator(path)
out = []
for e in events:
    row = {'step': e.step, 'wall_time': e.wall_time, 'file_version': e.file_version, 'values': []}
    for v in e.summary.value:
        if v.HasField('histo'):
            row['values'].append({'tag': v.tag, 'limits': list(v.histo.bucket_limit), 'bucket': list(v.histo.bucket), 'num': v.histo.num})
        else:
            row['values'].append({'tag': v.tag, 'simple': None if v.simple_value != v.simple_value else v.simple_value})
    out.append(row)
print(json.dumps(out))
`;
    const run = spawnSync('python3', ['-c', script, writer.path], { encoding: 'utf8', timeout: 9000 });
    expect(run.status, run.stderr).toBe(0);
    const rows = JSON.parse(run.stdout) as Array<{ step: number; wall_time: number; file_version: string; values: unknown[] }>;
    expect(rows[0]!.file_version).toBe(TF_FILE_VERSION);
    expect(rows.slice(1).map((r) => [r.step, r.wall_time, r.values])).toEqual([
      [0, (T + 1) / 1000, [{ tag: 'train/loss', simple: 0.10000000149011612 }]],
      [1, (T + 3) / 1000, [{ tag: 'hvp/trace@dense_Dense1', simple: 41.5 }]],
      [2, (T + 4) / 1000, [{ tag: 'sgn/g', limits: [1, 2], bucket: [4, 5], num: 9 }]],
      [3, (T + 5) / 1000, [{ tag: 'hvp/top_k', limits: [2, 4, 6, 8, 10], bucket: [2, 2, 0, 0, 1], num: 5 }]],
      [123456789, (T + 8) / 1000, [{ tag: 'train/loss', simple: null }]],
    ]);
  });
});
