import type * as tf from '@tensorflow/tfjs';
import type { OptimizerInfo } from './events.js';

/** Reads kind and config from any optimizer instance (built-in, SGLD, or a user subclass). */
export function optimizerInfo(optimizer: tf.Optimizer): OptimizerInfo {
  const ctor = optimizer.constructor as { className?: string; name?: string };
  const className = ctor.className ?? ctor.name ?? 'Optimizer';
  let config: Record<string, unknown> = {};
  try {
    config = { ...(optimizer.getConfig() as Record<string, unknown>) };
  } catch {
    // Optimizers without getConfig (the base class throws) still get observed; they just report no config.
  }
  return { kind: className.toLowerCase(), className, config };
}

export function learningRateOf(info: OptimizerInfo): number | undefined {
  const lr = info.config.learningRate;
  return typeof lr === 'number' ? lr : undefined;
}
