import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createRng, useBackend } from '@kramers/core';
import { saveModel } from '@kramers/core/node';
import { jacobiEigen } from '../../../test/support/float64-mlp.js';
import { cli, kramers } from './run-cli.js';

const shared = process.env['KRAMERS_SHARED'] ?? fileURLToPath(new URL('../../../test/fixtures/shared/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'kramers-curvature-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe.each(['banknote-mlp', 'wine-mlp'])('kramers curvature on the float64 reference %s', (name) => {
  const refDir = `${shared}reference/${name}/`;
  const ref = JSON.parse(readFileSync(`${refDir}reference.json`, 'utf8'));

  test('eigenvalues, λ_min, trace, loss and gradient norm match the independent float64 values', async () => {
    const { code, stdout } = await cli([
      'curvature', '--model', `${refDir}model.json`, '--data', `${refDir}data.csv`, '--top-k', '5', '--trace', '--density', '--json', '--backend', 'wasm',
    ]);
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    // No training config in these files: a softmax output means categorical cross-entropy.
    expect(doc).toMatchObject({ loss: 'categoricalCrossentropy', lossSource: 'softmax output' });
    expect(doc.n).toBe(ref.n);
    expect(doc.method).toBe('double-backprop');
    expect(doc.secondOrderCheck).toEqual({ ok: true, failures: [] });
    expect(doc.eigenvalues).toHaveLength(5);
    doc.eigenvalues.forEach((v: number, i: number) => expect(rel(v, ref.top5_eigenvalues[i])).toBeLessThan(1e-6));
    expect(doc.residuals).toHaveLength(5);
    const lambdaMin = ref.hessian_eigenvalues[ref.hessian_eigenvalues.length - 1];
    expect(Math.abs(doc.minEigenvalue - lambdaMin)).toBeLessThan(1e-7 * ref.top5_eigenvalues[0]);
    expect(rel(doc.lossValue, ref.loss)).toBeLessThan(1e-6);
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
  const wine = `${shared}reference/wine-mlp/`;
  const missing = await cli(['curvature', '--model', '/nonexistent/model.json', '--data', `${wine}data.csv`]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain('kramers: --model /nonexistent/model.json: cannot read the model file (no such file)');
  const mismatch = await cli(['curvature', '--model', `${wine}model.json`, '--data', `${shared}reference/banknote-mlp/data.csv`]);
  expect(mismatch.code).toBe(2);
  expect(mismatch.stderr).toContain('has 4 feature columns but the model takes 13 inputs');
  const noData = await cli(['curvature', '--model', `${wine}model.json`]);
  expect(noData.code).toBe(2);
  expect(noData.stderr).toContain("required option '--data <data.csv>' not specified");
});

describe('kramers curvature on regression models', () => {
  // A linear model y = x·w + b on 3 features, N = 40 rows with an integer target (abalone's rings are like this).
  const N = 40;
  const K = 3;
  const rng = createRng(21);
  const x = Array.from({ length: N }, () => Array.from({ length: K }, (_, j) => Math.fround((j + 1) * rng.normal() + j)));
  const rings = x.map((row) => Math.max(1, Math.round(5 + row[0]! - 0.5 * row[2]! + rng.normal())));
  const csv = join(dir, 'rings.csv');
  writeFileSync(csv, `${x.map((row, i) => [...row, rings[i]].join(',')).join('\n')}\n`);
  let w: number[];
  let b: number;

  async function linearModel(file: string, options: { compile: boolean; poison?: boolean }): Promise<string> {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [K], name: 'linear' })] });
    const kernel = tf.tensor2d(options.poison ? [[0.3], [Number.NaN], [0.1]] : w.map((v) => [v]));
    const bias = tf.tensor1d([b]);
    model.setWeights([kernel, bias]);
    if (options.compile) model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const path = join(dir, file, 'model.json');
    await saveModel(model, path);
    tf.dispose([kernel, bias]);
    model.dispose();
    return path;
  }

  beforeAll(async () => {
    await useBackend('cpu');
    w = [0.5, -0.25, 0.125].map(Math.fround);
    b = Math.fround(1.5);
  });

  test("MSE from the training config; eigenvalues, trace and loss match H = 2/N·ΦᵀΦ with Φ = [x, 1], in float64", async () => {
    const model = await linearModel('mse', { compile: true });
    const { code, out, err } = await kramers('curvature', '--model', model, '--data', csv, '--top-k', '4', '--trace', '--trace-probes', '200', '--json');
    expect(err).toBe('');
    expect(code).toBe(0);
    const doc = JSON.parse(out);
    expect(doc).toMatchObject({ loss: 'meanSquaredError', lossSource: 'training config', probeRows: N, n: K + 1 });
    // Least squares: ∂²/∂θ² of (1/N)·Σ(φᵢ·θ − yᵢ)² is 2/N·ΦᵀΦ, whatever θ and y.
    const n = K + 1;
    const H = new Float64Array(n * n);
    for (const row of x) {
      const phi = [...row, 1];
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) H[i * n + j]! += (2 / N) * phi[i]! * phi[j]!;
    }
    const exact = Array.from(jacobiEigen(H, n).values).reverse();
    // Measured on cpu: within 1e-7·λ₁ for every eigenvalue; the margin is 10×.
    doc.eigenvalues.forEach((v: number, i: number) => expect(Math.abs(v - exact[i]!)).toBeLessThan(1e-6 * exact[0]!));
    expect(Math.abs(doc.minEigenvalue - exact[n - 1]!)).toBeLessThan(1e-6 * exact[0]!);
    const trace = exact.reduce((s, v) => s + v, 0);
    // All n eigenpairs are deflated out of Hutchinson's estimate (top-k = n), so the trace is exact up to rounding.
    expect(Math.abs(doc.trace.estimate - trace)).toBeLessThan(3 * doc.trace.stderr + 1e-6 * trace);
    let mse = 0;
    x.forEach((row, i) => (mse += (row.reduce((s, v, j) => s + v * w[j]!, b) - rings[i]!) ** 2 / N));
    expect(rel(doc.lossValue, mse)).toBeLessThan(1e-6);

    const human = await kramers('curvature', '--model', model, '--data', csv, '--top-k', '2');
    expect(human.out).toContain("loss meanSquaredError (from the model's training config) = ");
  });

  test('without a training config or a softmax, the loss is asked for; a 1-output model with integer labels gets a hint', async () => {
    const model = await linearModel('bare', { compile: false });
    const unknown = await kramers('curvature', '--model', model, '--data', csv);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toBe(
      `kramers: --model ${model} has no training config naming its loss and its output is not a softmax, so the loss is unknown; ` +
        'pass --loss, one of categoricalCrossentropy, sparseCategoricalCrossentropy, binaryCrossentropy, meanSquaredError, meanAbsoluteError, huber ' +
        '(e.g. --loss meanSquaredError for a regression model with a linear output)\n',
    );
    const asLabels = await kramers('curvature', '--model', model, '--data', csv, '--loss', 'categoricalCrossentropy');
    expect(asLabels.code).toBe(2);
    expect(asLabels.err).toContain(
      `labels go up to ${Math.max(...rings)} but the model has 1 output; categoricalCrossentropy needs one output per class (labels 0..0); ` +
        'for a regression model (one linear output, a numeric target last) use --targets 1 --loss meanSquaredError',
    );
    const asFlag = await kramers('curvature', '--model', model, '--data', csv, '--targets', '1', '--loss', 'mse', '--json', '--top-k', '1');
    expect(asFlag.code).toBe(0);
    expect(JSON.parse(asFlag.out)).toMatchObject({ loss: 'meanSquaredError', lossSource: 'flag' });
    const bad = await kramers('curvature', '--model', model, '--data', csv, '--loss', 'hinge');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--loss got "hinge"; allowed: categoricalCrossentropy, sparseCategoricalCrossentropy, binaryCrossentropy, meanSquaredError, meanAbsoluteError, huber.');
    const topK = await kramers('curvature', '--model', model, '--data', csv, '--loss', 'mse', '--top-k', '5');
    expect(topK.code).toBe(2);
    expect(topK.err).toBe('kramers: --top-k 5 is more than the model has parameters (4); use at most 4\n');
    const twoTargets = await kramers('curvature', '--model', model, '--data', csv, '--targets', '2', '--loss', 'mse');
    expect(twoTargets.err).toContain('--targets 2 but the model has 1 output; under meanSquaredError the CSV ends with one target column per output');
  });

  test('non-finite weights and float32-overflowing cells are refused, naming the weight or the file, line and column', async () => {
    const poisoned = await linearModel('nan', { compile: true, poison: true });
    const nan = await kramers('curvature', '--model', poisoned, '--data', csv);
    expect(nan.code).toBe(2);
    expect(nan.err).toBe(
      `kramers: --model ${poisoned}: weight 'linear/kernel' (shape [3, 1]) holds NaN at index 1; a model with non-finite weights has no curvature ` +
        'to measure (it diverged in training: retrain it, e.g. with a smaller learning rate)\n',
    );
    const model = await linearModel('ok', { compile: true });
    const big = join(dir, 'big.csv');
    writeFileSync(big, '1,2,3,4\n1,1e39,3,4\n');
    const overflow = await kramers('curvature', '--model', model, '--data', big);
    expect(overflow.code).toBe(2);
    expect(overflow.err).toBe(`kramers: --data ${big} line 2, column 2: 1e39 overflows float32 (largest magnitude 3.4028235e38); rescale the column\n`);
  });

  test('a model saved by compare --save-models is measured under the loss it was trained on', async () => {
    const models = join(dir, 'compared');
    const trained = await kramers('compare', '--dataset', 'iris', '--epochs', '1', '--optimizers', 'sgld', '--no-progress', '--no-sharpness', '--save-models', models);
    expect(trained.code).toBe(0);
    const data = join(dir, 'iris-standardised.csv');
    writeFileSync(data, 'a,b,c,d,label\n0.1,0.2,-0.3,0.4,0\n-1,0.5,0.2,-0.1,1\n0.3,-0.2,1.1,0.9,2\n');
    const { code, out } = await kramers('curvature', '--model', join(models, 'sgld', 'model.json'), '--data', data, '--top-k', '2', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ loss: 'categoricalCrossentropy', lossSource: 'training config', probeRows: 3, n: 4 * 16 + 16 + 16 * 16 + 16 + 16 * 3 + 3 });
  });
});
