import type { LatestState } from '@kramers/core';
import type { CompareResult } from '@kramers/experiments';

/** The `--json` document of `kramers compare` (a contract: see the package README). */
export function compareJson(result: CompareResult, state: LatestState, context: { backend: string; seed: number; epochs: number; version: string }) {
  return {
    command: 'compare',
    version: context.version,
    backend: context.backend,
    seed: context.seed,
    epochs: context.epochs,
    task: result.task,
    loss: result.loss,
    dataset: result.dataset,
    model: result.model,
    probeRows: result.probeRows,
    stepsPerEpoch: result.stepsPerEpoch,
    elapsedMs: Math.round(result.elapsedMs),
    runs: result.runs.map((run) => {
      const summary = state.runs.find((r) => r.runId === run.optimizer);
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
      return {
        optimizer: run.optimizer,
        config: run.config,
        final: run.final,
        metrics,
        errors: (summary?.errors ?? []).map((e) => ({ plugin: e.plugin, phase: e.phase, iteration: e.iteration, message: e.message })),
        ...(run.savedModel !== undefined ? { savedModel: run.savedModel } : {}),
      };
    }),
  };
}
