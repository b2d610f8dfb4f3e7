/**
 * Per-example gradients, side by side in one process: a 64-32-10 MLP (tanh hidden layer, softmax output,
 * categorical cross-entropy) on the 1797 standardised digits rows.
 *   (a) the dense one-pass path vs the loop over rows (target ≥ 10×);
 *   (b) the dense path vs one ordinary gradient of the same rows, `probe.lossAndGradient()` on stock tfjs gradients
 *       as training computes it (target ≤ 2×). For reference also: that gradient under core's second-order registry
 *       (which the dense path runs under: its transpose-free matMul is faster on wasm), and the dense path writing
 *       into a reused buffer (`into`). A fresh 16.5 MiB result is bimodal across runs: in 5 of 13 the C allocator
 *       returned each freed result to the OS and every call faulted it in again (2.0–7.1× a gradient; raising
 *       MALLOC_TRIM_THRESHOLD_ and MALLOC_MMAP_THRESHOLD_ removed it), so both ratios are printed.
 * Reps are interleaved (the order rotates each round) and summarised by medians; the loop is slow, so it runs fewer
 * reps. Run after building: `npx tsc -b && npx tsx bench/sgn/run.ts [reps]`; `BACKEND=cpu` for cpu. The last line
 * is the summary.
 */
import * as tf from '@tensorflow/tfjs';
import { createProbeContext, every, useBackend, withSecondOrderGradients } from '@kramers/core';
import { loadDataset, standardize, toTensors } from '@kramers/datasets';
import { runCompare } from '@kramers/experiments';
import { sharpness } from '@kramers/hvp-estimator';
import { perExampleGradients, sgn } from '@kramers/sgn-collector';

const REPS = Number(process.argv[2] ?? 30);
const LOOP_REPS = 3;
const WARMUP = 5;
const backend = await useBackend((process.env.BACKEND as 'wasm' | 'cpu' | undefined) ?? 'wasm');

const { dataset } = standardize(loadDataset('digits'));
const { x, y } = toTensors(dataset);
const model = tf.sequential({
  layers: [
    tf.layers.dense({ units: 32, activation: 'tanh', inputShape: [dataset.cols], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
    tf.layers.dense({ units: dataset.numClasses, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
  ],
});
const probe = createProbeContext({ model, x, y, loss: 'categoricalCrossentropy' });

const median = (a: readonly number[]): number => {
  const s = [...a].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const timed = (fn: () => unknown): number => {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
};

const into = new Float32Array(dataset.rows * probe.size);
const variants = {
  dense: () => perExampleGradients(probe, { method: 'dense' }),
  denseInto: () => perExampleGradients(probe, { method: 'dense', into }),
  gradient: () => probe.lossAndGradient(),
  gradientRegistry: () => withSecondOrderGradients(() => probe.lossAndGradient()),
} as const;
type Variant = keyof typeof variants;
const times: Record<Variant | 'loop', number[]> = { dense: [], denseInto: [], gradient: [], gradientRegistry: [], loop: [] };

console.log(
  `backend ${backend}, tfjs ${tf.version.tfjs}: digits ${dataset.rows} rows, MLP ${dataset.cols}-32-${dataset.numClasses} ` +
    `(n = ${probe.size}), per-example matrix ${((dataset.rows * probe.size * 4) / 2 ** 20).toFixed(1)} MiB; ${REPS} reps, loop ${LOOP_REPS}`,
);
for (let i = 0; i < WARMUP; i++) for (const fn of Object.values(variants)) fn();
perExampleGradients(probe, { method: 'loop', rows: [0, 1, 2, 3] });

const before = tf.memory().numTensors;
const names = Object.keys(variants) as Variant[];
for (let r = 0; r < REPS; r++) {
  for (let i = 0; i < names.length; i++) {
    const name = names[(r + i) % names.length]!;
    times[name].push(timed(variants[name]));
  }
  if (r < LOOP_REPS) times.loop.push(timed(() => perExampleGradients(probe, { method: 'loop' })));
}
if (tf.memory().numTensors !== before) throw new Error(`tensor count grew from ${before} to ${tf.memory().numTensors}`);

const dense = median(times.dense);
const loop = median(times.loop);
const gradient = median(times.gradient);
console.log(
  `dense path ${dense.toFixed(1)} ms (into a reused buffer ${median(times.denseInto).toFixed(1)} ms), loop ${loop.toFixed(0)} ms ` +
    `(${(loop / dataset.rows).toFixed(3)} ms a row); one batch gradient ${gradient.toFixed(1)} ms (under the registry ` +
    `${median(times.gradientRegistry).toFixed(1)} ms)`,
);
// kramers compare's job (banknote, SGD/SGLD/Adam, sharpness at each epoch end) with and without the sgn plugin at its
// default schedule, interleaved rounds in this process; the ratio of total times is sgn's overhead on the command.
const COMPARE_ROUNDS = Number(process.env.COMPARE_ROUNDS ?? 8);
const compareMs = async (withNoise: boolean): Promise<number> => {
  const result = await runCompare({
    dataset: 'banknote',
    optimizers: ['sgd', 'sgld', 'adam'],
    epochs: 10,
    batchSize: 32,
    hidden: [16, 16],
    learningRates: {},
    diffusion: 1e-4,
    seed: 0,
    testFraction: 0.2,
    probeSize: 2048,
    plugins: (_run, { stepsPerEpoch, trainRows }) => [
      sharpness({ topK: 3, minEigenvalue: true, schedule: every(stepsPerEpoch, stepsPerEpoch - 1) }),
      ...(withNoise ? [sgn({ datasetSize: trainRows })] : []),
    ],
  });
  return result.elapsedMs;
};
await compareMs(true);
const compareRatios: number[] = [];
for (let r = 0; r < COMPARE_ROUNDS; r++) {
  const [first, second] = r % 2 === 0 ? [true, false] : [false, true];
  const a = await compareMs(first);
  const b = await compareMs(second);
  compareRatios.push(first ? a / b : b / a);
}
const compareOverhead = median(compareRatios);
console.log(`kramers compare's job (banknote, 10 epochs, 3 runs) with sgn / without: ${compareRatios.map((x) => x.toFixed(3)).join(', ')}`);
console.log(
  `loop/dense ${(loop / dense).toFixed(1)}× (target ≥ 10×); dense/gradient ${(dense / gradient).toFixed(2)} (target ≤ 2), ` +
    `into a reused buffer ${(median(times.denseInto) / gradient).toFixed(2)}; compare with sgn/without ${compareOverhead.toFixed(3)} (target ≤ 1.05)`,
);
