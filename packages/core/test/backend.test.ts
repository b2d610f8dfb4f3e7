import * as tf from '@tensorflow/tfjs';
import { expect, test } from 'vitest';
import { useBackend } from '@kramers/core';

test('auto picks wasm, cpu on request, and a bad name is refused with the allowed values', async () => {
  expect(await useBackend()).toBe('wasm');
  expect(tf.getBackend()).toBe('wasm');
  expect(await useBackend('cpu')).toBe('cpu');
  expect(tf.getBackend()).toBe('cpu');
  // Both compute the same thing.
  const onCpu = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]])).dataSync());
  expect(await useBackend('wasm')).toBe('wasm');
  const onWasm = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]])).dataSync());
  expect(Array.from(onWasm)).toEqual(Array.from(onCpu));
  expect(Array.from(onCpu)).toEqual([17, 39]);
  await expect(useBackend('webgl' as never)).rejects.toThrow('backend: got "webgl"; allowed values: auto, wasm, cpu');
});
