import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

const run = promisify(execFile);
const example = (name: string) => fileURLToPath(new URL(`../${name}/train.ts`, import.meta.url));

test('fit-callback: an ordinary model.fit script reports every step through three added lines', async () => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', example('fit-callback')], { timeout: 120_000 });
  // wine: 178 rows, batch 32 → 6 steps per epoch, 20 epochs.
  // Unseeded, as an ordinary script is: wine is easy enough that any initialisation reaches 90 % in 20 epochs.
  const final = /final accuracy ([\d.]+) after (\d+) steps/.exec(stdout);
  expect(final?.[2]).toBe('120');
  expect(Number(final?.[1])).toBeGreaterThan(0.9);
  const losses = [...stdout.matchAll(/step (\d+) loss ([\d.e+-]+)/g)].map((m) => Number(m[2]));
  expect(losses).toHaveLength(4);
  expect(losses[3]!).toBeLessThan(losses[0]! / 2);
});

test('custom-loop: a hand-written minimize loop with SGLD and a probe plugin', async () => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', example('custom-loop')], { timeout: 120_000 });
  expect(stdout).toContain('done: 215 steps, D = 0.0001');
  const full = [...stdout.matchAll(/full-data loss ([\d.e+-]+)/g)].map((m) => Number(m[1]));
  expect(full).toHaveLength(5);
  expect(full[4]!).toBeLessThan(full[0]! / 4);
});
