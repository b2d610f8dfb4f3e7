import * as tf from '@tensorflow/tfjs';
import type { Slots } from './update-rules.js';

/** Row positions of the replicas in `ids` that are not in `gone`. */
export function keptRows(ids: Int32Array, gone: Iterable<number>): number[] {
  const out = new Set(gone);
  const keep: number[] = [];
  ids.forEach((id, r) => {
    if (!out.has(id)) keep.push(r);
  });
  return keep;
}

/**
 * θ [R, n] and the optimizer's [R, n] slots cut to the kept rows (scalars, shared by all rows, are copied); the
 * old tensors are disposed. Dropping rows never changes the others: each row's update only reads its own row.
 */
export function keepRows(theta: tf.Tensor2D, slots: Slots, keep: readonly number[], n: number): { theta: tf.Tensor2D; slots: Slots } {
  const rows = (t: tf.Tensor): tf.Tensor => (t.rank !== 2 ? t.clone() : keep.length ? tf.gather(t, [...keep]) : tf.zeros([0, n]));
  const next = tf.tidy(() => ({
    theta: rows(theta) as tf.Tensor2D,
    slots: Object.fromEntries(Object.entries(slots).map(([key, t]) => [key, rows(t)])) as Slots,
  }));
  theta.dispose();
  for (const t of Object.values(slots)) t.dispose();
  return next;
}
