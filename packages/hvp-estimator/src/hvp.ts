/**
 * Hessian-vector products of a tfjs loss as a `SymmetricOperator` over the flat parameter vector (docs/theory.md §8).
 * Flat order: the variables in the given order, each flattened row-major (tfjs `reshape([-1])`), the same convention
 * as test/fixtures/shared/reference. Vectors cross into tfjs as float32 and come back widened to float64.
 *
 * Stock tfjs double backprop is silently wrong wherever a kernel saves its output (tanh, sigmoid, softmax, exp, elu,
 * pow) and throws on mask kernels; every product here therefore runs under core's second-order gradient registry,
 * installed for the product only (nested inside `analyzeCurvature`'s own, it costs nothing), so training outside it
 * keeps stock gradients. A silently wrong HVP cannot be detected here, only a throwing one.
 */
import * as tf from '@tensorflow/tfjs';
import { readFlat, withSecondOrderGradients, writeFlat } from '@kramers/core';
import type { SymmetricOperator } from './operator.js';
import { norm } from './vector.js';

export type HvpMethod = 'double-backprop' | 'finite-difference';

/** The loss and the variables it is differentiated with respect to. The loss must be deterministic. */
export interface HvpSource {
  /** Builds the scalar loss at the variables' current values (called inside tf.tidy and gradient scopes). */
  readonly lossFn: () => tf.Scalar;
  /** Trainable float32 variables, in flat-vector order. */
  readonly variables: readonly tf.Variable[];
}

export interface HvpOperator extends SymmetricOperator {
  readonly method: HvpMethod;
}

export interface HvpOperatorChoice extends HvpOperator {
  /** Why double backprop was not used (the probe's error message); absent when it was. */
  readonly fallbackReason?: string;
}

export interface FiniteDifferenceOptions {
  /**
   * Step length along the unit direction v/‖v‖ (default 1e-3 ≈ float32 ε_mach^{1/3}·O(1), the truncation/rounding
   * balance for central differences; docs/theory.md §8). Wrong by O(1) if a ReLU kink lies within the step
   * (docs/tfjs-second-order.md §6).
   */
  readonly epsilon?: number;
}

/** H·v = ∇θ⟨∇θ L, v⟩ by nested `tf.variableGrads` (Pearlmutter 1994). */
export function makeHvp(source: HvpSource): HvpOperator {
  const { variables, sizes, size } = checkSource(source, 'makeHvp');
  const vars = [...variables];
  return {
    size,
    method: 'double-backprop',
    apply(v: Float64Array): Float64Array {
      checkVector(v, size, 'makeHvp');
      return withSecondOrderGradients(() => tidyValue(() => {
        const vs = split(v, vars, sizes);
        const { grads } = tf.variableGrads(() => {
          const { grads: g } = tf.variableGrads(source.lossFn, vars);
          let inner: tf.Scalar | undefined;
          vars.forEach((variable, i) => {
            const gi = g[variable.name];
            if (!gi) return; // loss does not depend on this variable: its rows of H are zero
            const term = tf.sum(tf.mul(gi, vs[i]!)) as tf.Scalar;
            inner = inner ? (tf.add(inner, term) as tf.Scalar) : term;
          });
          if (!inner) throw new Error('makeHvp: the loss does not depend on any of the variables');
          return inner;
        }, vars);
        return readGradients(grads, vars, size);
      }));
    },
  };
}

/**
 * Central difference H·v ≈ ‖v‖·(∇L(θ + h v̂) − ∇L(θ − h v̂))/(2h), v̂ = v/‖v‖, h = epsilon. The variables are
 * restored bit for bit from clones after every product, also when the loss throws.
 */
export function makeFiniteDifferenceHvp(source: HvpSource, options: FiniteDifferenceOptions = {}): HvpOperator {
  const { variables, size } = checkSource(source, 'makeFiniteDifferenceHvp');
  const h = options.epsilon ?? 1e-3;
  if (!(h > 0) || !Number.isFinite(h)) {
    throw new RangeError(`makeFiniteDifferenceHvp: epsilon must be a finite number > 0, got ${String(options.epsilon)}`);
  }
  const vars = [...variables];
  const gradient = (): Float64Array =>
    tidyValue(() => readGradients(tf.variableGrads(source.lossFn, vars).grads, vars, size));
  return {
    size,
    method: 'finite-difference',
    apply(v: Float64Array): Float64Array {
      checkVector(v, size, 'makeFiniteDifferenceHvp');
      const vNorm = norm(v);
      if (vNorm === 0) return new Float64Array(size);
      const originals = vars.map((x) => tf.clone(x));
      const base = readFlat(vars);
      // θ ± c·v computed in float64, rounded once to float32
      const assignShifted = (c: number) => writeFlat(vars, base.map((b, j) => b + c * v[j]!));
      try {
        assignShifted(h / vNorm);
        const plus = gradient();
        assignShifted(-h / vNorm);
        const minus = gradient();
        const scale = vNorm / (2 * h);
        return plus.map((p, i) => (p - minus[i]!) * scale);
      } finally {
        vars.forEach((x, i) => x.assign(originals[i]!));
        originals.forEach((t) => t.dispose());
      }
    },
  };
}

/**
 * Double backprop if one probe product succeeds, else finite differences with the probe's error as
 * `fallbackReason`. Probe vector: deterministic (sin(i+1)), so the choice does not consume anyone's randomness.
 */
export function makeHvpOperator(source: HvpSource, options: FiniteDifferenceOptions = {}): HvpOperatorChoice {
  const exact = makeHvp(source);
  const probe = Float64Array.from({ length: exact.size }, (_, i) => Math.sin(i + 1));
  try {
    exact.apply(probe);
    return exact;
  } catch (err) {
    discardStaleTape();
    const reason = err instanceof Error ? err.message : String(err);
    const fd = makeFiniteDifferenceHvp(source, options);
    return { size: fd.size, method: fd.method, apply: (v) => fd.apply(v), fallbackReason: reason };
  }
}

interface CheckedSource {
  readonly variables: readonly tf.Variable[];
  readonly sizes: number[];
  readonly size: number;
}

function checkSource(source: HvpSource, where: string): CheckedSource {
  if (!source || typeof source.lossFn !== 'function') {
    throw new TypeError(`${where}: lossFn must be a function returning a tf.Scalar`);
  }
  const { variables } = source;
  if (!Array.isArray(variables) || variables.length === 0) {
    throw new RangeError(`${where}: variables must be a non-empty array of tf.Variable`);
  }
  const names = new Set<string>();
  const sizes = variables.map((x, i) => {
    if (!(x instanceof tf.Variable)) throw new TypeError(`${where}: variables[${i}] is not a tf.Variable`);
    if (x.isDisposed) throw new RangeError(`${where}: variables[${i}] ('${x.name}') is disposed`);
    if (!x.trainable) {
      throw new RangeError(`${where}: variables[${i}] ('${x.name}') is not trainable; tfjs gives it no gradient`);
    }
    if (x.dtype !== 'float32') {
      throw new RangeError(`${where}: variables[${i}] ('${x.name}') has dtype ${x.dtype}; only float32 is supported`);
    }
    if (names.has(x.name)) throw new RangeError(`${where}: variables[${i}] ('${x.name}') is listed twice`);
    names.add(x.name);
    return x.size;
  });
  return { variables, sizes, size: sizes.reduce((s, x) => s + x, 0) };
}

function checkVector(v: Float64Array, size: number, where: string): void {
  if (!(v instanceof Float64Array) || v.length !== size) {
    throw new RangeError(
      `${where}: apply expects a Float64Array of length ${size} (total parameters), got length ${String(v?.length)}`,
    );
  }
}

function split(v: Float64Array, vars: readonly tf.Variable[], sizes: readonly number[]): tf.Tensor[] {
  let offset = 0;
  return vars.map((x, i) => {
    // the typed-array constructor converts natively; Float32Array.from would walk the iterator
    const part = new Float32Array(v.subarray(offset, offset + sizes[i]!));
    offset += sizes[i]!;
    return tf.tensor(part, x.shape, 'float32');
  });
}

/** tf.tidy for a plain (non-tensor) result: tidy's typing admits tensor containers only. */
function tidyValue<T>(fn: () => T): T {
  let result: { value: T } | undefined;
  tf.tidy(() => {
    result = { value: fn() };
  });
  return result!.value;
}

/** The gradients as one float64 vector in variable order (zeros where the loss does not depend on a variable). */
function readGradients(grads: tf.NamedTensorMap, vars: readonly tf.Variable[], size: number): Float64Array {
  // per-variable reads straight into the float64 result: no concat kernel and no intermediate float32 copy
  const out = new Float64Array(size);
  let offset = 0;
  for (const x of vars) {
    const g = grads[x.name];
    if (g) out.set(g.dataSync() as Float32Array, offset);
    offset += x.size;
  }
  return out;
}

interface EngineTapeState {
  state?: { gradientDepth?: number; activeTape?: Array<{ saved?: tf.Tensor[] }> | null };
}

/**
 * A double backprop that throws inside the backward pass leaves the engine's tape (with its kept, saved tensors)
 * behind: tfjs frees it only at the end of a successful outermost `gradients()` (docs/tfjs-second-order.md §2.1, ~100
 * tensors per failure). Free it here. Touches engine internals, guarded so a changed layout is a no-op.
 */
function discardStaleTape(): void {
  const engine = tf.engine() as unknown as EngineTapeState;
  const state = engine.state;
  if (!state || state.gradientDepth !== 0 || !Array.isArray(state.activeTape)) return;
  for (const node of state.activeTape) {
    for (const t of node.saved ?? []) if (!t.isDisposed) t.dispose();
  }
  state.activeTape = null;
}
