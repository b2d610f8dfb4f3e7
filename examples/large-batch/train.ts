// The large-batch monitor: one MLP on digits, trained with SGD at B = 32 and at B = 1024, the latter with the same η
// and with η scaled by 1024/32 (the linear scaling rule). kramers measures each run's temperature along its sharpest
// direction, predicts how many steps it needs to climb one loss barrier, and says which run is trapped and why.
import { collectLatest, createMetricBus, every, useBackend } from '@kramers/core';
import { sharpness } from '@kramers/hvp-estimator';
import { sgn } from '@kramers/sgn-collector';
import { escapePlugin, temperaturePlugin } from '@kramers/escape-tracker';
import { largeBatchPreset, runCompare } from '@kramers/experiments';

await useBackend('wasm');
const preset = largeBatchPreset;
const { dataset, epochs, batchSize, learningRates } = preset.defaults;
const eta = learningRates.sgd!;
// sgd-b32 (η), sgd-b1024 (η), sgd-b1024-scaled (η·1024/32)
const runs = preset.runs({ optimizers: ['sgd'], batchSize, learningRate: () => eta });

const bus = createMetricBus();
const latest = collectLatest(bus);
// The alert, live: the step it fired at, why, and what would free the run; and when it clears again.
bus.subscribe((e) => {
  if (e.kind !== 'metric' || e.plugin !== 'escape' || e.name !== 'trapped') return;
  if (e.value === 1) {
    console.log(`TRAPPED ${e.runId} at step ${e.iteration}: ${String(e.attributes?.['reason'])}`);
    console.log(`  remedy: ${String(e.attributes?.['remedy'])}`);
  } else {
    console.log(`cleared ${e.runId} at step ${e.iteration}: ${String(e.attributes?.['reason'])}`);
  }
});

const result = await runCompare({
  dataset,
  runs,
  dropLast: preset.dropLast, // every step of sgd-b1024 has exactly 1024 rows
  epochs,
  batchSize,
  hidden: [16, 16],
  seed: 0,
  testFraction: 0.2,
  probeSize: 2048,
  bus,
  plugins: (_optimizer, { stepsPerEpoch, trainRows }) => [
    // Curvature at each epoch's end; the gradient noise there; then T along u₁ and the predicted steps to escape.
    sharpness({ topK: 3, minEigenvalue: true, schedule: every(stepsPerEpoch, stepsPerEpoch - 1) }),
    // the noise at the probe (critical batch size) at the end only: T is then ηλ/(2B) at every measurement
    sgn({ datasetSize: trainRows, seed: 0, probeSchedule: preset.noiseProbeSchedule! }),
    temperaturePlugin(),
    // One absolute barrier for every run, so their predictions compare (the default is 40 temperatures of each run).
    escapePlugin({ totalSteps: stepsPerEpoch * epochs, basin: false, riseCap: preset.escapeBarrier }),
  ],
  onStart: (_steps, all) => console.log(`training ${all.map((r) => `${r.id} (${r.stepsPerEpoch * epochs} steps)`).join(', ')} on ${dataset}`),
});

const value = (runId: string, key: string): number | undefined => {
  const v = latest.state.runs.find((r) => r.runId === runId)?.metrics[key]?.value;
  return typeof v === 'number' ? v : undefined;
};
const fmt = (x: number | undefined, digits = 3) => (x === undefined ? '—' : x.toPrecision(digits));
for (const run of result.runs) {
  const metrics = latest.state.runs.find((r) => r.runId === run.id)?.metrics ?? {};
  const log10 = metrics['escape/predicted_steps']?.attributes?.['log10Steps'];
  const trapped = metrics['escape/trapped'];
  console.log(
    `RUN ${run.id} B=${run.batchSize} eta=${run.learningRate} eta/B=${fmt(run.learningRate / run.batchSize)} ` +
      `train_loss=${fmt(run.final.loss)} test_accuracy=${fmt(run.final.testAccuracy)} lambda_max=${fmt(value(run.id, 'sharpness/lambda_max'))} ` +
      `T_top=${fmt(value(run.id, 'temperature/T_top'))} barrier=${fmt(value(run.id, 'escape/barrier'))} ` +
      `log10_predicted_steps=${typeof log10 === 'number' ? log10.toFixed(2) : '—'} steps=${run.final.iterations} ` +
      `trapped=${trapped?.value === 1 ? `since step ${trapped.iteration}` : 'no'}`,
  );
}
for (const run of result.runs) {
  const crit = value(run.id, 'sgn/critical_batch_size');
  if (crit !== undefined) console.log(`NOISE ${run.id}: the noise scale suggests B ≈ ${Math.round(crit)} (this run used B = ${run.batchSize})`);
}
const [small, large, scaled] = result.runs.map((r) => value(r.id, 'temperature/T_top'));
if (small !== undefined && large !== undefined && scaled !== undefined) {
  console.log(`SUMMARY B = 1024 at the same η runs ${(small / large).toFixed(0)}× colder than B = 32; the linear scaling rule brings T back to ${(scaled / small).toFixed(2)}× the B = 32 temperature`);
}
