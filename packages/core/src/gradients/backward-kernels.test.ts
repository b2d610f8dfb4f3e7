/**
 * Group 3 gradients (MaxPoolGrad, AvgPoolGrad, Conv2DBackpropFilter) and the BatchMatMul rewrite on plain ops with
 * non-default geometry ('same' padding, overlapping windows, batched and broadcast matMul), HVP vs Richardson
 * finite differences (see second-order-matrix.test.ts for the choice of steps).
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset, standardize, toTensors } from '@kramers/datasets';
import {
  createRng,
  describeOnBackends,
  flatValues,
  gradientOf,
  hvpByDoubleBackprop,
  finiteDifferenceHvp,
  hvpErrorVsFiniteDifferences,
  installSecondOrderGradients,
  MATMUL_FIRST_ORDER_BOUND,
  maxDifferenceRelative,
  flatGradient,
  normal,
  relativeError,
  under,
  unitDirection,
  variable,
  FD,
  TOL_HVP,
  type ScalarLoss,
  type Uninstall,
} from '../../test/support/second-order.js';

interface PoolCase {
  name: string;
  pool: 'max' | 'avg';
  size: number;
  stride: number;
  pad: 'valid' | 'same';
}

const poolCases: PoolCase[] = [
  { name: 'maxPool 2×2/2 valid', pool: 'max', size: 2, stride: 2, pad: 'valid' },
  { name: 'maxPool 3×3/2 same (overlapping)', pool: 'max', size: 3, stride: 2, pad: 'same' },
  { name: 'avgPool 2×2/2 valid', pool: 'avg', size: 2, stride: 2, pad: 'valid' },
  // Not 'same': tfjs 4.22's first-order avgPool gradient is already wrong where windows overlap the padding (the
  // forward divides by the in-bounds count, AvgPoolGrad by the full window), so there is no consistent Hessian.
  { name: 'avgPool 3×3/2 valid (overlapping)', pool: 'avg', size: 3, stride: 2, pad: 'valid' },
];

// Conv2DBackpropFilter, whose gradient these need, has no wasm kernel in tfjs 4.22.
describeOnBackends(
  () => 'pooling and conv filter second order',
  (_backend, report) => {
    let uninstall: Uninstall;
    beforeAll(() => {
      uninstall = installSecondOrderGradients();
    });
    afterAll(() => uninstall());

    for (const c of poolCases) {
      it(`${c.name} after conv2d 3×3 'same' stride 1: HVP w.r.t. the filter matches finite differences`, () => {
        for (let attempt = 0; attempt < 20; attempt++) {
          const rng = createRng(99).fork(`${c.name}#${attempt}`);
          const x = normal(rng, [2, 7, 7, 2]);
          const w = normal(rng, [1, 1, 1, 3], 0.5);
          const filter = variable(normal(rng, [3, 3, 2, 3], 0.4));
          const vars = [filter];
          const v = unitDirection(rng, vars);
          const conv = (): tf.Tensor4D => tf.tanh(tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 1, 'same'));
          const pooled = (): tf.Tensor =>
            c.pool === 'max' ? tf.maxPool(conv(), c.size, c.stride, c.pad) : tf.avgPool(conv(), c.size, c.stride, c.pad);
          const f: ScalarLoss = () => tf.sum(tf.mul(w, tf.square(pooled())));
          const argmax = (): Int32Array =>
            tf.tidy(() => Int32Array.from(tf.maxPoolWithArgmax(conv(), c.size, c.stride, c.pad).indexes!.dataSync()));
          const shiftedArgmax = (h: number): Int32Array =>
            tf.tidy(() => {
              const keep = filter.clone();
              filter.assign(tf.add(keep, tf.mul(v[0]!, h)));
              const a = argmax();
              filter.assign(keep);
              return a;
            });
          try {
            if (c.pool === 'max') {
              const a0 = argmax();
              const stable = [FD.step, -FD.step].every((h) => shiftedArgmax(h).every((z, i) => z === a0[i]));
              if (!stable) continue; // an argmax switches inside the FD segment: f is not smooth there
            }
            const fd = finiteDifferenceHvp(f, vars, v);
            const hv = hvpByDoubleBackprop(f, vars, v);
            const exact = flatValues(hv);
            tf.dispose(hv);
            const err = relativeError(exact, fd);
            let line = `${c.name}: HVP relErr vs FD ${err.toExponential(2)} (draw ${attempt})`;
            if (c.pool === 'max') {
              // Second, exact reference: with the argmaxes frozen, maxPool is a gather, whose derivatives involve
              // neither MaxPool nor MaxPoolGrad.
              const idx = tf.tidy(() => tf.reshape(tf.maxPoolWithArgmax(conv(), c.size, c.stride, c.pad).indexes!, [2, -1]));
              const shape = tf.tidy(() => pooled().shape);
              const gathered: ScalarLoss = () => {
                const y = conv();
                const picked = tf.gather(tf.reshape(y, [2, -1]), idx, 1, 1);
                return tf.sum(tf.mul(w, tf.square(tf.reshape(picked, shape))));
              };
              const hvGather = hvpByDoubleBackprop(gathered, vars, v);
              const errGather = relativeError(exact, flatValues(hvGather));
              tf.dispose([...hvGather, idx]);
              line += `, vs frozen-argmax gather ${errGather.toExponential(2)}`;
              expect(errGather).toBeLessThanOrEqual(1e-7); // measured 0: the same products in the same order
            }
            report.push(line);
            expect(err).toBeLessThanOrEqual(TOL_HVP);
            return;
          } finally {
            tf.dispose([x, w, filter, ...v]);
          }
        }
        throw new Error(`${c.name}: no argmax-stable draw in 20`);
      });
    }

    it("conv2d 3×3 stride 2 'same': HVP w.r.t. input and filter (Conv2DBackpropFilter/Input cross terms)", () => {
      const rng = createRng(5);
      const img = variable(normal(rng, [2, 6, 6, 2]));
      const filter = variable(normal(rng, [3, 3, 2, 4], 0.4));
      const vars = [img, filter];
      const v = unitDirection(rng, vars);
      const f: ScalarLoss = () => tf.sum(tf.sin(tf.conv2d(img as tf.Tensor4D, filter as tf.Tensor4D, 2, 'same')));
      try {
        const err = hvpErrorVsFiniteDifferences(f, vars, v);
        report.push(`conv2d stride 2 same, w.r.t. input and filter: HVP relErr ${err.toExponential(2)}`);
        expect(err).toBeLessThanOrEqual(TOL_HVP);
      } finally {
        tf.dispose([...vars, ...v]);
      }
    });
  },
  ['cpu'],
);

describeOnBackends(
  (backend) => `BatchMatMul gradient on ${backend}`,
  (backend, report) => {
    const flags: Array<[boolean, boolean]> = [[false, false], [false, true], [true, false], [true, true]];
    for (const [ta, tb] of flags) {
      it(`batched [2,3,·]×[2,·,·] transposeA=${ta} transposeB=${tb}: stock gradient up to rounding, HVP matches FD`, () => {
        const rng = createRng(21).fork(`${ta}${tb}`);
        const a = variable(normal(rng, ta ? [2, 4, 3] : [2, 3, 4]));
        const b = variable(normal(rng, tb ? [2, 5, 4] : [2, 4, 5]));
        const vars = [a, b];
        const v = unitDirection(rng, vars);
        const f: ScalarLoss = () => tf.sum(tf.tanh(tf.matMul(a, b, ta, tb)));
        try {
          const stock = flatGradient(f, vars);
          const { rewritten, err } = under(installSecondOrderGradients, () => ({
            rewritten: flatGradient(f, vars),
            err: hvpErrorVsFiniteDifferences(f, vars, v),
          }));
          const diff = maxDifferenceRelative(rewritten, stock);
          report.push(`matMul tA=${ta} tB=${tb}: gradient max |Δ|/max |g| vs stock ${diff.toExponential(2)}, HVP relErr ${err.toExponential(2)}`);
          expect(diff).toBeLessThanOrEqual(MATMUL_FIRST_ORDER_BOUND[backend]);
          expect(err).toBeLessThanOrEqual(TOL_HVP);
        } finally {
          tf.dispose([...vars, ...v]);
        }
      });
    }

    it('broadcast batch dims [2,3,4]×[4,5]: stock gradient throws on the shape, the rewrite reduces it', () => {
      const rng = createRng(22);
      const a = variable(normal(rng, [2, 3, 4]));
      const b = variable(normal(rng, [4, 5]));
      const vars = [a, b];
      const v = unitDirection(rng, vars);
      const f: ScalarLoss = () => tf.sum(tf.tanh(tf.matMul(a, b)));
      try {
        expect(() => tf.dispose(gradientOf(f, vars))).toThrow(/does not match the shape of the input/);
        under(installSecondOrderGradients, () => {
          const g = gradientOf(f, vars);
          expect(g.map((t) => t.shape)).toEqual([[2, 3, 4], [4, 5]]);
          // Independent check: the same product with b tiled explicitly over the batch has the stock gradient.
          const gTiled = tf.tidy(() => {
            const bb = tf.variable(tf.stack([b, b]));
            const gr = gradientOf(() => tf.sum(tf.tanh(tf.matMul(a, bb))), [a, bb]);
            const out = [gr[0]!, tf.sum(gr[1]!, 0)];
            bb.dispose();
            return out;
          });
          const gradErr = relativeError(flatValues(g), flatValues(gTiled));
          tf.dispose([...g, ...gTiled]);
          const err = hvpErrorVsFiniteDifferences(f, vars, v);
          report.push(`broadcast matMul: gradient vs tiled ${gradErr.toExponential(2)}, HVP relErr ${err.toExponential(2)}`);
          expect(gradErr).toBeLessThanOrEqual(1e-6);
          expect(err).toBeLessThanOrEqual(TOL_HVP);
        });
      } finally {
        tf.dispose([...vars, ...v]);
      }
    });

    // The sizes where the rewrite shows: the tiny products above come out identical on wasm too.
    it.each([
      [10, 'sigmoid'],
      [64, 'tanh'],
    ] as const)('iris MLP 4-%i(%s)-3 on all 150 rows: first-order gradient within the rewrite’s bound of stock', (hidden, activation) => {
      const { x, y } = toTensors(standardize(loadDataset('iris')).dataset);
      const model = tf.sequential({
        layers: [
          tf.layers.dense({ units: hidden, inputShape: [4], activation, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
          tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
        ],
      });
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const f: ScalarLoss = () => tf.mean(tf.metrics.categoricalCrossentropy(y, model.apply(x) as tf.Tensor)) as tf.Scalar;
      try {
        const stock = flatGradient(f, vars);
        const rewritten = under(installSecondOrderGradients, () => flatGradient(f, vars));
        const diff = maxDifferenceRelative(rewritten, stock);
        const changed = stock.filter((g, i) => g !== rewritten[i]).length;
        const maxAbs = rewritten.reduce((m, g, i) => Math.max(m, Math.abs(g - stock[i]!)), 0);
        report.push(
          `iris 4-${hidden}(${activation})-3: max |Δg| ${maxAbs.toExponential(2)}, max |Δ|/max |g| ${diff.toExponential(2)}, ` +
            `${changed} of ${stock.length} entries changed`,
        );
        expect(diff).toBeLessThanOrEqual(MATMUL_FIRST_ORDER_BOUND[backend]);
      } finally {
        model.dispose();
        tf.dispose([x, y]);
      }
    });
  },
);
