import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRng, useBackend, type KramersEvent, type MetricEvent, type RunEvent } from '@kramers/core';
import { readJsonl } from '@kramers/reporters';
import { cli, kramers, startCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'kramers-compare-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const runEvents = (events: KramersEvent[], phase: RunEvent['phase']) =>
  events.filter((e): e is RunEvent => e.kind === 'run' && e.phase === phase);

/** A headerless regression CSV: y = 3·x₁ − 2·x₂ + 1 + 0.05·noise, 200 rows. */
function regressionCsv(): string {
  const path = join(dir, 'linear.csv');
  const rng = createRng(11);
  const lines: string[] = [];
  for (let i = 0; i < 200; i++) {
    const [a, b] = [rng.normal(), rng.normal()];
    lines.push(`${a},${b},${3 * a - 2 * b + 1 + 0.05 * rng.normal()}`);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

describe('kramers compare (built binary)', () => {
  test('--json on a tiny run prints one document with every run, its config, final numbers and plugin metrics', async () => {
    const out = join(dir, 'events', 'run.jsonl');
    const { code, stdout, stderr } = await cli(['compare', '--epochs', '2', '--json', '--backend', 'cpu', '--out', out]);
    expect(stderr).toContain('sgd');
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(doc).toMatchObject({ command: 'compare', task: 'classification', loss: 'categoricalCrossentropy', seed: 0, epochs: 2 });
    expect(doc.runs.map((r: { optimizer: string }) => r.optimizer)).toEqual(['sgd', 'sgld', 'adam']);
    expect(doc.dataset).toEqual({ name: 'banknote', trainRows: 1098, testRows: 274, features: 4, classes: 2 });
    expect(doc.model).toEqual({ layers: [4, 16, 16, 2], parameters: 4 * 16 + 16 + 16 * 16 + 16 + 16 * 2 + 2 });
    expect(doc.stepsPerEpoch).toBe(35);
    expect(doc.probeRows).toBe(1098);
    for (const r of doc.runs) {
      expect(r.final.status).toBe('completed');
      expect(r.final.iterations).toBe(70);
      expect(r.final.loss).toBeGreaterThan(0);
      // Banknote is nearly separable: two epochs already classify most of it.
      expect(r.final.accuracy).toBeGreaterThan(0.85);
      expect(r.final.testAccuracy).toBeGreaterThan(0.85);
      expect(r.metrics['basics/grad_norm'].iteration).toBe(69);
      expect(r.metrics['basics/distance@dense1'].value).toBeGreaterThan(0);
      expect(r.metrics['evaluate/test_accuracy'].value).toBeCloseTo(r.final.testAccuracy, 6);
      // The sharpness plugin measured the Hessian at the end of each epoch (steps 34 and 69), converged.
      const lmax = r.metrics['sharpness/lambda_max'];
      expect(lmax.iteration).toBe(69);
      expect(lmax.value).toBeGreaterThan(0);
      expect(r.metrics['sharpness/lambda_min'].value).toBeLessThan(lmax.value);
      expect(r.metrics['sharpness/lambda_max_residual'].value).toBeLessThan(1e-3 * lmax.value);
      expect(r.metrics['sharpness/top_eigenvalues'].value.values).toHaveLength(3);
      expect(r.errors).toEqual([]);
    }
    expect(doc.runs[1].config).toMatchObject({ learningRate: 0.1, diffusion: 1e-4, seed: 0, batchSize: 32 });
    expect(doc.runs[2].config).toMatchObject({ learningRate: 0.01, batchSize: 32 });
    // The JSONL file holds every event of all three runs, framed by run start and end events.
    const events = readJsonl(out);
    expect(new Set(events.map((l) => l.runId))).toEqual(new Set(['sgd', 'sgld', 'adam']));
    expect(events.filter((l) => l.runId === 'adam' && l.kind === 'metric' && l.name === 'grad_norm' && l.layer === undefined)).toHaveLength(70);
    const starts = runEvents(events, 'start');
    expect(starts.map((e) => e.runId)).toEqual(['sgd', 'sgld', 'adam']);
    expect(starts[0]!.info).toMatchObject({ optimizer: 'sgd', seed: 0, dataset: { name: 'banknote' }, command: expect.stringMatching(/^kramers compare --epochs 2 --json/), version: '0.1.0' });
    expect(runEvents(events, 'end').map((e) => [e.runId, e.iteration, e.info['status']])).toEqual([
      ['sgd', 69, 'completed'], ['sgld', 69, 'completed'], ['adam', 69, 'completed'],
    ]);
  });

  test('usage errors exit 2 with a message naming the flag and what is allowed', async () => {
    const bad = await cli(['compare', '--optimizers', 'sgd,nadam']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--optimizers got "nadam"; allowed: sgd, sgld, adam, momentum, rmsprop, adagrad.');
    expect(bad.stdout).toBe('');
    const big = await cli(['compare', '--batch-size', '5000', '--no-progress', '--backend', 'cpu']);
    expect(big.code).toBe(2);
    expect(big.stderr).toBe('kramers: --batch-size 5000 is larger than the training set (1098 rows of banknote); use at most 1098.\n');
  });

  test('--out /dev/full: one line naming the file, the reason and the events lost; exit 1, no table', async () => {
    const { code, stdout, stderr } = await cli(['compare', '--epochs', '2', '--no-sharpness', '--no-progress', '--backend', 'cpu', '--out', '/dev/full']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^kramers: --out \/dev\/full: ENOSPC: no space left on device, write; \d+ events not written\n$/);
  });

  test('an --out that cannot be opened fails before training, in one line', async () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'x');
    const { code, stdout, stderr } = await cli(['compare', '--epochs', '50', '--backend', 'cpu', '--out', join(blocker, 'events.jsonl')]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.split('\n').filter((l) => l !== '')).toEqual([expect.stringMatching(/^kramers: --out .*a-file\/events\.jsonl: cannot open it for appending \(.*\); nothing was trained$/)]);
  });

  test.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s mid-run: the JSONL file grew while training, and keeps every event up to each run\'s last step and an interrupted end', async (signal, exitCode) => {
    const out = join(dir, `${signal}.jsonl`);
    // Per-epoch measurements, so the first steps pass quickly (the default budget measures at step 0, ≈ 1 s a run on cpu).
    const run = startCli(['compare', '--epochs', '1000', '--backend', 'cpu', '--no-progress', '--schedule', 'epoch', '--out', out]);
    const size = () => (existsSync(out) ? statSync(out).size : 0);
    const t0 = Date.now();
    while (size() === 0 && run.child.exitCode === null && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 50));
    // Still training, and the file already grew: the 1 s timer flush ran between steps (the size flush waits for 1 MiB).
    expect(run.child.exitCode).toBeNull();
    expect(size()).toBeGreaterThan(0);
    expect(size()).toBeLessThan(1 << 20);
    run.child.kill(signal);
    expect(await run.exited).toBe(exitCode);
    expect(run.stderr()).toMatch(new RegExp(`kramers: interrupted by ${signal}; steps done: sgd \\d+/35000, sgld \\d+/35000, adam \\d+/35000; \\d+ events in `));

    const events = readJsonl(out);
    expect(runEvents(events, 'start').map((e) => e.runId)).toEqual(['sgd', 'sgld', 'adam']);
    const ends = runEvents(events, 'end');
    expect(ends.map((e) => [e.runId, e.info['status']])).toEqual([['sgd', 'interrupted'], ['sgld', 'interrupted'], ['adam', 'interrupted']]);
    for (const end of ends) {
      const mine = events.filter((e) => e.runId === end.runId);
      expect(mine.at(-1)).toEqual(end);
      // basics measures every step: its events must cover exactly steps 0..last.
      const steps = mine.filter((e): e is MetricEvent => e.kind === 'metric' && e.plugin === 'basics' && e.name === 'grad_norm' && e.layer === undefined);
      expect(end.iteration).toBeGreaterThan(0);
      expect(steps.map((e) => e.iteration)).toEqual(Array.from({ length: end.iteration + 1 }, (_, i) => i));
      expect((end.info['final'] as { iterations: number }).iterations).toBe(end.iteration + 1);
    }
  });
});

describe('kramers compare (in process)', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  test.each([
    [['--epochs', '0'], '--epochs must be a positive integer, got "0".'],
    [['--lr', 'sgd=-1'], '--lr needs numbers > 0, got "sgd=-1"'],
    [['--lr', 'sgd=0.1=2'], '--lr got "sgd=0.1=2"; give one rate per optimizer, as name=rate'],
    [['--lr', 'sgd=0.1,sgd=0.2'], '--lr gives "sgd" twice; one rate per optimizer.'],
    [['--lr', 'adam=0.01', '--optimizers', 'sgd,sgld'], '--lr has a rate for adam, which is not being run (sgd, sgld); run it or drop its rate.'],
    [['--dataset', 'mnist'], '--dataset got "mnist": neither an embedded data set (banknote, wine, digits, iris, breast_cancer) nor an existing CSV file'],
    [['--dataset', 'iris', '--task', 'regression'], '--task regression only apply to a CSV file given to --dataset; iris is an embedded classification set'],
    [['--test-fraction', '1'], '--test-fraction must be in (0, 1), got "1".'],
    [['--hidden', '16,x'], '--hidden must list positive integers like "16,16", got "16,x".'],
    [['--backend', 'webgl'], '--backend got "webgl"; allowed: auto, wasm, cpu.'],
    [['--task', 'ranking'], '--task got "ranking"; allowed: classification, regression.'],
    [['--schedule', 'hourly'], "argument 'hourly' is invalid. Allowed choices are budget, epoch."],
  ])('%j is refused with exit 2', async (args, message) => {
    const { code, err } = await kramers('compare', '--no-progress', ...args);
    expect(code).toBe(2);
    expect(err).toContain(message);
  });

  test('the default schedule: a time budget, λ_min only at the final parameters; --schedule epoch: every epoch', async () => {
    const lambdaEvents = async (schedule: string[]) => {
      const out = join(dir, `schedule-${schedule.join('-') || 'default'}.jsonl`);
      const { code } = await kramers('compare', '--epochs', '3', '--backend', 'cpu', '--no-progress', '--optimizers', 'sgd', '--out', out, ...schedule);
      expect(code).toBe(0);
      const metrics = readJsonl(out).filter((e): e is MetricEvent => e.kind === 'metric' && e.plugin === 'sharpness');
      return { max: metrics.filter((e) => e.name === 'lambda_max').map((e) => e.iteration), min: metrics.filter((e) => e.name === 'lambda_min').map((e) => e.iteration) };
    };
    const budgeted = await lambdaEvents([]);
    // Warm-up at step 0, the end always (104 = the last of 3 × 35 steps), in between what 10 % of training time buys.
    expect(budgeted.max[0]).toBe(0);
    expect(budgeted.max.at(-1)).toBe(104);
    expect(budgeted.min).toEqual([104]);
    const perEpoch = await lambdaEvents(['--schedule', 'epoch']);
    expect(perEpoch.max).toEqual([34, 69, 104]);
    expect(perEpoch.min).toEqual([34, 69, 104]);
  });

  test('per-run temperature along u₁ and predicted escape steps: finite on banknote, in --json, the table and its notes', async () => {
    // Measured at every epoch's last step (34 and 69), so the steps compared below are the same on every machine.
    const args = ['compare', '--epochs', '2', '--backend', 'cpu', '--no-progress', '--schedule', 'epoch'];
    const json = await kramers(...args, '--json');
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.out);
    for (const run of doc.runs) {
      expect(run.errors).toEqual([]);
      expect(Number.isFinite(run.temperature) && run.temperature > 0).toBe(true);
      expect(Number.isFinite(run.predictedEscapeSteps) && run.predictedEscapeSteps > 0).toBe(true);
      expect(run.temperature).toBe(run.metrics['temperature/T_top'].value);
      expect(run.predictedEscapeSteps).toBe(run.metrics['escape/predicted_steps'].value);
      expect(run.escape.log10PredictedSteps).toBeCloseTo(Math.log10(run.predictedEscapeSteps), 6);
      expect(run.escape.iteration).toBe(69);
      expect(run.escape.noiseSource).toBe('measured');
      expect(run.escape.barrier).toBeGreaterThan(0);
      // ΔL/T as the escape plugin reports it: the barrier over the top temperature (T_col ≤ T_top for SGD-like noise)
      if (run.optimizer !== 'sgld') expect(run.escape.lowTemperatureRatio).toBeCloseTo(run.escape.barrier / run.temperature, 6);
      // 70 steps planned: a barrier of tens of temperatures cannot be crossed in them, and the alert says so
      expect(run.escape.trapped.reason).toMatch(/^escape from this valley needs ≈ \S+ more steps, \d+ remain \(ΔL = /);
      expect(run.escape.trapped.remedy).toMatch(/budget \S+ (more steps|steps in all)$/);
    }
    // T = η·uᵀCu/2 with the sgn plugin's measured noise along u₁ (SGD), + D for SGLD (D = 1e-4 by default)
    const c1 = (run: { metrics: Record<string, { value: { values: number[] } }> }) => run.metrics['sgn/noise_variance']!.value.values[0]!;
    const [sgd, sgld] = doc.runs;
    expect(sgd.temperature / ((0.1 * c1(sgd)) / 2)).toBeCloseTo(1, 12);
    expect(sgld.temperature / (1e-4 + (0.1 * c1(sgld)) / 2)).toBeCloseTo(1, 12);
    expect(sgld.escape.formula).toBe('theorem-3.1');
    expect(sgd.escape.formula).toBe('unified');

    // two epochs: the measurement at step 34 has 35 steps left (the last step's, with none left, raises no alert)
    const table = await kramers(...args, '--optimizers', 'sgd');
    const header = table.out.split('\n').find((l) => l.startsWith('run '))!.split(/\s+/);
    expect(header).toEqual(expect.arrayContaining(['T_top', 'predicted_steps']));
    expect(table.out).toMatch(/\nsgd trapped since step 34: escape from this valley needs ≈ /);
    const off = JSON.parse((await kramers(...args, '--optimizers', 'sgd', '--epochs', '1', '--no-escape', '--json')).out);
    expect(off.runs[0].temperature).toBeNull();
    expect(off.runs[0].escape).toBeNull();
  });

  test('a regression CSV: linear output under MSE; the table shows train/test MSE and no accuracy; λ matches 2/N·ΦᵀΦ', async () => {
    const args = ['compare', '--dataset', regressionCsv(), '--task', 'regression', '--hidden', '', '--epochs', '40', '--lr', 'adam=0.1', '--no-progress'];
    const json = await kramers(...args, '--json');
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.out);
    expect(doc).toMatchObject({ task: 'regression', loss: 'meanSquaredError', dataset: { name: 'linear', trainRows: 160, testRows: 40, features: 2, targets: 1 } });
    expect(doc.model).toEqual({ layers: [2, 1], parameters: 3 });
    for (const run of doc.runs) {
      expect(run.final.status).toBe('completed');
      expect(run.final).not.toHaveProperty('accuracy');
      // The noise variance is 0.0025: a fitted line is close to it on held-out rows.
      expect(run.final.testLoss).toBeLessThan(0.005);
      // Linear model, MSE on standardised features with the probe = every training row: H = 2/N·ΦᵀΦ (least squares) with
      // Φ = [z₁, z₂, 1], i.e. 2·[[1, r, 0], [r, 1, 0], [0, 0, 1]] for the correlation r. Eigenvalues 2(1 ± |r|) and 2,
      // whatever the weights: the middle one is exactly 2, and λ_max + λ_min = 4.
      const [l1, l2, l3] = run.metrics['sharpness/top_eigenvalues'].value.values as number[];
      expect(Math.abs(l2! - 2)).toBeLessThan(1e-5);
      expect(Math.abs(l1! + l3! - 4)).toBeLessThan(1e-5);
      expect(Math.abs(run.metrics['sharpness/lambda_max'].value + run.metrics['sharpness/lambda_min'].value - 4)).toBeLessThan(1e-5);
    }
    const table = await kramers(...args, '--no-sharpness');
    expect(table.code).toBe(0);
    expect(table.out).toContain('kramers compare — linear: 160 training rows, 40 test rows (1 target, linear); MLP 2-1 (3 parameters), loss meanSquaredError');
    const header = table.out.split('\n').find((l) => l.startsWith('run '))!;
    const columns = header.split(/\s+/);
    expect(columns.slice(0, 4)).toEqual(['run', 'iteration', 'train_mse', 'test_mse']);
    expect(columns.filter((c) => c.includes('accuracy'))).toEqual([]);
    // the noise plugin's columns: its streaming noise scale is not estimable once a linear fit has converged (the
    // |G|² estimate is ≤ 0), and is then left out; the critical batch size comes from its measurement at the probe
    expect(columns.slice(-3)).toEqual(['critical_batch_size', 'grad_norm', 'distance']);
  });

  test('a diverged run is marked diverged in the table and in --json, never with a finite loss', async () => {
    const csv = regressionCsv();
    const args = ['compare', '--dataset', csv, '--task', 'regression', '--hidden', '', '--optimizers', 'sgd,adam', '--lr', 'sgd=50', '--epochs', '3', '--no-progress', '--no-sharpness'];
    const json = await kramers(...args, '--json');
    expect(json.code).toBe(0);
    const [sgd, adam] = JSON.parse(json.out).runs;
    expect(sgd.final.status).toBe('diverged');
    expect(sgd.final.loss).toBeNull(); // JSON's null for a non-finite number
    expect(adam.final.status).toBe('completed');
    const table = await kramers(...args);
    const rows = table.out.split('\n');
    expect(rows.find((l) => l.startsWith('run '))!.split(/\s+/).slice(0, 4)).toEqual(['run', 'iteration', 'status', 'train_mse']);
    const sgdRow = rows.find((l) => l.startsWith('sgd '))!.split(/\s+/);
    expect(sgdRow[2]).toBe('diverged');
    expect(Number.isFinite(Number(sgdRow[3]))).toBe(false);
    expect(table.out).toMatch(/sgd diverged at step \d+ \(its loss or weights became NaN or infinite\)/);
  });

  test('--save-models writes <dir>/<optimizer>/model.json; repeated runs into one --out are separated by run events', async () => {
    const models = join(dir, 'models');
    const out = join(dir, 'twice.jsonl');
    const args = ['compare', '--dataset', 'iris', '--epochs', '1', '--no-progress', '--no-sharpness', '--optimizers', 'sgd,adam', '--out', out];
    expect((await kramers(...args, '--save-models', models)).code).toBe(0);
    for (const name of ['sgd', 'adam']) {
      const json = JSON.parse(readFileSync(join(models, name, 'model.json'), 'utf8'));
      expect(json.trainingConfig.loss).toBe('categorical_crossentropy');
      expect(existsSync(join(models, name, 'weights.bin'))).toBe(true);
    }
    expect((await kramers(...args, '--seed', '1')).code).toBe(0);
    const events = readJsonl(out);
    expect(events.filter((e) => e.kind === 'run').map((e) => `${(e as RunEvent).phase} ${e.runId}`)).toEqual([
      'start sgd', 'start adam', 'end sgd', 'end adam', 'start sgd', 'start adam', 'end sgd', 'end adam',
    ]);
    expect(runEvents(events, 'start').map((e) => e.info['seed'])).toEqual([0, 0, 1, 1]);
  });
});
