/**
 * `kramers compare --preset large-batch` through the built binary: SGD on digits at B = 32 (η = 0.05), at B = 1024 with
 * the same η, and at B = 1024 with η scaled by 1024/32. What a new user must see: the B = 1024 run flagged trapped from
 * its first measurement with the reason (its temperature against the barrier), the B = 32 run not (or only late in
 * training), the scaled run back at the B = 32 temperature, and the noise scale's suggested batch size.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RunEvent } from '@kramers/core';
import { readJsonl } from '@kramers/reporters';
import { cli } from './run-cli.js';

const BIN = fileURLToPath(new URL('../bin/kramers.js', import.meta.url));
const EPOCHS = 30;

interface Run {
  id: string;
  optimizer: string;
  batchSize: number;
  learningRate: number;
  stepsPerEpoch: number;
  final: { status: string; iterations: number; loss: number };
  temperature: number | null;
  escape: {
    log10PredictedSteps: number;
    barrier: number;
    bound: string;
    noiseSource: string;
    trapped: { iteration: number; reason: string; remedy: string } | null;
  } | null;
  noise: { criticalBatchSize: number; suggestedBatchSize: number; advice: string } | null;
  metrics: Record<string, { value: number; iteration: number }>;
}

const dir = mkdtempSync(join(tmpdir(), 'kramers-preset-'));
let doc: { preset: string; epochs: number; dataset: { name: string; trainRows: number }; runs: Run[] };
let byId: Record<string, Run>;

beforeAll(async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [BIN, 'compare', '--preset', 'large-batch', '--json', '--no-progress', '--out', join(dir, 'run.jsonl'), '--report', join(dir, 'report.html')],
    { timeout: 400_000 },
  );
  doc = JSON.parse(stdout);
  byId = Object.fromEntries(doc.runs.map((r) => [r.id, r]));
}, 420_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('kramers compare --preset large-batch', () => {
  test('three SGD runs on digits with their own ids, batch sizes and learning rates; every step of a run has its B rows', () => {
    expect(doc).toMatchObject({ preset: 'large-batch', epochs: EPOCHS, dataset: { name: 'digits', trainRows: 1438 } });
    expect(doc.runs.map((r) => [r.id, r.optimizer, r.batchSize, r.learningRate])).toEqual([
      ['sgd-b32', 'sgd', 32, 0.05],
      ['sgd-b1024', 'sgd', 1024, 0.05],
      ['sgd-b1024-scaled', 'sgd', 1024, 1.6],
    ]);
    // 1438 rows: 44 full batches of 32, one of 1024 (the short tails are dropped)
    expect(doc.runs.map((r) => [r.stepsPerEpoch, r.final.iterations, r.final.status])).toEqual([
      [44, 44 * EPOCHS, 'completed'],
      [1, EPOCHS, 'completed'],
      [1, EPOCHS, 'completed'],
    ]);
    // the same initialisation: one η at B = 1024 barely moves in 30 steps, the scaled one trains as well as B = 32
    expect(byId['sgd-b1024']!.final.loss).toBeGreaterThan(1);
    expect(byId['sgd-b1024-scaled']!.final.loss).toBeLessThan(0.2);
    expect(byId['sgd-b32']!.final.loss).toBeLessThan(0.2);
  });

  test('the B = 1024 run is trapped from its first measurement, the reason naming its temperature against the barrier', () => {
    const large = byId['sgd-b1024']!.escape!;
    expect(large.trapped).not.toBeNull();
    expect(large.trapped!.iteration).toBe(0);
    const m = /\(ΔL = ([\d.e+-]+), T = ([\d.e+-]+): ΔL\/T = ([\d.e+-]+)\)/.exec(large.trapped!.reason);
    expect(m).not.toBeNull();
    // ΔL/T far beyond the low-temperature threshold 5: e^{ΔL/T} steps cannot fit in 30
    expect(Number(m![3])).toBeGreaterThan(20);
    expect(Number(m![2])).toBeLessThan(byId['sgd-b32']!.temperature! / 10);
    expect(large.bound).toContain('lower bound');
    // the B = 32 run is not trapped, or only late: after half of its 1320 steps, as they run out
    const small = byId['sgd-b32']!.escape!;
    if (small.trapped !== null) expect(small.trapped.iteration).toBeGreaterThan(0.5 * 44 * EPOCHS);
    // its prediction fits its budget within a factor 2; the large batch's is ≥ 10 orders of magnitude beyond
    expect(10 ** small.log10PredictedSteps).toBeLessThan(2 * 44 * EPOCHS);
    expect(large.log10PredictedSteps - Math.log10(EPOCHS)).toBeGreaterThan(10);
  });

  test("the log-ratio of predicted escape steps is the theory's 2ΔL/λ·(B₂/η₂ − B₁/η₁) + ln(η₁λ₁/(η₂λ₂))", () => {
    // Derived: with no col along u₁ the plugin takes H_be = −λ, so T_b = T_a and the unified form gives
    // steps = 2π/(λη)·e^{ΔL/T}; with SGD's T = ηλ/(2B) (C = H/B) the exponent is 2BΔL/(ηλ) (Theorem 3.2), so
    // ln(steps₂/steps₁) = 2(B₂ΔL₂/(η₂λ₂) − B₁ΔL₁/(η₁λ₁)) + ln(η₁λ₁/(η₂λ₂)). Each run's ΔL and λ are its own
    // (the barrier is one absolute loss rise, so they differ only by the scan's grid and the curvature).
    const terms = (r: Run) => ({ B: r.batchSize, eta: r.learningRate, dL: r.escape!.barrier, lambda: r.metrics['sharpness/lambda_max']!.value });
    const lnSteps = (r: Run) => r.escape!.log10PredictedSteps * Math.LN10;
    const small = byId['sgd-b32']!;
    for (const other of [byId['sgd-b1024']!, byId['sgd-b1024-scaled']!]) {
      const [a, b] = [terms(small), terms(other)];
      const theory = 2 * ((b.B * b.dL) / (b.eta * b.lambda) - (a.B * a.dL) / (a.eta * a.lambda)) + Math.log((a.eta * a.lambda) / (b.eta * b.lambda));
      const measured = lnSteps(other) - lnSteps(small);
      // T from the measured noise would move this; the noise model C = H/B gives it to rounding
      expect(Math.abs(measured - theory)).toBeLessThan(0.1 * Math.max(1, Math.abs(theory)));
    }
    // At one shared valley (mean ΔL and λ of the two runs) the B = 1024 exponent exceeds B = 32's by 2ΔL/λ·(B₂−B₁)/η:
    const [a, b] = [terms(small), terms(byId['sgd-b1024']!)];
    const dL = (a.dL + b.dL) / 2;
    const lambda = (a.lambda + b.lambda) / 2;
    const shared = ((2 * dL) / lambda) * (b.B / b.eta - a.B / a.eta);
    const measured = lnSteps(byId['sgd-b1024']!) - lnSteps(small);
    expect(measured / shared).toBeGreaterThan(0.6);
    expect(measured / shared).toBeLessThan(1.4);
  });

  test('the linear scaling rule restores the temperature: T = ηλ/(2B) with η/B as at B = 32', () => {
    const t = (id: string) => byId[id]!.temperature!;
    for (const r of doc.runs) {
      const lambda = r.metrics['sharpness/lambda_max']!.value;
      const model = (r.learningRate * lambda) / (2 * r.batchSize);
      expect(r.escape!.noiseSource).toBe('C=H/B');
      expect(Math.abs(r.temperature! / model - 1)).toBeLessThan(1e-3);
    }
    // same η/B: equal up to the curvature ratio; the same η at 32× the batch: ≈ 1/32 of it
    expect(t('sgd-b1024-scaled') / t('sgd-b32')).toBeGreaterThan(0.67);
    expect(t('sgd-b1024-scaled') / t('sgd-b32')).toBeLessThan(1.5);
    expect(t('sgd-b1024') / t('sgd-b32')).toBeLessThan(2 / 32);
  });

  test("the noise scale's suggested batch size, per run, with the sentence saying which B it suggests", () => {
    for (const r of doc.runs) {
      const critical = r.metrics['sgn/critical_batch_size']!.value;
      expect(r.noise).toMatchObject({ criticalBatchSize: critical, suggestedBatchSize: Math.round(critical) });
      expect(r.noise!.advice).toContain(`${r.id}: the noise scale suggests B ≈ ${Math.round(critical)}`);
    }
    // the cold large-batch run sits where the gradient is mostly signal: B_crit ≪ 1024
    expect(byId['sgd-b1024']!.noise!.suggestedBatchSize).toBeLessThan(512);
    expect(byId['sgd-b1024']!.noise!.advice).toContain('B = 1024 is past it');
  });

  test('the run ids label the events file and the report', () => {
    const starts = readJsonl(join(dir, 'run.jsonl')).filter((e): e is RunEvent => e.kind === 'run' && e.phase === 'start');
    expect(starts.map((e) => [e.runId, (e.info['config'] as { batchSize: number }).batchSize, e.info['stepsPerEpoch']])).toEqual([
      ['sgd-b32', 32, 44],
      ['sgd-b1024', 1024, 1],
      ['sgd-b1024-scaled', 1024, 1],
    ]);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    for (const id of ['sgd-b32', 'sgd-b1024', 'sgd-b1024-scaled']) expect(html).toContain(`>${id}<`);
  });
});

describe('--preset usage errors (exit 2, nothing trained)', () => {
  test('an unknown preset is refused naming the valid ones', async () => {
    const r = await cli(['compare', '--preset', 'huge-batch']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--preset got "huge-batch"; allowed: large-batch.');
  });

  test('other flags override the preset, and what cannot work with it is refused naming the flag and the fix', async () => {
    const small = await cli(['compare', '--preset', 'large-batch', '--dataset', 'iris', '--no-progress']);
    expect(small.code).toBe(2);
    expect(small.stderr).toContain('--preset sgd-b1024: batch size 1024 is larger than the training set (120 rows of iris)');
    const base = await cli(['compare', '--preset', 'large-batch', '--batch-size', '1024', '--no-progress']);
    expect(base.code).toBe(2);
    expect(base.stderr).toContain('--batch-size 1024: --preset large-batch compares a baseline batch size with B = 1024; give a baseline below 1024');
  });
});
