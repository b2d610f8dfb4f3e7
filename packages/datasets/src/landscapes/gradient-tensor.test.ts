import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createRng } from '@kramers/core';
import { doubleWell } from './double-well.js';
import type { Landscape } from './landscape.js';
import { quadraticValley } from './quadratic-valley.js';
import { styblinskiTang } from './styblinski-tang.js';

const landscapes: Array<{ L: Landscape; spread: number }> = [
  { L: styblinskiTang({ dim: 10, k: 0.7, scale: 0.01 }), spread: 4 },
  { L: doubleWell({ barrier: 2, width: 1.5, tilt: 0.3 }), spread: 2.5 },
  { L: quadraticValley({ curvatures: [3, 0.5, 7], center: [0.1, -2, 1], scale: 0.2 }), spread: 3 },
];

function randomRows(rows: number, dim: number, spread: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: rows * dim }, () => spread * (2 * rng.next() - 1));
}

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe.each(['cpu', 'wasm'])('replica-batched tensors on the %s backend', (backend) => {
  it.each(landscapes.map(({ L, spread }) => [L.name, L, spread] as const))(
    '%s: a row of a [100, n] gradient equals the single-row call bit for bit, and nothing leaks',
    async (_name, L, spread) => {
      expect(await tf.setBackend(backend)).toBe(true);
      await tf.ready();
      const before = tf.memory().numTensors;
      const n = L.dim;
      const data = randomRows(100, n, spread, 7);
      const batch = tf.tensor2d(data, [100, n]);
      const allT = L.gradientTensor(batch);
      const allHT = L.hessianDiagonalTensor!(batch);
      const all = allT.dataSync();
      const allH = allHT.dataSync();
      for (let r = 0; r < 100; r++) {
        const one = tf.tensor2d(data.subarray(r * n, (r + 1) * n), [1, n]);
        const g = L.gradientTensor(one);
        const h = L.hessianDiagonalTensor!(one);
        expect(Array.from(g.dataSync())).toEqual(Array.from(all.subarray(r * n, (r + 1) * n)));
        expect(Array.from(h.dataSync())).toEqual(Array.from(allH.subarray(r * n, (r + 1) * n)));
        tf.dispose([one, g, h]);
      }
      tf.dispose([batch, allT, allHT]);
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it.each(landscapes.map(({ L, spread }) => [L.name, L, spread] as const))(
    '%s: the float32 gradient and Hessian diagonal equal the float64 ones up to float32 rounding',
    async (_name, L, spread) => {
      expect(await tf.setBackend(backend)).toBe(true);
      await tf.ready();
      const n = L.dim;
      const data = randomRows(50, n, spread, 11);
      const batch = tf.tensor2d(data, [50, n]);
      const gT = L.gradientTensor(batch);
      const hT = L.hessianDiagonalTensor!(batch);
      const g32 = gT.dataSync();
      const h32 = hT.dataSync();
      tf.dispose([batch, gT, hT]);
      // Each op rounds once (relative 2⁻²⁴); a handful of ops on terms up to |L'| + |L''|·|θ| bound the error.
      const eps = 2 ** -24;
      let worst = 0;
      for (let r = 0; r < 50; r++) {
        const theta = data.subarray(r * n, (r + 1) * n); // float64 reference at the same float32 point
        const g = L.gradient(theta);
        const H = L.hessian(theta);
        for (let i = 0; i < n; i++) {
          const magnitude = Math.abs(g[i]!) + Math.abs(H[i * n + i]!) * (Math.abs(theta[i]!) + 1) + 1e-30;
          worst = Math.max(worst, Math.abs(g32[r * n + i]! - g[i]!) / (eps * magnitude));
          worst = Math.max(worst, Math.abs(h32[r * n + i]! - H[i * n + i]!) / (eps * magnitude));
        }
      }
      expect(worst).toBeLessThan(6); // measured 2.15 (Styblinski–Tang), 1.83, 0.84 units of 2⁻²⁴·magnitude
    },
  );
});

describe('replica-batched tensors: bad input', () => {
  it('refuses a batch of the wrong width or dtype, naming the shape to pass', async () => {
    await tf.setBackend('cpu');
    const L = styblinskiTang({ dim: 3 });
    const wrong = tf.zeros([4, 2]) as tf.Tensor2D;
    const ints = tf.zeros([4, 3], 'int32') as tf.Tensor2D;
    expect(() => L.gradientTensor(wrong)).toThrow('styblinski-tang.gradientTensor: theta has shape [4, 2]; pass [R, 3]');
    expect(() => L.hessianDiagonalTensor(ints)).toThrow('theta has dtype int32; pass a float32 tensor');
    tf.dispose([wrong, ints]);
  });
});
