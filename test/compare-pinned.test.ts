/**
 * `kramers compare --json`, seeded, through the built binary: its final numbers are pinned to the values this run
 * produces, and each of them is recomputed independently from the models it saves (--save-models) with the float64
 * reference network of test/support: the training loss and accuracy on the standardised training split, and λ_max and
 * λ_min of the full Hessian of that loss (the probe holds every training row, so it is the same function).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset, standardize, trainTestSplit } from '@kramers/datasets';
import { Float64Mlp, jacobiEigen, mlpFromLayersModel, type Batch } from './support/float64-mlp.js';
import { relErr } from './support/numeric.js';
import { loadLayersModelFile } from './support/reference-fixtures.js';

const BIN = fileURLToPath(new URL('../packages/cli/bin/kramers.js', import.meta.url));
const SEED = 0;
const EPOCHS = 5;
const TEST_FRACTION = 0.2;

/**
 * This run's numbers (wasm). The same run on cpu differs from them by at most 4.9e-6 relative (the rounding of 175
 * steps of float32 training); 1e-4 leaves room for that and catches any change to what training does.
 */
const PINNED = {
  sgd: { loss: 0.033722665160894394, accuracy: 0.9890710115432739, lambdaMax: 1.8811741678358604, lambdaMin: -0.04853609021921147 },
  sgld: { loss: 0.03675563633441925, accuracy: 0.9890710115432739, lambdaMax: 1.7977303317430748, lambdaMin: -0.05825533414025795 },
  adam: { loss: 0.003410430857911706, accuracy: 1, lambdaMax: 0.8462550341246109, lambdaMin: -0.012601809059088073 },
} as const;
const PIN_TOLERANCE = 1e-4;

type Optimizer = keyof typeof PINNED;

interface CompareRun {
  optimizer: Optimizer;
  final: { status: string; loss: number; accuracy: number; iterations: number };
  metrics: Record<string, { value: unknown; iteration: number }>;
  savedModel: string;
}

interface CompareJson {
  backend: string;
  probeRows: number;
  dataset: { trainRows: number };
  runs: CompareRun[];
}

describe(`kramers compare --json --seed ${SEED} --epochs ${EPOCHS} on banknote (wasm)`, () => {
  let dir: string;
  let result: CompareJson;
  let train: Batch;

  beforeAll(async () => {
    if (!existsSync(fileURLToPath(new URL('../packages/cli/dist/main.js', import.meta.url)))) {
      throw new Error('packages/cli is not built: run `npx tsc -b` (npm test builds first)');
    }
    dir = mkdtempSync(join(tmpdir(), 'kramers-compare-'));
    const args = ['compare', '--json', '--no-progress', '--backend', 'wasm', '--seed', String(SEED), '--epochs', String(EPOCHS)];
    args.push('--optimizers', 'sgd,sgld,adam', '--test-fraction', String(TEST_FRACTION), '--save-models', dir);
    const { stdout } = await promisify(execFile)(process.execPath, [BIN, ...args], { timeout: 120_000 });
    result = JSON.parse(stdout) as CompareJson;
    // the training split as compare builds it (stratified, seeded), standardised with its own statistics
    const split = trainTestSplit(loadDataset('banknote'), { testFraction: TEST_FRACTION, seed: SEED, stratify: true });
    const { dataset } = standardize(split.train);
    const y = new Float64Array(dataset.rows * dataset.numClasses);
    dataset.labels.forEach((label, r) => (y[r * dataset.numClasses + label] = 1));
    train = { x: Float64Array.from(dataset.features), y, rows: dataset.rows };
    await tf.setBackend('cpu');
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs on wasm with every training row in the probe', () => {
    expect(result.backend).toBe('wasm');
    expect(result.runs.map((r) => r.optimizer)).toEqual(['sgd', 'sgld', 'adam']);
    expect(result.probeRows).toBe(result.dataset.trainRows);
    expect(train.rows).toBe(result.dataset.trainRows);
  });

  it.each(Object.keys(PINNED) as Optimizer[])(
    '%s: final loss, accuracy, λ_max and λ_min are the pinned values and match a float64 recomputation from the saved model',
    async (optimizer) => {
      const run = result.runs.find((r) => r.optimizer === optimizer)!;
      expect(run.final.status).toBe('completed');
      const lambdaMax = run.metrics['sharpness/lambda_max']!;
      const lambdaMin = run.metrics['sharpness/lambda_min']!;
      // measured after the last update, at the weights that were saved
      expect(lambdaMax.iteration).toBe(run.final.iterations - 1);
      expect(lambdaMin.iteration).toBe(run.final.iterations - 1);
      const reported = {
        loss: run.final.loss,
        accuracy: run.final.accuracy,
        lambdaMax: lambdaMax.value as number,
        lambdaMin: lambdaMin.value as number,
      };

      const model = await loadLayersModelFile(run.savedModel);
      const { spec, theta } = mlpFromLayersModel(model, 'categoricalCrossentropy');
      model.dispose();
      const mlp = new Float64Mlp(spec, train);
      const { values } = jacobiEigen(mlp.hessian(theta), mlp.size);
      const exact = {
        loss: mlp.loss(theta),
        accuracy: mlp.accuracy(theta),
        lambdaMax: values[values.length - 1]!,
        lambdaMin: values[0]!,
      };
      const errors = {
        loss: relErr(reported.loss, exact.loss),
        lambdaMax: relErr(reported.lambdaMax, exact.lambdaMax),
        lambdaMin: relErr(reported.lambdaMin, exact.lambdaMin),
      };
      const residual = run.metrics['sharpness/lambda_max_residual']?.value as number;
      console.log(
        `[compare] ${optimizer}: λ_max residual reported ${residual.toExponential(2)}, |λ_max − exact| ` +
          `${Math.abs(reported.lambdaMax - exact.lambdaMax).toExponential(2)}`,
      );
      console.log(
        `[compare] ${optimizer}: loss ${reported.loss} (float64 ${exact.loss}, relErr ${errors.loss.toExponential(2)}), ` +
          `accuracy ${reported.accuracy} (${exact.accuracy}), λ_max ${reported.lambdaMax} (relErr ${errors.lambdaMax.toExponential(2)}), ` +
          `λ_min ${reported.lambdaMin} (relErr ${errors.lambdaMin.toExponential(2)})`,
      );
      const pinned = PINNED[optimizer];
      expect(reported.accuracy).toBe(pinned.accuracy);
      for (const key of ['loss', 'lambdaMax', 'lambdaMin'] as const) expect(relErr(reported[key], pinned[key])).toBeLessThan(PIN_TOLERANCE);

      // float32 against float64 (measured for sgd, sgld, adam): loss 1.2e-7, 3.6e-7, 5.5e-6 (Adam's loss is 3.4e-3,
      // where tfjs's clipping at 1e-7 and float32 probabilities near 1 show); λ_max 3.7e-8, 7.1e-8, 4.5e-7; λ_min
      // 2.0e-7, 9.3e-7, 1.5e-6
      expect(reported.accuracy).toBe(Math.fround(exact.accuracy));
      expect(errors.loss).toBeLessThan(1e-5);
      expect(errors.lambdaMax).toBeLessThan(1e-6);
      expect(errors.lambdaMin).toBeLessThan(3e-6);
    },
  );
});
