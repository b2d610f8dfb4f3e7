/**
 * Shared set-up of the gradient-registry tests (packages/core/src/gradients/*.test.ts): seeded tensors and
 * directions, the backends they run on, the finite-difference reference they are judged by, and the registry with
 * its BatchMatMul part held back, so first-order identity can be asserted exactly where the registry claims it.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe } from 'vitest';
import { createRng, type Rng } from '../../src/rng.js';
import {
  flatValues,
  gradientOf,
  hvpByDoubleBackprop,
  hvpByFiniteDifference,
  relativeError,
  type ScalarLoss,
} from '../../src/gradients/hvp-reference.js';
import { installSecondOrderGradients, type Uninstall } from '../../src/gradients/install.js';

export { createRng, flatValues, gradientOf, hvpByDoubleBackprop, installSecondOrderGradients, relativeError };
export type { Rng, ScalarLoss, Uninstall };

/**
 * Central differences with Richardson extrapolation over h = 0.1, 0.05, 0.025 along a unit v: the table cancels the
 * h² and h⁴ terms (remaining error O(h⁶) ≈ 1e-6·|f⁽⁷⁾|), and h ≥ 0.025 keeps float32 rounding of the gradients,
 * ≈ u·|∇f|/h with u = 6e-8, near 1e-5 relative. Plain central differences bottom out near 1e-4 in float32 (1.2e-4
 * on wine-mlp, test/fixtures/shared/reference/README.md), too coarse for the 1e-4 tolerance.
 */
export const FD = { step: 0.1, levels: 3 } as const;
/** HVP vs FD: the Richardson table above is good to ≈ 1e-5; every case measures 4.7e-6 to 6.4e-5. */
export const TOL_HVP = 1e-4;

export const BACKENDS = ['cpu', 'wasm'] as const;
export type Backend = (typeof BACKENDS)[number];

/**
 * First-order gradients with the whole registry vs stock, as max |Δ| / max |g|. The BatchMatMul rewrite computes
 * the same products; on cpu they come out bit for bit, on wasm the explicit transposes change the order of the sums
 * at float32 rounding (iris MLPs, 150 rows: up to 3.4e-7, i.e. a few units of 6e-8).
 */
export const MATMUL_FIRST_ORDER_BOUND: Readonly<Record<Backend, number>> = { cpu: 0, wasm: 1e-6 };

/**
 * One describe block per backend, switched to it before its tests, with a report its tests append lines to and that
 * is printed once at the end (the measured numbers the tolerances were chosen from).
 */
export function describeOnBackends(
  title: (backend: Backend) => string,
  body: (backend: Backend, report: string[]) => void,
  backends: readonly Backend[] = BACKENDS,
): void {
  for (const backend of backends) {
    describe(title(backend), () => {
      const report: string[] = [];
      beforeAll(async () => {
        await tf.setBackend(backend);
        await tf.ready();
      });
      afterAll(() => {
        if (report.length > 0) console.log(`[${backend}] ${title(backend)}\n${report.join('\n')}`);
      });
      body(backend, report);
    });
  }
}

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function normal(rng: Rng, shape: number[], scale = 1): tf.Tensor {
  return tf.tensor(Float32Array.from({ length: size(shape) }, () => scale * rng.normal()), shape);
}

export function uniform(rng: Rng, shape: number[], lo: number, hi: number): tf.Tensor {
  return tf.tensor(Float32Array.from({ length: size(shape) }, () => lo + (hi - lo) * rng.next()), shape);
}

export function oneHotLabels(rng: Rng, rows: number, classes: number): tf.Tensor {
  return tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from({ length: rows }, () => rng.int(classes)), 'int32'), classes));
}

/** A variable holding `t`, which is disposed. */
export function variable(t: tf.Tensor): tf.Variable {
  const v = tf.variable(t);
  t.dispose();
  return v;
}

/** A seeded direction of unit norm over all `vars`, one tensor per variable. */
export function unitDirection(rng: Rng, vars: readonly tf.Variable[]): tf.Tensor[] {
  return tf.tidy(() => {
    const raw = vars.map((x) => normal(rng, x.shape));
    const norm = Math.sqrt(raw.reduce((s, r) => s + tf.sum(tf.square(r)).dataSync()[0]!, 0));
    return raw.map((r) => tf.div(r, norm));
  });
}

/** The double-backprop HVP as a flat float64 vector, or the error stock tfjs throws. */
export function tryHvp(f: ScalarLoss, vars: readonly tf.Variable[], v: readonly tf.Tensor[]): Float64Array | Error {
  try {
    const hv = hvpByDoubleBackprop(f, vars, v);
    const flat = flatValues(hv);
    tf.dispose(hv);
    return flat;
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

/** The Richardson finite-difference HVP with the steps above. */
export function finiteDifferenceHvp(f: ScalarLoss, vars: readonly tf.Variable[], v: readonly tf.Tensor[]): Float64Array {
  return hvpByFiniteDifference(f, vars, v, FD);
}

/** Relative error of the double-backprop HVP against the Richardson FD reference, under the current registry. */
export function hvpErrorVsFiniteDifferences(f: ScalarLoss, vars: readonly tf.Variable[], v: readonly tf.Tensor[]): number {
  const fd = finiteDifferenceHvp(f, vars, v);
  const hv = tryHvp(f, vars, v);
  if (hv instanceof Error) throw hv;
  return relativeError(hv, fd);
}

/** The flat first-order gradient, as float32 values (exact comparisons need no widening). */
export function flatGradient(f: ScalarLoss, vars: readonly tf.Variable[]): Float32Array {
  const g = gradientOf(f, vars);
  try {
    return Float32Array.from(flatValues(g));
  } finally {
    tf.dispose(g);
  }
}

/**
 * The registry without its BatchMatMul part: the gradient config and (on wasm) the kernel wrapper are put back to
 * stock right after installing. What remains recomputes saved outputs, differentiates mask kernels and adds
 * backward kernels' gradients, none of which changes a first-order value, so gradients under it must equal stock
 * gradients bit for bit. The BatchMatMul part is measured on its own.
 */
export function installWithoutBatchMatMul(): Uninstall {
  const stockGradient = tf.getGradient('BatchMatMul');
  const stockWasmKernel = tf.getKernel('BatchMatMul', 'wasm');
  const uninstall = installSecondOrderGradients();
  tf.registerGradient(stockGradient);
  if (stockWasmKernel) {
    tf.unregisterKernel('BatchMatMul', 'wasm');
    tf.registerKernel(stockWasmKernel);
  }
  return uninstall;
}

/** Runs `fn` under `install()`, undoing it afterwards, also when `fn` throws. */
export function under<T>(install: () => Uninstall, fn: () => T): T {
  const uninstall = install();
  try {
    return fn();
  } finally {
    uninstall();
  }
}

/** Index of the first entry where two gradients differ, with both values, or null when identical bit for bit. */
export function firstDifference(a: Float32Array, b: Float32Array): string | null {
  if (a.length !== b.length) return `lengths ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) return `entry ${i}: ${a[i]} vs ${b[i]}`;
  }
  return null;
}

/** max |a − b| / max |b|: float32 rounding of a sum shows as a few units of 6e-8. */
export function maxDifferenceRelative(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return d / scale;
}
