import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { cli } from './run-cli.js';
import { beforeAll, describe, expect, test } from 'vitest';
import { useBackend } from '@kramers/core';
import { main, runCompare } from '@kramers/cli';

function capture(): { io: { stdout: PassThrough; stderr: PassThrough }; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (d) => (o += String(d)));
  stderr.on('data', (d) => (e += String(d)));
  return { io: { stdout, stderr }, out: () => o, err: () => e };
}

describe('kramers compare (built binary)', () => {
  test('--json on a tiny run prints one document with every run, its config, final numbers and plugin metrics', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kramers-compare-'));
    const out = join(dir, 'events', 'run.jsonl');
    const { code, stdout, stderr } = await cli(['compare', '--epochs', '2', '--json', '--backend', 'cpu', '--out', out]);
    expect(stderr).toContain('sgd');
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(doc.runs.map((r: { optimizer: string }) => r.optimizer)).toEqual(['sgd', 'sgld', 'adam']);
    expect(doc.dataset).toEqual({ name: 'banknote', trainRows: 1098, testRows: 274, features: 4, classes: 2 });
    expect(doc.model).toEqual({ layers: [4, 16, 16, 2], parameters: 4 * 16 + 16 + 16 * 16 + 16 + 16 * 2 + 2 });
    expect(doc.stepsPerEpoch).toBe(35);
    expect(doc.probeRows).toBe(1098);
    for (const r of doc.runs) {
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
    // The JSONL file holds every event of all three runs.
    expect(existsSync(out)).toBe(true);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(new Set(lines.map((l) => l.runId))).toEqual(new Set(['sgd', 'sgld', 'adam']));
    expect(lines.filter((l) => l.runId === 'adam' && l.name === 'grad_norm' && l.layer === undefined)).toHaveLength(70);
  });

  test('bad flags fail with a message naming the flag and what is allowed, and a non-zero exit', async () => {
    const bad = await cli(['compare', '--optimizers', 'sgd,nadam']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--optimizers got "nadam"; allowed: sgd, sgld, adam, momentum, rmsprop, adagrad.');
    expect(bad.stdout).toBe('');
    const big = await cli(['compare', '--batch-size', '5000', '--no-progress']);
    expect(big.code).toBe(2);
    expect(big.stderr).toContain('--batch-size 5000 is larger than the training set (1098 rows of banknote); use at most 1098.');
  });
});

describe('kramers compare (in process)', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  test.each([
    [['--epochs', '0'], '--epochs must be a positive integer, got "0".'],
    [['--lr', 'sgd=-1'], '--lr needs numbers > 0, got "sgd=-1"'],
    [['--dataset', 'mnist'], '--dataset got "mnist"; allowed: banknote, wine, digits, iris, breast_cancer.'],
    [['--test-fraction', '1'], '--test-fraction must be in (0, 1), got "1".'],
    [['--hidden', '16,x'], '--hidden must list positive integers like "16,16", got "16,x".'],
    [['--backend', 'webgl'], '--backend got "webgl"; allowed: auto, wasm, cpu.'],
  ])('%j is refused', async (args, message) => {
    const c = capture();
    const code = await main(['node', 'kramers', 'compare', ...args], c.io);
    expect(code).toBe(2);
    expect(c.err()).toContain(message);
  });

  test('same seed, same numbers; SGLD with D = 0 retraces SGD exactly', async () => {
    const options = {
      dataset: 'iris' as const,
      optimizers: ['sgd', 'sgld'] as const,
      epochs: 2,
      batchSize: 16,
      hidden: [8],
      learningRates: {},
      diffusion: 0,
      seed: 3,
      testFraction: 0.2,
      probeSize: 64,
    };
    const a = await runCompare(options);
    const b = await runCompare(options);
    expect(a.runs).toEqual(b.runs);
    expect(a.runs[1]!.final.loss).toBe(a.runs[0]!.final.loss);
    const hot = await runCompare({ ...options, diffusion: 1e-2 });
    expect(hot.runs[1]!.final.loss).not.toBe(hot.runs[0]!.final.loss);
  });
});
