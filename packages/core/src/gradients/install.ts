/**
 * The second-order-correct, fast gradient registry (docs/tfjs-second-order.md §2.2, §3, §5.3).
 *
 * tfjs keeps one gradient registry per process (on the global object, shared by every backend and every copy of
 * tfjs-core), so installing is an explicit, process-wide act: nothing here runs at import time. Installs are
 * reference-counted: the first install saves the configs it replaces (looked up with tf.getGradient) and the last
 * uninstall puts exactly those back, unregistering kernels that had none.
 */
import * as tf from '@tensorflow/tfjs';
import { backwardKernelGradients } from './backward-kernels.js';
import { batchMatMulGradient } from './batch-mat-mul.js';
import { maskKernelGradients } from './mask-kernels.js';
import { recomputedOutputGradients } from './recomputed-outputs.js';
import { installTransposeFreeMatMul } from './transpose-free-matmul-kernel.js';

/** Undoes one installSecondOrderGradients() call. Calling it again is a no-op. */
export type Uninstall = () => void;

const configs: readonly tf.GradConfig[] = [
  ...recomputedOutputGradients,
  ...maskKernelGradients,
  ...backwardKernelGradients,
  batchMatMulGradient,
];

/** Kernel names whose gradient the registry replaces or adds. */
export const secondOrderKernelNames: readonly string[] = configs.map((c) => c.kernelName);

const ours = new WeakSet<tf.GradConfig>(configs);

interface Installed {
  count: number;
  previous: Map<string, tf.GradConfig | undefined>;
  restoreMatMulKernel: (() => void) | undefined;
}
let installed: Installed | null = null;

function restore(previous: Map<string, tf.GradConfig | undefined>): void {
  for (const [kernelName, before] of previous) {
    const current = tf.getGradient(kernelName);
    // Someone registered their own gradient on top of ours since: theirs wins, leave it.
    if (current == null || !ours.has(current)) continue;
    if (before == null) tf.unregisterGradient(kernelName);
    else tf.registerGradient(before);
  }
}

/**
 * Makes double backprop (HVPs) correct for the kernels of docs/tfjs-second-order.md §2.2 groups 1–3, replaces the
 * BatchMatMul gradient by a transpose-free one and, when the wasm backend is registered, makes its BatchMatMul kernel
 * run transpose flags as explicit transposes (reaching fused matMul's own backward). First-order gradients are
 * unchanged (bit-for-bit for groups 1–3; BatchMatMul to float32 rounding). Does NOT fix `tf.logSoftmax` or
 * `tf.losses.softmaxCrossEntropy`: use this module's `logSoftmax` / `softmaxCrossEntropy` instead.
 *
 * Idempotent: nested installs share one registration; the registry returns to its previous state when every
 * returned Uninstall has been called.
 */
export function installSecondOrderGradients(): Uninstall {
  if (installed == null) {
    const previous = new Map<string, tf.GradConfig | undefined>();
    for (const config of configs) {
      const before = tf.getGradient(config.kernelName);
      previous.set(config.kernelName, before ?? undefined);
      tf.registerGradient(config);
    }
    installed = { count: 0, previous, restoreMatMulKernel: installTransposeFreeMatMul() };
  }
  installed.count += 1;
  let done = false;
  return () => {
    if (done || installed == null) return;
    done = true;
    installed.count -= 1;
    if (installed.count === 0) {
      const { previous, restoreMatMulKernel } = installed;
      installed = null;
      restore(previous);
      restoreMatMulKernel?.();
    }
  };
}

/**
 * Runs `fn` with the registry in effect and puts the previous state back afterwards, also when `fn` throws. This is
 * how kramers itself measures curvature: only its own Hessian-vector products run under the registry, so training
 * keeps stock tfjs gradients bit for bit (the transpose-free BatchMatMul differs from stock at float32 rounding).
 * Costs a few dozen registry writes per call; nested and global installs share one registration.
 */
export function withSecondOrderGradients<T>(fn: () => T): T {
  const uninstall = installSecondOrderGradients();
  try {
    return fn();
  } finally {
    uninstall();
  }
}

/** Whether installSecondOrderGradients() is currently in effect in this module instance. */
export function secondOrderGradientsInstalled(): boolean {
  return installed != null;
}
