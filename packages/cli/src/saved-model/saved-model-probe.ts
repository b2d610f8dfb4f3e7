import type * as tf from '@tensorflow/tfjs';
import {
  ConfigError,
  createProbeContext,
  createRng,
  permutation,
  probeSecondOrderSupport,
  useBackend,
  withSecondOrderGradients,
  type BackendChoice,
  type ProbeContext,
  type ProbeLossName,
} from '@kramers/core';
import { CliError } from '../cli-error.js';
import type { Io } from '../io.js';
import { loadSavedModel } from './load-saved-model.js';
import { loadModelData, probeTensors } from './model-data.js';
import { resolveModelLoss, type LossSource } from './model-loss.js';
import type { SavedModelFlags } from './saved-model-options.js';

export interface SavedModelProbeFlags extends SavedModelFlags {
  /** A seeded random subset of this many CSV rows (default: all rows). */
  probeSize?: number;
  seed: number;
  backend: BackendChoice;
}

/** A saved model at its saved weights, with a probe on the CSV's rows under the resolved loss. */
export interface SavedModelProbe {
  readonly backend: string;
  readonly model: tf.LayersModel;
  readonly loss: ProbeLossName;
  readonly lossSource: LossSource;
  /** Rows in the CSV; the probe holds all of them or `--probe-size` of them. */
  readonly dataRows: number;
  readonly probe: ProbeContext;
  /** Double backprop against finite differences on tiny cases of every patched kernel group, on this backend. */
  readonly secondOrderCheck: { readonly ok: boolean; readonly failures: readonly string[] };
}

/**
 * Picks the backend, loads and checks the model, resolves the loss, reads the CSV the way the loss needs it, runs the
 * second-order self-test (a failure is a warning on stderr), builds the probe and calls `use` with it; disposes the
 * model and the probe's tensors afterwards, whatever `use` does. Every refusal is a CliError naming the flag.
 * `measures` names what the command measures, for the message about a model with non-finite weights.
 */
export async function withSavedModelProbe<T>(
  flags: SavedModelProbeFlags,
  io: Io,
  measures: string,
  use: (saved: SavedModelProbe) => T | Promise<T>,
): Promise<T> {
  const backend = await useBackend(flags.backend);
  const model = await loadSavedModel(flags.model, measures);
  try {
    const { loss, lossSource } = resolveModelLoss(model, flags.loss, flags.model);
    const data = loadModelData(flags, loss, model);
    // Exact HVPs are only claimed where double backprop agrees with finite differences on this backend.
    const secondOrderCheck = withSecondOrderGradients(() => probeSecondOrderSupport());
    if (!secondOrderCheck.ok) {
      io.stderr.write(`kramers: warning: double-backprop self-test failed on ${backend}:\n  ${secondOrderCheck.failures.join('\n  ')}\n`);
    }
    const rows = flags.probeSize === undefined || flags.probeSize >= data.rows ? undefined : permutation(data.rows, createRng(flags.seed)).slice(0, flags.probeSize);
    const { x, y } = probeTensors(data, loss, rows);
    try {
      let probe: ProbeContext;
      try {
        probe = createProbeContext({ model, x, y, loss });
      } catch (err) {
        if (err instanceof ConfigError) throw new CliError(`--model ${flags.model} and --data ${flags.data} do not fit: ${err.message}`);
        throw err;
      }
      return await use({
        backend,
        model,
        loss,
        lossSource,
        dataRows: data.rows,
        probe,
        secondOrderCheck: { ok: secondOrderCheck.ok, failures: secondOrderCheck.failures },
      });
    } finally {
      x.dispose();
      y.dispose();
    }
  } finally {
    model.dispose();
  }
}
