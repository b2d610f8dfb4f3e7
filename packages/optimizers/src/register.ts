import * as tf from '@tensorflow/tfjs';
import { SGLD } from './sgld.js';

let registered = false;

/**
 * Registers this package's optimizers with tfjs serialization, so `tf.loadLayersModel` can rebuild a model saved
 * with `includeOptimizer: true` (stored as 'SGLD', also reachable as 'Custom>SGLD'). An explicit call rather
 * than an import side effect: the registry is process-wide. Safe to call any number of times.
 * Returns the registered class names.
 */
export function registerOptimizers(): readonly string[] {
  if (!registered) {
    tf.serialization.registerClass(SGLD);
    registered = true;
  }
  return [SGLD.className];
}
