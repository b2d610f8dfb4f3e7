import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Subject } from 'rxjs';
import type { KramersEvent } from '@kramers/core';
import { csvField, csvWriter } from './csv.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kramers-csv-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const HEADER = 'runId,iteration,plugin,name,layer,value,unit,stderr,lower,upper,wallTime,prediction\n';

describe('csvField (RFC 4180)', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\r\nlf', '"cr\r\nlf"'],
    ['', ''],
    [undefined, ''],
    [0.1, '0.1'],
    [Number.NaN, 'NaN'],
    [true, 'true'],
  ])('%j → %j', (field, expected) => {
    expect(csvField(field)).toBe(expected);
  });
});

describe('csvWriter', () => {
  it('writes a header and one quoted row per scalar metric; skips non-scalars and plugin errors', () => {
    const file = path.join(dir, 'nested', 'deeper', 'metrics.csv');
    const events$ = new Subject<KramersEvent>();
    const writer = csvWriter(file, { flushIntervalMs: 1000 });
    events$.subscribe(writer.observer);
    events$.next({
      kind: 'metric', runId: 'sgd', iteration: 3, plugin: 'my,plugin', name: 'say "hi"', layer: 'a\nb', value: 0.5,
      uncertainty: { stderr: 0.01, lower: 0.4, upper: 0.6, level: 0.95 }, wallTime: 1700000000000,
    });
    events$.next({ kind: 'metric', runId: 'sgd', iteration: 3, plugin: 'hvp', name: 'top', value: { kind: 'vector', values: [1, 2] }, wallTime: 1 });
    events$.next({ kind: 'plugin-error', runId: 'sgd', iteration: 3, plugin: 'hvp', phase: 'step', message: 'x', wallTime: 2 });
    events$.next({
      kind: 'metric', runId: 'adam', iteration: 4, plugin: 'escape', name: 'escape_time', value: 1e-7, unit: 'steps',
      prediction: true, wallTime: 3,
    });
    events$.complete(); // closes, flushing what is buffered
    expect(fs.readFileSync(file, 'utf8')).toBe(
      HEADER +
        'sgd,3,"my,plugin","say ""hi""","a\nb",0.5,,0.01,0.4,0.6,1700000000000,\n' +
        'adam,4,escape,escape_time,,1e-7,steps,,,,3,true\n',
    );
  });

  it("JSON-encodes non-scalar values with nonScalar: 'json' and appends without a second header", () => {
    const file = path.join(dir, 'append.csv');
    const first = csvWriter(file);
    first.write({ kind: 'metric', runId: 'r', iteration: 0, plugin: 'p', name: 'loss', value: 2, wallTime: 0 });
    first.close();
    const second = csvWriter(file, { nonScalar: 'json' });
    second.write({ kind: 'metric', runId: 'r', iteration: 1, plugin: 'p', name: 'v', value: { kind: 'vector', values: [1, 2] }, wallTime: 0 });
    second.close();
    expect(fs.readFileSync(file, 'utf8')).toBe(
      HEADER + 'r,0,p,loss,,2,,,,,0,\n' + 'r,1,p,v,,"{""kind"":""vector"",""values"":[1,2]}",,,,,0,\n',
    );
  });

  it('names the path and the fix when it cannot open the file', () => {
    const blocker = path.join(dir, 'a-file');
    fs.writeFileSync(blocker, 'x');
    expect(() => csvWriter(path.join(blocker, 'm.csv'))).toThrow(/csvWriter: cannot open ".*a-file\/m\.csv" for appending: .*Fix:/);
    expect(() => csvWriter(path.join(dir, 'x.csv'), { nonScalar: 'yes' as never })).toThrow(/nonScalar must be 'skip' or 'json'/);
  });
});
