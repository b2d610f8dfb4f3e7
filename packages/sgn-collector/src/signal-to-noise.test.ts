import { describe, expect, it } from 'vitest';
import { createRng } from '@kramers/core';
import { noiseScaleAtPoint } from './noise-scale.js';
import { signalToNoise } from './signal-to-noise.js';
import { gaussianGradients } from '../test/support/gaussian-gradients.js';

describe('signalToNoise', () => {
  // Two layers with independent Gaussian per-example gradients: 'dense' (10 parameters, |G|² = 4, tr Σ = 8) and
  // 'output' (20 parameters, |G|² = 0.25, tr Σ = 20). Closed form at B = 32: SNR = B·|G|²/tr Σ = 16 and 0.4; the
  // total is 32·4.25/28 = 4.857, not any average of the two.
  const dense = gaussianGradients(10, 4, 8, 21);
  const output = gaussianGradients(20, 0.25, 20, 22);
  const layout = [
    { name: 'dense', offset: 0, size: 10 },
    { name: 'output', offset: 10, size: 20 },
  ];
  const perExample = (rows: number, seed: number) => {
    const a = dense.matrix(rows, seed);
    const b = output.matrix(rows, seed + 1);
    const values = new Float64Array(rows * 30);
    for (let j = 0; j < rows; j++) {
      values.set(a.subarray(j * 10, (j + 1) * 10), j * 30);
      values.set(b.subarray(j * 20, (j + 1) * 20), j * 30 + 10);
    }
    return { rows, size: 30, values };
  };

  it('matches the closed form B·|G_l|²/tr Σ_l per layer and in total (20000 per-example gradients)', () => {
    const r = signalToNoise({ kind: 'per-example', gradients: perExample(20_000, 30) }, layout, 32);
    const [d, o] = r.layers;
    expect(d!.name).toBe('dense');
    expect(Math.abs(d!.snr! / 16 - 1)).toBeLessThan(0.05);
    // |G|² = 0.25 is estimated to ±3 % (1σ) from 20000 rows, so 10 % here
    expect(Math.abs(o!.snr! / 0.4 - 1)).toBeLessThan(0.1);
    expect(Math.abs(r.total.snr! / ((32 * 4.25) / 28) - 1)).toBeLessThan(0.05);
    console.log(
      `[signal-to-noise] B=32: dense ${d!.snr!.toFixed(3)} (closed form 16), output ${o!.snr!.toFixed(4)} (0.4), total ${r.total.snr!.toFixed(3)} (${((32 * 4.25) / 28).toFixed(3)})`,
    );
  });

  it('is B/B_simple of each block, with the same estimates as noiseScaleAtPoint (also for a whole data set)', () => {
    const gradients = perExample(50, 40);
    for (const wholeDataset of [false, true]) {
      const r = signalToNoise({ kind: 'per-example', gradients, wholeDataset }, layout, 8);
      layout.forEach((entry, l) => {
        const values = new Float64Array(50 * entry.size);
        for (let j = 0; j < 50; j++) values.set(gradients.values.subarray(j * 30 + entry.offset, j * 30 + entry.offset + entry.size), j * entry.size);
        const alone = noiseScaleAtPoint({ kind: 'per-example', gradients: { rows: 50, size: entry.size, values }, wholeDataset });
        expect(r.layers[l]!.gradNormSq).toBeCloseTo(alone.gradNormSq, 12);
        expect(r.layers[l]!.traceSigma).toBeCloseTo(alone.traceSigma, 10);
        if (alone.bSimple !== undefined) expect(r.layers[l]!.snr).toBeCloseTo(8 / alone.bSimple, 10);
      });
      expect(r.total.snr).toBeCloseTo(8 / noiseScaleAtPoint({ kind: 'per-example', gradients, wholeDataset }).bSimple!, 10);
    }
  });

  it('is 0 when the gradient estimate is not positive and undefined for a block without noise', () => {
    // 'signal-free' is noise in ± pairs, so its mean is exactly 0 and the unbiased |G|² estimate −SS/(K(K−1)) is
    // negative; 'frozen' is 0 in every row
    const rng = createRng(5);
    const rows = 40;
    const values = new Float64Array(rows * 4);
    for (let j = 0; j < rows; j += 2) {
      for (const i of [0, 1]) {
        const v = rng.normal();
        values[j * 4 + i] = v;
        values[(j + 1) * 4 + i] = -v;
      }
    }
    const r = signalToNoise(
      { kind: 'per-example', gradients: { rows, size: 4, values } },
      [
        { name: 'signal-free', offset: 0, size: 2 },
        { name: 'frozen', offset: 2, size: 2 },
      ],
      16,
    );
    expect(r.layers[0]!.gradNormSq).toBeLessThan(0);
    expect(r.layers[0]!.snr).toBe(0);
    expect(r.layers[1]!.traceSigma).toBe(0);
    expect(r.layers[1]!.snr).toBeUndefined();
  });

  it('refuses layout entries outside the vector and a bad batch size', () => {
    const gradients = { rows: 2, size: 3, values: [1, 2, 3, 4, 5, 6] };
    expect(() => signalToNoise({ kind: 'per-example', gradients }, [{ name: 'w', offset: 2, size: 2 }], 8)).toThrow(/'w' \[2, 4\) does not fit in 3/);
    expect(() => signalToNoise({ kind: 'per-example', gradients }, [], 0)).toThrow(/batchSize/);
  });
});
