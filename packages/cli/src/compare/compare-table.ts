import type { LatestState } from '@kramers/core';
import type { CompareResult } from '@kramers/experiments';
import { formatCount } from '@kramers/escape-tracker';
import { comparisonTable } from '@kramers/reporters';
import { batchSizeAdvice } from './batch-size-advice.js';
import { TABLE_COLUMNS } from './table-columns.js';

/** Shown per step or as a diagnostic elsewhere, or duplicates of a column: not extra columns. */
const NOT_EXTRA = ['loss', 'update_norm', 'param_norm', 'test_loss', 'hvp_count', 'trace_C', 'noise_scale_at_probe', 'pooled_tail_index', 'pooled_tail_index_with_noise', 'noise_hessian_pearson', 'grad_snr', 'grad_snr_at_probe',
  // the escape plugin's inputs and alerts: the alerts become notes under the table
  'eta_eff', 'barrier', 'low_temperature_ratio', 'trapped', 'escaped', 'skipped', 'unsupported'];

/** The human output of `kramers compare`: a header line, the comparison table, and notes on what went wrong. */
export function renderCompare(result: CompareResult, state: LatestState, backend: string, preset?: string): string {
  const d = result.dataset;
  const columns = TABLE_COLUMNS[result.task];
  const output = result.task === 'classification' ? `${d.classes} classes, softmax` : `${d.targets} target${d.targets === 1 ? '' : 's'}, linear`;
  const lines = [
    '',
    `kramers compare${preset !== undefined ? ` --preset ${preset}` : ''} — ${d.name}: ${d.trainRows} training rows, ${d.testRows} test rows (${output}); MLP ${result.model.layers.join('-')} ` +
      `(${result.model.parameters} parameters), loss ${result.loss}; backend ${backend}; ${(result.elapsedMs / 1000).toFixed(1)} s`,
    '',
    comparisonTable(state, { metrics: [...columns, ...extraMetrics(state, columns)] }),
  ];
  // Runs that differ in B and η (not only in the optimizer) get a line each on what sets their temperature.
  if (result.runs.some((run) => run.id !== run.optimizer)) lines.push('', ...result.runs.map((run) => runLine(run, result.runs[0]!, state)));
  const diverged = result.runs.filter((run) => run.final.status === 'diverged');
  if (diverged.length > 0) {
    lines.push(
      '',
      ...diverged.map(
        (run) => `${run.id} diverged at step ${run.final.iterations - 1} (its loss or weights became NaN or infinite) and stopped there; try a smaller --lr ${run.optimizer}=…`,
      ),
    );
  }
  const trapped = trappedNotes(state);
  if (trapped.length > 0) lines.push('', ...trapped);
  const advice = result.runs.flatMap((run) => batchSizeAdvice(run, metricsOf(state, run.id))?.sentence ?? []);
  if (advice.length > 0) lines.push('', ...advice);
  const errors = state.runs.flatMap((r) => r.errors.map((e) => `  ${r.runId}: plugin ${e.plugin} failed at step ${e.iteration} (${e.phase}): ${e.message}`));
  if (errors.length > 0) lines.push('', 'plugin errors (those plugins were switched off):', ...errors);
  const saved = result.runs.filter((run) => run.savedModel !== undefined);
  if (saved.length > 0) lines.push('', `models saved: ${saved.map((run) => run.savedModel).join(', ')}`);
  return `${lines.join('\n')}\n`;
}

/** One note per run whose latest escape alert says it is trapped: why, and which knob would free it. */
function trappedNotes(state: LatestState): string[] {
  return state.runs.flatMap((run) => {
    const e = run.metrics['escape/trapped'];
    if (e?.value !== 1 || !e.attributes) return [];
    return [`${run.runId} trapped since step ${e.iteration}: ${String(e.attributes['reason'])}; ${String(e.attributes['remedy'])}`];
  });
}

function metricsOf(state: LatestState, runId: string): LatestState['runs'][number]['metrics'] {
  return state.runs.find((r) => r.runId === runId)?.metrics ?? {};
}

/** A run's batch size, step and temperature, and its predicted escape against the steps it had. */
function runLine(run: CompareResult['runs'][number], first: CompareResult['runs'][number], state: LatestState): string {
  const latest = metricsOf(state, run.id);
  const T = latest['temperature/T_top']?.value;
  const T1 = metricsOf(state, first.id)['temperature/T_top']?.value;
  // SGD's T = ηλ/(2B): the η/B ratio is the theory's share of the temperature ratio, the curvature the rest.
  const relative =
    run !== first && typeof T === 'number' && typeof T1 === 'number' && T1 > 0
      ? ` (${formatCount(T / T1)}× ${first.id}'s; η/B ${formatCount(run.learningRate / run.batchSize / (first.learningRate / first.batchSize))}×)`
      : '';
  const steps = latest['escape/predicted_steps'];
  const log10 = steps?.attributes?.['log10Steps'];
  const alert = latest['escape/trapped'];
  const planned = run.stepsPerEpoch * Math.max(1, Math.ceil(run.final.iterations / run.stepsPerEpoch));
  // When in the run the latest alert fired: at the first measurement (cold from the start) or only as the steps ran out.
  const trapped = alert?.value === 1 ? `: trapped since step ${alert.iteration} of ${planned} (${Math.round((100 * alert.iteration) / planned)} %)` : ': not trapped';
  const parts = [
    `${run.id}: ${run.optimizer}, B = ${run.batchSize}, η = ${formatCount(run.learningRate)} (η/B = ${formatCount(run.learningRate / run.batchSize)})`,
    ...(typeof T === 'number' ? [`T_top = ${formatCount(T)}${relative}`] : []),
    ...(typeof log10 === 'number'
      ? [`predicted escape ≈ 10^${log10.toFixed(1)} steps, ${run.final.iterations} trained${trapped}`]
      : []),
  ];
  return parts.join(', ');
}

/** Whole-model scalar metrics beyond the fixed columns, so every installed plugin shows in the table. */
function extraMetrics(state: LatestState, columns: readonly string[]): string[] {
  const skip = new Set([...columns, ...NOT_EXTRA]);
  const out: string[] = [];
  for (const run of state.runs) {
    for (const e of Object.values(run.metrics)) {
      const diagnostic = e.name.endsWith('_residual');
      if (e.layer === undefined && typeof e.value === 'number' && !skip.has(e.name) && !diagnostic && !out.includes(e.name)) out.push(e.name);
    }
  }
  return out;
}
