import * as tf from '@tensorflow/tfjs';
import type { ReplicaOptimizer } from './replica-optimizer.js';
import { initialSlots, updateRows, type Slots } from './update-rules.js';

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

/**
 * The tensors of R replicas under one optimizer: parameters θ [R, n], the optimizer's slots and its constants.
 * Both ensembles keep theirs here, so stepping, dropping rows and disposing are written once.
 */
export interface RowState {
  /** θ now; valid until the next step or keep. */
  theta(): tf.Tensor2D;
  /** One update of every row: `gradient` builds ĝ from θ (inside a tidy); `whiteNoise` is SGLD's √(2ηD)·ξ. */
  step(gradient: (theta: tf.Tensor2D) => tf.Tensor2D, whiteNoise: () => tf.Tensor2D): void;
  /** Keeps only the given rows (positions), in order. */
  keep(rows: readonly number[]): void;
  dispose(): void;
}

/** R rows starting at `start` (one row for all, or R rows of n), with a fresh optimizer state. */
export function createRowState(optimizer: ReplicaOptimizer, start: Float32Array, replicas: number, n = start.length): RowState {
  let theta: tf.Tensor2D = tf.tidy(() =>
    start.length === n ? (tf.tile(tf.tensor2d(start, [1, n]), [replicas, 1]) as tf.Tensor2D) : tf.tensor2d(start, [replicas, n]),
  );
  // The scalars tfjs's optimizers keep: −η, and β for momentum.
  const constants = tf.tidy(() => ({
    c: tf.keep(tf.scalar(-optimizer.learningRate)),
    m: tf.keep(tf.scalar(optimizer.name === 'momentum' ? optimizer.momentum : 0)),
  }));
  let slots: Slots = initialSlots(optimizer, replicas, n);
  return {
    theta: () => theta,
    step(gradient, whiteNoise) {
      const next = tf.tidy(() => updateRows(optimizer, theta, gradient(theta), slots, constants, whiteNoise));
      theta.dispose();
      for (const t of Object.values(slots)) t.dispose();
      theta = next.theta;
      slots = next.slots;
    },
    keep(rows) {
      ({ theta, slots } = keepRows(theta, slots, rows, n));
    },
    dispose() {
      theta.dispose();
      for (const t of Object.values(slots)) t.dispose();
      constants.c.dispose();
      constants.m.dispose();
    },
  };
}
