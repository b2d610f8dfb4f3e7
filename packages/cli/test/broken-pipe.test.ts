// `kramers … | head`, or Ctrl-C reaching `| tee` before kramers: the reader closes the pipe. The run must go on and
// write its files (EPIPE used to crash the process with exit 7 and nothing written).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';

const bin = fileURLToPath(new URL('../bin/kramers.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'kramers-pipe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a closed stdout and stderr: compare still finishes, exits 0 and writes every event to --out', async () => {
  const out = join(dir, 'events.jsonl');
  const child = spawn(process.execPath, [bin, 'compare', '--epochs', '2', '--no-sharpness', '--no-noise', '--no-escape', '--out', out]);
  // The reader goes away before kramers has written anything.
  child.stdout.destroy();
  child.stderr.destroy();
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  expect(code).toBe(0);
  const events = readFileSync(out, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { kind: string; phase?: string });
  // Three runs, each with its start and end event and its steps' metrics.
  expect(events.filter((e) => e.kind === 'run' && e.phase === 'end')).toHaveLength(3);
  expect(events.filter((e) => e.kind === 'metric').length).toBeGreaterThan(1000);
}, 120_000);
