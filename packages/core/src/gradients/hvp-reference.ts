/**
 * Reference Hessian-vector products for checking the gradient registry: the exact one by double backprop, and an
 * independent one by central finite differences of gradients with Richardson extrapolation.
 */
import * as tf from '@tensorflow/tfjs';

export type ScalarLoss = () => tf.Scalar;

function gradsInOrder(grads: tf.NamedTensorMap, vars: readonly tf.Variable[]): tf.Tensor[] {
  // variableGrads omits variables the loss does not reach; their gradient is zero.
  return vars.map((x) => grads[x.name] ?? tf.zerosLike(x));
}

/** ∇f at the variables' current values, in `vars` order. */
export function gradientOf(f: ScalarLoss, vars: readonly tf.Variable[]): tf.Tensor[] {
  return tf.tidy(() => gradsInOrder(tf.variableGrads(f, [...vars]).grads, vars));
}

/**
 * tfjs disposes the tensors its tape saved for backward only at the end of a successful outermost gradient
 * (engine.ts gradients()); a gradient that throws, as stock double backprop does, leaves them alive (~100 per
 * failed HVP). Once no gradient is in progress any more, free them the way the engine would have.
 */
function releaseAbandonedTape(): void {
  const state = tf.engine().state;
  if (state.gradientDepth !== 0 || state.activeTape == null) return;
  for (const node of state.activeTape) tf.dispose(node.saved ?? []);
  (state as { activeTape: unknown }).activeTape = null;
}

/** H·v = ∇(∇f · v) by double backprop (Pearlmutter 1994, "Fast exact multiplication by the Hessian"). */
export function hvpByDoubleBackprop(f: ScalarLoss, vars: readonly tf.Variable[], v: readonly tf.Tensor[]): tf.Tensor[] {
  try {
    return tf.tidy(() => {
      const { grads } = tf.variableGrads(() => {
        const g = gradsInOrder(tf.variableGrads(f, [...vars]).grads, vars);
        return tf.addN(g.map((gi, i) => tf.sum(tf.mul(gi, v[i]!)))) as tf.Scalar;
      }, [...vars]);
      return gradsInOrder(grads, vars);
    });
  } catch (e) {
    releaseAbandonedTape();
    throw e;
  }
}

/** Concatenation of the tensors' values in order, as float64. */
export function flatValues(ts: readonly tf.Tensor[]): Float64Array {
  const parts = ts.map((t) => t.dataSync());
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** ‖a − b‖₂ / ‖b‖₂ in float64. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`relativeError: lengths differ (${a.length} vs ${b.length})`);
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    num += d * d;
    den += b[i]! * b[i]!;
  }
  return Math.sqrt(num) / Math.sqrt(den);
}

export interface FiniteDifferenceOptions {
  /** Largest step h along v. */
  step: number;
  /** Number of halvings in the Richardson table (1 = plain central difference). */
  levels: number;
}

/**
 * H·v ≈ (∇f(θ + hv) − ∇f(θ − hv)) / 2h, extrapolated over h, h/2, … (Richardson): the central difference has an
 * error series in even powers of h, so level j of the table removes the h^(2j) term and the last entry is
 * O(h^(2·levels)). That lets h be large enough for float32 rounding (≈ u·|∇f|/h) to stay small. Differences and
 * the table are formed in float64 from the float32 gradients. Variables are restored bit-for-bit afterwards.
 */
export function hvpByFiniteDifference(
  f: ScalarLoss,
  vars: readonly tf.Variable[],
  v: readonly tf.Tensor[],
  options: FiniteDifferenceOptions,
): Float64Array {
  const { step, levels } = options;
  if (!(step > 0) || !Number.isInteger(levels) || levels < 1) {
    throw new Error(`hvpByFiniteDifference: need step > 0 and an integer levels ≥ 1, got step=${step}, levels=${levels}`);
  }
  const saved = vars.map((x) => tf.keep(x.clone()));
  const gradientAt = (h: number): Float64Array => {
    tf.tidy(() => vars.forEach((x, i) => x.assign(tf.add(saved[i]!, tf.mul(v[i]!, tf.scalar(h))))));
    const g = gradientOf(f, vars);
    const flat = flatValues(g);
    tf.dispose(g);
    return flat;
  };
  try {
    let row: Float64Array[] = [];
    for (let k = 0; k < levels; k++) {
      const h = step / 2 ** k;
      const plus = gradientAt(h);
      const minus = gradientAt(-h);
      row.push(plus.map((p, i) => (p - minus[i]!) / (2 * h)));
    }
    for (let j = 1; j < levels; j++) {
      const w = 4 ** j;
      row = row.slice(1).map((fine, k) => fine.map((x, i) => (w * x - row[k]![i]!) / (w - 1)));
    }
    return row[0]!;
  } finally {
    vars.forEach((x, i) => x.assign(saved[i]!));
    tf.dispose(saved);
  }
}
