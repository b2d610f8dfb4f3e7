import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cli } from './run-cli.js';
import { describe, expect, test } from 'vitest';

const shared = process.env['KRAMERS_SHARED'] ?? fileURLToPath(new URL('../../../test/fixtures/shared/', import.meta.url));

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe.each(['banknote-mlp', 'wine-mlp'])('kramers curvature on the float64 reference %s', (name) => {
  const dir = `${shared}reference/${name}/`;
  const ref = JSON.parse(readFileSync(`${dir}reference.json`, 'utf8'));

  test('eigenvalues, λ_min, trace, loss and gradient norm match the independent float64 values', async () => {
    const { code, stdout } = await cli([
      'curvature', '--model', `${dir}model.json`, '--data', `${dir}data.csv`, '--top-k', '5', '--trace', '--density', '--json', '--backend', 'wasm',
    ]);
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(doc.n).toBe(ref.n);
    expect(doc.method).toBe('double-backprop');
    expect(doc.secondOrderCheck).toEqual({ ok: true, failures: [] });
    expect(doc.eigenvalues).toHaveLength(5);
    doc.eigenvalues.forEach((v: number, i: number) => expect(rel(v, ref.top5_eigenvalues[i])).toBeLessThan(1e-4));
    expect(doc.residuals).toHaveLength(5);
    const lambdaMin = ref.hessian_eigenvalues[ref.hessian_eigenvalues.length - 1];
    expect(Math.abs(doc.minEigenvalue - lambdaMin)).toBeLessThan(1e-4 * ref.top5_eigenvalues[0]);
    expect(rel(doc.loss, ref.loss)).toBeLessThan(1e-5);
    expect(rel(doc.gradNorm, ref.grad_norm)).toBeLessThan(1e-3);
    expect(Math.abs(doc.trace.estimate - ref.hessian_trace)).toBeLessThan(3 * doc.trace.stderr);
    expect(doc.trace.probes).toBe(30);
    expect(doc.hvpCount).toBeGreaterThan(0);
    // The density is a probability density on its grid.
    const { grid, values } = doc.density;
    expect(grid).toHaveLength(200);
    const mass = values.reduce((s: number, v: number) => s + v, 0) * (grid[1] - grid[0]);
    expect(mass).toBeCloseTo(1, 3);
  });
});

test('curvature errors name the flag and the fix', async () => {
  const dir = `${shared}reference/wine-mlp/`;
  const missing = await cli(['curvature', '--model', '/nonexistent/model.json', '--data', `${dir}data.csv`]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain('--model /nonexistent/model.json');
  const mismatch = await cli(['curvature', '--model', `${dir}model.json`, '--data', `${shared}reference/banknote-mlp/data.csv`]);
  expect(mismatch.code).toBe(2);
  expect(mismatch.stderr).toContain('has 4 feature columns but the model takes 13 inputs');
  const noData = await cli(['curvature', '--model', `${dir}model.json`]);
  expect(noData.code).toBe(2);
  expect(noData.stderr).toContain("required option '--data <data.csv>' not specified");
});
