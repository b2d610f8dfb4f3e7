/**
 * Per-example gradients: the dense one-pass path against the per-row loop (itself checked against one-row probes,
 * core's own gradient code), on a single softmax layer, a deep chain with dropout, an activation layer, a frozen
 * layer, a bias-free layer and an L2 penalty, a functional chain under MSE, a Flatten in front, and models the dense
 * path must leave to the loop (a Dense on rank-3 rows, a trainable BatchNormalization, two inputs). Both backends;
 * tensor counts must not move.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createProbeContext, type ProbeContext, type ProbeLoss } from '@kramers/core';
import { perExampleGradients, type PerExampleGradients } from './per-example-gradients.js';

const ROWS = 37;

interface Case {
  readonly name: string;
  readonly build: () => tf.LayersModel;
  readonly loss: ProbeLoss;
  /** Input shapes without the row axis (one per model input), and the output width. */
  readonly inputs: readonly (readonly number[])[];
  readonly outputs: number;
  /** What `auto` must choose. */
  readonly method: 'dense' | 'loop';
}

const glorot = (seed: number) => tf.initializers.glorotUniform({ seed });
const biasInit = (seed: number) => tf.initializers.randomNormal({ stddev: 0.3, seed });

const CASES: readonly Case[] = [
  {
    name: 'one softmax layer (CE)',
    build: () => tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [5], activation: 'softmax', kernelInitializer: glorot(1) })] }),
    loss: 'categoricalCrossentropy',
    inputs: [[5]],
    outputs: 3,
    method: 'dense',
  },
  {
    name: 'deep chain: tanh, dropout, relu without bias + L2, activation layer, frozen layer, softmax (CE)',
    build: () => {
      const frozen = tf.layers.dense({ units: 6, activation: 'elu', kernelInitializer: glorot(4), biasInitializer: biasInit(5) });
      frozen.trainable = false;
      return tf.sequential({
        layers: [
          tf.layers.dense({ units: 8, inputShape: [4], activation: 'tanh', kernelInitializer: glorot(2), biasInitializer: biasInit(3) }),
          tf.layers.dropout({ rate: 0.5 }),
          tf.layers.dense({ units: 7, activation: 'relu', useBias: false, kernelInitializer: glorot(6), kernelRegularizer: tf.regularizers.l2({ l2: 0.01 }) }),
          tf.layers.activation({ activation: 'sigmoid' }),
          frozen,
          tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: glorot(7), biasInitializer: biasInit(8) }),
        ],
      });
    },
    loss: 'categoricalCrossentropy',
    inputs: [[4]],
    outputs: 3,
    method: 'dense',
  },
  {
    name: 'functional chain, relu then linear (MSE)',
    build: () => {
      const input = tf.input({ shape: [6] });
      const h = tf.layers.dense({ units: 9, activation: 'relu', kernelInitializer: glorot(9), biasInitializer: biasInit(10) }).apply(input);
      const out = tf.layers.dense({ units: 2, kernelInitializer: glorot(11) }).apply(h) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: out });
    },
    loss: 'meanSquaredError',
    inputs: [[6]],
    outputs: 2,
    method: 'dense',
  },
  {
    name: 'Flatten of [2, 3] rows, then relu and softmax (CE)',
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.flatten({ inputShape: [2, 3] }),
          tf.layers.dense({ units: 5, activation: 'relu', kernelInitializer: glorot(17), biasInitializer: biasInit(18) }),
          tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: glorot(19) }),
        ],
      }),
    loss: 'categoricalCrossentropy',
    inputs: [[2, 3]],
    outputs: 3,
    method: 'dense',
  },
  {
    name: 'Dense on rank-3 rows (applied along the last axis; MSE)',
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.dense({ units: 4, inputShape: [2, 3], activation: 'tanh', kernelInitializer: glorot(20) }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 2, kernelInitializer: glorot(21) }),
        ],
      }),
    loss: 'meanSquaredError',
    inputs: [[2, 3]],
    outputs: 2,
    method: 'loop',
  },
  {
    name: 'a trainable BatchNormalization between Dense layers (CE)',
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.dense({ units: 5, inputShape: [4], activation: 'tanh', kernelInitializer: glorot(12) }),
          tf.layers.batchNormalization({ gammaInitializer: biasInit(13), betaInitializer: biasInit(14) }),
          tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: glorot(15) }),
        ],
      }),
    loss: 'categoricalCrossentropy',
    inputs: [[4]],
    outputs: 3,
    method: 'loop',
  },
  {
    name: 'two inputs concatenated (MSE)',
    build: () => {
      const a = tf.input({ shape: [3] });
      const b = tf.input({ shape: [2] });
      const joined = tf.layers.concatenate().apply([a, b]);
      const out = tf.layers.dense({ units: 2, activation: 'tanh', kernelInitializer: glorot(16) }).apply(joined) as tf.SymbolicTensor;
      return tf.model({ inputs: [a, b], outputs: out });
    },
    loss: 'meanSquaredError',
    inputs: [[3], [2]],
    outputs: 2,
    method: 'loop',
  },
];

interface Built {
  readonly model: tf.LayersModel;
  readonly xs: tf.Tensor[];
  readonly y: tf.Tensor;
  readonly probe: ProbeContext;
}

function build(c: Case): Built {
  const model = c.build();
  const xs = c.inputs.map((shape, i) => tf.randomNormal([ROWS, ...shape], 0, 1, 'float32', 100 + i));
  const y =
    c.loss === 'categoricalCrossentropy'
      ? tf.oneHot(tf.tensor1d(Array.from({ length: ROWS }, (_, j) => (j * 7) % c.outputs), 'int32'), c.outputs).toFloat()
      : tf.randomNormal([ROWS, c.outputs], 0, 1, 'float32', 200);
  const probe = createProbeContext({ model, x: xs.length === 1 ? xs[0]! : xs, y, loss: c.loss });
  return { model, xs, y, probe };
}

/** ‖a − b‖ / ‖b‖ over whole matrices, and the largest such ratio over rows. */
function errors(a: PerExampleGradients, b: PerExampleGradients): { matrix: number; worstRow: number } {
  const n = b.size;
  let num = 0;
  let den = 0;
  let worstRow = 0;
  for (let j = 0; j < b.rows; j++) {
    let rn = 0;
    let rd = 0;
    for (let i = 0; i < n; i++) {
      rn += (a.values[j * n + i]! - b.values[j * n + i]!) ** 2;
      rd += b.values[j * n + i]! ** 2;
    }
    num += rn;
    den += rd;
    worstRow = Math.max(worstRow, Math.sqrt(rn / rd));
  }
  return { matrix: Math.sqrt(num / den), worstRow };
}

/** Row j's gradient from a probe of that row alone: core's lossAndGradient (data loss on one row plus the penalty). */
function oneRowGradient(b: Built, c: Case, j: number): Float32Array {
  const xs = b.xs.map((x) => tf.slice(x, j, 1));
  const y = tf.slice(b.y, j, 1);
  try {
    return createProbeContext({ model: b.model, x: xs.length === 1 ? xs[0]! : xs, y, loss: c.loss }).lossAndGradient().gradient;
  } finally {
    tf.dispose([...xs, y]);
  }
}

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`per-example gradients on ${backend}`, () => {
    beforeAll(async () => {
      await tf.setBackend(backend);
      await tf.ready();
    });

    for (const c of CASES) {
      describe(c.name, () => {
        let b: Built;
        beforeAll(() => {
          b = build(c);
        });
        afterAll(() => {
          b.model.dispose();
          tf.dispose([...b.xs, b.y]);
        });

        it(`auto takes the ${c.method} path; rows are one-row probes' gradients and average to the full gradient`, () => {
          const before = tf.memory().numTensors;
          const pe = perExampleGradients(b.probe);
          expect(tf.memory().numTensors).toBe(before);
          expect(pe.method).toBe(c.method);
          expect(pe.loopReason === undefined).toBe(c.method === 'dense');
          expect([pe.rows, pe.size, pe.values.length]).toEqual([ROWS, b.probe.size, ROWS * b.probe.size]);
          for (const j of [0, 17, ROWS - 1]) {
            const row = { rows: 1, size: pe.size, values: pe.values.slice(j * pe.size, (j + 1) * pe.size), method: pe.method };
            expect(errors(row, { ...row, values: oneRowGradient(b, c, j) }).matrix).toBeLessThan(1e-5);
          }
          const full = b.probe.lossAndGradient().gradient;
          const mean = new Float32Array(pe.size);
          for (let j = 0; j < ROWS; j++) for (let i = 0; i < pe.size; i++) mean[i]! += pe.values[j * pe.size + i]! / ROWS;
          const meanErr = errors({ ...pe, rows: 1, values: mean }, { ...pe, rows: 1, values: full }).matrix;
          console.log(`[${backend}] ${c.name}: ${pe.method}${pe.loopReason ? ` (${pe.loopReason})` : ''}; mean vs full gradient ${meanErr.toExponential(2)}`);
          expect(meanErr).toBeLessThan(1e-5);
        });

        if (c.method === 'dense') {
          it('the dense path equals the loop (≤ 1e-5 relative, whole matrix and worst row)', () => {
            const dense = perExampleGradients(b.probe, { method: 'dense' });
            const loop = perExampleGradients(b.probe, { method: 'loop' });
            const e = errors(dense, loop);
            console.log(`[${backend}] ${c.name}: dense vs loop ${e.matrix.toExponential(2)}, worst row ${e.worstRow.toExponential(2)}`);
            expect(e.worstRow).toBeLessThan(1e-5);
          });
        } else {
          it("method 'dense' refuses the model, naming what it does not handle", () => {
            expect(() => perExampleGradients(b.probe, { method: 'dense' })).toThrow(/method 'dense' cannot run this model: .+/);
          });
        }
      });
    }

    describe('rows, chunks and buffers', () => {
      const c = CASES[1]!;
      let b: Built;
      beforeAll(() => {
        b = build(c);
      });
      afterAll(() => {
        b.model.dispose();
        tf.dispose([...b.xs, b.y]);
      });

      it('a subset of rows (any order, repeats) gives those rows; chunks of 5 rows give the same matrix', () => {
        const all = perExampleGradients(b.probe);
        const n = all.size;
        const rows = [30, 2, 30, 11];
        const some = perExampleGradients(b.probe, { rows });
        const expected = { ...some, values: Float32Array.from(rows.flatMap((r) => Array.from(all.values.subarray(r * n, (r + 1) * n)))) };
        expect(errors(some, expected).worstRow).toBeLessThan(1e-6);
        const chunked = perExampleGradients(b.probe, { chunkRows: 5 });
        expect(errors(chunked, all).worstRow).toBeLessThan(1e-6);
        const loopSome = perExampleGradients(b.probe, { rows, method: 'loop', chunkRows: 3 });
        expect(errors(loopSome, expected).worstRow).toBeLessThan(1e-5);
      });

      it('writes into a given buffer, overwriting what it held', () => {
        const fresh = perExampleGradients(b.probe);
        const into = new Float32Array(fresh.values.length).fill(7);
        const again = perExampleGradients(b.probe, { into });
        expect(again.values).toBe(into);
        expect(Array.from(into)).toEqual(Array.from(fresh.values));
        expect(() => perExampleGradients(b.probe, { into: new Float32Array(3) })).toThrow(/into has 3 floats/);
      });

      it('refuses bad rows, chunk sizes, a result over maxBytes and a bare lossFn probe', () => {
        expect(() => perExampleGradients(b.probe, { rows: [ROWS] })).toThrow(/rows\[0\] = 37 is not a row/);
        expect(() => perExampleGradients(b.probe, { chunkRows: 0 })).toThrow(/chunkRows/);
        expect(() => perExampleGradients(b.probe, { maxBytes: 1000 })).toThrow(/MiB.*sampled minibatches/);
        const w = tf.variable(tf.zeros([2]));
        const bare = createProbeContext({ lossFn: () => tf.sum(tf.square(w)), variables: [w], rows: 1 });
        expect(() => perExampleGradients(bare)).toThrow(/bare lossFn/);
        w.dispose();
      });
    });
  });
}
