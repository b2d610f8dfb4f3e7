/**
 * Four training scripts in the shape of TensorFlow.js's own examples (fit with softmax, fitDataset with MSE, a
 * functional model, a raw minimize loop), each instrumented in at most four marked lines, run as a user runs them. Each
 * must report λ_max at its final step, of the loss it trains on: checked against a float64 Hessian computed here from
 * what the script saved (the full Hessian of the saved MLP, or 2/N·ΦᵀΦ for the models linear in their parameters).
 */
import * as tf from '@tensorflow/tfjs';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { useBackend } from '@kramers/core';
import { loadModel } from '@kramers/core/node';
import { Float64Mlp, jacobiEigen, mlpFromLayersModel, type LossKind } from '../../test/support/float64-mlp.js';

const run = promisify(execFile);
const script = (name: string) => fileURLToPath(new URL(`../${name}/train.ts`, import.meta.url));

interface Report {
  lambdaMax: number;
  iteration: number;
  steps: number;
  loss: string;
  history?: number[];
}

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kramers-user-scripts-'));
  await useBackend('cpu');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Runs the script; checks its marked lines and that λ_max is from the final step; returns its report and folder. */
async function runScript(name: string, expectedSteps: number): Promise<{ report: Report; dir: string }> {
  const dir = await mkdtemp(join(root, `${name}-`));
  const source = await readFile(script(name), 'utf8');
  const [example] = source.split('// Not part of the example');
  expect(source.split('\n').filter((line) => line.includes('// kramers')).length).toBeLessThanOrEqual(4);
  // every line of code in the example proper that touches kramers' API or its History keys carries the marker
  const kramersApi = /@kramers\/(core|hvp-estimator)'|instrument\(|sharpness[(/]|probeFromDataset\(|\.kramers\b/;
  const code = example!.split('\n').filter((line) => !line.trimStart().startsWith('//'));
  const unmarked = code.filter((line) => kramersApi.test(line) && !line.includes('// kramers'));
  expect(unmarked).toEqual([]);

  const t0 = performance.now();
  const { stdout } = await run(process.execPath, ['--import', 'tsx', script(name), dir], { timeout: 120_000 });
  const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as Report;
  console.log(`${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s, λ_max ${report.lambdaMax} at ${report.iteration} of ${report.steps} steps`);
  expect(report.steps).toBe(expectedSteps);
  expect(report.iteration).toBe(report.steps - 1);
  return { report, dir };
}

/** λ_max of a float64 Hessian given row-major. */
const largestEigenvalue = (h: Float64Array, n: number) => jacobiEigen(h, n).values.at(-1)!;

/** 2/N·ΦᵀΦ: the Hessian of the mean squared error of a model linear in its parameters, Φ its rows' features. */
function linearMseHessian(phi: readonly number[][]): Float64Array {
  const n = phi[0]!.length;
  const h = new Float64Array(n * n);
  for (const row of phi) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) h[i * n + j]! += (2 / phi.length) * row[i]! * row[j]!;
  return h;
}

/** The saved MLP's λ_max on the saved probe rows by the float64 reference; also its smallest/largest output. */
async function mlpLambdaMax(dir: string, loss: LossKind): Promise<{ lambdaMax: number; outputs: [number, number] }> {
  const model = await loadModel(join(dir, 'model.json'));
  const probe = JSON.parse(await readFile(join(dir, 'probe.json'), 'utf8')) as { x: number[]; y: number[] };
  const rows = probe.y.length / (model.outputs[0]!.shape[1] as number);
  const { spec, theta } = mlpFromLayersModel(model, loss);
  const mlp = new Float64Mlp(spec, { x: Float64Array.from(probe.x), y: Float64Array.from(probe.y), rows });
  const out = tf.tidy(() => model.predict(tf.tensor2d(probe.x, [rows, probe.x.length / rows])) as tf.Tensor).dataSync();
  model.dispose();
  return { lambdaMax: largestEigenvalue(mlp.hessian(theta), mlp.size), outputs: [Math.min(...out), Math.max(...out)] };
}

const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
// Measured over repeated runs: 1.3–3.4e-8 (iris), 4.4–6.2e-8 (wine), 0.6–1.4e-7 (functional), 0.6–7.7e-8 (raw): the size of
// float32 Hessian-vector products. The last digits vary between runs of the same seeded script: the budget schedule
// picks the earlier steps it measures by wall-clock time, and each measurement warm-starts Lanczos from the last one.
const TOLERANCE = 3e-7;

function expectHistory(report: Report, epochs: number): void {
  expect(report.history).toHaveLength(epochs);
  expect(report.history!.at(-1)).toBe(report.lambdaMax);
}

test('iris-fit: model.fit with softmax and cross-entropy reports λ_max of its cross-entropy at the final step', async () => {
  // 150 rows, 15 % held out (stratified): 128 training rows, 4 batches of 32 per epoch, 40 epochs
  const { report, dir } = await runScript('iris-fit', 160);
  expect(report.loss).toBe('categoricalCrossentropy');
  expectHistory(report, 40);
  const reference = await mlpLambdaMax(dir, 'categoricalCrossentropy');
  // the reference's cross-entropy is unclipped, tfjs's clipped to [1e-7, 1 − 1e-7]: they agree while no probability is there
  expect(reference.outputs[0]).toBeGreaterThan(1e-5);
  expect(reference.outputs[1]).toBeLessThan(1 - 1e-5);
  console.log(`iris-fit: float64 λ_max ${reference.lambdaMax}, relative error ${relative(report.lambdaMax, reference.lambdaMax).toExponential(2)}`);
  expect(relative(report.lambdaMax, reference.lambdaMax)).toBeLessThan(TOLERANCE);
});

test('regression-fitdataset: fitDataset with MSE reports λ_max of its MSE on every training row at the final step', async () => {
  // 178 wine rows, 20 % held out: 142 training rows, 9 batches of 16 per epoch, 60 epochs
  const { report, dir } = await runScript('regression-fitdataset', 540);
  expect(report.loss).toBe('meanSquaredError');
  expectHistory(report, 60);
  // probe.json holds the training rows as the script built them, not the rows kramers collected from the pipeline
  const reference = await mlpLambdaMax(dir, 'meanSquaredError');
  console.log(`regression-fitdataset: float64 λ_max ${reference.lambdaMax}, relative error ${relative(report.lambdaMax, reference.lambdaMax).toExponential(2)}`);
  expect(relative(report.lambdaMax, reference.lambdaMax)).toBeLessThan(TOLERANCE);
});

test('polynomial-functional: a functional tf.model with MSE reports λ_max of 2/N·ΦᵀΦ at the final step', async () => {
  // 200 rows, batches of 20, 30 epochs
  const { report, dir } = await runScript('polynomial-functional', 300);
  expect(report.loss).toBe('meanSquaredError');
  expectHistory(report, 30);
  const probe = JSON.parse(await readFile(join(dir, 'probe.json'), 'utf8')) as { x: number[] };
  // the flat parameters are the dense kernel (one weight per feature x, x², x³), then the bias
  const phi = Array.from({ length: probe.x.length / 3 }, (_, r) => [...probe.x.slice(3 * r, 3 * r + 3), 1]);
  const exact = largestEigenvalue(linearMseHessian(phi), 4);
  console.log(`polynomial-functional: closed-form λ_max ${exact}, relative error ${relative(report.lambdaMax, exact).toExponential(2)}`);
  expect(relative(report.lambdaMax, exact)).toBeLessThan(TOLERANCE);
});

test('raw-minimize: a minimize loop over raw variables reports λ_max of its loss at the final step after close()', async () => {
  // 75 iterations of the loop
  const { report, dir } = await runScript('raw-minimize', 75);
  expect(report.loss).toBe('meanSquaredError');
  const data = JSON.parse(await readFile(join(dir, 'data.json'), 'utf8')) as { x: number[]; variables: Record<string, number> };
  expect(Object.keys(data.variables)).toEqual(['a', 'b', 'c', 'd']);
  expect(Object.values(data.variables).every(Number.isFinite)).toBe(true);
  // variables [a, b, c, d] multiply x³, x², x, 1
  const phi = data.x.map((x) => [x ** 3, x ** 2, x, 1]);
  const exact = largestEigenvalue(linearMseHessian(phi), 4);
  console.log(`raw-minimize: closed-form λ_max ${exact}, relative error ${relative(report.lambdaMax, exact).toExponential(2)}`);
  expect(relative(report.lambdaMax, exact)).toBeLessThan(TOLERANCE);
});
