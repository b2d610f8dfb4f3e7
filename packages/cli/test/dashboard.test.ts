// `kramers dashboard --replay run.jsonl`: a finished run's log served on the live page until Ctrl-C.
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { cli, startCli, waitForMatch } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'kramers-dashboard-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Reads the event stream until `enough` says stop (or 10 s pass). */
function readEvents(url: string, enough: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get(`${url}events`, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        if (enough(text)) {
          req.destroy();
          resolve(text);
        }
      });
    });
    req.on('error', (err) => (err.message.includes('socket hang up') ? undefined : reject(err)));
    setTimeout(() => {
      req.destroy();
      resolve('');
    }, 10_000);
  });
}

test('replays a compare log: the page, then the history on the event stream, and Ctrl-C ends it', async () => {
  const log = join(dir, 'run.jsonl');
  const compare = await cli(['compare', '--epochs', '1', '--no-progress', '--out', log]);
  expect(compare.code, compare.stderr).toBe(0);
  const run = startCli(['dashboard', '--replay', log]);
  let out = '';
  run.child.stdout.removeAllListeners('data');
  run.child.stdout.on('data', (d) => (out += String(d)));
  const url = (await waitForMatch(() => out, /at (http:\/\/127\.0\.0\.1:\d+\/)/))[1]!;
  const count = Number(/(\d+) events from/.exec(out)![1]);
  expect(count).toBeGreaterThan(10);
  const page = await new Promise<string>((resolve, reject) => {
    get(url, (res) => {
      let t = '';
      res.on('data', (d) => (t += String(d)));
      res.on('end', () => resolve(t));
    }).on('error', reject);
  });
  expect(page).toContain('<html');
  const stream = await readEvents(url, (t) => t.includes('event: live'));
  expect(stream).toContain('event: reset');
  expect(stream).toContain('"runId":"sgd"');
  expect(stream).toContain('"runId":"adam"');
  run.child.kill('SIGINT');
  expect(await run.exited).toBe(0);
}, 120_000);

test('a missing log is a usage error', async () => {
  const { code, stderr } = await cli(['dashboard', '--replay', join(dir, 'nope.jsonl')]);
  expect(code).toBe(2);
  expect(stderr).toContain('--replay');
});

test('compare --dashboard: the page streams every run while training, stays up after it, and Ctrl-C ends it with exit 0', async () => {
  const run = startCli(['compare', '--epochs', '2', '--no-progress', '--dashboard']);
  const url = (await waitForMatch(run.stderr, /dashboard at (http:\/\/127\.0\.0\.1:\d+\/)/))[1]!;
  // Connected during training: the stream carries all three runs' metrics, including sharpness.
  const stream = await readEvents(url, (t) => ['sgd', 'sgld', 'adam'].every((r) => t.includes(`"runId":"${r}"`)) && t.includes('lambda_max'));
  expect(stream).toContain('"runId":"sgld"');
  await waitForMatch(run.stderr, /training done; the dashboard stays at/);
  // After training the history is still served to a new client.
  const again = await readEvents(url, (t) => t.includes('event: live'));
  expect(again).toContain('"phase":"end"');
  run.child.kill('SIGINT');
  expect(await run.exited).toBe(0);
}, 180_000);

test('--host without --dashboard is a usage error', async () => {
  const { code, stderr } = await cli(['compare', '--host', '0.0.0.0']);
  expect(code).toBe(2);
  expect(stderr).toContain('--host applies to --dashboard only');
});
