import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, expect, it } from 'vitest';
import { installSecondOrderGradients } from './install.js';

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});

const kernelFn = () => tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc;

it('runs flagged wasm matMuls as explicit transposes: same products, no leaked buffers, undone on uninstall', () => {
  const stockKernel = kernelFn();
  const a = tf.randomNormal([2, 7, 5], 0, 1, 'float32', 1);
  const b = tf.randomNormal([2, 7, 3], 0, 1, 'float32', 2);
  const c = tf.randomNormal([7, 3], 0, 1, 'float32', 3);
  const d = tf.randomNormal([10, 7], 0, 1, 'float32', 4);
  // Reference products computed in float64 in JS from the same values.
  const A = a.arraySync() as number[][][];
  const B = b.arraySync() as number[][][];
  const aTb = A.map((Ai, k) => Ai[0]!.map((_, i) => B[k]![0]!.map((_, j) => Ai.reduce((s, row, r) => s + row[i]! * B[k]![r]![j]!, 0))));
  const uninstall = installSecondOrderGradients();
  expect(kernelFn()).not.toBe(stockKernel);
  const before = { tensors: tf.memory().numTensors, bytes: tf.memory().numBytes };
  const got = tf.tidy(() => tf.matMul(a, b, true, false).arraySync()) as number[][][];
  const flat = (t: number[][][]) => t.flat(2);
  const err = Math.max(...flat(got).map((v, i) => Math.abs(v - flat(aTb)[i]!)));
  expect(err).toBeLessThan(1e-5);
  // Both flags, against the stock kernel's own answer after uninstall.
  const both = tf.tidy(() => tf.matMul(c, d, true, true).arraySync()) as number[][];
  expect({ tensors: tf.memory().numTensors, bytes: tf.memory().numBytes }).toEqual(before);
  uninstall();
  expect(kernelFn()).toBe(stockKernel);
  const stockBoth = tf.tidy(() => tf.matMul(c, d, true, true).arraySync()) as number[][];
  expect(Math.max(...both.flat().map((v, i) => Math.abs(v - stockBoth.flat()[i]!)))).toBeLessThan(1e-5);
  tf.dispose([a, b, c, d]);
});
