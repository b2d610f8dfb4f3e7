/**
 * Flat gradients of the two parts of the probe loss: the data loss on some rows (mean over those rows of the per-row
 * loss) and the regularisation penalty, which does not depend on the rows. Flat order: the probe's variables, each
 * flattened row-major (`ProbeContext.variables`).
 */
import * as tf from '@tensorflow/tfjs';
import { modelOutputs, type ProbeRows } from './probe-rows.js';

/** Writes ∇θ dataLoss(rows given) into `out` from `at` on (n entries); variables the loss does not reach stay as they are. */
export function writeDataGradient(probe: ProbeRows, xs: readonly tf.Tensor[], ys: readonly tf.Tensor[], out: Float32Array, at: number): void {
  tf.tidy(() => {
    const { grads } = tf.variableGrads(() => probe.data.dataLoss(ys, modelOutputs(probe.data.model, xs)), [...probe.variables]);
    probe.variables.forEach((v, i) => {
      const g = grads[v.name];
      if (g) out.set(g.dataSync() as Float32Array, at + probe.offsets[i]!);
    });
  });
}

/** ∇θ penalty() as a flat vector, or undefined when the model has no regularisation (the gradient is then zero). */
export function penaltyGradient(probe: ProbeRows): Float32Array | undefined {
  return tf.tidy(() => {
    // A Sequential builds its inner model on first use, and until then reports no regularisation losses (so
    // `penalty()` reads 0): one forward pass on one row builds it.
    modelOutputs(probe.data.model, probe.xs.map((x) => tf.slice(x, 0, 1)));
    const vars = [...probe.variables];
    // tf.variableGrads refuses a function no variable reaches (a model without regularisers has a constant penalty
    // of 0): the 0·Σθ term adds a path whose gradient is exactly zero.
    const anchored = () => vars.reduce<tf.Scalar>((s, v) => tf.add(s, tf.mul(0, tf.sum(v))), probe.data.penalty());
    const { grads } = tf.variableGrads(anchored, vars);
    const flat = new Float32Array(probe.size);
    let nonzero = false;
    vars.forEach((v, i) => {
      const g = grads[v.name]!.dataSync() as Float32Array;
      flat.set(g, probe.offsets[i]!);
      nonzero ||= g.some((x) => x !== 0);
    });
    return nonzero ? flat : undefined;
  });
}
