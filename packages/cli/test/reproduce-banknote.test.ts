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
  // The quick figure takes 1–2 minutes on two threads; more on a loaded machine.
  const { code, stdout, stderr } = await cli(['reproduce', 'banknote', '--quick', '--workers', '2', '--out', out, ...flags], 290_000);
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
    // SGLD (full batch, from its quasi-equilibrium): the box's lowest face is the softmax output weights' (20 of them,
    // both ways, within 10 %), −log γ is linear in 1/D with the wall law's slope, and γ grows only in proportion to k.
    expect(doc.start!.box!.barrier).toBeGreaterThan(9.8e-6);
    expect(doc.start!.box!.barrier).toBeLessThan(1.0e-5);
    expect(doc.start!.box!.faces).toBe(40);
    const diffusion = doc.panels.find((q) => q.id === 'sgld-diffusion')!;
    expect(diffusion.fit!.pearson!).toBeGreaterThanOrEqual(0.99);
    // Measured 1.1 on the quick grid (ΔL/D = 3 … 4, hot enough for the wall prefactor's next order to show).
    expect(diffusion.fit!.slope / diffusion.expectedSlope!).toBeGreaterThan(0.85);
    expect(diffusion.fit!.slope / diffusion.expectedSlope!).toBeLessThan(1.3);
    expect(stdout).toMatch(/slope\/theory = \d\.\d\d/);
    const sharpness = doc.panels.find((q) => q.id === 'sgld-k')!;
    const [k1, , k2] = sharpness.points;
    expect(k1!.x).toBe(1);
    expect(k2!.x).toBe(2);
    // Theorem 3.1 in φ = √k·θ: SGLD on L_k at η is SGLD on L at ηk with the same D, so γ ∝ k.
    expect(k2!.gamma / k1!.gamma).toBeGreaterThan(1.6);
    expect(k2!.gamma / k1!.gamma).toBeLessThan(2.5);
    expect(sharpness.preferred).toBe('power-law');
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
    // No minimum, so no equilibrium around it and no barrier: the SGLD panels are left out.
    expect(doc.panels.some((p) => p.optimizer === 'sgld')).toBe(false);
    expect(doc.start!.box).toBeUndefined();
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
