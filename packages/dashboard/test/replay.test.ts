import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { replayJsonl, startDashboard, type Dashboard } from '../src/index.js';
import { metric, openSse } from './helpers.js';

let dash: Dashboard | undefined;
afterEach(async () => {
  await dash?.close();
  dash = undefined;
});

describe('replayJsonl', () => {
  it("loads a finished run's JSONL log into the history a page receives", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kramers-dash-')), 'run.jsonl');
    const events = [
      { kind: 'run', runId: 'sgd', iteration: 0, phase: 'start', info: { lr: 0.1 }, wallTime: 0 },
      ...Array.from({ length: 40 }, (_, i) => metric('sgd', i, 'loss', 1 / (i + 1))),
      { kind: 'run', runId: 'sgd', iteration: 39, phase: 'end', info: { status: 'completed' }, wallTime: 1 },
    ];
    fs.writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    dash = await startDashboard();
    expect(replayJsonl(file, dash)).toBe(42);
    const client = await openSse(dash.port);
    await client.until(() => client.controls.includes('live'));
    expect(client.events).toEqual(events);
    client.close();
    expect(() => replayJsonl(path.join(path.dirname(file), 'missing.jsonl'), dash!)).toThrow(/cannot read/);
  });
});
