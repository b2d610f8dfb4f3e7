// `kramers reproduce banknote --quick`: the paper's real-data experiment on the small grid — a pretrained minimum
// stated with its gradient norm and Hessian spectrum, SGD's exponential laws with memoryless escapes, and the
// drift-driven contrast without weight decay.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { FigureDocument } from '@kramers/experiments';
import { cli } from './run-cli.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function reproduce(...flags: string[]): Promise<{ doc: FigureDocument; files: string[]; stdout: string }> {
  const out = mkdtempSync(join(tmpdir(), 'kramers-banknote-'));
  dirs.push(out);
  const { code, stdout, stderr } = await cli(['reproduce', 'banknote', '--quick', '--workers', '2', '--out', out, ...flags]);
  expect(code, stderr).toBe(0);
  const files = readdirSync(out).sort();
  const json = files.find((f) => f.endsWith('.json'))!;
  return { doc: JSON.parse(readFileSync(join(out, json), 'utf8')) as FigureDocument, files, stdout };
}

describe('kramers reproduce banknote --quick', () => {
  test('with weight decay: a true minimum, exponential SGD laws, memoryless escapes', async () => {
    const { doc, files, stdout } = await reproduce();
    expect(files).toContain('banknote.json');
    expect(files).toContain('banknote.svg');
    expect(files.filter((f) => f.startsWith('banknote-') && f.endsWith('.svg')).length).toBe(doc.panels.length);
    // The start is a minimum: gradient ≈ 0 and a positive-definite Hessian, and the figure says so.
    expect(doc.start!.weightDecay).toBe(0.01);
    expect(doc.start!.gradientNorm).toBeLessThan(1e-5);
    expect(doc.start!.minEigenvalue).toBeGreaterThan(0);
    expect(stdout).toContain('(a minimum)');
    expect(readFileSync(join(dirs.at(-1)!, 'banknote.svg'), 'utf8')).toContain('(a minimum)');
    for (const id of ['sgd-batch', 'sgd-lr', 'sgd-k']) {
      const p = doc.panels.find((q) => q.id === id)!;
      expect(Math.abs(p.fit!.pearson!)).toBeGreaterThanOrEqual(0.99);
      expect(p.fit!.slope).toBeGreaterThan(0);
    }
    expect(doc.panels.find((q) => q.id === 'sgd-batch')!.preferred).toBe('exponential');
    for (const p of doc.panels) {
      for (const q of p.points) {
        expect(q.replicas).toBe(100);
        if (q.escaped >= 90) {
          expect(q.cv!).toBeGreaterThanOrEqual(0.6);
          expect(q.cv!).toBeLessThanOrEqual(1.3);
        }
      }
    }
  }, 300_000);

  test('--no-weight-decay: no minimum; Adam leaves by drift (CV well below 1), SGD barely moves on the flat, separable loss', async () => {
    const { doc, files } = await reproduce('--no-weight-decay');
    expect(files).toContain('banknote-no-weight-decay.json');
    expect(doc.start!.weightDecay).toBe(0);
    // Not a minimum: the gradient has not vanished and the Hessian is not positive definite.
    expect(doc.start!.gradientNorm).toBeGreaterThan(1e-6);
    expect(doc.start!.minEigenvalue).toBeLessThan(1e-6);
    for (const q of doc.panels.find((p) => p.id === 'adam-sqrt-k')!.points) {
      expect(q.escaped).toBe(100);
      expect(q.cv!).toBeLessThan(0.5);
    }
  }, 300_000);

  test('--no-weight-decay with another figure is a usage error', async () => {
    const { code, stderr } = await cli(['reproduce', 'styblinski-tang', '--no-weight-decay', '--out', join(tmpdir(), 'never-created')]);
    expect(code).toBe(2);
    expect(stderr).toContain('--no-weight-decay applies to the banknote figure only');
  });
});
