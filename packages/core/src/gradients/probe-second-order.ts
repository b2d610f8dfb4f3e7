/**
 * Startup self-test: are Hessian-vector products by double backprop trustworthy in this process, on the current
 * backend? Each case is a tiny smooth function touching one failure group of docs/tfjs-second-order.md §2.2; its
 * double-backprop HVP is compared with a Richardson-extrapolated central difference of gradients.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, type Rng } from '../rng.js';
import { hvpByDoubleBackprop, hvpByFiniteDifference, flatValues, relativeError, type ScalarLoss } from './hvp-reference.js';
import { softmaxCrossEntropy } from './log-softmax.js';

export interface SecondOrderProbe {
  /** True when every case agreed with finite differences. */
  ok: boolean;
  /** One line per failed case: its name and the relative error or the error thrown. */
  failures: string[];
  /** Relative error ‖HVP − FD‖/‖FD‖ per case (NaN where the HVP threw). */
  relErrors: Record<string, number>;
}

/** Stock failures are O(0.1–1) or throws; a correct HVP agrees to ~1e-5 here, so 1e-3 separates them cleanly. */
const TOLERANCE = 1e-3;

interface ProbeCase {
  name: string;
  /** Variables with seeded values; constants the loss closes over are registered with `own` for disposal. */
  build(rng: Rng, own: <T extends tf.Tensor>(t: T) => T): { vars: tf.Variable[]; f: ScalarLoss };
}

/** A trainable variable holding `init`; the initial tensor itself is disposed (tf.variable copies it). */
function variableOf(init: tf.Tensor): tf.Variable {
  const v = tf.variable(init);
  init.dispose();
  return v;
}

function uniform(rng: Rng, shape: number[], lo: number, hi: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => lo + (hi - lo) * rng.next()), shape);
}

/** Values in ±[lo, hi] with random sign: kept away from the kinks at 0 of elu'' and selu''. */
function awayFromZero(rng: Rng, shape: number[], lo: number, hi: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => rng.sign() * (lo + (hi - lo) * rng.next())), shape);
}

/** f(θ) = Σ w ⊙ op(θ), θ ∈ ℝ^{2×3}. */
function elementwise(name: string, op: (x: tf.Tensor) => tf.Tensor, init = (rng: Rng) => uniform(rng, [2, 3], -1.5, 1.5)): ProbeCase {
  return {
    name,
    build(rng, own) {
      const theta = variableOf(init(rng));
      const w = own(uniform(rng, [2, 3], 0.5, 1.5));
      return { vars: [theta], f: () => tf.sum(tf.mul(w, op(theta))) };
    },
  };
}

const cases: readonly ProbeCase[] = [
  elementwise('tanh', (x) => tf.tanh(x)),
  elementwise('sigmoid', (x) => tf.sigmoid(x)),
  elementwise('exp', (x) => tf.exp(tf.mul(x, 0.5))),
  elementwise('softmax', (x) => tf.softmax(x)),
  elementwise('elu', (x) => tf.elu(x), (rng) => awayFromZero(rng, [2, 3], 0.3, 1.5)),
  elementwise('pow', (x) => tf.pow(tf.scalar(2), x)),
  elementwise('selu (Greater mask)', (x) => tf.selu(x), (rng) => awayFromZero(rng, [2, 3], 0.3, 1.5)),
  elementwise('logSumExp (Equal mask)', (x) => tf.logSumExp(x, -1, true)),
  elementwise('clipByValue (LogicalAnd mask)', (x) => tf.square(tf.sin(tf.clipByValue(x, -2, 2)))),
  {
    name: 'matMul (all transpose flags)',
    build(rng) {
      const a = variableOf(uniform(rng, [3, 3], -1, 1));
      const b = variableOf(uniform(rng, [3, 3], -1, 1));
      const flags: Array<[boolean, boolean]> = [[false, false], [false, true], [true, false], [true, true]];
      return {
        vars: [a, b],
        f: () => tf.addN(flags.map(([ta, tb]) => tf.sum(tf.square(tf.matMul(a, b, ta, tb))))) as tf.Scalar,
      };
    },
  },
  {
    name: 'mlp (tanh, relu, softmax cross-entropy)',
    build(rng, own) {
      const x = own(uniform(rng, [5, 3], -1, 1));
      const onehot = own(tf.tidy(() => tf.oneHot(tf.tensor1d([0, 2, 1, 2, 0], 'int32'), 3)));
      const w1 = variableOf(uniform(rng, [3, 4], -1, 1));
      const b1 = variableOf(uniform(rng, [4], -0.5, 0.5));
      const w2 = variableOf(uniform(rng, [4, 4], -0.3, 0.3));
      const w3 = variableOf(uniform(rng, [4, 3], -1, 1));
      return {
        vars: [w1, b1, w2, w3],
        f: () => {
          const h1 = tf.tanh(tf.add(tf.matMul(x, w1), b1));
          // |h1·w2| < 4·0.3 < 2, so the relu input stays positive across the finite-difference steps.
          const h2 = tf.relu(tf.add(tf.matMul(h1, w2), 2));
          return softmaxCrossEntropy(onehot, tf.matMul(h2, w3));
        },
      };
    },
  },
];

function runCase(c: ProbeCase, rng: Rng): number {
  const owned: tf.Tensor[] = [];
  const { vars, f } = c.build(rng, (t) => {
    owned.push(t);
    return t;
  });
  try {
    const v = tf.tidy(() => {
      const raw = vars.map((x) => uniform(rng, x.shape, -1, 1));
      const norm = Math.sqrt(raw.reduce((s, r) => s + (tf.sum(tf.square(r)).dataSync()[0] ?? 0), 0));
      return raw.map((r) => tf.div(r, norm));
    });
    try {
      const fd = hvpByFiniteDifference(f, vars, v, { step: 0.1, levels: 3 });
      const hv = hvpByDoubleBackprop(f, vars, v);
      const exact = flatValues(hv);
      tf.dispose(hv);
      return relativeError(exact, fd);
    } finally {
      tf.dispose(v);
    }
  } finally {
    tf.dispose([...vars, ...owned]);
  }
}

/**
 * Runs every case on the current backend (call after `tf.setBackend`/`tf.ready`, and after
 * installSecondOrderGradients() if that is what you mean to check). Takes about 0.1 s and leaves no tensors behind,
 * also when cases fail.
 */
export function probeSecondOrderSupport(): SecondOrderProbe {
  const rng = createRng(0x5ec0d);
  const failures: string[] = [];
  const relErrors: Record<string, number> = {};
  for (const c of cases) {
    try {
      const err = runCase(c, rng.fork(c.name));
      relErrors[c.name] = err;
      if (!(err <= TOLERANCE)) failures.push(`${c.name}: HVP relative error ${err.toExponential(2)} > ${TOLERANCE}`);
    } catch (e) {
      relErrors[c.name] = Number.NaN;
      failures.push(`${c.name}: double backprop threw: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { ok: failures.length === 0, failures, relErrors };
}
