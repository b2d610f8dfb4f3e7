/**
 * Probe batches are checked against the model before anything is measured: tfjs losses broadcast silently, so a
 * target of shape [16, 1] against a [16, 3] output would still yield a loss and a (meaningless) λ.
 */
import type * as tf from '@tensorflow/tfjs';
import { ConfigError } from './config-validation.js';
import type { TargetLayout } from './probe-loss.js';

const show = (shape: readonly (number | null)[]): string => `[${shape.map((d) => (d === null ? 'null' : String(d))).join(', ')}]`;

function fits(actual: readonly number[], expected: readonly (number | null)[]): boolean {
  return actual.length === expected.length && expected.every((d, i) => d === null || d === actual[i]);
}

/** Throws a ConfigError naming the probe field, both shapes and the fix when x or y does not fit the model. */
export function checkProbeInputs(model: tf.LayersModel, xs: readonly tf.Tensor[]): void {
  const problems: string[] = [];
  if (xs.length !== model.inputs.length) {
    problems.push(`probe.x: ${xs.length} tensor(s) but the model "${model.name}" has ${model.inputs.length} input(s); pass one tensor per input`);
  }
  xs.forEach((x, i) => {
    const expected = model.inputs[i]?.shape;
    if (expected && !fits(x.shape, expected)) {
      problems.push(
        `probe.x${xs.length > 1 ? `[${i}]` : ''}: shape ${show(x.shape)} does not fit the model's input "${model.inputs[i]!.name}" of shape ${show(expected)} (null = any)`,
      );
    }
  });
  if (problems.length > 0) throw new ConfigError('probe', problems);
}

/**
 * Targets against the model's outputs under the loss's target layout ('any' for a user's loss function: only rows
 * are checked).
 */
export function checkProbeTargets(
  model: tf.LayersModel,
  rows: number,
  ys: readonly tf.Tensor[],
  rule: { readonly lossName: string; readonly targets: TargetLayout },
): void {
  const problems: string[] = [];
  if (ys.length !== model.outputs.length) {
    problems.push(`probe.y: ${ys.length} tensor(s) but the model "${model.name}" has ${model.outputs.length} output(s); pass one target tensor per output`);
  }
  ys.forEach((y, i) => {
    const field = `probe.y${ys.length > 1 ? `[${i}]` : ''}`;
    if (y.shape[0] !== rows) {
      problems.push(`${field}: has ${String(y.shape[0])} rows but probe.x has ${rows}; pass matching batches`);
      return;
    }
    const out = model.outputs[i]?.shape;
    if (!out || rule.targets === 'any') return;
    if (rule.targets === 'class labels') {
      const ok = y.shape.length === 1 || (y.shape.length === 2 && y.shape[1] === 1);
      if (!ok) {
        problems.push(
          `${field}: shape ${show(y.shape)} is not a column of class labels for ${rule.lossName}; pass integer labels of shape [${rows}] or [${rows}, 1]`,
        );
      }
      return;
    }
    if (!fits(y.shape, out)) {
      const hint =
        out.length === 2 && (y.shape.length === 1 || y.shape[1] === 1) && (out[1] ?? 0) > 1
          ? `; integer class labels need one-hot encoding (tf.oneHot) or loss 'sparseCategoricalCrossentropy'`
          : '';
      problems.push(
        `${field}: shape ${show(y.shape)} does not match the model's output "${model.outputs[i]!.name}" of shape ${show(out)} under ${rule.lossName}; targets must have the output's shape${hint}`,
      );
    }
  });
  if (problems.length > 0) throw new ConfigError('probe', problems);
}
