import * as tf from '@tensorflow/tfjs';
import { ADAM_DEFAULTS, type ReplicaOptimizer } from './replica-optimizer.js';

/** An optimizer's state tensors, each [R, n] (or a scalar shared by all rows, as Adam's β powers). */
export type Slots = Record<string, tf.Tensor>;

/** The state a fresh optimizer starts from, for R rows of n parameters. */
export function initialSlots(optimizer: ReplicaOptimizer, replicas: number, n: number): Slots {
  return tf.tidy((): Slots => {
    switch (optimizer.name) {
      case 'momentum':
        return { accumulation: tf.zeros([replicas, n]) };
      case 'adam': {
        const { beta1 = ADAM_DEFAULTS.beta1, beta2 = ADAM_DEFAULTS.beta2 } = optimizer;
        return { m: tf.zeros([replicas, n]), v: tf.zeros([replicas, n]), accBeta1: tf.scalar(beta1), accBeta2: tf.scalar(beta2) };
      }
      default:
        return {};
    }
  });
}

/** One update of every row, op for op as tfjs's optimizers (tfjs-core src/optimizers/*_optimizer.ts) apply it. */
export function updateRows(
  optimizer: ReplicaOptimizer,
  theta: tf.Tensor2D,
  g: tf.Tensor2D,
  slots: Slots,
  k: { c: tf.Scalar; m: tf.Scalar },
  whiteNoise: () => tf.Tensor2D,
): { theta: tf.Tensor2D; slots: Slots } {
  switch (optimizer.name) {
    case 'sgd':
      return { theta: tf.keep(tf.add(tf.mul(k.c, g), theta)), slots: {} };
    case 'sgld':
      // θ ← θ − ηg + √(2ηD)ξ (Welling & Teh 2011; the same expression as @kramers/optimizers' SGLD).
      return { theta: tf.keep(tf.add(tf.add(tf.mul(k.c, g), theta), whiteNoise())), slots: {} };
    case 'momentum': {
      const accumulation = tf.keep(tf.add(tf.mul(k.m, slots.accumulation!), g));
      return { theta: tf.keep(tf.add(tf.mul(k.c, accumulation), theta)), slots: { accumulation } };
    }
    case 'adam': {
      const { beta1 = ADAM_DEFAULTS.beta1, beta2 = ADAM_DEFAULTS.beta2, epsilon = ADAM_DEFAULTS.epsilon } = optimizer;
      const oneMinusAccBeta1 = tf.sub(1, slots.accBeta1!);
      const oneMinusAccBeta2 = tf.sub(1, slots.accBeta2!);
      const m = tf.keep(tf.add(tf.mul(slots.m!, beta1), tf.mul(g, 1 - beta1)));
      const v = tf.keep(tf.add(tf.mul(slots.v!, beta2), tf.mul(tf.square(g), 1 - beta2)));
      const mHat = tf.div(m, oneMinusAccBeta1);
      const vHat = tf.div(v, oneMinusAccBeta2);
      const next = tf.keep(tf.add(tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), epsilon)), -optimizer.learningRate), theta));
      return {
        theta: next as tf.Tensor2D,
        slots: { m, v, accBeta1: tf.keep(tf.mul(slots.accBeta1!, beta1)), accBeta2: tf.keep(tf.mul(slots.accBeta2!, beta2)) },
      };
    }
  }
}
