/**
 * Why the registry exists: on the stock tfjs 4.22 registry double backprop through tanh and softmax throws or is
 * silently wrong; with the registry installed it matches finite differences. And what it cannot fix: the
 * customGrad ops tf.logSoftmax / tf.losses.softmaxCrossEntropy (and the layers activation 'logSoftmax') stay
 * wrong after install; this module's logSoftmax / softmaxCrossEntropy replace them.
 */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import {
  createRng,
  describeOnBackends,
  flatValues,
  gradientOf,
  finiteDifferenceHvp,
  installSecondOrderGradients,
  normal,
  oneHotLabels,
  relativeError,
  tryHvp,
  under,
  unitDirection,
  variable,
  TOL_HVP,
  type ScalarLoss,
} from '../../test/support/second-order.js';
import { logSoftmax, softmaxCrossEntropy } from './log-softmax.js';

interface Problem {
  vars: tf.Variable[];
  v: tf.Tensor[];
  x: tf.Tensor;
  y: tf.Tensor;
  dispose(): void;
}

/** Plain-op two-layer net θ = (W1, b1, W2, b2), 4 → 6 → 3, batch 8, seeded. */
function problem(seed: number): Problem {
  const rng = createRng(seed);
  const x = normal(rng, [8, 4]);
  const y = oneHotLabels(rng, 8, 3);
  const vars = [normal(rng, [4, 6], 0.6), normal(rng, [6], 0.3), normal(rng, [6, 3], 0.6), normal(rng, [3], 0.3)].map(variable);
  const v = unitDirection(rng, vars);
  return { vars, v, x, y, dispose: () => tf.dispose([x, y, ...vars, ...v]) };
}

function logits(p: Problem, hidden: (z: tf.Tensor) => tf.Tensor): tf.Tensor {
  const [w1, b1, w2, b2] = p.vars as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
  return tf.add(tf.matMul(hidden(tf.add(tf.matMul(p.x, w1), b1)), w2), b2);
}

type Outcome = { relErr: number } | { threw: string };

function hvpOutcome(f: ScalarLoss, p: Problem, fd: Float64Array): Outcome {
  const hv = tryHvp(f, p.vars, p.v);
  return hv instanceof Error ? { threw: hv.message } : { relErr: relativeError(hv, fd) };
}

const show = (o: Outcome): string => ('relErr' in o ? `relErr ${o.relErr.toExponential(2)}` : `threw "${o.threw.slice(0, 70)}…"`);
const wrongOrThrew = (o: Outcome): boolean => !('relErr' in o) || o.relErr > 1e-2;
const correct = (o: Outcome): boolean => 'relErr' in o && o.relErr <= TOL_HVP;

interface Subject {
  name: string;
  loss: (p: Problem) => ScalarLoss;
}

const mse = (p: Problem, out: tf.Tensor): tf.Scalar => tf.mean(tf.square(tf.sub(out, p.y)));

const fixable: Subject[] = [
  // Only path from θ through tanh: stock double backprop throws "no connection".
  { name: 'tanh only (sum of tanh(x·W1 + b1))', loss: (p) => () => tf.sum(tf.tanh(tf.add(tf.matMul(p.x, p.vars[0]!), p.vars[1]!))) },
  // Other paths exist: stock is silently wrong.
  { name: 'tanh hidden, MSE', loss: (p) => () => mse(p, logits(p, tf.tanh)) },
  { name: 'softmax output, MSE', loss: (p) => () => mse(p, tf.softmax(logits(p, tf.tanh))) },
  {
    name: 'softmax output, layers categoricalCrossentropy',
    loss: (p) => () => tf.mean(tf.metrics.categoricalCrossentropy(p.y, tf.softmax(logits(p, tf.tanh)))) as tf.Scalar,
  },
];

const customGradOps: Subject[] = [
  { name: 'tf.losses.softmaxCrossEntropy', loss: (p) => () => tf.losses.softmaxCrossEntropy(p.y, logits(p, tf.tanh)) as tf.Scalar },
  {
    name: 'tf.logSoftmax',
    loss: (p) => () => tf.neg(tf.mean(tf.sum(tf.mul(p.y, tf.logSoftmax(logits(p, tf.tanh))), -1))) as tf.Scalar,
  },
];

describeOnBackends(
  (backend) => `stock vs installed registry on ${backend}`,
  (_backend, report) => {
    for (const s of fixable) {
      it(`${s.name}: stock HVP throws or is wrong, installed HVP is right`, () => {
        const p = problem(11);
        try {
          const f = s.loss(p);
          const { fd, fixed } = under(installSecondOrderGradients, () => {
            const reference = finiteDifferenceHvp(f, p.vars, p.v);
            return { fd: reference, fixed: hvpOutcome(f, p, reference) };
          });
          const stock = hvpOutcome(f, p, fd);
          report.push(`${s.name}: stock ${show(stock)}; installed ${show(fixed)}`);
          expect(wrongOrThrew(stock), show(stock)).toBe(true);
          expect(correct(fixed), show(fixed)).toBe(true);
        } finally {
          p.dispose();
        }
      });
    }

    for (const s of customGradOps) {
      it(`${s.name} stays wrong after install; the replacement is right and agrees to first order`, () => {
        const p = problem(12);
        const uninstall = installSecondOrderGradients();
        try {
          const stockLoss = s.loss(p);
          const replacement: ScalarLoss = () => softmaxCrossEntropy(p.y, logits(p, tf.tanh));
          const fd = finiteDifferenceHvp(replacement, p.vars, p.v);
          const stock = hvpOutcome(stockLoss, p, fd);
          const fixed = hvpOutcome(replacement, p, fd);
          const value = (f: ScalarLoss): number => tf.tidy(() => f().dataSync()[0]!);
          const valueErr = Math.abs(value(replacement) - value(stockLoss)) / Math.abs(value(stockLoss));
          const gStock = gradientOf(stockLoss, p.vars);
          const gFixed = gradientOf(replacement, p.vars);
          const gradErr = relativeError(flatValues(gFixed), flatValues(gStock));
          tf.dispose([...gStock, ...gFixed]);
          report.push(
            `${s.name} (installed): ${show(stock)}; replacement ${show(fixed)}; ` +
              `value diff ${valueErr.toExponential(2)}, gradient diff ${gradErr.toExponential(2)}`,
          );
          expect(wrongOrThrew(stock), show(stock)).toBe(true);
          expect(correct(fixed), show(fixed)).toBe(true);
          // a different formula for the same function: float32 rounding only (measured ≤ 1.5e-7)
          expect(valueErr).toBeLessThan(1e-7);
          expect(gradErr).toBeLessThan(3e-7);
        } finally {
          uninstall();
          p.dispose();
        }
      });
    }

    it("layers activation 'logSoftmax' stays wrong after install; logSoftmax replacement is right", () => {
      const model = tf.sequential({
        layers: [
          tf.layers.dense({ inputShape: [4], units: 6, activation: 'tanh' }),
          // Registered at runtime by tfjs-layers but missing from its ActivationIdentifier type.
          tf.layers.dense({ units: 3, activation: 'logSoftmax' as 'softmax' }),
        ],
      });
      const p = problem(13);
      const uninstall = installSecondOrderGradients();
      try {
        model.setWeights(p.vars);
        const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
        const q: Problem = { ...p, vars };
        const layersLoss: ScalarLoss = () =>
          tf.neg(tf.mean(tf.sum(tf.mul(p.y, model.apply(p.x, { training: false }) as tf.Tensor), -1))) as tf.Scalar;
        // Same network, with the final layer's logits fed to the replacement logSoftmax.
        const replacement: ScalarLoss = () => {
          const [w1, b1, w2, b2] = vars as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
          const z = tf.add(tf.matMul(tf.tanh(tf.add(tf.matMul(p.x, w1), b1)), w2), b2);
          return tf.neg(tf.mean(tf.sum(tf.mul(p.y, logSoftmax(z)), -1))) as tf.Scalar;
        };
        const fd = finiteDifferenceHvp(replacement, vars, p.v);
        const stock = hvpOutcome(layersLoss, q, fd);
        const fixed = hvpOutcome(replacement, q, fd);
        report.push(`layers activation 'logSoftmax' (installed): ${show(stock)}; replacement logSoftmax ${show(fixed)}`);
        expect(wrongOrThrew(stock), show(stock)).toBe(true);
        expect(correct(fixed), show(fixed)).toBe(true);
      } finally {
        uninstall();
        model.dispose();
        p.dispose();
      }
    });
  },
);
