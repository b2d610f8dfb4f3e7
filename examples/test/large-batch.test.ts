/**
 * examples/large-batch, run as a user runs it (`npm start`): its printed lines must show the contrast the example
 * exists for — B = 1024 at the same η trapped from its first measurement with the reason, B = 32 not (or only late),
 * the linear scaling rule restoring the temperature, and the noise scale's suggested batch size per run.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, expect, test } from 'vitest';

const script = fileURLToPath(new URL('../large-batch/train.ts', import.meta.url));

interface RunLine {
  B: number;
  eta: number;
  trainLoss: number;
  tTop: number;
  barrier: number;
  lambdaMax: number;
  log10Steps: number;
  steps: number;
  trapped: number | null;
}

let stdout: string;
let runs: Record<string, RunLine>;

beforeAll(async () => {
  ({ stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], { timeout: 400_000 }));
  runs = {};
  const re = /^RUN (\S+) B=(\d+) eta=([\d.e+-]+) eta\/B=\S+ train_loss=([\d.e+-]+) test_accuracy=\S+ lambda_max=([\d.e+-]+) T_top=([\d.e+-]+) barrier=([\d.e+-]+) log10_predicted_steps=([\d.e+-]+) steps=(\d+) trapped=(no|since step (\d+))$/gm;
  for (const m of stdout.matchAll(re)) {
    runs[m[1]!] = {
      B: Number(m[2]), eta: Number(m[3]), trainLoss: Number(m[4]), lambdaMax: Number(m[5]), tTop: Number(m[6]), barrier: Number(m[7]),
      log10Steps: Number(m[8]), steps: Number(m[9]), trapped: m[11] === undefined ? null : Number(m[11]),
    };
  }
}, 420_000);

test('three runs: B = 32 at η, B = 1024 at η, B = 1024 at η·32', () => {
  expect(stdout).toContain('training sgd-b32 (1320 steps), sgd-b1024 (30 steps), sgd-b1024-scaled (30 steps) on digits');
  expect(Object.entries(runs).map(([id, r]) => [id, r.B, r.eta, r.steps])).toEqual([
    ['sgd-b32', 32, 0.05, 1320],
    ['sgd-b1024', 1024, 0.05, 30],
    ['sgd-b1024-scaled', 1024, 1.6, 30],
  ]);
  expect(runs['sgd-b1024']!.trainLoss).toBeGreaterThan(5 * runs['sgd-b1024-scaled']!.trainLoss);
});

test('B = 1024 at the same η is trapped from its first measurement, the live alert giving the reason and the remedy', () => {
  expect(runs['sgd-b1024']!.trapped).toBe(0);
  const alert = /^TRAPPED sgd-b1024 at step 0: escape from this valley needs ≈ \S+ more steps, 29 remain \(ΔL = \S+, T = (\S+): ΔL\/T = (\S+)\)\n {2}remedy: (.+)$/m.exec(stdout);
  expect(alert).not.toBeNull();
  expect(Number(alert![2])).toBeGreaterThan(20);
  expect(alert![3]).toMatch(/budget \S+ (more steps|steps in all)$/);
  // B = 32 is hot enough for the same barrier: no alert before half of its steps
  const small = runs['sgd-b32']!;
  if (small.trapped !== null) expect(small.trapped).toBeGreaterThan(0.5 * 1320);
  expect(10 ** small.log10Steps).toBeLessThan(2 * 1320);
  expect(runs['sgd-b1024']!.log10Steps - small.log10Steps).toBeGreaterThan(10);
});

test("the temperatures follow η/B (T = ηλ/2B), and the scaled run's is the B = 32 run's within the curvature ratio", () => {
  for (const r of Object.values(runs)) expect(Math.abs(r.tTop / ((r.eta * r.lambdaMax) / (2 * r.B)) - 1)).toBeLessThan(0.02); // both printed to 3 digits
  const ratio = runs['sgd-b1024-scaled']!.tTop / runs['sgd-b32']!.tTop;
  expect(ratio).toBeGreaterThan(0.67);
  expect(ratio).toBeLessThan(1.5);
  const summary = /^SUMMARY B = 1024 at the same η runs (\d+)× colder than B = 32; the linear scaling rule brings T back to ([\d.]+)× the B = 32 temperature$/m.exec(stdout);
  expect(Number(summary![1])).toBeGreaterThan(16);
  expect(Number(summary![2])).toBeCloseTo(ratio, 1);
});

test('the noise scale suggests a batch size per run', () => {
  const suggested = Object.fromEntries([...stdout.matchAll(/^NOISE (\S+): the noise scale suggests B ≈ (\d+) \(this run used B = (\d+)\)$/gm)].map((m) => [m[1], Number(m[2])]));
  expect(Object.keys(suggested)).toEqual(['sgd-b32', 'sgd-b1024', 'sgd-b1024-scaled']);
  for (const b of Object.values(suggested)) expect(b).toBeGreaterThanOrEqual(1);
  expect(suggested['sgd-b1024']).toBeLessThan(1024);
});
