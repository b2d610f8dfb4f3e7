import type { LatestState } from '@kramers/core';
import type { CompareResult } from '@kramers/experiments';
import { batchSizeAdvice } from './batch-size-advice.js';
import { resultFacts } from './result-facts.js';

/** The `--json` document of `kramers compare` (a contract: see the package README). */
export function compareJson(result: CompareResult, state: LatestState, context: { backend: string; seed: number; epochs: number; version: string; preset?: string }) {
  return {
    command: 'compare',
    ...(context.preset !== undefined ? { preset: context.preset } : {}),
    version: context.version,
    backend: context.backend,
    seed: context.seed,
    epochs: context.epochs,
    ...resultFacts(result),
    elapsedMs: Math.round(result.elapsedMs),
    runs: result.runs.map((run) => {
      const summary = state.runs.find((r) => r.runId === run.id);
      const metrics: Record<string, unknown> = {};
      for (const [key, e] of Object.entries(summary?.metrics ?? {})) {
        metrics[key] = {
          value: e.value,
          iteration: e.iteration,
          ...(e.unit !== undefined ? { unit: e.unit } : {}),
          ...(e.uncertainty !== undefined ? { uncertainty: e.uncertainty } : {}),
          ...(e.prediction ? { prediction: true } : {}),
        };
      }
      const latest = summary?.metrics ?? {};
      const advice = batchSizeAdvice(run, latest);
      return {
        id: run.id,
        optimizer: run.optimizer,
        batchSize: run.batchSize,
        learningRate: run.learningRate,
        stepsPerEpoch: run.stepsPerEpoch,
        config: run.config,
        final: run.final,
        ...escapeColumns(latest),
        noise: advice === undefined ? null : { criticalBatchSize: advice.criticalBatchSize, suggestedBatchSize: advice.suggested, advice: advice.sentence },
        metrics,
        errors: (summary?.errors ?? []).map((e) => ({ plugin: e.plugin, phase: e.phase, iteration: e.iteration, message: e.message })),
        ...(run.savedModel !== undefined ? { savedModel: run.savedModel } : {}),
      };
    }),
  };
}

type Latest = NonNullable<LatestState['runs'][number]['metrics']>;

/**
 * The escape columns: T along the top Hessian direction and the predicted steps to escape (with log10, finite even
 * when the steps overflow), the barrier they rest on and the latest trapped alert; null when not measured.
 */
function escapeColumns(latest: Latest) {
  const num = (key: string): number | null => {
    const v = latest[key]?.value;
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  };
  const steps = latest['escape/predicted_steps'];
  const barrier = latest['escape/barrier'];
  const trapped = latest['escape/trapped'];
  return {
    temperature: num('temperature/T_top'),
    predictedEscapeSteps: num('escape/predicted_steps'),
    escape:
      steps === undefined
        ? null
        : {
            iteration: steps.iteration,
            log10PredictedSteps: steps.attributes?.['log10Steps'] ?? null,
            formula: steps.attributes?.['formula'] ?? null,
            bound: steps.attributes?.['bound'] ?? null,
            barrier: num('escape/barrier'),
            col: barrier?.attributes?.['col'] ?? null,
            lowTemperatureRatio: num('escape/low_temperature_ratio'),
            quasiEquilibrium: steps.attributes?.['quasiEquilibrium'] ?? null,
            noiseSource: steps.attributes?.['noiseSource'] ?? null,
            trapped:
              trapped?.value === 1
                ? { iteration: trapped.iteration, reason: trapped.attributes?.['reason'] ?? null, remedy: trapped.attributes?.['remedy'] ?? null }
                : null,
          },
  };
}
