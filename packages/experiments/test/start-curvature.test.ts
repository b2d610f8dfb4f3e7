// The Hessian spectrum `kramers reproduce banknote` states for its start, against an independent float64 Hessian
// (test/support/float64-mlp: backprop and Pearlmutter HVPs in plain JS doubles, Jacobi eigensolver).
import { beforeAll, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createRng } from '@kramers/core';
import { mlpLayout } from '@kramers/replicas';
import { modelData, startCurvature } from '@kramers/experiments';
import { banknoteTanhMlp, jacobiEigen } from '../../../test/support/float64-mlp.js';

beforeAll(async () => {
  await tf.setBackend('wasm');
});

test('startCurvature: every eigenvalue of the weight-decayed banknote loss matches float64', () => {
  const data = modelData({ dataset: 'banknote' });
  const spec = { layers: [4, 10, 2], activation: 'tanh' as const };
  const layout = mlpLayout(spec);
  const rng = createRng(3);
  const theta = Float32Array.from({ length: layout.parameters }, () => 0.6 * rng.normal());
  const lambda = 0.01;
  const before = tf.memory().numTensors;
  const got = startCurvature(spec, data, theta, lambda);
  expect(tf.memory().numTensors).toBe(before);

  // Kernels: λ·ΣW² (Keras-style l2 in the reference).
  const reference = banknoteTanhMlp(data, lambda);
  const P = layout.parameters;
  const h = reference.hessian(theta);
  // kramers' loss also decays the biases (tfjs's l2 on kernels and biases): + 2λ on their diagonal.
  for (const l of layout.layers) for (let i = 0; i < l.outputs; i++) h[(l.biasOffset + i) * P + l.biasOffset + i]! += 2 * lambda;
  const values = jacobiEigen(h, P).values;
  const sorted = [...values].sort((a, b) => a - b);
  const scale = Math.max(...sorted.map(Math.abs));
  expect(got.parameters).toBe(P);
  expect(Math.abs(got.maxEigenvalue - sorted[P - 1]!) / scale).toBeLessThan(1e-5);
  expect(Math.abs(got.minEigenvalue - sorted[0]!) / scale).toBeLessThan(1e-5);
});
